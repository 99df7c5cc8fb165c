"""Reading files in worker processes: each is read, unpacked, recognised, hashed and parsed away
from the process that writes to the store, so both cores are used and a reader crashing on a
hostile file takes down a worker, never the import.

A worker that dies on a file (a reader crashing on hostile input, the system killing it for
memory) fails that file only: the pool is restarted and the import goes on (:class:`_Workers`).
Each worker may grow by :data:`WORKER_MEMORY_BYTES` (Linux) and spend :data:`FILE_SECONDS` on one
file. Small files on disk go to the workers several to a task; whatever goes wrong with a task
(its worker dies, raises or is still busy after :data:`FILE_SECONDS`), each of its files is read
again alone, so the one that caused it fails, named, and the others are imported. Results come
back in the order of the files, so what is stored never depends on timing.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import importlib
import multiprocessing
import os
import shutil
import sys
import tempfile
from collections import deque
from itertools import chain
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from runload import bounds
from runload.errors import IngestError
from runload.ingest.archives import unpack
from runload.ingest import packing, runcsv, stravacsv
from runload.ingest.sniff import FORMAT_NAMES, describe, format_cap, read_disk_file, sniff
from runload.ingest.walk import Source, Unreadable
from runload.models import Activity

try:
    import resource as _resource

    resource: ModuleType | None = _resource
except ImportError:  # not a Unix: no memory limit
    resource = None

# Files go to the workers a few at a time (one task, one message each way): the pool's cost per
# task (its futures, pipes and wake-ups) is paid once for them. Only files on disk of up to
# _TASK_FILE_BYTES are grouped; a larger file or an archive's member is a task of its own. A
# task that breaks its worker, raises or outlives FILE_SECONDS has each of its files read again
# alone, so the failure names the file that caused it.
_FILES_PER_TASK = 16
_TASK_FILE_BYTES = 1024 * 1024
_TASKS_PER_WORKER = 2  # tasks in flight per worker: enough to keep them busy
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

Item = Source | Unreadable  # a file to read, or one the walk could not read (failed in its place)

# The reader of each watch format (module, function), loaded when a file of it is first parsed:
# listing, hashing and storing need none of them (nor their numpy, fitdecode and lxml), so an
# import that reads nothing new starts fast. Workers inherit the readers this process loaded
# before starting them (:func:`load_readers`); one they meet later, each loads once.
_READERS = {"fit": ("runload.ingest.fit", "parse_fit"), "gpx": ("runload.ingest.gpx", "parse_gpx"),
            "tcx": ("runload.ingest.tcx", "parse_tcx")}


def _reader(kind: str) -> Callable[[bytes, str], list[Activity]]:
    module, function = _READERS[kind]
    reader: Callable[[bytes, str], list[Activity]] = getattr(importlib.import_module(module), function)
    return reader


def load_readers(kinds: Iterable[str | None]) -> None:
    """Load the readers of these formats now (``None``, a file whose name names no format: all)."""
    wanted = set(kinds)
    for kind in _READERS:
        if kind in wanted or None in wanted:
            _reader(kind)


def parse_source(kind: str, data: bytes, name: str, present: frozenset[str] | None = None) -> list[Activity]:
    """The activities in one file's bytes, by its format (``fit``, ``gpx``, ``tcx``, ``csv``,
    runload's own activities CSV, or ``strava``, a Strava export's activities.csv: its rows for
    files not ``present`` in the import)."""
    if kind in _READERS:
        return _reader(kind)(data, name)
    if kind == "csv":
        return runcsv.parse_activities_csv(data, name)
    if kind == "strava":
        return stravacsv.parse_strava_csv(data, name, present)
    raise IngestError(f"unsupported format {kind!r}", path=name)


# ---------------------------------------------------------------- worker side
_KNOWN: frozenset[str] = frozenset()


def _init_worker(known: frozenset[str], memory_budget: int | None = None) -> None:
    global _KNOWN
    _KNOWN = known
    _keep_heap()
    if memory_budget:
        _limit_memory(memory_budget)


# A worker's allocator keeps what it freed (glibc): up to this much free heap stays with the
# process, and blocks below the second size come from the heap rather than from a mapping of
# their own. With glibc's defaults a forked worker gave its heap back to the system after nearly
# every file and mapped each file's larger buffers afresh, so that every file's pages were
# faulted in again (about 100 page faults a file, a fifth of a worker's CPU time in the kernel).
_TRIM_BYTES = 16 * 1024 * 1024
_MMAP_BYTES = 4 * 1024 * 1024
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # mallopt's parameters (malloc.h)


def _keep_heap() -> None:
    """Let this worker's allocator keep freed memory for the next file (Linux with glibc; elsewhere
    nothing changes). What it keeps is counted in the worker's memory limit like any allocation."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes  # noqa: PLC0415 - only a worker needs it; an import with nothing to read starts without it

    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):  # not glibc (musl has no mallopt): the allocator's defaults
        return
    mallopt(_M_TRIM_THRESHOLD, _TRIM_BYTES)
    mallopt(_M_MMAP_THRESHOLD, _MMAP_BYTES)


def _limit_memory(budget: int) -> None:
    """Let this process allocate at most ``budget`` bytes more than it holds now (Linux: data
    segment and private mappings, which is where every reader's arrays and objects live)."""
    if resource is None:
        return  # not Linux: no limit, as before
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            vm_data = next(int(line.split()[1]) * 1024 for line in fh if line.startswith("VmData:"))
        _soft, hard = resource.getrlimit(resource.RLIMIT_DATA)
        limit = vm_data + budget if hard == resource.RLIM_INFINITY else min(vm_data + budget, hard)
        resource.setrlimit(resource.RLIMIT_DATA, (limit, hard))
    except (OSError, StopIteration, ValueError):
        pass  # no /proc (not Linux): no limit, as before


@dataclass
class Parsed:
    """What reading one file gave: its content hash and activities, or why it failed."""

    digest: str | None = None
    activities: list[Activity] | None = None
    error: str | None = None
    notes: tuple[str, ...] = ()  # what was odd about reading it (kept as warnings)
    notice: str | None = None  # an optional file that is not an activity file: said, not failed
    # Set when it came from a worker: for each activity, the store's JSON text of its laps when
    # they came so (the activity then holds none), else None (see runload.ingest.packing).
    laps_json: tuple[str | None, ...] = ()

    # pickled (only on the way back from a worker) with its activities packed: runload.ingest.packing
    def __getstate__(self) -> dict[str, object]:
        state = self.__dict__.copy()
        if self.activities:
            state["activities"] = packing.pack(self.activities)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        if state["activities"]:
            state["activities"], texts = packing.unpack(state["activities"])
            state["laps_json"] = tuple(texts)
        self.__dict__.update(state)

    def laps_texts(self) -> tuple[str | None, ...]:
        """:attr:`laps_json`, one for each activity (None for each when it came from no worker)."""
        return self.laps_json or (None,) * len(self.activities or ())


# one file for a worker: its name, format by name, path or bytes, optional, present (parse_source)
Task = tuple[str, str | None, Path | None, bytes | None, bool, frozenset[str] | None]


def _parse_tasks(tasks: list[Task]) -> list[Parsed]:
    """:func:`_parse_task` over several files, in a worker: their results in their order."""
    return [_parse_task(*task) for task in tasks]


def _parse_task(name: str, hint: str | None, path: Path | None, data: bytes | None,
                optional: bool = False, present: frozenset[str] | None = None) -> Parsed:
    """Read (if given a path), unpack, recognise, hash and parse one file; errors come back as
    text for a runner, never raised."""
    kind = hint
    try:
        if data is None:
            assert path is not None
            data = read_disk_file(path, name)
        if not data:
            return Parsed(error="empty file (0 bytes): nothing to import")
        data, notes = unpack(data, name)
        if not data:
            return Parsed(error="empty file (0 bytes): nothing to import")
        head = data[:65_536]
        content = sniff(head)
        if content in FORMAT_NAMES:
            kind = content
            if hint is not None and hint != content:
                notes.append(f"its name says {FORMAT_NAMES[hint]} but it holds a {FORMAT_NAMES[content]} file: "
                             f"read as {FORMAT_NAMES[content]}")
        elif optional:
            return Parsed(notice=f"not an activity file: {describe(content, head)}; not imported")
        elif hint is None or content == "zip":
            what = f"not a {FORMAT_NAMES[hint]} file" if hint else "not an activity file"
            return Parsed(error=f"{what}: {describe(content, head)}")
        # else: unrecognised bytes (or XML of another kind) with an activity name go to that
        # format's reader, which says precisely what is wrong (a damaged header, XML broken at line 3)
        assert kind is not None
        cap = format_cap(kind)
        if len(data) > cap:
            return Parsed(error=f"is {len(data) / 2**20:,.0f} MB of {FORMAT_NAMES[kind]}, more than any activity "
                                 f"file (runload reads up to {cap // 2**20} MB); not read")
        digest = hashlib.sha256(data).hexdigest()
        if digest in _KNOWN:
            return Parsed(digest)
        # text is cut here, in the worker, so a 200 MB track name never travels to the writer
        acts = [bounds.clip_text(a) for a in parse_source(kind, data, name, present)]
        return Parsed(digest, acts, notes=tuple(notes))
    except IngestError as err:
        where = f" (line {err.line})" if err.line is not None and str(err.line) not in err.message else ""
        return Parsed(error=err.message + where)
    except RecursionError:
        return Parsed(error="its XML is nested more deeply than any activity file: not read")
    except MemoryError:
        return Parsed(error=_MEMORY_REASON)
    except Exception:  # noqa: BLE001 - a reader's bug on one odd file must not stop the import
        what = FORMAT_NAMES.get(kind or "", "activity")
        return Parsed(error=f"could not be read: it is damaged in a way the {what} reader does not handle")


# ---------------------------------------------------------------- parsing, here or in workers
@dataclass
class _Job:
    item: Item
    future: Future[list[Parsed]] | None = None  # the task it went in (with the other files of it)
    index: int = 0  # its place in that task
    task: list[_Job] | None = None  # the jobs of that task
    result: Parsed | None = None
    path: Path | None = None  # a file on disk (or a spooled member) the worker reads itself
    data: bytes | None = None  # a member's bytes, kept until its result is in (to retry it)
    spooled: bool = False
    size: int = 0

    @property
    def groupable(self) -> bool:
        """A file on disk small enough to share a task with others."""
        item = self.item
        return (self.result is None and not self.spooled and isinstance(item, Source) and item.path is not None
                and (item.size or 0) <= _TASK_FILE_BYTES)


def parse_all(items: Iterator[Item], known: dict[str, str], workers: int | None) -> Iterator[tuple[Item, Parsed]]:
    """(item, parsed) in the order of ``items``, parsed in worker processes (or here, with 0).

    Only a bounded window of files is in flight: a few tasks per worker and at most
    ``_WINDOW_BYTES`` of archive members, so memory holds a few files whatever the import's size.
    The workers start once the first window is listed (or an archive's member reached, which is
    read at once): no more of them than the files to read when those are all (none for an import
    with nothing new), with the readers their formats need loaded here first, so the workers
    (forked, where the system allows) start with them instead of each loading them again.
    """
    n_workers = workers if workers is not None else (os.cpu_count() or 1)
    if n_workers <= 0:
        _init_worker(frozenset(known))
        for item in items:
            yield item, _run_here(item)
        return
    it = iter(items)
    per_task = _FILES_PER_TASK
    window = _TASKS_PER_WORKER * per_task * n_workers
    first: list[Item] = []
    listed = True  # the first window holds every item
    for item in it:
        first.append(item)
        if len(first) >= window or (isinstance(item, Source) and item.path is None):
            # a full window, or an archive's member, read before the walk moves on (and closes it)
            listed = False
            break
    to_read = [item for item in first if isinstance(item, Source)]
    if listed and not to_read:  # nothing to parse (only files the walk could not read): no workers
        for item in first:
            yield item, _run_here(item)
        return
    if listed:
        n_workers = max(1, min(n_workers, len(to_read)))
        # every worker has a few tasks, so none waits long for the last one
        per_task = max(1, min(per_task, -(-len(to_read) // (n_workers * _TASKS_PER_WORKER))))
    # The readers (and numpy) load with the garbage collector paused: all they make lives as long
    # as the process, and the workers' start leaves it out of the collector's passes (_Workers)
    collecting = gc.isenabled()
    gc.disable()
    try:
        load_readers(item.kind for item in to_read)
        started = _Workers(n_workers, frozenset(known))
    finally:
        if collecting:
            gc.enable()
    with started as pool:
        pending: deque[_Job] = deque()
        group: list[_Job] = []  # files waiting to fill a task
        in_flight = 0
        exhausted = False
        upcoming = chain(first, it)
        while True:
            while not exhausted and len(pending) < window and (in_flight < _WINDOW_BYTES or not pending):
                following = next(upcoming, None)
                if following is None:
                    exhausted = True
                    break
                job = pool.prepare(following)
                pending.append(job)
                in_flight += job.size
                if job.groupable:
                    group.append(job)
                    if len(group) < per_task:
                        continue
                elif job.result is not None:
                    continue
                else:
                    pool.send(group)  # (sent in the order they came)
                    group = [job]
                pool.send(group)
                group = []
            if not pending:
                return
            if group and (exhausted or group[0] is pending[0]):
                pool.send(group)  # the next result waited for is in it, or no more files come
                group = []
            job = pending.popleft()
            in_flight -= job.size
            yield job.item, pool.result(job, pending)


def _run_here(item: Item) -> Parsed:
    if isinstance(item, Unreadable):
        return Parsed(error=item.reason)
    if item.path is not None:
        return _parse_task(item.name, item.kind, item.path, None, item.optional, item.present)
    try:
        data = item.read()
    except IngestError as err:
        return Parsed(error=err.message)
    return _parse_task(item.name, item.kind, None, data, item.optional, item.present)


# Workers are forked where that is safe (Linux): they start with the modules this process loaded
# (the readers, numpy) rather than importing them again, as a fresh interpreter would. Elsewhere
# (macOS, Windows) the platform's default.
_CONTEXT = multiprocessing.get_context("fork") if sys.platform.startswith("linux") else None


class _Workers:
    """A pool of parsing processes that outlives any one of them dying.

    When a worker dies, every file then in flight is a suspect: each is parsed again alone in a
    fresh process, so the file that kills it fails (with a reason) and the others are imported;
    then a new pool takes over.
    """

    def __init__(self, n: int, known: frozenset[str]) -> None:
        self.n, self.known = n, known
        # what this process holds now (modules, the readers and numpy) is left out of the garbage
        # collector's walks while the pool runs: forked workers then share its pages instead of
        # copying each one the collector touches, and never walk it themselves
        gc.freeze()
        self.pool = self._new(n)
        self.spool_dir: str | None = None

    def _new(self, n: int) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(max_workers=n, mp_context=_CONTEXT, initializer=_init_worker,
                                   initargs=(self.known, WORKER_MEMORY_BYTES))

    def __enter__(self) -> "_Workers":
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            self.pool.shutdown(wait=True, cancel_futures=True)
            if self.spool_dir:
                shutil.rmtree(self.spool_dir, ignore_errors=True)
        finally:
            gc.unfreeze()

    def prepare(self, item: Item) -> _Job:
        """The job of one item, its bytes read if it is an archive's member (or its result, when
        it cannot be read): :meth:`send` gives it to a worker."""
        job = _Job(item)
        if isinstance(item, Unreadable):
            job.result = Parsed(error=item.reason)
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
                job.result = Parsed(error=err.message)
        return job

    def send(self, jobs: list[_Job]) -> None:
        """Give these jobs to the workers as one task."""
        if not jobs:
            return
        for i, job in enumerate(jobs):
            job.index, job.task = i, jobs
        try:
            future = self._submit_to(self.pool, jobs)
        except BrokenProcessPool as exc:  # a worker died since the last result: these jobs are suspects too
            future = Future()
            future.set_exception(exc)
        for job in jobs:
            job.future = future

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
    def _submit_to(pool: ProcessPoolExecutor, jobs: list[_Job]) -> Future[list[Parsed]]:
        tasks: list[Task] = []
        for job in jobs:
            src = job.item
            assert isinstance(src, Source)
            tasks.append((src.name, src.kind, job.path, job.data, src.optional, src.present))
        return pool.submit(_parse_tasks, tasks)

    def result(self, job: _Job, pending: deque[_Job]) -> Parsed:
        """The job's result. Whatever happens to its worker, the job ends as one result: a
        worker that died makes it and every job in flight run alone; one still busy after
        :data:`FILE_SECONDS` is stopped (the task at the head of the queue has been running at
        least as long as it has been waited for), and its file fails, or each file of a task of
        several is read again alone; one that raised (a MemoryError sending its result back)
        fails the file with a reason, or has each file of its task read again alone."""
        try:
            if job.result is None:
                assert job.future is not None
                alone = job.task is None or len(job.task) == 1
                try:
                    job.result = job.future.result(timeout=FILE_SECONDS)[job.index]
                except BrokenProcessPool:
                    self._recover([job, *pending])
                except FutureTimeout:
                    _stop(self.pool)
                    if alone:
                        job.result = Parsed(error=_slow_reason())
                        self._recover(list(pending))
                    else:
                        self._recover([job, *pending])
                except Exception as exc:  # noqa: BLE001 - raised in the worker: one file fails
                    if alone:
                        job.result = Parsed(error=_raised_reason(exc))
                    else:
                        for other in job.task or ():
                            if other.result is None:
                                other.result = self._alone(other)
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
                job.result = job.future.result()[job.index]  # finished before the pool broke
                continue
            job.result = self._alone(job)
        self.pool = self._new(self.n)

    def _alone(self, job: _Job) -> Parsed:
        """The job's result, read alone in a fresh process."""
        with self._new(1) as solo:
            try:
                return self._submit_to(solo, [job]).result(timeout=FILE_SECONDS)[0]
            except BrokenProcessPool:
                return Parsed(error=_DEAD_WORKER)
            except FutureTimeout:
                _stop(solo)
                return Parsed(error=_slow_reason())
            except Exception as exc:  # noqa: BLE001 - as in result()
                return Parsed(error=_raised_reason(exc))


def _stop(pool: ProcessPoolExecutor) -> None:
    """Stop a pool's worker processes now (one is stuck on a file; the others' jobs are run again)."""
    for proc in list((getattr(pool, "_processes", None) or {}).values()):
        with contextlib.suppress(OSError, ValueError, AttributeError):
            proc.kill()


__all__ = ["FILE_SECONDS", "WORKER_MEMORY_BYTES", "Item", "Parsed", "parse_all", "parse_source"]
