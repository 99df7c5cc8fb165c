"""Storing pain entries: add one, import a CSV file (all rows or none, twice adds nothing), edit,
delete. The command line calls these; they raise :class:`runload.errors.RunloadError` subclasses.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from runload.errors import InputError, printable
from runload.models import PainEntry
from runload.pain.entries import FieldError, entry_key, make_entry, read_csv
from runload.store import Store


def add_entry(store: Store, athlete_id: str, entry: PainEntry, *, source: str = "cli") -> int:
    """Store one entry; an entry identical to a stored one is refused (it would count twice)."""
    store.get_athlete(athlete_id)
    with store.transaction() as conn:
        same = _stored_keys(store, athlete_id).get(entry_key(entry))
        if same is not None:
            raise InputError(f"the same entry is already stored (id {same})")
        return store.insert_pain_entry(conn, athlete_id, entry, source)


@dataclass(frozen=True)
class PainImport:
    """What importing a pain CSV did: rows read, ids added, and the lines already stored."""

    path: str
    rows: int
    added: tuple[int, ...]
    skipped_lines: tuple[int, ...]


def import_csv(store: Store, athlete_id: str, path: str | Path, *, dry_run: bool = False) -> PainImport:
    """Import a pain-log CSV (columns: see :mod:`runload.pain.entries`).

    Every row is checked before anything is stored; a bad value raises :class:`InputError` with
    the file, line and column, and nothing from the file is stored. Rows identical to an entry
    already stored (or to an earlier row of the file) are skipped, so importing a file twice adds
    nothing.
    """
    store.get_athlete(athlete_id)
    rows = read_csv(path)
    added: list[int] = []
    skipped: list[int] = []
    with store.transaction() as conn:
        keys = _stored_keys(store, athlete_id)
        for line, entry in rows:
            key = entry_key(entry)
            if key in keys:
                skipped.append(line)
                continue
            keys[key] = -1
            if not dry_run:
                added.append(store.insert_pain_entry(conn, athlete_id, entry, f"csv:{printable(Path(path).name)}"))
            else:
                added.append(-1)
    return PainImport(printable(str(path)), len(rows), tuple(added), tuple(skipped))


def edit_entry(store: Store, entry_id: int, values: Mapping[str, Any]) -> PainEntry:
    """Change the given fields of a stored entry; returns the entry as stored now."""
    athlete_id, old = store.get_pain_entry(entry_id)
    try:
        new = make_entry(values, base=old)
    except FieldError as exc:
        raise InputError(f"{exc.field}: {exc}") from None
    same = _stored_keys(store, athlete_id).get(entry_key(new))
    if same is not None and same != entry_id:
        raise InputError(f"entry {entry_id} would become the same as entry {same}")
    store.update_pain_entry(entry_id, new)
    return store.get_pain_entry(entry_id)[1]


def delete_entry(store: Store, entry_id: int) -> tuple[str, PainEntry]:
    """Delete a stored entry; returns (athlete id, the deleted entry)."""
    athlete_id, _ = store.get_pain_entry(entry_id)
    return athlete_id, store.delete_pain_entry(entry_id)


def _stored_keys(store: Store, athlete_id: str) -> dict[str, int]:
    # A pain log holds at most a few entries a day, so fingerprinting all of them is cheap and
    # needs no schema change for stores that already hold entries.
    return {entry_key(e): int(e.id or 0) for e in store.pain_entries(athlete_id)}
