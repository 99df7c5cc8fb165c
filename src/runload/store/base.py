"""Opening a store file (created private, migrated to this runload's schema) and its transactions."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Self

from runload.errors import NotFoundError, StoreError
from runload.outfile import PRIVATE_FILE, OutputError, private_folder
from runload.store.schema import SCHEMA_VERSION, pending


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


def inserted_id(cur: sqlite3.Cursor) -> int:
    """The row id an INSERT just gave its row."""
    if cur.lastrowid is None:
        raise StoreError("SQLite gave the new row no id")
    return cur.lastrowid


def unknown_athlete(athlete_id: str) -> NotFoundError:
    return NotFoundError(f"unknown athlete '{athlete_id}' (see: runload athlete list)")


class StoreBase:
    """An open store file: its connection, its schema and its transactions. :class:`runload.store.Store`
    adds the queries."""

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self.conn = conn
        self.path = path
        self._depth = 0  # open transaction (1) and savepoints inside it (2, 3, ...)
        # True when the file was there but empty (0 bytes) and was set up as a new store: the
        # command line says so, since a store that lost its content should not pass unnoticed
        self.was_empty = False

    # ---------------------------------------------------------------- opening
    @classmethod
    def open(cls, path: str | Path, *, create: bool = True) -> Self:
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
                with suppress(sqlite3.OperationalError):
                    conn.execute("PRAGMA journal_mode = WAL")
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

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def schema_version(self) -> int:
        return int(self.conn.execute("PRAGMA user_version").fetchone()[0])

    def _migrate(self) -> None:
        """Run the migration steps this store has not had, each in its own transaction."""
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
        for step in pending(version):
            with self.atomic():
                for statement in step.statements():
                    self.conn.execute(statement)
                self.conn.execute(f"PRAGMA user_version = {step.version}")

    def _require_athlete(self, athlete_id: str) -> None:
        """:class:`NotFoundError` unless the athlete is stored."""
        if self.conn.execute("SELECT 1 FROM athletes WHERE id = ?", (athlete_id,)).fetchone() is None:
            raise unknown_athlete(athlete_id)

    # ---------------------------------------------------------------- transactions
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
            # if this fails, the connection is closed with the command; SQLite rolls back then
            with suppress(sqlite3.Error):
                self.conn.execute("ROLLBACK")

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


def _create_private(path: Path) -> None:
    """A new, empty store file readable by its owner only (0600), in folders runload creates
    0700, whatever the umask: the store holds health data. SQLite gives its journal the same
    mode. A store or folder that was already there keeps its mode."""
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


def _empty_file(path: Path) -> bool:
    """A file of 0 bytes with no journal beside it (a journal could still hold its content)."""
    try:
        if path.stat().st_size != 0:
            return False
    except OSError:
        return False
    return not any(path.with_name(path.name + suffix).exists() for suffix in ("-journal", "-wal"))
