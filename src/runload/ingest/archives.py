"""Archives and compressed files, read safely: zip bombs stop with a clear error, member names
never reach the file system.

Archive members are read into memory (or into an anonymous temporary file), never extracted by
their own names, so a member called ``../../etc/passwd`` cannot escape anywhere. Each member is
capped in size and in compression ratio, each top-level archive in total bytes read
(:class:`Budget`) and in member count, zips nest at most three deep and gzip at most three
layers. Decompression is done in chunks so a bomb is caught before it fills memory. A zip
directory that Python's zipfile refuses as a whole (a member's name flagged UTF-8 but not UTF-8,
a "version needed" from the future) is read with those members patched out, so only they fail.
"""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Callable
from typing import IO, TYPE_CHECKING, Any

from runload.errors import IngestError
from runload.ingest.sniff import GZIP_MAGIC, MAX_MEMBER_BYTES, mb

if TYPE_CHECKING:  # zipfile is imported when an archive is met (open_zip): a FIT import of files needs none
    import zipfile

# an activities.csv read whole for its summary rows, like any file (longer ones are only streamed
# for the rows of their files): 64 MB is over 100,000 activities
MAX_SUMMARY_CSV_BYTES = MAX_MEMBER_BYTES
MAX_NESTED_ZIP_BYTES = 1024 * 1024 * 1024  # a zip inside a zip, spooled to a temporary file
MAX_ARCHIVE_BYTES = 4 * 1024 * 1024 * 1024  # everything read out of one top-level archive
MAX_ARCHIVE_MEMBERS = 200_000
MAX_RATIO = 200  # decompressed/compressed; activity files compress 3-20 times
RATIO_FREE_BYTES = 1024 * 1024  # small members may compress better (a run of zeros)
MAX_NESTING = 3  # zips inside zips
MAX_GZIP_LAYERS = 3  # .gz.gz.gz
CHUNK = 1024 * 1024
MemberProblems = dict[int, tuple[str, str | None]]  # member index: (why it cannot be read, name to show)


# ---------------------------------------------------------------- gzip
def gunzip(data: bytes, name: str, limit: int = MAX_MEMBER_BYTES) -> bytes:
    """Decompress gzip data in chunks, refusing more than the size and ratio limits; damaged
    data is an :class:`IngestError` (see :func:`unpack` for data cut short)."""
    out, note = _gunzip(data, name, limit)
    if note:
        raise IngestError(note, path=name)
    return out


def _gunzip(data: bytes, name: str, limit: int) -> tuple[bytes, str | None]:
    """(what decompressed, None) or (what decompressed before the damage, why it stopped).

    zlib is fed directly (not through gzip.GzipFile, which gives nothing back from a file cut
    short); concatenated gzip members are read in turn, as gzip does.
    """
    out = bytearray()
    inp: bytes = data
    while True:
        d = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            while True:
                chunk = d.decompress(inp, CHUNK)
                out += chunk
                check_growth(len(out), len(data), name, limit)
                inp = d.unconsumed_tail
                if d.eof or (not chunk and not inp):
                    break
        except zlib.error:
            return bytes(out), "the gzip data is damaged"
        if not d.eof:
            return bytes(out), "the gzip data is cut short"
        inp = d.unused_data
        if inp[:2] != GZIP_MAGIC:
            return bytes(out), None  # the end (zero padding or trailing bytes are ignored, as gzip does)


def unpack(data: bytes, name: str) -> tuple[bytes, list[str]]:
    """The bytes inside any layers of gzip (by content, whatever the name), and notes on what was
    odd. Data cut short or damaged part-way keeps what came before, with a note; none at all is
    an :class:`IngestError`."""
    notes: list[str] = []
    layers = 0
    while data[:2] == GZIP_MAGIC:
        layers += 1
        if layers > MAX_GZIP_LAYERS:
            raise IngestError(f"gzip inside gzip more than {MAX_GZIP_LAYERS} deep; refusing", path=name)
        inner, note = _gunzip(data, name, MAX_MEMBER_BYTES)
        if note:
            if not inner:
                raise IngestError(f"{note}: nothing could be unpacked", path=name)
            notes.append(f"{note}: read the {mb(len(inner))} before the damage")
        data = inner
    return data, notes


def check_growth(size: int, compressed: int, name: str, limit: int = MAX_MEMBER_BYTES) -> None:
    if size > RATIO_FREE_BYTES and size > MAX_RATIO * max(compressed, 1):
        raise IngestError(f"compressed more than {MAX_RATIO} to 1 (a zip bomb?); refusing", path=name)
    if size > limit:
        raise IngestError(f"decompresses to more than {mb(limit)}, more than any activity file; refusing", path=name)



# ---------------------------------------------------------------- zip
class Budget:
    """Bytes and members read out of one top-level archive, against the limits."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.bytes = 0
        self.members = 0

    def add_member(self) -> None:
        self.members += 1
        if self.members > MAX_ARCHIVE_MEMBERS:
            raise ArchiveLimit(f"more than {MAX_ARCHIVE_MEMBERS:,} members; refusing the rest", path=self.label)

    def add_bytes(self, n: int) -> None:
        self.bytes += n
        if self.bytes > MAX_ARCHIVE_BYTES:
            raise ArchiveLimit(f"decompresses to more than {MAX_ARCHIVE_BYTES // 2**30} GB in all; refusing the rest",
                                path=self.label)


class ArchiveLimit(IngestError):
    """A top-level archive's budget is spent: nothing more is read from it."""


def declared_problem(info: zipfile.ZipInfo, role: str) -> str | None:
    limit = MAX_NESTED_ZIP_BYTES if role == "archive" else MAX_MEMBER_BYTES
    if info.file_size > RATIO_FREE_BYTES and info.file_size > MAX_RATIO * max(info.compress_size, 1):
        return f"archive member is compressed more than {MAX_RATIO} to 1 (a zip bomb?); refusing"
    if info.file_size > limit:
        return f"archive member is {mb(info.file_size)} uncompressed, more than runload reads ({mb(limit)}); refusing"
    return None


def member_errors() -> tuple[type[Exception], ...]:
    """What reading an archive member may raise besides :class:`IngestError` (damaged, cut
    short, encrypted, compressed in a way zipfile cannot unpack): :func:`member_reason` says it
    in words. Asked for in an ``except`` clause, so only once a member failed."""
    import zipfile  # noqa: PLC0415 - loaded when an archive is met (a zip is open here)

    return (zipfile.BadZipFile, OSError, EOFError, zlib.error, NotImplementedError, RuntimeError, ValueError)


def member_reason(exc: BaseException) -> str:
    """Why an archive member could not be read, in words (never Python's)."""
    import zipfile  # noqa: PLC0415 - loaded when an archive is met (a zip is open here)

    text = str(exc).lower()
    if isinstance(exc, RuntimeError) and "encrypted" in text:
        return "the archive member is encrypted (password-protected): runload cannot read it"
    if isinstance(exc, NotImplementedError):
        return "the archive member is compressed with a method runload cannot unpack"
    if isinstance(exc, zipfile.BadZipFile) and "crc" in text:
        return "the archive member is damaged (its checksum does not match)"
    if isinstance(exc, EOFError):
        return "the archive member is cut short (an interrupted download?)"
    if isinstance(exc, UnicodeDecodeError):
        return "the archive member's name is marked as UTF-8 but is not: not read"
    return "the archive member is damaged and cannot be unpacked"


def zip_streamer(zf: zipfile.ZipFile, info: zipfile.ZipInfo, member: str, budget: Budget,
                  limit: int = MAX_MEMBER_BYTES) -> Callable[[IO[bytes]], int]:
    def stream(out: IO[bytes]) -> int:
        size = 0
        try:
            with zf.open(info) as fh:
                # sizes in the zip directory can lie: count what actually comes out
                while chunk := fh.read(CHUNK):
                    size += len(chunk)
                    budget.add_bytes(len(chunk))
                    check_growth(size, info.compress_size, member, limit)
                    out.write(chunk)
        except IngestError:
            raise
        except member_errors() as exc:  # (a UnicodeDecodeError is a ValueError)
            raise IngestError(member_reason(exc), path=member) from None
        return size

    return stream


def zip_reader(zf: zipfile.ZipFile, info: zipfile.ZipInfo, member: str, budget: Budget) -> Callable[[], bytes]:
    stream = zip_streamer(zf, info, member, budget)

    def read() -> bytes:
        out = io.BytesIO()
        stream(out)
        return out.getvalue()

    return read


class Counted(io.RawIOBase):
    """A zip member's stream that counts what comes out against the archive's budget."""

    def __init__(self, raw: IO[bytes], budget: Budget, info: zipfile.ZipInfo, member: str) -> None:
        self.raw, self.budget, self.info, self.member, self.size = raw, budget, info, member, 0

    def readable(self) -> bool:
        return True

    def readinto(self, b: Any) -> int:
        data = self.raw.read(len(b))
        self.size += len(data)
        self.budget.add_bytes(len(data))
        check_growth(self.size, self.info.compress_size, self.member, MAX_NESTED_ZIP_BYTES)
        b[: len(data)] = data
        return len(data)


# ---------------------------------------------------------------- zip directories Python refuses
def open_zip(fh: IO[bytes]) -> tuple[zipfile.ZipFile, MemberProblems]:
    """A zip archive opened from a seekable file, and the members that cannot be read (by their
    index in the directory) with why.

    Python's zipfile refuses a whole archive for one member whose name is flagged UTF-8 but is not
    UTF-8, or whose "version needed to extract" is newer than it knows (there is no zip 8.4).
    Such archives are opened again with a patched copy of their directory, so only those members
    fail. Each problem is (why, the member's name as it should be shown, or None).
    """
    import zipfile  # noqa: PLC0415 - loaded when an archive is met: a FIT import of files on disk needs none

    try:
        return zipfile.ZipFile(fh), {}
    except (UnicodeDecodeError, NotImplementedError):
        pass
    except Exception:  # noqa: BLE001 - zipfile raises many kinds on a damaged directory
        raise IngestError("not a readable zip archive (damaged, cut short, or not a zip)") from None
    try:
        patched, problems = _patched_directory(fh)
        return zipfile.ZipFile(patched), problems
    except Exception:  # noqa: BLE001 - as above
        raise IngestError("not a readable zip archive (damaged, cut short, or not a zip)") from None


_ZIP_NEWEST_VERSION = 63  # zip 6.3, the newest version of the format (and what zipfile knows)


def _patched_directory(fh: IO[bytes]) -> tuple[IO[bytes], MemberProblems]:
    """``fh`` seen through a patched copy of its central directory: UTF-8 flags cleared on names
    that are not UTF-8, impossible "version needed" values lowered; the members patched."""
    fh.seek(0, 2)
    size = fh.tell()
    tail_len = min(size, 22 + 65_535)
    fh.seek(size - tail_len)
    tail = fh.read(tail_len)
    i = tail.rfind(b"PK\x05\x06")
    if i < 0 or len(tail) - i < 22:
        raise ValueError("no end of central directory")  # (open_zip: not a readable zip archive)
    eocd = size - tail_len + i
    cd_size = struct.unpack("<I", tail[i + 12:i + 16])[0]
    end_of_cd = eocd
    if i >= 20 and tail[i - 20:i - 16] == b"PK\x06\x07":  # zip64: the real sizes are in its end record
        fh.seek(eocd - 20 - 56)
        rec = fh.read(56)
        if rec[:4] == b"PK\x06\x06":
            cd_size = struct.unpack("<Q", rec[40:48])[0]
            end_of_cd = eocd - 20 - 56
    start = end_of_cd - cd_size
    if start < 0 or cd_size > 512 * 1024 * 1024:
        raise ValueError("bad central directory")
    fh.seek(start)
    cd = bytearray(fh.read(cd_size))
    problems: dict[int, str] = {}
    names: dict[int, str] = {}  # how to show a name that is not what its flag says
    pos = index = 0
    while pos + 46 <= len(cd) and cd[pos:pos + 4] == b"PK\x01\x02":
        version, flags = struct.unpack("<HH", cd[pos + 6:pos + 10])
        nlen, xlen, clen = struct.unpack("<HHH", cd[pos + 28:pos + 34])
        name = bytes(cd[pos + 46:pos + 46 + nlen])
        if flags & 0x800:
            try:
                name.decode("utf-8")
            except UnicodeDecodeError:
                struct.pack_into("<H", cd, pos + 8, flags & ~0x800)
                names[index] = name.decode("utf-8", "backslashreplace")
                problems[index] = "its name is marked as UTF-8 but is not UTF-8 (a damaged archive?): not read"
        if version & 0xFF > _ZIP_NEWEST_VERSION:
            struct.pack_into("<H", cd, pos + 6, 20)
            problems[index] = (f"needs zip version {(version & 0xFF) / 10:.1f} to unpack, and there is no such "
                               "version (a damaged archive?): not read")
        pos += 46 + nlen + xlen + clen
        index += 1
    overlay = io.BufferedReader(_Overlay(fh, start, bytes(cd)))
    return overlay, {i: (p, names.get(i)) for i, p in problems.items()}


class _Overlay(io.RawIOBase):
    """A seekable file read as if ``patch`` were written at ``start`` (the original is untouched)."""

    def __init__(self, fh: IO[bytes], start: int, patch: bytes) -> None:
        self.fh, self.start, self.patch = fh, start, patch
        self.pos = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = 0) -> int:
        self.pos = self.fh.seek(offset, whence)
        return self.pos

    def tell(self) -> int:
        return self.pos

    def readinto(self, b: Any) -> int:
        self.fh.seek(self.pos)
        data = bytearray(self.fh.read(len(b)))
        lo, hi = max(self.pos, self.start), min(self.pos + len(data), self.start + len(self.patch))
        if lo < hi:
            data[lo - self.pos:hi - self.pos] = self.patch[lo - self.start:hi - self.start]
        b[: len(data)] = data
        self.pos += len(data)
        return len(data)


__all__ = ["MAX_ARCHIVE_BYTES", "MAX_ARCHIVE_MEMBERS", "MAX_GZIP_LAYERS", "MAX_NESTED_ZIP_BYTES", "MAX_NESTING", "MAX_RATIO",
           "MAX_SUMMARY_CSV_BYTES", "ArchiveLimit", "Budget", "Counted", "MemberProblems", "check_growth", "declared_problem",
           "gunzip", "member_errors", "member_reason", "open_zip", "unpack", "zip_reader", "zip_streamer"]
