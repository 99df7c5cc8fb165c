"""The dataset: a folder (a local path or any fsspec URL) of Parquet tables bucketed by athlete.

Layout version 1 (``dataset.json`` names it; a dataset of another version is refused)::

    DATASET/
      dataset.json                          {"layout": "runload-batch", "version": 1, "buckets": N}
      coaches.parquet                       coach_id, name, email, athlete_id (one row per link)
      athletes/bucket=K/part.parquet        the store's athletes columns
      pain/bucket=K/part.parquet            athlete_id and the store's pain_entries columns
      clearances/bucket=K/part.parquet      athlete_id and the store's pain_clearances columns
      files/bucket=K/part.parquet           the manifest: the store's imported_files (content hash,
                                            name, outcome) ...
      seen/bucket=K/part.parquet            ... and seen_files (path, size and mtime, hash)
      activities/bucket=K/part.parquet      deduplicated activities: the store's activities columns
      results/week=YYYY-MM-DD/bucket=K/     per week (its first day) and bucket:
          roster.parquet                    athlete_id, level, row (the roster line as JSON)
          findings.parquet                  athlete_id, rule_id, severity, day, current, finding (JSON)
          errors.parquet                    athlete_id, error (an athlete whose assessment failed)
          state.json                        input fingerprint, rules digest, as-of day, runload version

An athlete's bucket is ``int(sha256(athlete id)[:16], 16) % N``: stable across machines, Python
versions and runs, so every table of one athlete lives in the same bucket and the per-athlete
stage never shuffles. The columns are the store's own (:mod:`runload.store`), so a row moves
between a store and a dataset without a second mapping. Every file is written under a temporary
name and renamed into place, so a reader sees the old file or the new one, never half of one.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from runload.errors import InputError

LAYOUT = "runload-batch"
LAYOUT_VERSION = 1
DEFAULT_BUCKETS = 64
# tables with one part per bucket
BUCKETED = ("athletes", "pain", "clearances", "files", "seen", "activities")
RESULTS = ("roster", "findings", "errors")


def bucket_of(athlete_id: str, buckets: int) -> int:
    """The bucket of ``athlete_id`` among ``buckets`` (stable: a hash of the id, not Python's)."""
    return int(hashlib.sha256(athlete_id.encode("utf-8")).hexdigest()[:16], 16) % buckets


def _need_pyarrow() -> tuple[Any, Any]:
    """pyarrow and pyarrow.parquet, or ``InputError`` saying how to install them."""
    try:
        import pyarrow as pa  # noqa: PLC0415 - optional dependency (runload[dask])
        import pyarrow.parquet as pq  # noqa: PLC0415 - optional dependency (runload[dask])
    except ImportError:
        raise InputError("runload batch needs pyarrow: pip install 'runload[dask]'") from None
    return pa, pq


@dataclass(frozen=True)
class Dataset:
    """An open dataset: its URL, file system and number of buckets. Plain data: it pickles to
    workers, which open the same file system themselves."""

    url: str
    buckets: int

    # ------------------------------------------------------------ opening
    @staticmethod
    def _fs(url: str) -> tuple[Any, str]:
        try:
            from fsspec.core import url_to_fs  # noqa: PLC0415 - optional dependency (comes with dask)
        except ImportError:  # fsspec comes with dask; a local path works without it
            return _LocalFS(), url.rstrip("/") or "/"
        fs, root = url_to_fs(url)
        return fs, root.rstrip("/") or "/"

    @property
    def fs(self) -> Any:
        return self._fs(self.url)[0]

    @property
    def root(self) -> str:
        return self._fs(self.url)[1]

    @classmethod
    def create(cls, url: str, buckets: int = DEFAULT_BUCKETS) -> "Dataset":
        """A new, empty dataset at ``url`` (an existing one is an error)."""
        if buckets < 1:
            raise InputError("--buckets must be at least 1")
        fs, root = cls._fs(url)
        if fs.exists(f"{root}/dataset.json"):
            raise InputError("a dataset is already there", path=url)
        fs.makedirs(root, exist_ok=True)
        ds = cls(url, buckets)
        ds.write_bytes("dataset.json", json.dumps(
            {"layout": LAYOUT, "version": LAYOUT_VERSION, "buckets": buckets,
             "bucket_of": "int(sha256(athlete_id)[:16], 16) % buckets"}, indent=2).encode())
        return ds

    @classmethod
    def open(cls, url: str) -> "Dataset":
        """The dataset at ``url``; an error naming it when there is none or it is of another layout."""
        fs, root = cls._fs(url)
        try:
            meta = json.loads(fs.cat_file(f"{root}/dataset.json"))
        except FileNotFoundError:
            raise InputError("no runload dataset here (create one: runload batch init)", path=url) from None
        except (ValueError, OSError) as exc:
            raise InputError(f"cannot read dataset.json: {exc}", path=url) from None
        if not isinstance(meta, dict) or meta.get("layout") != LAYOUT:
            raise InputError("not a runload dataset (dataset.json does not say runload-batch)", path=url)
        if meta.get("version") != LAYOUT_VERSION:
            raise InputError(f"dataset layout version {meta.get('version')!r}; this runload reads version "
                             f"{LAYOUT_VERSION}", path=url)
        return cls(url, int(meta["buckets"]))

    # ------------------------------------------------------------ files
    def path(self, rel: str) -> str:
        return f"{self.root}/{rel}"

    def exists(self, rel: str) -> bool:
        return bool(self.fs.exists(self.path(rel)))

    def read_bytes(self, rel: str) -> bytes | None:
        try:
            return bytes(self.fs.cat_file(self.path(rel)))
        except FileNotFoundError:
            return None

    def write_bytes(self, rel: str, data: bytes) -> None:
        """Write ``rel`` atomically: a temporary name in the same folder, then a rename."""
        fs, target = self.fs, self.path(rel)
        parent = target.rsplit("/", 1)[0]
        fs.makedirs(parent, exist_ok=True)
        tmp = f"{parent}/.tmp-{uuid.uuid4().hex}-{target.rsplit('/', 1)[1]}"
        with fs.open(tmp, "wb") as fh:
            fh.write(data)
        try:
            fs.mv(tmp, target)
        except BaseException:
            if fs.exists(tmp):
                fs.rm(tmp)
            raise

    def listdir(self, rel: str) -> list[str]:
        """Names directly under ``rel`` (empty when it does not exist)."""
        try:
            entries = self.fs.ls(self.path(rel), detail=False)
        except FileNotFoundError:
            return []
        return sorted(str(e).rstrip("/").rsplit("/", 1)[-1] for e in entries)

    # ------------------------------------------------------------ tables
    def table_path(self, table: str, bucket: int) -> str:
        return f"{table}/bucket={bucket}/part.parquet"

    def read_rows(self, rel: str) -> list[dict[str, Any]]:
        """The rows of one Parquet file as dicts ([] when the file does not exist)."""
        data = self.read_bytes(rel)
        return [] if data is None else self.rows_of(data, rel)

    def rows_of(self, data: bytes, rel: str) -> list[dict[str, Any]]:
        """The rows of Parquet bytes read from ``rel``; a damaged file is an error naming it."""
        pa, pq = _need_pyarrow()
        try:
            return pq.read_table(io.BytesIO(data)).to_pylist()
        except (pa.ArrowException, OSError) as exc:
            raise InputError(f"not a readable Parquet table ({exc})", path=self.path(rel)) from None

    def write_rows(self, rel: str, rows: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> None:
        """Write ``rows`` (dicts with ``columns``) as one Parquet file, atomically."""
        pa, pq = _need_pyarrow()
        table = pa.table({c: _column([r.get(c) for r in rows]) for c in columns})
        buf = io.BytesIO()
        pq.write_table(table, buf)
        self.write_bytes(rel, buf.getvalue())

    def bucket_rows(self, table: str, bucket: int) -> list[dict[str, Any]]:
        return self.read_rows(self.table_path(table, bucket))

    def input_bytes(self, bucket: int, tables: Iterable[str]) -> dict[str, bytes | None]:
        """The raw bytes of a bucket's input tables (what the input fingerprint hashes)."""
        return {t: self.read_bytes(self.table_path(t, bucket)) for t in tables}

    def results_dir(self, week_start: str, bucket: int) -> str:
        return f"results/week={week_start}/bucket={bucket}"


def _column(values: list[Any]) -> Any:
    """A pyarrow array of one column's values (ints and floats of a REAL column as doubles)."""
    pa, _pq = _need_pyarrow()
    kinds = {type(v) for v in values if v is not None}
    if kinds == {int, float}:
        values = [None if v is None else float(v) for v in values]
    elif bool in kinds and kinds - {bool}:
        values = [None if v is None else int(v) for v in values]
    return pa.array(values)


class _LocalFS:
    """The few file operations a dataset needs, on local paths, for when fsspec is absent."""

    def exists(self, p: str) -> bool:
        return os.path.exists(p)

    def makedirs(self, p: str, exist_ok: bool = True) -> None:
        os.makedirs(p, exist_ok=exist_ok)

    def cat_file(self, p: str) -> bytes:
        with open(p, "rb") as fh:
            return fh.read()

    def open(self, p: str, mode: str = "rb") -> Any:
        return open(p, mode)

    def mv(self, a: str, b: str) -> None:
        os.replace(a, b)

    def rm(self, p: str) -> None:
        os.unlink(p)

    def ls(self, p: str, detail: bool = False) -> list[str]:
        if not os.path.isdir(p):
            raise FileNotFoundError(p)
        return [f"{p}/{n}" for n in os.listdir(p)]
