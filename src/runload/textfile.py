"""Reading a file a person names (a pain log, a plan, an athletes list, a manifest, a config or
rule file): one way, with errors that name the file and, for bad encoding, the byte.

Only a regular file is read, and at most ``max_bytes`` of it: a device (``/dev/zero`` never
ends), a named pipe (opening one waits for a writer forever), a folder, or a symlink to any of
them is refused before a byte is read. The size is checked on the open file, and the read
stops one byte past the cap, so a file that grows while it is read cannot get past the cap
either.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterator
from pathlib import Path

from runload.errors import InputError

MAX_TEXT_BYTES = 50 * 2**20  # a CSV a person writes by hand or a spreadsheet exports
MAX_LINE_CHARS = 64 * 1024  # far beyond any row a person writes (a pain note is at most 2,000)
_CHUNK = 2**20
_EOL = re.compile(r"\r\n|\r|\n")


def _not_a_file(mode: int) -> str | None:
    """Why a file of this ``st_mode`` is not read, or None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "is a folder, not a file"
    if stat.S_ISFIFO(mode):
        return "is a named pipe (FIFO), not a file: runload reads regular files only"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "is a device, not a file: runload reads regular files only"
    if stat.S_ISSOCK(mode):
        return "is a socket, not a file: runload reads regular files only"
    return "is not a regular file: runload reads regular files only"


def _too_big(size: int, what: str, max_bytes: int) -> str:
    cap = f"{max_bytes // 2**20} MB" if max_bytes >= 2**20 else f"{max_bytes // 1024} KB"
    shown = f"{size / 2**20:.0f} MB" if size >= 2**20 else f"{size // 1024} KB"
    return f"is {shown}; a {what} can be at most {cap} (split it into smaller files)"


def read_bytes(path: str | Path, *, what: str = "file", max_bytes: int = MAX_TEXT_BYTES) -> bytes:
    """The bytes of the regular file ``path``, at most ``max_bytes`` of them. :class:`InputError`
    naming the file when it is missing, unreadable, not a regular file (a device, a pipe, a
    folder, or a symlink to one) or over ``max_bytes`` (refused before it is read)."""
    path = Path(path)
    try:
        # O_NONBLOCK: opening a FIFO with no writer returns at once instead of waiting forever
        # (it is refused just below); a regular file reads the same either way
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except FileNotFoundError:
        raise InputError("no such file", path=path) from None
    except IsADirectoryError:
        raise InputError("is a folder, not a file", path=path) from None
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror or exc}", path=path) from None
    try:
        st = os.fstat(fd)
        why = _not_a_file(st.st_mode)
        if why:
            raise InputError(why, path=path)
        if st.st_size > max_bytes:
            raise InputError(_too_big(st.st_size, what, max_bytes), path=path)
        chunks: list[bytes] = []
        got = 0
        while got <= max_bytes:
            chunk = os.read(fd, min(_CHUNK, max_bytes + 1 - got))
            if not chunk:
                break
            chunks.append(chunk)
            got += len(chunk)
        if got > max_bytes:  # it grew while being read
            raise InputError(_too_big(got, what, max_bytes), path=path)
        return b"".join(chunks)
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror or exc}", path=path) from None
    finally:
        os.close(fd)


def read_utf8(path: str | Path, *, what: str = "file", max_bytes: int = MAX_TEXT_BYTES) -> str:
    """The text of ``path`` (UTF-8, a leading byte-order mark dropped), read by
    :func:`read_bytes` (same refusals); not UTF-8 is an :class:`InputError` with the byte."""
    raw = read_bytes(path, what=what, max_bytes=max_bytes)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError("is not UTF-8 text", path=path, offset=exc.start) from None


def lines(text: str, *, path: str | Path, max_chars: int = MAX_LINE_CHARS) -> Iterator[str]:
    """The lines of ``text`` one at a time, each with its line end (``\\n``, ``\\r\\n`` or ``\\r``,
    as ``open(newline="")`` splits them), for :func:`csv.reader`. Never a copy of the whole text
    (``io.StringIO`` holds four bytes a character), and a line over ``max_chars`` is an
    :class:`InputError` naming it: one line of 50 million commas would be a row of 50 million
    fields, gigabytes in memory."""
    pos, end, number = 0, len(text), 0
    while pos < end:
        number += 1
        eol = _EOL.search(text, pos, min(end, pos + max_chars + 2))
        if (eol.start() if eol is not None else end) - pos > max_chars:
            raise InputError(f"the line is longer than {max_chars:,} characters: is this the right file?",
                             path=path, line=number)
        stop = end if eol is None else eol.end()
        if eol is not None and eol.group() == "\r" and stop < end and text[stop] == "\n":
            stop += 1  # a CRLF cut by the window's edge
        yield text[pos:stop]
        pos = stop
