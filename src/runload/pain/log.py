"""Storing pain entries: add one, import a CSV file (all rows or none, twice adds nothing), edit,
delete. The command line calls these; they raise :class:`runload.errors.RunloadError` subclasses.

Each check reads only the days it concerns (the store's index on athlete and date), never the
whole log, so adding an entry stays quick however long the log grows.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from runload.errors import InputError, printable
from runload.models import PainEntry
from runload.pain.entries import FieldError, entry_key, make_entry, read_csv
from runload.store import Store

# A day holds at most this many entries for each leg (left, right, both, or not said): during,
# after and next morning fit in one entry, so four leave room for a second time of day and
# corrections; more is a script gone wrong, and would swamp the day's scores.
MAX_ENTRIES_PER_DAY = 4


def _side_words(side: str | None) -> str:
    return f"the {side} leg" if side in ("left", "right") else "both legs" if side == "both" else "no leg named"


def _per_day_error(day: date, side: str | None) -> InputError:
    return InputError(f"{day.isoformat()} already has {MAX_ENTRIES_PER_DAY} entries for {_side_words(side)}; "
                      f"at most {MAX_ENTRIES_PER_DAY} a day for each leg (change one instead: runload pain edit ID)")


def add_entry(store: Store, athlete_id: str, entry: PainEntry, *, source: str = "cli") -> int:
    """Store one entry; an entry identical to a stored one is refused (it would count twice), and
    so is a fifth entry for the same day and leg."""
    store.get_athlete(athlete_id)
    with store.atomic() as conn:
        same_day = store.pain_entries(athlete_id, start=entry.date, end=entry.date)
        for e in same_day:
            if entry_key(e) == entry_key(entry):
                raise InputError(f"the same entry is already stored (id {e.id})")
        if sum(e.side == entry.side for e in same_day) >= MAX_ENTRIES_PER_DAY:
            raise _per_day_error(entry.date, entry.side)
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
    nothing. A file that would give a day more than :data:`MAX_ENTRIES_PER_DAY` entries for one
    leg is refused at the line that goes over.
    """
    store.get_athlete(athlete_id)
    rows = read_csv(path)
    added: list[int] = []
    skipped: list[int] = []
    with store.atomic() as conn:
        stored = _stored(store, athlete_id, (e.date for _, e in rows))
        keys = {entry_key(e) for e in stored}
        per_day = Counter((e.date, e.side) for e in stored)
        new: list[PainEntry] = []
        for line, entry in rows:
            key = entry_key(entry)
            if key in keys:
                skipped.append(line)
                continue
            keys.add(key)
            per_day[(entry.date, entry.side)] += 1
            if per_day[(entry.date, entry.side)] > MAX_ENTRIES_PER_DAY:
                raise InputError(f"{entry.date.isoformat()} would have more than {MAX_ENTRIES_PER_DAY} entries for "
                                 f"{_side_words(entry.side)} (with those stored); at most {MAX_ENTRIES_PER_DAY} a "
                                 f"day for each leg", path=path, line=line, column="date")
            new.append(entry)
        source = f"csv:{printable(Path(path).name)}"
        for entry in new:
            added.append(-1 if dry_run else store.insert_pain_entry(conn, athlete_id, entry, source))
    return PainImport(printable(str(path)), len(rows), tuple(added), tuple(skipped))


def edit_entry(store: Store, entry_id: int, values: Mapping[str, object]) -> PainEntry:
    """Change the given fields of a stored entry; returns the entry as stored now."""
    athlete_id, old = store.get_pain_entry(entry_id)
    try:
        new = make_entry(values, base=old)
    except FieldError as exc:
        raise InputError(f"{exc.field}: {exc}") from None
    same_day = [e for e in store.pain_entries(athlete_id, start=new.date, end=new.date) if e.id != entry_id]
    for e in same_day:
        if entry_key(e) == entry_key(new):
            raise InputError(f"entry {entry_id} would become the same as entry {e.id}")
    if sum(e.side == new.side for e in same_day) >= MAX_ENTRIES_PER_DAY:
        raise _per_day_error(new.date, new.side)
    store.update_pain_entry(entry_id, new)
    return store.get_pain_entry(entry_id)[1]


def delete_entry(store: Store, entry_id: int) -> tuple[str, PainEntry]:
    """Delete a stored entry; returns (athlete id, the deleted entry)."""
    athlete_id, _ = store.get_pain_entry(entry_id)
    return athlete_id, store.delete_pain_entry(entry_id)


def _stored(store: Store, athlete_id: str, days: Iterable[date]) -> list[PainEntry]:
    """The stored entries on the days of ``days`` (one query over their span, then filtered)."""
    wanted = set(days)
    if not wanted:
        return []
    return [e for e in store.pain_entries(athlete_id, start=min(wanted), end=max(wanted)) if e.date in wanted]
