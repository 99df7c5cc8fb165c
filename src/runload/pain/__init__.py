"""The pain log: red flags first, the pain-monitoring model, and pain linked to the load before it.

Importing this package registers the pain metrics (``pain_red_flag``, ``pain_unrelieved_days``,
``pain_run_score``, ``pain_morning_rise``, ``pain_weekly_rise``, ``pain_model_limits``,
``pain_episode_load``) that ``rules/pain-*.toml`` name; the rule engine turns them into findings.

For reports, :func:`assess` gathers what findings cannot carry: the red flags that are active now
(they override any load "all clear"), the pain episodes with the load before each one in one
sentence, and the return-to-run plan.

Modules: ``entries`` (checking values, the CSV format), ``log`` (storing entries), ``signs`` (red
flags and the pain-monitoring model), ``episodes`` (episodes and the load before them), ``plan``
(return to running), ``metrics`` (the registered metrics).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from runload.engine import Context
from runload.pain import metrics as _metrics  # noqa: F401  (registers the metrics)
from runload.pain.episodes import Episode, LoadBefore, episodes_with_load, local_day
from runload.pain.metrics import context_as_of, context_entries
from runload.pain.plan import ReturnPlan, Stage, return_plan
from runload.pain.signs import CLINICIAN, EMERGENCY, URGENT, RedFlag, unrelieved_stretches

# How long a red flag keeps a report from saying "all clear" (and stands first in it).
ACTIVE_RED_FLAG_DAYS = 14
# The article: "pain unrelieved by rest lasting beyond two weeks" (rule pain-red-flag-unrelieved-two-weeks).
UNRELIEVED_DAYS = 14
_LEVEL_ORDER = {EMERGENCY: 0, URGENT: 1, CLINICIAN: 2}


@dataclass(frozen=True)
class PainAssessment:
    """What the pain log says on ``as_of``.

    ``red_flags``: red flags from the last ``ACTIVE_RED_FLAG_DAYS`` days or from an episode still
    going on, most serious first; when there is any, no load finding may read as "all clear".
    ``episodes``: every pain episode, oldest first, each with ``load`` (a
    :class:`LoadBefore` whose ``sentence`` says what the training did in the 14 days before).
    ``return_plan``: the walk-run plan that applies now, or None.
    """

    as_of: date | None
    red_flags: tuple[RedFlag, ...]
    episodes: tuple[Episode, ...]
    return_plan: ReturnPlan | None

    @property
    def overrides_load(self) -> bool:
        """True when a red flag is active: the report must not say the load is fine."""
        return bool(self.red_flags)

    @property
    def current_episode(self) -> Episode | None:
        """The episode still going on at ``as_of``, if any."""
        return next((e for e in reversed(self.episodes) if e.status == "ongoing"), None)


def assess(ctx: Context, *, active_days: int = ACTIVE_RED_FLAG_DAYS) -> PainAssessment:
    """Assess the pain log of ``ctx`` (entries and activities up to ``ctx.as_of``).

    ``ctx`` is the same :class:`runload.engine.Context` the rule engine gets; when its ``as_of``
    is None the last day with data or a pain entry is used.
    """
    as_of = context_as_of(ctx)
    entries = context_entries(ctx)
    activities = [a for a in ctx.activities if as_of is None or local_day(a) <= as_of]
    episodes = episodes_with_load(entries, activities, athlete=ctx.athlete, week_start=ctx.week_start)
    active: list[RedFlag] = []
    if as_of is not None:
        for ep in episodes:
            for f in ep.red_flags:
                if (as_of - f.date).days < active_days or ep.status == "ongoing":
                    active.append(f)
        # Pain that rest has not relieved for more than two weeks is a red flag of the whole
        # stretch of entries, not of one entry: it stays active like the others.
        ongoing = [ep for ep in episodes if ep.status == "ongoing"]
        for s in unrelieved_stretches(entries):
            live = (as_of - s.last).days < active_days or any(ep.onset <= s.start for ep in ongoing)
            if s.days > UNRELIEVED_DAYS and s.last <= as_of and live:
                active.append(RedFlag("unrelieved-two-weeks", CLINICIAN,
                                      f"pain not relieved by rest for {s.days} days (since {s.start.isoformat()})",
                                      s.last, None, None))
    active.sort(key=lambda f: (_LEVEL_ORDER[f.level], -f.date.toordinal()))
    plan = return_plan(entries, activities, as_of, episodes) if as_of is not None else None
    return PainAssessment(as_of, tuple(active), tuple(episodes), plan)


def finding_order(finding: Any) -> tuple[int, int]:
    """Sort key that puts red-flag findings (rule ids ``pain-red-flag-*``) first, then the rest
    by severity, most severe first: ``sorted(findings, key=pain.finding_order)``."""
    return (0 if finding.rule_id.startswith("pain-red-flag-") else 1, -finding.severity.rank)


__all__ = [
    "PainAssessment", "assess", "finding_order", "Episode", "LoadBefore", "ReturnPlan", "Stage", "RedFlag",
    "ACTIVE_RED_FLAG_DAYS", "return_plan",
]
