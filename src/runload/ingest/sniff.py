"""What a file is: by its name (which files in a folder or archive to look at) and by its bytes
(what it holds, whatever its name says), and how large a file of each format may be.

What a file is comes from its bytes, not its name: gzip data named ``.fit`` is unpacked, a GPX
file named ``.tcx`` is read as GPX, a zip named ``.fit`` is opened as an archive. Names only
choose which files to look at in a folder or archive (activity suffixes, ``.gz`` and ``.zip``);
a file the user names on the command line is always looked at.
"""

from __future__ import annotations

import os
from pathlib import Path

from runload.errors import IngestError, printable
from runload.ingest.runcsv import looks_like
from runload.ingest.stravacsv import is_strava_header

ACTIVITY_SUFFIXES = (".fit", ".gpx", ".tcx")
FORMAT_NAMES = {"fit": "FIT", "gpx": "GPX", "tcx": "TCX", "csv": "runload activities CSV",
                "strava": "Strava activities.csv"}
# The largest activity file read, by format: two days of one-second records (the longest activity
# the bounds allow) is about 17 MB of FIT with running dynamics and about 50 MB of GPX with
# extensions. Memory is bounded separately: each worker may grow by
# runload.ingest.pool.WORKER_MEMORY_BYTES, and a file whose reader needs more fails alone.
MAX_FIT_BYTES = 32 * 1024 * 1024
MAX_XML_BYTES = 64 * 1024 * 1024
MAX_MEMBER_BYTES = max(MAX_FIT_BYTES, MAX_XML_BYTES)  # one decompressed activity file
GZIP_MAGIC = b"\x1f\x8b"
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")


# ---------------------------------------------------------------- names and content
def _strip_gz(lower: str) -> tuple[str, int]:
    layers = 0
    while lower.endswith(".gz"):
        lower, layers = lower[:-3], layers + 1
    return lower, layers


def _ignored(lower: str) -> bool:
    base = lower.rsplit("/", 1)[-1]
    return base.startswith("._") or "__macosx/" in lower  # macOS resource forks copied into archives


def activity_kind(name: str) -> str | None:
    """The format a file name suggests (``run.fit.gz`` -> ``fit``), or None if not an activity name."""
    lower = name.lower()
    if _ignored(lower):
        return None
    lower, _ = _strip_gz(lower)
    for suffix in ACTIVITY_SUFFIXES:
        if lower.endswith(suffix):
            return suffix[1:]
    return None


def name_role(name: str) -> str | None:
    """Whether a name in a folder or archive is worth looking at: ``activity`` (an activity
    suffix, gzipped or not), ``archive`` (``.zip``), ``gzip`` (a bare ``.gz``: the content
    decides) or None (anything else: photos, JSON, notes)."""
    lower = name.lower()
    if _ignored(lower):
        return None
    if activity_kind(lower):
        return "activity"
    stripped, layers = _strip_gz(lower)
    if stripped.endswith(".zip"):
        return "archive" if layers == 0 else "gzip"
    if layers and "." not in stripped.rsplit("/", 1)[-1]:
        return "gzip"  # "12345.gz": no inner name to go by
    return None


def sniff(head: bytes) -> str | None:
    """What some bytes are, from their first bytes: ``gzip``, ``zip``, ``fit``, ``gpx``, ``tcx``,
    ``csv`` (runload's own activities CSV), ``strava`` (a Strava export's activities.csv), ``xml`` (XML of another kind) or None."""
    if head[:2] == GZIP_MAGIC:
        return "gzip"
    if head[:4] in ZIP_MAGICS:
        return "zip"
    if len(head) >= 12 and head[0] >= 12 and head[8:12] == b".FIT":
        return "fit"  # FIT header: its size (12 or 14), protocol and profile, data size, ".FIT"
    if looks_like(head):
        return "csv"  # what runload export writes (activities.csv of an export folder)
    if is_strava_header(head):
        return "strava"  # a Strava bulk export's list of activities
    root = xml_root(head)
    if root is None:
        return None
    local = root.rsplit(":", 1)[-1]
    if local == "gpx":
        return "gpx"
    if local == "TrainingCenterDatabase":
        return "tcx"
    return "xml"


def xml_root(head: bytes) -> str | None:
    """The name of the first element of what looks like an XML document, or None."""
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        text = head[2:].decode("utf-16-le" if head[:2] == b"\xff\xfe" else "utf-16-be", errors="ignore")
    else:
        text = head.decode("utf-8", errors="ignore").lstrip("\ufeff")
    i = 0
    n = len(text)
    while True:
        while i < n and text[i] in " \t\r\n":
            i += 1
        if i >= n or text[i] != "<":
            return None
        if text.startswith("<?", i):
            end = text.find("?>", i)
        elif text.startswith("<!--", i):
            end = text.find("-->", i)
        elif text.startswith("<!", i):
            end = text.find(">", i)
        else:
            j = i + 1
            while j < n and (text[j].isalnum() or text[j] in "_:-."):
                j += 1
            return text[i + 1:j] or None
        if end < 0:
            return None
        i = end + 2


def describe(kind: str | None, head: bytes) -> str:
    """What some bytes are, in words for a runner."""
    if kind == "zip":
        return "it is a zip archive"
    if kind == "gzip":
        return "it is gzip-compressed data"
    if kind in FORMAT_NAMES:
        return f"it is a {FORMAT_NAMES[kind]} file"
    if kind == "xml":
        return f"it is XML of another kind (<{xml_root(head)}>)"
    return "its content is not FIT, GPX or TCX"


def format_cap(kind: str) -> int:
    """The largest file of this format runload reads."""
    return MAX_FIT_BYTES if kind == "fit" else MAX_XML_BYTES


def mb(n: int) -> str:
    """A size as a runner reads it (``12 MB``, ``300 KB``)."""
    return f"{n / 2**20:,.0f} MB" if n >= 2**20 else f"{n / 1024:,.0f} KB"



# ---------------------------------------------------------------- files on disk
def read_disk_file(path: Path, name: str | None = None) -> bytes:
    """A file's bytes as stored, gzip still packed (at most :data:`MAX_MEMBER_BYTES`); errors
    name the file."""
    name = name or printable(str(path))
    try:
        with open(path, "rb") as fh:
            # as many bytes as the file holds (and one more, to see it grew): asking for the most
            # runload reads would take fresh memory from the system for every file
            size = os.fstat(fh.fileno()).st_size
            data = fh.read(min(size, MAX_MEMBER_BYTES) + 1)
            if len(data) > size:  # it grew since (or its size says nothing): read on, up to the cap
                data += fh.read(MAX_MEMBER_BYTES + 1 - len(data))
    except OSError as exc:
        raise IngestError(f"cannot read: {exc.strerror or exc}", path=name) from None
    if len(data) > MAX_MEMBER_BYTES:
        raise IngestError(f"is larger than {mb(MAX_MEMBER_BYTES)}, more than any activity file; not read", path=name)
    return data


_READ_FLAGS = os.O_RDONLY | getattr(os, "O_BINARY", 0)  # no newline translation (Windows)


def head(path: Path, n: int = 16) -> bytes:
    """The first ``n`` bytes of a file (none when it cannot be read: its reader says why). Read
    without a buffered file object: a folder's every file is looked at this way."""
    try:
        fd = os.open(path, _READ_FLAGS)
    except OSError:
        return b""  # the reader says why, with the file's name
    try:
        data = b""
        while len(data) < n:
            part = os.read(fd, n - len(data))
            if not part:
                break
            data += part
        return data
    except OSError:
        return b""
    finally:
        os.close(fd)


__all__ = ["ACTIVITY_SUFFIXES", "FORMAT_NAMES", "GZIP_MAGIC", "MAX_FIT_BYTES", "MAX_MEMBER_BYTES", "MAX_XML_BYTES",
           "ZIP_MAGICS", "activity_kind", "describe", "format_cap", "head", "mb", "name_role", "read_disk_file", "sniff",
           "xml_root"]
