"""Import activity files into the store.

``import_paths`` walks what the user named, reads each file with the reader for its format, and
stores each file's activities together: a file lands whole or not at all, and one broken file
never stops the rest. Work is split so both cores are used: other processes read, hash and parse
files; this process alone writes to the store, in file order, so results do not depend on timing.

Re-importing is cheap: a path whose size and modification time (or, inside a zip, size and
CRC-32) are unchanged is skipped without being read, and an archive imported without failures is
skipped without being opened. A changed path is hashed, and content already imported is skipped.
The same run arriving from another source (a GPX copy of a FIT file, a truncated copy) is stored
once, keeping the richer copy, and reported as a duplicate.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from runload.errors import IngestError, InputError
from runload.ingest.common import sport_from_name
from runload.ingest.sources import Source, StravaMeta, iter_sources, read_disk_file
from runload.models import Activity, Sport
from runload.store import Store

_DISTANCE_RANK = {"summary": 3, "laps": 2, "records": 1, "track": 1}
_PARALLEL_MIN_FILES = 8  # below this, starting worker processes costs more than it saves
_COMMIT_EVERY_S = 2.0  # files are committed in batches; each file is still whole or absent


@dataclass
class ImportSummary:
    """What an import did, file by file."""

    imported: list[str] = field(default_factory=list)
    duplicates: list[dict[str, str]] = field(default_factory=list)
    skipped: int = 0
    failed: list[dict[str, str]] = field(default_factory=list)
    warnings: list[dict[str, str]] = field(default_factory=list)
    activities: int = 0

    def as_json(self) -> dict[str, object]:
        """The summary as plain JSON data: counts, and lists of duplicates, failures and warnings."""
        return {
            "imported": len(self.imported),
            "activities": self.activities,
            "duplicates": self.duplicates,
            "skipped": self.skipped,
            "failed": self.failed,
            "warnings": self.warnings,
        }


def parse_source(kind: str, data: bytes, name: str) -> list[Activity]:
    """The activities in one file's bytes, by its format (``fit``, ``gpx`` or ``tcx``)."""
    if kind == "fit":
        from runload.ingest.fit import parse_fit

        return parse_fit(data, name)
    if kind == "gpx":
        from runload.ingest.gpx import parse_gpx

        return parse_gpx(data, name)
    if kind == "tcx":
        from runload.ingest.tcx import parse_tcx

        return parse_tcx(data, name)
    raise IngestError(f"unsupported format {kind!r}", path=name)


# ---------------------------------------------------------------- worker side
_KNOWN: frozenset[str] = frozenset()


def _init_worker(known: frozenset[str]) -> None:
    global _KNOWN
    _KNOWN = known


@dataclass
class _Parsed:
    digest: str | None = None
    activities: list[Activity] | None = None
    error: str | None = None


def _parse_task(kind: str, name: str, path: Path | None, gzipped: bool, data: bytes | None) -> _Parsed:
    """Read (if given a path), hash and parse one file; errors come back as text, never raised."""
    try:
        if data is None:
            assert path is not None
            data = read_disk_file(path, gzipped, name)
        if not data:
            return _Parsed(error="empty file (0 bytes): nothing to import")
        digest = hashlib.sha256(data).hexdigest()
        if digest in _KNOWN:
            return _Parsed(digest)
        return _Parsed(digest, parse_source(kind, data, name))
    except IngestError as err:
        where = f" (line {err.line})" if err.line is not None and err.line not in err.message else ""
        return _Parsed(error=err.message + where)
    except Exception as exc:  # noqa: BLE001 - a reader's bug on one odd file must not stop the import
        return _Parsed(error=f"could not be read ({type(exc).__name__}: {exc})")


# ---------------------------------------------------------------- the import
@dataclass
class _Container:
    fingerprint: str
    label: str
    parents: tuple[str, ...]
    members: int = 0
    failed: bool = False


def import_paths(
    store: Store,
    athlete_id: str,
    paths: list[Path],
    *,
    progress: Callable[[int, int], None] | None = None,
    workers: int | None = None,
) -> ImportSummary:
    """Import every activity file under ``paths`` for the athlete; never stops on one bad file.

    ``progress(done, total)`` is called as files are handled. ``workers`` is the number of parsing
    processes (default: the machine's cores; 1 parses here).
    """
    athlete = store.get_athlete(athlete_id)
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise InputError("no such file or folder", path=missing[0])
    tz = ZoneInfo(athlete.timezone)
    summary = ImportSummary()
    seen = store.seen_files(athlete_id)
    known = store.known_files(athlete_id)
    containers: dict[str, _Container] = {}
    listing_errors: list[IngestError] = []

    def known_container(key: str, fingerprint: str) -> bool:
        entry = seen.get(key)
        if entry and entry[0] == fingerprint and entry[1] is None:
            summary.skipped += entry[2]
            return True
        return False

    def on_container(key: str, fingerprint: str, label: str, parents: tuple[str, ...]) -> None:
        containers[key] = _Container(fingerprint, label, parents)

    sources = list(iter_sources(paths, listing_errors.append, known_container, on_container))
    for err in listing_errors:
        _fail(summary, containers, err.path or "?", err.message, ())
    todo: list[Source] = []
    for src in sources:
        entry = seen.get(src.key)
        if entry and entry[0] == src.fingerprint and entry[1] is not None and entry[1] in known:
            summary.skipped += 1  # unchanged since it was imported: not even read
            _count(containers, src.containers)
        else:
            todo.append(src)
    total = len(todo)
    if progress:
        progress(0, total)
    writer = _Writer(store, athlete_id, tz, summary, known, containers)
    try:
        for n, (src, parsed) in enumerate(_parse_all(todo, known, workers), start=1):
            writer.handle(src, parsed)
            if progress:
                progress(n, total)
        writer.finish_containers()
    finally:
        writer.commit()
    return summary


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


def _parse_all(todo: list[Source], known: dict[str, str], workers: int | None) -> Iterator[tuple[Source, _Parsed]]:
    """(source, parsed) in the order of ``todo``, parsed in worker processes when worth it."""
    n_workers = workers if workers is not None else (os.cpu_count() or 1)
    if n_workers <= 1 or len(todo) < _PARALLEL_MIN_FILES:
        _init_worker(frozenset(known))
        for src in todo:
            yield src, _run_local(src)
        return
    window = 4 * n_workers  # bounded: only a few files' bytes and results are in flight
    with ProcessPoolExecutor(max_workers=n_workers, initializer=_init_worker,
                             initargs=(frozenset(known),)) as pool:
        pending: deque[tuple[Source, Future[_Parsed]]] = deque()
        it = iter(todo)
        for src in it:
            pending.append((src, _submit(pool, src)))
            if len(pending) >= window:
                break
        while pending:
            src, fut = pending.popleft()
            nxt = next(it, None)
            if nxt is not None:
                pending.append((nxt, _submit(pool, nxt)))
            yield src, fut.result()


def _run_local(src: Source) -> _Parsed:
    if src.path is not None:
        return _parse_task(src.kind, src.name, src.path, src.gzipped, None)
    try:
        data = src.read()
    except IngestError as err:
        return _Parsed(error=err.message)
    return _parse_task(src.kind, src.name, None, False, data)


def _submit(pool: Executor, src: Source) -> Future[_Parsed]:
    if src.path is not None:
        return pool.submit(_parse_task, src.kind, src.name, src.path, src.gzipped, None)
    try:
        data = src.read()  # archive members are read here: the archive is open in this process
    except IngestError as err:
        fut: Future[_Parsed] = Future()
        fut.set_result(_Parsed(error=err.message))
        return fut
    return pool.submit(_parse_task, src.kind, src.name, None, False, data)


class _Writer:
    """Stores parsed files: one savepoint per file inside batched transactions."""

    def __init__(self, store: Store, athlete_id: str, tz: ZoneInfo, summary: ImportSummary, known: dict[str, str],
                 containers: dict[str, _Container]) -> None:
        self.store, self.athlete_id, self.tz, self.summary = store, athlete_id, tz, summary
        self.known, self.containers = known, containers
        self.this_run: set[str] = set()  # content hashes first stored by this import
        self.conn = store.conn
        self.in_tx = False
        self.last_commit = time.monotonic()
        self.longest_s = store.longest_activity_s(athlete_id)  # bounds the duplicate search

    def _begin(self) -> None:
        if not self.in_tx:
            self.conn.execute("BEGIN IMMEDIATE")
            self.in_tx = True
            # Another import into this store may have committed files since ours started: with
            # the write lock held, what the store knows now is exact until our commit.
            for digest, name in self.store.known_files(self.athlete_id).items():
                self.known.setdefault(digest, name)
            self.longest_s = max(self.longest_s, self.store.longest_activity_s(self.athlete_id))

    def commit(self) -> None:
        if self.in_tx:
            self.conn.execute("COMMIT")
            self.in_tx = False
        self.last_commit = time.monotonic()

    def handle(self, src: Source, parsed: _Parsed) -> None:
        if parsed.error is not None or parsed.digest is None:
            _fail(self.summary, self.containers, src.name, parsed.error or "could not be read", src.containers)
            return
        _count(self.containers, src.containers)
        self._begin()
        self.conn.execute("SAVEPOINT one_file")
        try:
            if parsed.digest in self.this_run:
                # the same bytes twice in one import (a copy, a .gz of the file): one is a duplicate
                self.summary.duplicates.append({"file": src.name, "kept": self.known[parsed.digest], "replaced": ""})
            elif parsed.activities is None or parsed.digest in self.known:
                self.summary.skipped += 1  # content imported before (from this or another path)
            else:
                acts = [self._complete(a, src, parsed.digest) for a in _apply_meta(parsed.activities, src.meta)]
                self._store_file(src.name, parsed.digest, acts)
                self.known[parsed.digest] = src.name
                self.this_run.add(parsed.digest)
            self.store.remember_seen(self.conn, self.athlete_id, src.key, src.fingerprint, parsed.digest)
        except BaseException:
            self.conn.execute("ROLLBACK TO one_file")
            self.conn.execute("RELEASE one_file")
            raise
        self.conn.execute("RELEASE one_file")
        if time.monotonic() - self.last_commit > _COMMIT_EVERY_S:
            self.commit()

    def finish_containers(self) -> None:
        """Remember archives whose every member was handled without failure."""
        failed = {k for k, c in self.containers.items() if c.failed}
        ok = [(k, c) for k, c in self.containers.items()
              if k not in failed and not any(p in failed for p in c.parents)]
        if not ok:
            return
        self._begin()
        for key, c in ok:
            self.store.remember_seen(self.conn, self.athlete_id, key, c.fingerprint, None, c.members)

    def _complete(self, a: Activity, src: Source, digest: str) -> Activity:
        return replace(a, source_hash=digest, source_file=src.name, utc_offset_s=local_offset(a, self.tz))

    def _store_file(self, name: str, digest: str, acts: list[Activity]) -> None:
        stored_any = False
        for act in acts:
            end = act.start_utc + timedelta(seconds=act.elapsed_s or act.timer_s or 0)
            window_start = act.start_utc - timedelta(minutes=1)
            twins = [o for o in self.store.activities(self.athlete_id, start_utc=window_start,
                                                      end_utc=end + timedelta(minutes=1),
                                                      started_from=window_start - timedelta(seconds=self.longest_s))
                     if o.source_hash != digest and _overlaps(act, o)]
            if twins:
                best = max(twins, key=richness)
                if richness(act) > richness(best):
                    for o in twins:
                        self.store.delete_activity(self.conn, o.id)  # type: ignore[arg-type]
                    self.store.insert_activity(self.conn, self.athlete_id, act)
                    self.summary.activities += 1
                    stored_any = True
                    self.summary.duplicates.append({"file": name, "kept": name,
                                                    "replaced": best.source_file or "?"})
                else:
                    self.summary.duplicates.append({"file": name, "kept": best.source_file or "?", "replaced": ""})
                continue
            self.store.insert_activity(self.conn, self.athlete_id, act)
            self.summary.activities += 1
            stored_any = True
        self.longest_s = max([self.longest_s] + [a.elapsed_s or a.timer_s or 0.0 for a in acts])
        for act in acts:
            for w in act.warnings:
                self.summary.warnings.append({"file": name, "warning": w})
        self.store.record_file(self.conn, self.athlete_id, digest, name, "imported" if stored_any else "duplicate")
        if stored_any:
            self.summary.imported.append(name)


# Strava activity types that name a sub-sport too.
_STRAVA_SUB = {"trail run": "trail", "virtual run": "virtual", "treadmill": "treadmill"}


def _apply_meta(acts: list[Activity], meta: StravaMeta | None) -> list[Activity]:
    """Join a Strava export's CSV row to its file: name and gear always; the type when it names a
    sport (the athlete may have corrected it on Strava), and only for single-activity files."""
    if meta is None:
        return acts
    out = [replace(a, name=meta.name or a.name, gear=meta.gear or a.gear) for a in acts]
    sport = sport_from_name(meta.activity_type)
    if sport is not None and len(out) == 1:
        a = out[0]
        notes = tuple(w for w in a.warnings if not w.startswith("no sport in the file"))
        sub = _STRAVA_SUB.get((meta.activity_type or "").strip().lower(), a.sub_sport)
        if sport is not a.sport or a.sport_inferred:
            notes = (*notes, f"sport from activities.csv ({meta.activity_type})")
        out[0] = replace(a, sport=sport, sub_sport=sub, sport_inferred=False, warnings=notes)
    return out


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


def richness(a: Activity) -> tuple[int, int, int, int]:
    """How much a stored copy of a run tells: device summary, heart rate, laps, cadence."""
    return (
        _DISTANCE_RANK.get(a.distance_source, 0),
        int(a.avg_hr_bpm is not None),
        len(a.laps),
        int(a.avg_cadence_spm is not None),
    )


def _overlaps(a: Activity, b: Activity) -> bool:
    a0, b0 = a.start_utc, b.start_utc
    a1 = a0 + timedelta(seconds=a.elapsed_s or a.timer_s or 0)
    b1 = b0 + timedelta(seconds=b.elapsed_s or b.timer_s or 0)
    if abs((a0 - b0).total_seconds()) <= 60:
        return True
    shared = (min(a1, b1) - max(a0, b0)).total_seconds()
    shorter = min((a1 - a0).total_seconds(), (b1 - b0).total_seconds())
    return shorter > 0 and shared >= 0.5 * shorter


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


__all__ = ["ImportSummary", "activity_sport", "import_paths", "local_offset", "parse_source", "richness"]
