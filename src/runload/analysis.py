"""One place that answers "how is this athlete doing?" for reports, checks, rosters and mail.

``analyze`` gathers the athlete's data from the store, computes the weekly series, and runs the
rules (load and pain) into findings, most severe first, with next week's caps. Reports, the
roster and email render an ``Analysis``; they never compute findings themselves.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from runload.models import Activity, Athlete, Finding, PainEntry
from runload.store import Store


@dataclass(frozen=True)
class Caps:
    """Next week's guidance: a cap for the week's distance and for the longest run, with the
    rule each comes from."""

    week_km: float | None = None
    week_rule: str | None = None
    longest_run_km: float | None = None
    longest_run_rule: str | None = None
    mode: str = "normal"  # "normal" or "return-to-run" (then the caps are None: see guidance)
    guidance: str | None = None  # walk-run guidance in return-to-run mode
    basis: dict[str, Any] = field(default_factory=dict)  # the numbers the caps come from


@dataclass(frozen=True)
class Analysis:
    athlete: Athlete
    activities: list[Activity]
    pain_entries: list[PainEntry]
    weekly: Any  # pandas DataFrame from runload.load.weekly_running
    findings: list[Finding]
    caps: Caps
    as_of: date | None
    data_end: date | None
    extras: dict[str, Any] = field(default_factory=dict)


def analyze(store: Store, athlete_id: str, *, as_of: date | None = None) -> Analysis:
    """Everything known about the athlete up to ``as_of`` (default: the last day with data).

    Runs every selected rule in ``rules/`` (plus the config's extra rule folders) with the
    config's per-athlete overrides; ``findings`` cover the whole history, most severe first.
    ``extras``: ``rules`` (ids run), ``return_to_run`` (state), ``week_start`` (0 = Monday),
    ``pain`` (a :class:`runload.pain.PainAssessment`: red flags, episodes with the load before
    them, the return-to-run plan). Red-flag findings come first, whatever their severity.
    """
    from runload.config import load_config
    from runload.engine import Context
    from runload.load import local_date, weekly_running
    from runload.load_metrics import return_to_run_state
    from runload.rules import (
        athlete_settings,
        evaluate_all,
        extra_rule_paths,
        load_rules,
        next_week_caps,
        select_rules,
        week_start_setting,
    )
    from runload.config import default_rules_dir

    athlete = store.get_athlete(athlete_id)
    activities = store.activities(athlete_id)
    if as_of is not None:
        activities = [a for a in activities if local_date(a) <= as_of]
    pain = [p for p in store.pain_entries(athlete_id) if as_of is None or p.date <= as_of]
    data_end = max((local_date(a) for a in activities), default=None)
    config = load_config()
    week_start = week_start_setting(config)
    weekly = weekly_running(activities, week_start=week_start)
    rules = select_rules(load_rules([default_rules_dir(), *extra_rule_paths(config)]), config, athlete_id)
    ctx = Context(athlete=athlete, activities=activities, pain_entries=pain, as_of=as_of, data_end=data_end,
                  week_start=week_start, settings=athlete_settings(config, athlete_id))
    from runload.pain import assess, finding_order

    pain_assessment = assess(ctx)

    # Red flags stand first whatever their severity level, then the rest most severe first.
    findings = sorted(evaluate_all(rules, ctx), key=finding_order)
    caps = _pain_limits(Caps(**next_week_caps(ctx, rules)), pain_assessment)
    extras: dict[str, Any] = {"rules": [r.id for r in rules], "week_start": week_start, "pain": pain_assessment}
    day = as_of or data_end
    if day is not None:
        extras["return_to_run"] = return_to_run_state(activities, day)
    return Analysis(athlete, activities, pain, weekly, findings, caps, as_of, data_end, extras)


PAIN_RED_FLAG_GUIDANCE = (
    "No training caps while a red flag in the pain log is active: have the knee checked as the "
    "red flag says first. Once a clinician has cleared you, return with the walk-run plan."
)


def _pain_limits(caps: Caps, pain: Any) -> Caps:
    """Caps after the pain log has its say: an active red flag replaces them with 'get it checked
    first'; a pain episode still going on holds progression (the pain-monitoring model: pain must
    not rise from week to week), so next week may repeat the reference week but not grow."""
    from dataclasses import replace

    if pain.overrides_load:
        return replace(caps, week_km=None, longest_run_km=None, week_rule="pain-red-flag",
                       longest_run_rule="pain-red-flag", mode="pain-red-flag", guidance=PAIN_RED_FLAG_GUIDANCE,
                       basis={**caps.basis, "red_flags": [f.flag for f in pain.red_flags]})
    if pain.current_episode is None or caps.mode != "normal":
        return caps
    basis = dict(caps.basis)
    week_km, longest = caps.week_km, caps.longest_run_km
    if week_km is not None and "reference_week_km" in basis:
        week_km = round(min(week_km, basis["reference_week_km"]), 1)
    if longest is not None and "longest_30d_km" in basis:
        longest = round(min(longest, basis["longest_30d_km"]), 1)
    basis["pain_episode_since"] = pain.current_episode.onset.isoformat()
    basis["held_for_pain"] = True
    return replace(caps, week_km=week_km, longest_run_km=longest, week_rule="pain-monitoring-weekly-rise",
                   longest_run_rule="pain-monitoring-weekly-rise", basis=basis,
                   guidance="A pain episode is still going on: hold the distance (no increase) until "
                            "pain and stiffness stop rising, and keep each run within the pain-monitoring limits.")
