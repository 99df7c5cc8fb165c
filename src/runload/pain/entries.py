"""Pain-log entries: checking values, reading and writing the CSV format, and what counts as pain.

The CSV columns are exactly the field names of :class:`runload.models.PainEntry` (except ``id``);
``date`` is required, every other column may be left out or left blank:

==============================  ===============================================================
column                          values
==============================  ===============================================================
date                            YYYY-MM-DD, from 1989-12-31 to tomorrow
side                            left, right, both (blank: not recorded)
location                        back (default), front, inner, outer, calf, hamstring
pain_during, pain_after,        whole numbers 0-10 (blank: not recorded)
pain_next_morning, stiffness
swelling                        none (default), mild, moderate, severe
popping, giving_way, locking,   yes or no (blank: no)
numbness_tingling, deformity,
cannot_bend_straighten,
cannot_bear_weight,
calf_swelling_redness_warmth,
breathless_chest_pain, fever
relieved_by_rest                yes or no (blank: not recorded)
notes                           free text, at most 2,000 characters, no control characters
==============================  ===============================================================

Numbers and dates are ASCII digits in exactly these forms (``1_0``, ``١٠`` or ``20261101`` are
refused, though Python's ``int`` and ``date.fromisoformat`` would take them). A file holds at most
:data:`MAX_CSV_ROWS` rows and :data:`MAX_CSV_BYTES` bytes. A notes cell that runload wrote with a
leading ``'`` (so a spreadsheet shows ``=...`` as text, see :mod:`runload.textsafe`) is read back
without it.

No pandas here: adding one entry from the command line stays quick.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import fields, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from runload.calendar import FIRST_DAY
from runload.errors import InputError
from runload.textfile import lines, read_utf8
from runload.textsafe import csv_row, from_csv_cell, unsafe_char
from runload.models import (
    PAIN_LOCATIONS,
    PAIN_SCORE_FIELDS,
    PAIN_SIDES,
    PAIN_SIGNS,
    PAIN_SWELLING,
    PainEntry,
)

SIDES = PAIN_SIDES
LOCATIONS = PAIN_LOCATIONS
SWELLING = PAIN_SWELLING
SCORE_FIELDS = PAIN_SCORE_FIELDS
SIGN_FIELDS = tuple(PAIN_SIGNS)
FIELD_NAMES = tuple(f.name for f in fields(PainEntry) if f.name != "id")

# Plain-words labels, used in tables, prompts and messages.
LABELS = {
    "pain_during": "pain during the run",
    "pain_after": "pain after the run",
    "pain_next_morning": "pain the next morning",
    "stiffness": "stiffness",
    **PAIN_SIGNS,
}

_TRUE = {"yes", "y", "true", "1"}
_FALSE = {"no", "n", "false", "0"}

# The first day an entry can have: GPS watches count time from 1989-12-31 (the FIT epoch), and
# the activity log has the same bound. The last is tomorrow (the athlete's calendar may run
# ahead of this machine's).
EARLIEST_DAY = FIRST_DAY  # runload.calendar: the first day any record may carry
MAX_NOTES_CHARS = 2000
MAX_CSV_ROWS = 10_000  # a pain log of 27 years with an entry every day fits in one file
MAX_CSV_BYTES = 32 * 1024 * 1024
_SCORE = re.compile(r"[0-9]{1,2}")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class FieldError(ValueError):
    """A value that does not fit its field; ``field`` names the field (the CSV column)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


# ---------------------------------------------------------------- single values
def parse_score(field: str, value: object) -> int | None:
    """A 0-10 score from text or a number; blank or None means not recorded."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise FieldError(field, f"{value!r} is not a score from 0 to 10")
    if isinstance(value, int):
        n = value
    else:
        text = str(value).strip()
        if not _SCORE.fullmatch(text):  # int() would also take "1_0", " +3" and other scripts' digits
            raise FieldError(field, f"{text!r} is not a whole-number score from 0 to 10")
        n = int(text)
    if not 0 <= n <= 10:
        raise FieldError(field, f"{n} is not a score from 0 to 10")
    return n


def parse_yes_no(field: str, value: object, *, blank: bool | None = False) -> bool | None:
    """yes/no (also y/n, true/false, 1/0, any case); blank gives ``blank``."""
    if value is None:
        return blank
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if not text:
        return blank
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise FieldError(field, f"{str(value).strip()!r} is not yes or no")


def _parse_choice(field: str, value: object, choices: Sequence[str], blank: str | None) -> str | None:
    if value is None or not str(value).strip():
        return blank
    text = str(value).strip().lower()
    if text not in choices:
        raise FieldError(field, f"{str(value).strip()!r} is not one of: {', '.join(choices)}")
    return text


def parse_date(field: str, value: object) -> date:
    """A calendar day in ISO form (YYYY-MM-DD, ASCII digits; not the basic form 20261101)."""
    if isinstance(value, date):
        return value
    text = "" if value is None else str(value).strip()
    if not text:
        raise FieldError(field, "a date is required (YYYY-MM-DD)")
    if not _DATE.fullmatch(text):
        raise FieldError(field, f"{text!r} is not a date in the form YYYY-MM-DD")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise FieldError(field, f"{text!r} is not a date in the form YYYY-MM-DD") from None


def check_day(field: str, day: date, *, today: date | None = None) -> date:
    """``day`` if it lies from :data:`EARLIEST_DAY` to tomorrow, else FieldError."""
    if day < EARLIEST_DAY:
        raise FieldError(field, f"{day.isoformat()} is before {EARLIEST_DAY.isoformat()}, the earliest day runload "
                                f"takes (a typo in the year?)")
    # a day ahead is allowed: the athlete's calendar may run ahead of this machine's
    if day > (today or date.today()) + timedelta(days=1):
        raise FieldError(field, f"{day.isoformat()} is in the future (a typo in the year?)")
    return day


def parse_notes(field: str, value: object) -> str:
    """Free text: line breaks (any convention) become LF; other control characters (an escape
    sequence, a bidi override) are refused, and so is a note over :data:`MAX_NOTES_CHARS`."""
    text = "" if value is None else str(value).replace("\r\n", "\n").replace("\r", "\n").strip()
    bad = unsafe_char(text, allow_newlines=True)
    if bad:
        raise FieldError(field, f"holds a control character ({bad}); notes are plain text")
    if len(text) > MAX_NOTES_CHARS:
        raise FieldError(field, f"is {len(text):,} characters long; at most {MAX_NOTES_CHARS:,}")
    return text


def is_empty(entry: PainEntry) -> bool:
    """True when an entry records nothing but its date, side and place: no score (a 0 is a
    score), no sign, no swelling, no word on rest, no note."""
    return (all(getattr(entry, f) is None for f in SCORE_FIELDS)
            and not any(getattr(entry, f) for f in SIGN_FIELDS)
            and entry.swelling == "none" and entry.relieved_by_rest is None and not entry.notes)


def make_entry(values: Mapping[str, object], *, base: PainEntry | None = None) -> PainEntry:
    """A checked :class:`PainEntry` from field values (text as in the CSV, or typed values).

    Fields missing from ``values`` keep ``base``'s value (for edits) or the model's default.
    Raises :class:`FieldError` naming the first field that does not fit.
    """
    unknown = [k for k in values if k not in FIELD_NAMES]
    if unknown:
        raise FieldError(unknown[0], f"unknown field {unknown[0]!r} (expected: {', '.join(FIELD_NAMES)})")
    out: dict[str, Any] = {}
    for name, raw in values.items():
        if name == "date":
            out[name] = check_day(name, parse_date(name, raw))
        elif name in SCORE_FIELDS:
            out[name] = parse_score(name, raw)
        elif name in SIGN_FIELDS:
            out[name] = parse_yes_no(name, raw, blank=False)
        elif name == "relieved_by_rest":
            out[name] = parse_yes_no(name, raw, blank=None)
        elif name == "side":
            out[name] = _parse_choice(name, raw, SIDES, None)
        elif name == "location":
            out[name] = _parse_choice(name, raw, LOCATIONS, "back")
        elif name == "swelling":
            out[name] = _parse_choice(name, raw, SWELLING, "none")
        elif name == "notes":
            out[name] = parse_notes(name, raw)
    if base is not None:
        return replace(base, **out)
    if "date" not in out:
        raise FieldError("date", "a date is required (YYYY-MM-DD)")
    return PainEntry(**out)


# ---------------------------------------------------------------- what an entry says
def peak_score(e: PainEntry) -> int | None:
    """The highest pain score recorded in the entry (during, after, next morning), or None."""
    scores = [s for s in (e.pain_during, e.pain_after, e.pain_next_morning) if s is not None]
    return max(scores) if scores else None


def signs(e: PainEntry) -> list[str]:
    """The yes/no signs that are present, plus swelling when there is any, as field names."""
    out = [name for name in SIGN_FIELDS if getattr(e, name)]
    if e.swelling != "none":
        out.insert(0, "swelling")
    return out


def entry_key(e: PainEntry) -> str:
    """A content fingerprint of the entry (every field but ``id``): two entries with the same
    key say the same thing, so importing a file twice can skip what is already stored."""
    parts = []
    for name in FIELD_NAMES:
        v = getattr(e, name)
        parts.append(f"{name}={'' if v is None else (v.isoformat() if isinstance(v, date) else v)}")
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


# ---------------------------------------------------------------- CSV
def read_csv(path: str | Path) -> list[tuple[int, PainEntry]]:
    """Read a pain-log CSV: (line number, entry) for each row, in file order.

    The whole file is checked before anything is returned; the first bad value raises
    :class:`InputError` carrying the file, the row's line and the column name. A file over
    :data:`MAX_CSV_BYTES` is refused before it is read.
    """
    path = Path(path)
    text = read_utf8(path, what="pain log file", max_bytes=MAX_CSV_BYTES)
    return parse_csv_text(text, path=path)


def _csv_problem(exc: csv.Error) -> str:
    """What the csv module's complaint means for a person looking at the file."""
    text = str(exc)
    if "unexpected end of data" in text:
        return 'a quoted value starts here but its closing " is missing'
    if "expected after" in text:
        return 'a quoted value has more text after its closing " (write "" for a quote inside quotes)'
    if "NUL" in text:
        return "the line holds a NUL byte: is this a text file?"
    if "field larger than field limit" in text:
        return f"a value is longer than {csv.field_size_limit():,} characters"
    return "the line is not valid CSV"


def parse_csv_text(text: str, *, path: str | Path = "<csv>") -> list[tuple[int, PainEntry]]:
    """Parse pain-log CSV text (see :func:`read_csv`)."""
    # strict: an unclosed quote is an error, not the rest of the file swallowed into one note
    reader = csv.reader(lines(text, path=path), strict=True)  # a line as long as the file is refused
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise InputError(f"not a readable CSV file: {_csv_problem(exc)}", path=path, line=1) from None
    if header is None or not any(h.strip() for h in header):
        raise InputError("is empty: expected a header line naming the columns", path=path, line=1)
    columns = [h.strip().lower() for h in header]
    for i, name in enumerate(columns, start=1):
        if name not in FIELD_NAMES and len(header) == 1 and ";" in name:
            raise InputError("the header is separated by semicolons; runload reads comma-separated CSV "
                             "(in a spreadsheet, export as 'CSV UTF-8 (comma delimited)')", path=path, line=1)
        if name not in FIELD_NAMES:
            raise InputError(f"unknown column {header[i - 1].strip()!r} (expected any of: {', '.join(FIELD_NAMES)})",
                             path=path, line=1, column=i)
        if columns.index(name) != i - 1:
            raise InputError(f"column {name!r} appears twice", path=path, line=1, column=name)
    if "date" not in columns:
        raise InputError("has no 'date' column", path=path, line=1)
    out: list[tuple[int, PainEntry]] = []
    line = reader.line_num + 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise InputError(_csv_problem(exc), path=path, line=line) from None
        start, line = line, reader.line_num + 1
        if not any(cell.strip() for cell in row):
            continue  # blank lines are allowed
        if len(out) >= MAX_CSV_ROWS:
            raise InputError(f"has more than {MAX_CSV_ROWS:,} rows; split it into files of at most "
                             f"{MAX_CSV_ROWS:,}", path=path, line=start)
        if len(row) > len(columns):
            raise InputError(f"has {len(row)} values but the header names {len(columns)} columns",
                             path=path, line=start)
        values = dict(zip(columns, row))
        if "notes" in values:
            values["notes"] = from_csv_cell(values["notes"])
        try:
            entry = make_entry(values)
        except FieldError as exc:
            raise InputError(str(exc), path=path, line=start, column=exc.field) from None
        out.append((start, entry))
    return out


def to_csv(entries: Iterable[PainEntry]) -> str:
    """Entries in the import format (every column), so ``pain list --format csv`` re-imports.
    A note starting with ``= + - @`` gets a leading ``'`` so no spreadsheet runs it as a formula
    (the import takes the ``'`` off again)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(FIELD_NAMES)
    for e in entries:
        row = []
        for name in FIELD_NAMES:
            v = getattr(e, name)
            if v is None:
                row.append("")
            elif isinstance(v, bool):
                row.append("yes" if v else "no")
            elif isinstance(v, date):
                row.append(v.isoformat())
            else:
                row.append(str(v))
        w.writerow(csv_row(row))
    return buf.getvalue()
