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
