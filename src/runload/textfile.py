"""Reading a text file a person gives runload (a pain log, a plan, an athletes list, a
manifest): one way, with errors that name the file and, for bad encoding, the byte."""

from __future__ import annotations

from pathlib import Path

from runload.errors import InputError

MAX_TEXT_BYTES = 50 * 2**20  # a CSV a person writes by hand or a spreadsheet exports


def read_utf8(path: str | Path, *, what: str = "file", max_bytes: int = MAX_TEXT_BYTES) -> str:
    """The text of ``path`` (UTF-8, a leading byte-order mark dropped). :class:`InputError`
    naming the file when it is missing, unreadable, over ``max_bytes`` (refused before it is
    read) or not UTF-8 (with the byte)."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise InputError(f"is {size / 2**20:.0f} MB; a {what} can be at most {max_bytes // 2**20} MB "
                             "(split it into smaller files)", path=path)
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError("no such file", path=path) from None
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror or exc}", path=path) from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError("is not UTF-8 text", path=path, offset=exc.start) from None
