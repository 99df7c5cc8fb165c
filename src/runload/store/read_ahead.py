"""Athletes read ahead: a worker that assesses many athletes one after another (a roster's)
reads them a block at a time, each table in one query for the whole block
(:meth:`runload.store.Store.athletes_data`), instead of a query per table for each athlete.
"""

from __future__ import annotations

from collections.abc import Sequence

from runload.models import AthleteData
from runload.store.queries import Store

BLOCK = 32  # athletes read together: the queries' cost spread thin, little held at a time


class ReadAhead:
    """Answers :meth:`athlete_data` as ``store`` does, for ``athlete_ids`` asked in that order:
    each block of them read together when its first athlete is asked for, each athlete's data
    handed out once (for a reader that only reads, and asks for each athlete once). An athlete
    asked out of that order is read on their own; so is one whose assessment reads laps (the
    blocks read none)."""

    def __init__(self, store: Store, athlete_ids: Sequence[str], block: int = BLOCK) -> None:
        self.store = store
        self.ids = list(athlete_ids)
        self.block = max(1, block)
        self._next = 0  # the first of ``ids`` not read yet
        self._ahead: dict[str, AthleteData] = {}

    def athlete_data(self, athlete_id: str, *, laps: bool = True) -> AthleteData:
        ahead = self._ahead.pop(athlete_id, None)
        if laps:
            return self.store.athlete_data(athlete_id, laps=True)
        if ahead is not None:
            return ahead
        if self._next < len(self.ids) and self.ids[self._next] == athlete_id:
            ids = self.ids[self._next:self._next + self.block]
            self._next += len(ids)
            self._ahead = self.store.athletes_data(ids, laps=False)
            return self._ahead.pop(athlete_id)
        return self.store.athlete_data(athlete_id, laps=False)
