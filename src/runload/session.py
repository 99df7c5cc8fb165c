"""The session: assessments of the athletes of a store, each athlete read once and assessed once
per day.

The one edge between the store and :func:`runload.assess.assess`: an :class:`Assessor` holds the
open store and the :class:`~runload.rules.book.Rulebook` (config and rules loaded once for the
process), reads each athlete's data once (only what an assessment reads: no lap is decoded
unless a rule judges lap pace), and keeps each (athlete, day) assessment, so an email run that
mails an athlete and the roster of their coach assesses them once.

It is also where work fans out over athletes (:meth:`Assessor.map`, on an engine of
:mod:`runload.batch.engines`): the roster and the site give it what to do for one athlete and
never open the store themselves.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from typing import Any, Protocol, TypeVar

from runload.assess import Assessment, assess, with_flags_standing
from runload.batch.engines import ProcessEngine, SerialEngine
from runload.calendar import week_end_of
from runload.models import AthleteData
from runload.plan import PlanCheck, check_plan
from runload.rules.book import Rulebook
from runload.store import Store
from runload.store.read_ahead import ReadAhead

T = TypeVar("T")
PER_WORKER = 8  # below this many athletes per process, starting processes costs more than it saves
# The one setting that has an assessment read laps: hard effort judged by lap pace
# (runload.load.formulas.hard_seconds), in the config or a rule's params.
LAP_PACE_SETTING = "threshold_pace_s_per_km"


def reads_laps(book: Rulebook, athlete_id: str) -> bool:
    """Whether an assessment of the athlete reads laps: only when a threshold pace is set (hard
    effort is then judged by lap pace where heart rate is missing)."""
    rules, settings = book.for_athlete(athlete_id)
    return LAP_PACE_SETTING in settings or any(LAP_PACE_SETTING in r.params for r in rules)


class AthleteReader(Protocol):
    """Where an :class:`Assessor` reads an athlete's data: a :class:`~runload.store.Store`, or
    the rows of a batch bucket."""

    def athlete_data(self, athlete_id: str, *, laps: bool = True) -> AthleteData: ...


class Assessor:
    """Assessments for the athletes of ``store`` with ``book`` (loaded now unless given)."""

    def __init__(self, store: AthleteReader, book: Rulebook | None = None) -> None:
        self.store = store
        self.book = book if book is not None else Rulebook.load()
        self._data: dict[str, AthleteData] = {}
        self._done: dict[tuple[str, date | None], Assessment] = {}
        self._plans: dict[tuple[str, date, date | None], PlanCheck | None] = {}

    def data(self, athlete_id: str) -> AthleteData:
        """The athlete's data, read from the store on first use."""
        if athlete_id not in self._data:
            self._data[athlete_id] = self.store.athlete_data(athlete_id, laps=reads_laps(self.book, athlete_id))
        return self._data[athlete_id]

    def get(self, athlete_id: str, as_of: date | None, *, read_on: date | None = None) -> Assessment:
        """The assessment of ``athlete_id`` on ``as_of`` (computed on first use).

        ``read_on``: the day it is read (a report of an earlier week read today, a weekly mail
        on the day it is sent). Every red flag standing then leads it
        (:func:`runload.assess.with_flags_standing`); only when an entry or a clearance dated
        after ``as_of`` could change that is the later day assessed too."""
        key = (athlete_id, as_of)
        if key not in self._done:
            self._done[key] = assess(self.data(athlete_id), self.book, as_of)
        a = self._done[key]
        if read_on is None or as_of is None or read_on <= as_of:
            return a
        data = self.data(athlete_id)
        if not any(as_of < e.date <= read_on for e in data.pain_entries) and \
                not any(as_of < c.date <= read_on for c in data.clearances):
            return a
        return with_flags_standing(a, self.get(athlete_id, read_on))

    def plan(self, athlete_id: str, as_of: date, *, read_on: date | None = None) -> PlanCheck | None:
        """The check of the athlete's stored plan for the days after ``as_of`` up to the end of
        next week, or None when no plan is stored for them. Read on ``read_on`` under a red flag
        standing then, the plan is refused (see :meth:`get`)."""
        base = self.get(athlete_id, as_of, read_on=read_on)
        key = (athlete_id, as_of, None if base is self.get(athlete_id, as_of) else read_on)
        if key not in self._plans:
            last = week_end_of(as_of, self.book.first_weekday) + timedelta(days=7)
            runs = [p for p in self.data(athlete_id).planned if as_of < p.date <= last]
            self._plans[key] = (check_plan(self.data(athlete_id), self.book, runs, as_of,
                                           baseline=base) if runs else None)
        return self._plans[key]

    def athlete_ids(self) -> list[str]:
        """Every athlete in the store."""
        return [a.id for a in self._store_file().list_athletes()]

    def map(self, fn: Callable[..., T], athlete_ids: Sequence[str], *args: Any, workers: int | None = None
            ) -> list[T]:
        """``fn(assessor, athlete_id, *args)`` for each athlete, in the order given.

        Each athlete is assessed on their own, so with ``workers`` > 1 (default: one per CPU when
        there are more than a few athletes) the athletes are split over the processes of a
        :class:`~runload.batch.engines.ProcessEngine`, each with its own connection to the same
        store file (SQLite allows any number of readers) and the same rulebook; ``fn`` and
        ``args`` must pickle (a module-level function). With one worker, or no store file, it
        all runs here, with this assessor and what it has read and assessed already."""
        ids = list(athlete_ids)
        if workers is None:
            workers = min(os.cpu_count() or 1, len(ids) // PER_WORKER)
        path = str(self.store.path) if isinstance(self.store, Store) else ":memory:"
        if workers <= 1 or path == ":memory:":
            return SerialEngine().map(_for_one, ids, (self, fn, args))
        chunks = [ids[i::workers] for i in range(workers)]
        parts = ProcessEngine(workers).map(_for_part, chunks, (path, self.book, fn, args))
        done = dict(zip((i for chunk in chunks for i in chunk), (x for part in parts for x in part)))
        return [done[i] for i in ids]

    def _store_file(self) -> Store:
        if not isinstance(self.store, Store):
            raise TypeError("this assessor reads no store file")
        return self.store


def _for_one(shared: tuple[Assessor, Callable[..., T], tuple[Any, ...]], athlete_id: str) -> T:
    assessor, fn, args = shared
    return fn(assessor, athlete_id, *args)


def _for_part(shared: tuple[str, Rulebook, Callable[..., T], tuple[Any, ...]], ids: list[str]) -> list[T]:
    """``fn`` for ``ids`` in a worker process, with its own connection to the store: an assessor
    for each athlete, so what was read and assessed for one is not kept (and walked by the
    garbage collector) while the next ones are."""
    path, book, fn, args = shared
    with Store.open(path, create=False) as store:
        ahead = ReadAhead(store, ids)  # a block of athletes read together
        return [fn(Assessor(ahead, book), i, *args) for i in ids]
