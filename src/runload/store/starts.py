"""The start times of an athlete's stored activities, held in memory while an import writes,
with how far and how long each went.

An import searches the store for a stored copy of every run it reads (a query each): a run whose
search window holds no stored start has no candidate, and its search is skipped. The times are
compared as the store keeps them (:func:`runload.store.rows.iso`: text order is time order), so
"none in the window" here means the search would find nothing. The set is read when a
transaction begins (under the write lock: exact until its commit) and grows with each activity
the import stores; one the import removes stays in it, which costs a search, never a copy.

Each start keeps the activity's distance and time as
:meth:`runload.store.imports.Imports.activity_totals` counts them (the same SQL reads them), so the
totals of a window come from memory: at least what that query would answer (an activity removed
since still counts), so a file judged "surely under a day's and a week's limits" by them is
under them by the store's own totals too. A stored row changed otherwise (a person's corrections
carried to a new copy) leaves the totals unknown until the next transaction.
"""

from __future__ import annotations

import sqlite3
from bisect import bisect_left, bisect_right
from datetime import datetime

from runload.models import Activity
from runload.store.rows import ACTIVITY_METRES, ACTIVITY_SECONDS, iso


class StoredStarts:
    """The stored start times of one athlete's activities, in order, with their distances and
    times."""

    def __init__(self, conn: sqlite3.Connection, athlete_id: str) -> None:
        rows = conn.execute(f"SELECT start_utc, CAST({ACTIVITY_METRES} AS REAL), CAST({ACTIVITY_SECONDS} AS REAL)"
                            " FROM activities WHERE athlete_id = ? ORDER BY start_utc", (athlete_id,)).fetchall()
        self._texts: list[str] = [r[0] for r in rows]
        self._metres: list[float] = [r[1] for r in rows]
        self._seconds: list[float] = [r[2] for r in rows]
        self._totals_known = True

    def add(self, activity: Activity) -> None:
        """``activity`` was stored (as :meth:`runload.store.Store.insert_activity` stores it)."""
        text = iso(activity.start_utc)
        at = bisect_right(self._texts, text)  # after those starting at the same time: stored later
        self._texts.insert(at, text)
        # the columns as the store writes them, counted as ACTIVITY_METRES and ACTIVITY_SECONDS count
        # them (no correction yet; the door let no NaN or infinity in)
        self._metres.insert(at, max(float(activity.distance_m), 0.0))
        self._seconds.insert(at, max(activity.timer_s or 0.0, activity.elapsed_s or 0.0, 0.0))

    def rows_changed(self) -> None:
        """A stored activity's distance may have changed (not by :meth:`add`): totals unknown."""
        self._totals_known = False

    def none_within(self, lo: datetime, hi: datetime) -> bool:
        """Whether no stored activity starts at or after ``lo`` and before ``hi``."""
        at = bisect_left(self._texts, iso(lo))
        return at == len(self._texts) or self._texts[at] >= iso(hi)

    def totals(self, started_from: datetime, before: datetime) -> tuple[float, float] | None:
        """(metres, seconds) of the activities that started in [started_from, before), at least
        what :meth:`runload.store.imports.Imports.activity_totals` answers; None when unknown."""
        if not self._totals_known:
            return None
        lo = bisect_left(self._texts, iso(started_from))
        hi = bisect_left(self._texts, iso(before), lo)
        return sum(self._metres[lo:hi], 0.0), sum(self._seconds[lo:hi], 0.0)


__all__ = ["StoredStarts"]
