"""A Strava bulk export's ``activities.csv``: what it says about each file, and the activities it
is the only record of.

The export lists every activity in one row: distance, elapsed and moving time, heart rate, climb,
type, gear, perceived exertion and the file it came from (``Filename``). Two uses:

- :func:`strava_csv` joins a row to its file (type, name, gear, perceived exertion) when the file
  is in the export;
- :func:`parse_strava_csv` makes a summary activity of every other row: manual entries (a
  treadmill run typed in, which have no file) and activities whose file the export left out, so
  the log is complete. Such an activity is the poorest copy of a run (``distance_source``
  ``strava``, ranked below any file by :func:`runload.ingest.dedupe.richness`): the same run from a
  file is always the one kept.

Strava repeats some column names. In the modern layout (99 columns) ``Distance`` is first in
kilometres (rounded to 10 m) and then in metres, ``Elapsed Time`` and ``Max Heart Rate`` twice
with the same value; an older layout has one ``Distance``, in kilometres. ``Activity Date`` is
in UTC ("Oct 5, 2014, 4:15:21 PM"); the athlete's time zone places it on a day when read, as for
any file that records no offset.

Read as a stream: a 150 MB file costs a few MB of memory plus the rows kept.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import IO

from runload.bounds import MAX_NAME_CHARS, MAX_SHORT_TEXT_CHARS, clean_text
from runload.errors import IngestError
from runload.ingest.values import csv_number, sport_from_name
from runload.models import Activity, Sport

MAX_CSV_LINE_CHARS = 1024 * 1024  # one line of activities.csv
MAX_CSV_RECORD_LINES = 10_000  # physical lines one quoted CSV record may span
MAX_ROWS = 200_000  # a lifetime of twice-daily activities is under 60,000
# Strava activity types that name a sub-sport too.
STRAVA_SUB = {"trail run": "trail", "virtual run": "virtual", "treadmill": "treadmill"}
_DATE_FORMATS = ("%b %d, %Y, %I:%M:%S %p", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class StravaMeta:
    """What a Strava export's activities.csv says about one file."""

    activity_type: str | None
    name: str | None
    gear: str | None
    rpe: float | None = None  # "Perceived Exertion", 1-10, when the athlete rated the activity


def is_strava_header(head: bytes, *, dated: bool = True) -> bool:
    """Whether these first bytes are the header line of a Strava export's activities.csv (with
    an ``Activity Date``, which summary activities need, unless ``dated`` is False)."""
    first = head.removeprefix(b"\xef\xbb\xbf").split(b"\n", 1)[0].decode("utf-8", "replace")
    cells = {c.strip().strip('"').lower() for c in first.split(",")}
    return {"activity id", "filename", *(["activity date"] if dated else [])} <= cells


class _Rows:
    """The rows of an activities.csv after its header, each with the line it starts on; ``cell``
    reads a column by its (case-insensitive) name, the first of repeated columns by default."""

    def __init__(self, data: bytes | IO[bytes], name: str) -> None:
        raw: IO[bytes] = io.BytesIO(data) if isinstance(data, (bytes, bytearray)) else data
        buffered = io.BufferedReader(raw) if isinstance(raw, io.RawIOBase) else raw
        text = io.TextIOWrapper(buffered, encoding="utf-8-sig", errors="replace", newline="")
        self.name = name
        self.lines = _CsvLines(text, name)
        self.reader = csv.reader(self.lines)
        try:
            header = next(self.reader)
        except StopIteration:
            raise IngestError("empty activities.csv", path=name) from None
        except csv.Error as exc:
            raise IngestError(f"not a readable CSV file: {_csv_reason(exc)}", path=name, line=1) from None
        self.cols: dict[str, list[int]] = {}
        for i, h in enumerate(header):
            self.cols.setdefault(h.strip().lower(), []).append(i)
        if "filename" not in self.cols:
            raise IngestError("activities.csv has no 'Filename' column: not a Strava export?", path=name, line=1)
        self.lines.record_done()

    def __iter__(self) -> Iterator[tuple[int, list[str]]]:
        try:
            for row in self.reader:
                line = self.lines.record_start + 1
                self.lines.record_done()
                if any(c.strip() for c in row):
                    yield line, row
        except csv.Error as exc:
            raise IngestError(f"not a readable CSV file: {_csv_reason(exc)}", path=self.name,
                              line=self.reader.line_num) from None

    def cell(self, row: list[str], key: str, which: int = 0, limit: int = MAX_NAME_CHARS) -> str | None:
        idx = self.cols.get(key, [])
        i = idx[which] if which < len(idx) else None
        value = row[i].strip() if i is not None and i < len(row) else ""
        return clean_text(value, limit) or None

    def first(self, row: list[str], key: str, limit: int = MAX_NAME_CHARS) -> str | None:
        """The first non-empty cell of a repeated column."""
        for which in range(len(self.cols.get(key, []))):
            value = self.cell(row, key, which, limit)
            if value:
                return value
        return None


def _key(filename: str) -> str:
    return filename.lower().lstrip("/")


def strava_csv(data: bytes | IO[bytes], name: str, wanted: set[str] | None = None) -> dict[str, StravaMeta]:
    """{lower-case file name relative to the export: meta} for the rows naming a file in ``wanted``
    (every file when None), their text cut to the stored lengths."""
    rows = _Rows(data, name)
    out: dict[str, StravaMeta] = {}
    for _line, row in rows:
        filename = rows.cell(row, "filename", limit=10_000)
        if not filename:
            continue
        key = _key(filename)
        if wanted is None or key in wanted:
            out[key] = StravaMeta(rows.cell(row, "activity type", limit=MAX_SHORT_TEXT_CHARS),
                                  rows.cell(row, "activity name"), rows.cell(row, "activity gear"),
                                  _rpe(rows.cell(row, "perceived exertion", limit=20)))
    return out


def parse_strava_csv(data: bytes, name: str, present: frozenset[str] | None = None) -> list[Activity]:
    """A summary activity for each row whose file is not among ``present`` (file names relative to
    the export, lower case: the files imported with it, which carry the row's details themselves).

    A row that cannot be an activity (no date, a number that is not one) stops the file with its
    line, like a damaged line of any activity file; values outside the physical bounds are the
    store's door's to judge (:func:`runload.bounds.check_activity`).
    """
    rows = _Rows(data, name)
    present = present or frozenset()
    out: list[Activity] = []
    for line, row in rows:
        filename = rows.cell(row, "filename", limit=10_000)
        if filename and _key(filename) in present:
            continue
        if len(out) >= MAX_ROWS:
            raise IngestError(f"more than {MAX_ROWS:,} activities in one file", path=name, line=line)
        out.append(_summary(rows, row, line, len(out)))
    return out


def _summary(rows: _Rows, row: list[str], line: int, index: int) -> Activity:
    name = rows.name

    def number(key: str, which: int | None = None) -> float | None:
        text = rows.first(row, key, 40) if which is None else rows.cell(row, key, which, 40)
        if text is None:
            return None
        return csv_number(text, f"line {line}: {key.title()}", path=name, line=line)

    date_text = rows.cell(row, "activity date", limit=60)
    if not date_text:
        raise IngestError(f"line {line}: no Activity Date", path=name, line=line)
    start = _date(date_text)
    if start is None:
        raise IngestError(f"line {line}: Activity Date {date_text!r} is not a date like 'Oct 5, 2014, 4:15:21 PM'",
                          path=name, line=line)
    # the second Distance column (metres) is exact; the first is in kilometres, rounded
    metres = number("distance", 1) if len(rows.cols.get("distance", [])) > 1 else None
    if metres is None:
        km = number("distance", 0)
        metres = None if km is None else km * 1000.0
    activity_type = rows.cell(row, "activity type", limit=MAX_SHORT_TEXT_CHARS)
    sport = sport_from_name(activity_type) or Sport.OTHER
    sub = STRAVA_SUB.get((activity_type or "").strip().lower())
    return Activity(
        start_utc=start, sport=sport, sub_sport=sub, distance_m=metres or 0.0,
        elapsed_s=number("elapsed time"), timer_s=number("moving time"),
        avg_hr_bpm=number("average heart rate"), max_hr_bpm=number("max heart rate"),
        elevation_gain_m=number("elevation gain"), rpe=_rpe(rows.cell(row, "perceived exertion", limit=20)),
        gear=rows.cell(row, "activity gear"), name=rows.cell(row, "activity name"), leg_index=index,
        # a summary typed in or copied by Strava: any file of the same run is richer
        distance_source="strava",
    )


def _date(text: str) -> datetime | None:
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).replace(tzinfo=timezone.utc)
        except ValueError:
            continue
    return None


def _rpe(text: str | None) -> float | None:
    """Strava's Perceived Exertion (1-10, Borg's CR-10 wording) as a number; anything else None."""
    if not text:
        return None
    try:
        value = float(text.replace(",", "."))
    except ValueError:
        return None
    return value if 0.0 <= value <= 10.0 else None


def _csv_reason(exc: csv.Error) -> str:
    text = str(exc)
    if "field larger than field limit" in text:
        return f"a cell is longer than {csv.field_size_limit() // 1024} KB"
    return text


class _CsvLines:
    """The lines of a CSV text stream, each at most :data:`MAX_CSV_LINE_CHARS`, and no record
    spanning more than :data:`MAX_CSV_RECORD_LINES` (an unterminated quote), so memory stays
    bounded whatever the file holds."""

    def __init__(self, text: IO[str], name: str) -> None:
        self.text, self.name = text, name
        self.line = 0
        self.record_start = 0

    def __iter__(self) -> "_CsvLines":
        return self

    def __next__(self) -> str:
        line = self.text.readline(MAX_CSV_LINE_CHARS + 1)
        if not line:
            raise StopIteration
        self.line += 1
        if len(line) > MAX_CSV_LINE_CHARS:
            raise IngestError(f"line {self.line} is longer than {MAX_CSV_LINE_CHARS // 1024} KB: not a Strava "
                              "activities.csv", path=self.name, line=self.line)
        if self.line - self.record_start > MAX_CSV_RECORD_LINES:
            raise IngestError(f"a quoted cell from line {self.record_start + 1} never ends (an unterminated quote?)",
                              path=self.name, line=self.record_start + 1)
        return line

    def record_done(self) -> None:
        self.record_start = self.line


__all__ = ["StravaMeta", "is_strava_header", "parse_strava_csv", "strava_csv"]
