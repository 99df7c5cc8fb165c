"""runload's own activities CSV: what ``runload export`` writes and ``runload import`` reads back.

One row per activity, the values runload uses (a person's corrections applied), with the recorded
value beside each corrected one (``recorded_*``, blank when not corrected). Text cells are
written spreadsheet-safe (:func:`runload.textsafe.csv_cell`: a name starting with ``=`` gets a
leading ``'``), and the reader takes that ``'`` off again. Named on the command line, the file is
imported like any activity file (the header says what it is; in a folder only ``.fit``, ``.gpx``
and ``.tcx`` files are looked at): each row is one activity, checked against the physical bounds
like any other, and a row that is not a plausible activity stops the file with its line. Its
distance counts as a copy's (``distance_source`` ``export``), so the same run from the watch's own
file is always the richer copy.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime, timedelta, timezone
from typing import Any

from runload.errors import IngestError
from runload.ingest.values import csv_number
from runload.models import Activity, Sport
from runload.textsafe import csv_row, from_csv_cell

COLUMNS = (
    "id", "local_start", "start_utc", "utc_offset_s", "sport", "sub_sport", "distance_km", "moving_s", "elapsed_s",
    "avg_hr_bpm", "max_hr_bpm", "avg_cadence_spm", "elevation_gain_m", "rpe", "shoe", "name", "device",
    "source_file", "recorded_sport", "recorded_sub_sport", "recorded_distance_km", "recorded_shoe", "recorded_rpe",
)
#: The start of the header line: how an import recognises the file from its first bytes.
MAGIC = ",".join(COLUMNS[:5]).encode("ascii")
_REQUIRED = ("start_utc", "sport", "distance_km")
MAX_ROWS = 200_000


def looks_like(head: bytes) -> bool:
    """Whether these first bytes are the header of a runload activities CSV."""
    return head.removeprefix(b"\xef\xbb\xbf").startswith(MAGIC)


def _num(x: float | None, digits: int = 3) -> object:
    if x is None:
        return ""
    return round(float(x), digits)


def rows(acts: Iterable[Activity]) -> Iterable[list[object]]:
    """The CSV's rows (header first), spreadsheet-safe."""
    yield list(COLUMNS)
    for a in acts:
        local = a.start_utc + timedelta(seconds=a.utc_offset_s or 0)
        rec: Mapping[str, Any] = a.corrections
        yield csv_row([
            a.id if a.id is not None else "", f"{local:%Y-%m-%d %H:%M}", a.start_utc.isoformat(),
            "" if a.utc_offset_s is None else a.utc_offset_s, a.sport.value, a.sub_sport or "",
            _num(a.distance_m / 1000.0, 4), _num(a.timer_s, 1), _num(a.elapsed_s, 1), _num(a.avg_hr_bpm, 1),
            _num(a.max_hr_bpm, 1), _num(a.avg_cadence_spm, 1), _num(a.elevation_gain_m, 1), _num(a.rpe, 1),
            a.gear or "", a.name or "", a.device or "", a.source_file or "",
            rec.get("sport", "") or "", rec.get("sub_sport", "") or "",
            _num(rec["distance_m"] / 1000.0, 4) if rec.get("distance_m") is not None else "",
            rec.get("gear", "") or "", _num(rec.get("rpe"), 1),
        ])


def to_csv(acts: Sequence[Activity]) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows(acts))
    return buf.getvalue()


def _cells(row: list[str], col: dict[str, int]) -> Callable[[str], str]:
    """A row's cells by column name (empty for a column the file lacks)."""
    def cell(key: str) -> str:
        return from_csv_cell(row[col[key]]).strip() if key in col else ""

    return cell


def parse_activities_csv(data: bytes, name: str) -> list[Activity]:
    """The activities of a runload activities CSV (:data:`COLUMNS`; extra columns are ignored)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise IngestError(f"not UTF-8 text (byte {exc.start})", path=name) from None
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        raise IngestError("no header line", path=name, line=1) from None
    missing = [c for c in _REQUIRED if c not in header]
    if missing:
        raise IngestError(f"no '{missing[0]}' column: not a runload activities CSV", path=name, line=1)
    col = {c: i for i, c in enumerate(header)}
    out: list[Activity] = []
    try:
        for row in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if len(out) >= MAX_ROWS:
                raise IngestError(f"more than {MAX_ROWS:,} activities in one file", path=name, line=line)
            if len(row) != len(header):
                raise IngestError(f"line {line} has {len(row)} cells where the header has {len(header)}", path=name,
                                  line=line)
            out.append(_activity(_cells(row, col), len(out), name, line))
    except csv.Error as exc:
        raise IngestError(f"not a readable CSV file: {exc}", path=name, line=reader.line_num) from None
    if not out:
        raise IngestError("no activities in the file (only its header)", path=name)
    return out


def _activity(cell: Any, index: int, name: str, line: int) -> Activity:
    def number(key: str, *, required: bool = False) -> float | None:
        text = cell(key)
        if not text:
            if required:
                raise IngestError(f"column {key} is empty", path=name, line=line)
            return None
        return csv_number(text, f"column {key}:", path=name, line=line)

    start_text = cell("start_utc")
    try:
        start = datetime.fromisoformat(start_text)
    except ValueError:
        raise IngestError(f"column start_utc: {start_text[:40]!r} is not a time like 2026-10-18T07:12:00+00:00",
                          path=name, line=line) from None
    if start.tzinfo is None:
        raise IngestError(f"column start_utc: {start_text[:40]!r} has no UTC offset", path=name, line=line)
    try:
        sport = Sport(cell("sport").lower())
    except ValueError:
        raise IngestError(f"column sport: {cell('sport')[:40]!r} is not a sport runload knows", path=name,
                          line=line) from None
    offset = number("utc_offset_s")
    return Activity(
        start_utc=start.astimezone(timezone.utc), sport=sport, distance_m=(number("distance_km", required=True) or 0.0)
        * 1000.0, timer_s=number("moving_s"), elapsed_s=number("elapsed_s"),
        utc_offset_s=None if offset is None else int(offset), sub_sport=cell("sub_sport") or None,
        avg_hr_bpm=number("avg_hr_bpm"), max_hr_bpm=number("max_hr_bpm"), avg_cadence_spm=number("avg_cadence_spm"),
        elevation_gain_m=number("elevation_gain_m"), rpe=number("rpe"), gear=cell("shoe") or None,
        name=cell("name") or None, device=cell("device") or None, leg_index=index,
        # a copy of what runload stored: never richer than the watch's own file (runload.ingest.richness)
        distance_source="export",
    )
