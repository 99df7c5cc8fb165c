"""Find activity files in what the user names: files, folders (recursive), .gz, zips in zips.

Archive members are read into memory by the reader, never extracted by their own names, so a
member called ``../../etc/passwd`` cannot escape anywhere. Sizes are capped so a zip bomb stops
with a clear error instead of filling memory.
"""

from __future__ import annotations

import gzip
import io
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from runload.errors import IngestError

ACTIVITY_SUFFIXES = (".fit", ".gpx", ".tcx")
MAX_MEMBER_BYTES = 256 * 1024 * 1024  # one decompressed file
MAX_NESTING = 3  # zips inside zips


@dataclass(frozen=True)
class Source:
    """One activity file to import: ``name`` for messages, ``kind`` its format, ``read`` its bytes."""

    name: str
    kind: str  # "fit", "gpx" or "tcx"
    read: Callable[[], bytes]
    size: int | None = None


def activity_kind(name: str) -> str | None:
    """The format of a file name (``run.fit.gz`` -> ``fit``), or None if not an activity file."""
    lower = name.lower()
    if lower.endswith(".gz"):
        lower = lower[:-3]
    for suffix in ACTIVITY_SUFFIXES:
        if lower.endswith(suffix):
            return suffix[1:]
    return None


def gunzip(data: bytes, name: str) -> bytes:
    """Decompress gzip data with a size cap; errors name the file."""
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as fh:
            out = fh.read(MAX_MEMBER_BYTES + 1)
    except (OSError, EOFError) as exc:
        raise IngestError(f"not a valid gzip file: {exc}", path=name) from None
    if len(out) > MAX_MEMBER_BYTES:
        raise IngestError(f"decompresses to more than {MAX_MEMBER_BYTES // 2**20} MB; refusing", path=name)
    return out


def _file_reader(path: Path) -> Callable[[], bytes]:
    def read() -> bytes:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise IngestError(f"cannot read: {exc.strerror or exc}", path=path) from None
        return gunzip(data, str(path)) if path.name.lower().endswith(".gz") else data

    return read


def iter_sources(paths: list[Path], on_error: Callable[[IngestError], None]) -> Iterator[Source]:
    """Every activity file in ``paths``, in a stable order. Unreadable archives go to ``on_error``."""
    for path in paths:
        if path.is_dir():
            for child in sorted(p for p in path.rglob("*") if p.is_file()):
                yield from _from_file(child, on_error)
        else:
            yield from _from_file(path, on_error)


def _from_file(path: Path, on_error: Callable[[IngestError], None]) -> Iterator[Source]:
    kind = activity_kind(path.name)
    if kind:
        yield Source(str(path), kind, _file_reader(path), path.stat().st_size)
    elif path.suffix.lower() == ".zip":
        try:
            with zipfile.ZipFile(path) as zf:
                yield from _from_zip(zf, str(path), 1, on_error)
        except (zipfile.BadZipFile, OSError) as exc:
            on_error(IngestError(f"not a readable zip archive: {exc}", path=path))


def _from_zip(zf: zipfile.ZipFile, label: str, depth: int, on_error: Callable[[IngestError], None]) -> Iterator[Source]:
    for info in sorted(zf.infolist(), key=lambda i: i.filename):
        if info.is_dir():
            continue
        member = f"{label}!{PurePosixPath(info.filename)}"
        if info.file_size > MAX_MEMBER_BYTES:
            on_error(IngestError(f"archive member is {info.file_size} bytes uncompressed; refusing", path=member))
            continue
        kind = activity_kind(info.filename)
        if kind:
            yield Source(member, kind, _zip_reader(zf, info, member), info.file_size)
        elif info.filename.lower().endswith(".zip"):
            if depth >= MAX_NESTING:
                on_error(IngestError("zip nested too deep; refusing", path=member))
                continue
            try:
                inner = zipfile.ZipFile(io.BytesIO(_zip_reader(zf, info, member)()))
                yield from _from_zip(inner, member, depth + 1, on_error)
            except (zipfile.BadZipFile, IngestError) as exc:
                on_error(exc if isinstance(exc, IngestError) else IngestError(f"not a readable zip: {exc}", path=member))


def _zip_reader(zf: zipfile.ZipFile, info: zipfile.ZipInfo, member: str) -> Callable[[], bytes]:
    def read() -> bytes:
        try:
            with zf.open(info) as fh:
                data = fh.read(MAX_MEMBER_BYTES + 1)
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            raise IngestError(f"cannot read archive member: {exc}", path=member) from None
        if len(data) > MAX_MEMBER_BYTES:
            raise IngestError("archive member too large; refusing", path=member)
        return gunzip(data, member) if info.filename.lower().endswith(".gz") else data

    return read
