"""The start times an import holds in memory say "no stored activity starts in this window" only
when the store's own search finds none there, so skipping that search never misses a stored copy."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from builders import run

from runload.models import Athlete
from runload.store import Store, StoredStarts

UTC = timezone.utc


def _store(tmp_path: Path) -> Store:
    store = Store.open(tmp_path / "s.sqlite")
    store.add_athlete(Athlete(id="a", name="A"))
    with store.atomic() as conn:
        for day in range(1, 28, 3):
            for hour in (6, 18):
                store.insert_activity(conn, "a", run(date(2024, 5, day), 5 + day / 10, hour=hour))
    return store


def test_a_window_holds_a_start_exactly_when_the_search_finds_it(tmp_path: Path) -> None:
    store = _store(tmp_path)
    starts = StoredStarts(store.conn, "a")
    rng = random.Random(7)
    base = datetime(2024, 4, 28, tzinfo=UTC)
    empty = found = 0
    for _ in range(400):
        lo = base + timedelta(minutes=rng.randrange(0, 40 * 24 * 60))
        hi = lo + timedelta(minutes=rng.choice([1, 30, 90, 600, 3000]))
        # the search as an import makes it (started_from: the window's start; no duration to add)
        stored = [a for a in store.activities("a", started_from=lo, start_utc=lo, end_utc=hi, zone="UTC")
                  if a.start_utc < hi]
        if starts.none_within(lo, hi):
            assert stored == []
            empty += 1
        else:
            found += 1
    assert empty and found  # both kinds of window were tried


def test_the_edges_and_what_the_import_adds(tmp_path: Path) -> None:
    store = _store(tmp_path)
    starts = StoredStarts(store.conn, "a")
    first = datetime(2024, 5, 1, 6, tzinfo=UTC)
    assert not starts.none_within(first, first + timedelta(seconds=1))  # a start on the window's first instant
    assert starts.none_within(first - timedelta(hours=1), first)  # ... is not before its end
    later = datetime(2025, 1, 1, tzinfo=UTC)
    assert starts.none_within(later, later + timedelta(hours=1))
    starts.add(later + timedelta(minutes=5))
    assert not starts.none_within(later, later + timedelta(hours=1))
