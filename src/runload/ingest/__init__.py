"""Import activity files into the store.

``import_paths`` walks what the user named, reads each file with the reader for its format, and
stores each file's activities in one transaction: a file lands whole or not at all, and one broken
file never stops the rest. Files already imported (same content hash) are skipped; the same run
arriving from another source (a GPX copy of a FIT file, say) is stored once, keeping the richer.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from runload.errors import IngestError, InputError
from runload.ingest.sources import Source, iter_sources
from runload.models import Activity
from runload.store import Store

_DISTANCE_RANK = {"summary": 3, "laps": 2, "records": 1, "track": 1}


@dataclass
class ImportSummary:
    """What an import did, file by file."""

    imported: list[str] = field(default_factory=list)
    duplicates: list[dict[str, str]] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: list[dict[str, str]] = field(default_factory=list)
    warnings: list[dict[str, str]] = field(default_factory=list)
    activities: int = 0

    def as_json(self) -> dict[str, object]:
        return {
            "imported": len(self.imported),
            "activities": self.activities,
            "duplicates": self.duplicates,
            "skipped": len(self.skipped),
            "failed": self.failed,
            "warnings": self.warnings,
        }


def parse_source(source: Source, data: bytes) -> list[Activity]:
    """The activities in one file's bytes, by its format."""
    if source.kind == "fit":
        from runload.ingest.fit import parse_fit

        return parse_fit(data, source.name)
    if source.kind == "gpx":
        from runload.ingest.gpx import parse_gpx

        return parse_gpx(data, source.name)
    if source.kind == "tcx":
        from runload.ingest.tcx import parse_tcx

        return parse_tcx(data, source.name)
    raise IngestError(f"unsupported format {source.kind!r}", path=source.name)


def import_paths(
    store: Store,
    athlete_id: str,
    paths: list[Path],
    *,
    progress: Callable[[int, str], None] | None = None,
) -> ImportSummary:
    """Import every activity file under ``paths`` for the athlete; never stops on one bad file."""
    athlete = store.get_athlete(athlete_id)
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise InputError("no such file or folder", path=missing[0])
    tz = ZoneInfo(athlete.timezone)
    summary = ImportSummary()
    known = store.known_hashes(athlete_id)

    def failed(err: IngestError) -> None:
        summary.failed.append({"file": err.path or "?", "reason": err.message})

    for n, source in enumerate(iter_sources(paths, failed), start=1):
        if progress:
            progress(n, source.name)
        try:
            data = source.read()
            digest = hashlib.sha256(data).hexdigest()
            if digest in known:
                summary.skipped.append(source.name)
                continue
            acts = parse_source(source, data)
        except IngestError as err:
            failed(err)
            continue
        acts = [
            replace(a, source_hash=digest, source_file=source.name,
                    utc_offset_s=a.utc_offset_s if a.utc_offset_s is not None else _offset(a.start_utc, tz))
            for a in acts
        ]
        _store_file(store, athlete_id, source.name, digest, acts, summary)
        known.add(digest)
    return summary


def _offset(start: datetime, tz: ZoneInfo) -> int:
    off = start.astimezone(tz).utcoffset()
    return int(off.total_seconds()) if off else 0


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


def _store_file(store: Store, athlete_id: str, name: str, digest: str, acts: list[Activity],
                summary: ImportSummary) -> None:
    stored_any = False
    with store.transaction() as conn:
        for act in acts:
            end = act.start_utc + timedelta(seconds=act.elapsed_s or act.timer_s or 0)
            twins = [o for o in store.activities(athlete_id, start_utc=act.start_utc - timedelta(minutes=1),
                                                 end_utc=end + timedelta(minutes=1))
                     if o.source_hash != digest and _overlaps(act, o)]
            if twins:
                best = max(twins, key=richness)
                if richness(act) > richness(best):
                    for o in twins:
                        store.delete_activity(conn, o.id)  # type: ignore[arg-type]
                    store.insert_activity(conn, athlete_id, act)
                    summary.activities += 1
                    stored_any = True
                    summary.duplicates.append({"file": name, "kept": name, "replaced": best.source_file or "?"})
                else:
                    summary.duplicates.append({"file": name, "kept": best.source_file or "?", "replaced": ""})
                continue
            store.insert_activity(conn, athlete_id, act)
            summary.activities += 1
            stored_any = True
        for act in acts:
            for w in act.warnings:
                summary.warnings.append({"file": name, "warning": w})
        store.record_file(conn, athlete_id, digest, name, "imported" if stored_any else "duplicate")
    if stored_any:
        summary.imported.append(name)
