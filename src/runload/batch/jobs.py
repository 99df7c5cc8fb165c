"""The batch commands as library calls: what ``runload batch ...`` runs, and a notebook can too.

The driver (this module, in the process that runs the command) lists the work, hands one unit
per bucket to an :class:`~runload.batch.engines.Engine`, and gathers small summaries; the units
(:mod:`runload.batch.tasks`) read and write their bucket's tables themselves, so no athlete's
data passes through the driver.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from functools import partial
from datetime import date
from pathlib import Path
from typing import Any

from runload import __version__
from runload.athletes import check_email, check_id, make_athlete
from runload.batch.engines import Engine
from runload.batch.layout import BUCKETED, LAYOUT_VERSION, Dataset, bucket_of
from runload.batch.rows import STORE_TABLES, activity_of, athlete_of, columns, insert_rows, select_rows
from runload.batch.tasks import (
    ComputeJob,
    ImportUnit,
    compute_bucket,
    import_bucket,
    roster_row_of,
    scratch_store,
    write_back,
)
from runload.calendar import Period, with_zone_offset
from runload.errors import InputError
from runload.ingest import ImportSummary
from runload.ingest.dedupe import decide
from runload.models import Athlete
from runload.report.build import judged_day
from runload.report.model import Roster
from runload.report.roster import sort_key
from runload.store import Store
from runload.textfile import lines, read_utf8

COACH_COLUMNS = ["coach_id", "name", "email", "athlete_id"]


def rules_digest(book: Any) -> str:
    """A digest of the rules and config an assessment uses: the rules' content (not where their
    files are), the config and the first weekday."""
    rules = []
    for r in book.rules:
        d = {f.name: getattr(r, f.name) for f in fields(r) if f.name not in ("path", "examples")}
        rules.append(d)
    text = json.dumps({"rules": rules, "config": book.config, "first_weekday": book.first_weekday},
                      sort_keys=True, default=repr)
    return hashlib.sha256(text.encode()).hexdigest()


# ---------------------------------------------------------------- athletes
def _by_bucket(ds: Dataset, ids: Iterable[str]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    for i in ids:
        out.setdefault(bucket_of(i, ds.buckets), []).append(i)
    return out


def _replace_rows(ds: Dataset, table: str, store: Any, ids: Sequence[str]) -> None:
    """Put the store's rows of ``table`` for ``ids`` in place of the dataset's, bucket by bucket."""
    store_table = STORE_TABLES[table]
    key = "id" if table == "athletes" else "athlete_id"
    cols = columns(store.conn, store_table)
    for bucket, mine in sorted(_by_bucket(ds, ids).items()):
        wanted = set(mine)
        kept = [r for r in ds.bucket_rows(table, bucket) if r.get(key) not in wanted]
        rows = sorted(kept + select_rows(store.conn, store_table, sorted(wanted)), key=lambda r: str(r.get(key)))
        ds.write_rows(ds.table_path(table, bucket), rows, cols)


def _merge_coaches(ds: Dataset, rows: list[dict[str, Any]], ids: Sequence[str]) -> None:
    wanted = set(ids)
    kept = [r for r in ds.read_rows("coaches.parquet") if r["athlete_id"] not in wanted]
    merged = sorted(kept + rows, key=lambda r: (r["coach_id"], r["athlete_id"]))
    ds.write_rows("coaches.parquet", merged, COACH_COLUMNS)


def _store_coaches(store: Any, ids: Sequence[str]) -> list[dict[str, Any]]:
    wanted = set(ids)
    return [{"coach_id": c, "name": n, "email": e, "athlete_id": a}
            for c, n, e, athletes in store.coaches() for a in athletes if a in wanted]


def athletes_from_store(ds: Dataset, store: Any, *, with_activities: bool = False) -> int:
    """Copy every athlete of ``store`` into the dataset: the profile (the store's replaces the
    dataset's), the pain entries and clearances the dataset lacks, coach links; with
    ``with_activities`` also the activities and files it lacks (by content hash, the same run
    from another file deduplicated as an import does). Nothing the dataset holds is removed."""
    ids = [a.id for a in store.list_athletes()]
    tables = ["athletes", "pain", "clearances"] + (["files", "seen", "activities"] if with_activities else [])
    for bucket, mine in sorted(_by_bucket(ds, ids).items()):
        rows = {t: select_rows(store.conn, STORE_TABLES[t], sorted(mine)) for t in tables}
        scratch, before = scratch_store(ds, bucket, mine, tables)
        try:
            with scratch.atomic() as conn:
                merge(scratch, conn, rows, update_profiles=True)
            write_back(ds, bucket, scratch, before, mine, tables)
        finally:
            scratch.close()
    _merge_coaches(ds, _store_coaches(store, ids), ids)
    return len(ids)


ATHLETE_CSV_COLUMNS = ("id", "name", "timezone", "email", "sex", "birth_year", "hr_rest_bpm", "hr_max_bpm",
                       "units", "coach")


def athletes_from_csv(ds: Dataset, path: Path) -> int:
    """Add (or update) athletes from a CSV with a header: ``id`` and ``name``, optionally
    ``timezone``, ``email``, ``sex``, ``birth_year``, ``hr_rest_bpm``, ``hr_max_bpm``, ``units``
    and ``coach`` (a coach id; ``coach_email`` and ``coach_name`` with it). Every row is checked as
    ``runload athlete add`` checks it; one bad row stops the whole file, naming its line."""
    reader = _csv_with(path, {"id", "name"}, "an athletes CSV needs a header with at least id and name")
    athletes: list[Athlete] = []
    coaches: list[dict[str, Any]] = []
    for row in reader:
        line = reader.line_num
        cell = partial(_cell, row)
        number = partial(_whole_number, row, line, path)
        try:
            athletes.append(make_athlete(cell("id") or "", name=cell("name") or "", timezone=cell("timezone") or "UTC",
                                         email=cell("email"), sex=cell("sex"), birth_year=number("birth_year"),
                                         hr_rest_bpm=number("hr_rest_bpm"), hr_max_bpm=number("hr_max_bpm"),
                                         units=cell("units") or "km"))
            if cell("coach"):
                check_id(cell("coach") or "", what="coach id")
                email = cell("coach_email") or ""
                check_email(email)
                coaches.append({"coach_id": cell("coach"), "name": cell("coach_name"), "email": email,
                                "athlete_id": cell("id")})
        except InputError as err:
            raise InputError(f"line {line}: {err.message}", path=path) from None
    ids = [a.id for a in athletes]
    if len(set(ids)) != len(ids):
        dup = next(i for i in ids if ids.count(i) > 1)
        raise InputError(f"athlete {dup!r} is on more than one line", path=path)
    with Store.open(":memory:") as scratch:
        for a in athletes:
            scratch.add_athlete(a)
        _replace_rows(ds, "athletes", scratch, ids)
    _merge_coaches(ds, coaches, ids)
    return len(ids)


def known_athletes(ds: Dataset) -> dict[str, int]:
    """{athlete id: bucket} of every athlete in the dataset."""
    out = {}
    for b in range(ds.buckets):
        for r in ds.bucket_rows("athletes", b):
            out[r["id"]] = b
    return out


# ---------------------------------------------------------------- import
def sources_from_dirs(roots: Sequence[Path]) -> list[tuple[str, Path]]:
    """(athlete id, folder) for each ``ROOT/<athlete id>/`` folder, by root then id."""
    out: list[tuple[str, Path]] = []
    for root in roots:
        if not root.is_dir():
            raise InputError("--layout athlete-dirs needs a folder holding one folder per athlete", path=root)
        out.extend((p.name, p) for p in sorted(root.iterdir()) if p.is_dir() and not p.name.startswith("."))
    return out


def sources_from_manifest(manifests: Sequence[Path]) -> list[tuple[str, Path]]:
    """(athlete id, path) for each row of manifest CSVs with ``athlete`` and ``path`` columns
    (a relative path is relative to the manifest's folder)."""
    out = []
    for m in manifests:
        reader = _csv_with(m, {"athlete", "path"}, "a manifest needs a header with athlete and path columns")
        for row in reader:
            athlete, p = (row.get("athlete") or "").strip(), (row.get("path") or "").strip()
            if not athlete or not p:
                raise InputError(f"line {reader.line_num}: athlete and path are both needed", path=m)
            path = Path(p)
            out.append((athlete, path if path.is_absolute() else m.parent / path))
    return out


@dataclass
class BatchImport:
    """What an import did: one :class:`runload.ingest.ImportSummary` over every athlete (files
    named as ``runload import`` names them), and how many athletes and buckets it touched."""
    summary: Any
    athletes: int
    buckets: int


def import_sources(ds: Dataset, engine: Engine, sources: Sequence[tuple[str, Path]]) -> BatchImport:
    """Import ``(athlete id, path)`` pairs, one unit per bucket, each athlete's paths in the
    order given; an athlete the dataset does not know fails its paths."""
    known = known_athletes(ds)
    summary = ImportSummary()
    per: dict[str, list[str]] = {}
    for athlete_id, path in sources:
        if athlete_id not in known:
            summary.failed.append({"file": str(path),
                                   "reason": f"unknown athlete '{athlete_id}' (add it: runload batch athletes)"})
            continue
        if not path.exists():
            summary.failed.append({"file": str(path), "reason": "no such file or folder"})
            continue
        per.setdefault(athlete_id, []).append(str(path))
    units: dict[int, list[tuple[str, tuple[str, ...]]]] = {}
    for athlete_id in sorted(per):
        units.setdefault(known[athlete_id], []).append((athlete_id, tuple(per[athlete_id])))
    work = [ImportUnit(b, tuple(a)) for b, a in sorted(units.items())]
    done = {athlete_id: s for part in engine.map(import_bucket, work, ds) for athlete_id, s in part}
    for athlete_id in sorted(done):  # the summary reads athlete by athlete, by id
        s = done[athlete_id]
        summary.imported += s["imported"]
        summary.duplicates += s["duplicates"]
        summary.skipped += s["skipped"]
        summary.failed += s["failed"]
        summary.warnings += s["warnings"]
        summary.activities += s["activities"]
        summary.empty += s["empty"]
    return BatchImport(summary, len(per), len(work))


# ---------------------------------------------------------------- compute
def compute(ds: Dataset, engine: Engine, book: Any, period: Period, today: date, *, dirty: bool = False) -> dict[str, Any]:
    """Assess every athlete for ``period`` (judged on its last day, or ``today``), bucket by
    bucket; with ``dirty``, only buckets whose inputs, rules, config or day changed."""
    job = ComputeJob(ds, book, rules_digest(book), period, today, __version__, dirty_only=dirty)
    parts = engine.map(compute_bucket, list(range(ds.buckets)), job)
    done = [p for p in parts if p["computed"]]
    return {"week": period.label, "week_start": period.start.isoformat(), "as_of": today.isoformat(),
            "buckets": ds.buckets, "buckets_computed": len(done),
            "buckets_unchanged": len(parts) - len(done),
            "athletes": sum(p["athletes"] for p in done), "errors": sum(p["errors"] for p in done),
            "computed": [p["bucket"] for p in done]}


# ---------------------------------------------------------------- results
def _states(ds: Dataset, period: Period) -> dict[int, dict[str, Any]]:
    out = {}
    for b in range(ds.buckets):
        raw = ds.read_bytes(f"{ds.results_dir(period.start.isoformat(), b)}/state.json")
        if raw is not None:
            out[b] = json.loads(raw)
    return out


def roster(ds: Dataset, period: Period, *, coach: str | None = None) -> tuple[Any, list[dict[str, Any]]]:
    """The roster of ``period`` from the computed results (every athlete, or ``coach``'s), most
    at risk first, and the athletes whose assessment failed."""
    states = _states(ds, period)
    missing = [b for b in range(ds.buckets) if b not in states]
    if missing:
        raise InputError(f"week {period.label} is not computed for {len(missing)} of {ds.buckets} buckets "
                         f"(run: runload batch compute --week {period.label})", path=ds.url)
    days = {s["as_of"] for s in states.values()}
    if len(days) > 1:
        raise InputError(f"week {period.label} was computed on different days ({', '.join(sorted(days))}): "
                         "compute it again", path=ds.url)
    today = date.fromisoformat(days.pop())
    wanted: set[str] | None = None
    if coach is not None:
        links = [r for r in ds.read_rows("coaches.parquet") if r["coach_id"] == coach]
        if not links:
            raise InputError(f"unknown coach '{coach}' (or one without athletes) in the dataset", path=ds.url)
        wanted = {r["athlete_id"] for r in links}
    rows, errors = [], []
    for b in range(ds.buckets):
        where = ds.results_dir(period.start.isoformat(), b)
        rows += [roster_row_of(r["row"]) for r in ds.read_rows(f"{where}/roster.parquet")
                 if wanted is None or r["athlete_id"] in wanted]
        errors += [r for r in ds.read_rows(f"{where}/errors.parquet") if wanted is None or r["athlete_id"] in wanted]
    rows.sort(key=sort_key)
    return Roster(period, judged_day(period, today), rows), errors


def findings(ds: Dataset, period: Period) -> list[dict[str, Any]]:
    """Every finding computed for ``period``: athlete id, rule, severity, day, current, and the
    finding itself as JSON text."""
    out = []
    for b in range(ds.buckets):
        out += ds.read_rows(f"{ds.results_dir(period.start.isoformat(), b)}/findings.parquet")
    return out


def activities(ds: Dataset, athlete_ids: Sequence[str] | None = None) -> dict[str, list[Any]]:
    """{athlete id: activities} as the dataset holds them (for a check or a notebook)."""
    wanted = set(athlete_ids) if athlete_ids is not None else None
    out: dict[str, list[Any]] = {}
    for b in range(ds.buckets):
        # placed in local time as the store places them (the athlete's zone for a file without offset)
        zones = {r["id"]: athlete_of(r).timezone for r in ds.bucket_rows("athletes", b)}
        for r in ds.bucket_rows("activities", b):
            if wanted is None or r["athlete_id"] in wanted:
                out.setdefault(r["athlete_id"], []).append(with_zone_offset(activity_of(r), zones.get(r["athlete_id"])))
    return out


# ---------------------------------------------------------------- pull
def pull(ds: Dataset, athlete_ids: Sequence[str], store: Any) -> dict[str, int]:
    """Copy athletes from the dataset into ``store``: the profile when the store lacks it, the
    activities and files it lacks by content hash (so nothing imports twice), pain entries and
    clearances it lacks, and coach links. All in one transaction."""
    known = known_athletes(ds)
    unknown = [a for a in athlete_ids if a not in known]
    if unknown:
        raise InputError(f"unknown athlete '{unknown[0]}' in the dataset", path=ds.url)
    counts = {"athletes": 0, "activities": 0, "files": 0, "pain": 0, "clearances": 0}
    with store.atomic() as conn:
        for bucket, ids in sorted(_by_bucket(ds, athlete_ids).items()):
            wanted = set(ids)
            rows = {t: [r for r in ds.bucket_rows(t, bucket) if r.get("id" if t == "athletes" else "athlete_id") in wanted]
                    for t in BUCKETED}
            for k, v in merge(store, conn, rows, update_profiles=False).items():
                counts[k] += v
        for r in ds.read_rows("coaches.parquet"):
            if r["athlete_id"] in set(athlete_ids):
                conn.execute("INSERT OR IGNORE INTO coaches (id, name, email) VALUES (?, ?, ?)",
                             (r["coach_id"], r["name"], r["email"]))
                conn.execute("INSERT OR IGNORE INTO coach_athletes (coach_id, athlete_id) VALUES (?, ?)",
                             (r["coach_id"], r["athlete_id"]))
    return counts


def merge(target: Any, conn: Any, rows: dict[str, list[dict[str, Any]]], *, update_profiles: bool) -> dict[str, int]:
    """Add dataset-shaped ``rows`` (per dataset table) to the store ``target`` inside its
    transaction ``conn``, keeping everything it holds: athletes it lacks (and, with
    ``update_profiles``, the profiles of those it has), the activities it lacks (by content hash;
    the same run from another file deduplicated as an import does), the files it lacks, and the
    pain entries and clearances it lacks (by content). Returns how many of each were added."""
    have = {a.id for a in target.list_athletes()}
    counts = {"athletes": 0, "activities": 0, "files": 0, "pain": 0, "clearances": 0}
    for r in rows.get("athletes", []):
        if r["id"] not in have:
            counts["athletes"] += insert_rows(conn, "athletes", [r])
        elif update_profiles:
            target.update_athlete(athlete_of(r))
    counts["activities"] += _pull_activities(target, conn, rows.get("activities", []))
    counts["files"] += insert_rows(conn, "imported_files", rows.get("files", []), ignore=True)
    insert_rows(conn, "seen_files", rows.get("seen", []), ignore=True)
    ids = sorted({r["athlete_id"] for t in ("pain", "clearances") for r in rows.get(t, [])})
    for t, store_table in (("pain", "pain_entries"), ("clearances", "pain_clearances")):
        present = {_content(r) for r in select_rows(conn, store_table, ids)}
        counts[t] += insert_rows(conn, store_table, [r for r in rows.get(t, []) if _content(r) not in present])
    return counts


def _pull_activities(store: Any, conn: Any, rows: list[dict[str, Any]]) -> int:
    """Insert the dataset's activities the store lacks, deduplicated against the store's own as
    an import would (:func:`runload.ingest.dedupe.decide`): the same run already stored from
    another file stays unless the dataset's copy is richer."""
    n = 0
    stored: dict[str, list[Any]] = {}
    for row in rows:
        aid = row["athlete_id"]
        if aid not in stored:
            stored[aid] = store.activities(aid)
        new = activity_of(row)
        if any(o.source_hash == new.source_hash and o.leg_index == new.leg_index for o in stored[aid]):
            continue  # this very file is in the store already
        verdict = decide(new, stored[aid])
        if not verdict.keep:
            continue
        for o in verdict.twins:
            store.delete_activity(conn, o.id)
        gone = {o.id for o in verdict.twins}
        insert_rows(conn, "activities", [row])
        stored[aid] = [o for o in stored[aid] if o.id not in gone] + [new]
        n += 1
    return n


def _content(row: dict[str, Any]) -> tuple:
    return tuple(sorted((k, v) for k, v in row.items() if k not in ("created_utc", "source")))


# ---------------------------------------------------------------- status
def status(ds: Dataset) -> dict[str, Any]:
    """How big the dataset is and which weeks are computed (buckets done of all)."""
    import pyarrow.parquet as pq  # noqa: PLC0415 - optional dependency (runload[dask])

    counts = {}
    for t in BUCKETED:
        n = 0
        for b in range(ds.buckets):
            raw = ds.read_bytes(ds.table_path(t, b))
            if raw is not None:
                n += pq.ParquetFile(io.BytesIO(raw)).metadata.num_rows
        counts[t] = n
    weeks = {}
    for name in ds.listdir("results"):
        if name.startswith("week="):
            start = name.removeprefix("week=")
            done = sum(1 for b in range(ds.buckets) if ds.exists(f"{ds.results_dir(start, b)}/state.json"))
            weeks[start] = done
    return {"dataset": ds.url, "layout_version": LAYOUT_VERSION, "buckets": ds.buckets, "rows": counts,
            "weeks": [{"week_start": k, "buckets_computed": v} for k, v in sorted(weeks.items())]}


__all__ = ["BatchImport", "activities", "athletes_from_csv", "athletes_from_store", "compute",
           "findings", "import_sources", "known_athletes", "pull", "roster", "rules_digest", "sources_from_dirs",
           "sources_from_manifest", "status"]


def _cell(row: dict[str, Any], key: str) -> str | None:
    """A CSV cell, stripped; None when empty or missing."""
    v = (row.get(key) or "").strip()
    return v or None


def _whole_number(row: dict[str, Any], line: int, path: Path, key: str) -> int | None:
    """A CSV cell as a whole number (None when empty); ``InputError`` naming its line when not."""
    v = _cell(row, key)
    if v is None:
        return None
    try:
        return int(v)
    except ValueError:
        raise InputError(f"line {line}: {key} {v!r} is not a whole number", path=path) from None


def _csv_with(path: Path, columns: set[str], missing: str) -> csv.DictReader:
    """A CSV file's rows as dicts; ``InputError`` naming the file when it cannot be read or its
    header lacks ``columns`` (``missing`` says which)."""
    reader = csv.DictReader(lines(read_utf8(path), path=path))
    if not reader.fieldnames or not columns <= set(reader.fieldnames):
        raise InputError(missing, path=path)
    return reader
