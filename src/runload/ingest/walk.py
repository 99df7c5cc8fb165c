"""The walk over what the user names: files, folders (recursive), gzip, zips in zips, and Strava
bulk exports (``activities.csv`` beside an ``activities/`` folder, loose or zipped), as a stream
of typed events (:data:`WalkEvent`): each file to import (:class:`Source`), each file that cannot
be read and why (:class:`Unreadable`), files found (:class:`Listed`, for a progress bar), archives
opened (:class:`ArchiveOpened`), files and archives unchanged since an earlier import and so not
read (:class:`Unchanged`), and files named twice (:class:`Repeated`).

Symbolic links to folders are not followed (no loops), nor links in a folder to files outside it
(said, not read). Memory stays bounded whatever the input: archives are streamed member by member
(see :mod:`runload.ingest.archives` for their limits), a nested zip is spooled to an anonymous
temporary file and closed once its members are read (never every nested archive at once), loose
files are capped in size before they are read, and ``activities.csv`` is streamed, keeping only
the rows that name a file in the export.

Each :class:`Source` carries a cheap ``fingerprint`` (size and modification time for a file on
disk, size and CRC-32 from the zip directory for a member) so a re-import can skip files it has
seen without reading them (:class:`Seen`).
"""

from __future__ import annotations

import io
import os
import stat
from collections import Counter
from collections.abc import Callable, Collection, Generator, Iterator, Mapping
from pathlib import Path, PurePosixPath
from typing import IO, TYPE_CHECKING

from runload.errors import IngestError, printable
from runload.ingest.archives import (
    MAX_NESTED_ZIP_BYTES, MAX_NESTING, MAX_SUMMARY_CSV_BYTES, ArchiveLimit, Budget, Counted, MemberProblems,
    declared_problem, member_errors, member_reason, open_zip, zip_reader, zip_streamer,
)
from runload.ingest.sniff import MAX_MEMBER_BYTES, activity_kind, head, mb, name_role, read_disk_file, sniff
from runload.ingest.stravacsv import StravaMeta, is_strava_header, strava_csv

if TYPE_CHECKING:  # zipfile is loaded when an archive is met (runload.ingest.archives.open_zip)
    import zipfile


# The walk's records are plain classes with slots, set once in ``__init__`` and only read after:
# nothing compares, hashes or prints them, and a frozen dataclass costs about a millisecond to
# define when runload starts (Python 3.11 compiles six methods for each; the walk has eight).
class Source:
    """One file to import.

    ``name`` is what messages show; ``key`` identifies the file across imports (absolute path,
    or archive path ``!`` member); ``read`` returns its bytes as stored (gzip still packed: the
    content decides, see :func:`runload.ingest.archives.unpack`); ``path`` is set for plain files on disk so another
    process can read them itself; ``stream`` copies an archive member into a file without holding
    it in memory. ``kind`` is the format its name suggests (None: the name says nothing, and
    only the content decides); ``optional`` sources (a bare ``.gz`` in a folder) that turn out
    not to be activity files are noted, not failed. ``present``: for a Strava activities.csv,
    the files of its export that are imported with it (lower-case names relative to the
    export), whose rows the files themselves stand for. ``stored_name``: the name stored with
    its activities (and so in exports), relative to what the import named
    (``watch/2024/run.fit``, ``export.zip!activities/1.fit``), never a whole local path.
    """

    __slots__ = ("name", "kind", "read", "size", "key", "fingerprint", "path", "meta", "containers", "optional",
                 "stream", "present", "stored_name")

    def __init__(self, name: str, kind: str | None, read: Callable[[], bytes], size: int | None = None,
                 key: str = "", fingerprint: str = "", path: Path | None = None, meta: StravaMeta | None = None,
                 containers: tuple[str, ...] = (), optional: bool = False,
                 stream: Callable[[IO[bytes]], int] | None = None, present: frozenset[str] | None = None,
                 stored_name: str | None = None) -> None:
        self.name = name
        self.kind = kind  # the format the name suggests: "fit", "gpx", "tcx" or None
        self.read = read
        self.size = size
        self.key = key
        self.fingerprint = fingerprint
        self.path = path
        self.meta = meta
        self.containers = containers
        self.optional = optional
        self.stream = stream
        self.present = present
        self.stored_name = stored_name


class Notice(IngestError):
    """A file the listing leaves alone on purpose (a link out of the folder named, an
    activities.csv too large to read whole): said in the summary, not a failure."""


# ---------------------------------------------------------------- the events
class Unreadable:
    """A file or archive that cannot be read (or, a ``notice``, is left alone on purpose: a link
    out of the folder), in its place in the file order."""

    __slots__ = ("name", "reason", "notice")

    def __init__(self, name: str, reason: str, notice: bool = False) -> None:
        self.name, self.reason, self.notice = name, reason, notice


class Listed:
    """``count`` more files were found (a folder's or an archive's, as it is listed)."""

    __slots__ = ("count",)

    def __init__(self, count: int) -> None:
        self.count = count


class ArchiveOpened:
    """An archive is opened: its members follow (``parents``: the archives around it)."""

    __slots__ = ("key", "fingerprint", "label", "parents")

    def __init__(self, key: str, fingerprint: str, label: str, parents: tuple[str, ...]) -> None:
        self.key, self.fingerprint, self.label, self.parents = key, fingerprint, label, parents


class Unchanged:
    """A file (``files`` 1) or an archive (``archive``: its ``files`` members) unchanged since an
    import read it whole: not read again. ``parents``: the archives around it."""

    __slots__ = ("key", "files", "parents", "archive")

    def __init__(self, key: str, files: int, parents: tuple[str, ...], archive: bool = False) -> None:
        self.key, self.files, self.parents, self.archive = key, files, parents, archive


class Repeated:
    """A file already taken from another path the user named: imported once."""

    __slots__ = ("key",)

    def __init__(self, key: str) -> None:
        self.key = key


class NothingFound:
    """A folder or archive the user named holds no activity file."""

    __slots__ = ("path",)

    def __init__(self, path: Path) -> None:
        self.path = path


WalkEvent = Source | Unreadable | Listed | ArchiveOpened | Unchanged | Repeated | NothingFound


class Seen:
    """What earlier imports saw: ``entries`` by key, (fingerprint, content hash or None for an
    archive, files in it); ``stored`` the content hashes stored (it may grow as the import goes).
    ``look_inside`` opens even unchanged archives (some of their files are to be read again)."""

    __slots__ = ("entries", "stored", "look_inside")

    def __init__(self, entries: Mapping[str, tuple[str, str | None, int]] | None = None, stored: Collection[str] = (),
                 look_inside: bool = False) -> None:
        self.entries: Mapping[str, tuple[str, str | None, int]] = {} if entries is None else entries
        self.stored = stored
        self.look_inside = look_inside

    def file_unchanged(self, key: str, fingerprint: str) -> bool:
        entry = self.entries.get(key)
        return bool(entry and entry[0] == fingerprint and entry[1] is not None and entry[1] in self.stored)

    def archive_unchanged(self, key: str, fingerprint: str) -> int | None:
        """The number of files in the archive when it was imported whole and is unchanged, else None."""
        entry = self.entries.get(key)
        if entry and entry[0] == fingerprint and entry[1] is None and not self.look_inside:
            return entry[2]
        return None


_Summaries = list[tuple["zipfile.ZipInfo", frozenset[str]]]


def walk(paths: list[Path], seen: Seen | None = None) -> Iterator[WalkEvent]:
    """The events of every path, in a stable order, found lazily (archives are opened as the walk
    reaches them, and a nested archive is closed once its members are given: read each source
    before asking for the next event). A file named twice is imported once."""
    ctx = _Walk(seen or Seen())
    for path in paths:
        found = False
        ctx.named = (printable(str(path)), printable(os.path.basename(os.path.abspath(path))))
        for event in ctx.from_named(path):
            found = found or not isinstance(event, (Listed, ArchiveOpened))
            yield event
        if not found and (path.is_dir() or not _single_file(path)):
            yield NothingFound(path)


def _single_file(path: Path) -> bool:
    """A path that is one activity file (not an archive): it is always read, so never 'empty'."""
    return sniff(head(path)) != "zip" and not path.name.lower().endswith(".zip")


def _unreadable(err: IngestError) -> Unreadable:
    return Unreadable(err.path or "?", err.message, isinstance(err, Notice))


def _listed(n: int) -> Iterator[Listed]:
    if n:
        yield Listed(n)


class _Walk:
    """One walk's state (a plain class: nothing compares or prints it)."""

    def __init__(self, seen: Seen) -> None:
        self.seen = seen
        self.taken: set[str] = set()  # keys of the files given: one named twice is imported once
        self.folders: dict[str, str] = {}  # each folder walked, resolved once
        self.named = ("", "")  # the path the import named being walked: as text, and its own name

    def stored(self, name: str) -> str:
        """A file's name relative to the folder holding the path the import named: the folder's
        or archive's own name and what follows (``watch/2024/run.fit``), not where it is on this
        disk (:attr:`Source.stored_name`)."""
        prefix, own = self.named
        if not name.startswith(prefix):
            return name
        return own + name[len(prefix):]

    def resolved(self, path: Path) -> str:
        """``str(path.resolve())`` of a file found in a folder that is not a link itself: its
        folder's resolved path and its name (a folder of 300 files is resolved once, not 300 times)."""
        parent, name = os.path.split(str(path))
        folder = self.folders.get(parent)
        if folder is None:
            folder = self.folders[parent] = str(path.parent.resolve())
        return os.path.join(folder, name)

    def from_named(self, path: Path) -> Iterator[WalkEvent]:
        if path.is_dir():
            yield from self.from_dir(path)
        else:
            yield from self.from_path(path, printable(str(path)), None, explicit=True)

    def from_dir(self, root: Path) -> Iterator[WalkEvent]:
        found: list[tuple[Path, str]] = []  # (file, its name_role)
        csvs: list[Path] = []
        for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
            dirnames.sort()
            folder = Path(dirpath)
            for filename in filenames:
                role = name_role(filename)
                if role:
                    found.append((folder / filename, role))
                elif filename.lower() == "activities.csv":
                    csvs.append(folder / filename)
        found.sort(key=lambda fr: fr[0])
        files = [f for f, _ in found]
        strava: dict[Path, dict[str, StravaMeta]] = {}
        tables: list[tuple[Path, frozenset[str]]] = []  # each Strava activities.csv and its export's files
        for f in sorted(csvs):
            first = head(f, 4096)
            if not is_strava_header(first, dated=False):
                continue  # another program's activities.csv (runload's own export is read only when named)
            name = printable(str(f))
            wanted = frozenset(g.relative_to(f.parent).as_posix().lower() for g in files if f.parent in g.parents)
            if is_strava_header(first):
                tables.append((f, wanted))
            if not wanted:
                continue
            try:
                with open(f, "rb") as fh:
                    strava[f.parent] = strava_csv(fh, name, set(wanted))
            except OSError as exc:
                yield _unreadable(IngestError(f"cannot read: {exc.strerror or exc}", path=name))
            except IngestError as err:
                yield _unreadable(err)
        yield from _listed(sum(role != "archive" for _, role in found))
        for f, role in found:
            meta = None
            for base, table in strava.items():
                if base in f.parents:
                    meta = table.get(f.relative_to(base).as_posix().lower())
            yield from self.from_path(f, printable(str(f)), meta, explicit=False, root=root, role=role)
        for f, wanted in tables:
            # after the files: the rows no file of the export stands for, as summary activities
            too_large = _too_large_for_summaries(f.stat().st_size)
            if too_large:
                yield _unreadable(Notice(too_large, path=printable(str(f))))
                continue
            yield from self.from_path(f, printable(str(f)), None, explicit=True, present=wanted, root=root)

    def from_path(self, path: Path, name: str, meta: StravaMeta | None, *, explicit: bool,
                  present: frozenset[str] | None = None, root: Path | None = None,
                  role: str | None = None) -> Iterator[WalkEvent]:
        """The events of one file on disk (``role``: its :func:`name_role`, when already known)."""
        role = role or name_role(path.name) or ("activity" if explicit else None)
        if role is None:
            return
        st: os.stat_result | None = None
        link = False
        if root is not None:  # a file found in a folder: its own entry (lstat), which is all a plain file needs
            st = _entry(path)
            link = stat.S_ISLNK(st.st_mode) if st is not None else path.is_symlink()
        if link and root is not None and not _inside(path, root):
            # a folder holds what is in it: a link to /etc/passwd or to another person's file is not read
            yield _unreadable(Notice(f"a link to a file outside {printable(str(root))}: not followed", path=name))
            return
        if st is None or link:
            try:
                st = path.stat()
            except OSError as exc:
                yield _unreadable(IngestError(f"cannot read: {exc.strerror or exc}", path=name))
                return
        if not stat.S_ISREG(st.st_mode):
            # a named pipe would block the import until something writes to it; a device never ends
            yield _unreadable(IngestError("not a regular file (a pipe, socket or device): not read", path=name))
            return
        key = printable(self.resolved(path) if root is not None and not link else str(path.resolve()))
        if key in self.taken:
            yield Repeated(key)  # named twice (a folder and a file in it): imported once
            return
        self.taken.add(key)
        fingerprint = f"{st.st_size}:{st.st_mtime_ns}"
        if role != "archive" and self.seen.file_unchanged(key, fingerprint):
            yield Unchanged(key, 1, ())  # unchanged since it was imported: not even opened
            return
        content = sniff(head(path))
        if content == "zip" or (role == "archive" and content is None):
            yield from self.from_zip_file(path, name, key, fingerprint)
            return
        if explicit:
            yield from _listed(1)  # (a folder's files were counted when it was listed)
        if st.st_size > MAX_MEMBER_BYTES:
            yield _unreadable(IngestError(f"is {mb(st.st_size)}, larger than any activity file "
                                          f"(runload reads up to {mb(MAX_MEMBER_BYTES)}); not read", path=name))
            return
        yield Source(name, "strava" if present is not None else activity_kind(path.name), _file_reader(path, name),
                     st.st_size, key, fingerprint, path, meta, optional=(role == "gzip" and not explicit),
                     present=present, stored_name=self.stored(name))

    def from_zip_file(self, path: Path, name: str, key: str, fingerprint: str) -> Iterator[WalkEvent]:
        members = self.seen.archive_unchanged(key, fingerprint)
        if members is not None:
            yield Unchanged(key, members, (), archive=True)
            return
        yield ArchiveOpened(key, fingerprint, name, ())
        try:
            # left open: the sources' readers use it after listing; it closes with the last of them
            fh = open(path, "rb")  # noqa: SIM115 - see above
        except OSError as exc:
            yield _unreadable(IngestError(f"cannot read: {exc.strerror or exc}", path=name))
            return
        opened = yield from self.open_zip(fh, name)
        if opened is None:
            fh.close()
            return
        zf, problems = opened
        try:
            yield from self.from_zip(zf, problems, name, key, 1, Budget(name), (key,))
        except ArchiveLimit as err:
            yield _unreadable(err)

    def open_zip(self, fh: IO[bytes], name: str) -> Generator[WalkEvent, None, tuple[zipfile.ZipFile, MemberProblems] | None]:
        try:
            return open_zip(fh)
        except IngestError as err:
            yield _unreadable(IngestError(err.message, path=name))
        return None

    def from_zip(self, zf: zipfile.ZipFile, problems: MemberProblems, label: str, key: str, depth: int,
                 budget: Budget, containers: tuple[str, ...]) -> Iterator[WalkEvent]:
        infos = sorted(((i, info) for i, info in enumerate(zf.infolist()) if not info.filename.endswith("/")),
                       key=lambda x: x[1].filename)
        strava, summaries = yield from self.zip_strava_tables(zf, [info for _, info in infos], label, budget)
        yield from _listed(sum(name_role(info.filename) in ("activity", "gzip") for _, info in infos))
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
                    yield _unreadable(IngestError(f"the archive holds {name_counts[info.filename]:,} members with this name "
                                                  "(a damaged or forged archive?): only the first is read", path=member))
                continue
            fingerprint = f"{info.file_size}:{info.CRC:08x}"
            if not info.filename:
                yield _unreadable(IngestError("an archive member without a name: not read", path=member))
                continue
            role = name_role(info.filename)
            if role is None:
                continue
            problem, shown = problems.get(index) or (declared_problem(info, role), None)
            if shown is not None:
                member = f"{label}!{shown}"
            if problem:
                yield _unreadable(IngestError(problem, path=member))
                continue
            if role != "archive":
                if self.seen.file_unchanged(member_key, fingerprint):
                    yield Unchanged(member_key, 1, containers)
                    continue
                meta = None
                for prefix, table in strava.items():
                    if member_name.lower().startswith(prefix):
                        meta = table.get(member_name.lower()[len(prefix):])
                yield Source(member, activity_kind(info.filename), zip_reader(zf, info, member, budget),
                             info.file_size, member_key, fingerprint, None, meta, containers, optional=(role == "gzip"),
                             stream=zip_streamer(zf, info, member, budget), stored_name=self.stored(member))
                continue
            if depth >= MAX_NESTING:
                yield _unreadable(IngestError(f"zips nested more than {MAX_NESTING} deep; refusing", path=member))
                continue
            members = self.seen.archive_unchanged(member_key, fingerprint)
            if members is not None:
                yield Unchanged(member_key, members, containers, archive=True)
                continue
            yield ArchiveOpened(member_key, fingerprint, member, containers)
            yield from self.from_nested_zip(zf, info, member, member_key, depth, budget, (*containers, member_key))
        for info, wanted in summaries:
            # after the files: the rows no file of the export stands for, as summary activities
            member_name = str(PurePosixPath(info.filename))
            member, member_key = f"{label}!{member_name}", f"{key}!{member_name}"
            fingerprint = f"{info.file_size}:{info.CRC:08x}"
            too_large = _too_large_for_summaries(info.file_size)
            if too_large:
                yield _unreadable(Notice(too_large, path=member))
                continue
            yield from _listed(1)
            if self.seen.file_unchanged(member_key, fingerprint):
                yield Unchanged(member_key, 1, containers)
                continue
            yield Source(member, "strava", zip_reader(zf, info, member, budget), info.file_size, member_key,
                         fingerprint, None, None, containers, stream=zip_streamer(zf, info, member, budget),
                         present=wanted, stored_name=self.stored(member))

    def from_nested_zip(self, zf: zipfile.ZipFile, info: zipfile.ZipInfo, member: str, member_key: str, depth: int,
                        budget: Budget, containers: tuple[str, ...]) -> Iterator[WalkEvent]:
        """A zip inside a zip, spooled to an anonymous temporary file (so memory holds none of it)
        and closed once its members have been yielded."""
        import tempfile  # noqa: PLC0415 - loaded when a zip in a zip is met: a FIT import of files on disk needs none

        with tempfile.TemporaryFile(prefix="runload-") as spool:
            try:
                zip_streamer(zf, info, member, budget, MAX_NESTED_ZIP_BYTES)(spool)
            except ArchiveLimit:
                raise
            except IngestError as err:
                yield _unreadable(err)
                return
            spool.seek(0)
            opened = yield from self.open_zip(spool, member)
            if opened is None:
                return
            inner, problems = opened
            with inner:
                yield from self.from_zip(inner, problems, member, member_key, depth + 1, budget, containers)

    def zip_strava_tables(self, zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo], label: str, budget: Budget
                          ) -> Generator[WalkEvent, None, tuple[dict[str, dict[str, StravaMeta]], _Summaries]]:
        """Each Strava activities.csv in the archive: its rows for the export's files (by the
        export's folder, as a name prefix), and the member with the files imported with it."""
        names = {i.filename.lower() for i in infos if name_role(i.filename) in ("activity", "gzip", "archive")}
        tables: dict[str, dict[str, StravaMeta]] = {}
        summaries: _Summaries = []
        for info in infos:
            lower = info.filename.lower()
            if lower == "activities.csv" or lower.endswith("/activities.csv"):
                prefix = lower[: -len("activities.csv")]
                wanted = frozenset(n[len(prefix):] for n in names if n.startswith(prefix))
                member = f"{label}!{info.filename}"
                try:
                    with zf.open(info) as raw:
                        counted = io.BufferedReader(Counted(raw, budget, info, member))
                        first = counted.peek(4096)[:4096]
                        if not is_strava_header(first, dated=False):
                            continue
                        if is_strava_header(first):
                            summaries.append((info, wanted))
                        if wanted:
                            tables[prefix] = strava_csv(counted, member, set(wanted))
                except IngestError as err:
                    yield _unreadable(err)
                except member_errors() as exc:
                    yield _unreadable(IngestError(member_reason(exc), path=member))
        return tables, summaries


def _too_large_for_summaries(size: int) -> str | None:
    if size <= MAX_SUMMARY_CSV_BYTES:
        return None
    return (f"is {mb(size)}: its rows without a file are not imported as summary activities (runload reads up "
            f"to {mb(MAX_SUMMARY_CSV_BYTES)}); the rows of the files in the export are used")


def _entry(path: Path) -> os.stat_result | None:
    """The folder entry of a file (not followed, if a link), or None when it cannot be looked at
    (the slower way then says why: :meth:`Path.is_symlink` and :meth:`Path.stat`)."""
    try:
        return os.lstat(path)
    except OSError:
        return None


def _inside(path: Path, root: Path) -> bool:
    """Whether the file a link leads to is inside the folder ``root`` (links resolved)."""
    try:
        return path.resolve().is_relative_to(root.resolve())
    except (OSError, RuntimeError):  # a loop of links
        return False


def _file_reader(path: Path, name: str) -> Callable[[], bytes]:
    def read() -> bytes:
        return read_disk_file(path, name)

    return read


__all__ = ["ArchiveOpened", "Listed", "NothingFound", "Notice", "Repeated", "Seen", "Source", "Unchanged", "Unreadable",
           "WalkEvent", "walk"]
