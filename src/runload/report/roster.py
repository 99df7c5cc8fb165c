"""A coach's roster: every athlete on one line, most at risk first.

Each line is taken from the athlete's own report for the week (so the roster never says
something the report does not), plus how old the athlete's data is: a runner whose watch has not
synced for two weeks may be injured, ill, or just forgetful, and a coach should ask. Data 7 or
more days old is a caution, 14 or more (or none at all) a warning.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import date

from runload.report.build import build_report, period_for
from runload.report.model import Report, Roster, RosterRow, level_rank
from runload.store import Store

STALE_CAUTION_DAYS = 7
STALE_WARNING_DAYS = 14
PER_WORKER = 8  # below this many athletes per process, starting processes costs more than it saves


def _rows_for(path: str, ids: list[str], week: date, today: date) -> list[RosterRow]:
    """Roster rows for ``ids`` in a worker process with its own connection to the store."""
    with Store.open(path, create=False) as store:
        return [roster_row(build_report(store, i, week=week, today=today), today) for i in ids]


def stale_level(days: int | None) -> str:
    """``ok``, ``caution`` (7+ days without data) or ``warning`` (14+ days, or no data at all)."""
    if days is None or days >= STALE_WARNING_DAYS:
        return "warning"
    if days >= STALE_CAUTION_DAYS:
        return "caution"
    return "ok"


def roster_row(report: Report, today: date) -> RosterRow:
    """One athlete's roster line from their report; ``today`` dates the staleness."""
    reference = min(today, report.period.end)
    days = None if report.data_end is None else max(0, (reference - report.data_end).days)
    stale = stale_level(days)
    week = report.current_week
    top = report.findings[0] if report.findings else None
    level = max(report.status.level, stale, key=level_rank)
    has = week is not None and week.has_data
    return RosterRow(
        athlete_id=report.athlete.id,
        name=report.athlete.name,
        level=level,
        findings_level=report.status.level,
        week_km=round(week.distance_km, 1) if has and week else None,
        change_pct=week.change_pct if has and week else None,
        base_too_small=bool(has and week and week.base_too_small),
        top_finding=f"{top.title}: {top.message}" if top else None,
        top_rule_id=top.rule_id if top else None,
        findings=len(report.findings),
        pain_trend=report.pain.trend,
        last_data=report.data_end,
        days_since_data=days,
        stale_level=stale,
        units=report.athlete.units,
    )


def sort_key(row: RosterRow) -> tuple:
    """Most at risk first: overall level, then the findings' own level, then how many findings,
    then the biggest weekly jump, then the oldest data; ties by athlete id."""
    change = row.change_pct if row.change_pct is not None else float("-inf")
    days = row.days_since_data if row.days_since_data is not None else 10**6
    return (-level_rank(row.level), -level_rank(row.findings_level), -row.findings, -change, -days, row.athlete_id)


def build_roster(store: Store, *, week: date | None = None, today: date | None = None,
                 athlete_ids: Sequence[str] | None = None, workers: int | None = None) -> Roster:
    """The roster for the ISO week holding ``week`` (default: the week holding ``today``).

    Each athlete is analysed on their own, so with ``workers`` > 1 (default: one per CPU, for
    rosters of more than a few athletes) the analyses run in parallel processes, each reading
    the same store file (SQLite allows any number of readers).
    """
    today = today or date.today()
    period = period_for(week=week or today)
    assert period is not None
    ids = list(athlete_ids) if athlete_ids is not None else [a.id for a in store.list_athletes()]
    if workers is None:
        workers = min(os.cpu_count() or 1, len(ids) // PER_WORKER)
    if workers > 1 and str(store.path) != ":memory:":
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(max_workers=workers) as pool:
            chunks = [ids[i::workers] for i in range(workers)]
            parts = pool.map(_rows_for, [str(store.path)] * workers, chunks, [period.start] * workers,
                             [today] * workers)
            rows = [row for part in parts for row in part]
    else:
        rows = [roster_row(build_report(store, i, week=period.start, today=today), today) for i in ids]
    rows.sort(key=sort_key)
    return Roster(period, min(today, period.end), rows)
