"""Assessments of athletes in a store: each athlete read once and assessed once per day.

The edge between the store and :func:`runload.assess.assess`: an :class:`Assessor` holds the
open store and the :class:`~runload.rules.book.Rulebook` (config and rules loaded once for the
process), reads each athlete's data once, and keeps each (athlete, day) assessment, so an email
run that mails an athlete and the roster of their coach assesses them once.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from runload.assess import Assessment, assess
from runload.models import AthleteData
from runload.rules.book import Rulebook


class Assessor:
    """Assessments for the athletes of ``store`` with ``book`` (loaded now unless given)."""

    def __init__(self, store: Any, book: Rulebook | None = None) -> None:
        self.store = store
        self.book = book if book is not None else Rulebook.load()
        self._data: dict[str, AthleteData] = {}
        self._done: dict[tuple[str, date | None], Assessment] = {}
        self._plans: dict[tuple[str, date], Any] = {}

    def data(self, athlete_id: str) -> AthleteData:
        """The athlete's data, read from the store on first use."""
        if athlete_id not in self._data:
            self._data[athlete_id] = self.store.athlete_data(athlete_id)
        return self._data[athlete_id]

    def get(self, athlete_id: str, as_of: date | None) -> Assessment:
        """The assessment of ``athlete_id`` on ``as_of`` (computed on first use)."""
        key = (athlete_id, as_of)
        if key not in self._done:
            self._done[key] = assess(self.data(athlete_id), self.book, as_of)
        return self._done[key]

    def plan(self, athlete_id: str, as_of: date) -> Any:
        """The check of the athlete's stored plan for the days after ``as_of`` up to the end of
        next week (a :class:`runload.plan.PlanCheck`), or None when no plan is stored for them."""
        from runload.calendar import week_end_of
        from runload.plan import check_plan

        key = (athlete_id, as_of)
        if key not in self._plans:
            last = week_end_of(as_of, self.book.first_weekday) + timedelta(days=7)
            runs = [p for p in self.data(athlete_id).planned if as_of < p.date <= last]
            self._plans[key] = (check_plan(self.data(athlete_id), self.book, runs, as_of,
                                           baseline=self.get(athlete_id, as_of)) if runs else None)
        return self._plans[key]
