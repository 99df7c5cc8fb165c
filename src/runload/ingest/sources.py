"""Find activity files in what the user names: files, folders (recursive), .gz, zips in zips,
and Strava bulk exports (``activities.csv`` beside an ``activities/`` folder, loose or zipped).

Safety: archive members are read into memory, never extracted by their own names, so a member
called ``../../etc/passwd`` cannot escape anywhere. Zip bombs stop with a clear error: each member
is capped in size and in compression ratio, each top-level archive in total bytes read and in
member count, and zips nest at most three deep. Decompression is done in chunks so a bomb is
caught before it fills memory. Symbolic links to folders are not followed (no loops).

Each :class:`Source` carries a cheap ``fingerprint`` (size and modification time for a file on
disk, size and CRC-32 from the zip directory for a member) so a re-import can skip files it has
seen without reading them.
"""

from __future__ import annotations

import csv
import gzip
import io
import os
import stat
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from runload.errors import IngestError, printable

ACTIVITY_SUFFIXES = (".fit", ".gpx", ".tcx")
MAX_MEMBER_BYTES = 128 * 1024 * 1024  # one decompressed file
MAX_ARCHIVE_BYTES = 4 * 1024 * 1024 * 1024  # everything read out of one top-level archive
MAX_ARCHIVE_MEMBERS = 200_000
MAX_RATIO = 200  # decompressed/compressed; activity files compress 3-20 times
RATIO_FREE_BYTES = 1024 * 1024  # small members may compress better (a run of zeros)
MAX_NESTING = 3  # zips inside zips
_CHUNK = 1024 * 1024


@dataclass(frozen=True)
class StravaMeta:
    """What a Strava export's activities.csv says about one file."""

    activity_type: str | None
    name: str | None
    gear: str | None


@dataclass(frozen=True)
class Source:
    """One activity file to import.

    ``name`` is what messages show; ``key`` identifies the file across imports (absolute path,
    or archive path ``!`` member); ``read`` returns its (decompressed) bytes; ``path`` is set for
    plain files on disk so another process can read them itself.
    """

    name: str
    kind: str  # "fit", "gpx" or "tcx"
    read: Callable[[], bytes]
    size: int | None = None
    key: str = ""
    fingerprint: str = ""
    path: Path | None = None
    gzipped: bool = False
    meta: StravaMeta | None = None
    containers: tuple[str, ...] = field(default=())


def activity_kind(name: str) -> str | None:
    """The format of a file name (``run.fit.gz`` -> ``fit``), or None if not an activity file."""
    lower = name.lower()
    base = lower.rsplit("/", 1)[-1]
    if base.startswith("._") or "__macosx/" in lower:
        return None  # macOS resource forks copied into archives
    if lower.endswith(".gz"):
        lower = lower[:-3]
    for suffix in ACTIVITY_SUFFIXES:
        if lower.endswith(suffix):
            return suffix[1:]
    return None


def gunzip(data: bytes, name: str) -> bytes:
    """Decompress gzip data in chunks, refusing more than the size and ratio limits."""
    out = bytearray()
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as fh:
            while chunk := fh.read(_CHUNK):
                out += chunk
                _check_growth(len(out), len(data), name)
    except (OSError, EOFError, zlib.error) as exc:
        raise IngestError(f"not a valid gzip file: {exc}", path=name) from None
    return bytes(out)


def _check_growth(size: int, compressed: int, name: str) -> None:
    if size > MAX_MEMBER_BYTES:
        raise IngestError(f"decompresses to more than {MAX_MEMBER_BYTES // 2**20} MB; refusing", path=name)
    if size > RATIO_FREE_BYTES and size > MAX_RATIO * max(compressed, 1):
        raise IngestError(f"compressed more than {MAX_RATIO} to 1 (a zip bomb?); refusing", path=name)


def read_disk_file(path: Path, gzipped: bool, name: str) -> bytes:
    """A file's bytes, gunzipped when its name ends in .gz; errors name the file."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise IngestError(f"cannot read: {exc.strerror or exc}", path=name) from None
    return gunzip(data, name) if gzipped else data


def _file_reader(path: Path, name: str) -> Callable[[], bytes]:
    gz = path.name.lower().endswith(".gz")
    return lambda: read_disk_file(path, gz, name)


class _Budget:
    """Bytes and members read out of one top-level archive, against the limits."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.bytes = 0
        self.members = 0

    def add_member(self) -> None:
        self.members += 1
        if self.members > MAX_ARCHIVE_MEMBERS:
            raise IngestError(f"more than {MAX_ARCHIVE_MEMBERS} members; refusing", path=self.label)

    def add_bytes(self, n: int) -> None:
        self.bytes += n
        if self.bytes > MAX_ARCHIVE_BYTES:
            raise IngestError(f"decompresses to more than {MAX_ARCHIVE_BYTES // 2**30} GB in all; refusing",
                              path=self.label)


def iter_sources(paths: list[Path], on_error: Callable[[IngestError], None],
                 known_container: Callable[[str, str], bool] | None = None,
                 on_container: Callable[[str, str, str, tuple[str, ...]], None] | None = None) -> Iterator[Source]:
    """Every activity file in ``paths``, in a stable order.

    Unreadable archives go to ``on_error``. ``known_container(key, fingerprint)`` may say an
    archive was fully imported before, and then it is not opened at all; ``on_container`` hears
    of each archive that is opened (key, fingerprint, name for messages, enclosing archives).
    """
    for path in paths:
        if path.is_dir():
            yield from _from_dir(path, on_error, known_container, on_container)
        else:
            yield from _from_file(path, printable(str(path)), on_error, known_container, on_container, None)


def _from_dir(root: Path, on_error: Callable[[IngestError], None], known_container: Callable[[str, str], bool] | None,
              on_container: Callable[[str, str, str, tuple[str, ...]], None] | None) -> Iterator[Source]:
    files: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames.sort()
        files.extend(Path(dirpath) / f for f in filenames)
    files.sort()
    strava: dict[Path, dict[str, StravaMeta]] = {}
    for f in files:
        if f.name.lower() == "activities.csv" and (f.parent / "activities").is_dir():
            try:
                strava[f.parent] = strava_csv(f.read_bytes(), printable(str(f)))
            except IngestError as err:
                on_error(err)
    for f in files:
        meta = None
        for base, table in strava.items():
            if base in f.parents:
                meta = table.get(f.relative_to(base).as_posix().lower())
        yield from _from_file(f, printable(str(f)), on_error, known_container, on_container, meta)


def _from_file(path: Path, name: str, on_error: Callable[[IngestError], None],
               known_container: Callable[[str, str], bool] | None,
               on_container: Callable[[str, str, str, tuple[str, ...]], None] | None,
               meta: StravaMeta | None) -> Iterator[Source]:
    kind = activity_kind(path.name)
    try:
        st = path.stat()
    except OSError as exc:
        on_error(IngestError(f"cannot read: {exc.strerror or exc}", path=name))
        return
    if not stat.S_ISREG(st.st_mode):
        # a named pipe would block the import until something writes to it; a device never ends
        if kind or path.suffix.lower() == ".zip":
            on_error(IngestError("not a regular file (a pipe, socket or device): not read", path=name))
        return
    key = printable(str(path.resolve()))
    fingerprint = f"{st.st_size}:{st.st_mtime_ns}"
    if kind:
        yield Source(name, kind, _file_reader(path, name), st.st_size, key, fingerprint, path,
                     path.name.lower().endswith(".gz"), meta)
    elif path.suffix.lower() == ".zip":
        if known_container and known_container(key, fingerprint):
            return
        if on_container:
            on_container(key, fingerprint, name, ())
        try:
            # left open: the sources' readers use it after listing; it closes with the last of them
            zf = zipfile.ZipFile(path)
            yield from _from_zip(zf, name, key, 1, on_error, _Budget(name), known_container, on_container, (key,))
        except (zipfile.BadZipFile, OSError) as exc:
            on_error(IngestError(f"not a readable zip archive: {exc}", path=name))
        except IngestError as err:
            on_error(err)


def _from_zip(zf: zipfile.ZipFile, label: str, key: str, depth: int, on_error: Callable[[IngestError], None],
              budget: _Budget, known_container: Callable[[str, str], bool] | None,
              on_container: Callable[[str, str, str, tuple[str, ...]], None] | None,
              containers: tuple[str, ...]) -> Iterator[Source]:
    infos = sorted((i for i in zf.infolist() if not i.is_dir()), key=lambda i: i.filename)
    strava = _zip_strava_tables(zf, infos, label, budget, on_error)
    for info in infos:
        budget.add_member()
        member_name = str(PurePosixPath(info.filename))
        member = f"{label}!{member_name}"
        member_key = f"{key}!{member_name}"
        fingerprint = f"{info.file_size}:{info.CRC:08x}"
        kind = activity_kind(info.filename)
        if not kind and not info.filename.lower().endswith(".zip"):
            continue
        problem = _declared_problem(info)
        if problem:
            on_error(IngestError(problem, path=member))
            continue
        if kind:
            meta = None
            for prefix, table in strava.items():
                if member_name.lower().startswith(prefix):
                    meta = table.get(member_name.lower()[len(prefix):])
            yield Source(member, kind, _zip_reader(zf, info, member, budget), info.file_size, member_key,
                         fingerprint, None, False, meta, containers)
            continue
        if depth >= MAX_NESTING:
            on_error(IngestError(f"zips nested more than {MAX_NESTING} deep; refusing", path=member))
            continue
        if known_container and known_container(member_key, fingerprint):
            continue
        if on_container:
            on_container(member_key, fingerprint, member, containers)
        try:
            inner = zipfile.ZipFile(io.BytesIO(_zip_reader(zf, info, member, budget)()))
            yield from _from_zip(inner, member, member_key, depth + 1, on_error, budget, known_container,
                                 on_container, (*containers, member_key))
        except zipfile.BadZipFile as exc:
            on_error(IngestError(f"not a readable zip: {exc}", path=member))
        except IngestError as err:
            if budget.bytes > MAX_ARCHIVE_BYTES or budget.members > MAX_ARCHIVE_MEMBERS:
                raise
            on_error(err)


def _declared_problem(info: zipfile.ZipInfo) -> str | None:
    if info.file_size > MAX_MEMBER_BYTES:
        return f"archive member is {info.file_size} bytes uncompressed; refusing"
    if info.file_size > RATIO_FREE_BYTES and info.file_size > MAX_RATIO * max(info.compress_size, 1):
        return f"archive member is compressed more than {MAX_RATIO} to 1 (a zip bomb?); refusing"
    return None


def _zip_reader(zf: zipfile.ZipFile, info: zipfile.ZipInfo, member: str, budget: _Budget) -> Callable[[], bytes]:
    def read() -> bytes:
        out = bytearray()
        try:
            with zf.open(info) as fh:
                # sizes in the zip directory can lie: count what actually comes out
                while chunk := fh.read(_CHUNK):
                    out += chunk
                    budget.add_bytes(len(chunk))
                    _check_growth(len(out), info.compress_size, member)
        except (zipfile.BadZipFile, OSError, EOFError, zlib.error, NotImplementedError, RuntimeError, ValueError) as exc:
            raise IngestError(f"cannot read archive member: {exc}", path=member) from None
        data = bytes(out)
        return gunzip(data, member) if info.filename.lower().endswith(".gz") else data

    return read


def _zip_strava_tables(zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo], label: str, budget: _Budget,
                       on_error: Callable[[IngestError], None]) -> dict[str, dict[str, StravaMeta]]:
    names = {i.filename.lower() for i in infos}
    tables: dict[str, dict[str, StravaMeta]] = {}
    for info in infos:
        lower = info.filename.lower()
        if lower == "activities.csv" or lower.endswith("/activities.csv"):
            prefix = lower[: -len("activities.csv")]
            if any(n.startswith(prefix + "activities/") for n in names):
                member = f"{label}!{info.filename}"
                problem = _declared_problem(info)
                try:
                    if problem:
                        raise IngestError(problem, path=member)
                    tables[prefix] = strava_csv(_zip_reader(zf, info, member, budget)(), member)
                except IngestError as err:
                    on_error(err)
    return tables


def strava_csv(data: bytes, name: str) -> dict[str, StravaMeta]:
    """A Strava bulk export's activities.csv: {lower-case file name relative to the export: meta}.

    Strava repeats some column names (``Elapsed Time``, ``Distance``); the first of each is used.
    Rows without a file (manual entries) are left out: there is nothing to join them to.
    """
    text = data.decode("utf-8-sig", errors="replace")
    rows = csv.reader(io.StringIO(text))
    try:
        header = next(rows)
    except StopIteration:
        raise IngestError("empty activities.csv", path=name) from None
    except csv.Error as exc:
        raise IngestError(f"not a readable CSV file: {exc}", path=name) from None
    col: dict[str, int] = {}
    for i, h in enumerate(header):
        col.setdefault(h.strip().lower(), i)
    if "filename" not in col:
        raise IngestError("activities.csv has no 'Filename' column: not a Strava export?", path=name, line=1)

    def cell(row: list[str], key: str) -> str | None:
        i = col.get(key)
        value = row[i].strip() if i is not None and i < len(row) else ""
        return value or None

    out: dict[str, StravaMeta] = {}
    try:
        for row in rows:
            filename = cell(row, "filename")
            if filename:
                out[filename.lower().lstrip("/")] = StravaMeta(cell(row, "activity type"), cell(row, "activity name"),
                                                               cell(row, "activity gear"))
    except csv.Error as exc:
        raise IngestError(f"not a readable CSV file: {exc}", path=name, line=rows.line_num) from None
    return out
