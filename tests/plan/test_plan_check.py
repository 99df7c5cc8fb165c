"""runload.plan.check on its own: a plan judged against the assessment of the day it is made (the
same limits, the same rules), what it may hold, and a proposal that keeps every limit."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta, timezone

import pytest

from runload.assess import assess
from runload.errors import InputError
from runload.models import Activity, Athlete, AthleteData, Clearance, PainEntry, PlannedRun, Sport
from runload.plan.check import MAX_AHEAD_DAYS, check_plan, history_upto, level_to
from runload.rules.book import Rulebook
from runload.rules.schema import load_rules

BOOK = Rulebook.of(load_rules())
MONDAY = date(2026, 6, 1)
ATHLETE = Athlete("ana", "Ana Test", timezone="UTC")
AS_OF = MONDAY + timedelta(days=6 * 7 - 1)  # a Sunday: the history's last day
NEXT = AS_OF + timedelta(days=1)


def run(day: date, km: float) -> Activity:
    return Activity(datetime(day.year, day.month, day.day, 7, tzinfo=timezone.utc), Sport.RUNNING, km * 1000,
                    timer_s=km * 330, utc_offset_s=0, source_hash=f"{day}-{km}")


def history(weeks: int = 6) -> tuple[Activity, ...]:
    """Four runs a week (8, 8, 8 km and a 16 km long run): a steady 40 km."""
    out: list[Activity] = []
    for w in range(weeks):
        start = MONDAY + timedelta(days=7 * w)
        out += [run(start, 8), run(start + timedelta(days=2), 8), run(start + timedelta(days=4), 8),
                run(start + timedelta(days=6), 16)]
    return tuple(out)


def data(pain: tuple[PainEntry, ...] = (), clearances: tuple[Clearance, ...] = ()) -> AthleteData:
    return AthleteData(ATHLETE, history(), pain, clearances)


def days(*kms: float, start: date = NEXT) -> list[PlannedRun]:
    """Planned runs of ``kms`` on consecutive other days from ``start`` (0 is a rest day)."""
    return [PlannedRun(start + timedelta(days=2 * i), km, kind="rest" if km == 0 else "easy")
            for i, km in enumerate(kms)]


def test_the_plan_is_held_to_the_limits_the_assessment_gives_that_day() -> None:
    base = assess(history_upto(data(), AS_OF), BOOK, AS_OF)
    c = check_plan(data(), BOOK, days(8, 8, 8, 16), AS_OF, baseline=base)
    assert c.baseline is base and c.mode == base.limits.mode == "normal"
    [week] = c.weeks
    assert week.limits == base.limits and week.week_start == NEXT and week.recorded_km == 0.0
    assert c.keeps_limits and not c.changed and c.proposed == c.planned


def test_a_week_over_its_limit_is_named_with_the_limit_and_levelled_to_it() -> None:
    plan = days(12, 12, 12, 12)  # 48 km, no run over the longest-run limit of 17.6 km
    c = check_plan(data(), BOOK, plan, AS_OF)
    limit = c.weeks[0].limits.week_km
    assert limit == 44.0
    week = [f for f in c.findings if f.limit == "week"]
    assert week and all(f.limit_km == limit for f in week)
    assert "over the week's limit of 44.0 km" in " ".join(f.message for f in week)
    assert sum(p.distance_km for p in c.proposed) <= limit
    assert [p.date for p in c.proposed] == [p.date for p in plan] and c.changed
    assert check_plan(data(), BOOK, c.proposed, AS_OF).keeps_limits


def test_only_what_was_known_on_the_day_the_plan_is_made_counts() -> None:
    later = (run(NEXT, 40.0),)
    pain = (PainEntry(NEXT, side="left", pain_after=8, calf_swelling_redness_warmth=True),)
    whole = AthleteData(ATHLETE, history() + later, pain, (Clearance(NEXT + timedelta(days=1)),))
    cut = history_upto(whole, AS_OF)
    assert cut.activities == history() and cut.pain_entries == () and cut.clearances == ()
    assert check_plan(whole, BOOK, days(8, 8, 8, 16), AS_OF).keeps_limits


def test_a_run_already_made_in_the_week_counts_against_its_limit() -> None:
    wednesday = NEXT + timedelta(days=2)
    whole = AthleteData(ATHLETE, history() + (run(NEXT, 20.0),))
    c = check_plan(whole, BOOK, days(10, 10, start=wednesday + timedelta(days=1)), wednesday)
    [week] = c.weeks
    assert week.week_start == NEXT and week.recorded_km == 20.0
    assert sum(p.distance_km for p in c.proposed) + week.recorded_km <= (week.limits.week_km or 0) + 1e-9


def test_a_plan_during_a_pain_episode_is_held_to_one_limit_per_run() -> None:
    # pain after the Sunday long run above the model's 5/10: the next week is held, each run cut
    pain = (PainEntry(AS_OF, side="right", pain_after=6, pain_next_morning=3),)
    base = assess(history_upto(data(pain), AS_OF), BOOK, AS_OF)
    assert base.limits.mode == "held-for-pain" and base.limits.per_run_km is not None
    cap = base.limits.per_run_km
    c = check_plan(data(pain), BOOK, days(8, 8, cap + 4), AS_OF)
    assert c.mode == "held-for-pain"
    over = [f for f in c.findings if f.limit == "run"]
    assert over and all(f.limit_km == cap for f in over)
    assert all(p.distance_km <= cap + 1e-9 for p in c.proposed)


@pytest.mark.parametrize("sign, level", [("calf_swelling_redness_warmth", "urgent"),
                                         ("breathless_chest_pain", "emergency")])
def test_under_a_red_flag_nothing_is_judged_and_every_run_becomes_rest(sign: str, level: str) -> None:
    pain = (PainEntry(AS_OF - timedelta(days=1), side="left", pain_after=3, **{sign: True}),)
    plan = days(5, 0, 5)
    c = check_plan(data(pain), BOOK, plan, AS_OF)
    assert c.mode == "red-flag" and c.refused is not None and not c.keeps_limits
    assert [f.severity.value for f in c.findings] == [level, level]  # the flag's own level, per planned run
    assert [p.kind for p in c.proposed] == ["rest"] * 3 and all(p.distance_km == 0 for p in c.proposed)
    assert c.weeks == () and c.unresolved == ()
    # cleared: the plan is judged again (a walk-run return, as after any red flag)
    cleared = check_plan(data(pain, (Clearance(AS_OF),)), BOOK, plan, AS_OF)
    assert cleared.mode != "red-flag" and cleared.refused is None


def test_rest_days_alone_keep_every_limit() -> None:
    c = check_plan(data(), BOOK, days(0, 0, 0), AS_OF)
    assert c.keeps_limits and c.findings == () and c.proposed == c.planned


@pytest.mark.parametrize("plan, words", [
    ([PlannedRun(AS_OF, 5.0)], "not after the day it is made"),
    ([PlannedRun(NEXT, 5.0), PlannedRun(AS_OF + timedelta(days=MAX_AHEAD_DAYS + 1), 5.0)], "more than 12 weeks"),
])
def test_a_plan_holds_days_still_to_come_and_at_most_twelve_weeks(plan: list[PlannedRun], words: str) -> None:
    with pytest.raises(InputError, match=words):
        check_plan(data(), BOOK, plan, AS_OF)


def test_level_to_keeps_the_budget_lowering_the_longest_first() -> None:
    rng = random.Random(7)
    for _ in range(300):
        values = [round(rng.uniform(0, 30), 1) for _ in range(rng.randint(1, 6))]
        budget = rng.uniform(-5, 120)
        out = level_to(values, budget)
        assert len(out) == len(values) and all(0 <= o <= v + 1e-9 for o, v in zip(out, values))
        assert sum(out) <= max(budget, 0.0) + 1e-6 or out == values
        if sum(values) <= budget:
            assert out == values
        else:  # one common level: whatever was cut is at it, whatever is under it is kept
            cut = [o for o, v in zip(out, values) if o < v - 1e-9]
            assert max(cut) - min(cut) < 1e-9
            assert all(o == v for o, v in zip(out, values) if v <= min(cut))
