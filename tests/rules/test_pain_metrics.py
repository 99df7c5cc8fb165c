"""Scenario tests over made-up pain logs and runs: every red flag, each pain-monitoring rule, the
two-week persistence rule, episodes, the load before an episode, the return-to-run plan.

Numbers are worked by hand in the comments.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from runload import pain
from runload.rules.context import Context, MetricColumns, get_metric
from runload.models import Activity, Athlete, Clearance, PainEntry
from runload.pain.entries import make_entry
from runload.pain.episodes import find_episodes
from runload.pain.load_before import link_load
from runload.pain.signs import RED_FLAGS
from builders import D, run

ATHLETE = Athlete(id="ana", name="Ana")
def entry(day: str, i: int = 0, **fields: object) -> PainEntry:
    e = make_entry({"date": day, **{k: v for k, v in fields.items()}})
    return PainEntry(**{**e.__dict__, "id": i or None})


def ctx(entries: list[PainEntry], runs: list[Activity] = (), as_of: str | None = None,
        athlete: Athlete = ATHLETE) -> Context:
    return Context(athlete=athlete, activities=list(runs), pain_entries=entries,
                   as_of=D(as_of) if as_of else None)


def values(name: str, c: Context, **params: object) -> list:
    fn = get_metric(name)
    assert fn is not None, name
    got = fn(c, params)
    return got.rows() if isinstance(got, MetricColumns) else got  # a metric may give columns


# ---------------------------------------------------------------- red flags
FIRES = {
    "breathless-leg": dict(pain_after=3, breathless_chest_pain="yes"),
    "breathless-chest-pain": dict(breathless_chest_pain="yes"),  # alone: an emergency too
    "calf": dict(pain_after=2, calf_swelling_redness_warmth="yes"),
    "severe-swelling": dict(swelling="severe", cannot_bend_straighten="yes"),
    "severe-swelling-alone": dict(pain_after=3, swelling="severe"),  # each sign of the pair on its own
    "cannot-bend": dict(pain_after=3, cannot_bend_straighten="yes"),
    "fever": dict(pain_after=3, fever="yes"),
    "cannot-bear-weight": dict(pain_during=7, cannot_bear_weight="yes"),
    "locking": dict(pain_after=4, locking="yes"),
    "deformity": dict(deformity="yes"),
    "fever-swollen-knee": dict(fever="yes", swelling="moderate"),
    "numbness": dict(pain_after=3, numbness_tingling="yes"),
    "popping-instability": dict(popping="yes", giving_way="yes", pain_during=5),
    "giving-way": dict(giving_way="yes", pain_after=3),  # no pop logged: still a red flag
}
# Near misses: each lacks the second half of a compound flag.
SILENT = {
    "breathless-leg": dict(breathless_chest_pain="yes"),  # no painful or swollen leg
    "severe-swelling": dict(swelling="severe"),  # can still bend: the severe-swelling-alone flag
    "severe-swelling-alone": dict(swelling="severe", cannot_bend_straighten="yes"),  # the pair's flag
    "cannot-bend": dict(swelling="severe", cannot_bend_straighten="yes"),  # the pair's flag
    "fever-swollen-knee": dict(fever="yes", pain_after=3),  # no swelling: the fever flag
    "fever": dict(fever="yes", pain_after=0),  # no knee pain
    "popping-instability": dict(popping="yes", pain_during=5),  # no giving way
    "breathless-chest-pain": dict(breathless_chest_pain="yes", pain_after=3),  # the breathless-leg flag
    "giving-way": dict(giving_way="yes", popping="yes", pain_after=3),  # the popping-instability flag
}


def test_every_red_flag_has_a_scenario():
    assert set(FIRES) == set(RED_FLAGS)


@pytest.mark.parametrize("flag", sorted(FIRES))
def test_red_flag_fires(flag):
    # the breathless-chest-pain flag is the one without a painful leg: its episode starts with it
    first = [] if flag == "breathless-chest-pain" else [entry("2026-05-01", 1, pain_after=2)]
    c = ctx([*first, entry("2026-05-03", 2, **FIRES[flag])])
    got = values("pain_red_flag", c, flag=flag)
    assert [(v.value, v.date) for v in got] == [(1.0, D("2026-05-03"))]
    assert got[0].facts["key"] == ("episode-2026-05-03" if flag == "breathless-chest-pain" else "episode-2026-05-01")
    assert got[0].facts["symptoms"] == RED_FLAGS[flag].what
    # no other flag fires on a plain painful entry
    assert values("pain_red_flag", ctx([entry("2026-05-01", 1, pain_after=6, stiffness=4)]), flag=flag) == []


@pytest.mark.parametrize("flag", sorted(SILENT))
def test_red_flag_near_miss_stays_silent(flag):
    assert values("pain_red_flag", ctx([entry("2026-05-03", 1, **SILENT[flag])]), flag=flag) == []


def test_popping_then_giving_way_days_later_in_the_same_episode():
    es = [entry("2026-05-01", 1, pain_during=6, popping="yes"), entry("2026-05-04", 2, pain_after=3, giving_way="yes")]
    assert [v.date for v in values("pain_red_flag", ctx(es), flag="popping-instability")] == [D("2026-05-04")]
    # once the first episode settled, giving way later is not "popping then instability"
    es = [es[0], entry("2026-05-02", 3, pain_after=0), entry("2026-05-04", 2, pain_after=3, giving_way="yes")]
    assert values("pain_red_flag", ctx(es), flag="popping-instability") == []


def test_unknown_red_flag_is_an_error():
    with pytest.raises(ValueError, match="unknown red flag 'nope'"):
        values("pain_red_flag", ctx([]), flag="nope")


def test_red_flags_after_as_of_are_not_seen():
    es = [entry("2026-05-10", 1, locking="yes")]
    assert values("pain_red_flag", ctx(es, as_of="2026-05-09"), flag="locking") == []


# ---------------------------------------------------------------- two weeks unrelieved by rest
def test_pain_unrelieved_by_rest_for_more_than_two_weeks():
    # 05-01 .. 05-16 = 15 days with "rest does not help" (a blank answer in between continues it)
    es = [entry("2026-05-01", 1, pain_after=4, relieved_by_rest="no"),
          entry("2026-05-08", 2, pain_after=4),
          entry("2026-05-16", 3, pain_after=3, relieved_by_rest="no")]
    got = values("pain_unrelieved_days", ctx(es))
    assert [(v.value, v.date, v.facts["start"], v.facts["entries"], v.facts["said_no"]) for v in got] == [
        (15.0, D("2026-05-16"), "2026-05-01", 3, 2)]


def test_blank_answers_go_on_counting_until_rest_helps():
    # "no" on 05-01, then blanks on 05-08 and 05-20: a blank is not a "yes", the count runs to
    # 05-20 = 19 days (it used to stop at 05-01: 0 days, and the flag never came)
    es = [entry("2026-05-01", 1, pain_after=4, relieved_by_rest="no"),
          entry("2026-05-08", 2, pain_after=4),
          entry("2026-05-20", 3, pain_after=3)]
    got = values("pain_unrelieved_days", ctx(es))
    assert [(v.value, v.date, v.facts["entries"], v.facts["said_no"]) for v in got] == [(19.0, D("2026-05-20"), 3, 1)]
    # a "yes" on 05-12 ends it there: 05-01 .. 05-08 = 7 days, and the blank on 05-20 starts nothing
    es.insert(2, entry("2026-05-12", 4, pain_after=3, relieved_by_rest="yes"))
    assert [(v.value, v.date) for v in values("pain_unrelieved_days", ctx(es))] == [(7.0, D("2026-05-08"))]
    # blanks alone never start a count
    assert values("pain_unrelieved_days", ctx([entry("2026-05-01", 1, pain_after=4),
                                               entry("2026-05-20", 2, pain_after=4)])) == []


def test_rest_helping_in_between_restarts_the_count():
    es = [entry("2026-05-01", 1, pain_after=4, relieved_by_rest="no"),
          entry("2026-05-08", 2, pain_after=4, relieved_by_rest="yes"),
          entry("2026-05-16", 3, pain_after=3, relieved_by_rest="no")]
    assert [v.value for v in values("pain_unrelieved_days", ctx(es))] == [0.0, 0.0]


def test_exactly_two_weeks_is_not_more_than_two_weeks():
    es = [entry("2026-05-01", 1, pain_after=4, relieved_by_rest="no"),
          entry("2026-05-15", 2, pain_after=4, relieved_by_rest="no")]
    assert [v.value for v in values("pain_unrelieved_days", ctx(es))] == [14.0]


# ---------------------------------------------------------------- the pain-monitoring model
def test_run_score_takes_the_higher_of_during_and_after_and_cuts_the_next_runs():
    es = [entry("2026-05-10", 1, pain_during=4, pain_after=7)]
    got = values("pain_run_score", ctx(es, [run("2026-05-09", 8.0), run("2026-05-10", 12.0)]))
    assert [(v.value, v.facts["when"]) for v in got] == [(7.0, "after")]
    # 12.0 km x 0.67 = 8.04 km
    assert str(got[0].facts["next_runs"]).startswith("keep each of the next two runs under 8.0 km (67% of the 12.0 km run "
                                                "on 2026-05-10)")
    assert got[0].facts["model_caveat"] == ""


def test_run_score_without_runs_still_gives_a_concrete_cut():
    got = values("pain_run_score", ctx([entry("2026-05-10", 1, pain_during=6)]), reduce_factor=0.5)
    assert str(got[0].facts["next_runs"]).startswith("make each of the next two runs no more than 50% of the distance")


def test_run_score_says_where_the_model_does_not_apply():
    got = values("pain_run_score", ctx([entry("2026-05-10", 1, pain_after=6, swelling="mild", locking="yes")]))
    caveat = got[0].facts["model_caveat"]
    assert "mild swelling and the knee locking" in caveat and "tendon" in caveat


def test_morning_pain_against_the_usual_level():
    # usual = median of earlier morning scores in 28 days: [1, 1, 2] -> 1; 4 - 1 = 3.
    # Scores of 0-1 count as settled (None: never fires).
    es = [entry("2026-05-01", 1, pain_next_morning=1), entry("2026-05-03", 2, pain_next_morning=1),
          entry("2026-05-05", 3, pain_next_morning=2), entry("2026-05-07", 4, pain_next_morning=4)]
    got = values("pain_morning_rise", ctx(es, [run("2026-05-06", 10.0)]))
    assert [v.value for v in got] == [None, None, 1.0, 3.0]
    assert got[-1].facts["usual"] == 1.0 and got[-1].facts["score"] == 4
    assert "under 6.7 km" in str(got[-1].facts["next_runs"])  # the run the day before: 10 km x 0.67


def test_morning_pain_baseline_forgets_old_entries():
    es = [entry("2026-03-01", 1, pain_next_morning=5), entry("2026-05-07", 2, pain_next_morning=2)]
    assert [v.value for v in values("pain_morning_rise", ctx(es))] == [5.0, 2.0]


def test_weekly_pain_or_stiffness_rising():
    # week of 04-27: peaks 3, 3 -> 3.0; stiffness 2. week of 05-04: peaks 5, 4 -> 4.5; stiffness 2, 4 -> 3.0
    es = [entry("2026-04-28", 1, pain_after=3, stiffness=2), entry("2026-04-30", 2, pain_during=3, stiffness=2),
          entry("2026-05-05", 3, pain_after=5, stiffness=2), entry("2026-05-07", 4, pain_after=4, stiffness=4)]
    got = values("pain_weekly_rise", ctx(es, [run("2026-05-05", 8.0), run("2026-05-07", 6.0)]))
    assert [(v.value, v.week_start) for v in got] == [(1.5, D("2026-05-04"))]
    assert got[0].facts["rising"] == "average pain 3.0 to 4.5 and stiffness 2.0 to 3.0 out of 10 on the week before"
    assert got[0].facts["week_km"] == 14.0
    assert got[0].facts["hold_load"] == "keep next week at or below this week's 14.0 km"
    idle = values("pain_weekly_rise", ctx(es))
    assert idle[0].facts["hold_load"] == "add no running next week (none was logged this week)"


def test_weekly_trend_needs_the_week_before():
    es = [entry("2026-04-20", 1, pain_after=3), entry("2026-05-05", 2, pain_after=6)]
    assert values("pain_weekly_rise", ctx(es)) == []


def test_model_limits_names_the_signs_once_per_episode():
    es = [entry("2026-05-01", 1, pain_after=3, swelling="mild"), entry("2026-05-02", 2, pain_after=3, swelling="moderate",
                                                                       numbness_tingling="yes")]
    got = values("pain_model_limits", ctx(es))
    assert [(v.value, v.date, v.facts["symptoms"]) for v in got] == [
        (2.0, D("2026-05-01"), "swelling and numbness or tingling down the calf")]
    assert values("pain_model_limits", ctx([entry("2026-05-01", 1, pain_after=7)])) == []


# ---------------------------------------------------------------- episodes
def test_episodes_settle_stay_open_or_stop_being_logged():
    es = [entry("2026-03-01", 1, pain_after=4), entry("2026-03-03", 2, pain_after=1),  # settled (1/10)
          entry("2026-04-01", 3, pain_after=5), entry("2026-04-04", 4, pain_after=3),  # then nothing for 28+ days
          entry("2026-05-10", 5, stiffness=3)]  # ongoing
    eps = find_episodes(es)
    assert [(e.onset, e.end, e.status, len(e.entries)) for e in eps] == [
        (D("2026-03-01"), D("2026-03-03"), "settled", 1),
        (D("2026-04-01"), None, "not logged", 2),
        (D("2026-05-10"), None, "ongoing", 1),
    ]
    assert [e.days for e in eps] == [2, 3, 0]


def _spike_history() -> list[Activity]:
    # Five weeks of 22 km (Mon 5, Wed 5, Fri 5, Sun 7), then the week of 05-04 at 31.9 km
    # (+45.0%) with an 11.2 km Sunday run (60% longer than the 7 km longest of the 30 days before).
    runs = []
    monday = D("2026-03-30")
    for w in range(5):
        m = monday + timedelta(days=7 * w)
        for offset, km in ((0, 5.0), (2, 5.0), (4, 5.0), (6, 7.0)):
            runs.append(run((m + timedelta(days=offset)).isoformat(), km))
    for day, km in (("2026-05-04", 6.7), ("2026-05-06", 7.0), ("2026-05-08", 7.0), ("2026-05-10", 11.2),
                    ("2026-05-11", 5.0)):
        runs.append(run(day, km))
    return runs


def test_episode_linked_to_a_big_week_and_a_spike():
    lb = link_load(D("2026-05-14"), _spike_history())
    assert (lb.week_change_pct, lb.week_km, lb.week_prev_km) == (45.0, 31.9, 22.0)
    assert (lb.spike_pct, lb.spike_km, lb.spike_ref_km, lb.spike_date) == (60.0, 11.2, 7.0, D("2026-05-10"))
    assert lb.streak_days == 2 and lb.notable == ("week_change", "spike")
    assert lb.sentence == (
        "Pain began on 2026-05-14 4 days after a +45% week (week of 2026-05-04: 31.9 km after 22.0 km) and "
        "4 days after a run 60% longer than any in the 30 days before it (11.2 km against 7.0 km).")
    es = [entry("2026-05-14", 1, pain_after=5)]
    got = values("pain_episode_load", ctx(es, _spike_history()))
    assert [(v.value, v.date, v.facts["signals"]) for v in got] == [
        (2.0, D("2026-05-14"), "weekly change, single-run spike")]
    assert got[0].facts["sentence"] == lb.sentence


def test_steady_load_before_an_episode_says_so_with_numbers():
    runs = [r for r in _spike_history() if r.start_utc.date() < D("2026-05-04")]
    lb = link_load(D("2026-05-02"), runs)
    # window 04-19..05-02: 04-19 7, 04-20 5, 04-22 5, 04-24 5, 04-26 7, 04-27 5, 04-29 5, 05-01 5 = 44 km, 8 runs
    assert lb.notable == ()
    assert lb.sentence == ("In the 14 days before pain began on 2026-05-02 the load was steady: 44.0 km in 8 runs, "
                           "weekly change at most +0%, no run more than 0% longer than the 30 days before it "
                           "and at most 2 days in a row.")


def test_intensity_rest_days_and_breaks_before_an_episode():
    hard = {140: 1800.0, 170: 1800.0}  # half the time at 170-175 bpm: hard for a 190 max (>= 152 bpm)
    easy = {140: 3600.0}
    runs = [run(f"2026-04-{d:02d}", 8.0, zones=easy, max_hr=190) for d in (1, 3, 5, 7, 9, 11)]
    runs += [run(f"2026-04-{d:02d}", 8.0, zones=hard, max_hr=190) for d in range(13, 21)]  # 8 days in a row
    lb = link_load(D("2026-04-20"), runs, athlete=Athlete(id="x", name="X", hr_max_bpm=190))
    # window 04-07..04-20: 3 easy runs (04-07, 09, 11: 3600 s each, none hard) + 8 runs with 1800 s hard
    # of 3600 = 14400 / 39600 = 36.4%; the 28 days before (03-10..04-06): 3 easy runs -> 0%
    assert (lb.hard_share_pct, lb.hard_share_usual_pct, lb.streak_days) == (36.4, 0.0, 8)
    assert "intensity" in lb.notable and "no_rest" in lb.notable
    assert "with hard running at 36% of running time against a usual 0%" in lb.sentence
    assert "after 8 days in a row without a rest day" in lb.sentence
    back = link_load(D("2026-06-10"), [run("2026-04-01", 8.0), run("2026-06-08", 5.0)])
    # 04-02..06-07 without a run: 29 + 31 + 7 = 67 days, counted as the return-to-run rule counts them
    assert back.break_days == 67 and "on returning from 67 days without running" in back.sentence


# ---------------------------------------------------------------- assess and the return plan
def test_assess_puts_emergency_first_and_plans_a_return_after_a_red_flag():
    es = [entry("2026-05-01", 1, pain_after=3, numbness_tingling="yes"),
          entry("2026-05-03", 2, pain_after=4, breathless_chest_pain="yes", calf_swelling_redness_warmth="yes")]
    a = pain.assess(ctx(es, _spike_history(), as_of="2026-05-05"))
    # numbness logged on 05-01 and not on 05-03: the later entry records it gone
    assert [f.flag for f in a.red_flags] == ["breathless-leg", "calf"]
    assert [(f.flag, how) for f, how in a.resolved] == [("numbness", "the entry of 2026-05-03 records the sign gone")]
    assert a.overrides_load and a.current_episode is not None
    # no running advice while the flags stand: the return plan waits for them to be resolved
    assert a.return_plan is None
    cleared = pain.assess(Context(athlete=ATHLETE, activities=_spike_history(), pain_entries=es, as_of=D("2026-05-05"),
                                  clearances=[Clearance(D("2026-05-04"), "clinician")]))
    assert cleared.red_flags == () and not cleared.overrides_load
    plan = cleared.return_plan
    assert plan is not None and plan.reason == "red flag" and plan.since == D("2026-05-03")
    # one run (05-04) since the red flag: stage 1 is done twice before moving on
    # chest pain with a painful leg: the check before running is of the heart, lungs and leg
    assert plan.start_condition == "Start only once a doctor has checked your heart, lungs and leg and cleared you to run."
    assert plan.next_stage == 1 and plan.runs_since == 1
    assert plan.stages[0].describe() == "run 1 min, walk 2 min, 8 times (24 min)"


def test_red_flags_stop_overriding_once_old_and_settled():
    es = [entry("2026-03-01", 1, locking="yes"), entry("2026-03-05", 2, pain_after=0)]
    a = pain.assess(ctx(es, [run("2026-05-01", 5.0)], as_of="2026-05-01"))
    assert a.red_flags == () and not a.overrides_load
    assert [f.flag for f in a.episodes[0].red_flags] == ["locking"]


def test_return_plan_after_a_break_counts_sessions_and_holds_while_swollen():
    # walk-run sessions: 3 km in 24 minutes (8 min/km against a usual 5.5) is about 7 minutes of
    # running, the rest walked: each counts as one session of the stage the runner is at
    runs = [run("2026-03-01", 10.0), *(run(f"2026-04-{d}", 3.0, minutes=24) for d in (10, 12, 14))]
    a = pain.assess(ctx([entry("2026-04-14", 1, pain_after=2, swelling="mild")], runs, as_of="2026-04-15"))
    plan = a.return_plan
    # 40 days without running, then 3 sessions: stages 1 (x2) done, stage 2 next
    assert plan is not None and plan.reason == "break" and plan.since == D("2026-04-10")
    assert (plan.runs_since, plan.next_stage) == (3, 2)
    assert plan.hold == "Hold at stage 2 for now: the knee is still swollen."
    still_off = pain.assess(ctx([], [run("2026-03-01", 10.0)], as_of="2026-04-05")).return_plan
    assert still_off is not None and still_off.summary.startswith("No run since 2026-03-01 (35 days)")


@pytest.mark.parametrize(("sessions", "expect"), [
    # (km, minutes) of each run after 40 days off, usual pace 5.5 min/km: (next stage, done at it)
    ([(3.0, 24)] * 2, (2, 0)),  # two stage-1 walk-runs
    ([(3.0, 16.5)] * 2, (3, 0)),  # 16.5 minutes run without walking, twice: stages 1 and 2 covered
    ([(3.0, 16.5)], (1, 1)),  # once: stages 1 and 2 once each, so stage 1 again
    ([(3.9, 24)] * 2, (4, 0)),  # 3.9 km in 24 minutes: about 18 running, 6 walked (stage 3's 6 x 3 + 1)
    ([(4.0, 30)] * 2, (3, 0)),  # 4 km in 30 minutes: about 12 running (stage 2's), the rest walked
    ([(6.0, 33)], (1, 1)),  # 33 minutes running once: every stage once, none twice yet
    ([(8.0, 44)] * 2, None),  # 44 minutes running, twice: every stage done, the return is over
])
def test_return_plan_after_a_break_counts_what_each_run_covered(sessions, expect):
    runs = [run("2026-03-01", 10.0)] + [run(D("2026-04-10") + timedelta(days=2 * i), km, minutes=m)
                                        for i, (km, m) in enumerate(sessions)]
    plan = pain.assess(ctx([], runs, as_of=(D("2026-04-10") + timedelta(days=2 * len(sessions))).isoformat())).return_plan
    if expect is None:
        assert plan is None
    else:
        assert plan is not None and (plan.next_stage, plan.at_stage) == expect
        assert plan.runs_since == len(sessions)


def test_after_a_red_flag_each_run_is_one_session_whatever_its_length():
    es = [entry("2026-03-01", 1, locking="yes")]
    runs = [run("2026-02-20", 10.0)] + [run(D("2026-03-03") + timedelta(days=2 * i), 8.0) for i in range(3)]
    plan = pain.assess(Context(athlete=ATHLETE, activities=runs, pain_entries=es, as_of=D("2026-03-08"),
                               clearances=[Clearance(D("2026-03-02"), "clinician")])).return_plan
    assert plan is not None and plan.reason == "red flag"
    assert (plan.runs_since, plan.next_stage, plan.at_stage) == (3, 2, 1)


def test_no_plan_for_steady_running():
    assert pain.assess(ctx([], _spike_history(), as_of="2026-05-11")).return_plan is None


def test_finding_order_puts_red_flags_first():
    from runload.models import Finding, Severity

    fs = [Finding("weekly-progression", Severity.WARNING, "t", "m"), Finding("pain-red-flag-numbness", Severity.WARNING,
                                                                            "t", "m"),
          Finding("pain-red-flag-calf", Severity.URGENT, "t", "m"), Finding("monotony", Severity.INFO, "t", "m")]
    assert [f.rule_id for f in sorted(fs, key=pain.finding_order)] == [
        "pain-red-flag-calf", "pain-red-flag-numbness", "weekly-progression", "monotony"]


def test_the_load_before_an_episode_takes_no_partial_first_week_as_reference():
    # the history starts on Saturday 06-06 (10 km): that week is no reference for 32 km after it
    runs = [run("2026-06-06", 10.0)] + [run(f"2026-06-{d:02d}", 8.0) for d in (8, 10, 12, 14)]
    lb = link_load(D("2026-06-16"), runs)
    assert lb.week_change_pct is None
    # with the week before complete (a run on its Monday), the same jump counts: 32 km on 10 km
    full = link_load(D("2026-06-16"), [run("2026-06-01", 5.0), run("2026-06-06", 5.0)] + runs[1:])
    assert full.week_change_pct == 220.0
