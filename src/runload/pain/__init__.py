"""The pain log: red flags first, the pain-monitoring model, and pain linked to the load before it.

Importing this package registers the pain metrics (``pain_red_flag``, ``pain_unrelieved_days``,
``pain_run_score``, ``pain_morning_rise``, ``pain_weekly_rise``, ``pain_model_limits``,
``pain_episode_load``) that ``rules/pain-*.toml`` name; the rule engine turns them into findings.

For reports, :func:`assess` gathers what findings cannot carry: the red flags that are active now
(they override any load "all clear"), the pain episodes with the load before each one in one
sentence, and the return-to-run plan.

Modules: ``entries`` (checking values, the CSV format), ``log`` (storing entries), ``signs`` (red
flags and the pain-monitoring model), ``episodes`` (episodes), ``load_before`` (the load before
each), ``history`` (one athlete's log up to a day), ``plan`` (return to running), ``care`` (where
to get care). The metrics the rules read are in :mod:`runload.rules.pain_metrics`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Protocol

from runload.models import Clearance, Finding, PainEntry, RedFlagLevel
from runload.pain.entries import peak_score
from runload.pain.episodes import Episode, LoadBefore
from runload.pain.plan import ReturnPlan, Stage, return_plan
from runload.pain.signs import UNRELIEVED_DAYS, PainTrend, RedFlag, pain_trend, same_leg

if TYPE_CHECKING:  # types only: the pain log's history reads the load series (pandas), pain add does not
    from runload.load.series import Frames
    from runload.pain.history import PainLog


class PainContext(Protocol):
    """What :func:`assess` reads of the day judged (a :class:`runload.rules.context.Context`)."""

    @property
    def judged_day(self) -> date | None: ...

    @property
    def pain_log(self) -> PainLog: ...

    @property
    def frames(self) -> Frames: ...

    @property
    def clearances(self) -> Sequence[Clearance]: ...


@dataclass(frozen=True)
class PainAssessment:
    """What the pain log says on ``as_of``.

    ``red_flags``: the red flags not yet resolved, most serious first. A red flag stands until a
    later entry for the same leg records that the sign is gone, or a clearance dated on or after
    it is logged (``runload pain clear``); while any stands, no load finding may read as "all
    clear" and there is no running advice. ``resolved``: red flags resolved, with how.
    ``episodes``: every pain episode, oldest first, each with ``load`` (a :class:`LoadBefore`
    whose ``sentence`` says what the training did in the 14 days before). ``return_plan``: the
    walk-run plan that applies now, or None (always None while a red flag stands).
    ``clearances``: the clearances logged up to ``as_of``. ``trend``: the worst score of the 7
    days up to ``as_of`` against the 7 before (what the report, the roster and the current
    episode's finding say).
    """

    as_of: date | None
    red_flags: tuple[RedFlag, ...]
    episodes: tuple[Episode, ...]
    return_plan: ReturnPlan | None
    resolved: tuple[tuple[RedFlag, str], ...] = ()
    clearances: tuple[Clearance, ...] = ()
    trend: PainTrend = PainTrend(None, "none logged", None, None)

    @property
    def overrides_load(self) -> bool:
        """True when a red flag is unresolved: the report must not say the load is fine."""
        return bool(self.red_flags)

    @property
    def current_episode(self) -> Episode | None:
        """The episode still going on at ``as_of``, if any."""
        return next((e for e in reversed(self.episodes) if e.status == "ongoing"), None)

    @property
    def worst_level(self) -> RedFlagLevel | None:
        """The level of the most serious unresolved red flag."""
        return self.red_flags[0].level if self.red_flags else None


def assess(ctx: PainContext, clearances: Sequence[Clearance] | None = None) -> PainAssessment:
    """Assess the pain log of ``ctx`` (a :class:`runload.rules.context.Context`: entries and
    activities up to its day) with the clearances logged up to that day (default: the
    context's, which also settle its episodes).

    While a red flag stands there is no return plan: the only advice is the care the flag calls
    for (evidence.md section 7); the plan appears once the flag is resolved or cleared.
    """
    as_of = ctx.judged_day
    log = ctx.pain_log
    episodes = log.episodes_with_load()
    if clearances is None:
        clearances = ctx.clearances
    cleared = sorted((c for c in clearances if as_of is None or c.date <= as_of), key=lambda c: c.date)
    entries = log.entries
    order = {id(e): i for i, e in enumerate(entries)}
    carried: dict[int, set[str]] = {}
    every: list[tuple[RedFlag, int]] = []
    for ep in episodes:
        for f in ep.red_flags:
            pos = _position(entries, f, order)
            carried.setdefault(pos, set()).add(f.flag)
            every.append((f, pos))
    active: list[RedFlag] = []
    resolved: list[tuple[RedFlag, str]] = []
    seen: set[tuple[str, str | None]] = set()
    # newest first: one standing flag per kind and leg (the same sign logged three days running is
    # one red flag, dated on its latest entry)
    for f, pos in sorted(every, key=lambda p: -p[1]):
        how = _resolution(f, pos, entries, carried, cleared)
        if how is None:
            if (f.flag, f.side) not in seen:
                active.append(f)
                seen.add((f.flag, f.side))
        else:
            resolved.append((f, how))
    for s in log.unrelieved:
        if s.days <= UNRELIEVED_DAYS or (as_of is not None and s.last > as_of):
            continue
        flag = RedFlag("unrelieved-two-weeks", RedFlagLevel.CLINICIAN,
                       f"pain not relieved by rest for {s.days} days (since {s.start.isoformat()})", s.last, None, None)
        later = [e for e in entries if e.date > s.last]
        ended = next((e for e in later if _relieved(e)), None)
        clear = next((c for c in cleared if c.date >= s.last), None)
        if ended is not None:
            resolved.append((flag, f"rest relieved the pain by {ended.date.isoformat()}"))
        elif clear is not None:
            resolved.append((flag, _cleared_words(clear)))
        else:
            active.append(flag)
    active.sort(key=lambda f: (-f.level.rank, -f.date.toordinal()))
    plan = None
    if as_of is not None and not active:
        plan = return_plan(entries, (), as_of, episodes, runs=log.frames.runs)
    return PainAssessment(as_of, tuple(active), tuple(episodes), plan, tuple(resolved), tuple(cleared),
                          pain_trend(entries, as_of))


def _position(entries: Sequence[PainEntry], flag: RedFlag, order: dict[int, int]) -> int:
    for i, e in enumerate(entries):
        if e.date == flag.date and (flag.entry_id is None or e.id == flag.entry_id) and same_leg(e.side, flag.side):
            return i
    return len(entries)


def _relieved(e: PainEntry) -> bool:
    return e.relieved_by_rest is True or not (peak_score(e) or e.stiffness)


def _cleared_words(c: Clearance) -> str:
    who = {"clinician": "a clinician", "self": "the runner"}.get(c.by, c.by)
    return f"cleared by {who} on {c.date.isoformat()}" + (f" ({c.note})" if c.note else "")


def _resolution(flag: RedFlag, pos: int, entries: Sequence[PainEntry], carried: dict[int, set[str]],
                cleared: Sequence[Clearance]) -> str | None:
    """How a red flag was resolved (a later entry for the same leg without the sign, or a
    clearance dated on or after it), or None while it stands."""
    for i in range(pos + 1, len(entries)):
        e = entries[i]
        if same_leg(e.side, flag.side) and flag.flag not in carried.get(i, set()):
            return f"the entry of {e.date.isoformat()} records the sign gone"
    for c in cleared:
        if c.date >= flag.date:
            return _cleared_words(c)
    return None


def finding_order(finding: Finding) -> tuple[int, int]:
    """Sort key that puts red-flag findings (rule ids ``pain-red-flag-*``) first, then the rest
    by severity, most severe first: ``sorted(findings, key=pain.finding_order)``."""
    return (0 if finding.rule_id.startswith("pain-red-flag-") else 1, -finding.severity.rank)


__all__ = [
    "PainAssessment", "PainContext", "PainTrend", "assess", "finding_order", "Episode", "LoadBefore", "ReturnPlan", "Stage",
    "RedFlag", "return_plan", "pain_trend",
]
