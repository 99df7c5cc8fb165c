"""Sources that sync: folders (or files) a watch, an app or a browser's downloads keep filling,
imported for their athlete by ``runload sync``.

Each source goes through :func:`runload.ingest.import_paths`, the same pipeline as ``runload
import``: a file unchanged since the last sync is skipped without being read, so a sync with
nothing new costs one look at each folder. One source that is missing (a drive not mounted, a
folder renamed) is reported and the others are still synced.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from runload.errors import InputError, printable
from runload.ingest.importer import import_paths
from runload.ingest.summary import ImportSummary
from runload.ingest.strava_api import RateLimited, Revoked, StravaResult, is_strava, secrets_path, sync_strava
from runload.store import Source, Store

# What became of one source in one sync (``status`` in the JSON):
IMPORTED = "imported"    # something new was stored (maybe with some files failing too)
UNCHANGED = "unchanged"  # nothing new: every file already known
EMPTY = "empty"          # the folder holds no activity file (yet): normal for a new sync folder
FAILED = "failed"        # some files failed and nothing was imported
MISSING = "missing"      # the path is not there
STOPPED = "stopped"      # a Strava sync stopped before the end (a rate limit, the network): resumes next time
REVOKED = "revoked"      # Strava refused runload's authorisation: the runner must authorise again


def source_path(text: str | os.PathLike[str]) -> str:
    """The form a source is stored in: ``~`` expanded, absolute, normalised (symbolic links are
    kept, so a link to a mounted drive follows the drive). InputError for a name that is not
    valid UTF-8."""
    path = os.path.abspath(os.path.expanduser(os.fspath(text)))
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        raise InputError("a source's path must be valid UTF-8", path=printable(path)) from None
    return path


@dataclass(frozen=True)
class SourceResult:
    """One source's part of a sync: its status, the import's summary (None when missing)."""

    source: Source
    status: str
    summary: ImportSummary | None = None
    remote: StravaResult | None = None  # a Strava source's counts (new, updated, removed)

    @property
    def failures(self) -> list[dict[str, str]]:
        """Files that failed (a folder with nothing in it is not a failure of a sync folder)."""
        if self.summary is None:
            return []
        empty = set(self.summary.empty)
        return [f for f in self.summary.failed if f["file"] not in empty]

    def words(self) -> str:
        """What the sync did, in one line (kept as the source's last result)."""
        s = self.summary
        if self.remote is not None:
            return self.remote.words()
        if self.status == MISSING or s is None:
            return "missing: no such file or folder"
        if self.status == EMPTY:
            return "no activity files yet"
        if self.status == UNCHANGED:
            return f"nothing new ({s.skipped} already known)"
        return (f"imported {len(s.imported)} files ({s.activities} activities); {len(s.duplicates)} duplicates; "
                f"{s.skipped} already known; {len(self.failures)} failed")

    def as_json(self) -> dict[str, object]:
        """The result as plain JSON data (the import summary's keys, plus the source)."""
        out: dict[str, object] = {"id": self.source.id, "athlete": self.source.athlete_id,
                                  "path": self.source.path, "status": self.status}
        if self.summary is not None:
            out.update(self.summary.as_json())
            out["failed"] = self.failures
        if self.remote is not None:
            out.update(new=self.remote.new, updated=self.remote.updated, removed=self.remote.removed,
                       stopped=str(self.remote.stopped) if self.remote.stopped else None)
        return out


@dataclass(frozen=True)
class SyncResult:
    """Every source's result, in the order synced (by athlete, then as added)."""

    results: tuple[SourceResult, ...]

    @property
    def missing(self) -> list[SourceResult]:
        return [r for r in self.results if r.status == MISSING]

    @property
    def failed(self) -> bool:
        """True when some file of some source failed."""
        return any(r.failures for r in self.results)

    @property
    def revoked(self) -> list[SourceResult]:
        return [r for r in self.results if r.status == REVOKED]

    def exit_code(self) -> int:
        """2 when a source is missing (bad input: a missing path) or its authorisation was
        revoked, 1 when files failed or a Strava sync failed, else 0 (a rate limit is a clean
        stop: the next sync resumes)."""
        if self.missing or self.revoked:
            return 2
        stopped = any(r.remote and r.remote.stopped and not isinstance(r.remote.stopped, RateLimited)
                      for r in self.results)
        return 1 if self.failed or stopped else 0

    def as_json(self) -> dict[str, object]:
        return {
            "sources": [r.as_json() for r in self.results],
            "imported": sum(len(r.summary.imported) for r in self.results if r.summary),
            "activities": sum(r.summary.activities for r in self.results if r.summary),
            "failed": sum(len(r.failures) for r in self.results),
            "missing": len(self.missing),
        }


def sync_source(store: Store, source: Source, *, workers: int | None = None) -> SourceResult:
    """Import one source for its athlete and record what happened on the source."""
    path = Path(source.path)
    if is_strava(source.path):
        result = _sync_strava(store, source)
    elif not path.exists():
        result = SourceResult(source, MISSING)
    else:
        summary = import_paths(store, source.athlete_id, [path], workers=workers)
        empty = set(summary.empty)
        failures = [f for f in summary.failed if f["file"] not in empty]
        if summary.imported:
            status = IMPORTED
        elif failures:
            status = FAILED
        elif summary.empty and not summary.skipped:
            status = EMPTY
        else:
            status = UNCHANGED
        result = SourceResult(source, status, summary)
    store.record_sync(source.id, result.words())
    return result


def _sync_strava(store: Store, source: Source) -> SourceResult:
    """Pull a Strava source (see :mod:`runload.ingest.strava_api`)."""
    try:
        remote = sync_strava(store, source.athlete_id, secrets_path(store.path))
    except Revoked as e:
        remote = StravaResult(stopped=e)
    if isinstance(remote.stopped, Revoked):
        status = REVOKED
    elif remote.stopped is not None:
        status = STOPPED
    else:
        status = IMPORTED if remote.new or remote.updated or remote.removed else UNCHANGED
    return SourceResult(source, status, remote.summary, remote)


def sync(store: Store, athlete_ids: Sequence[str] | None = None, *, workers: int | None = None) -> SyncResult:
    """Sync every source of every athlete (or of ``athlete_ids``); one missing source never
    stops the others."""
    sources = [s for a in athlete_ids for s in store.sources(a)] if athlete_ids else store.sources()
    return SyncResult(tuple(sync_source(store, s, workers=workers) for s in sources))
