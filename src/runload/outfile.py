"""Writing a file runload makes for a person (an export, a site page, a report, an .eml, a
proposed plan, a chart): one way, whole or not at all, private by default.

- Whole or not at all: the bytes go to a temporary name in the same folder, are flushed to disk,
  then renamed over the target; a write that fails (a full disk, a lost mount) removes the
  temporary file and leaves the target as it was, never a 0-byte or cut-off file.
- Private: what runload writes holds health data (pain logs, runs, where a person lives), so
  files are created 0600 and the folders runload creates 0700, whatever the umask. A person who
  wants to share them (a site behind a web server) opens them up on purpose.
- A failure is an :class:`OutputError` naming the file; a full disk says so in those words.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from pathlib import Path

from runload.errors import RunloadError

PRIVATE_FILE = 0o600
PRIVATE_FOLDER = 0o700
_FULL = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)}


class OutputError(RunloadError):
    """A file runload was asked to write could not be written (nothing half-written is left)."""


def why_not_written(exc: OSError) -> str:
    """A failed write in words for a person; a full disk (or quota) is named as such."""
    if exc.errno in _FULL:
        return "the disk is full (no space left on the device): the file was not written; free some space and run it again"
    return f"cannot write it: {exc.strerror or exc}"


def private_folder(folder: str | Path) -> Path:
    """``folder`` and any missing parents created 0700 (whatever the umask); a folder that was
    already there keeps its mode (it is the person's)."""
    folder = Path(folder)
    missing = []
    p = folder
    while not p.exists():
        missing.append(p)
        if p.parent == p:
            break
        p = p.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for made in missing:
            os.chmod(made, PRIVATE_FOLDER)
    except OSError as exc:
        raise OutputError(f"cannot create the folder: {why_not_written(exc).removeprefix('cannot write it: ')}",
                          path=folder) from None
    return folder


def write_file(path: str | Path, data: bytes | str) -> Path:
    """Write ``data`` (text is UTF-8, written as given: no newline translation) to ``path``
    whole or not at all, as a 0600 file; its folder must exist (see :func:`private_folder`)."""
    path = Path(path)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name[:40]}.", suffix=".part")  # 0600
    except OSError as exc:
        raise OutputError(why_not_written(exc), path=path) from None
    try:
        try:
            view = memoryview(raw)
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)  # the disk said yes before the old file is replaced
        finally:
            os.close(fd)
        os.chmod(tmp, PRIVATE_FILE)
        os.replace(tmp, path)
    except OSError as exc:
        _remove(tmp)
        raise OutputError(why_not_written(exc), path=path) from None
    except BaseException:
        _remove(tmp)
        raise
    return path


def _remove(tmp: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(tmp)
