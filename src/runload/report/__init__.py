"""Build a runner's report once, as data; renderers turn it into text (and more formats later)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from runload.models import Athlete, Finding
from runload.store import Store

DISCLAIMER = (
    "runload gives training information, not a diagnosis. Warning signs such as swelling, "
    "locking, numbness or pain that rest does not relieve need a clinician."
)


@dataclass(frozen=True)
class WeekRow:
    week_start: date
    distance_km: float
    runs: int
    longest_run_km: float
    change_pct: float | None
    base_too_small: bool


@dataclass(frozen=True)
class Report:
    """Everything a runner's weekly report shows, independent of how it is rendered."""

    athlete: Athlete
    week_start: date | None
    weeks: list[WeekRow]
    findings: list[Finding]
    activity_count: int
    next_week_cap_km: float | None = None
    notes: list[str] = field(default_factory=list)
    disclaimer: str = DISCLAIMER


def build_report(store: Store, athlete_id: str, *, week: date | None = None, weeks_shown: int = 8) -> Report:
    """The report for ``athlete_id`` for the week starting ``week`` (default: latest with data)."""
    from runload.load import weekly_running
    from runload.rules import weekly_progression

    athlete = store.get_athlete(athlete_id)
    activities = store.activities(athlete_id)
    weekly = weekly_running(activities)
    if weekly.empty:
        return Report(athlete, None, [], [], len(activities),
                      notes=["No runs imported yet: runload import --athlete ID PATH"])
    current = week or weekly["week_start"].iloc[-1]
    upto = weekly[weekly["week_start"] <= current]
    rows = [
        WeekRow(r.week_start, float(r.distance_km), int(r.runs), float(r.longest_run_km),
                None if r.change_pct != r.change_pct else float(r.change_pct), bool(r.base_too_small))
        for r in upto.tail(weeks_shown).itertuples(index=False)
    ]
    findings = [f for f in weekly_progression(upto) if f.week_start == current]
    findings.sort(key=lambda f: -f.severity.rank)
    cap = None
    if rows and rows[-1].week_start == current:
        last = rows[-1]
        cap = last.distance_km if findings else last.distance_km * 1.10
    return Report(athlete, current, rows, findings, len(activities), next_week_cap_km=cap)


def week_end(start: date) -> date:
    return start + timedelta(days=6)
