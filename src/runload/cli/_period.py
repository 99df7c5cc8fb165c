"""What every command that reads an assessment shares: the day it is judged on, the period,
and the athlete's assessment from the store (config and rules loaded once per command)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import date
from typing import Any

from runload.errors import InputError

TODAY_ENV = "RUNLOAD_TODAY"  # pins "today" (YYYY-MM-DD) for reproducible runs and tests


def today_for(tz: str | None) -> date:
    """Today in time zone ``tz`` (``RUNLOAD_TODAY`` pins it)."""
    from runload.calendar import today_in

    pinned = os.environ.get(TODAY_ENV, "").strip()
    if pinned:
        try:
            return date.fromisoformat(pinned)
        except ValueError:
            raise InputError(f"{TODAY_ENV}={pinned!r} is not a date like 2026-10-21") from None
    return today_in(tz)


def squad_period(store: Any, *, week: str | None, today: date, first_weekday: int,
                 athlete_ids: Sequence[str] | None = None) -> Any:
    """The week a roster or a site covers: ``--week``; without it this week, or the last
    complete week while nobody on the roster has data in the new one yet (on a Monday morning
    the roster is last week's, not a page of empty weeks)."""
    from runload.report.build import resolve_period

    period = resolve_period(week=week, today=today, first_weekday=first_weekday)
    if week is not None or has_data(store, athlete_ids, period.start):
        return period
    return resolve_period(week="last", today=today, first_weekday=first_weekday)


def has_data(store: Any, athlete_ids: Sequence[str] | None, first_day: date) -> bool:
    """Whether any of the athletes (default: all) has an activity on or after ``first_day`` (a
    day of their own calendar) or a pain entry dated so."""
    from datetime import datetime, timedelta, timezone

    ids = list(athlete_ids) if athlete_ids is not None else [a.id for a in store.list_athletes()]
    # a day's activities start at most 14 hours before its midnight in UTC (UTC+14)
    since = datetime.combine(first_day - timedelta(days=1), datetime.min.time(), tzinfo=timezone.utc)
    for athlete_id in ids:
        for a in store.activities(athlete_id, start_utc=since):
            if (a.start_utc + timedelta(seconds=a.utc_offset_s or 0)).date() >= first_day:
                return True
        if store.pain_entries(athlete_id, start=first_day):
            return True
    return False


def assessor(store: Any) -> Any:
    """An :class:`runload.session.Assessor` over ``store`` with the config and rules loaded now."""
    from runload.session import Assessor

    return Assessor(store)

