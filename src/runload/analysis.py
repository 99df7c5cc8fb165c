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
    """Everything known about the athlete up to ``as_of`` (default: the last day with data)."""
    from runload.load import local_date, weekly_running
    from runload.rules import weekly_progression

    athlete = store.get_athlete(athlete_id)
    activities = store.activities(athlete_id)
    if as_of is not None:
        activities = [a for a in activities if local_date(a) <= as_of]
    pain = [p for p in store.pain_entries(athlete_id) if as_of is None or p.date <= as_of]
    data_end = max((local_date(a) for a in activities), default=None)
    weekly = weekly_running(activities)
    findings = sorted(weekly_progression(weekly), key=lambda f: -f.severity.rank)
    caps = Caps()
    if not weekly.empty:
        last = float(weekly["distance_km"].iloc[-1])
        caps = Caps(week_km=round(last * 1.10, 1), week_rule="weekly-progression")
    return Analysis(athlete, activities, pain, weekly, findings, caps, as_of, data_end)
