"""Check a planned week before it is run, and propose one that keeps every limit.

A plan is planned runs added to the plain data the assessment reads (never a second copy of the
rules): for each planned day, :func:`runload.assess.assess` judges the history up to the day the
plan is made plus the planned runs up to that day, and what fires on a planned day or week is the
plan's finding. Each planned week is also held to the limits the assessment gives for it (the
weekly-progression and single-run-spike limits, the per-run limit of a pain episode), worked
out on the history plus the plan before that week, so a second planned week builds on the first.

Under a red flag that stands nothing is checked: the plan is refused with the reason. In
return-to-run mode the plan is held to the walk-run stages instead of distances.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from runload.assess import Assessment, assess
from runload.calendar import local_date, week_start_of
from runload.errors import InputError
from runload.limits import NORMAL, HELD, RED_FLAG, RETURN, Limits, basis_words
from runload.models import AthleteData, Severity
from runload.plan.model import PlanFinding, PlannedRun, as_activities, median_pace, with_distance
from runload.plan.walkrun import check_walk_run
from runload.rules.book import Rulebook
from runload.units import fmt

#: A plan breaks a limit when a finding of at least this severity fires on it.
BREAKS_AT = Severity.CAUTION
MAX_ROUNDS = 8  # rounds of trimming before the proposal gives up
MAX_AHEAD_DAYS = 12 * 7  # a plan check covers up to 12 weeks (each planned day is one assessment)


@dataclass(frozen=True)
class WeekLimits:
    """The limits a planned week is held to, worked out on the history plus the plan before it."""

    week_start: date
    limits: Limits
    recorded_km: float  # already run in the week up to the day the plan is made


@dataclass(frozen=True)
class PlanCheck:
    """The verdict on a plan: ``findings`` per planned day, ``proposed`` a plan that keeps every
    limit (the same days, distances trimmed), ``refused`` the reason nothing was checked."""

    athlete_id: str
    as_of: date
    mode: str
    planned: tuple[PlannedRun, ...]
    findings: tuple[PlanFinding, ...]
    proposed: tuple[PlannedRun, ...]
    weeks: tuple[WeekLimits, ...] = ()
    refused: str | None = None
    unresolved: tuple[PlanFinding, ...] = ()  # what still fires on the proposal (none when it keeps all)
    notes: tuple[str, ...] = ()
    baseline: Assessment | None = field(default=None, compare=False, repr=False)  # the assessment on as_of

    @property
    def keeps_limits(self) -> bool:
        """True when nothing at or above :data:`BREAKS_AT` fires and no limit is broken."""
        return self.refused is None and not self.findings

    @property
    def changed(self) -> bool:
        return tuple(self.proposed) != tuple(self.planned)


def history_upto(data: AthleteData, as_of: date) -> AthleteData:
    """``data`` as it stood on ``as_of``: later activities, pain entries and clearances left out
    (a plan is judged on what was known the day it was made)."""
    return replace(data, activities=tuple(a for a in data.activities if local_date(a) <= as_of),
                   pain_entries=tuple(e for e in data.pain_entries if e.date <= as_of),
                   clearances=tuple(c for c in data.clearances if c.date <= as_of))


def check_plan(data: AthleteData, book: Rulebook, planned: Sequence[PlannedRun], as_of: date,
               *, baseline: Assessment | None = None) -> PlanCheck:
    """Judge ``planned`` (runs after ``as_of``) on ``data`` as it stood on ``as_of``.

    Pure, like :func:`runload.assess.assess`: no store, clock or file is read.
    """
    plan = tuple(sorted(planned, key=lambda p: p.date))
    early = [p for p in plan if p.date <= as_of]
    if early:
        raise InputError(f"the plan starts on {early[0].date.isoformat()}, not after the day it is made "
                         f"({as_of.isoformat()}): a plan holds days still to come")
    if plan and (plan[-1].date - as_of).days > MAX_AHEAD_DAYS:
        raise InputError(f"the plan reaches {plan[-1].date.isoformat()}, more than {MAX_AHEAD_DAYS // 7} weeks after "
                         f"{as_of.isoformat()}: check up to {MAX_AHEAD_DAYS // 7} weeks ahead at a time (the limits of "
                         "a week stand on the weeks before it)")
    history = history_upto(data, as_of)
    base = baseline if baseline is not None else assess(history, book, as_of)
    athlete = data.athlete

    def verdict(mode: str, findings: Sequence[PlanFinding], proposed: Sequence[PlannedRun], *,
                weeks: Sequence[WeekLimits] = (), refused: str | None = None,
                unresolved: Sequence[PlanFinding] = (), notes: Sequence[str] = ()) -> PlanCheck:
        return PlanCheck(athlete_id=athlete.id, as_of=as_of, mode=mode, planned=plan, findings=tuple(findings),
                         proposed=tuple(proposed), weeks=tuple(weeks), refused=refused,
                         unresolved=tuple(unresolved), notes=tuple(notes), baseline=base)

    if base.limits.mode == RED_FLAG:
        flags = "; ".join(f.title for f in base.red_flags) or "a red flag in the pain log"
        reason = (f"Not checked: a red flag stands ({flags}). {base.limits.guidance or ''} "
                  "No running plan can be judged until it has been checked.").replace("  ", " ")
        level = max((f.severity for f in base.red_flags), key=lambda v: v.rank, default=Severity.URGENT)
        stopped = [PlanFinding(date=p.date, rule_id="pain-red-flag", severity=level,
                               title="Red flag: no running", message="No running while the red flag stands.",
                               planned_km=p.distance_km, kind=p.kind, session=p.describe(athlete.units))
                   for p in plan if p.is_run]
        rests = [replace(p, distance_km=0.0, duration_min=None, kind="rest", rpe=None) for p in plan]
        return verdict(RED_FLAG, stopped, rests, refused=reason)
    if base.limits.mode == RETURN:
        staged, walk_run, words = check_walk_run(base, plan)
        return verdict(RETURN, staged, walk_run, notes=words)
    pace = median_pace(history.activities)
    world = _World(history, book, pace)
    findings, weeks = _judge(world, plan, as_of, base)
    proposed, unresolved = _propose(world, plan, as_of, base, findings, weeks)
    notes = []
    if unresolved:
        notes.append("Trimming could not make every rule fall silent: what still fires on the proposed plan "
                     "is listed; consider more rest days.")
    return verdict(base.limits.mode, findings, proposed, weeks=weeks, unresolved=unresolved, notes=notes)


# ---------------------------------------------------------------- judging
def _with_plan(history: AthleteData, plan: Sequence[PlannedRun], upto: date, pace: float) -> AthleteData:
    runs = [p for p in plan if p.date <= upto]
    return replace(history, activities=history.activities + tuple(as_activities(runs, history.athlete.timezone,
                                                                                pace_min_per_km=pace)))


@dataclass
class _World:
    """What one check judges against: the history as of the day the plan is made, the rulebook,
    the athlete's pace for planned runs without a duration, and the assessments made so far (by
    day and the planned runs up to it), so the rounds of a proposal that trim only a later run do
    not judge the earlier days again."""

    history: AthleteData
    book: Rulebook
    pace: float
    memo: dict[tuple[date, tuple[PlannedRun, ...]], Assessment] = field(default_factory=dict)

    def on(self, plan: Sequence[PlannedRun], day: date) -> Assessment:
        """The assessment on ``day`` of the history plus the plan's runs up to it."""
        runs = tuple(p for p in plan if p.date <= day and p.is_run)
        key = (day, runs)
        if key not in self.memo:
            self.memo[key] = assess(_with_plan(self.history, runs, day, self.pace), self.book, day)
        return self.memo[key]


def _week_limits(world: _World, plan: Sequence[PlannedRun], as_of: date, base: Assessment) -> list[WeekLimits]:
    """The limits of each planned week: the assessment's next-week limits on the day before the
    week starts (the history plus the plan before it), or on ``as_of`` for the week holding it."""
    history, fw = world.history, world.book.first_weekday
    out = []
    for ws in sorted({week_start_of(p.date, fw) for p in plan}):
        if ws <= as_of + timedelta(days=1):
            limits = base.limits
        else:
            day_before = ws - timedelta(days=1)
            limits = world.on(plan, day_before).limits
        recorded = sum(a.distance_m for a in history.activities
                       if a.is_run and ws <= local_date(a) <= as_of) / 1000.0
        out.append(WeekLimits(week_start=ws, limits=limits, recorded_km=round(recorded, 3)))
    return out


def _run_cap(limits: Limits) -> tuple[float | None, str | None]:
    caps = [(km, rule) for km, rule in ((limits.per_run_km, limits.per_run_rule),
                                        (limits.longest_run_km, limits.longest_run_rule)) if km is not None]
    return min(caps, key=lambda c: c[0]) if caps else (None, None)


def _judge(world: _World, plan: Sequence[PlannedRun], as_of: date, base: Assessment,
           weeks: Sequence[WeekLimits] | None = None) -> tuple[list[PlanFinding], list[WeekLimits]]:
    units = world.history.athlete.units
    fw = world.book.first_weekday
    if weeks is None:
        weeks = _week_limits(world, plan, as_of, base)
    by_week = {w.week_start: w for w in weeks}
    runs = [p for p in plan if p.is_run]
    on_day: dict[date, list[PlannedRun]] = {}
    for p in runs:
        on_day.setdefault(p.date, []).append(p)
    found: dict[tuple[str, date], PlanFinding] = {}

    def keep(f: PlanFinding, key: tuple[str, date]) -> None:
        old = found.get(key)
        if old is None or f.severity.rank > old.severity.rank:
            found[key] = f

    # the rules, day by day: what fires on a planned day or week
    for day in sorted(on_day):
        a = world.on(plan, day)
        # one event is one finding in a report; in a plan each limit it breaks is named (the week's
        # and the run's), so the findings an event merged are judged one by one
        for f in (g for top in a.findings for g in (top, *top.supporting)):
            if f.severity.rank < BREAKS_AT.rank or f.day is None or f.day <= as_of:
                continue
            if f.date is not None and f.date not in on_day:
                continue  # about a recorded day, not a planned one
            when = f.date or day
            if f.week_start is not None and f.date is None:
                when = max((d for d in on_day if week_start_of(d, fw) == f.week_start and d <= day), default=day)
            wl = by_week.get(week_start_of(when, fw))
            longest = max(on_day.get(when, []), key=lambda r: r.distance_km, default=None)
            limit_km, limit = None, ""
            if wl is not None:
                cap, cap_rule = _run_cap(wl.limits)
                if f.week_start is not None and f.date is None and wl.limits.week_km is not None:
                    limit_km, limit = wl.limits.week_km, "week"
                elif f.rule_id in (cap_rule, wl.limits.longest_run_rule, wl.limits.per_run_rule):
                    limit_km, limit = cap, "run"  # the run limits come from this rule
            keep(PlanFinding(date=when, rule_id=f.rule_id, severity=f.severity, title=f.title, message=f.message,
                             planned_km=longest.distance_km if longest else None, limit_km=limit_km, limit=limit,
                             kind=longest.kind if longest else "", session=longest.describe(units) if longest else ""),
                 (f.rule_id, f.week_start if f.date is None and f.week_start else when))
    # the limits, week by week (the same numbers the report's "next week" gives)
    for wl in weeks:
        lim = wl.limits
        if lim.mode not in (NORMAL, HELD):
            continue
        week_runs = [p for p in runs if week_start_of(p.date, fw) == wl.week_start]
        cap, cap_rule = _run_cap(lim)
        for p in week_runs:
            if cap is not None and p.distance_km > cap + 1e-9 and cap_rule:
                key = (cap_rule, p.date)
                if key in found or ("single-run-spike", p.date) in found:
                    continue
                what = "each run's limit while the pain episode goes on" if cap_rule.startswith("pain") else \
                    "next week's limit for the longest run"
                keep(PlanFinding(date=p.date, rule_id=cap_rule, severity=Severity.CAUTION, title="Over the run limit",
                                 message=fmt("{km:dist}: over {what} ({cap:limit}).", units, km=p.distance_km,
                                              what=what, cap=cap), planned_km=p.distance_km, limit_km=cap,
                                 limit="run", kind=p.kind, session=p.describe(units)), key)
        if lim.week_km is not None and week_runs and lim.week_rule:
            total = wl.recorded_km
            for p in sorted(week_runs, key=lambda r: r.date):
                total += p.distance_km
                if total > lim.week_km + 1e-9:
                    if any(k[0] == lim.week_rule and k[1] == wl.week_start for k in found) or \
                            any(k[1] == wl.week_start and k[0] == "weekly-progression" for k in found):
                        break
                    keep(PlanFinding(date=p.date, rule_id=lim.week_rule, severity=Severity.CAUTION,
                                     title="Week over the limit",
                                     message=fmt("Week of {ws}: the plan comes to {total:dist} by {day}, over "
                                                  "the week's limit of {cap:limit}", units, ws=wl.week_start.isoformat(),
                                                  total=wl.recorded_km + sum(r.distance_km for r in week_runs),
                                                  day=f"{p.date:%a} {p.date.isoformat()}", cap=lim.week_km)
                                     + (f" ({why})." if (why := basis_words(lim, "week", units)) else "."),
                                     planned_km=p.distance_km, limit_km=lim.week_km, limit="week", kind=p.kind,
                                     session=p.describe(units)),
                         (lim.week_rule, wl.week_start))
                    break
    order = sorted(found.values(), key=lambda f: (f.date, -f.severity.rank, f.rule_id))
    return order, list(weeks)


# ---------------------------------------------------------------- proposing
def level_to(values: Sequence[float], budget: float) -> list[float]:
    """``values`` with the largest lowered first (to one common level) until their sum is at most
    ``budget``: the long run moves down first, then the next longest with it."""
    if sum(values) <= budget + 1e-9:
        return list(values)
    budget = max(0.0, budget)
    order = sorted(values, reverse=True)
    level = 0.0
    for k in range(1, len(order) + 1):
        rest = sum(order[k:])
        level = (budget - rest) / k
        nxt = order[k] if k < len(order) else 0.0
        if level >= nxt:
            break
    level = max(0.0, level)
    return [min(v, level) for v in values]


def _trimmed(plan: Sequence[PlannedRun], new_km: dict[int, float]) -> list[PlannedRun]:
    return [with_distance(p, new_km[i]) if i in new_km and new_km[i] < p.distance_km - 1e-9 else p
            for i, p in enumerate(plan)]


def _propose(world: _World, plan: Sequence[PlannedRun], as_of: date, base: Assessment,
             findings: Sequence[PlanFinding], weeks: Sequence[WeekLimits]) -> tuple[list[PlannedRun], list[PlanFinding]]:
    """A plan on the same days that keeps every limit: each run under its week's run limit, each
    week under its limit (the long run lowered first), then, while a rule still fires, the run or
    week it fires on trimmed by a tenth. Later weeks' limits are worked out on the proposal."""
    if not findings:
        return list(plan), []
    fw = world.book.first_weekday
    proposal = list(plan)
    for wl in weeks:  # week by week: a later week's limits stand on the proposal before it
        lim = _week_limits(world, proposal, as_of, base)
        lim_w = next(w for w in lim if w.week_start == wl.week_start).limits
        idx = [i for i, p in enumerate(proposal) if p.is_run and week_start_of(p.date, fw) == wl.week_start]
        cap = _run_cap(lim_w)[0]
        capped = {i: min(proposal[i].distance_km, cap) if cap is not None else proposal[i].distance_km for i in idx}
        if lim_w.week_km is not None:
            levelled = level_to([capped[i] for i in idx], lim_w.week_km - wl.recorded_km)
            capped = dict(zip(idx, levelled))
        proposal = _trimmed(proposal, capped)
    remaining: list[PlanFinding] = []
    for _ in range(MAX_ROUNDS):
        remaining, _weeks = _judge(world, proposal, as_of, base)
        if not remaining:
            break
        new: dict[int, float] = {}
        for f in remaining:
            if f.limit == "week":
                ws = week_start_of(f.date, fw)
                idx = [i for i, p in enumerate(proposal) if p.is_run and week_start_of(p.date, fw) == ws]
                total = sum(proposal[i].distance_km for i in idx)
                target = min(total * 0.9, f.limit_km if f.limit_km is not None else math.inf)
                new.update(zip(idx, level_to([proposal[i].distance_km for i in idx], target)))
            else:
                for i, p in enumerate(proposal):
                    if p.date == f.date and p.is_run:
                        target = p.distance_km * 0.9
                        if f.limit_km is not None:
                            target = min(target, f.limit_km)
                        new[i] = min(new.get(i, math.inf), target)
        proposal = _trimmed(proposal, new)
    return proposal, remaining
