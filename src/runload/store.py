"""The store: one SQLite file holding athletes, activities, pain entries and what was sent.

The schema is versioned with ``PRAGMA user_version``; ``MIGRATIONS`` lists the steps from one
version to the next and runs the missing ones when a store is opened. A store written by a newer
runload is refused rather than guessed at. Raw facts are kept (source file, content hash, sport as
recorded) so derived numbers can always be rebuilt.
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, fields, replace
from datetime import date, datetime, timezone
from pathlib import Path

from runload import bounds
from runload.calendar import with_zone_offset
from runload.errors import InputError, NotFoundError, StoreError
from runload.models import HR_BIN_BPM, Activity, Athlete, AthleteData, Clearance, Lap, PainEntry, PlannedRun, Shoe, Sport

# Each entry upgrades the store by one version. Never edit a released step: append a new one.
MIGRATIONS: list[str] = [
    # 1: the first schema
    """
    CREATE TABLE athletes (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        email TEXT,
        timezone TEXT NOT NULL DEFAULT 'UTC',
        sex TEXT,
        birth_year INTEGER,
        hr_rest_bpm INTEGER,
        hr_max_bpm INTEGER,
        previous_injuries TEXT NOT NULL DEFAULT '[]',
        units TEXT NOT NULL DEFAULT 'km',
        created_utc TEXT NOT NULL
    );
    CREATE TABLE activities (
        id INTEGER PRIMARY KEY,
        athlete_id TEXT NOT NULL REFERENCES athletes(id) ON DELETE CASCADE,
        start_utc TEXT NOT NULL,
        end_utc TEXT NOT NULL,
        utc_offset_s INTEGER,
        sport TEXT NOT NULL,
        sub_sport TEXT,
        sport_inferred INTEGER NOT NULL DEFAULT 0,
        distance_m REAL NOT NULL,
        distance_source TEXT NOT NULL DEFAULT 'summary',
        timer_s REAL,
        elapsed_s REAL,
        elevation_gain_m REAL,
        avg_hr_bpm REAL,
        max_hr_bpm REAL,
        avg_cadence_spm REAL,
        device TEXT,
        name TEXT,
        gear TEXT,
        laps_json TEXT NOT NULL DEFAULT '[]',
        hr_zone_json TEXT NOT NULL DEFAULT '{}',
        warnings_json TEXT NOT NULL DEFAULT '[]',
        source_file TEXT,
        source_hash TEXT,
        leg_index INTEGER NOT NULL DEFAULT 0,
        imported_utc TEXT NOT NULL,
        UNIQUE (athlete_id, source_hash, leg_index)
    );
    CREATE INDEX activities_by_time ON activities (athlete_id, start_utc);
    CREATE TABLE imported_files (
        athlete_id TEXT NOT NULL REFERENCES athletes(id) ON DELETE CASCADE,
        source_hash TEXT NOT NULL,
        source_file TEXT NOT NULL,
        outcome TEXT NOT NULL,
        detail TEXT,
        imported_utc TEXT NOT NULL,
        PRIMARY KEY (athlete_id, source_hash)
    );
    CREATE TABLE pain_entries (
        id INTEGER PRIMARY KEY,
        athlete_id TEXT NOT NULL REFERENCES athletes(id) ON DELETE CASCADE,
        date TEXT NOT NULL,
        side TEXT,
        location TEXT NOT NULL DEFAULT 'back',
        pain_during INTEGER,
        pain_after INTEGER,
        pain_next_morning INTEGER,
        stiffness INTEGER,
        swelling TEXT NOT NULL DEFAULT 'none',
        popping INTEGER NOT NULL DEFAULT 0,
        giving_way INTEGER NOT NULL DEFAULT 0,
        locking INTEGER NOT NULL DEFAULT 0,
        numbness_tingling INTEGER NOT NULL DEFAULT 0,
        deformity INTEGER NOT NULL DEFAULT 0,
        cannot_bend_straighten INTEGER NOT NULL DEFAULT 0,
        cannot_bear_weight INTEGER NOT NULL DEFAULT 0,
        calf_swelling_redness_warmth INTEGER NOT NULL DEFAULT 0,
        breathless_chest_pain INTEGER NOT NULL DEFAULT 0,
        fever INTEGER NOT NULL DEFAULT 0,
        relieved_by_rest INTEGER,
        notes TEXT NOT NULL DEFAULT '',
        source TEXT,
        created_utc TEXT NOT NULL
    );
    CREATE INDEX pain_by_date ON pain_entries (athlete_id, date);
    CREATE TABLE coaches (
        id TEXT PRIMARY KEY,
        name TEXT,
        email TEXT NOT NULL
    );
    CREATE TABLE coach_athletes (
        coach_id TEXT NOT NULL REFERENCES coaches(id) ON DELETE CASCADE,
        athlete_id TEXT NOT NULL REFERENCES athletes(id) ON DELETE CASCADE,
        PRIMARY KEY (coach_id, athlete_id)
    );
    CREATE TABLE sent_log (
        recipient TEXT NOT NULL,
        subject_kind TEXT NOT NULL,
        subject_id TEXT NOT NULL,
        week TEXT NOT NULL,
        state TEXT NOT NULL,
        message_id TEXT,
        updated_utc TEXT NOT NULL,
        PRIMARY KEY (recipient, subject_kind, subject_id, week)
    );
    """,
    # 2: what each imported path looked like (size and mtime, or zip size and CRC), so a re-import
    # skips unchanged files without reading them; archives fully imported are kept as one row.
    """
    CREATE TABLE seen_files (
        athlete_id TEXT NOT NULL REFERENCES athletes(id) ON DELETE CASCADE,
        path TEXT NOT NULL,
        fingerprint TEXT NOT NULL,
        source_hash TEXT,
        members INTEGER NOT NULL DEFAULT 1,
        PRIMARY KEY (athlete_id, path)
    );
    """,
    # 3: clearances of the pain log's red flags (runload pain clear): a red flag dated on or
    # before a clearance is resolved.
    """
    CREATE TABLE pain_clearances (
        id INTEGER PRIMARY KEY,
        athlete_id TEXT NOT NULL REFERENCES athletes(id) ON DELETE CASCADE,
        date TEXT NOT NULL,
        cleared_by TEXT NOT NULL DEFAULT 'clinician',
        note TEXT NOT NULL DEFAULT '',
        created_utc TEXT NOT NULL
    );
    CREATE INDEX clearances_by_date ON pain_clearances (athlete_id, date);
    """,
    # 4: the sent-log keeps who holds a claim (host:process, so the claim of a run that was killed
    # can be taken over at once) and why the last try failed; a failed try keeps its row and
    # Message-ID, so every retry of a message carries the same Message-ID.
    """
    ALTER TABLE sent_log ADD COLUMN owner TEXT;
    ALTER TABLE sent_log ADD COLUMN detail TEXT;
    """,
    # 5: session RPE (0-10, CR-10) as the watch or an export recorded it, and planned runs (a
    # plan is never stored as activities: runload plan set/show/clear).
    """
    ALTER TABLE activities ADD COLUMN rpe REAL;
    CREATE TABLE planned_runs (
        athlete_id TEXT NOT NULL REFERENCES athletes(id) ON DELETE CASCADE,
        date TEXT NOT NULL,
        seq INTEGER NOT NULL DEFAULT 0,
        distance_km REAL NOT NULL,
        duration_min REAL,
        kind TEXT NOT NULL DEFAULT 'easy',
        rpe REAL,
        notes TEXT NOT NULL DEFAULT '',
        created_utc TEXT NOT NULL,
        PRIMARY KEY (athlete_id, date, seq)
    );
    """,
    # 6: sources that sync: folders (or files) an athlete's watch or app syncs to, imported by
    # `runload sync`; each keeps when it was last synced and what that sync did, in words.
    """
    CREATE TABLE sources (
        id INTEGER PRIMARY KEY,
        athlete_id TEXT NOT NULL REFERENCES athletes(id) ON DELETE CASCADE,
        path TEXT NOT NULL,
        added_utc TEXT NOT NULL,
        last_sync_utc TEXT,
        last_result TEXT,
        UNIQUE (athlete_id, path)
    );
    """,
    # 7: the width of an activity's heart-rate bins (hr_zone_json). Importers now keep each
    # record's bpm (1-bpm bins), so TRIMP and heart-rate zones are exact; rows stored before
    # hold 5-bpm bins keyed by their lower edge, read at their middle until the file is imported
    # again (the report says so).
    """
    ALTER TABLE activities ADD COLUMN hr_bin_bpm INTEGER NOT NULL DEFAULT 5;
    """,
    # 8: the record kept straight. Every import gets an id, kept on what it stored (activities,
    # imported and seen files) and on the rows it replaced (a poorer duplicate of a richer
    # copy), kept whole in replaced_activities, so `runload import undo` removes exactly what
    # it added and puts back what it replaced. A person's correction of an activity is kept
    # beside the recorded value (*_corrected). Shoes: a name, the distance it had before
    # runload and the one to retire it at; gear_assigned is the athlete's default shoe given
    # at import to a run whose file named none (gear stays what the file recorded).
    """
    CREATE TABLE imports (
        id INTEGER PRIMARY KEY,
        athlete_id TEXT NOT NULL REFERENCES athletes(id) ON DELETE CASCADE,
        started_utc TEXT NOT NULL,
        finished_utc TEXT,
        paths_json TEXT NOT NULL DEFAULT '[]',
        files INTEGER NOT NULL DEFAULT 0,
        activities INTEGER NOT NULL DEFAULT 0,
        duplicates INTEGER NOT NULL DEFAULT 0,
        skipped INTEGER NOT NULL DEFAULT 0,
        failed INTEGER NOT NULL DEFAULT 0,
        undone_utc TEXT
    );
    CREATE INDEX imports_by_athlete ON imports (athlete_id, id);
    ALTER TABLE activities ADD COLUMN import_id INTEGER REFERENCES imports(id) ON DELETE SET NULL;
    ALTER TABLE imported_files ADD COLUMN import_id INTEGER REFERENCES imports(id) ON DELETE SET NULL;
    ALTER TABLE seen_files ADD COLUMN import_id INTEGER REFERENCES imports(id) ON DELETE SET NULL;
    CREATE INDEX activities_by_import ON activities (import_id);
    CREATE TABLE replaced_activities (
        import_id INTEGER NOT NULL REFERENCES imports(id) ON DELETE CASCADE,
        activity_id INTEGER NOT NULL,
        athlete_id TEXT NOT NULL REFERENCES athletes(id) ON DELETE CASCADE,
        stored_by INTEGER,
        row_json TEXT NOT NULL,
        replaced_utc TEXT NOT NULL,
        PRIMARY KEY (import_id, activity_id)
    );
    ALTER TABLE activities ADD COLUMN sport_corrected TEXT;
    ALTER TABLE activities ADD COLUMN sub_sport_corrected TEXT;
    ALTER TABLE activities ADD COLUMN distance_m_corrected REAL;
    ALTER TABLE activities ADD COLUMN gear_corrected TEXT;
    ALTER TABLE activities ADD COLUMN rpe_corrected REAL;
    ALTER TABLE activities ADD COLUMN corrected_utc TEXT;
    ALTER TABLE activities ADD COLUMN gear_assigned TEXT;
    CREATE TABLE shoes (
        athlete_id TEXT NOT NULL REFERENCES athletes(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        start_km REAL NOT NULL DEFAULT 0,
        retire_km REAL,
        is_default INTEGER NOT NULL DEFAULT 0,
        retired_on TEXT,
        created_utc TEXT NOT NULL,
        PRIMARY KEY (athlete_id, name)
    );
    """,
    # 9: the web app (runload serve): logins of athletes and coaches (an Argon2 hash, never the
    # password), their sessions (a hash of the cookie's token, so a copy of the store opens no
    # session; a logout deletes the row, so a replayed cookie is refused), a coach's note to an
    # athlete for a week, and the app's own signing key (kept here so sessions outlive a restart).
    """
    CREATE TABLE users (
        login TEXT PRIMARY KEY,
        role TEXT NOT NULL CHECK (role IN ('athlete', 'coach')),
        subject_id TEXT NOT NULL,
        password_hash TEXT NOT NULL,
        created_utc TEXT NOT NULL
    );
    CREATE TABLE web_sessions (
        token_hash TEXT PRIMARY KEY,
        login TEXT NOT NULL REFERENCES users(login) ON DELETE CASCADE,
        csrf_token TEXT NOT NULL,
        created_utc TEXT NOT NULL,
        expires_utc TEXT NOT NULL
    );
    CREATE TABLE coach_notes (
        id INTEGER PRIMARY KEY,
        coach_id TEXT NOT NULL,
        athlete_id TEXT NOT NULL REFERENCES athletes(id) ON DELETE CASCADE,
        week TEXT NOT NULL,
        text TEXT NOT NULL,
        created_utc TEXT NOT NULL
    );
    CREATE INDEX coach_notes_by_athlete ON coach_notes (athlete_id, week);
    CREATE TABLE web_keys (
        name TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    """,
]

SCHEMA_VERSION = len(MIGRATIONS)

_ATHLETE_COLUMNS = [
    "id", "name", "email", "timezone", "sex", "birth_year",
    "hr_rest_bpm", "hr_max_bpm", "previous_injuries", "units",
]


def _utc_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _iso(dt: datetime) -> str:
    if dt.tzinfo is None:
        raise ValueError("store times must be timezone-aware")
    return dt.astimezone(timezone.utc).isoformat(timespec="milliseconds")


def describe_sqlite_error(exc: sqlite3.Error) -> str:
    """SQLite's complaint in words a person acts on; a full disk is named as such."""
    text = str(exc)
    if getattr(exc, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL or "disk is full" in text:
        return "the disk is full (no space left on the device)"
    return text


class CommitError(StoreError):
    """A transaction could not be saved; ``why`` says why in words. Nothing of it was stored."""

    def __init__(self, why: str, path: str | Path) -> None:
        super().__init__(f"cannot save the changes: {why}; nothing of them was stored", path=path)
        self.why = why


def _create_private(path: Path) -> None:
    """A new, empty store file readable by its owner only (0600), in folders runload creates
    0700, whatever the umask: the store holds health data. SQLite gives its journal the same
    mode. A store or folder that was already there keeps its mode."""
    from runload.outfile import PRIVATE_FILE, OutputError, private_folder

    try:
        private_folder(path.parent)
    except OutputError as exc:
        raise StoreError(f"cannot create the store's folder: {exc.message}", path=path) from None
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    except FileExistsError:
        return  # another process made it a moment ago: it is theirs to have set up
    except OSError as exc:
        raise StoreError(f"cannot create the store: {exc.strerror or exc}", path=path) from None
    try:
        os.fchmod(fd, PRIVATE_FILE)  # a umask such as 0277 would have taken the owner's write away
    finally:
        os.close(fd)


def _parse_iso(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(timezone.utc)


class Store:
    """An open runload store. Use :meth:`open` and close it (or use it as a context manager)."""

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self.conn = conn
        self.path = path
        self._depth = 0  # open transaction (1) and savepoints inside it (2, 3, ...)
        # True when the file was there but empty (0 bytes) and was set up as a new store: the
        # command line says so, since a store that lost its content should not pass unnoticed
        self.was_empty = False

    # ---------------------------------------------------------------- opening
    @classmethod
    def open(cls, path: str | Path, *, create: bool = True) -> "Store":
        """Open the store at ``path``, creating it (and its folder) if ``create``.

        Raises :class:`StoreError` naming the path when it cannot be opened, is not a runload
        store, or was written by a newer runload.
        """
        path = Path(path)
        if path.is_dir():
            raise StoreError("is a folder, not a store file", path=path)
        if path.exists() and not path.is_file():  # a device or a pipe: SQLite would read or wait forever
            raise StoreError("is not a regular file (a device or a pipe?), not a store file", path=path)
        was_empty = _empty_file(path)
        if was_empty and not create:
            raise StoreError("is an empty file (0 bytes), not a store: if it held your data, restore it from a "
                             "backup; runload athlete add starts a new store there", path=path)
        if not path.exists():
            if not create:
                raise StoreError("no store here yet (add an athlete first: runload athlete add)", path=path)
            if str(path) != ":memory:":  # SQLite's name for a store that lives in memory only
                _create_private(path)
        try:
            conn = sqlite3.connect(path, timeout=30, isolation_level=None)
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open the store: {exc}", path=path) from None
        store = cls(conn, path)
        store.was_empty = was_empty
        try:
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("PRAGMA busy_timeout = 30000")
            # WAL: readers (a report, the web app's pages) go on while an entry is written
            # (kept in the file once set); a store on a read-only disk stays as it is
            if str(path) != ":memory:":
                try:
                    conn.execute("PRAGMA journal_mode = WAL")
                except sqlite3.OperationalError:
                    pass
            store._migrate()
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise StoreError(f"cannot use the store: {exc}", path=path) from None
        except StoreError:
            conn.close()
            raise
        return store

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def schema_version(self) -> int:
        return int(self.conn.execute("PRAGMA user_version").fetchone()[0])

    def _migrate(self) -> None:
        version = self.schema_version
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"written by a newer runload (schema {version}, this runload knows {SCHEMA_VERSION})",
                path=self.path,
            )
        if version == 0:
            tables = self.conn.execute("SELECT count(*) FROM sqlite_master WHERE type='table'").fetchone()[0]
            if tables:
                raise StoreError("is an SQLite file but not a runload store", path=self.path)
        for target in range(version + 1, SCHEMA_VERSION + 1):
            with self.atomic():
                for statement in MIGRATIONS[target - 1].split(";"):
                    if statement.strip():
                        self.conn.execute(statement)
                self.conn.execute(f"PRAGMA user_version = {target}")

    def begin(self) -> None:
        """Open the outermost write transaction (``BEGIN IMMEDIATE``: the write lock is taken now,
        so what is read inside stays true until :meth:`commit`). For work that spans many calls,
        such as an import's batches; most callers want :meth:`atomic`."""
        if self._depth:
            raise RuntimeError("a transaction is already open")
        self.conn.execute("BEGIN IMMEDIATE")
        self._depth = 1

    def commit(self) -> None:
        """Commit the transaction :meth:`begin` opened (nothing when none is open).

        :class:`StoreError` when it cannot: SQLite already rolled the transaction back (a full
        disk, an I/O error) or the commit itself failed; either way nothing of it was stored and
        the store is as it was before :meth:`begin`."""
        if not self._depth:
            return
        self._depth = 0
        if not self.conn.in_transaction:
            raise CommitError("a write failed and SQLite undid the changes", self.path)
        try:
            self.conn.execute("COMMIT")
        except sqlite3.Error as exc:
            self._abandon()
            raise CommitError(describe_sqlite_error(exc), self.path) from None

    def rollback(self) -> None:
        """Roll back the transaction :meth:`begin` opened (nothing when none is open, or when
        SQLite already rolled it back after a failed write)."""
        if self._depth:
            self._depth = 0
            self._abandon()

    def _abandon(self) -> None:
        if self.conn.in_transaction:
            try:
                self.conn.execute("ROLLBACK")
            except sqlite3.Error:
                pass  # the connection is closed with the command; SQLite rolls back then

    @property
    def in_transaction(self) -> bool:
        return bool(self._depth)

    @contextmanager
    def atomic(self) -> Iterator[sqlite3.Connection]:
        """Everything inside lands together or not at all. Outermost: a write transaction;
        nested (inside another ``atomic`` or :meth:`begin`): a savepoint, so one failed part
        (one file of an import) is undone while the rest stays."""
        if not self._depth:
            self.begin()
            try:
                yield self.conn
            except BaseException:
                self.rollback()
                raise
            self.commit()
            return
        name = f"sp{self._depth}"
        self.conn.execute(f"SAVEPOINT {name}")
        self._depth += 1
        try:
            yield self.conn
        except BaseException:
            self._depth -= 1
            if not self.conn.in_transaction:  # SQLite rolled the whole transaction back (disk full)
                self._depth = 0
                raise
            self.conn.execute(f"ROLLBACK TO {name}")
            self.conn.execute(f"RELEASE {name}")
            raise
        self._depth -= 1
        self.conn.execute(f"RELEASE {name}")

    # ---------------------------------------------------------------- athletes
    def add_athlete(self, athlete: Athlete) -> None:
        """Store a new athlete; an existing id is an :class:`InputError`."""
        row = _athlete_row(athlete)
        try:
            with self.atomic() as conn:
                conn.execute(
                    f"INSERT INTO athletes ({', '.join(_ATHLETE_COLUMNS)}, created_utc) "
                    f"VALUES ({', '.join('?' * len(_ATHLETE_COLUMNS))}, ?)",
                    [row[c] for c in _ATHLETE_COLUMNS] + [_utc_now()],
                )
        except sqlite3.IntegrityError:
            raise InputError(f"athlete '{athlete.id}' already exists") from None

    def update_athlete(self, athlete: Athlete) -> None:
        """Replace the stored profile of ``athlete.id``."""
        self.get_athlete(athlete.id)
        row = _athlete_row(athlete)
        cols = [c for c in _ATHLETE_COLUMNS if c != "id"]
        with self.atomic() as conn:
            conn.execute(
                f"UPDATE athletes SET {', '.join(f'{c} = ?' for c in cols)} WHERE id = ?",
                [row[c] for c in cols] + [athlete.id],
            )

    def get_athlete(self, athlete_id: str) -> Athlete:
        """The athlete with this id, or :class:`NotFoundError`."""
        row = self.conn.execute(
            f"SELECT {', '.join(_ATHLETE_COLUMNS)} FROM athletes WHERE id = ?", (athlete_id,)
        ).fetchone()
        if row is None:
            raise NotFoundError(f"unknown athlete '{athlete_id}' (see: runload athlete list)")
        return _athlete_from_row(row)

    def list_athletes(self) -> list[Athlete]:
        """Every athlete, by id."""
        rows = self.conn.execute(f"SELECT {', '.join(_ATHLETE_COLUMNS)} FROM athletes ORDER BY id").fetchall()
        return [_athlete_from_row(r) for r in rows]

    # ---------------------------------------------------------------- activities
    def file_outcome(self, athlete_id: str, source_hash: str) -> str | None:
        """What a previous import did with a file of this content, or None if never seen."""
        row = self.conn.execute(
            "SELECT outcome FROM imported_files WHERE athlete_id = ? AND source_hash = ?",
            (athlete_id, source_hash),
        ).fetchone()
        return row[0] if row else None

    def known_hashes(self, athlete_id: str) -> set[str]:
        """Content hashes of every file already imported for this athlete."""
        rows = self.conn.execute("SELECT source_hash FROM imported_files WHERE athlete_id = ?", (athlete_id,))
        return {r[0] for r in rows}

    def known_files(self, athlete_id: str) -> dict[str, str]:
        """{content hash: file name} of every file already imported for this athlete."""
        rows = self.conn.execute("SELECT source_hash, source_file FROM imported_files WHERE athlete_id = ?",
                                 (athlete_id,))
        return {r[0]: r[1] for r in rows}

    def record_file(self, conn: sqlite3.Connection, athlete_id: str, source_hash: str, source_file: str,
                    outcome: str, detail: str | None = None, import_id: int | None = None) -> None:
        """Remember what an import did with one file (inside the caller's transaction)."""
        conn.execute(
            "INSERT OR REPLACE INTO imported_files (athlete_id, source_hash, source_file, outcome, detail, imported_utc,"
            " import_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (athlete_id, source_hash, source_file, outcome, detail, _utc_now(), import_id),
        )

    def seen_files(self, athlete_id: str) -> dict[str, tuple[str, str | None, int]]:
        """{path or archive member key: (fingerprint, content hash or None for an archive, members)}."""
        rows = self.conn.execute("SELECT path, fingerprint, source_hash, members FROM seen_files WHERE athlete_id = ?",
                                 (athlete_id,))
        return {r[0]: (r[1], r[2], int(r[3])) for r in rows}

    def remember_seen(self, conn: sqlite3.Connection, athlete_id: str, path: str, fingerprint: str,
                      source_hash: str | None, members: int = 1, import_id: int | None = None) -> None:
        """Remember how a path looked when imported (inside the caller's transaction)."""
        conn.execute(
            "INSERT OR REPLACE INTO seen_files (athlete_id, path, fingerprint, source_hash, members, import_id)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (athlete_id, path, fingerprint, source_hash, members, import_id),
        )

    def forget_record(self, conn: sqlite3.Connection, athlete_id: str, key: str, source_hash: str | None) -> int:
        """Remove what one record of a synced service stored (its activities, its file and seen
        rows), inside the caller's transaction: the service deleted or edited it. Returns the
        number of activities removed. A copy of the run stored from a file is never touched."""
        removed = 0
        if source_hash is not None:
            removed = conn.execute("DELETE FROM activities WHERE athlete_id = ? AND source_hash = ?",
                                   (athlete_id, source_hash)).rowcount
            conn.execute("DELETE FROM imported_files WHERE athlete_id = ? AND source_hash = ?",
                         (athlete_id, source_hash))
        conn.execute("DELETE FROM seen_files WHERE athlete_id = ? AND path = ?", (athlete_id, key))
        return removed

    def get_activity(self, activity_id: int) -> tuple[str, Activity]:
        """(athlete id, activity) for a stored activity id, or :class:`NotFoundError`."""
        row = self.conn.execute(f"SELECT athlete_id, {_ACTIVITY_SELECT} FROM activities WHERE id = ?",
                                (activity_id,)).fetchone()
        if row is None:
            raise NotFoundError(f"no activity with id {activity_id} (see: runload activity list)")
        return str(row[0]), with_zone_offset(_activity_from_row(row[1:]), self._timezone(str(row[0])))

    def _timezone(self, athlete_id: str) -> str:
        """The athlete's time zone (UTC for an athlete not stored): it places activities whose
        file recorded no UTC offset (stored without one) on their local day."""
        row = self.conn.execute("SELECT timezone FROM athletes WHERE id = ?", (athlete_id,)).fetchone()
        return str(row[0]) if row and row[0] else "UTC"

    def set_activity_sport(self, activity_id: int, sport: Sport, sub_sport: str | None = None) -> None:
        """Correct an activity's sport (a person's word: no longer marked as inferred)."""
        values: dict[str, object] = {"sport": sport}
        if sub_sport is not None:
            values["sub_sport"] = sub_sport
        self.correct_activity(activity_id, values)

    def correct_activity(self, activity_id: int, values: dict[str, object], clear: Sequence[str] = ()) -> Activity:
        """Correct fields of an activity (keys of :data:`CORRECTABLE`; ``distance_m`` in metres),
        kept beside the recorded values; ``clear`` drops corrections (back to what was recorded).
        The corrected activity must be within the physical bounds (:mod:`runload.bounds`), as an
        imported one is. Returns the activity as it now reads."""
        unknown = [k for k in [*values, *clear] if k not in CORRECTABLE]
        if unknown:
            raise ValueError(f"not a correctable field: {unknown[0]}")
        _athlete_id, before = self.get_activity(activity_id)
        sets: dict[str, object] = {CORRECTABLE[k]: None for k in clear}
        for key, value in values.items():
            sets[CORRECTABLE[key]] = value.value if isinstance(value, Sport) else value
        with self.atomic() as conn:
            conn.execute(f"UPDATE activities SET {', '.join(f'{c} = ?' for c in sets)} WHERE id = ?",
                         [*sets.values(), activity_id])
            _, after = self.get_activity(activity_id)
            # a person's word on the sport stands (as on reading); a distance they give must still
            # be one a person covers in that sport in that time
            checked = bounds.check_activity(after, relabel="distance_m" in values)
            problem = checked.problem
            if checked.activity is not None and checked.activity.sport is not after.sport:
                problem = "; ".join(checked.notes) or f"not plausible as {after.sport.value}"
            if problem is None and after.rpe is not None and not bounds.MIN_RPE <= after.rpe <= bounds.MAX_RPE:
                problem = f"a session RPE of {after.rpe:g} is outside the 0-10 scale"
            if problem:
                raise InputError(f"activity {activity_id} not corrected: {problem}")
            any_left = conn.execute(
                f"SELECT {' OR '.join(f'{c} IS NOT NULL' for c in CORRECTABLE.values())} FROM activities WHERE id = ?",
                (activity_id,)).fetchone()[0]
            conn.execute("UPDATE activities SET corrected_utc = ? WHERE id = ?",
                         (_utc_now() if any_left else None, activity_id))
        del before
        return after

    def carry_corrections(self, conn: sqlite3.Connection, from_ids: Sequence[int], to_id: int) -> None:
        """A person's corrections of the copies ``from_ids`` carried to the richer copy ``to_id``
        that replaces them (inside the caller's transaction): a correction outlives a re-import."""
        cols = [*CORRECTABLE.values(), "corrected_utc"]
        for i in from_ids:
            row = conn.execute(f"SELECT {', '.join(cols)} FROM activities WHERE id = ? AND corrected_utc IS NOT NULL",
                               (i,)).fetchone()
            if row is not None:
                conn.execute(f"UPDATE activities SET {', '.join(f'{c} = ?' for c in cols)} WHERE id = ?", [*row, to_id])
                return

    def delete_activities(self, activity_ids: Sequence[int]) -> list[tuple[str, Activity]]:
        """Delete activities (all or none; an unknown id is :class:`NotFoundError`); returns what
        was deleted. Their files stay known, so a re-import does not bring them back."""
        gone = [self.get_activity(i) for i in activity_ids]
        with self.atomic() as conn:
            for i in activity_ids:
                self.delete_activity(conn, i)
        return gone

    def insert_activity(self, conn: sqlite3.Connection, athlete_id: str, activity: Activity,
                        import_id: int | None = None, *, checked: bool = False) -> int:
        """Insert one activity inside the caller's transaction; returns its id. ``import_id`` is
        the import storing it (:meth:`start_import`), so the import can be undone.

        The store's door: an activity with any value outside the physical bounds is refused
        (:class:`InputError`); importers pass what :func:`runload.bounds.check_activity` kept,
        and say so with ``checked`` (the check is then not run a second time). A gear that is the
        athlete's default shoe (``gear_default``) is kept apart from the gear the file recorded.
        """
        if not checked and not bounds.within_bounds(activity):
            why = bounds.plausible_activity(activity) or "values outside physical bounds"
            raise InputError(f"activity not stored: {why}", path=activity.source_file)
        end = activity.start_utc.timestamp() + (activity.elapsed_s or activity.timer_s or 0.0)
        cur = conn.execute(
            """INSERT INTO activities (athlete_id, start_utc, end_utc, utc_offset_s, sport, sub_sport,
                   sport_inferred, distance_m, distance_source, timer_s, elapsed_s, elevation_gain_m,
                   avg_hr_bpm, max_hr_bpm, avg_cadence_spm, device, name, gear, laps_json, hr_zone_json,
                   warnings_json, source_file, source_hash, leg_index, imported_utc, rpe, hr_bin_bpm, import_id,
                   gear_assigned)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            (
                athlete_id, _iso(activity.start_utc),
                _iso(datetime.fromtimestamp(end, timezone.utc)),
                activity.utc_offset_s, activity.sport.value, activity.sub_sport,
                int(activity.sport_inferred), float(activity.distance_m), activity.distance_source,
                activity.timer_s, activity.elapsed_s, activity.elevation_gain_m,
                activity.avg_hr_bpm, activity.max_hr_bpm, activity.avg_cadence_spm,
                activity.device, activity.name, None if activity.gear_default else activity.gear,
                json.dumps([_lap_to_json(lap) for lap in activity.laps]),
                json.dumps({str(k): v for k, v in activity.hr_zone_s.items()}),
                json.dumps(list(activity.warnings)),
                activity.source_file, activity.source_hash, activity.leg_index, _utc_now(),
                activity.rpe, activity.hr_bin_bpm, import_id, activity.gear if activity.gear_default else None,
            ),
        )
        return int(cur.lastrowid)

    def delete_activity(self, conn: sqlite3.Connection, activity_id: int, *, replaced_by: int | None = None) -> None:
        """Delete one activity inside the caller's transaction. ``replaced_by``: the import whose
        richer copy replaces it; the row is kept whole, so undoing that import puts it back."""
        if replaced_by is not None:
            row = conn.execute(f"SELECT {', '.join(_ALL_ACTIVITY_COLUMNS)} FROM activities WHERE id = ?",
                               (activity_id,)).fetchone()
            if row is not None:
                d = dict(zip(_ALL_ACTIVITY_COLUMNS, row))
                conn.execute(
                    "INSERT OR REPLACE INTO replaced_activities (import_id, activity_id, athlete_id, stored_by, "
                    "row_json, replaced_utc) VALUES (?, ?, ?, ?, ?, ?)",
                    (replaced_by, activity_id, d["athlete_id"], d["import_id"], json.dumps(d), _utc_now()))
        conn.execute("DELETE FROM activities WHERE id = ?", (activity_id,))

    def activities(
        self,
        athlete_id: str,
        *,
        start_utc: datetime | None = None,
        end_utc: datetime | None = None,
        sports: Sequence[Sport] | None = None,
        started_from: datetime | None = None,
    ) -> list[Activity]:
        """The athlete's activities, oldest first, optionally those overlapping [start, end).

        ``started_from`` also leaves out those that started before it: with the longest stored
        activity's duration subtracted from ``start_utc``, it keeps the same rows while the index
        on start times bounds the search to the window instead of every older activity.

        Rows outside the physical bounds (an older runload stored a start in 9019 or an infinite
        distance) are left out, and their impossible values dropped: see
        :func:`runload.bounds.check_activity`. The sport is left as stored: a person may have
        set it (``runload activity set-sport``), and their word stands.
        """
        sql = f"SELECT {_ACTIVITY_SELECT} FROM activities WHERE athlete_id = ? AND {_PLAUSIBLE_START}"
        args: list[object] = [athlete_id, *_plausible_start_args()]
        if started_from is not None:
            sql += " AND start_utc >= ?"
            args.append(_iso(started_from))
        if start_utc is not None:
            sql += " AND end_utc >= ?"
            args.append(_iso(start_utc))
        if end_utc is not None:
            sql += " AND start_utc < ?"
            args.append(_iso(end_utc))
        if sports:
            sql += f" AND coalesce(sport_corrected, sport) IN ({', '.join('?' * len(sports))})"
            args.extend(s.value for s in sports)
        sql += " ORDER BY start_utc, leg_index"
        out = []
        tz = self._timezone(athlete_id)
        for row in self.conn.execute(sql, args):
            act = with_zone_offset(_activity_from_row(row), tz)
            checked = bounds.check_activity(act, relabel=False)  # a sport a person set stands
            if checked.activity is not None:
                out.append(act if not checked.notes else replace(checked.activity, warnings=act.warnings))
        return out

    def coarse_hr_files(self, athlete_id: str) -> set[str]:
        """Content hashes of imported files whose activities hold heart rate in the 5-bpm bins of a
        runload before schema 6: importing such a file again re-reads its heart rate at 1 bpm."""
        rows = self.conn.execute("SELECT DISTINCT source_hash FROM activities WHERE athlete_id = ? AND hr_bin_bpm != ?"
                                 " AND hr_zone_json != '{}' AND source_hash IS NOT NULL", (athlete_id, HR_BIN_BPM))
        return {r[0] for r in rows}

    def set_heart_rate_bins(self, conn: sqlite3.Connection, athlete_id: str, source_hash: str, leg_index: int,
                            activity: Activity) -> int:
        """Replace the heart-rate bins of the stored activity read from the file ``source_hash``
        (leg ``leg_index``) with ``activity``'s, nothing else (a sport set by hand stays); inside
        the caller's transaction. Returns the number of rows changed (0 or 1)."""
        if not bounds.within_bounds(activity):
            raise InputError("heart rate not stored: values outside physical bounds", path=activity.source_file)
        cur = conn.execute("UPDATE activities SET hr_zone_json = ?, hr_bin_bpm = ? WHERE athlete_id = ? AND "
                           "source_hash = ? AND leg_index = ?",
                           (json.dumps({str(k): v for k, v in activity.hr_zone_s.items()}), activity.hr_bin_bpm,
                            athlete_id, source_hash, leg_index))
        return int(cur.rowcount)

    def longest_activity_s(self, athlete_id: str) -> float:
        """The duration in seconds of the athlete's longest stored activity (0 when none)."""
        row = self.conn.execute(
            "SELECT max(julianday(end_utc) - julianday(start_utc)) FROM activities WHERE athlete_id = ?",
            (athlete_id,)).fetchone()
        return float(row[0] or 0.0) * 86400.0

    def activity_count(self, athlete_id: str) -> int:
        return int(self.conn.execute("SELECT count(*) FROM activities WHERE athlete_id = ?", (athlete_id,)).fetchone()[0])

    def last_activity_utc(self, athlete_id: str) -> datetime | None:
        """When the athlete's most recent activity ended (the last day runload has data for)."""
        row = self.conn.execute(f"SELECT max(end_utc) FROM activities WHERE athlete_id = ? AND {_PLAUSIBLE_START}",
                                (athlete_id, *_plausible_start_args())).fetchone()
        return _parse_iso(row[0]) if row and row[0] else None

    # ---------------------------------------------------------------- imports and undo
    def start_import(self, athlete_id: str, paths: Sequence[str]) -> int:
        """Record the start of an import; returns its id (kept on everything it stores)."""
        self.get_athlete(athlete_id)
        with self.atomic() as conn:
            cur = conn.execute("INSERT INTO imports (athlete_id, started_utc, paths_json) VALUES (?, ?, ?)",
                               (athlete_id, _utc_now(), json.dumps(list(paths))))
        return int(cur.lastrowid)

    def finish_import(self, import_id: int, *, files: int, activities: int, duplicates: int, skipped: int,
                      failed: int) -> None:
        """Record how an import ended (an import killed midway keeps no finish time)."""
        with self.atomic() as conn:
            conn.execute("UPDATE imports SET finished_utc = ?, files = ?, activities = ?, duplicates = ?, skipped = ?,"
                         " failed = ? WHERE id = ?",
                         (_utc_now(), files, activities, duplicates, skipped, failed, import_id))

    def imports(self, athlete_id: str) -> list["ImportRecord"]:
        """The athlete's imports, oldest first (undone ones too)."""
        self.get_athlete(athlete_id)
        rows = self.conn.execute(f"SELECT {_IMPORT_SELECT} FROM imports WHERE athlete_id = ? ORDER BY id",
                                 (athlete_id,)).fetchall()
        return [self._import_record(r) for r in rows]

    def get_import(self, import_id: int) -> "ImportRecord":
        """One import, or :class:`NotFoundError`."""
        row = self.conn.execute(f"SELECT {_IMPORT_SELECT} FROM imports WHERE id = ?", (import_id,)).fetchone()
        if row is None:
            raise NotFoundError(f"no import with id {import_id} (see: runload import list --athlete ID)")
        return self._import_record(row)

    def _import_record(self, row: Sequence[object]) -> "ImportRecord":
        d = dict(zip(_IMPORT_COLUMNS, row))
        iid = int(d["id"])  # type: ignore[arg-type]
        stored, corrected = self.conn.execute(
            "SELECT count(*), count(corrected_utc) FROM activities WHERE import_id = ?", (iid,)).fetchone()
        replaced = self.conn.execute("SELECT count(*) FROM replaced_activities WHERE import_id = ?",
                                     (iid,)).fetchone()[0]
        return ImportRecord(
            id=iid, athlete_id=str(d["athlete_id"]), started_utc=str(d["started_utc"]),
            finished_utc=d["finished_utc"], paths=tuple(json.loads(str(d["paths_json"]))),  # type: ignore[arg-type]
            files=int(d["files"]), activities=int(d["activities"]),  # type: ignore[arg-type]
            duplicates=int(d["duplicates"]), skipped=int(d["skipped"]),  # type: ignore[arg-type]
            failed=int(d["failed"]), undone_utc=d["undone_utc"],  # type: ignore[arg-type]
            stored_now=int(stored), corrected_now=int(corrected), replaced=int(replaced))

    def undo_import(self, import_id: int) -> "UndoResult":
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
            conn.execute("UPDATE imports SET undone_utc = ? WHERE id = ?", (_utc_now(), import_id))
        return UndoResult(import_id, rec.athlete_id, removed, restored, files)

    # ---------------------------------------------------------------- shoes
    def add_shoe(self, athlete_id: str, shoe: Shoe) -> None:
        """Store a new pair of shoes (a name already there is an :class:`InputError`); a default
        shoe takes over from the athlete's previous default."""
        self.get_athlete(athlete_id)
        try:
            with self.atomic() as conn:
                if shoe.default:
                    conn.execute("UPDATE shoes SET is_default = 0 WHERE athlete_id = ?", (athlete_id,))
                conn.execute("INSERT INTO shoes (athlete_id, name, start_km, retire_km, is_default, retired_on, "
                             "created_utc) VALUES (?, ?, ?, ?, ?, ?, ?)",
                             (athlete_id, shoe.name, shoe.start_km, shoe.retire_km, int(shoe.default),
                              shoe.retired_on.isoformat() if shoe.retired_on else None, _utc_now()))
        except sqlite3.IntegrityError:
            raise InputError(f"'{athlete_id}' already has a shoe named '{shoe.name}' (see: runload shoe list "
                             f"--athlete {athlete_id})") from None

    def shoes(self, athlete_id: str) -> list[Shoe]:
        """The athlete's shoes, by name."""
        rows = self.conn.execute("SELECT name, start_km, retire_km, is_default, retired_on FROM shoes "
                                 "WHERE athlete_id = ? ORDER BY name", (athlete_id,)).fetchall()
        return [Shoe(n, float(s), r, bool(d), date.fromisoformat(o) if o else None) for n, s, r, d, o in rows]

    def get_shoe(self, athlete_id: str, name: str) -> Shoe:
        for shoe in self.shoes(athlete_id):
            if shoe.name == name:
                return shoe
        raise NotFoundError(f"'{athlete_id}' has no shoe named '{name}' (see: runload shoe list --athlete {athlete_id})")

    def default_shoe(self, athlete_id: str) -> str | None:
        """The name of the athlete's default shoe (new runs whose file names none get it)."""
        row = self.conn.execute("SELECT name FROM shoes WHERE athlete_id = ? AND is_default = 1", (athlete_id,)).fetchone()
        return row[0] if row else None

    def set_default_shoe(self, athlete_id: str, name: str) -> None:
        shoe = self.get_shoe(athlete_id, name)
        if shoe.retired_on is not None:
            raise InputError(f"shoe '{name}' was retired on {shoe.retired_on}: a retired shoe cannot be the default")
        with self.atomic() as conn:
            conn.execute("UPDATE shoes SET is_default = (name = ?) WHERE athlete_id = ?", (name, athlete_id))

    def retire_shoe(self, athlete_id: str, name: str, on: date) -> None:
        """Put a shoe away on ``on`` (it is no longer the default; its runs keep its name)."""
        self.get_shoe(athlete_id, name)
        with self.atomic() as conn:
            conn.execute("UPDATE shoes SET retired_on = ?, is_default = 0 WHERE athlete_id = ? AND name = ?",
                         (on.isoformat(), athlete_id, name))

    def gear_names(self, athlete_id: str) -> set[str]:
        """Every gear name the athlete's activities carry (recorded, corrected or default)."""
        rows = self.conn.execute(
            "SELECT DISTINCT coalesce(gear_corrected, gear, gear_assigned) FROM activities WHERE athlete_id = ?",
            (athlete_id,))
        return {r[0] for r in rows if r[0]}

    # ---------------------------------------------------------------- deleting an athlete
    def delete_athlete(self, athlete_id: str) -> dict[str, int]:
        """Delete an athlete and everything stored about them (activities, pain entries and
        clearances, planned runs, shoes, imports, seen and imported files, coach links and the
        sent-log of their weekly summaries); returns how many rows of each went."""
        athlete = self.get_athlete(athlete_id)
        counts: dict[str, int] = {}
        with self.atomic() as conn:
            for table in ("activities", "pain_entries", "pain_clearances", "planned_runs", "shoes", "imports",
                          "replaced_activities", "imported_files", "seen_files", "coach_athletes"):
                counts[table] = conn.execute(f"DELETE FROM {table} WHERE athlete_id = ?", (athlete_id,)).rowcount
            counts["sent_log"] = conn.execute("DELETE FROM sent_log WHERE subject_kind = 'athlete' AND subject_id = ?",
                                              (athlete_id,)).rowcount
            if athlete.email:
                # a roster is about its coach, not this athlete: only mails to the athlete go
                counts["sent_log"] += conn.execute(
                    "DELETE FROM sent_log WHERE recipient = ? AND subject_kind = 'athlete'",
                    (athlete.email.lower(),)).rowcount
            conn.execute("DELETE FROM athletes WHERE id = ?", (athlete_id,))
        return counts

    # ---------------------------------------------------------------- pain entries
    def add_pain_entries(self, athlete_id: str, entries: Sequence[PainEntry], source: str | None = None) -> list[int]:
        """Store pain entries together (all or none); returns their ids."""
        self.get_athlete(athlete_id)
        ids = []
        with self.atomic() as conn:
            for entry in entries:
                ids.append(self.insert_pain_entry(conn, athlete_id, entry, source))
        return ids

    def insert_pain_entry(self, conn: sqlite3.Connection, athlete_id: str, entry: PainEntry, source: str | None = None) -> int:
        """Insert one pain entry inside the caller's transaction."""
        row = _pain_row(entry)
        cols = list(row)
        cur = conn.execute(
            f"INSERT INTO pain_entries (athlete_id, {', '.join(cols)}, source, created_utc) "
            f"VALUES (?, {', '.join('?' * len(cols))}, ?, ?)",
            [athlete_id, *row.values(), source, _utc_now()],
        )
        return int(cur.lastrowid)

    def pain_entries(self, athlete_id: str, *, start: date | None = None, end: date | None = None) -> list[PainEntry]:
        """The athlete's pain entries, oldest first, optionally only those dated start..end
        (both included)."""
        cols = ["id", *_PAIN_FIELDS]
        where, args = _day_range(athlete_id, start, end)
        rows = self.conn.execute(f"SELECT {', '.join(cols)} FROM pain_entries WHERE {where} ORDER BY date, id",
                                 args).fetchall()
        return [_pain_from_row(dict(zip(cols, r))) for r in rows]

    def get_pain_entry(self, entry_id: int) -> tuple[str, PainEntry]:
        """(athlete id, entry) for one stored pain entry, or :class:`NotFoundError`."""
        cols = ["id", *_PAIN_FIELDS]
        row = self.conn.execute(
            f"SELECT athlete_id, {', '.join(cols)} FROM pain_entries WHERE id = ?", (entry_id,)
        ).fetchone()
        if row is None:
            raise NotFoundError(f"no pain entry with id {entry_id} (see: runload pain list)")
        return str(row[0]), _pain_from_row(dict(zip(cols, row[1:])))

    def update_pain_entry(self, entry_id: int, entry: PainEntry) -> None:
        """Replace the stored fields of pain entry ``entry_id`` with ``entry``'s."""
        self.get_pain_entry(entry_id)
        row = _pain_row(entry)
        with self.atomic() as conn:
            conn.execute(
                f"UPDATE pain_entries SET {', '.join(f'{c} = ?' for c in row)} WHERE id = ?",
                [*row.values(), entry_id],
            )

    def delete_pain_entry(self, entry_id: int) -> PainEntry:
        """Delete one pain entry; returns what was deleted."""
        _athlete_id, entry = self.get_pain_entry(entry_id)
        with self.atomic() as conn:
            conn.execute("DELETE FROM pain_entries WHERE id = ?", (entry_id,))
        return entry

    # ---------------------------------------------------------------- red-flag clearances
    def add_clearance(self, athlete_id: str, clearance: Clearance) -> int:
        """Store a clearance of the athlete's red flags; returns its id."""
        self.get_athlete(athlete_id)
        with self.atomic() as conn:
            cur = conn.execute(
                "INSERT INTO pain_clearances (athlete_id, date, cleared_by, note, created_utc) VALUES (?, ?, ?, ?, ?)",
                (athlete_id, clearance.date.isoformat(), clearance.by, clearance.note, _utc_now()))
        return int(cur.lastrowid)

    def clearances(self, athlete_id: str) -> list[Clearance]:
        """The athlete's red-flag clearances, oldest first."""
        rows = self.conn.execute(
            "SELECT id, date, cleared_by, note FROM pain_clearances WHERE athlete_id = ? ORDER BY date, id",
            (athlete_id,)).fetchall()
        return [Clearance(date.fromisoformat(d), by, note, int(i)) for i, d, by, note in rows]

    # ---------------------------------------------------------------- everything about one athlete
    def athlete_data(self, athlete_id: str, *, activities: Sequence[Activity] | None = None) -> AthleteData:
        """The athlete's profile, activities, pain entries and clearances, read once, as plain
        data for :func:`runload.assess.assess`. ``activities``: the athlete's activities already
        read (the web app keeps them while only the pain log changes; reading a year of them is
        most of this call)."""
        from datetime import timedelta

        from runload.calendar import FIRST_DAY

        athlete = self.get_athlete(athlete_id)
        # an entry an older runload stored outside the days a log can hold (0001-01-01, 9999-12-31)
        # is left out of the assessment; `runload pain list` still shows it, to edit or delete
        last = datetime.now(timezone.utc).date() + timedelta(days=1)
        pain = tuple(self.pain_entries(athlete_id, start=FIRST_DAY, end=last))
        acts = tuple(activities) if activities is not None else tuple(self.activities(athlete_id))
        return AthleteData(athlete, acts, pain, tuple(self.clearances(athlete_id)),
                           planned=tuple(self.planned_runs(athlete_id)), shoes=tuple(self.shoes(athlete_id)))

    # ---------------------------------------------------------------- plans
    def set_plan(self, athlete_id: str, runs: Sequence[PlannedRun]) -> int:
        """Store a plan: the planned sessions replace those stored for the days from the plan's
        first to its last day (a plan for next week leaves the week after alone). Returns how
        many stored sessions were replaced."""
        self.get_athlete(athlete_id)
        if not runs:
            return 0
        first, last = min(p.date for p in runs), max(p.date for p in runs)
        with self.atomic() as conn:
            cur = conn.execute("DELETE FROM planned_runs WHERE athlete_id = ? AND date BETWEEN ? AND ?",
                               (athlete_id, first.isoformat(), last.isoformat()))
            replaced = cur.rowcount
            seq: dict[date, int] = {}
            for p in runs:
                n = seq[p.date] = seq.get(p.date, -1) + 1
                conn.execute("INSERT INTO planned_runs (athlete_id, date, seq, distance_km, duration_min, kind, rpe, "
                             "notes, created_utc) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                             (athlete_id, p.date.isoformat(), n, float(p.distance_km), p.duration_min, p.kind, p.rpe,
                              p.notes, _utc_now()))
        return replaced

    def planned_runs(self, athlete_id: str, *, start: date | None = None, end: date | None = None
                     ) -> list[PlannedRun]:
        """The athlete's stored plan, by day (optionally from ``start`` to ``end``, inclusive)."""
        where, args = _day_range(athlete_id, start, end)
        sql = f"SELECT date, distance_km, duration_min, kind, rpe, notes FROM planned_runs WHERE {where}"
        out = []
        for d, km, dur, kind, rpe, notes in self.conn.execute(sql + " ORDER BY date, seq", args):
            try:
                day = date.fromisoformat(d)
            except (TypeError, ValueError):
                continue  # not a day a plan can hold: left out, as pain entries are
            out.append(PlannedRun(day, float(km), dur, kind, rpe, notes or ""))
        return out

    def clear_plan(self, athlete_id: str, *, start: date | None = None, end: date | None = None) -> int:
        """Remove the athlete's stored plan (or its days from ``start`` to ``end``); returns how
        many sessions were removed."""
        self.get_athlete(athlete_id)
        where, args = _day_range(athlete_id, start, end)
        with self.atomic() as conn:
            return conn.execute(f"DELETE FROM planned_runs WHERE {where}", args).rowcount

    # ---------------------------------------------------------------- coaches
    def add_coach(self, coach_id: str, email: str, name: str | None, athlete_ids: Sequence[str]) -> None:
        """Store a coach (or update their email and name) and add athletes to their roster."""
        for a in athlete_ids:
            self.get_athlete(a)
        with self.atomic() as conn:
            conn.execute(
                "INSERT INTO coaches (id, name, email) VALUES (?, ?, ?) "
                "ON CONFLICT(id) DO UPDATE SET email = excluded.email, name = coalesce(excluded.name, name)",
                (coach_id, name, email),
            )
            for a in athlete_ids:
                conn.execute("INSERT OR IGNORE INTO coach_athletes (coach_id, athlete_id) VALUES (?, ?)", (coach_id, a))

    def unfollow(self, coach_id: str, athlete_id: str) -> None:
        """Take an athlete off a coach's roster (both stay)."""
        with self.atomic() as conn:
            if not conn.execute("SELECT 1 FROM coaches WHERE id = ?", (coach_id,)).fetchone():
                raise NotFoundError(f"unknown coach '{coach_id}' (see: runload coach list)")
            if conn.execute("DELETE FROM coach_athletes WHERE coach_id = ? AND athlete_id = ?",
                            (coach_id, athlete_id)).rowcount == 0:
                raise NotFoundError(f"coach '{coach_id}' does not follow '{athlete_id}' (see: runload coach list)")

    def remove_coach(self, coach_id: str) -> None:
        """Delete a coach and their roster links (the athletes stay)."""
        with self.atomic() as conn:
            if conn.execute("DELETE FROM coaches WHERE id = ?", (coach_id,)).rowcount == 0:
                raise NotFoundError(f"unknown coach '{coach_id}' (see: runload coach list)")

    def coaches(self) -> list[tuple[str, str | None, str, list[str]]]:
        """Every coach as (id, name, email, athlete ids)."""
        out = []
        for cid, name, email in self.conn.execute("SELECT id, name, email FROM coaches ORDER BY id").fetchall():
            ids = [r[0] for r in self.conn.execute(
                "SELECT athlete_id FROM coach_athletes WHERE coach_id = ? ORDER BY athlete_id", (cid,))]
            out.append((cid, name, email, ids))
        return out

    # ---------------------------------------------------------------- sources that sync
    def add_source(self, athlete_id: str, path: str) -> Source:
        """Add a folder (or file) that ``runload sync`` imports for the athlete; the same path
        twice for one athlete, or a path another athlete already syncs, is an :class:`InputError`."""
        self.get_athlete(athlete_id)
        with self.atomic() as conn:
            row = conn.execute("SELECT athlete_id FROM sources WHERE path = ? ORDER BY athlete_id",
                               (path,)).fetchone()
            if row is not None:
                whose = "this athlete" if row[0] == athlete_id else f"athlete '{row[0]}'"
                raise InputError(f"is already a source of {whose} (see: runload source list)", path=path)
            cur = conn.execute("INSERT INTO sources (athlete_id, path, added_utc) VALUES (?, ?, ?)",
                               (athlete_id, path, _utc_now()))
        return self.get_source(int(cur.lastrowid))

    def get_source(self, source_id: int) -> Source:
        """One source by id, or :class:`NotFoundError`."""
        row = self.conn.execute(f"SELECT {_SOURCE_SELECT} FROM sources WHERE id = ?", (source_id,)).fetchone()
        if row is None:
            raise NotFoundError(f"no source with id {source_id} (see: runload source list)")
        return _source_from_row(row)

    def sources(self, athlete_id: str | None = None) -> list[Source]:
        """Every source (or one athlete's), by athlete, then in the order they were added."""
        if athlete_id is not None:
            self.get_athlete(athlete_id)
            rows = self.conn.execute(f"SELECT {_SOURCE_SELECT} FROM sources WHERE athlete_id = ? ORDER BY id",
                                     (athlete_id,)).fetchall()
        else:
            rows = self.conn.execute(f"SELECT {_SOURCE_SELECT} FROM sources ORDER BY athlete_id, id").fetchall()
        return [_source_from_row(r) for r in rows]

    def remove_source(self, athlete_id: str, path: str) -> Source:
        """Stop syncing ``path`` for the athlete (what it imported stays); returns what was removed."""
        self.get_athlete(athlete_id)
        row = self.conn.execute(f"SELECT {_SOURCE_SELECT} FROM sources WHERE athlete_id = ? AND path = ?",
                                (athlete_id, path)).fetchone()
        if row is None:
            raise NotFoundError(f"is not a source of athlete '{athlete_id}' (see: runload source list)", path=path)
        with self.atomic() as conn:
            conn.execute("DELETE FROM sources WHERE id = ?", (row[0],))
        return _source_from_row(row)

    def record_sync(self, source_id: int, result: str) -> None:
        """Remember when a source was last synced and what that sync did (in words)."""
        with self.atomic() as conn:
            conn.execute("UPDATE sources SET last_sync_utc = ?, last_result = ? WHERE id = ?",
                         (_utc_now(), result, source_id))

    # ---------------------------------------------------------------- sent log
    # One row per message key (recipient, subject kind, subject id, week). States:
    #   sending     claimed by ``owner``; the message has not been handed over yet
    #   retrying    claimed by ``owner`` for a resend a person asked for (``--resend``);
    #               not handed over yet
    #   delivering  the whole message went to the server; its answer has not come back
    #   sent        the server accepted it
    #   failed      no try can have arrived (``detail`` says why); a later run tries again
    #   uncertain   written by an older runload only (one unconfirmed try, retried once then):
    #               read as held
    #   held        the server may have it (the connection broke after the whole message went,
    #               or a run was killed while the server had it): runload asks the server nothing
    #               more about it until a person decides (``runload email --resend``)
    # The Message-ID is chosen at the first claim and kept for every later try, so a resent
    # message is one message to a mail program.
    def claim_send(self, key: tuple[str, str, str, str], *, message_id: str, force: bool = False,
                   resend: bool = False, lease_s: float = 1800, owner: str | None = None) -> "SendClaim":
        """Claim the right to send one message; ``message_id`` is used when none is stored yet
        (and for a forced resend, which is a new message).

        Refused (``granted`` False) when it was sent (unless ``force``), is held for a person
        (unless ``resend`` or ``force``), or another run holds a claim on it: two runs at once
        never both send. A claim is taken over when it is older than ``lease_s`` or its owner was
        a process of this machine that no longer runs (a run killed mid-send); ``state`` then
        says how far that run got. A run killed after the whole message went (``delivering``) is
        not taken over to send again: the message becomes ``held`` (unless ``resend``).
        """
        now = datetime.now(timezone.utc)
        owner = owner or _this_process()
        with self.atomic() as conn:
            row = conn.execute(
                "SELECT state, updated_utc, message_id, owner FROM sent_log WHERE recipient = ? AND "
                "subject_kind = ? AND subject_id = ? AND week = ?", key).fetchone()
            state = stored_id = None
            if row is not None:
                state, updated, stored_id, holder = row
                if state in CLAIMED_SEND_STATES:
                    stale = (now - _parse_iso(updated)).total_seconds() >= lease_s or not _owner_alive(holder)
                    if not stale:
                        return SendClaim(False, state, stored_id)
                    if state == "delivering" and not (resend or force):
                        conn.execute(
                            "UPDATE sent_log SET state = 'held', detail = ?, updated_utc = ?, owner = NULL "
                            "WHERE recipient = ? AND subject_kind = ? AND subject_id = ? AND week = ?",
                            (HELD_AFTER_KILL, now.isoformat(), *key))
                        return SendClaim(False, "held", stored_id)
                if state == "sent" and not force:
                    return SendClaim(False, state, stored_id)
                # "uncertain" is what an older runload left after an unconfirmed try: held as well
                if state in ("held", "uncertain") and not (resend or force):
                    return SendClaim(False, "held", stored_id)
            use_id = message_id if (stored_id is None or state == "sent") else stored_id
            claimed = "retrying" if state in ("uncertain", "retrying", "delivering", "held") else "sending"
            conn.execute(
                "INSERT OR REPLACE INTO sent_log (recipient, subject_kind, subject_id, week, state, message_id,"
                " updated_utc, owner, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL)",
                (*key, claimed, use_id, now.isoformat(), owner))
        return SendClaim(True, state, use_id)

    def mark_delivering(self, key: tuple[str, str, str, str]) -> None:
        """The whole message is about to go to the server: from here on it may arrive."""
        self._set_send_state(key, "delivering")

    def finish_send(self, key: tuple[str, str, str, str], state: str, detail: str | None = None) -> None:
        """Record how a claimed message ended: ``sent``, ``failed``, ``uncertain`` or ``held``."""
        if state not in ("sent", "failed", "uncertain", "held"):
            raise ValueError(f"not a final send state: {state!r}")
        self._set_send_state(key, state, detail)

    def _set_send_state(self, key: tuple[str, str, str, str], state: str, detail: str | None = None) -> None:
        with self.atomic() as conn:
            conn.execute(
                "UPDATE sent_log SET state = ?, detail = ?, updated_utc = ? WHERE recipient = ? "
                "AND subject_kind = ? AND subject_id = ? AND week = ?", (state, detail, _utc_now(), *key))

    def sent_state(self, key: tuple[str, str, str, str]) -> str | None:
        """The state of one message key (see above), or None when it was never tried."""
        row = self.conn.execute(
            "SELECT state FROM sent_log WHERE recipient = ? AND subject_kind = ? AND subject_id = ? AND week = ?",
            key).fetchone()
        return row[0] if row else None

    def send_detail(self, key: tuple[str, str, str, str]) -> str | None:
        """Why the last try of one message failed or is held (None when it did not)."""
        row = self.conn.execute(
            "SELECT detail FROM sent_log WHERE recipient = ? AND subject_kind = ? AND subject_id = ? AND week = ?",
            key).fetchone()
        return row[0] if row else None

    def sent_weeks(self, recipient: str, kind: str, subject_id: str) -> dict[str, str]:
        """{week: state} of every message of one kind about one subject to one recipient."""
        rows = self.conn.execute(
            "SELECT week, state FROM sent_log WHERE recipient = ? AND subject_kind = ? AND subject_id = ?",
            (recipient, kind, subject_id))
        return {w: st for w, st in rows}


_IMPORT_COLUMNS = ["id", "athlete_id", "started_utc", "finished_utc", "paths_json", "files", "activities",
                   "duplicates", "skipped", "failed", "undone_utc"]
_IMPORT_SELECT = ", ".join(_IMPORT_COLUMNS)


@dataclass(frozen=True)
class ImportRecord:
    """One import as recorded: when, what paths, what it counted at the time (files imported,
    activities stored, duplicates, files already known, failures), and what of it is in the
    store now (``stored_now`` activities, ``corrected_now`` of them corrected since, ``replaced``
    older copies it replaced)."""

    id: int
    athlete_id: str
    started_utc: str
    finished_utc: str | None
    paths: tuple[str, ...]
    files: int
    activities: int
    duplicates: int
    skipped: int
    failed: int
    undone_utc: str | None
    stored_now: int = 0
    corrected_now: int = 0
    replaced: int = 0


@dataclass(frozen=True)
class UndoResult:
    """What undoing an import did."""

    import_id: int
    athlete_id: str
    removed: int  # activities taken out
    restored: int  # replaced copies put back
    files: int  # files no longer known (a later import reads them again)


@dataclass(frozen=True)
class Source:
    """A folder (or file) ``runload sync`` imports for an athlete, with its last sync (UTC, ISO)
    and what that sync did in words (None before the first)."""

    id: int
    athlete_id: str
    path: str
    added_utc: str
    last_sync_utc: str | None = None
    last_result: str | None = None


_SOURCE_SELECT = "id, athlete_id, path, added_utc, last_sync_utc, last_result"


def _source_from_row(row: Sequence[object]) -> Source:
    i, athlete_id, path, added, last, result = row
    return Source(int(i), str(athlete_id), str(path), str(added), last, result)  # type: ignore[arg-type]


CLAIMED_SEND_STATES = ("sending", "retrying", "delivering")  # a run holds the message (see Store.claim_send)
HELD_AFTER_KILL = "a run was stopped while the mail server had the whole message: it may have arrived"


@dataclass(frozen=True)
class SendClaim:
    """What :meth:`Store.claim_send` decided: whether this run may send, the state the message
    was in before (None: never tried), and the Message-ID to send it with."""

    granted: bool
    state: str | None
    message_id: str | None


def _day_range(athlete_id: str, start: date | None, end: date | None) -> tuple[str, list[object]]:
    """The WHERE clause (and its arguments) for one athlete's rows dated ``start`` to ``end``
    (inclusive; either open)."""
    sql, args = "athlete_id = ?", [athlete_id]
    if start is not None:
        sql += " AND date >= ?"
        args.append(start.isoformat())
    if end is not None:
        sql += " AND date <= ?"
        args.append(end.isoformat())
    return sql, args


def _this_process() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _owner_alive(owner: str | None) -> bool:
    """False only for a claim owned by a process of this machine that no longer runs."""
    host, _, pid = (owner or "").rpartition(":")
    if host != socket.gethostname() or not pid.isdigit() or os.name == "nt":
        # another machine, or an older store: only the lease can tell (and on Windows signal 0
        # is CTRL_C_EVENT, not a probe)
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # alive, owned by someone else
    return True


def _empty_file(path: Path) -> bool:
    """A file of 0 bytes with no journal beside it (a journal could still hold its content)."""
    try:
        if path.stat().st_size != 0:
            return False
    except OSError:
        return False
    return not any(path.with_name(path.name + suffix).exists() for suffix in ("-journal", "-wal"))


# ---------------------------------------------------------------- row mapping
def _athlete_row(a: Athlete) -> dict[str, object]:
    row = {c: getattr(a, c) for c in _ATHLETE_COLUMNS if c != "previous_injuries"}
    row["previous_injuries"] = json.dumps(list(a.previous_injuries))
    return row


def _athlete_from_row(row: Sequence[object]) -> Athlete:
    d = dict(zip(_ATHLETE_COLUMNS, row))
    d["previous_injuries"] = tuple(json.loads(str(d["previous_injuries"] or "[]")))
    return Athlete(**d)  # type: ignore[arg-type]


_ACTIVITY_COLUMNS = [
    "id", "start_utc", "utc_offset_s", "sport", "sub_sport", "sport_inferred", "distance_m",
    "distance_source", "timer_s", "elapsed_s", "elevation_gain_m", "avg_hr_bpm", "max_hr_bpm",
    "avg_cadence_spm", "device", "name", "gear", "laps_json", "hr_zone_json", "warnings_json",
    "source_file", "source_hash", "leg_index", "rpe", "hr_bin_bpm", "import_id", "sport_corrected",
    "sub_sport_corrected", "distance_m_corrected", "gear_corrected", "rpe_corrected", "gear_assigned",
]
# What `runload activity set` may correct: {field of Activity: column holding the correction}.
CORRECTABLE = {"sport": "sport_corrected", "sub_sport": "sub_sport_corrected",
               "distance_m": "distance_m_corrected", "gear": "gear_corrected", "rpe": "rpe_corrected"}
# Every column of the activities table, in order: what a replaced row keeps to be put back.
_ALL_ACTIVITY_COLUMNS = [
    "id", "athlete_id", "start_utc", "end_utc", "utc_offset_s", "sport", "sub_sport", "sport_inferred",
    "distance_m", "distance_source", "timer_s", "elapsed_s", "elevation_gain_m", "avg_hr_bpm", "max_hr_bpm",
    "avg_cadence_spm", "device", "name", "gear", "laps_json", "hr_zone_json", "warnings_json", "source_file",
    "source_hash", "leg_index", "imported_utc", "rpe", "hr_bin_bpm", "import_id", "sport_corrected", "sub_sport_corrected",
    "distance_m_corrected", "gear_corrected", "rpe_corrected", "corrected_utc", "gear_assigned",
]
_ACTIVITY_SELECT = ", ".join(_ACTIVITY_COLUMNS)
# Start times within the bounds, in SQL: rows dated 9019 are never even read.
_PLAUSIBLE_START = "start_utc > ? AND start_utc <= ?"


def _plausible_start_args() -> tuple[str, str]:
    return _iso(bounds.EARLIEST_START_UTC), _iso(bounds.latest_start_utc())


_LAP_FIELDS = tuple(f.name for f in fields(Lap))


def _lap_to_json(lap: Lap) -> dict[str, object]:
    # field by field, not dataclasses.asdict (which deep-copies every value): an import stores thousands of laps
    d: dict[str, object] = {name: getattr(lap, name) for name in _LAP_FIELDS}
    d["start_utc"] = _iso(lap.start_utc) if lap.start_utc else None
    return d


def _lap_from_json(d: dict[str, object]) -> Lap:
    start = d.get("start_utc")
    return Lap(**{**d, "start_utc": _parse_iso(str(start)) if start else None})  # type: ignore[arg-type]


def _activity_from_row(row: Sequence[object]) -> Activity:
    d = dict(zip(_ACTIVITY_COLUMNS, row))
    act = _recorded_activity(d)
    changes: dict[str, object] = {}
    recorded: dict[str, object] = {}
    for name, column in CORRECTABLE.items():
        value = d[column]
        if value is None:
            continue
        recorded[name] = getattr(act, name)
        changes[name] = Sport(value) if name == "sport" else value
    if "sport" in changes:
        recorded["sport"] = act.sport.value
        changes["sport_inferred"] = False
    if d["gear_assigned"] is not None and act.gear is None and "gear" not in changes:
        changes.update(gear=d["gear_assigned"], gear_default=True)
    if recorded:
        changes["corrections"] = recorded
    return replace(act, **changes) if changes else act  # type: ignore[arg-type]


def _recorded_activity(d: dict[str, object]) -> Activity:
    return Activity(
        id=d["id"],  # type: ignore[arg-type]
        start_utc=_parse_iso(str(d["start_utc"])),
        utc_offset_s=d["utc_offset_s"],  # type: ignore[arg-type]
        sport=Sport(d["sport"]),
        sub_sport=d["sub_sport"],  # type: ignore[arg-type]
        sport_inferred=bool(d["sport_inferred"]),
        distance_m=float(d["distance_m"]),  # type: ignore[arg-type]
        distance_source=str(d["distance_source"]),
        timer_s=d["timer_s"],  # type: ignore[arg-type]
        elapsed_s=d["elapsed_s"],  # type: ignore[arg-type]
        elevation_gain_m=d["elevation_gain_m"],  # type: ignore[arg-type]
        avg_hr_bpm=d["avg_hr_bpm"],  # type: ignore[arg-type]
        max_hr_bpm=d["max_hr_bpm"],  # type: ignore[arg-type]
        avg_cadence_spm=d["avg_cadence_spm"],  # type: ignore[arg-type]
        device=d["device"],  # type: ignore[arg-type]
        name=d["name"],  # type: ignore[arg-type]
        gear=d["gear"],  # type: ignore[arg-type]
        laps=tuple(_lap_from_json(x) for x in json.loads(str(d["laps_json"]))),
        hr_zone_s={int(k): float(v) for k, v in json.loads(str(d["hr_zone_json"])).items()},
        warnings=tuple(json.loads(str(d["warnings_json"]))),
        source_file=d["source_file"],  # type: ignore[arg-type]
        source_hash=d["source_hash"],  # type: ignore[arg-type]
        leg_index=int(d["leg_index"]),  # type: ignore[arg-type]
        rpe=d["rpe"],  # type: ignore[arg-type]
        hr_bin_bpm=int(d["hr_bin_bpm"]),  # type: ignore[arg-type]
        import_id=d["import_id"],  # type: ignore[arg-type]
    )


_PAIN_FIELDS = [f.name for f in fields(PainEntry) if f.name != "id"]
_PAIN_BOOLS = {f.name for f in fields(PainEntry) if f.type in ("bool", "bool | None")}


def _pain_row(e: PainEntry) -> dict[str, object]:
    row: dict[str, object] = {}
    for name in _PAIN_FIELDS:
        value = getattr(e, name)
        if isinstance(value, date):
            value = value.isoformat()
        elif isinstance(value, bool):
            value = int(value)
        row[name] = value
    return row


def _pain_from_row(d: dict[str, object]) -> PainEntry:
    out: dict[str, object] = {}
    for key, value in d.items():
        if key == "date":
            value = date.fromisoformat(str(value))
        elif key in _PAIN_BOOLS and value is not None:
            value = bool(value)
        out[key] = value
    return PainEntry(**out)  # type: ignore[arg-type]
