"""Pain episodes end, and a settled episode no longer holds the status or the limits.

Runners stop logging when the pain has gone: an episode settles on an entry saying so, on a
clearance, or after 14 days with at least three runs and no entry (evidence.md section 7).
"""

from __future__ import annotations

from datetime import date, timedelta

from runload.assess import assess
from runload.models import AthleteData, Clearance, PainEntry
from runload.pain.episodes import find_episodes
from builders import ATHLETE, BOOK, D, run, steady

# ---------------------------------------------------------------- the fifteen-month episode
SEPTEMBER = D("2025-09-10")  # a Wednesday: one 6/10 entry, never followed up
MARATHON = D("2026-12-06")  # a Sunday, fifteen months later
HISTORY = steady(D("2025-06-02"), 78, long_km=14) + [run(MARATHON, 42.2)]
ONE_ENTRY = (PainEntry(SEPTEMBER, side="right", pain_after=6),)


def test_one_entry_fifteen_months_ago_no_longer_caps_every_run() -> None:
    a = assess(AthleteData(ATHLETE, tuple(HISTORY), ONE_ENTRY), BOOK, MARATHON - timedelta(days=1))
    [ep] = a.pain.episodes
    # three runs after 09-10 (09-12, 09-14, 09-15) and 14 days without an entry: settled on 09-24
    assert (ep.status, ep.settled_by, ep.end) == ("settled", "quiet", D("2025-09-24"))
    assert ep.state == "no pain logged since 2025-09-10: treated as settled; log pain if it is back"
    assert a.pain.current_episode is None
    assert a.limits.mode == "normal" and a.limits.per_run_km is None
    # 38 km weeks: +10% is 41.8 km, the 14 km long run +10% is 15.4 km
    assert (a.limits.week_km, a.limits.longest_run_km) == (41.8, 15.4)
    assert not any(f.rule_id.startswith("pain-") for f in a.current)
    assert a.status.level in ("ok", "info")
    # the day after the marathon: the marathon speaks (a spike), the old pain does not
    after = assess(AthleteData(ATHLETE, tuple(HISTORY), ONE_ENTRY), BOOK, MARATHON + timedelta(days=1))
    assert after.limits.mode == "normal" and after.limits.per_run_km is None
    assert not any(f.rule_id.startswith("pain-") for f in after.current)
    assert after.current[0].rule_id == "single-run-spike"
    # the report says why, in the same words
    from runload.report import build_report, render

    text = " ".join(render(build_report(after), "text").split())
    assert "no pain logged since 2025-09-10: treated as settled; log pain if it is back" in text
    assert "each run under" not in text and "No increase while the pain episode goes on" not in text


def test_pain_logged_again_opens_a_new_episode_linked_to_what_came_before_it() -> None:
    # The model's episodes run from an entry with symptoms until they settle, and an entry after
    # a settled one starts a new episode: its onset is the day pain came back, so the load link
    # shows the marathon, not the training of fifteen months ago.
    back = PainEntry(MARATHON + timedelta(days=2), side="right", pain_after=6)
    a = assess(AthleteData(ATHLETE, tuple(HISTORY), ONE_ENTRY + (back,)), BOOK, back.date)
    first, second = a.pain.episodes
    assert first.settled_by == "quiet" and (second.onset, second.status) == (back.date, "ongoing")
    assert a.pain.current_episode is second
    assert "a run 201% longer than any in the 30 days before it (42.2 km against 14.0 km)" in second.load.sentence
    assert a.limits.mode == "held-for-pain"
    assert a.status.level == "warning"  # 6/10 after running, above the model's 5/10, in the episode going on


def test_quiet_settling_needs_fourteen_days_and_three_runs_without_an_entry() -> None:
    entry = [PainEntry(D("2026-05-01"), pain_after=4)]
    three_runs = [D("2026-05-03"), D("2026-05-05"), D("2026-05-07")]

    def status(run_days: list[date], as_of: str, more: list[PainEntry] = ()) -> tuple[str, date | None]:
        ep = find_episodes(entry + list(more), run_days=run_days, as_of=D(as_of))[0]
        return ep.status, ep.end

    assert status(three_runs, "2026-05-14") == ("ongoing", None)  # 13 days
    assert status(three_runs, "2026-05-15") == ("settled", D("2026-05-15"))
    assert status(three_runs[:2], "2026-06-30") == ("ongoing", None)  # not running on it: not settled
    # the third run on day 20 is the day it settles
    assert status(three_runs[:2] + [D("2026-05-21")], "2026-06-30") == ("settled", D("2026-05-21"))
    # an entry in the two weeks keeps it going
    assert status(three_runs, "2026-05-20", [PainEntry(D("2026-05-12"), pain_after=3)]) == ("ongoing", None)
    # runs on the day of the entry do not count: they came before it was logged
    assert status([D("2026-05-01"), D("2026-05-03"), D("2026-05-05")], "2026-05-20") == ("ongoing", None)


def test_a_red_flag_that_stands_keeps_its_episode_open_however_long_the_runner_runs() -> None:
    locked = (PainEntry(D("2026-06-03"), pain_after=4, locking=True),)
    runs = steady(D("2026-05-04"), 8, long_km=14)
    a = assess(AthleteData(ATHLETE, tuple(runs), locked), BOOK, D("2026-06-28"))
    assert a.pain.episodes[0].status == "ongoing"
    assert a.status.level == "urgent" and a.limits.mode == "red-flag"


def test_a_clearance_settles_the_episode_as_well_as_its_red_flag() -> None:
    entries = (PainEntry(D("2026-06-03"), pain_after=6, calf_swelling_redness_warmth=True),)
    runs = steady(D("2026-05-04"), 6, long_km=14)
    cleared = (Clearance(D("2026-06-05"), "clinician", "no clot"),)
    a = assess(AthleteData(ATHLETE, tuple(runs), entries, cleared), BOOK, D("2026-06-06"))
    [ep] = a.pain.episodes
    assert (ep.status, ep.settled_by, ep.end) == ("settled", "clearance", D("2026-06-05"))
    assert ep.state == "settled on 2026-06-05 (clearance logged)"
    assert a.pain.red_flags == () and a.limits.mode != "held-for-pain"
    assert a.pain.return_plan is not None and a.pain.return_plan.reason == "red flag"
    # before the clearance the flag stood, and there was no return plan
    before = assess(AthleteData(ATHLETE, tuple(runs), entries, cleared), BOOK, D("2026-06-04"))
    assert before.limits.mode == "red-flag" and before.pain.return_plan is None
    assert before.pain.episodes[0].status == "ongoing"


# ---------------------------------------------------------------- status and limits agree
def test_after_pain_has_settled_the_headline_and_the_limits_agree() -> None:
    runs = steady(D("2026-05-04"), 7, long_km=14)  # up to Sunday 06-21
    tuesday, thursday = D("2026-06-16"), D("2026-06-18")
    sore = PainEntry(tuesday, pain_after=6)
    data = AthleteData(ATHLETE, tuple(runs), (sore, PainEntry(thursday, pain_after=0)))
    during = assess(AthleteData(ATHLETE, tuple(runs), (sore,)), BOOK, D("2026-06-17"))
    assert during.status.label == "Ease off" and during.limits.mode == "held-for-pain"
    settled = assess(data, BOOK, D("2026-06-20"))
    assert settled.pain.episodes[0].state == "settled on 2026-06-18"
    assert settled.limits.mode == "normal" and settled.limits.week_km == 41.8
    assert settled.status.label != "Ease off"
    assert not any(f.rule_id.startswith("pain-") for f in settled.current)
    # one voice: the headline eases off exactly when the limits hold for pain
    for day in range(14, 22):
        a = assess(data, BOOK, D(f"2026-06-{day}"))
        pain_leads = any(f.current and f.rule_id.startswith("pain-monitoring") for f in a.findings)
        assert pain_leads == (a.limits.mode == "held-for-pain"), day
