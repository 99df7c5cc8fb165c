"""Find activity files in what the user names: files, folders (recursive), gzip, zips in zips,
and Strava bulk exports (``activities.csv`` beside an ``activities/`` folder, loose or zipped).

What a file is comes from its bytes, not its name: gzip data named ``.fit`` is unpacked, a GPX
file named ``.tcx`` is read as GPX, a zip named ``.fit`` is opened as an archive, ``.gz.gz`` is
unpacked twice. Names only choose which files to look at in a folder or archive (activity
suffixes, ``.gz`` and ``.zip``); a file the user names on the command line is always looked at.

Safety: archive members are read into memory (or into an anonymous temporary file), never
extracted by their own names, so a member called ``../../etc/passwd`` cannot escape anywhere. Zip
bombs stop with a clear error: each member is capped in size and in compression ratio, each
top-level archive in total bytes read and in member count, and zips nest at most three deep.
Decompression is done in chunks so a bomb is caught before it fills memory. Symbolic links to
folders are not followed (no loops), nor links in a folder to files outside it (said, not read). A zip directory that Python's zipfile refuses as a whole
(a member's name flagged UTF-8 but not UTF-8, a "version needed" from the future) is read with
those members patched out, so only they fail.

Memory stays bounded whatever the input: archives are streamed member by member, a nested zip is
spooled to an anonymous temporary file and closed once its members are read (never every nested
archive at once), loose files are capped in size before they are read, and ``activities.csv``
is streamed, keeping only the rows that name a file in the export.

Each :class:`Source` carries a cheap ``fingerprint`` (size and modification time for a file on
disk, size and CRC-32 from the zip directory for a member) so a re-import can skip files it has
seen without reading them.
"""

from __future__ import annotations

import io
import os
import stat
import struct
import tempfile
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, Any

from runload.errors import IngestError, printable
from runload.ingest.stravacsv import StravaMeta, is_strava_header, strava_csv

ACTIVITY_SUFFIXES = (".fit", ".gpx", ".tcx")
FORMAT_NAMES = {"fit": "FIT", "gpx": "GPX", "tcx": "TCX", "csv": "runload activities CSV",
                "strava": "Strava activities.csv"}
# The largest activity file read, by format: two days of one-second records (the longest activity
# the bounds allow) is about 17 MB of FIT with running dynamics and about 50 MB of GPX with
# extensions. Memory is bounded separately: each worker may grow by
# runload.ingest.WORKER_MEMORY_BYTES, and a file whose reader needs more fails alone (gpxpy holds
# about 13 times a GPX file, so today that is GPX beyond about 18 MB; a streaming reader needs far less).
MAX_FIT_BYTES = 32 * 1024 * 1024
MAX_XML_BYTES = 64 * 1024 * 1024
MAX_MEMBER_BYTES = max(MAX_FIT_BYTES, MAX_XML_BYTES)  # one decompressed activity file
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
_CHUNK = 1024 * 1024
_GZIP_MAGIC = b"\x1f\x8b"
_ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")


@dataclass(frozen=True)
class Source:
    """One file to import.

    ``name`` is what messages show; ``key`` identifies the file across imports (absolute path,
    or archive path ``!`` member); ``read`` returns its bytes as stored (gzip still packed: the
    content decides, see :func:`unpack`); ``path`` is set for plain files on disk so another
    process can read them itself; ``stream`` copies an archive member into a file without holding
    it in memory. ``kind`` is the format its name suggests (None: the name says nothing, and
    only the content decides); ``optional`` sources (a bare ``.gz`` in a folder) that turn out
    not to be activity files are noted, not failed.
    """

    name: str
    kind: str | None  # the format the name suggests: "fit", "gpx", "tcx" or None
    read: Callable[[], bytes]
    size: int | None = None
    key: str = ""
    fingerprint: str = ""
    path: Path | None = None
    meta: StravaMeta | None = None
    containers: tuple[str, ...] = field(default=())
    optional: bool = False
    stream: Callable[[IO[bytes]], int] | None = None
    # a Strava activities.csv: the files of its export that are imported with it (lower-case
    # names relative to the export), whose rows the files themselves stand for
    present: frozenset[str] | None = None
    # the name stored with its activities (and so in exports): relative to what the import
    # named (``watch/2024/run.fit``, ``export.zip!activities/1.fit``), never a whole local path
    stored_name: str | None = None


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
    if head[:2] == _GZIP_MAGIC:
        return "gzip"
    if head[:4] in _ZIP_MAGICS:
        return "zip"
    if len(head) >= 12 and head[0] >= 12 and head[8:12] == b".FIT":
        return "fit"  # FIT header: its size (12 or 14), protocol and profile, data size, ".FIT"
    from runload.ingest.runcsv import looks_like

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


def _mb(n: int) -> str:
    return f"{n / 2**20:,.0f} MB" if n >= 2**20 else f"{n / 1024:,.0f} KB"


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
                chunk = d.decompress(inp, _CHUNK)
                out += chunk
                _check_growth(len(out), len(data), name, limit)
                inp = d.unconsumed_tail
                if d.eof or (not chunk and not inp):
                    break
        except zlib.error:
            return bytes(out), "the gzip data is damaged"
        if not d.eof:
            return bytes(out), "the gzip data is cut short"
        inp = d.unused_data
        if inp[:2] != _GZIP_MAGIC:
            return bytes(out), None  # the end (zero padding or trailing bytes are ignored, as gzip does)


def unpack(data: bytes, name: str) -> tuple[bytes, list[str]]:
    """The bytes inside any layers of gzip (by content, whatever the name), and notes on what was
    odd. Data cut short or damaged part-way keeps what came before, with a note; none at all is
    an :class:`IngestError`."""
    notes: list[str] = []
    layers = 0
    while data[:2] == _GZIP_MAGIC:
        layers += 1
        if layers > MAX_GZIP_LAYERS:
            raise IngestError(f"gzip inside gzip more than {MAX_GZIP_LAYERS} deep; refusing", path=name)
        inner, note = _gunzip(data, name, MAX_MEMBER_BYTES)
        if note:
            if not inner:
                raise IngestError(f"{note}: nothing could be unpacked", path=name)
            notes.append(f"{note}: read the {_mb(len(inner))} before the damage")
        data = inner
    return data, notes


def _check_growth(size: int, compressed: int, name: str, limit: int = MAX_MEMBER_BYTES) -> None:
    if size > RATIO_FREE_BYTES and size > MAX_RATIO * max(compressed, 1):
        raise IngestError(f"compressed more than {MAX_RATIO} to 1 (a zip bomb?); refusing", path=name)
    if size > limit:
        raise IngestError(f"decompresses to more than {_mb(limit)}, more than any activity file; refusing", path=name)


def read_disk_file(path: Path, name: str | None = None) -> bytes:
    """A file's bytes as stored, gzip still packed (at most :data:`MAX_MEMBER_BYTES`); errors
    name the file."""
    name = name or printable(str(path))
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_MEMBER_BYTES + 1)
    except OSError as exc:
        raise IngestError(f"cannot read: {exc.strerror or exc}", path=name) from None
    if len(data) > MAX_MEMBER_BYTES:
        raise IngestError(f"is larger than {_mb(MAX_MEMBER_BYTES)}, more than any activity file; not read", path=name)
    return data


def _head(path: Path, n: int = 16) -> bytes:
    try:
        with open(path, "rb") as fh:
            return fh.read(n)
    except OSError:
        return b""  # the reader says why, with the file's name


class _Budget:
    """Bytes and members read out of one top-level archive, against the limits."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.bytes = 0
        self.members = 0

    def add_member(self) -> None:
        self.members += 1
        if self.members > MAX_ARCHIVE_MEMBERS:
            raise _ArchiveLimit(f"more than {MAX_ARCHIVE_MEMBERS:,} members; refusing the rest", path=self.label)

    def add_bytes(self, n: int) -> None:
        self.bytes += n
        if self.bytes > MAX_ARCHIVE_BYTES:
            raise _ArchiveLimit(f"decompresses to more than {MAX_ARCHIVE_BYTES // 2**30} GB in all; refusing the rest",
                                path=self.label)


class _ArchiveLimit(IngestError):
    """A top-level archive's budget is spent: nothing more is read from it."""


class Notice(IngestError):
    """A file the listing leaves alone on purpose (a link out of the folder named, an
    activities.csv too large to read whole): said in the summary, not a failure."""


def _too_large_for_summaries(size: int) -> str | None:
    if size <= MAX_SUMMARY_CSV_BYTES:
        return None
    return (f"is {_mb(size)}: its rows without a file are not imported as summary activities (runload reads up "
            f"to {_mb(MAX_SUMMARY_CSV_BYTES)}); the rows of the files in the export are used")


# ---------------------------------------------------------------- walking what the user named
OnError = Callable[[IngestError], None]
Known = Callable[[str, str], bool]
OnContainer = Callable[[str, str, str, tuple[str, ...]], None]
MemberProblems = dict[int, tuple[str, str | None]]  # member index: (why it cannot be read, name to show)


def iter_sources(paths: list[Path], on_error: OnError, known_container: Known | None = None,
                 on_container: OnContainer | None = None, known_file: Known | None = None,
                 on_listed: Callable[[int], None] | None = None,
                 seen_keys: set[str] | None = None, on_repeat: Callable[[], None] | None = None) -> Iterator[Source]:
    """Every activity file in ``paths``, in a stable order, found lazily (archives are opened as
    the iteration reaches them, and a nested archive is closed once its members are yielded: read
    each source before asking for the next).

    Unreadable files and archives go to ``on_error``. ``known_container(key, fingerprint)`` may say
    an archive was fully imported before, and then it is not opened at all; ``known_file`` may
    say the same of a file (then it is not even looked at); ``on_container`` hears of each archive
    that is opened (key, fingerprint, name for messages, enclosing archives); ``on_listed(n)``
    hears that n more files were found (for a progress bar). ``seen_keys`` collects what was
    yielded so a file named twice is imported once (``on_repeat`` hears of each repeat).
    """
    ctx = _Walk(on_error, known_container, on_container, known_file, on_listed,
                seen_keys if seen_keys is not None else set(), on_repeat)
    for path in paths:
        if path.is_dir():
            yield from ctx.from_dir(path)
        else:
            yield from ctx.from_path(path, printable(str(path)), None, explicit=True)


@dataclass
class _Walk:
    on_error: OnError
    known_container: Known | None
    on_container: OnContainer | None
    known_file: Known | None
    on_listed: Callable[[int], None] | None
    seen_keys: set[str]
    on_repeat: Callable[[], None] | None = None

    def listed(self, n: int) -> None:
        if self.on_listed and n:
            self.on_listed(n)

    def from_dir(self, root: Path) -> Iterator[Source]:
        files: list[Path] = []
        csvs: list[Path] = []
        for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
            dirnames.sort()
            files.extend(Path(dirpath) / f for f in filenames if name_role(f))
            csvs.extend(Path(dirpath) / f for f in filenames if f.lower() == "activities.csv")
        files.sort()
        strava: dict[Path, dict[str, StravaMeta]] = {}
        tables: list[tuple[Path, frozenset[str]]] = []  # each Strava activities.csv and its export's files
        for f in sorted(csvs):
            head = _head(f, 4096)
            if not is_strava_header(head, dated=False):
                continue  # another program's activities.csv (runload's own export is read only when named)
            name = printable(str(f))
            wanted = frozenset(g.relative_to(f.parent).as_posix().lower() for g in files if f.parent in g.parents)
            if is_strava_header(head):
                tables.append((f, wanted))
            if not wanted:
                continue
            try:
                with open(f, "rb") as fh:
                    strava[f.parent] = strava_csv(fh, name, set(wanted))
            except OSError as exc:
                self.on_error(IngestError(f"cannot read: {exc.strerror or exc}", path=name))
            except IngestError as err:
                self.on_error(err)
        self.listed(sum(name_role(f.name) != "archive" for f in files))
        for f in files:
            meta = None
            for base, table in strava.items():
                if base in f.parents:
                    meta = table.get(f.relative_to(base).as_posix().lower())
            yield from self.from_path(f, printable(str(f)), meta, explicit=False, root=root)
        for f, wanted in tables:
            # after the files: the rows no file of the export stands for, as summary activities
            too_large = _too_large_for_summaries(f.stat().st_size)
            if too_large:
                self.on_error(Notice(too_large, path=printable(str(f))))
                continue
            yield from self.from_path(f, printable(str(f)), None, explicit=True, present=wanted, root=root)

    def from_path(self, path: Path, name: str, meta: StravaMeta | None, *, explicit: bool,
                  present: frozenset[str] | None = None, root: Path | None = None) -> Iterator[Source]:
        role = name_role(path.name) or ("activity" if explicit else None)
        if role is None:
            return
        if root is not None and path.is_symlink() and not _inside(path, root):
            # a folder holds what is in it: a link to /etc/passwd or to another person's file is not read
            self.on_error(Notice(f"a link to a file outside {printable(str(root))}: not followed", path=name))
            return
        try:
            st = path.stat()
        except OSError as exc:
            self.on_error(IngestError(f"cannot read: {exc.strerror or exc}", path=name))
            return
        if not stat.S_ISREG(st.st_mode):
            # a named pipe would block the import until something writes to it; a device never ends
            self.on_error(IngestError("not a regular file (a pipe, socket or device): not read", path=name))
            return
        key = printable(str(path.resolve()))
        if key in self.seen_keys:
            if self.on_repeat:
                self.on_repeat()
            return  # named twice (a folder and a file in it): imported once
        self.seen_keys.add(key)
        fingerprint = f"{st.st_size}:{st.st_mtime_ns}"
        if role != "archive" and self.known_file and self.known_file(key, fingerprint):
            return  # unchanged since it was imported: not even opened
        content = sniff(_head(path))
        if content == "zip" or (role == "archive" and content is None):
            yield from self.from_zip_file(path, name, key, fingerprint)
            return
        if explicit:
            self.listed(1)  # (a folder's files were counted when it was listed)
        if st.st_size > MAX_MEMBER_BYTES:
            self.on_error(IngestError(f"is {_mb(st.st_size)}, larger than any activity file "
                                      f"(runload reads up to {_mb(MAX_MEMBER_BYTES)}); not read", path=name))
            return
        yield Source(name, "strava" if present is not None else activity_kind(path.name), _file_reader(path, name),
                     st.st_size, key, fingerprint, path, meta, optional=(role == "gzip" and not explicit),
                     present=present)

    def from_zip_file(self, path: Path, name: str, key: str, fingerprint: str) -> Iterator[Source]:
        if self.known_container and self.known_container(key, fingerprint):
            return
        if self.on_container:
            self.on_container(key, fingerprint, name, ())
        try:
            # left open: the sources' readers use it after listing; it closes with the last of them
            fh = open(path, "rb")
        except OSError as exc:
            self.on_error(IngestError(f"cannot read: {exc.strerror or exc}", path=name))
            return
        opened = self.open_zip(fh, name)
        if opened is None:
            fh.close()
            return
        zf, problems = opened
        try:
            yield from self.from_zip(zf, problems, name, key, 1, _Budget(name), (key,))
        except _ArchiveLimit as err:
            self.on_error(err)

    def open_zip(self, fh: IO[bytes], name: str) -> tuple[zipfile.ZipFile, MemberProblems] | None:
        try:
            return open_zip(fh)
        except IngestError as err:
            self.on_error(IngestError(err.message, path=name))
        return None

    def from_zip(self, zf: zipfile.ZipFile, problems: MemberProblems, label: str, key: str, depth: int,
                 budget: _Budget, containers: tuple[str, ...]) -> Iterator[Source]:
        infos = sorted(((i, info) for i, info in enumerate(zf.infolist()) if not info.filename.endswith("/")),
                       key=lambda x: x[1].filename)
        strava, summaries = self.zip_strava_tables(zf, [info for _, info in infos], label, budget)
        self.listed(sum(name_role(info.filename) in ("activity", "gzip") for _, info in infos))
        names_seen: dict[str, int] = {}
        name_counts = Counter(info.filename for _, info in infos)
        for index, info in infos:
            budget.add_member()
            member_name = str(PurePosixPath(info.filename)) if info.filename else ""
            member = f"{label}!{member_name}"
            member_key = f"{key}!{member_name}"
            names_seen[member_name] = names_seen.get(member_name, 0) + 1
            if names_seen[member_name] > 1:
                if names_seen[member_name] == 2 and name_role(info.filename):
                    self.on_error(IngestError(f"the archive holds {name_counts[info.filename]:,} members with this name (a damaged or "
                                              "forged archive?): only the first is read", path=member))
                continue
            fingerprint = f"{info.file_size}:{info.CRC:08x}"
            if not info.filename:
                self.on_error(IngestError("an archive member without a name: not read", path=member))
                continue
            role = name_role(info.filename)
            if role is None:
                continue
            problem, shown = problems.get(index) or (_declared_problem(info, role), None)
            if shown is not None:
                member = f"{label}!{shown}"
            if problem:
                self.on_error(IngestError(problem, path=member))
                continue
            if role != "archive":
                if self.known_file and self.known_file(member_key, fingerprint):
                    continue
                meta = None
                for prefix, table in strava.items():
                    if member_name.lower().startswith(prefix):
                        meta = table.get(member_name.lower()[len(prefix):])
                yield Source(member, activity_kind(info.filename), _zip_reader(zf, info, member, budget),
                             info.file_size, member_key, fingerprint, None, meta, containers, optional=(role == "gzip"),
                             stream=_zip_streamer(zf, info, member, budget))
                continue
            if depth >= MAX_NESTING:
                self.on_error(IngestError(f"zips nested more than {MAX_NESTING} deep; refusing", path=member))
                continue
            if self.known_container and self.known_container(member_key, fingerprint):
                continue
            if self.on_container:
                self.on_container(member_key, fingerprint, member, containers)
            yield from self.from_nested_zip(zf, info, member, member_key, depth, budget, (*containers, member_key))
        for info, wanted in summaries:
            # after the files: the rows no file of the export stands for, as summary activities
            member_name = str(PurePosixPath(info.filename))
            member, member_key = f"{label}!{member_name}", f"{key}!{member_name}"
            fingerprint = f"{info.file_size}:{info.CRC:08x}"
            too_large = _too_large_for_summaries(info.file_size)
            if too_large:
                self.on_error(Notice(too_large, path=member))
                continue
            self.listed(1)
            if self.known_file and self.known_file(member_key, fingerprint):
                continue
            yield Source(member, "strava", _zip_reader(zf, info, member, budget), info.file_size, member_key,
                         fingerprint, None, None, containers, stream=_zip_streamer(zf, info, member, budget),
                         present=wanted)

    def from_nested_zip(self, zf: zipfile.ZipFile, info: zipfile.ZipInfo, member: str, member_key: str, depth: int,
                        budget: _Budget, containers: tuple[str, ...]) -> Iterator[Source]:
        """A zip inside a zip, spooled to an anonymous temporary file (so memory holds none of it)
        and closed once its members have been yielded."""
        with tempfile.TemporaryFile(prefix="runload-") as spool:
            try:
                _zip_streamer(zf, info, member, budget, MAX_NESTED_ZIP_BYTES)(spool)
            except _ArchiveLimit:
                raise
            except IngestError as err:
                self.on_error(err)
                return
            spool.seek(0)
            opened = self.open_zip(spool, member)
            if opened is None:
                return
            inner, problems = opened
            with inner:
                yield from self.from_zip(inner, problems, member, member_key, depth + 1, budget, containers)

    def zip_strava_tables(self, zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo], label: str, budget: _Budget
                          ) -> tuple[dict[str, dict[str, StravaMeta]], list[tuple[zipfile.ZipInfo, frozenset[str]]]]:
        """Each Strava activities.csv in the archive: its rows for the export's files (by the
        export's folder, as a name prefix), and the member with the files imported with it."""
        names = {i.filename.lower() for i in infos if name_role(i.filename) in ("activity", "gzip", "archive")}
        tables: dict[str, dict[str, StravaMeta]] = {}
        summaries: list[tuple[zipfile.ZipInfo, frozenset[str]]] = []
        for info in infos:
            lower = info.filename.lower()
            if lower == "activities.csv" or lower.endswith("/activities.csv"):
                prefix = lower[: -len("activities.csv")]
                wanted = frozenset(n[len(prefix):] for n in names if n.startswith(prefix))
                member = f"{label}!{info.filename}"
                try:
                    with zf.open(info) as raw:
                        counted = io.BufferedReader(_Counted(raw, budget, info, member))
                        head = counted.peek(4096)[:4096]
                        if not is_strava_header(head, dated=False):
                            continue
                        if is_strava_header(head):
                            summaries.append((info, wanted))
                        if wanted:
                            tables[prefix] = strava_csv(counted, member, set(wanted))
                except IngestError as err:
                    self.on_error(err)
                except (zipfile.BadZipFile, OSError, EOFError, zlib.error, NotImplementedError, RuntimeError,
                        ValueError) as exc:
                    self.on_error(IngestError(_member_reason(exc), path=member))
        return tables, summaries


def _inside(path: Path, root: Path) -> bool:
    """Whether the file a link leads to is inside the folder ``root`` (links resolved)."""
    try:
        return path.resolve().is_relative_to(root.resolve())
    except (OSError, RuntimeError):  # a loop of links
        return False


def _file_reader(path: Path, name: str) -> Callable[[], bytes]:
    return lambda: read_disk_file(path, name)


def _declared_problem(info: zipfile.ZipInfo, role: str) -> str | None:
    limit = MAX_NESTED_ZIP_BYTES if role == "archive" else MAX_MEMBER_BYTES
    if info.file_size > RATIO_FREE_BYTES and info.file_size > MAX_RATIO * max(info.compress_size, 1):
        return f"archive member is compressed more than {MAX_RATIO} to 1 (a zip bomb?); refusing"
    if info.file_size > limit:
        return f"archive member is {_mb(info.file_size)} uncompressed, more than runload reads ({_mb(limit)}); refusing"
    return None


def _member_reason(exc: BaseException) -> str:
    """Why an archive member could not be read, in words (never Python's)."""
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


def _zip_streamer(zf: zipfile.ZipFile, info: zipfile.ZipInfo, member: str, budget: _Budget,
                  limit: int = MAX_MEMBER_BYTES) -> Callable[[IO[bytes]], int]:
    def stream(out: IO[bytes]) -> int:
        size = 0
        try:
            with zf.open(info) as fh:
                # sizes in the zip directory can lie: count what actually comes out
                while chunk := fh.read(_CHUNK):
                    size += len(chunk)
                    budget.add_bytes(len(chunk))
                    _check_growth(size, info.compress_size, member, limit)
                    out.write(chunk)
        except IngestError:
            raise
        except (zipfile.BadZipFile, OSError, EOFError, zlib.error, NotImplementedError, RuntimeError, ValueError,
                UnicodeDecodeError) as exc:
            raise IngestError(_member_reason(exc), path=member) from None
        return size

    return stream


def _zip_reader(zf: zipfile.ZipFile, info: zipfile.ZipInfo, member: str, budget: _Budget) -> Callable[[], bytes]:
    stream = _zip_streamer(zf, info, member, budget)

    def read() -> bytes:
        out = io.BytesIO()
        stream(out)
        return out.getvalue()

    return read


class _Counted(io.RawIOBase):
    """A zip member's stream that counts what comes out against the archive's budget."""

    def __init__(self, raw: IO[bytes], budget: _Budget, info: zipfile.ZipInfo, member: str) -> None:
        self.raw, self.budget, self.info, self.member, self.size = raw, budget, info, member, 0

    def readable(self) -> bool:
        return True

    def readinto(self, b: Any) -> int:
        data = self.raw.read(len(b))
        self.size += len(data)
        self.budget.add_bytes(len(data))
        _check_growth(self.size, self.info.compress_size, self.member, MAX_NESTED_ZIP_BYTES)
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
        raise zipfile.BadZipFile("no end of central directory")
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
        raise zipfile.BadZipFile("bad central directory")
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
    return _Overlay(fh, start, bytes(cd)), {i: (p, names.get(i)) for i, p in problems.items()}


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
