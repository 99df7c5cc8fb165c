"""Plan ahead: a planned week checked against the same rules and limits before it is run.

Hand-worked scenarios: six weeks of Mon 8, Wed 8, Fri 8 and a Sunday long run of 16 km (40 km a
week). A plan with a 24 km Sunday is 50% longer than the longest run of the last 30 days (16
km): keep it under 16 x 1.1 = 17.6 km; its week of 48 km is +20% on 40 km: keep the week under
40 x 1.1 = 44 km. The proposal trims the Sunday to 17.6 km (the week is then 41.6 km, inside 44).
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from runload.cli import main
from runload.errors import InputError
from runload.models import Activity, AthleteData, PainEntry, PlannedRun
from runload.plan import check_plan, level_to, parse_plan_csv, parse_run_option, plan_csv, read_plan_csv
from builders import ATHLETE, BOOK, MONDAY, run, steady

def history(weeks: int = 6, long_km: float = 16.0) -> list[Activity]:
    return steady(MONDAY, weeks, long_km=long_km)


AS_OF = MONDAY + timedelta(days=6 * 7 - 1)  # the last Sunday of the history
NEXT = AS_OF + timedelta(days=1)  # the Monday the plan starts


def week_plan(sunday_km: float) -> list[PlannedRun]:
    return [PlannedRun(NEXT, 8.0), PlannedRun(NEXT + timedelta(days=2), 8.0, kind="tempo"),
            PlannedRun(NEXT + timedelta(days=4), 8.0), PlannedRun(NEXT + timedelta(days=5), 0.0, kind="rest"),
            PlannedRun(NEXT + timedelta(days=6), sunday_km, kind="long")]


def data() -> AthleteData:
    return AthleteData(ATHLETE, tuple(history()))


def test_a_too_long_sunday_is_flagged_with_its_numbers_and_corrected() -> None:
    c = check_plan(data(), BOOK, week_plan(24.0), AS_OF)
    assert not c.keeps_limits and c.mode == "normal"
    # the run and its week (48 km against a limit of 44 km: the 10% rule's limit); the +20% rise
    # itself (weekly and over the last 7 days) is context, not a broken limit of its own
    assert sorted(f.rule_id for f in c.findings) == ["single-run-spike", "weekly-progression"]
    sunday = NEXT + timedelta(days=6)
    spike = next(f for f in c.findings if f.rule_id == "single-run-spike")
    # 50% longer is the moderate band: a caution (1.5 times the injury rate, not above the small band)
    assert spike.date == sunday and spike.severity.value == "caution"
    assert spike.limit_km == 17.6 and spike.planned_km == 24.0
    assert "24.0 km, 50% longer than your longest run of the previous 30 days (16.0 km on" in spike.message
    assert spike.sentence().endswith("Keep it under 17.6 km.")
    assert spike.session == f"Sun {sunday.isoformat()}, 24.0 km long run"
    week = next(f for f in c.findings if f.rule_id == "weekly-progression")
    assert week.limit == "week" and week.limit_km == 44.0 and week.severity.value == "caution"
    assert "the plan comes to 48.0 km by Sun" in week.message and "over the week's limit of 44.0 km" in week.message
    # the proposal: same days, the long run trimmed to its limit, everything else kept
    assert [p.date for p in c.proposed] == [p.date for p in week_plan(24.0)]
    assert [p.distance_km for p in c.proposed] == [8.0, 8.0, 8.0, 0.0, 17.6]
    assert [p.kind for p in c.proposed] == ["easy", "tempo", "easy", "rest", "long"]
    assert not c.unresolved
    # and the proposal itself passes the check
    assert check_plan(data(), BOOK, c.proposed, AS_OF).keeps_limits


def test_a_plan_inside_every_limit_passes_silently() -> None:
    c = check_plan(data(), BOOK, week_plan(16.0), AS_OF)
    assert c.keeps_limits and c.findings == () and tuple(c.proposed) == tuple(week_plan(16.0))
    assert [(w.limits.week_km, w.limits.longest_run_km) for w in c.weeks] == [(44.0, 17.6)]


def test_history_after_the_day_the_plan_is_made_is_ignored() -> None:
    later = data().activities + (run(NEXT + timedelta(days=1), 30.0),)
    c = check_plan(AthleteData(ATHLETE, later), BOOK, week_plan(16.0), AS_OF)
    assert c.keeps_limits


def test_a_second_week_builds_on_the_first() -> None:
    plan = week_plan(17.6) + [PlannedRun(NEXT + timedelta(days=7 + d), km) for d, km in ((0, 8), (2, 8), (4, 8))] + \
        [PlannedRun(NEXT + timedelta(days=13), 19.3, kind="long")]
    c = check_plan(data(), BOOK, plan, AS_OF)
    # week 2's limits stand on week 1 as planned: 41.6 km x 1.1 = 45.76 km; longest 17.6 x 1.1 = 19.36 km, each
    # rounded down (a limit shown rounded up would be flagged by the rule it comes from)
    assert [(w.limits.week_km, w.limits.longest_run_km) for w in c.weeks] == [(44.0, 17.6), (45.7, 19.3)]
    assert c.keeps_limits


def test_a_plan_under_a_red_flag_is_refused_with_the_reason() -> None:
    pain = (PainEntry(AS_OF - timedelta(days=2), side="right", pain_after=4, calf_swelling_redness_warmth=True),)
    c = check_plan(AthleteData(ATHLETE, tuple(history()), pain), BOOK, week_plan(16.0), AS_OF)
    assert c.mode == "red-flag" and not c.keeps_limits
    assert c.refused.startswith("Not checked: a red flag stands (") and "No running plan can be judged" in c.refused
    assert {f.severity.value for f in c.findings} == {"urgent"}
    assert len(c.findings) == 4  # one per planned run; the rest day needs nothing
    assert all(not p.is_run for p in c.proposed)


def test_return_to_run_mode_holds_the_plan_to_the_walk_run_stages() -> None:
    as_of = AS_OF + timedelta(days=40)  # 40 days without a run
    plan = [PlannedRun(as_of + timedelta(days=1), 5.0), PlannedRun(as_of + timedelta(days=2), 3.0),
            PlannedRun(as_of + timedelta(days=4), 3.0, kind="intervals")]
    c = check_plan(data(), BOOK, plan, as_of)
    assert c.mode == "return-to-run"
    first, second, third = plan
    why = {(f.date, f.title) for f in c.findings}
    # 5 km at the athlete's own 5.5 min/km is 27.5 min, longer than stage 1's 24 min
    assert (first.date, "Longer than the walk-run stage") in why
    assert (second.date, "No rest day before this run") in why
    assert (third.date, "A hard session during the return") in why
    rest = next(f for f in c.findings if f.date == second.date)
    assert rest.sentence().endswith("between runs. Make it a rest day.")
    p1, p2, p3 = c.proposed
    assert p1.duration_min == 24.0 and p1.notes.startswith("walk-run stage 1: run 1 min, walk 2 min, 8 times")
    assert p2.kind == "rest" and p3.kind == "easy" and p3.notes.startswith("walk-run stage 1")


def test_a_plan_must_hold_days_still_to_come() -> None:
    with pytest.raises(InputError, match="not after the day it is made"):
        check_plan(data(), BOOK, [PlannedRun(AS_OF, 5.0)], AS_OF)


def test_level_to_lowers_the_long_run_first() -> None:
    assert level_to([8, 8, 8, 24], 44) == [8, 8, 8, 20]
    assert level_to([8, 8, 8, 24], 30) == [7.5, 7.5, 7.5, 7.5]
    assert level_to([8, 8, 8, 16], 44) == [8, 8, 8, 16]
    assert level_to([5, 10], 0) == [0, 0]


def test_plan_csv_round_trip_and_errors(tmp_path: Path) -> None:
    text = ("date,distance_km,duration_min,kind,rpe,notes\n2026-10-20,5,30,easy,3,\n2026-10-21,,,rest,,\n"
            "2026-10-25,24,,long,,\"=HYPERLINK(1)\"\n")
    runs = parse_plan_csv(text, name="p.csv")
    assert [(p.date.day, p.distance_km, p.kind) for p in runs] == [(20, 5.0, "easy"), (21, 0.0, "rest"), (25, 24.0, "long")]
    assert runs[0].duration_min == 30 and runs[0].rpe == 3
    written = plan_csv(runs)
    assert "'=HYPERLINK(1)" in written  # safe to open in a spreadsheet
    assert parse_plan_csv(written) == runs
    bad = tmp_path / "bad.csv"
    bad.write_text("date,distance_km,kind\n2026-10-20,5,easy\n2026-10-21,five,easy\n")
    with pytest.raises(InputError) as err:
        read_plan_csv(bad)
    assert str(err.value) == f"{bad}:3: distance_km 'five' is not a number"
    bad.write_text("date,distance_km,kind\n2026-10-20,5,jog\n")
    with pytest.raises(InputError, match=r":2: kind 'jog' is not one of easy, long"):
        read_plan_csv(bad)
    bad.write_text("date,distance_km\n2026-10-20,900\n")
    with pytest.raises(InputError, match=r":2: distance_km 900 is outside 0-500"):
        read_plan_csv(bad)
    bad.write_text("day,km\n")
    with pytest.raises(InputError, match=r":1: the header must name date and distance_km"):
        read_plan_csv(bad)
    assert parse_run_option("2026-10-25:24:long") == PlannedRun(date(2026, 10, 25), 24.0, kind="long")
    with pytest.raises(InputError, match="expected YYYY-MM-DD:KM"):
        parse_run_option("2026-10-25")


# ---------------------------------------------------------------- the command line
@pytest.fixture()
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    from runload.store import Store

    path = tmp_path / "s.sqlite"
    with Store.open(path) as s:
        s.add_athlete(ATHLETE)
        with s.atomic() as conn:
            for a in history():
                s.insert_activity(conn, "ana", a)
    monkeypatch.setenv("RUNLOAD_STORE", str(path))
    monkeypatch.setenv("RUNLOAD_TODAY", AS_OF.isoformat())
    return path


def _plan_file(tmp_path: Path, sunday_km: float) -> Path:
    p = tmp_path / "plan.csv"
    p.write_text(plan_csv(week_plan(sunday_km)))
    return p


@pytest.mark.slow  # every output format through the command line
def test_cli_plan_check_text_json_and_exit_codes(store: Path, tmp_path: Path) -> None:
    r = CliRunner().invoke(main, ["plan", "check", "--athlete", "ana", str(_plan_file(tmp_path, 24))])
    assert r.exit_code == 1, r.output
    sunday = NEXT + timedelta(days=6)
    assert r.output.splitlines()[:3] == [
        f"Plan for ana, checked as of {AS_OF}: 5 sessions, {NEXT} to {sunday}.",
        f"Week of {NEXT}: at most 44.0 km in the week; the longest run under 17.6 km.",
        "The plan breaks 2 limits: a proposed plan follows.",
    ]
    assert f"Sun {sunday}, 24.0 km long run" in r.output
    assert f"  Sun {sunday}  17.6 km long (was 24.0 km)" in r.output
    out = tmp_path / "proposed.csv"
    r = CliRunner().invoke(main, ["plan", "check", "--athlete", "ana", str(_plan_file(tmp_path, 24)),
                                  "--format", "json", "--proposed", str(out)])
    doc = json.loads(r.stdout)
    assert doc["schema"] == "runload.plan/1" and doc["keeps_limits"] is False
    spike = next(f for f in doc["findings"] if f["rule_id"] == "single-run-spike")
    assert spike["date"] == sunday.isoformat() and spike["severity"] == "caution" and spike["limit_km"] == 17.6
    assert [(p["date"], p["distance_km"], p["kind"]) for p in doc["proposed"]][-1] == (sunday.isoformat(), 17.6, "long")
    assert [p.distance_km for p in read_plan_csv(out)] == [8.0, 8.0, 8.0, 0.0, 17.6]
    ok = CliRunner().invoke(main, ["plan", "check", "--athlete", "ana", "--run", f"{NEXT}:8", "--run",
                                   f"{sunday}:16:long"])
    assert ok.exit_code == 0 and "The plan keeps every limit." in ok.output
    bad = CliRunner().invoke(main, ["plan", "check", "--athlete", "ana", "--run", f"{AS_OF}:8"])
    assert bad.exit_code == 2 and "not after the day it is made" in bad.output
    for fmt in ("md", "html"):
        r = CliRunner().invoke(main, ["plan", "check", "--athlete", "ana", str(_plan_file(tmp_path, 24)), "--format", fmt])
        assert r.exit_code == 1 and "17.6 km" in r.output


def test_cli_plan_set_show_clear_and_check_the_stored_plan(store: Path, tmp_path: Path) -> None:
    r = CliRunner().invoke(main, ["plan", "set", "--athlete", "ana", str(_plan_file(tmp_path, 24))])
    sunday = NEXT + timedelta(days=6)
    assert r.exit_code == 0 and r.output == (f"Stored 5 planned sessions for ana, {NEXT} to {sunday}. "
                                             "Check it: runload plan check --athlete ana\n")
    r = CliRunner().invoke(main, ["plan", "show", "--athlete", "ana"])
    assert r.output.splitlines()[-1] == f"Sun {sunday}, 24.0 km long run"
    r = CliRunner().invoke(main, ["plan", "check", "--athlete", "ana"])
    assert r.exit_code == 1 and "17.6 km long (was 24.0 km)" in r.output
    # a new plan for the same days replaces it
    r = CliRunner().invoke(main, ["plan", "set", "--athlete", "ana", "--run", f"{sunday}:16:long"])
    assert "(replacing 1)" in r.output
    assert json.loads(CliRunner().invoke(main, ["plan", "show", "--athlete", "ana", "--format", "json"]).output)[
        "planned"][-1]["distance_km"] == 16.0
    r = CliRunner().invoke(main, ["plan", "clear", "--athlete", "ana"])
    assert r.output == "Removed 5 planned sessions for ana.\n"  # the four other days and the new Sunday
    assert CliRunner().invoke(main, ["plan", "show", "--athlete", "ana"]).output == "No plan stored for ana from today on.\n"


def test_a_plan_without_any_history_is_not_called_safe() -> None:
    from runload.report.plan import verdict

    c = check_plan(AthleteData(ATHLETE), BOOK, week_plan(24.0), AS_OF)
    assert c.mode == "no-data" and c.findings == ()
    assert verdict(c).startswith("Nothing to judge the plan against: no runs recorded up to")


def test_the_roster_marks_a_stored_plan_that_breaks_a_limit_in_every_format(store: Path, tmp_path: Path) -> None:
    import re

    CliRunner().invoke(main, ["plan", "set", "--athlete", "ana", str(_plan_file(tmp_path, 24))])
    week = f"{NEXT - timedelta(days=7):%G-W%V}"
    doc = json.loads(CliRunner().invoke(main, ["roster", "--week", week, "--format", "json"]).output)
    assert doc["athletes"][0]["plan"] == "breaks a limit"
    text = CliRunner().invoke(main, ["roster", "--week", week]).output
    assert "plan" in text.splitlines()[3] and "BREAKS A LIMIT" in text
    html = CliRunner().invoke(main, ["roster", "--week", week, "--format", "html"]).output
    head = html.split("<thead>", 1)[1].split("</thead>", 1)[0]
    body_row = html.split("<tbody>", 1)[1].split("</tr>", 1)[0]
    assert len(re.findall(r"<th[ >]", head)) == len(re.findall(r"<td[ >]", body_row)) == 9
    assert "BREAKS A LIMIT" in body_row
    report = CliRunner().invoke(main, ["report", "--athlete", "ana", "--week", week]).output
    assert "Your plan for next week" in report and "17.6 km long (was 24.0 km)" in report


def test_a_plan_check_covers_at_most_twelve_weeks() -> None:
    far = [PlannedRun(NEXT, 8.0), PlannedRun(AS_OF + timedelta(days=85), 8.0)]
    with pytest.raises(InputError, match="more than 12 weeks after"):
        check_plan(data(), BOOK, far, AS_OF)
