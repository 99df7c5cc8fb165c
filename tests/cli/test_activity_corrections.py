"""`runload activity set/show/delete`: a correction is kept beside the recorded value, every
calculation uses it, both are shown; nothing outside the physical bounds gets in."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from builders import fit_run, store_is_sound

pytestmark = pytest.mark.slow  # watch files imported end to end


@pytest.fixture
def run_id(cli, athlete: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> int:
    """One 10-minute run of 1.80 km (3 m/s) on 2024-05-06 09:00 Stockholm time, stored as w.fit."""
    (tmp_path / "w.fit").write_bytes(fit_run())
    monkeypatch.chdir(tmp_path)
    assert cli("import", "--athlete", athlete, "w.fit").exit_code == 0
    return int(json.loads(cli("activity", "list", "--athlete", athlete, "--json").output)[0]["id"])


def test_set_keeps_the_recorded_values_and_shows_both(cli, athlete: str, run_id: int) -> None:
    r = cli("activity", "set", str(run_id), "--sport", "walking", "--distance-km", "2.5", "--rpe", "4")
    assert r.exit_code == 0, r.output
    assert r.output == ("Activity 1:\n"
                        "  sport: running -> walking (recorded: running)\n"
                        "  distance: 1.80 km -> 2.50 km (recorded: 1.80 km)\n"
                        "  session RPE: - -> 4/10 (recorded: -)\n")
    assert cli("activity", "list", "--athlete", athlete).output == (
        "   id  start (local)     sport                 km      time  file\n"
        "    1  2024-05-06 09:00  walking*           2.50*  0:10:00  w.fit\n")
    assert cli("activity", "show", "1").output == (
        "Activity 1: 2024-05-06 09:00 (local), 0:10:00\n"
        "  sport:        walking (corrected; recorded: running)\n"
        "  sub-sport:    -\n"
        "  distance:     2.50 km (corrected; recorded: 1.80 km)\n"
        "  shoe:         -\n"
        "  session RPE:  4/10 (corrected; recorded: -)\n"
        "  file:         w.fit\n"
        "  import:       1\n")
    shown = json.loads(cli("activity", "show", "1", "--format", "json").output)
    assert (shown["sport"], shown["distance_m"], shown["rpe"], shown["counts_as_running"]) == ("walking", 2500.0, 4.0, False)
    assert shown["corrections"] == {"sport": "running", "distance_m": 1800.0, "rpe": None}
    # every calculation uses the corrected values: a walk is no running distance
    assert json.loads(cli("weeks", "--athlete", athlete, "--format", "json").output) == []
    cli("activity", "set", "1", "--clear", "sport")
    weeks = json.loads(cli("weeks", "--athlete", athlete, "--format", "json").output)
    assert [(w["week_start"], w["distance_km"], w["runs"]) for w in weeks] == [("2024-05-06", 2.5, 1)]


def test_clear_goes_back_to_the_recorded_value(cli, athlete: str, run_id: int) -> None:
    cli("activity", "set", "1", "--sport", "cycling", "--rpe", "4")
    r = cli("activity", "set", "1", "--clear", "sport", "--clear", "rpe")
    assert r.output == ("Activity 1:\n"
                        "  sport: cycling -> running (as recorded)\n"
                        "  session RPE: 4/10 -> - (as recorded)\n")
    shown = json.loads(cli("activity", "show", "1", "--json").output)
    assert shown["corrections"] == {} and shown["sport"] == "running"
    r = cli("activity", "set", "1", "--clear", "rpe", "--rpe", "3")
    assert r.exit_code == 2 and "--clear rpe and a new value for it: choose one" in r.output


@pytest.mark.parametrize("args, message", [
    (["--rpe", "11"], "Error: --rpe: 11 is not a session RPE from 0 to 10\n"),
    (["--rpe", "-1"], "Error: --rpe: -1 is not a session RPE from 0 to 10\n"),
    (["--rpe", "nan"], "Error: --rpe: nan is not a session RPE from 0 to 10\n"),
    (["--distance-km", "inf"], "Error: --distance-km: inf is not a distance from 0 to 10,000 km\n"),
    (["--distance-km", "-3"], "Error: --distance-km: -3 is not a distance from 0 to 10,000 km\n"),
    (["--sport", "flying"], "Error: unknown sport 'flying' (expected one of: running, walking, hiking, cycling, "
                            "swimming, rowing, driving, other)\n"),
    (["--shoe", "Ghost"], "Error: 'ana' has no shoe named 'Ghost' (add it first: runload shoe add --athlete ana NAME)\n"),
    (["--shoe", "\x1b[2Jx"], None),
])
def test_values_no_person_produces_are_refused(cli, run_id: int, args: list[str], message: str | None) -> None:
    r = cli("activity", "set", "1", *args)
    assert r.exit_code == 2
    if message:
        assert r.output == message
    assert "\x1b" not in r.output
    assert json.loads(cli("activity", "show", "1", "--json").output)["corrections"] == {}


def test_a_distance_faster_than_the_world_record_is_refused_for_a_run(cli, run_id: int) -> None:
    r = cli("activity", "set", "1", "--distance-km", "50")  # 50 km in 10 minutes
    assert r.exit_code == 2 and r.output.startswith("Error: activity 1 not corrected: 50.00 km at 300.0 km/h is faster")
    assert cli("activity", "set", "1", "--sport", "cycling").exit_code == 0
    assert cli("activity", "set", "1", "--distance-km", "5").exit_code == 0  # 30 km/h by bike: fine


def test_set_sport_is_still_there(cli, run_id: int) -> None:
    r = cli("activity", "set-sport", "1", "hiking", "--sub-sport", "trail")
    assert r.output == "Activity 1: sport running -> hiking.\n"
    shown = json.loads(cli("activity", "show", "1", "--json").output)
    assert (shown["sport"], shown["sub_sport"]) == ("hiking", "trail")
    assert shown["corrections"] == {"sport": "running", "sub_sport": None}


def test_shoe_correction_counts_for_that_shoe(cli, athlete: str, run_id: int) -> None:
    assert cli("shoe", "add", "--athlete", athlete, "Trail pair").exit_code == 0
    r = cli("activity", "set", "1", "--shoe", "Trail pair")
    assert r.output == "Activity 1:\n  shoe: - -> Trail pair (recorded: -)\n"
    shoes = json.loads(cli("shoe", "list", "--athlete", athlete, "--json").output)
    assert [(s["name"], s["distance_km"], s["runs"]) for s in shoes] == [("Trail pair", 1.8, 1)]


def test_delete_asks_needs_yes_and_the_file_stays_known(cli, athlete: str, run_id: int, store_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    r = cli("activity", "delete", "1")
    assert r.exit_code == 2 and r.output == "Error: not deleting 1 activity without --yes (no terminal to ask on)\n"
    r = cli("activity", "delete", "1", "99", "--yes")
    assert r.exit_code == 2 and r.output == "Error: no activity with id 99 (see: runload activity list)\n"
    assert len(json.loads(cli("activity", "list", "--athlete", athlete, "--json").output)) == 1  # all or none
    monkeypatch.setattr("runload.cli._common.can_ask", lambda no_input=False: True)
    r = cli("activity", "delete", "1", input="y\n")
    assert r.exit_code == 0
    assert r.output == "Delete activity 1 (2024-05-06 running 1.80 km, ana)? [y/N]: y\nDeleted 1 activity: 1\n"
    assert json.loads(cli("activity", "list", "--athlete", athlete, "--json").output) == []
    store_is_sound(store_path)
    r = cli("import", "--athlete", athlete, "w.fit")  # its file is known: the deleted run stays deleted
    assert r.output.startswith("Imported 0 files (0 activities); 0 duplicates; 1 already known")
