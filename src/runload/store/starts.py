"""The start times of an athlete's stored activities, held in memory while an import writes.

An import searches the store for a stored copy of every run it reads (a query each): a run whose
search window holds no stored start has no candidate, and its search is skipped. The times are
compared as the store keeps them (:func:`runload.store.rows.iso`: text order is time order), so
"none in the window" here means the search would find nothing. The set is read when a
transaction begins (under the write lock: exact until its commit) and grows with each activity
the import stores; one the import removes stays in it, which costs a search, never a copy.
"""

from __future__ import annotations

import sqlite3
from bisect import bisect_left, insort
from datetime import datetime

from runload.store.rows import iso


class StoredStarts:
    """The stored start times of one athlete's activities, in order."""

    def __init__(self, conn: sqlite3.Connection, athlete_id: str) -> None:
        rows = conn.execute("SELECT start_utc FROM activities WHERE athlete_id = ? ORDER BY start_utc", (athlete_id,))
        self._texts: list[str] = [r[0] for r in rows]

    def add(self, start: datetime) -> None:
        """An activity starting at ``start`` was stored."""
        insort(self._texts, iso(start))

    def none_within(self, lo: datetime, hi: datetime) -> bool:
        """Whether no stored activity starts at or after ``lo`` and before ``hi``."""
        at = bisect_left(self._texts, iso(lo))
        return at == len(self._texts) or self._texts[at] >= iso(hi)


__all__ = ["StoredStarts"]
