"""The store owns its transactions: one nested ``atomic()``."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from runload.models import Athlete, PainEntry
from runload.store import Store


def entries(store: Store) -> list[date]:
    return [e.date for e in store.pain_entries("ana")]


def test_nested_atomic_undoes_only_the_inner_part(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "s.sqlite")
    store.add_athlete(Athlete("ana", "Ana"))
    with store.atomic() as conn:
        store.insert_pain_entry(conn, "ana", PainEntry(date(2026, 5, 1), pain_after=2))
        with pytest.raises(ValueError), store.atomic():
            store.insert_pain_entry(conn, "ana", PainEntry(date(2026, 5, 2), pain_after=3))
            raise ValueError("this part fails")
        with store.atomic():
            store.insert_pain_entry(conn, "ana", PainEntry(date(2026, 5, 3), pain_after=4))
    assert entries(store) == [date(2026, 5, 1), date(2026, 5, 3)]
    with pytest.raises(RuntimeError), store.atomic() as conn:
        store.insert_pain_entry(conn, "ana", PainEntry(date(2026, 5, 4), pain_after=1))
        raise RuntimeError("the whole transaction fails")
    assert entries(store) == [date(2026, 5, 1), date(2026, 5, 3)]
    assert not store.in_transaction
    # another connection sees only what was committed
    other = Store.open(tmp_path / "s.sqlite")
    assert entries(other) == [date(2026, 5, 1), date(2026, 5, 3)]


def test_a_read_checks_only_rows_that_did_not_come_through_the_door(tmp_path: Path) -> None:
    """Rows stored through the door (schema 10's ``door_checked``) are read as they are; a row
    an older runload wrote (or one written past the door) is still checked on every read: a run
    of an impossible distance is left out, as is a start in the year 9019."""
    from datetime import datetime, timezone

    from runload.models import Activity, Sport

    store = Store.open(tmp_path / "s.sqlite")
    store.add_athlete(Athlete("ana", "Ana", timezone="UTC"))
    start = datetime(2026, 5, 1, 7, tzinfo=timezone.utc)
    with store.atomic() as conn:
        store.insert_activity(conn, "ana", Activity(start, Sport.RUNNING, 10_000.0, timer_s=3000.0, source_hash="a"))
        store.insert_activity(conn, "ana", Activity(start.replace(day=2), Sport.RUNNING, 8_000.0, timer_s=2400.0,
                                                    source_hash="b"))
    assert [r[0] for r in store.conn.execute("SELECT door_checked FROM activities ORDER BY id")] == [1, 1]
    with store.atomic() as conn:  # what an older runload could have left: past the door
        conn.execute("UPDATE activities SET distance_m = 9e9, door_checked = 0 WHERE source_hash = 'b'")
    assert [a.source_hash for a in store.activities("ana")] == ["a"]
    with store.atomic() as conn:
        conn.execute("UPDATE activities SET start_utc = '9019-05-01T07:00:00+00:00' WHERE source_hash = 'a'")
    assert store.activities("ana") == []
    store.close()


def test_laps_given_as_text_are_stored_as_given_and_only_once_checked(tmp_path: Path) -> None:
    """An importer whose laps came as the store's text (checked where they were read) passes the
    text with ``checked``; without it, the door refuses the text it cannot check."""
    from datetime import datetime, timezone

    from runload.models import Activity, Lap, Sport
    from runload.store.rows import laps_json

    store = Store.open(tmp_path / "s.sqlite")
    store.add_athlete(Athlete("ana", "Ana", timezone="UTC"))
    start = datetime(2026, 5, 1, 7, tzinfo=timezone.utc)
    laps = (Lap(start, 1000.0, 300.0, 150.0), Lap(start.replace(minute=5), 1000.0, 290.0, 155.0))
    run = Activity(start, Sport.RUNNING, 2000.0, timer_s=590.0, source_hash="a")
    with store.atomic() as conn:
        with pytest.raises(ValueError, match="checked=True"):
            store.insert_activity(conn, "ana", run, laps_text=laps_json(laps))
        store.insert_activity(conn, "ana", run, checked=True, laps_text=laps_json(laps))
    assert [a.laps for a in store.activities("ana")] == [laps]
    store.close()
