"""Data gaps and the edges of a history, against numbers worked out by hand.

A week without any file is unknown, not 0 km; the first, partial week of a history is no
reference; a run exactly 30 days after the one before has a spike reference and ends no break;
each acute:chronic method is worded as what it divides; fitness and fatigue say how they are
seeded and are marked as settling for their first 42 days and as unknown through a gap.
"""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import date, timedelta

import pandas as pd
import pytest

from runload.assess import assess
from runload.load.formulas import LOOKBACK_DAYS, fitness_fatigue, return_to_run_state
from runload.load.series import Frames, gaps, week_complete, weekly_running
from runload.models import Activity, AthleteData, Sport
from runload.report.build import build_report
from runload.report.weeks import format_weeks, weekly_records
from runload.rules import evaluate
from runload.rules.book import Rulebook
from runload.rules.context import Context
from runload.rules.schema import load_rules
from builders import ATHLETE, gpx_track, run

RULES = {r.id: r for r in load_rules()}
BOOK = Rulebook.of(list(RULES.values()))
def week_of(monday: str, km: float, days: tuple[int, ...] = (0, 2, 4, 6)) -> list[Activity]:
    """``km`` spread evenly over runs on ``days`` of the week starting ``monday``."""
    first = date.fromisoformat(monday)
    return [run(first + timedelta(days=d), km / len(days)) for d in days]


def findings(rule_id: str, acts: list[Activity], **settings: object) -> list:
    rule = RULES[rule_id]
    if settings:
        rule = replace(rule, params={**rule.params, **settings})
    return evaluate(rule, Context(athlete=ATHLETE, activities=acts, settings=dict(settings)))


# ---------------------------------------------------------------- weeks without any data
# 28 km in the week of 2026-06-01, nothing at all for three weeks, then 29 and 30 km.
GAP = week_of("2026-06-01", 28) + week_of("2026-06-29", 29) + week_of("2026-07-06", 30)


def test_three_weeks_without_data_are_unknown_not_zero() -> None:
    w = weekly_running(GAP)
    assert [d.isoformat() for d in w["week_start"]] == ["2026-06-01", "2026-06-08", "2026-06-15", "2026-06-22",
                                                       "2026-06-29", "2026-07-06"]
    assert list(w["no_data"]) == [False, True, True, True, False, False]
    # counted as 0 km, the two weeks to 07-06 would be (29 + 30) / (0 + 0): no base; the week of
    # 06-29 against 0 km -> "base too small"; the week of 06-08 against 28 km -> -100%
    recs = weekly_records(w)
    assert [r["change_pct"] for r in recs] == [None, None, None, None, None, pytest.approx(100 / 29, abs=0.05)]
    assert [r["complete"] for r in recs] == [True, False, False, False, True, True]
    assert not any(r["base_too_small"] for r in recs)
    assert findings("two-week-progression", GAP) == []
    assert findings("weekly-progression", GAP) == []
    table = format_weeks(w, "table")
    assert "no data for 3 weeks (unknown, not rest)" in table and "after a gap" in table


def test_one_week_without_any_file_is_no_reference() -> None:
    # 28, [no file at all], 29, 30 km: counted as 0 km, the two weeks to 06-22 would be
    # (29 + 30) / (28 + 0) - 1 = +110.7%, a warning; the empty week would be -100%.
    acts = week_of("2026-06-01", 28) + week_of("2026-06-15", 29) + week_of("2026-06-22", 30)
    assert gaps(acts) == [(date(2026, 6, 8), date(2026, 6, 14))]  # 06-07 .. 06-15 is only 7 days silent
    recs = weekly_records(weekly_running(acts))
    assert [r["no_data"] for r in recs] == [False, True, False, False]
    assert [r["change_pct"] for r in recs] == [None, None, None, pytest.approx(100 / 29, abs=0.05)]
    assert findings("two-week-progression", acts) == []
    assert findings("weekly-progression", acts) == []


def test_a_rest_week_inside_the_data_is_a_measured_zero() -> None:
    # The same weeks with a ride in the middle one: the watch was in use, so 0 km is a rest week.
    acts = (week_of("2026-06-01", 28) + [run("2026-06-10", 30, sport=Sport.CYCLING)] + week_of("2026-06-15", 29)
            + week_of("2026-06-22", 30))
    recs = weekly_records(weekly_running(acts))
    assert [r["no_data"] for r in recs] == [False, False, False, False]
    assert recs[1]["change_pct"] == -100.0 and recs[2]["base_too_small"]
    [f] = findings("two-week-progression", acts)
    assert f.week_start == date(2026, 6, 22) and f.value == pytest.approx((29 + 30) / (28 + 0) * 100 - 100, abs=0.01)


def test_fitness_and_fatigue_are_not_drawn_through_a_gap() -> None:
    a = assess(AthleteData(ATHLETE, tuple(GAP), (), ()), BOOK, date(2026, 7, 12))
    ff = a.fitness_fatigue()
    gap_days = ff.loc["2026-06-08":"2026-06-28"]
    assert len(gap_days) == 21 and gap_days[["ctl", "atl", "tsb"]].isna().all().all()
    assert not gap_days["known"].any() and ff.loc["2026-06-29":, "known"].all()
    # the ramp CTL_t - CTL_t-7 is unknown while its 8 days touch the gap (to 2026-07-06)
    assert ff.loc["2026-06-29":"2026-07-05", "ramp"].isna().all() and not math.isnan(ff.loc["2026-07-06", "ramp"])
    # through the gap the model goes on as rest (load 0, as common tools do); it is seeded with
    # the mean of the known days among the first 28 (28 km over 06-01..06-07; the other 21 are
    # the gap): 4 km/day, and the first day's run is 7 km...
    seed = 28 / 7
    assert ff.loc["2026-06-01", "ctl"] == pytest.approx(seed + (7 - seed) / 42)
    # ...and the chart's series and the report's words say so
    note = next(n for n in build_report(a).method_notes if n.startswith("Fitness (CTL"))
    assert "Through the days without data (2026-06-08 to 2026-06-28) they are computed as if you rested" in note
    # the acute:chronic ratio is hidden for 28 days after the gap, as for a 14-day silence
    assert a.load_ratio()["acwr"].loc["2026-06-08":].isna().all()


def test_monotony_counts_no_gap_day_as_rest() -> None:
    # Two weeks of 10 km on Mon/Wed/Fri, nothing from 06-15 to 06-29 (15 days), then 5 km a day
    # from Tuesday 06-30 to Sunday 07-05. With Monday 06-29 counted as a rest day the week would
    # be [0, 5, 5, 5, 5, 5, 5]: mean 30/7 = 4.29, sd (n-1) = sqrt((4.29^2 + 6 x 0.71^2) / 6) = 1.89,
    # monotony 2.27, over 2.0; but 06-29 is unknown, so the week is not complete and not judged.
    acts = ([run(date(2026, 6, 1) + timedelta(days=d), 10) for d in (0, 2, 4, 7, 9, 11)]
            + [run(date(2026, 6, 30) + timedelta(days=d), 5) for d in range(6)])
    assert gaps(acts) == [(date(2026, 6, 13), date(2026, 6, 29))]
    assert findings("monotony-strain", acts) == []
    from runload.load.formulas import weekly_monotony

    unfiltered = weekly_monotony(Frames(acts).load("distance"))
    assert unfiltered.set_index("week_start").loc[date(2026, 6, 29), "monotony"] == pytest.approx(2.268, abs=0.001)


# ---------------------------------------------------------------- the first, partial week
def test_a_one_day_first_week_is_no_reference() -> None:
    # Week 1 is one run of 10 km on Sunday 2026-06-07; week 2 is 25 km: +150% against a week the
    # history began on its last day. Not judged: "not enough data".
    acts = [run("2026-06-07", 10)] + week_of("2026-06-08", 25)
    w = weekly_running(acts)
    assert list(w["complete"]) == [False, True]
    assert math.isnan(w["change_pct"].iloc[1]) and not w["base_too_small"].iloc[1]
    assert findings("weekly-progression", acts) == []
    assert "not enough data" in format_weeks(w, "table").splitlines()[-1]
    # the week counts as complete once the history starts on or before its first day (a walk on
    # the Monday): then 25 km on 10 km is +150%, the >30% band (context: severity follows the evidence)
    walked = [run("2026-06-01", 3, sport=Sport.WALKING)] + acts
    assert week_complete(date(2026, 6, 1), history_start=date(2026, 6, 1), end=date(2026, 6, 14))
    [f] = findings("weekly-progression", walked)
    assert (f.week_start, f.value, f.severity.value) == (date(2026, 6, 8), 150.0, "info")


def test_two_week_progression_skips_a_partial_first_week() -> None:
    # 10 km on Sunday 06-07, then 20, 20, 28 km: (20 + 28) / (10 + 20) - 1 = +60% over two weeks,
    # but 06-01's week is one day of data: no reference. The next two weeks (20 + 28 against
    # 20 + 20 = +20%) are judged and silent.
    acts = [run("2026-06-07", 10)] + week_of("2026-06-08", 20) + week_of("2026-06-15", 20) + week_of("2026-06-22", 28)
    assert findings("two-week-progression", acts) == []
    full = week_of("2026-06-01", 10) + acts[1:]
    [f] = findings("two-week-progression", full)
    assert f.week_start == date(2026, 6, 22) and f.value == pytest.approx(60.0)


def test_the_report_weeks_say_not_enough_data_after_a_partial_week() -> None:
    acts = [run("2026-06-07", 10)] + week_of("2026-06-08", 25)
    a = assess(AthleteData(ATHLETE, tuple(acts), (), ()), BOOK, date(2026, 6, 14))
    rows = {w.week_start: w for w in build_report(a).weeks}
    from runload.report.fmt import change

    assert change(rows[date(2026, 6, 8)]) == "not enough data"
    assert not any(f.rule_id == "weekly-progression" for f in a.findings)


# ---------------------------------------------------------------- one 30-day window
def test_a_run_exactly_30_days_later_has_a_reference_and_ends_no_break() -> None:
    assert LOOKBACK_DAYS == 30
    # 10 km on 06-01, 12 km on 07-01: 30 days apart, 29 days without a run (06-02 .. 06-30)
    acts = [run("2026-06-01", 10), run("2026-07-01", 12)]
    [spike] = findings("single-run-spike", acts)
    assert (spike.date, spike.value) == (date(2026, 7, 1), pytest.approx(20.0))
    assert findings("return-to-run", acts) == []
    assert return_to_run_state(acts, date(2026, 7, 1))["comeback"] is None
    # one day later: 30 days without a run (06-02 .. 07-01), no reference, a return from a break
    later = [run("2026-06-01", 10), run("2026-07-02", 12)]
    assert findings("single-run-spike", later) == []
    [back] = findings("return-to-run", later)
    assert (back.date, back.value) == (date(2026, 7, 2), 30.0) and "30 days without a run" in back.message
    assert return_to_run_state(later, date(2026, 7, 2))["comeback"] == date(2026, 7, 2)


def test_the_break_still_going_counts_the_day_judged() -> None:
    acts = [run("2026-06-01", 10)]
    # as of 06-30: 29 days without a run (06-02 .. 06-30); a run that day would have a reference
    assert not return_to_run_state(acts, date(2026, 6, 30))["active"]
    assert return_to_run_state(acts, date(2026, 7, 1))["active"]
    ctx = Context(athlete=ATHLETE, activities=acts, as_of=date(2026, 7, 1))
    [f] = evaluate(RULES["return-to-run"], ctx)
    assert f.value == 30.0 and f.date == date(2026, 7, 1)


# ---------------------------------------------------------------- each ACWR method in its own words
# 28 days at 5 km, then 7 days at 10 km (2026-06-01 .. 07-05); the ratio on 07-05:
STEP = [run(date(2026, 6, 1) + timedelta(days=i), 5.0) for i in range(28)] + \
       [run(date(2026, 6, 29) + timedelta(days=i), 10.0) for i in range(7)]


@pytest.mark.parametrize("method, value, chronic, words", [
    # coupled: 70 km / 7 = 10 a day against (21 x 5 + 70) / 28 = 6.25 a day: 1.60
    ("rac", 1.6, 6.25, "the last 7 days averaged 10.0 km a day, 1.60 times your average over the last 28 days "
                       "(these 7 included) (6.2 km a day; coupled rolling averages, distance)"),
    # uncoupled: 10 a day against the 21 days before them, 5 a day: 2.00
    ("rau", 2.0, 5.0, "the last 7 days averaged 10.0 km a day, 2.00 times your average over the 21 days before "
                      "them (5.0 km a day; uncoupled rolling averages, distance)"),
])
def test_rolling_ratios_say_what_they_divide(method, value, chronic, words) -> None:
    fs = [f for f in findings("acute-chronic-ratio", STEP, method=method) if f.date == date(2026, 7, 5)]
    [f] = fs
    assert f.value == pytest.approx(value) and words in f.message
    assert "28-day average" not in f.message


def test_ewma_ratio_quotes_its_own_averages() -> None:
    # EWMA seeded with the first day's 5 km; after k days at 10 km the 7-day EWMA is
    # 10 - 5 x 0.75^k and the 28-day one 10 - 5 x (27/29)^k. On 07-05 (k = 7): 9.333 / 6.968 =
    # 1.34, under 1.5: silent, where the rolling 7-day mean (10.0) would have been quoted before.
    assert findings("acute-chronic-ratio", STEP, method="ewma") == []
    # at 20 km a day the week's highest is on day 4: 15.254 / 8.729 = 1.75
    steep = STEP[:28] + [run(date(2026, 6, 29) + timedelta(days=i), 20.0) for i in range(7)]
    [f] = findings("acute-chronic-ratio", steep, method="ewma")
    acute, chronic = 20 - 15 * 0.75 ** 4, 20 - 15 * (27 / 29) ** 4
    assert f.date == date(2026, 7, 2) and f.value == pytest.approx(round(acute / chronic, 2))
    assert (f"your 7-day exponentially weighted average was {acute:.1f} km a day, {acute / chronic:.2f} times your "
            f"28-day exponentially weighted average ({chronic:.1f} km a day; exponentially weighted averages") in f.message
    assert "7-day exponentially weighted average was 15.3 km a day, 1.75 times" in f.message
    assert "(8.7 km a day;" in f.message and "28-day average" not in f.message


# ---------------------------------------------------------------- CTL/ATL: seed, form, settling
def test_fitness_fatigue_seed_and_form_by_hand() -> None:
    # 28 days at 4 km then one day of 46 km; seeded with the first 28 days' mean (4):
    # CTL = 4 + (46 - 4) / 42 = 5.0, ATL = 4 + (46 - 4) / 7 = 10.0, TSB (same day) = -5.0
    load = pd.Series([4.0] * 28 + [46.0], index=pd.date_range("2026-06-01", periods=29, name="date"))
    ff = fitness_fatigue(load, seed=4.0)
    last = ff.iloc[-1]
    assert (last["ctl"], last["atl"], last["tsb"]) == (pytest.approx(5.0), pytest.approx(10.0), pytest.approx(-5.0))
    assert not ff["settled"].any()  # 29 days: all still settling
    long = fitness_fatigue(pd.Series(4.0, index=pd.date_range("2026-06-01", periods=50)), seed=4.0)
    assert list(long["settled"]).index(True) == 42  # the 43rd day (2026-07-13) is the first settled one


def test_the_first_42_days_are_marked_as_settling() -> None:
    acts = [run(date(2026, 6, 1) + timedelta(days=i), 5.0) for i in range(0, 35, 2)]  # 06-01 .. 07-05
    a = assess(AthleteData(ATHLETE, tuple(acts), (), ()), BOOK, date(2026, 7, 5))
    ff = a.fitness_fatigue()
    assert not ff["settled"].any()  # 35 days of data
    note = next(n for n in build_report(a).method_notes if n.startswith("Fitness (CTL"))
    assert "start from the mean of your first 28 days" in note and "TrainingPeaks and GoldenCheetah start them at 0" in note
    assert "yesterday's" in note
    # 06-01 + 42 days = 07-13 is the first settled day
    assert "With 35 days of data they are still settling until 2026-07-12: provisional" in note
    more = acts + [run(date(2026, 7, 6) + timedelta(days=i), 5.0) for i in range(0, 14, 2)]
    b = assess(AthleteData(ATHLETE, tuple(more), (), ()), BOOK, date(2026, 7, 18))
    assert b.fitness_fatigue().loc["2026-07-13":, "settled"].all()
    assert "settling" not in next(n for n in build_report(b).method_notes if n.startswith("Fitness (CTL"))
    # the fitness-ramp rule, like the chart, waits for 42 days
    assert not any(f.rule_id == "fitness-ramp" and f.day < date(2026, 7, 12) for f in b.findings)


def test_the_fitness_chart_draws_the_settling_days_dashed() -> None:
    from runload.report import charts
    from runload.report.plot import Line, Poly, layout

    acts = [run(date(2026, 6, 1) + timedelta(days=i), 5.0) for i in range(0, 60, 2)]
    a = assess(AthleteData(ATHLETE, tuple(acts), (), ()), BOOK, date(2026, 7, 30))
    fig = charts.fitness_fatigue(build_report(a))
    labels = [it.label for p in fig.panels for it in p.items if it.label]
    assert "settling (first 42 days of data)" in labels
    dashed = [it for it in fig.panels[0].items if isinstance(it, Line) and it.dash and any(y is not None for y in it.ys)]
    assert dashed, "the first 42 days are drawn dashed"
    drawn = layout(fig).shapes  # ...and drawn so: dashed polylines of more than one point
    assert any(isinstance(s, Poly) and s.dash and len(s.points) > 2 for s in drawn)


def test_frames_share_one_fitness_series() -> None:
    frames = Frames(GAP)
    assert frames.fitness_fatigue("distance") is frames.fitness_fatigue("distance")


# ---------------------------------------------------------------- the same through the command line
@pytest.mark.slow  # runs imported through the command line
def test_weeks_json_and_check_around_a_three_week_gap(cli, athlete, tmp_path) -> None:
    import json

    # one run a week on Mondays: 28 km on 06-01, nothing from 06-02 to 06-28, 29 km, 30 km
    for day, km in (("2026-06-01", 28), ("2026-06-29", 29), ("2026-07-06", 30)):
        (tmp_path / f"{day}.gpx").write_text(gpx_track(date.fromisoformat(day), km), encoding="utf-8")
    assert cli("import", "--athlete", athlete, str(tmp_path)).exit_code == 0
    weeks = json.loads(cli("weeks", "--athlete", athlete, "--format", "json").output)
    # 06-02 .. 06-07 are in the gap too: the week of the last run before it is not complete either
    assert [(w["week_start"], w["no_data"], w["complete"]) for w in weeks] == [
        ("2026-06-01", False, False), ("2026-06-08", True, False), ("2026-06-15", True, False),
        ("2026-06-22", True, False), ("2026-06-29", False, True), ("2026-07-06", False, False)]
    # the no-data weeks and the week after them have no change; 30 on 29 km is +3.4%
    assert [w["change_pct"] for w in weeks] == [None, None, None, None, None, pytest.approx(3.4, abs=0.1)]
    found = json.loads(cli("check", "--athlete", athlete, "--all", "--as-of", "2026-07-06", "--format", "json").output)
    rules = {f["rule_id"] for f in (found["findings"] if isinstance(found, dict) else found)}
    assert not rules & {"weekly-progression", "two-week-progression", "rolling-7day-progression"}


def test_the_load_ratio_chart_draws_the_ratio_the_rule_is_configured_for() -> None:
    from dataclasses import replace as _replace

    from runload.assess import assess
    from runload.load.formulas import acwr_series
    from runload.models import AthleteData
    from runload.rules.book import Rulebook

    acts = [a for w in range(8) for a in week_of((date(2026, 6, 1) + timedelta(weeks=w)).isoformat(), 20 + 2 * w)]
    rules = [_replace(r, params={**r.params, "method": "ewma"}) if r.id == "acute-chronic-ratio" else r
             for r in RULES.values()]
    a = assess(AthleteData(ATHLETE, tuple(acts)), Rulebook.of(rules), None)
    assert a.acwr["method"] == "ewma"
    want = acwr_series(a.frames.load("distance"), method="ewma", acute=7, chronic=28)
    got = a.load_ratio()["acwr"]
    assert got.dropna().round(12).equals(want.dropna().round(12))
    default = assess(AthleteData(ATHLETE, tuple(acts)), Rulebook.of(list(RULES.values())), None)
    assert default.acwr["method"] == "rac" and not default.load_ratio()["acwr"].dropna().equals(got.dropna())
