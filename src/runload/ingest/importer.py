"""Import activity files into the store.

``import_paths`` walks what the user named (:mod:`runload.ingest.walk`), has each file read in
worker processes (:mod:`runload.ingest.pool`) and stores each file's activities together through
the store's door (:mod:`runload.ingest.writer`): a file lands whole or not at all, and one broken
file never stops the rest. This process alone writes to the store, in file order, so results do
not depend on timing.

Nothing impossible is stored: every activity passes :func:`runload.bounds.check_activity` on its
way in (a start in 9019, an infinite distance or 42 km in ten minutes refuse the file; a bad heart
rate or duration is dropped with a warning).

Re-importing is cheap: a path whose size and modification time (or, inside a zip, size and
CRC-32) are unchanged is skipped without being read, and an archive imported without failures is
skipped without being opened. A changed path is hashed, and content already imported is skipped.
The same run arriving from another source (a GPX copy of a FIT file, a truncated copy) is stored
once, keeping the richer copy, and reported as a duplicate.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

from runload.errors import InputError, StoreError, printable
from runload.ingest.pool import Item, Parsed, parse_all
from runload.ingest.summary import ImportSummary, no_files_reason
from runload.ingest.walk import ArchiveOpened, Listed, NothingFound, Seen, Source, Unchanged, Unreadable, WalkEvent, walk
from runload.ingest.writer import Container, Writer, count
from runload.models import Activity
from runload.store import CommitError, Store, describe_sqlite_error


class ImportStopped(StoreError):
    """The store could not save an import's files (a full disk): ``summary`` says what the
    import had handled; files saved by an earlier commit of it stay, the rest were not stored and
    a later import reads them again."""

    def __init__(self, summary: ImportSummary, why: str, path: str | Path) -> None:
        super().__init__(f"the import stopped: {why}; the files it read since its last save were not stored "
                         "(the next import reads them again)", path=path)
        self.summary = summary


class _Progress:
    """Files found and handled so far, for ``progress(done, total)`` (a plain class: nothing
    compares or prints it)."""

    __slots__ = ("report", "found", "done")

    def __init__(self, report: Callable[[int, int], None] | None) -> None:
        self.report = report
        self.found = 0
        self.done = 0

    def tell(self) -> None:
        if self.report:
            self.report(self.done, max(self.found, self.done))


def import_paths(
    store: Store,
    athlete_id: str,
    paths: list[Path],
    *,
    progress: Callable[[int, int], None] | None = None,
    workers: int | None = None,
) -> ImportSummary:
    """Import every activity file under ``paths`` for the athlete; never stops on one bad file.

    ``progress(done, total)`` is called as files are handled (``total`` grows as nested archives
    are opened). ``workers`` is the number of parsing processes (default: the machine's cores; 0
    parses in this process, which a reader crashing on a file would take down with it).
    """
    athlete = store.get_athlete(athlete_id)
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise InputError("no such file or folder", path=missing[0])
    tz = ZoneInfo(athlete.timezone)
    summary = ImportSummary(import_id=store.start_import(athlete_id, [printable(str(p.absolute())) for p in paths]))
    known = store.known_files(athlete_id)
    # files an older runload stored with 5-bpm heart-rate bins are read again, for their heart rate
    refresh = store.coarse_hr_files(athlete_id)
    for digest in refresh:
        known.pop(digest, None)
    seen = Seen(store.seen_files(athlete_id), known.keys(), look_inside=bool(refresh))
    containers: dict[str, Container] = {}
    tally = _Progress(progress)
    tally.tell()
    writer = Writer(store, athlete_id, tz, summary, known, containers, refresh)
    try:
        try:
            items = _items(walk(paths, seen), summary, containers, tally)
            for item, parsed in parse_all(items, known, workers):
                writer.handle(item, parsed)
                tally.done += 1
                tally.tell()
            writer.finish_containers()
        except sqlite3.Error as exc:  # the store cannot take a write (a full disk): why, with the summary
            store.rollback()
            raise ImportStopped(summary, describe_sqlite_error(exc), store.path) from None
        finally:
            writer.commit()  # what was handled before an interruption stays
    except ImportStopped:
        raise
    except CommitError as err:  # the last commit could not be saved
        raise ImportStopped(summary, err.why, store.path) from None
    for path in summary.empty:
        summary.failed.append({"file": path, "reason": no_files_reason(path)})
    store.finish_import(summary.import_id or 0, files=len(summary.imported), activities=summary.activities,
                        duplicates=len(summary.duplicates), skipped=summary.skipped, failed=len(summary.failed))
    return summary


def _items(events: Iterator[WalkEvent], summary: ImportSummary, containers: dict[str, Container],
           tally: _Progress) -> Iterator[Item]:
    """The files to read (and those that could not be listed, in their place) out of the walk's
    events; the rest of what the walk tells is counted here."""
    for event in events:
        if isinstance(event, (Source, Unreadable)):
            yield event
        elif isinstance(event, Listed):
            tally.found += event.count
            tally.tell()
        elif isinstance(event, ArchiveOpened):
            containers[event.key] = Container(event.fingerprint, event.label, event.parents)
        elif isinstance(event, Unchanged):
            summary.skipped += event.files  # unchanged since it was imported: not even read
            if not event.archive:
                tally.done += 1
                count(containers, event.parents)
        elif isinstance(event, NothingFound):
            summary.empty.append(printable(str(event.path)))
        # else Repeated: a file named twice is found, not missing, and imported once


class RecordImport:
    """An import of activities that arrive as records of a service (Strava's API), not as files.

    Each record goes through the same door as a file (:class:`Writer`): the physical bounds, the
    athlete's time zone, the default shoe, deduplication against every stored copy of the run
    (the richer kept) and the day and week checks. A record is "seen" under its ``key`` with a
    ``fingerprint`` of what the service says of it, so an unchanged record is never fetched again
    and a changed one is replaced. Each record is committed as it lands: a sync stopped halfway
    (a rate limit, a network failure) keeps what it stored.
    """

    def __init__(self, store: Store, athlete_id: str, label: str) -> None:
        athlete = store.get_athlete(athlete_id)
        self.store, self.athlete_id = store, athlete_id
        self.summary = ImportSummary(import_id=store.start_import(athlete_id, [label]))
        self.seen = store.seen_files(athlete_id)
        self.removed = 0
        self._writer = Writer(store, athlete_id, ZoneInfo(athlete.timezone), self.summary,
                               store.known_files(athlete_id), {})

    def add(self, name: str, key: str, fingerprint: str, digest: str, acts: list[Activity]) -> None:
        """Store one record's activities (replacing what an earlier version of it stored)."""
        old = self.seen.get(key)
        if old is not None and old[1] is not None and old[1] != digest:
            self.remove(key, old[1])
        src = Source(name=name, kind=None, read=bytes, key=key, fingerprint=fingerprint, stored_name=name)
        self._writer.handle(src, Parsed(digest=digest, activities=acts))
        self._writer.commit()
        self.seen[key] = (fingerprint, digest, 1)

    def remove(self, key: str, digest: str | None) -> None:
        """The service no longer has the record (or has a new version of it): its copy goes."""
        self._writer.begin()
        self.removed += self.store.forget_record(self.store.conn, self.athlete_id, key, digest)
        self._writer.known.pop(digest or "", None)
        self.seen.pop(key, None)
        self._writer.commit()

    def finish(self) -> ImportSummary:
        """Record the import (``runload import list``) and return what it did."""
        s = self.summary
        self.store.finish_import(s.import_id or 0, files=len(s.imported), activities=s.activities,
                                 duplicates=len(s.duplicates), skipped=s.skipped, failed=len(s.failed))
        return s


__all__ = ["ImportStopped", "ImportSummary", "RecordImport", "import_paths"]
