"""Shoes: a name, the kilometres it had before runload, a retirement distance (the shoe rule's
threshold for that pair), a default for new runs; kilometres in the report and the mail."""

from __future__ import annotations

import email
import email.policy
import json
from datetime import timedelta
from pathlib import Path

import pytest

from runload.models import Shoe, Sport
from runload.shoes import shoe_totals
from builders import T0, fit_run, run, store_is_sound

pytestmark = pytest.mark.slow  # watch files imported end to end


@pytest.fixture
def ana(cli) -> str:
    r = cli("athlete", "add", "ana", "--name", "Ana Test", "--timezone", "Europe/Stockholm", "--email", "ana@example.org")
    assert r.exit_code == 0
    return "ana"


def _runs(folder: Path, n: int) -> Path:
    """``n`` runs of 1.80 km (10 min at 3 m/s), one a day from 2024-05-06 (a Monday)."""
    folder.mkdir(exist_ok=True)
    for i in range(n):
        (folder / f"run{i}.fit").write_bytes(fit_run(start=T0 + timedelta(days=i)))
    return folder


def test_shoe_commands_with_their_words(cli, ana: str) -> None:
    r = cli("shoe", "add", "--athlete", ana, "Road pair", "--retire-km", "106", "--start-km", "100", "--default")
    assert r.output == "Added shoe Road pair for ana (100 km before runload, retire at 106 km, the default for new runs).\n"
    assert cli("shoe", "add", "--athlete", ana, "Spikes").output == "Added shoe Spikes for ana.\n"
    r = cli("shoe", "add", "--athlete", ana, "Spikes")
    assert r.exit_code == 2 and r.output == ("Error: 'ana' already has a shoe named 'Spikes' (see: runload shoe list "
                                             "--athlete ana)\n")
    for bad in (["--retire-km", "0"], ["--retire-km", "nan"], ["--start-km", "-5"]):
        assert cli("shoe", "add", "--athlete", ana, "X", *bad).exit_code == 2
    r = cli("shoe", "add", "--athlete", ana, "=HYPERLINK(\"x\")\x1b[31m")
    assert r.exit_code == 2 and "\x1b" not in r.output
    assert cli("shoe", "list", "--athlete", ana).output == (
        "shoe        km  runs  retire at  left  last used\n"
        "---------  ---  ----  ---------  ----  ---------  ----------------------------------------\n"
        "Road pair  100     0        106     6  -          default, nearing its retirement distance\n"
        "Spikes       0     0          -     -  -\n")
    assert cli("shoe", "set-default", "--athlete", ana, "Spikes").output == "New runs of ana get shoe Spikes.\n"
    assert cli("shoe", "retire", "--athlete", ana, "Spikes", "--date", "2024-06-01").output == \
        "Retired shoe Spikes of ana on 2024-06-01.\n"
    r = cli("shoe", "set-default", "--athlete", ana, "Spikes")
    assert r.exit_code == 2 and "retired on 2024-06-01: a retired shoe cannot be the default" in r.output
    r = cli("shoe", "retire", "--athlete", ana, "Nope")
    assert r.exit_code == 2 and r.output == "Error: 'ana' has no shoe named 'Nope' (see: runload shoe list --athlete ana)\n"
    listed = json.loads(cli("shoe", "list", "--athlete", ana, "--format", "json").output)
    assert [(s["name"], s["default"], s["retired_on"]) for s in listed] == [("Road pair", False, None),
                                                                              ("Spikes", False, "2024-06-01")]


def test_new_runs_get_the_default_shoe_unless_the_file_names_one(cli, ana: str, tmp_path: Path,
                                                                 store_path: Path) -> None:
    _runs(tmp_path / "before", 1)
    cli("import", "--athlete", ana, str(tmp_path / "before"))  # no shoe yet: no gear
    cli("shoe", "add", "--athlete", ana, "Road pair", "--retire-km", "106", "--start-km", "100", "--default")
    folder = tmp_path / "after"
    folder.mkdir()
    for i in (1, 2):
        (folder / f"run{i}.fit").write_bytes(fit_run(start=T0 + timedelta(days=i)))
    cli("import", "--athlete", ana, str(folder))
    acts = json.loads(cli("activity", "list", "--athlete", ana, "--json").output)
    assert [(a["gear"], a["gear_default"]) for a in acts] == [(None, False), ("Road pair", True), ("Road pair", True)]
    assert cli("activity", "show", "2").output.splitlines()[4] == \
        "  shoe:         Road pair (the default shoe when imported: the file named none)"
    cli("activity", "set", "1", "--shoe", "Road pair")
    # hand-worked: 100 km before runload + 3 runs x 1.80 km = 105.4 km; 106 - 105.4 = 0.6 km left
    listed = json.loads(cli("shoe", "list", "--athlete", ana, "--json").output)
    assert [(s["name"], s["distance_km"], s["run_km"], s["runs"], s["left_km"]) for s in listed] == \
        [("Road pair", 105.4, 5.4, 3, 0.6)]
    assert cli("shoe", "list", "--athlete", ana).output.splitlines()[2] == \
        "Road pair  105     3        106     1  2024-05-08  default, nearing its retirement distance"
    # undoing the import takes the runs (and their kilometres) away again
    cli("import", "undo", "2", "--yes")
    listed = json.loads(cli("shoe", "list", "--athlete", ana, "--json").output)
    assert [(s["distance_km"], s["runs"]) for s in listed] == [(101.8, 1)]
    store_is_sound(store_path)


def test_the_shoe_rule_uses_the_shoes_retirement_distance(cli, ana: str, tmp_path: Path) -> None:
    cli("shoe", "add", "--athlete", ana, "Road pair", "--retire-km", "106", "--start-km", "100", "--default")
    cli("import", "--athlete", ana, str(_runs(tmp_path / "r", 3)))
    found = json.loads(cli("check", "--athlete", ana, "--as-of", "2024-05-08", "--format", "json").output)
    shoe = [f for f in found if f["rule_id"] == "shoe-mileage"]
    # 105.4 km against the reminder band at 90% of 106 km (720 km x 106/800 = 95.4 km)
    assert [(f["value"], f["threshold"]) for f in shoe] == [(105.4, 95.4)]
    assert shoe[0]["message"] == ("Road pair: 105 km in 3 runs since 2024-05-06, with 100 km before runload. "
                                  "(Threshold 95.4 km instead of 720 km: the retirement distance set for this shoe.)")
    # past it: the top band falls on the shoe's 106 km
    (tmp_path / "more").mkdir()
    (tmp_path / "more" / "run9.fit").write_bytes(fit_run(start=T0 + timedelta(days=3)))
    cli("import", "--athlete", ana, str(tmp_path / "more"))
    found = json.loads(cli("check", "--athlete", ana, "--as-of", "2024-05-09", "--format", "json").output)
    assert [(f["value"], f["threshold"]) for f in found if f["rule_id"] == "shoe-mileage"] == [(107.2, 106.0)]
    cli("shoe", "retire", "--athlete", ana, "Road pair", "--date", "2024-05-09")
    found = json.loads(cli("check", "--athlete", ana, "--as-of", "2024-05-09", "--format", "json").output)
    assert [f for f in found if f["rule_id"] == "shoe-mileage"] == []  # a retired pair is not judged


def test_report_and_mail_show_shoe_kilometres_and_the_reminder(cli, ana: str, tmp_path: Path) -> None:
    cli("shoe", "add", "--athlete", ana, "Road pair", "--retire-km", "106", "--start-km", "100", "--default")
    cli("import", "--athlete", ana, str(_runs(tmp_path / "r", 3)))
    text = cli("report", "--athlete", ana, "--week", "2024-W19").output
    part = text[text.index("Shoes (running km, all time)"):text.index("Charts,")]
    assert part == (
        "Shoes (running km, all time)\n"
        "  shoe        km  runs  last used   retire at  left\n"
        "  ---------  ---  ----  ----------  ---------  ----\n"
        "  Road pair  105     3  2024-05-08        106     1\n\n")
    # the reminder is a note the runner reads before the report's end; the table is under "More"
    assert (text.index("Notes\n  - Road pair: 105 km, 1 km left to the 106 km you set to retire it at: have the next "
                       "pair ready.") < text.index("not a diagnosis") < text.index("More") < text.index("Shoes ("))
    rep = json.loads(cli("report", "--athlete", ana, "--week", "2024-W19", "--format", "json").output)
    assert rep["shoes"] == [{"gear": "Road pair", "distance_km": 105.4, "runs": 3, "first_used": "2024-05-06",
                             "last_used": "2024-05-08", "start_km": 100.0, "retire_km": 106.0, "left_km": 0.6,
                             "retired_on": None, "near_retirement": True}]
    md = cli("report", "--athlete", ana, "--week", "2024-W19", "--format", "md").output
    assert "| Road pair | 105 | 3 | 2024-05-08 | 106 | 1 |" in md.replace("  ", " ")
    html = cli("report", "--athlete", ana, "--week", "2024-W19", "--format", "html").output
    assert "1 km left to the 106 km you set to retire it at" in html
    out = tmp_path / "outbox"
    assert cli("email", "--outbox", str(out), "--week", "2024-W19", "--athlete", ana).exit_code == 0
    mail = email.message_from_bytes(next(out.glob("*.eml")).read_bytes(), policy=email.policy.default)
    plain = next(p for p in mail.walk() if p.get_content_type() == "text/plain").get_content()
    assert "  Road pair  105     3  2024-05-08        106     1" in plain
    assert "Road pair: 105 km, 1 km left to the 106 km you set to retire it at" in plain


def test_shoe_totals_by_hand() -> None:
    day = T0.date()
    acts = [run(day, 10, gear="A"), run(day + timedelta(days=1), 5.5, gear="A"),
            run(day, 12, sport=Sport.WALKING, gear="A"), run(day + timedelta(days=2), 8, gear="B"), run(day, 3)]
    totals = shoe_totals(acts, [Shoe("A", start_km=40.0, retire_km=60.0), Shoe("C")])
    got = [(t.name, t.distance_km, t.run_km, t.runs, t.left_km, t.registered) for t in totals]
    # A: 40 + 10 + 5.5 (the walk does not count) = 55.5, 4.5 left; B: only gear; C: registered, unused
    assert got == [("A", 55.5, 15.5, 2, 4.5, True), ("B", 8.0, 8.0, 1, None, False), ("C", 0.0, 0.0, 0, None, True)]
    assert [t.runs for t in shoe_totals(acts, end=day + timedelta(days=1))] == [2]
