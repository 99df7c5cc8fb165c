"""Sources that sync: folders (or files) an athlete's watch or app syncs to, imported by
``runload sync``."""

from __future__ import annotations

from runload.errors import InputError, NotFoundError
from runload.store.base import StoreBase, inserted_id
from runload.store.rows import SOURCE_COLUMNS, Source, source_from_row, utc_now

SOURCE_SELECT = ", ".join(SOURCE_COLUMNS)


class Sources(StoreBase):
    """The store's sources that sync."""

    def add_source(self, athlete_id: str, path: str) -> Source:
        """Add a folder (or file) that ``runload sync`` imports for the athlete; the same path
        twice for one athlete, or a path another athlete already syncs, is an :class:`InputError`."""
        self._require_athlete(athlete_id)
        with self.atomic() as conn:
            row = conn.execute("SELECT athlete_id FROM sources WHERE path = ? ORDER BY athlete_id",
                               (path,)).fetchone()
            if row is not None:
                whose = "this athlete" if row[0] == athlete_id else f"athlete '{row[0]}'"
                raise InputError(f"is already a source of {whose} (see: runload source list)", path=path)
            cur = conn.execute("INSERT INTO sources (athlete_id, path, added_utc) VALUES (?, ?, ?)",
                               (athlete_id, path, utc_now()))
        return self.get_source(inserted_id(cur))

    def get_source(self, source_id: int) -> Source:
        """One source by id, or :class:`NotFoundError`."""
        row = self.conn.execute(f"SELECT {SOURCE_SELECT} FROM sources WHERE id = ?", (source_id,)).fetchone()
        if row is None:
            raise NotFoundError(f"no source with id {source_id} (see: runload source list)")
        return source_from_row(row)

    def sources(self, athlete_id: str | None = None) -> list[Source]:
        """Every source (or one athlete's), by athlete, then in the order they were added."""
        if athlete_id is not None:
            self._require_athlete(athlete_id)
            rows = self.conn.execute(f"SELECT {SOURCE_SELECT} FROM sources WHERE athlete_id = ? ORDER BY id",
                                     (athlete_id,)).fetchall()
        else:
            rows = self.conn.execute(f"SELECT {SOURCE_SELECT} FROM sources ORDER BY athlete_id, id").fetchall()
        return [source_from_row(r) for r in rows]

    def remove_source(self, athlete_id: str, path: str) -> Source:
        """Stop syncing ``path`` for the athlete (what it imported stays); returns what was removed."""
        self._require_athlete(athlete_id)
        row = self.conn.execute(f"SELECT {SOURCE_SELECT} FROM sources WHERE athlete_id = ? AND path = ?",
                                (athlete_id, path)).fetchone()
        if row is None:
            raise NotFoundError(f"is not a source of athlete '{athlete_id}' (see: runload source list)", path=path)
        with self.atomic() as conn:
            conn.execute("DELETE FROM sources WHERE id = ?", (row[0],))
        return source_from_row(row)

    def record_sync(self, source_id: int, result: str) -> None:
        """Remember when a source was last synced and what that sync did (in words)."""
        with self.atomic() as conn:
            conn.execute("UPDATE sources SET last_sync_utc = ?, last_result = ? WHERE id = ?",
                         (utc_now(), result, source_id))
