"""Imports as the store records them, and undoing one: every import gets an id, kept on what it
stored (activities, imported and seen files) and on the rows it replaced (a poorer duplicate of a
richer copy, kept whole), so undoing it removes exactly what it added and puts back what it
replaced."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from datetime import datetime

from runload.errors import InputError, NotFoundError
from runload.store.base import StoreBase, inserted_id
from runload.store.rows import (
    ACTIVITY_METRES,
    ACTIVITY_SECONDS,
    IMPORT_COLUMNS,
    ImportRecord,
    Row,
    UndoResult,
    import_from_row,
    iso,
    utc_now,
)

IMPORT_SELECT = ", ".join(IMPORT_COLUMNS)


class Imports(StoreBase):
    """The store's record of imports."""

    def start_import(self, athlete_id: str, paths: Sequence[str]) -> int:
        """Record the start of an import; returns its id (kept on everything it stores)."""
        self._require_athlete(athlete_id)
        with self.atomic() as conn:
            cur = conn.execute("INSERT INTO imports (athlete_id, started_utc, paths_json) VALUES (?, ?, ?)",
                               (athlete_id, utc_now(), json.dumps(list(paths))))
        return inserted_id(cur)

    def finish_import(self, import_id: int, *, files: int, activities: int, duplicates: int, skipped: int,
                      failed: int) -> None:
        """Record how an import ended (an import killed midway keeps no finish time)."""
        with self.atomic() as conn:
            conn.execute("UPDATE imports SET finished_utc = ?, files = ?, activities = ?, duplicates = ?, skipped = ?,"
                         " failed = ? WHERE id = ?",
                         (utc_now(), files, activities, duplicates, skipped, failed, import_id))

    def activity_totals(self, conn: sqlite3.Connection, athlete_id: str, started_from: datetime,
                        before: datetime) -> tuple[float, float]:
        """(metres, seconds): at most how far and how long the athlete's activities that started
        in [started_from, before) went together, whatever their sport (inside the caller's
        transaction). Each counts its larger distance (recorded or corrected) and its longer time
        (timer or elapsed): a bound no sum of some of them, as read, can exceed, so an import
        learns cheaply that a file's days and weeks cannot be impossible."""
        metres, seconds = conn.execute(
            f"SELECT TOTAL({ACTIVITY_METRES}), TOTAL({ACTIVITY_SECONDS}) FROM activities"
            " WHERE athlete_id = ? AND start_utc >= ? AND start_utc < ?",
            (athlete_id, iso(started_from), iso(before))).fetchone()
        return float(metres), float(seconds)

    def imports(self, athlete_id: str) -> list[ImportRecord]:
        """The athlete's imports, oldest first (undone ones too)."""
        self._require_athlete(athlete_id)
        rows = self.conn.execute(f"SELECT {IMPORT_SELECT} FROM imports WHERE athlete_id = ? ORDER BY id",
                                 (athlete_id,)).fetchall()
        return [self._import_record(r) for r in rows]

    def get_import(self, import_id: int) -> ImportRecord:
        """One import, or :class:`NotFoundError`."""
        row = self.conn.execute(f"SELECT {IMPORT_SELECT} FROM imports WHERE id = ?", (import_id,)).fetchone()
        if row is None:
            raise NotFoundError(f"no import with id {import_id} (see: runload import list --athlete ID)")
        return self._import_record(row)

    def _import_record(self, row: Row) -> ImportRecord:
        iid = int(row[0])
        stored, corrected = self.conn.execute(
            "SELECT count(*), count(corrected_utc) FROM activities WHERE import_id = ?", (iid,)).fetchone()
        replaced = self.conn.execute("SELECT count(*) FROM replaced_activities WHERE import_id = ?",
                                     (iid,)).fetchone()[0]
        return import_from_row(row, int(stored), int(corrected), int(replaced))

    def undo_import(self, import_id: int) -> UndoResult:
        """Remove exactly what import ``import_id`` added (its activities, the files it made
        known) and put back the activities it replaced as duplicates, all or nothing.

        An activity the import stored that a later import has since replaced is already gone;
        its kept copy is dropped too, so undoing that later import cannot bring it back."""
        rec = self.get_import(import_id)
        if rec.undone_utc:
            raise InputError(f"import {import_id} was already undone ({rec.undone_utc})")
        with self.atomic() as conn:
            removed = conn.execute("DELETE FROM activities WHERE import_id = ?", (import_id,)).rowcount
            conn.execute("DELETE FROM replaced_activities WHERE stored_by = ?", (import_id,))
            restored = 0
            for (row_json,) in conn.execute("SELECT row_json FROM replaced_activities WHERE import_id = ? "
                                            "ORDER BY activity_id", (import_id,)).fetchall():
                d = json.loads(row_json)
                if conn.execute("SELECT 1 FROM activities WHERE id = ?", (d["id"],)).fetchone():
                    d.pop("id")  # the id was taken since: the row comes back under a new one
                if d.get("import_id") is not None and not conn.execute(
                        "SELECT 1 FROM imports WHERE id = ?", (d["import_id"],)).fetchone():
                    d["import_id"] = None
                cols = list(d)
                conn.execute(f"INSERT INTO activities ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
                             [d[c] for c in cols])
                restored += 1
            conn.execute("DELETE FROM replaced_activities WHERE import_id = ?", (import_id,))
            files = conn.execute("DELETE FROM imported_files WHERE import_id = ?", (import_id,)).rowcount
            conn.execute("DELETE FROM seen_files WHERE import_id = ?", (import_id,))
            # an archive another import remembered as fully imported may hold files whose content
            # only this import had stored: archives are opened again (their known members skipped)
            conn.execute("DELETE FROM seen_files WHERE athlete_id = ? AND source_hash IS NULL", (rec.athlete_id,))
            conn.execute("UPDATE imports SET undone_utc = ? WHERE id = ?", (utc_now(), import_id))
        return UndoResult(import_id, rec.athlete_id, removed, restored, files)
