"""The start times an import holds in memory say "no stored activity starts in this window" only
when the store's own search finds none there, so skipping that search never misses a stored copy."""

from __future__ import annotations

import random
from dataclasses import replace
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
    starts.add(run(date(2025, 1, 1), 5, hour=0))  # 00:00 UTC: inside the hour
    assert not starts.none_within(later, later + timedelta(hours=1))


def test_the_totals_held_are_the_stores_or_more(tmp_path: Path) -> None:
    """Stored, corrected and removed activities in random order: the totals held in memory are the
    store's own totals (the same sums while nothing is removed; at least them once something is),
    or unknown after a stored row changed."""
    rng = random.Random(11)
    base = datetime(2024, 5, 1, tzinfo=UTC)
    compared = 0
    for trial in range(6):
        store = Store.open(tmp_path / f"t{trial}.sqlite")
        store.add_athlete(Athlete(id="a", name="A"))
        store.begin()
        ids = [store.insert_activity(store.conn, "a", run(date(2024, 5, day), day / 3, hour=6)) for day in (2, 9)]
        starts = StoredStarts(store.conn, "a")
        removed = False
        for _ in range(60):
            what = rng.random()
            if what < 0.7:
                day, hour = rng.randrange(1, 28), rng.choice([6, 6, 7, 18])  # some start together
                act = run(date(2024, 5, day), rng.choice([0.0, 0.4, 5, 12.3, 42.2]), hour=hour,
                          minutes=rng.choice([None, 0.5, 30, 200]))
                act = replace(act, source_hash=f"h{rng.random()}", elapsed_s=rng.choice([None, 100.0, 9_000.0]))
                ids.append(store.insert_activity(store.conn, "a", act, checked=True))  # any values
                starts.add(act)
            elif what < 0.85 and ids:
                store.delete_activity(store.conn, ids.pop(rng.randrange(len(ids))))
                removed = True
            elif ids and trial >= 4:  # the last trials: a stored distance corrected
                store.conn.execute("UPDATE activities SET distance_m_corrected = ? WHERE id = ?",
                                   (rng.choice([None, 1.0, 99_000.0]), rng.choice(ids)))
                starts.rows_changed()
            lo = base + timedelta(hours=rng.randrange(-48, 30 * 24))
            hi = lo + timedelta(hours=rng.choice([1, 12, 200, 500]))
            held = starts.totals(lo, hi)
            if held is None:
                assert trial >= 4
                break
            compared += 1
            stored = store.activity_totals(store.conn, "a", lo, hi)
            if removed:
                assert held[0] >= stored[0] and held[1] >= stored[1]
            else:
                assert held == stored
        store.rollback()
        store.close()
    assert compared > 250
