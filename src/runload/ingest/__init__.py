"""Import activity files into the store.

``import_paths`` walks what the user named, reads each file with the reader for its content, and
stores each file's activities together: a file lands whole or not at all, and one broken file
never stops the rest. Work is split so both cores are used: worker processes read, hash and parse
files; this process alone writes to the store, in file order, so results do not depend on timing.
A worker that dies on a file (a reader crashing on hostile input, the system killing it for
memory) fails that file only: the pool is restarted and the import goes on.

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

import hashlib
import os
import shutil
import sqlite3
import tempfile
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from runload import bounds
from runload.errors import IngestError, InputError, printable
from runload.ingest.common import sport_from_name
from runload.ingest.dedupe import decide, richness, search_window, within_file
from runload.ingest.sources import (
    FORMAT_NAMES, Notice, Source, describe, format_cap, iter_sources, read_disk_file, sniff, unpack,
)
from runload.ingest.stravacsv import STRAVA_SUB, StravaMeta
from runload.models import Activity, Sport
from runload.errors import StoreError
from runload.store import CommitError, Store, describe_sqlite_error

_COMMIT_EVERY_S = 2.0  # files are committed in batches; each file is still whole or absent
_WINDOW_FILES_PER_WORKER = 4  # files in flight per worker: enough to keep them busy
_WINDOW_BYTES = 32 * 1024 * 1024  # archive members' bytes in flight to workers, at most (one file may exceed it)
_SPILL_BYTES = 4 * 1024 * 1024  # larger members reach a worker through a private temporary file
# What a worker may allocate beyond what it starts with (Linux, RLIMIT_DATA): whatever a file holds,
# no reader grows a worker past about 300 MB; one that would fails that file ("needs more memory").
WORKER_MEMORY_BYTES = 256 * 1024 * 1024
_DEAD_WORKER = ("the reader's process died on this file (it needed more memory than runload gives one file, or "
                "the file is damaged in a way that crashes the reader): not imported")
# How long one file may take to read. The largest files runload reads (32 MB of FIT, 64 MB of
# GPX) take well under a minute on a slow machine; a reader still busy after this is stuck on a
# hostile file, and its process is stopped.
FILE_SECONDS = 300.0
_MEMORY_REASON = (f"needs more memory than runload gives one file ({WORKER_MEMORY_BYTES // 2**20} MB) to read: "
                  "not read")


def _slow_reason() -> str:
    return f"took longer than runload gives one file ({FILE_SECONDS:,.0f} s) to read: stopped, not imported"


def _raised_reason(exc: BaseException) -> str:
    """Why a file failed when its worker raised instead of answering (a MemoryError while
    sending its result back, say), in words."""
    if isinstance(exc, MemoryError):
        return _MEMORY_REASON
    return "could not be read: the reader failed on it in a way runload does not handle; not imported"


def no_files_reason(path: str) -> str:
    """What an import says of a folder or archive with nothing in it to import."""
    return f"no activity files found in {path}"


@dataclass
class ImportSummary:
    """What an import did, file by file. ``empty`` lists the folders and archives named that held
    no activity file at all (each also counts as a failure)."""

    imported: list[str] = field(default_factory=list)
    duplicates: list[dict[str, str]] = field(default_factory=list)
    skipped: int = 0
    failed: list[dict[str, str]] = field(default_factory=list)
    warnings: list[dict[str, str]] = field(default_factory=list)
    activities: int = 0
    empty: list[str] = field(default_factory=list)
    refreshed: int = 0  # of the files already known: heart rate re-read at 1 bpm (stored by an older runload)
    import_id: int | None = None  # the import's record (runload import list / undo)

    def as_json(self) -> dict[str, object]:
        """The summary as plain JSON data: counts, and lists of duplicates, failures and warnings."""
        return {
            "import_id": self.import_id,
            "imported": len(self.imported),
            "activities": self.activities,
            "duplicates": self.duplicates,
            "skipped": self.skipped,
            "refreshed": self.refreshed,
            "failed": self.failed,
            "warnings": self.warnings,
        }


def parse_source(kind: str, data: bytes, name: str, present: frozenset[str] | None = None) -> list[Activity]:
    """The activities in one file's bytes, by its format (``fit``, ``gpx``, ``tcx``, ``csv``,
    runload's own activities CSV, or ``strava``, a Strava export's activities.csv: its rows for
    files not ``present`` in the import)."""
    if kind == "fit":
        from runload.ingest.fit import parse_fit

        return parse_fit(data, name)
    if kind == "gpx":
        from runload.ingest.gpx import parse_gpx

        return parse_gpx(data, name)
    if kind == "tcx":
        from runload.ingest.tcx import parse_tcx

        return parse_tcx(data, name)
    if kind == "csv":
        from runload.ingest.runcsv import parse_activities_csv

        return parse_activities_csv(data, name)
    if kind == "strava":
        from runload.ingest.stravacsv import parse_strava_csv

        return parse_strava_csv(data, name, present)
    raise IngestError(f"unsupported format {kind!r}", path=name)


# ---------------------------------------------------------------- worker side
_KNOWN: frozenset[str] = frozenset()


def _init_worker(known: frozenset[str], memory_budget: int | None = None) -> None:
    global _KNOWN
    _KNOWN = known
    if memory_budget:
        _limit_memory(memory_budget)


def _limit_memory(budget: int) -> None:
    """Let this process allocate at most ``budget`` bytes more than it holds now (Linux: data
    segment and private mappings, which is where every reader's arrays and objects live)."""
    try:
        import resource

        with open("/proc/self/status", encoding="ascii") as fh:
            vm_data = next(int(line.split()[1]) * 1024 for line in fh if line.startswith("VmData:"))
        _soft, hard = resource.getrlimit(resource.RLIMIT_DATA)
        limit = vm_data + budget if hard == resource.RLIM_INFINITY else min(vm_data + budget, hard)
        resource.setrlimit(resource.RLIMIT_DATA, (limit, hard))
    except (ImportError, OSError, StopIteration, ValueError):
        pass  # not Linux: no limit, as before


@dataclass
class _Parsed:
    digest: str | None = None
    activities: list[Activity] | None = None
    error: str | None = None
    notes: tuple[str, ...] = ()  # what was odd about reading it (kept as warnings)
    notice: str | None = None  # an optional file that is not an activity file: said, not failed


def _parse_task(name: str, hint: str | None, path: Path | None, data: bytes | None,
                optional: bool = False, present: frozenset[str] | None = None) -> _Parsed:
    """Read (if given a path), unpack, recognise, hash and parse one file; errors come back as
    text for a runner, never raised."""
    kind = hint
    try:
        if data is None:
            assert path is not None
            data = read_disk_file(path, name)
        if not data:
            return _Parsed(error="empty file (0 bytes): nothing to import")
        data, notes = unpack(data, name)
        if not data:
            return _Parsed(error="empty file (0 bytes): nothing to import")
        head = data[:65_536]
        content = sniff(head)
        if content in FORMAT_NAMES:
            kind = content
            if hint is not None and hint != content:
                notes.append(f"its name says {FORMAT_NAMES[hint]} but it holds a {FORMAT_NAMES[content]} file: "
                             f"read as {FORMAT_NAMES[content]}")
        elif optional:
            return _Parsed(notice=f"not an activity file: {describe(content, head)}; not imported")
        elif hint is None or content == "zip":
            what = f"not a {FORMAT_NAMES[hint]} file" if hint else "not an activity file"
            return _Parsed(error=f"{what}: {describe(content, head)}")
        # else: unrecognised bytes (or XML of another kind) with an activity name go to that
        # format's reader, which says precisely what is wrong (a damaged header, XML broken at line 3)
        assert kind is not None
        cap = format_cap(kind)
        if len(data) > cap:
            return _Parsed(error=f"is {len(data) / 2**20:,.0f} MB of {FORMAT_NAMES[kind]}, more than any activity "
                                 f"file (runload reads up to {cap // 2**20} MB); not read")
        digest = hashlib.sha256(data).hexdigest()
        if digest in _KNOWN:
            return _Parsed(digest)
        # text is cut here, in the worker, so a 200 MB track name never travels to the writer
        acts = [bounds.clip_text(a) for a in parse_source(kind, data, name, present)]
        return _Parsed(digest, acts, notes=tuple(notes))
    except IngestError as err:
        where = f" (line {err.line})" if err.line is not None and str(err.line) not in err.message else ""
        return _Parsed(error=err.message + where)
    except RecursionError:
        return _Parsed(error="its XML is nested more deeply than any activity file: not read")
    except MemoryError:
        return _Parsed(error=_MEMORY_REASON)
    except Exception:  # noqa: BLE001 - a reader's bug on one odd file must not stop the import
        what = FORMAT_NAMES.get(kind or "", "activity")
        return _Parsed(error=f"could not be read: it is damaged in a way the {what} reader does not handle")


# ---------------------------------------------------------------- the import
@dataclass
class _Container:
    fingerprint: str
    label: str
    parents: tuple[str, ...]
    members: int = 0
    failed: bool = False


@dataclass(frozen=True)
class _ListingError:
    """A file or archive that failed while listing, handled in its place in the file order."""

    name: str
    reason: str
    notice: bool = False  # left alone on purpose (a link out of the folder): a warning, not a failure


_Item = Source | _ListingError


class ImportStopped(StoreError):
    """The store could not save an import's files (a full disk): ``summary`` says what the
    import had handled; files saved by an earlier commit of it stay, the rest were not stored and
    a later import reads them again."""

    def __init__(self, summary: ImportSummary, why: str, path: str | Path) -> None:
        super().__init__(f"the import stopped: {why}; the files it read since its last save were not stored "
                         "(the next import reads them again)", path=path)
        self.summary = summary


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
    seen = store.seen_files(athlete_id)
    known = store.known_files(athlete_id)
    # files an older runload stored with 5-bpm heart-rate bins are read again, for their heart rate
    refresh = store.coarse_hr_files(athlete_id)
    for digest in refresh:
        known.pop(digest, None)
    containers: dict[str, _Container] = {}
    tally = {"found": 0, "done": 0, "events": 0}
    listing_errors: deque[IngestError] = deque()

    def report() -> None:
        if progress:
            progress(tally["done"], max(tally["found"], tally["done"]))

    def known_container(key: str, fingerprint: str) -> bool:
        entry = seen.get(key)
        if entry and entry[0] == fingerprint and entry[1] is None and not refresh:  # else: look inside
            summary.skipped += entry[2]
            tally["events"] += 1
            return True
        return False

    def known_file(key: str, fingerprint: str) -> bool:
        entry = seen.get(key)
        if entry and entry[0] == fingerprint and entry[1] is not None and entry[1] in known:
            summary.skipped += 1  # unchanged since it was imported: not even read
            tally["events"] += 1
            tally["done"] += 1
            _count(containers, _parents(key, containers))
            return True
        return False

    def on_container(key: str, fingerprint: str, label: str, parents: tuple[str, ...]) -> None:
        containers[key] = _Container(fingerprint, label, parents)

    def on_listed(n: int) -> None:
        tally["found"] += n
        report()

    def on_error(err: IngestError) -> None:
        tally["events"] += 1
        listing_errors.append(err)

    def on_repeat() -> None:
        tally["events"] += 1  # a file already taken from another path named: found, not missing

    def items() -> Iterator[_Item]:
        seen_keys: set[str] = set()
        for path in paths:
            events = tally["events"]
            for src in iter_sources([path], on_error, known_container, on_container, known_file, on_listed,
                                    seen_keys, on_repeat):
                while listing_errors:
                    err = listing_errors.popleft()
                    yield _ListingError(err.path or "?", err.message, isinstance(err, Notice))
                tally["events"] += 1
                yield replace(src, stored_name=_relative_name(src.name, path))
            while listing_errors:
                err = listing_errors.popleft()
                yield _ListingError(err.path or "?", err.message, isinstance(err, Notice))
            if tally["events"] == events and (path.is_dir() or not _is_single_file(path)):
                summary.empty.append(printable(str(path)))

    report()
    writer = _Writer(store, athlete_id, tz, summary, known, containers, refresh)
    try:
        try:
            for item, parsed in _parse_all(items(), known, workers):
                writer.handle(item, parsed)
                tally["done"] += 1
                report()
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


class RecordImport:
    """An import of activities that arrive as records of a service (Strava's API), not as files.

    Each record goes through the same door as a file (:class:`_Writer`): the physical bounds, the
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
        self._writer = _Writer(store, athlete_id, ZoneInfo(athlete.timezone), self.summary,
                               store.known_files(athlete_id), {})

    def add(self, name: str, key: str, fingerprint: str, digest: str, acts: list[Activity]) -> None:
        """Store one record's activities (replacing what an earlier version of it stored)."""
        old = self.seen.get(key)
        if old is not None and old[1] is not None and old[1] != digest:
            self.remove(key, old[1])
        src = Source(name=name, kind=None, read=bytes, key=key, fingerprint=fingerprint, stored_name=name)
        self._writer.handle(src, _Parsed(digest=digest, activities=acts))
        self._writer.commit()
        self.seen[key] = (fingerprint, digest, 1)

    def remove(self, key: str, digest: str | None) -> None:
        """The service no longer has the record (or has a new version of it): its copy goes."""
        self._writer._begin()
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


def _relative_name(name: str, named: Path) -> str:
    """A file's name relative to the folder holding the path the import named: the folder's or
    archive's own name and what follows (``watch/2024/run.fit``), not where it is on this disk."""
    prefix = printable(str(named))
    if not name.startswith(prefix):
        return name
    return printable(os.path.basename(os.path.abspath(named))) + name[len(prefix):]


def _is_single_file(path: Path) -> bool:
    """A path that is one activity file (not an archive): it is always read, so never 'empty'."""
    from runload.ingest.sources import _head  # the same look at the first bytes the listing takes

    return sniff(_head(path)) != "zip" and not path.name.lower().endswith(".zip")


def _parents(key: str, containers: dict[str, _Container]) -> tuple[str, ...]:
    """The archives holding the member ``key`` (archive key ``!`` member name ...)."""
    return tuple(k for k in containers if key.startswith(k + "!"))


def _count(containers: dict[str, _Container], keys: tuple[str, ...]) -> None:
    for key in keys:
        if key in containers:
            containers[key].members += 1


def _fail(summary: ImportSummary, containers: dict[str, _Container], name: str, reason: str,
          keys: tuple[str, ...]) -> None:
    summary.failed.append({"file": name, "reason": reason})
    for c in containers.values():
        if name == c.label or name.startswith(c.label + "!"):
            c.failed = True
    for key in keys:
        if key in containers:
            containers[key].failed = True


# ---------------------------------------------------------------- parsing, here or in workers
@dataclass
class _Job:
    item: _Item
    future: Future[_Parsed] | None = None
    result: _Parsed | None = None
    path: Path | None = None  # a file on disk (or a spooled member) the worker reads itself
    data: bytes | None = None  # a member's bytes, kept until its result is in (to retry it)
    spooled: bool = False
    size: int = 0


def _parse_all(items: Iterator[_Item], known: dict[str, str], workers: int | None) -> Iterator[tuple[_Item, _Parsed]]:
    """(item, parsed) in the order of ``items``, parsed in worker processes (or here, with 0).

    Only a bounded window of files is in flight: a few per worker and at most ``_WINDOW_BYTES``
    of archive members, so memory holds a few files whatever the import's size.
    """
    n_workers = workers if workers is not None else (os.cpu_count() or 1)
    if n_workers <= 0:
        _init_worker(frozenset(known))
        for item in items:
            yield item, _run_here(item)
        return
    with _Workers(n_workers, frozenset(known)) as pool:
        pending: deque[_Job] = deque()
        in_flight = 0
        exhausted = False
        it = iter(items)
        window = _WINDOW_FILES_PER_WORKER * n_workers
        while True:
            while not exhausted and len(pending) < window and (in_flight < _WINDOW_BYTES or not pending):
                item = next(it, None)
                if item is None:
                    exhausted = True
                    break
                job = pool.submit(item)
                pending.append(job)
                in_flight += job.size
            if not pending:
                return
            job = pending.popleft()
            in_flight -= job.size
            yield job.item, pool.result(job, pending)


def _run_here(item: _Item) -> _Parsed:
    if isinstance(item, _ListingError):
        return _Parsed(error=item.reason)
    if item.path is not None:
        return _parse_task(item.name, item.kind, item.path, None, item.optional, item.present)
    try:
        data = item.read()
    except IngestError as err:
        return _Parsed(error=err.message)
    return _parse_task(item.name, item.kind, None, data, item.optional, item.present)


class _Workers:
    """A pool of parsing processes that outlives any one of them dying.

    When a worker dies, every file then in flight is a suspect: each is parsed again alone in a
    fresh process, so the file that kills it fails (with a reason) and the others are imported;
    then a new pool takes over.
    """

    def __init__(self, n: int, known: frozenset[str]) -> None:
        self.n, self.known = n, known
        self.pool = self._new(n)
        self.spool_dir: str | None = None

    def _new(self, n: int) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(max_workers=n, initializer=_init_worker,
                                   initargs=(self.known, WORKER_MEMORY_BYTES))

    def __enter__(self) -> "_Workers":
        return self

    def __exit__(self, *exc: object) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)
        if self.spool_dir:
            shutil.rmtree(self.spool_dir, ignore_errors=True)

    def submit(self, item: _Item) -> _Job:
        job = _Job(item)
        if isinstance(item, _ListingError):
            job.result = _Parsed(error=item.reason)
            return job
        if item.path is not None:
            job.path = item.path
        else:
            try:
                # archive members are read here, where the archive is open; big ones go to the
                # worker through a private temporary file rather than through memory
                if item.stream is not None and (item.size or 0) > _SPILL_BYTES:
                    job.path, job.spooled = self._spool(item), True
                else:
                    job.data = item.read()
                    job.size = len(job.data)
            except IngestError as err:
                job.result = _Parsed(error=err.message)
                return job
        try:
            job.future = self._submit_to(self.pool, job)
        except BrokenProcessPool as exc:  # a worker died since the last result: this job is a suspect too
            job.future = Future()
            job.future.set_exception(exc)
        return job

    def _spool(self, src: Source) -> Path:
        if self.spool_dir is None:
            self.spool_dir = tempfile.mkdtemp(prefix="runload-import-")  # private (mode 700)
        fd, name = tempfile.mkstemp(dir=self.spool_dir, suffix=".member")
        try:
            with os.fdopen(fd, "wb") as fh:
                assert src.stream is not None
                src.stream(fh)
        except BaseException:
            os.unlink(name)
            raise
        return Path(name)

    @staticmethod
    def _submit_to(pool: ProcessPoolExecutor, job: _Job) -> Future[_Parsed]:
        src = job.item
        assert isinstance(src, Source)
        return pool.submit(_parse_task, src.name, src.kind, job.path, job.data, src.optional, src.present)

    def result(self, job: _Job, pending: deque[_Job]) -> _Parsed:
        """The job's result. Whatever happens to its worker, the job ends as one result: a
        worker that died makes it and every job in flight run alone; one still busy after
        :data:`FILE_SECONDS` is stopped (the job at the head of the queue has been running at
        least as long as it has been waited for); one that raised (a MemoryError sending its
        result back) fails the file with a reason."""
        try:
            if job.result is None:
                assert job.future is not None
                try:
                    job.result = job.future.result(timeout=FILE_SECONDS)
                except BrokenProcessPool:
                    self._recover([job, *pending])
                except FutureTimeout:
                    job.result = _Parsed(error=_slow_reason())
                    _stop(self.pool)
                    self._recover(list(pending))
                except Exception as exc:  # noqa: BLE001 - raised in the worker: one file fails
                    job.result = _Parsed(error=_raised_reason(exc))
            assert job.result is not None
            return job.result
        finally:
            job.data = None
            if job.spooled and job.path is not None:
                job.path.unlink(missing_ok=True)

    def _recover(self, suspects: list[_Job]) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)
        for job in suspects:
            if job.result is not None or job.future is None:
                continue
            if job.future.done() and not job.future.cancelled() and job.future.exception() is None:
                job.result = job.future.result()  # finished before the pool broke
                continue
            with self._new(1) as solo:
                try:
                    job.result = self._submit_to(solo, job).result(timeout=FILE_SECONDS)
                except BrokenProcessPool:
                    job.result = _Parsed(error=_DEAD_WORKER)
                except FutureTimeout:
                    job.result = _Parsed(error=_slow_reason())
                    _stop(solo)
                except Exception as exc:  # noqa: BLE001 - as in result()
                    job.result = _Parsed(error=_raised_reason(exc))
        self.pool = self._new(self.n)


def _stop(pool: ProcessPoolExecutor) -> None:
    """Stop a pool's worker processes now (one is stuck on a file; the others' jobs are run again)."""
    for proc in list((getattr(pool, "_processes", None) or {}).values()):
        try:
            proc.kill()
        except (OSError, ValueError, AttributeError):
            pass


# ---------------------------------------------------------------- storing
class _Refused(Exception):
    """A file's activity is outside the physical bounds: the file fails, nothing of it stored."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class _Writer:
    """Stores parsed files: one savepoint per file inside batched transactions."""

    def __init__(self, store: Store, athlete_id: str, tz: ZoneInfo, summary: ImportSummary, known: dict[str, str],
                 containers: dict[str, _Container], refresh: set[str] | None = None) -> None:
        self.store, self.athlete_id, self.tz, self.summary = store, athlete_id, tz, summary
        self.known, self.containers = known, containers
        self.refresh = set(refresh or ())  # stored files whose heart rate is re-read (5-bpm bins)
        self.this_run: set[str] = set()  # content hashes first stored by this import
        self.conn = store.conn
        self.last_commit = time.monotonic()
        self.longest_s = store.longest_activity_s(athlete_id)  # bounds the duplicate search
        self.import_id = summary.import_id  # kept on every row this import stores or replaces
        self.default_shoe = store.default_shoe(athlete_id)  # for runs whose file names no gear

    def _begin(self) -> None:
        if not self.store.in_transaction:
            self.store.begin()
            # Another import into this store may have committed files since ours started: with
            # the write lock held, what the store knows now is exact until our commit.
            for digest, name in self.store.known_files(self.athlete_id).items():
                if digest not in self.refresh:  # still to be read again for its heart rate
                    self.known.setdefault(digest, name)
            self.longest_s = max(self.longest_s, self.store.longest_activity_s(self.athlete_id))

    def commit(self) -> None:
        self.store.commit()
        self.last_commit = time.monotonic()

    def handle(self, item: _Item, parsed: _Parsed) -> None:
        if isinstance(item, _ListingError):
            if item.notice:
                self.summary.warnings.append({"file": item.name, "warning": item.reason})
            else:
                _fail(self.summary, self.containers, item.name, item.reason, ())
            return
        src = item
        if parsed.notice is not None:
            _count(self.containers, src.containers)
            self.summary.warnings.append({"file": src.name, "warning": parsed.notice})
            return
        if parsed.error is not None or parsed.digest is None:
            _fail(self.summary, self.containers, src.name, parsed.error or "could not be read", src.containers)
            return
        self._begin()
        try:
            with self.store.atomic():  # a savepoint: the file lands whole or not at all
                if parsed.digest in self.this_run:
                    # the same bytes twice in one import (a copy, a .gz of the file): one is a duplicate
                    self.summary.duplicates.append({"file": src.name, "kept": self.known[parsed.digest],
                                                    "replaced": ""})
                elif parsed.activities is not None and parsed.digest in self.refresh:
                    self._refresh_heart_rate(src, parsed)
                elif parsed.activities is None or parsed.digest in self.known:
                    self.summary.skipped += 1  # content imported before (from this or another path)
                else:
                    acts = self._checked(parsed.activities, src, parsed)
                    self._store_file(src.name, parsed.digest, acts)
                    self.known[parsed.digest] = src.name
                    self.this_run.add(parsed.digest)
                self.store.remember_seen(self.conn, self.athlete_id, src.key, src.fingerprint, parsed.digest,
                                         import_id=self.import_id)
        except _Refused as refused:
            _fail(self.summary, self.containers, src.name, refused.reason, src.containers)
            return
        except (InputError, OverflowError, ValueError, sqlite3.IntegrityError):
            # cannot happen once the bounds are checked; if a value still slips through, that file
            # fails and the import goes on (a store that cannot be written still stops it)
            _fail(self.summary, self.containers, src.name, "could not be stored: a value in it is out of range",
                  src.containers)
            return
        _count(self.containers, src.containers)
        if time.monotonic() - self.last_commit > _COMMIT_EVERY_S:
            self.commit()

    def _checked(self, parsed_acts: list[Activity], src: Source, parsed: _Parsed) -> list[Activity]:
        """The file's activities as stored: Strava's CSV joined, then each checked against the
        physical bounds (the store's door); one activity outside them refuses the whole file."""
        out = []
        acts = _apply_meta(parsed_acts, src.meta)
        for a in acts:
            if parsed.notes:
                a = replace(a, warnings=(*a.warnings, *parsed.notes))
            checked = bounds.check_activity(a)
            if checked.activity is None and a.distance_source == "strava":
                # a row of Strava's list of activities is a record of its own: it alone is refused
                self.summary.warnings.append({"file": src.name,
                                              "warning": f"{_row_label(a)}: {checked.problem}; not imported"})
                continue
            if checked.activity is None:
                leg = f"leg {a.leg_index + 1} of {len(acts)}: " if len(acts) > 1 else ""
                raise _Refused(f"{leg}{checked.problem}; not imported")
            out.append(self._complete(checked.activity, src, parsed.digest or ""))
        return out

    def _refresh_heart_rate(self, src: Source, parsed: _Parsed) -> None:
        """A file stored by an older runload with 5-bpm heart-rate bins: its heart rate is stored
        again at 1 bpm (exact TRIMP and zones); the rest of what is stored stays as it is."""
        digest = parsed.digest or ""
        for a in parsed.activities or []:
            checked = bounds.check_activity(a)
            if checked.activity is not None:
                self.store.set_heart_rate_bins(self.conn, self.athlete_id, digest, a.leg_index, checked.activity)
        self.refresh.discard(digest)
        self.known[digest] = src.name
        self.this_run.add(digest)
        self.summary.skipped += 1
        self.summary.refreshed += 1

    def finish_containers(self) -> None:
        """Remember archives whose every member was handled without failure."""
        failed = {k for k, c in self.containers.items() if c.failed}
        # an archive with nothing in it is not remembered: it is said again ("no activity files")
        ok = [(k, c) for k, c in self.containers.items()
              if k not in failed and not any(p in failed for p in c.parents) and c.members]
        if not ok:
            return
        self._begin()
        for key, c in ok:
            self.store.remember_seen(self.conn, self.athlete_id, key, c.fingerprint, None, c.members,
                                     import_id=self.import_id)

    def _complete(self, a: Activity, src: Source, digest: str) -> Activity:
        if a.gear is None and self.default_shoe and a.is_run:
            a = replace(a, gear=self.default_shoe, gear_default=True)
        # the offset the file records (carried back to the start across a DST change), or none:
        # then the athlete's zone at the start places it when read (calendar.with_zone_offset)
        return replace(a, source_hash=digest,
                       source_file=bounds.clean_text(src.stored_name or src.name, bounds.MAX_PATH_CHARS),
                       utc_offset_s=local_offset(a, self.tz) if a.utc_offset_s is not None else None)

    def _store_file(self, name: str, digest: str, acts: list[Activity]) -> None:
        """Store one file's activities: copies of one run inside it kept once, each checked
        against what is stored (the richer copy of a run stays), then the days and weeks it adds
        to checked as a whole (:func:`runload.bounds.period_problem`); a file that would make an
        impossible day or week is refused whole (:class:`_Refused`, inside its savepoint)."""
        if not acts:  # a Strava activities.csv whose every row came with its file: nothing of its own
            self.summary.skipped += 1
        copies = 0
        if not any(a.distance_source in _LISTED for a in acts):  # a list's rows are distinct by its own ids
            acts, copies = within_file(acts)
        stored: list[Activity] = []
        duplicates: list[dict[str, str]] = []
        for act in acts:
            window_start, window_end = search_window(act)
            verdict = decide(act, self.store.activities(
                self.athlete_id, start_utc=window_start, end_utc=window_end,
                started_from=window_start - timedelta(seconds=self.longest_s)))
            if verdict.twins:
                best = verdict.best
                assert best is not None
                if verdict.keep:
                    new_id = self.store.insert_activity(self.conn, self.athlete_id, act, self.import_id)
                    self.store.carry_corrections(self.conn, [o.id for o in verdict.twins], new_id)  # type: ignore[misc]
                    for o in verdict.twins:
                        self.store.delete_activity(self.conn, o.id, replaced_by=self.import_id)  # type: ignore[arg-type]
                    stored.append(act)
                    duplicates.append({"file": name, "kept": name, "replaced": best.source_file or "?"})
                else:
                    duplicates.append({"file": name, "kept": best.source_file or "?", "replaced": ""})
                continue
            self.store.insert_activity(self.conn, self.athlete_id, act, self.import_id)
            stored.append(act)
        self._check_periods(stored)
        self.summary.activities += len(stored)
        self.summary.duplicates.extend(duplicates)
        self.longest_s = max([self.longest_s] + [a.elapsed_s or a.timer_s or 0.0 for a in acts])
        if copies:
            self.summary.warnings.append({"file": name, "warning": f"{copies:,} of its activities are copies of another "
                                                                   "in the same file: each run stored once"})
        for act in acts:
            label = f"{_row_label(act)}: " if act.distance_source == "strava" else ""
            for w in act.warnings:
                self.summary.warnings.append({"file": name, "warning": label + w})
        self.store.record_file(self.conn, self.athlete_id, digest, name, "imported" if stored else "duplicate",
                               import_id=self.import_id)
        if stored:
            self.summary.imported.append(name)

    def _check_periods(self, stored: list[Activity]) -> None:
        """Refuse the file when its runs make a day or a week no one can run (see bounds)."""
        runs = [a for a in stored if a.is_run]
        if not runs:
            return
        lo = min(a.start_utc for a in runs) - timedelta(days=8)
        hi = max(a.start_utc for a in runs) + timedelta(days=8)
        around = self.store.activities(self.athlete_id, start_utc=lo, end_utc=hi, sports=[Sport.RUNNING],
                                       started_from=lo - timedelta(seconds=self.longest_s))
        problem = bounds.period_problem(around, self.tz, new=runs)
        if problem:
            raise _Refused(f"{problem}; not imported")


def _apply_meta(acts: list[Activity], meta: StravaMeta | None) -> list[Activity]:
    """Join a Strava export's CSV row to its file: name and gear always; the type when it names a
    sport (the athlete may have corrected it on Strava), and only for single-activity files."""
    if meta is None:
        return acts
    out = [replace(a, name=meta.name or a.name, gear=meta.gear or a.gear,
                   rpe=meta.rpe if meta.rpe is not None and len(acts) == 1 else a.rpe) for a in acts]
    sport = sport_from_name(meta.activity_type)
    if sport is not None and len(out) == 1:
        a = out[0]
        # what the file's sport looked like no longer matters once the CSV says what it was
        stale = ("no sport in the file",) + (("labelled running, but moves at",) if sport is not Sport.RUNNING else ())
        notes = tuple(w for w in a.warnings if not w.startswith(stale))
        sub = STRAVA_SUB.get((meta.activity_type or "").strip().lower(), a.sub_sport)
        if sport is not a.sport or a.sport_inferred:
            notes = (*notes, f"sport from activities.csv ({meta.activity_type})")
        out[0] = replace(a, sport=sport, sub_sport=sub, sport_inferred=False, warnings=notes)
    return out


# Distance sources of rows in a list of activities (runload's export, Strava's activities.csv):
# each row is an activity of its own, with its own id, whatever its times say (Strava's elapsed
# time of a ride left paused spans the next day's activities).
_LISTED = ("export", "strava")


def _row_label(a: Activity) -> str:
    """Which row of a list of activities a message is about (its file holds hundreds)."""
    return f"the activity of {a.start_utc:%Y-%m-%d %H:%M} UTC" + (f" ({a.name})" if a.name else "")


def local_offset(a: Activity, tz: ZoneInfo) -> int:
    """The UTC offset of the activity's start: the one the file records, else the athlete's zone's.

    An offset a file records at the end (FIT) is carried back to the start when the athlete's zone
    had that offset then and another at the start: the activity crossed a daylight-saving change.
    """
    def zone_at(when: datetime) -> int:
        off = when.astimezone(tz).utcoffset()
        return int(off.total_seconds()) if off else 0

    if a.utc_offset_s is None:
        return zone_at(a.start_utc)
    if a.offset_recorded_utc is not None and zone_at(a.offset_recorded_utc) == a.utc_offset_s:
        return zone_at(a.start_utc)
    return a.utc_offset_s


def activity_sport(name: str) -> Sport:
    """The sport a person names on the command line (``running``, ``run``, ``Ride``...)."""
    sport = sport_from_name(name)
    if sport is None or (sport is Sport.OTHER and name.strip().lower() != "other"):
        try:
            return Sport(name.strip().lower())
        except ValueError:
            names = ", ".join(s.value for s in Sport if s is not Sport.UNKNOWN)
            raise InputError(f"unknown sport {name!r} (expected one of: {names})") from None
    return sport


__all__ = ["ImportSummary", "RecordImport", "activity_sport", "import_paths", "local_offset", "parse_source", "richness"]
