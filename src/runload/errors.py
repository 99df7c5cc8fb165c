"""One exception hierarchy for runload.

Library code raises these with the context a person needs (the file, the line, the rule id);
only the CLI turns them into a one-line message and an exit code.
"""

from __future__ import annotations

from pathlib import Path


def printable(text: str) -> str:
    """A path as text that can be stored and printed: bytes of a file name that are not UTF-8
    (which Python keeps as lone surrogates) become ``\\xNN``, so the same name always gives the
    same text."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


class RunloadError(Exception):
    """Base class of every error runload reports to a person.

    ``exit_code`` is what the CLI exits with: 2 means bad usage or bad input.
    """

    exit_code = 2

    def __init__(
        self,
        message: str,
        *,
        path: str | Path | None = None,
        line: int | None = None,
        column: str | int | None = None,
        offset: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.path = printable(str(path)) if path is not None else None
        self.line = line
        self.column = column
        self.offset = offset

    def __str__(self) -> str:
        where = ""
        if self.path:
            where = self.path
            if self.line is not None:
                where += f":{self.line}"
            if self.column is not None:
                where += f" (column {self.column})"
            if self.offset is not None:
                where += f" (byte {self.offset})"
            where += ": "
        return f"{where}{self.message}"


class StoreError(RunloadError):
    """The store cannot be opened, read or written."""


class NotFoundError(RunloadError):
    """A named thing (athlete, activity, entry, rule) does not exist."""


class InputError(RunloadError):
    """A value or file given by the user is not valid."""


class IngestError(RunloadError):
    """One activity file cannot be imported (the import of other files goes on)."""


class RuleError(RunloadError):
    """A rule file is invalid; the message names the file and the key."""
