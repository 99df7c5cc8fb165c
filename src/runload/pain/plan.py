"""Return to running after a red flag or a break (evidence.md section 8).

A walk-run progression: at least one rest day between runs, each stage done at least twice, no
progression while swelling, stiffness or pain rises. Stages and rules are a common clinical and
coaching convention (rules/return-to-run.toml), not a tested prescription: no trial of these
steps is cited.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from operator import itemgetter

from runload.models import Activity, PainEntry
from runload.pain.entries import peak_score
from runload.calendar import local_date
from runload.load.formulas import days_without_run, running_pace
from runload.pain.episodes import Episode

PLAN_CITATION = "Walk-run return-to-running programmes (a clinical and coaching convention; no trial of these steps)"
BREAK_DAYS = 30  # no run in 30 days: no reference for spikes (evidence.md section 2)
RED_FLAG_DAYS = 42  # a red flag in the last six weeks still calls for a graded return
SESSIONS_PER_STAGE = 2
WALK_PACE_MIN_PER_KM = 10.0  # a brisk walk: the walking of a walk-run session
# A session at most this much slower than the runner's usual pace was run without walking breaks
# worth counting: its whole time is running.
CONTINUOUS_PACE = 1.10


@dataclass(frozen=True)
class Stage:
    """One walk-run stage: ``repeats`` x (run ``run_min`` minutes, walk ``walk_min`` minutes)."""

    number: int
    run_min: int
    walk_min: int
    repeats: int

    @property
    def total_min(self) -> int:
        return (self.run_min + self.walk_min) * self.repeats

    def describe(self) -> str:
        """"run 1 min, walk 2 min, 8 times (24 min)" or "run 20 min without walking"."""
        if self.walk_min == 0:
            return f"run {self.run_min * self.repeats} min without walking"
        return f"run {self.run_min} min, walk {self.walk_min} min, {self.repeats} times ({self.total_min} min)"


STAGES: tuple[Stage, ...] = (
    Stage(1, 1, 2, 8),
    Stage(2, 2, 2, 6),
    Stage(3, 3, 1, 6),
    Stage(4, 5, 1, 5),
    Stage(5, 10, 1, 3),
    Stage(6, 20, 0, 1),
    Stage(7, 30, 0, 1),
)

PLAN_RULES: tuple[str, ...] = (
    "Leave at least one rest day between runs.",
    f"Do each stage at least {SESSIONS_PER_STAGE} times before moving on.",
    "Do not move on while swelling, stiffness or pain is rising; go back a stage if pain goes above "
    "5/10 or has not settled by the next morning.",
)


@dataclass(frozen=True)
class ReturnPlan:
    """A walk-run return: why, since when, where the runner is in it, and what holds it back."""

    reason: str  # "red flag" or "break"
    since: date
    summary: str
    start_condition: str
    stages: tuple[Stage, ...]
    rules: tuple[str, ...]
    runs_since: int
    next_stage: int  # 1-based
    hold: str  # "" or why not to move on now
    after: str
    at_stage: int = 0  # sessions already done at the next stage (fewer than SESSIONS_PER_STAGE)
    citations: tuple[str, ...] = (PLAN_CITATION,)

    def lines(self) -> list[str]:
        """The plan as plain-text lines for reports and the terminal."""
        out = [self.summary]
        if self.start_condition:
            out.append(self.start_condition)
        for s in self.stages:
            mark = " <- next" if s.number == self.next_stage else ""
            out.append(f"  Stage {s.number}: {s.describe()}{mark}")
        out.extend(self.rules)
        if self.hold:
            out.append(self.hold)
        out.append(self.after)
        return out


def return_plan(
    entries: Sequence[PainEntry],
    activities: Sequence[Activity],
    as_of: date,
    episodes: Sequence[Episode],
    *,
    break_days: int = BREAK_DAYS,
    red_flag_days: int = RED_FLAG_DAYS,
    days: Sequence[date] | None = None,
    runs: Sequence[tuple[date, Activity]] | None = None,
) -> ReturnPlan | None:
    """The return-to-run plan that applies on ``as_of``, or None.

    It applies after a red flag (urgent or emergency, or see-a-clinician) in the last
    ``red_flag_days`` or in an episode still going on, and after a break of ``break_days`` without
    running (either the break is going on, or running restarted after one). It ends once every
    stage has been done twice (:func:`_progress`: after a red flag each run since counts as one
    session of the stage it was at; after a break a run counts for every stage it covered). ``days``
    are the local days of ``activities`` when the caller has them; ``runs`` the (local day, run)
    pairs of the runs among them, in start order, when the caller has those (``activities`` are
    then not read).
    """
    if runs is None:
        local = days if days is not None else [local_date(a) for a in activities]
        runs = [(d, a) for d, a in zip(local, activities) if a.is_run]
    ordered = sorted(runs, key=itemgetter(0))  # (stable: runs of one day stay in start order)
    run_days = [d for d, _ in ordered]
    del ordered[bisect_right(run_days, as_of):], run_days[len(ordered):]  # the runs up to as_of
    plan: tuple[str, date, str, str] | None = None
    flagged = [(f, ep) for ep in episodes for f in ep.red_flags
               if f.date <= as_of and ((as_of - f.date).days <= red_flag_days or ep.status == "ongoing")]
    if flagged:
        flag, _ep = max(flagged, key=lambda p: p[0].date)
        plan = ("red flag", flag.date,
                f"After the red flag on {flag.date.isoformat()} ({flag.what}), return to running step by step.",
                _cleared_by(flag.flag))
    elif run_days:
        last = run_days[-1]
        if (as_of - last).days >= break_days:
            plan = ("break", last, f"No run since {last.isoformat()} ({(as_of - last).days} days): "
                                   "come back with walk-run sessions rather than your old distances.", "")
        else:
            restart = None
            # the last restart after a break, counted as the return-to-run rule counts it
            for k in range(len(run_days) - 1, 0, -1):
                if days_without_run(run_days[k - 1], run_days[k]) >= break_days:
                    restart = (run_days[k - 1], run_days[k])
                    break
            if restart and len(run_days) - bisect_left(run_days, restart[1]) < len(STAGES) * SESSIONS_PER_STAGE:
                gap = days_without_run(*restart)
                plan = ("break", restart[1],
                        f"Running restarted on {restart[1].isoformat()} after {gap} days without running: "
                        "build back with walk-run sessions.", "")
    if plan is None:
        return None
    reason, since, summary, condition = plan
    # runs done in the return: after the red flag, or from the first run back (none while the
    # break goes on: ``since`` is then the last run before it)
    ongoing_break = reason == "break" and bool(run_days) and since == run_days[-1] and (as_of - since).days >= break_days
    first = bisect_right(run_days, since) if reason == "red flag" or ongoing_break else bisect_left(run_days, since)
    # after a break, what a run covered is judged against the runner's pace before it
    usual = running_pace([a for _, a in ordered[:first]]) if reason == "break" else None
    next_stage, at_stage = _progress([a for _, a in ordered[first:]], usual)
    if next_stage > len(STAGES):
        return None
    return ReturnPlan(
        reason=reason, since=since, summary=summary, start_condition=condition, stages=STAGES, rules=PLAN_RULES,
        runs_since=len(ordered) - first, next_stage=next_stage, hold=_hold(entries, as_of, next_stage),
        after=("After the last stage, add no more than 10% a week and keep the longest run within 10% of "
               "the longest of the last 30 days."), at_stage=at_stage,
    )


def _progress(sessions: Sequence[Activity], usual: float | None) -> tuple[int, int]:
    """(the next stage, 1-based, or one past the last when every stage is done; the sessions
    already done at it). Each session counts for the stage the runner was at; with ``usual``, the
    runner's pace before a break, it also counts for every stage it covered (:func:`covered_stage`):
    a runner back to running 40 minutes is not told to run 3 minutes and walk 1."""
    done = [0] * len(STAGES)  # sessions that did (at least) each stage

    def at() -> int:
        return next((i for i, n in enumerate(done) if n < SESSIONS_PER_STAGE), len(STAGES))

    for a in sessions:
        stage = at()
        if stage == len(STAGES):
            break
        for i in range(max(stage, covered_stage(a, usual) - 1) + 1):
            done[i] += 1
    stage = at()
    return stage + 1, done[stage] if stage < len(STAGES) else 0


def covered_stage(a: Activity, usual: float | None) -> int:
    """The highest walk-run stage (1-based; 0 for none) a recorded session covered, from its time
    and distance against ``usual``, the runner's pace in minutes per km: at most
    :data:`CONTINUOUS_PACE` times slower, all its time was running (the stages without walking
    too); slower, its running minutes are what its distance leaves after walking the rest at
    :data:`WALK_PACE_MIN_PER_KM`. A stage is covered by at least its running minutes, and the
    ones before it too."""
    if usual is None or not a.timer_s or a.distance_m < 1000:
        return 0
    minutes, km = a.timer_s / 60.0, a.distance_m / 1000.0
    continuous = minutes / km <= usual * CONTINUOUS_PACE
    if continuous:
        running = minutes
    elif usual < WALK_PACE_MIN_PER_KM:
        running = max(0.0, (km - minutes / WALK_PACE_MIN_PER_KM) / (1 / usual - 1 / WALK_PACE_MIN_PER_KM))
    else:
        return 0
    best = 0
    for s in STAGES:
        if (s.walk_min == 0 and not continuous) or running + 0.5 < s.run_min * s.repeats:
            break
        best = s.number
    return best


# Chest pain or breathlessness is about the heart and lungs (a heart attack, a clot in the lung),
# not the knee: the check before running again is a doctor's of those (evidence.md section 7).
HEART_LUNG_FLAGS = ("breathless-chest-pain", "breathless-leg")


def _cleared_by(flag: str) -> str:
    """Who must have checked what before the walk-run return starts, for red flag ``flag``."""
    if flag == "breathless-leg":  # a clot in the lung that came from the leg
        return "Start only once a doctor has checked your heart, lungs and leg and cleared you to run."
    if flag in HEART_LUNG_FLAGS:
        return "Start only once a doctor has checked your heart and lungs and cleared you to run."
    return "Start only once a clinician has checked the knee and leg and cleared you to run."


def _hold(entries: Sequence[PainEntry], as_of: date, stage: int) -> str:
    # No progression while swelling, stiffness or pain rises (the convention), judged on the last
    # 7 days against the 7 before.
    recent = [e for e in entries if as_of - timedelta(days=6) <= e.date <= as_of]
    before = [e for e in entries if as_of - timedelta(days=13) <= e.date < as_of - timedelta(days=6)]
    why = []
    if any(e.swelling != "none" for e in recent):
        why.append("the knee is still swollen")

    def worst(es: Sequence[PainEntry], f: Callable[[PainEntry], int | None]) -> int | None:
        vals = [v for v in (f(e) for e in es) if v is not None]
        return max(vals) if vals else None

    p_now, p_before = worst(recent, peak_score), worst(before, peak_score)
    if p_now is not None and p_before is not None and p_now > p_before:
        why.append(f"pain is rising ({p_before}/10 to {p_now}/10)")
    s_now, s_before = worst(recent, lambda e: e.stiffness), worst(before, lambda e: e.stiffness)
    if s_now is not None and s_before is not None and s_now > s_before:
        why.append(f"stiffness is rising ({s_before}/10 to {s_now}/10)")
    if not why:
        return ""
    return f"Hold at stage {stage} for now: {' and '.join(why)}."
