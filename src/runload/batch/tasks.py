"""The work units of a batch run: one bucket each, run wherever the engine puts them.

Each task is a module-level function ``task(shared, unit)`` (picklable for any engine) that reads
its bucket's tables, does the same work as the single-machine commands, and writes its bucket's
tables back (atomically). Nothing here reads the home folder, the environment or the clock: the
dataset, the rulebook (with its digest) and the day judged arrive as arguments.

- :func:`import_bucket` imports files for the bucket's athletes with :func:`runload.ingest.import_paths`
  itself, the very code of ``runload import`` (its reader, its bounds, its deduplication
  :mod:`runload.ingest.dedupe`), into a private in-memory store holding the athletes' rows from
  the dataset; the rows it leaves are written back.
- :func:`compute_bucket` assesses each athlete of the bucket (:func:`runload.assess.assess`) and
  writes the roster line (:func:`runload.report.roster.row_for`, the roster's own code), every
  finding, and the athletes whose assessment failed; then the bucket's state record.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date
from enum import Enum
from pathlib import Path
from typing import Any

from runload.batch.layout import Dataset
from runload.batch.rows import STORE_TABLES, athlete_data, columns, insert_rows, select_rows
from runload.calendar import Period
from runload.ingest import import_paths
from runload.models import AthleteData
from runload.report.build import judged_day
from runload.report.model import RosterRow
from runload.report.roster import row_for
from runload.rules.book import Rulebook
from runload.session import Assessor
from runload.store import Store

# the tables an assessment reads: their bytes are a bucket's input fingerprint
COMPUTE_INPUTS = ("athletes", "pain", "clearances", "activities")
# the tables an import changes
IMPORT_TABLES = ("files", "seen", "activities")


# ---------------------------------------------------------------- the scratch store
def scratch_store(ds: Dataset, bucket: int, athlete_ids: Sequence[str],
                  tables: Sequence[str] = ("athletes", *IMPORT_TABLES)) -> tuple[Store, dict[str, list[dict]]]:
    """An in-memory store holding the rows of ``athlete_ids`` from ``tables`` of the bucket, and
    every row of those tables (to write back the other athletes' rows untouched)."""
    store = Store.open(":memory:")
    wanted = set(athlete_ids)
    everything: dict[str, list[dict]] = {}
    for t in tables:
        rows = ds.bucket_rows(t, bucket)
        everything[t] = rows
        key = "id" if t == "athletes" else "athlete_id"
        insert_rows(store.conn, STORE_TABLES[t], [r for r in rows if r.get(key) in wanted])
    return store, everything


def write_back(ds: Dataset, bucket: int, store: Store, before: dict[str, list[dict]], athlete_ids: Sequence[str],
               tables: Sequence[str]) -> bool:
    """Write ``tables`` of the bucket: the other athletes' rows as they were, then the rows the
    store now holds for ``athlete_ids``. Returns whether anything changed (unchanged tables are
    not rewritten, so their bytes, and the bucket's fingerprint, stay)."""
    wanted = set(athlete_ids)
    changed = False
    for t in tables:
        key = "id" if t == "athletes" else "athlete_id"
        mine = select_rows(store.conn, STORE_TABLES[t], sorted(wanted))
        others = [r for r in before.get(t, []) if r.get(key) not in wanted]
        rows = sorted(others + mine, key=lambda r: str(r.get(key)))  # stable: each athlete's order kept
        old = sorted(before.get(t, []), key=lambda r: str(r.get(key)))
        if _comparable(rows) == _comparable(old):
            continue
        ds.write_rows(ds.table_path(t, bucket), rows, columns(store.conn, STORE_TABLES[t]))
        changed = True
    return changed


def _comparable(rows: list[dict]) -> list[tuple]:
    return [tuple(sorted((k, v) for k, v in r.items())) for r in rows]


# ---------------------------------------------------------------- import
@dataclass(frozen=True)
class ImportUnit:
    """One bucket's share of an import: (athlete id, paths) in order, plus the athletes named
    that the dataset does not know (each a failure)."""

    bucket: int
    athletes: tuple[tuple[str, tuple[str, ...]], ...]


def import_bucket(ds: Dataset, unit: ImportUnit) -> list[tuple[str, dict[str, Any]]]:
    """Import each athlete's paths of ``unit`` into the dataset; returns (athlete id, summary as
    :class:`runload.ingest.ImportSummary` fields) per athlete."""
    ids = [a for a, _ in unit.athletes]
    store, before = scratch_store(ds, unit.bucket, ids)
    try:
        out = []
        for athlete_id, paths in unit.athletes:
            # workers=0: this task is already one of many processes; it parses here
            summary = import_paths(store, athlete_id, [Path(p) for p in paths], workers=0)
            out.append((athlete_id, asdict(summary)))
        write_back(ds, unit.bucket, store, before, ids, IMPORT_TABLES)
        return out
    finally:
        store.close()


# ---------------------------------------------------------------- compute
@dataclass(frozen=True)
class ComputeJob:
    """What every compute task of one run shares: the dataset, the rulebook and its digest, the
    week and the day it is judged on (``today``: the clock read once, by the command)."""

    dataset: Dataset
    book: Rulebook
    rules_digest: str
    period: Period
    today: date
    version: str
    dirty_only: bool = False


class _BucketData:
    """The bucket's rows, answering :meth:`athlete_data` as a store would (for an Assessor)."""

    def __init__(self, tables: dict[str, list[dict]], as_of: date) -> None:
        self.as_of = as_of
        self.athletes = {r["id"]: r for r in tables["athletes"]}
        self.by: dict[str, dict[str, list[dict]]] = {}
        for t in ("activities", "pain", "clearances"):
            for r in tables[t]:
                self.by.setdefault(t, {}).setdefault(r["athlete_id"], []).append(r)

    def athlete_data(self, athlete_id: str, *, laps: bool = True) -> AthleteData:
        """The athlete's data (the dataset's rows hold every column: ``laps`` changes nothing)."""
        rows = {t: self.by.get(t, {}).get(athlete_id, []) for t in ("activities", "pain", "clearances")}
        return athlete_data(self.athletes[athlete_id], rows["activities"], rows["pain"], rows["clearances"],
                            self.as_of)


def fingerprint(raw: dict[str, bytes | None]) -> str:
    """The input fingerprint of a bucket: a hash of its input tables' bytes."""
    h = hashlib.sha256()
    for name in sorted(raw):
        data = raw[name]
        h.update(name.encode() + b"\0" + (b"-" if data is None else hashlib.sha256(data).digest()))
    return h.hexdigest()


def state_of(job: ComputeJob, input_fp: str) -> dict[str, Any]:
    return {"input_fingerprint": input_fp, "rules_digest": job.rules_digest, "as_of": job.today.isoformat(),
            "week_start": job.period.start.isoformat(), "week_end": job.period.end.isoformat(),
            "runload_version": job.version}


def compute_bucket(job: ComputeJob, bucket: int) -> dict[str, Any]:
    """Assess every athlete of ``bucket`` for the job's week and write the bucket's results;
    with ``dirty_only``, a bucket whose state record matches its inputs is left as it is."""
    ds = job.dataset
    raw = ds.input_bytes(bucket, COMPUTE_INPUTS)
    input_fp = fingerprint(raw)
    state = state_of(job, input_fp)
    where = ds.results_dir(job.period.start.isoformat(), bucket)
    if job.dirty_only:
        old = ds.read_bytes(f"{where}/state.json")
        if old is not None and json.loads(old) == state:
            return {"bucket": bucket, "computed": False, "athletes": 0, "errors": 0}
    tables = {t: ds.rows_of(data, ds.table_path(t, bucket)) if data is not None else []
              for t, data in raw.items()}
    bucket_data = _BucketData(tables, judged_day(job.period, job.today))
    judge = Assessor(bucket_data, job.book)
    roster, findings, errors = [], [], []
    for athlete_id in sorted(bucket_data.athletes):
        try:
            row = row_for(judge, athlete_id, job.period, job.today)
            a = judge.get(athlete_id, judged_day(job.period, job.today))
        except Exception as exc:  # noqa: BLE001 - one athlete's failure is recorded, the bucket goes on
            errors.append({"athlete_id": athlete_id, "error": f"{type(exc).__name__}: {exc}"})
            continue
        roster.append({"athlete_id": athlete_id, "level": row.level, "row": to_json(row)})
        for f in a.findings:
            findings.append({"athlete_id": athlete_id, "rule_id": f.rule_id, "severity": f.severity.value,
                             "day": f.day.isoformat() if f.day else None, "current": f.current,
                             "finding": to_json(f)})
    ds.write_rows(f"{where}/roster.parquet", roster, ["athlete_id", "level", "row"])
    ds.write_rows(f"{where}/findings.parquet", findings,
                  ["athlete_id", "rule_id", "severity", "day", "current", "finding"])
    ds.write_rows(f"{where}/errors.parquet", errors, ["athlete_id", "error"])
    ds.write_bytes(f"{where}/state.json", json.dumps(state, indent=2).encode())  # last: the bucket is done
    return {"bucket": bucket, "computed": True, "athletes": len(roster) + len(errors), "errors": len(errors)}


# ---------------------------------------------------------------- JSON of results
def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def to_json(obj: Any) -> str:
    """A result dataclass (a roster line, a finding) as JSON text with dates as ISO days."""
    return json.dumps(_plain(asdict(obj)), sort_keys=True)


def roster_row_of(text: str) -> RosterRow:
    """A roster line back from :func:`to_json`."""
    d = json.loads(text)
    if d.get("last_data"):
        d["last_data"] = date.fromisoformat(d["last_data"])
    return RosterRow(**d)
