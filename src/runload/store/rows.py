"""Rows of the store's tables to and from the dataclasses of :mod:`runload.models`.

A row arrives as SQLite gives it: a sequence of ``None``, ``int``, ``float`` or ``str``, typed by
the schema rather than by Python (``Row``). Each ``*_from_row`` reads the columns its
``*_COLUMNS`` list names, in that order; the batch dataset keeps the same columns and reads its
rows through these functions too (:mod:`runload.batch.rows`), so an activity read from a dataset
is the activity the store would give.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, fields
from functools import cache
from itertools import chain
from operator import attrgetter
from datetime import date, datetime, timezone
from typing import Any

from runload.models import Activity, Athlete, Clearance, Lap, PainEntry, PlannedRun, Shoe, Sport, made_from

# One row as sqlite3 returns it: its values' types are the schema's, which Python cannot see.
Row = Sequence[Any]


def utc_now() -> str:
    """Now, as the store writes a time it records (UTC, ISO, seconds)."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


# A UTC time as ``datetime.isoformat(timespec="milliseconds")`` writes it (the milliseconds
# truncated, as it truncates them), from its fields and tables of their digits: a quarter of the
# time isoformat takes (which asks the time zone for its offset and formats through sprintf).
_TWO_DIGITS = tuple(f"{i:02d}" for i in range(100))
_THREE_DIGITS = tuple(f"{i:03d}" for i in range(1000))


def iso(dt: datetime) -> str:
    """A time as the store keeps it: UTC, ISO, milliseconds (so text order is time order)."""
    if dt.tzinfo is timezone.utc:  # as every reader gives it: nothing to convert
        if type(dt) is datetime and dt.year >= 1000:  # (a subclass may write itself otherwise; a year of 4 digits)
            two = _TWO_DIGITS
            return (f"{dt.year}-{two[dt.month]}-{two[dt.day]}T{two[dt.hour]}:{two[dt.minute]}:{two[dt.second]}"
                    f".{_THREE_DIGITS[dt.microsecond // 1000]}+00:00")
        return dt.isoformat(timespec="milliseconds")
    if dt.tzinfo is None:
        raise ValueError("store times must be timezone-aware")
    return dt.astimezone(timezone.utc).isoformat(timespec="milliseconds")


def parse_iso(text: str) -> datetime:
    dt = datetime.fromisoformat(text)
    return dt if dt.tzinfo is timezone.utc else dt.astimezone(timezone.utc)  # the store writes UTC


# ---------------------------------------------------------------- athletes
ATHLETE_COLUMNS = [
    "id", "name", "email", "timezone", "sex", "birth_year",
    "hr_rest_bpm", "hr_max_bpm", "previous_injuries", "units",
]


def athlete_row(a: Athlete) -> dict[str, object]:
    row = {c: getattr(a, c) for c in ATHLETE_COLUMNS if c != "previous_injuries"}
    row["previous_injuries"] = json.dumps(list(a.previous_injuries))
    return row


def athlete_from_row(row: Row) -> Athlete:
    aid, name, email, tz, sex, birth_year, hr_rest, hr_max, injuries, units = row
    return Athlete(aid, name, email=email, timezone=tz, sex=sex, birth_year=birth_year, hr_rest_bpm=hr_rest,
                   hr_max_bpm=hr_max, previous_injuries=tuple(json.loads(injuries or "[]")), units=units)


# ---------------------------------------------------------------- activities
ACTIVITY_COLUMNS = [
    "id", "start_utc", "utc_offset_s", "sport", "sub_sport", "sport_inferred", "distance_m",
    "distance_source", "timer_s", "elapsed_s", "elevation_gain_m", "avg_hr_bpm", "max_hr_bpm",
    "avg_cadence_spm", "device", "name", "gear", "laps_json", "hr_zone_json", "warnings_json",
    "source_file", "source_hash", "leg_index", "rpe", "hr_bin_bpm", "import_id", "sport_corrected",
    "sub_sport_corrected", "distance_m_corrected", "gear_corrected", "rpe_corrected", "gear_assigned",
]
ACTIVITY_SELECT = ", ".join(ACTIVITY_COLUMNS)
# How far and how long a stored activity went at most, in SQL: its larger distance (recorded or
# corrected) and its longer time (timer or elapsed), 0 when none.
ACTIVITY_METRES = "MAX(COALESCE(distance_m, 0), COALESCE(distance_m_corrected, 0), 0)"
ACTIVITY_SECONDS = "MAX(COALESCE(timer_s, 0), COALESCE(elapsed_s, 0), 0)"
# Columns no assessment reads (the file's device and name, the import, the importer's warnings)
# and the laps (read only where hard effort is judged by lap pace): a read that leaves them out
# selects a constant in their place, so SQLite copies nothing and no JSON is decoded.
_DETAILS = {"device": "NULL", "source_file": "NULL", "import_id": "NULL", "warnings_json": "'[]'"}
_LAPS = {"laps_json": "'[]'"}
# What an assessment reads of an activity (with the laps, where it judges lap pace).
LOAD_COLUMNS = [c for c in ACTIVITY_COLUMNS if c not in _DETAILS and c not in _LAPS]


@cache
def activity_select(*, details: bool = True, laps: bool = True) -> str:
    """The select list of :data:`ACTIVITY_COLUMNS` (what :func:`activity_from_row` reads), the
    details no assessment reads and the laps left out unless asked for."""
    skip = {**({} if details else _DETAILS), **({} if laps else _LAPS)}
    return ", ".join(f"{skip[c]} AS {c}" if c in skip else c for c in ACTIVITY_COLUMNS)
# What `runload activity set` may correct: {field of Activity: column holding the correction}.
CORRECTABLE = {"sport": "sport_corrected", "sub_sport": "sub_sport_corrected",
               "distance_m": "distance_m_corrected", "gear": "gear_corrected", "rpe": "rpe_corrected"}
# Every column of the activities table, in order: what a replaced row keeps to be put back.
ALL_ACTIVITY_COLUMNS = [
    "id", "athlete_id", "start_utc", "end_utc", "utc_offset_s", "sport", "sub_sport", "sport_inferred",
    "distance_m", "distance_source", "timer_s", "elapsed_s", "elevation_gain_m", "avg_hr_bpm", "max_hr_bpm",
    "avg_cadence_spm", "device", "name", "gear", "laps_json", "hr_zone_json", "warnings_json", "source_file",
    "source_hash", "leg_index", "imported_utc", "rpe", "hr_bin_bpm", "import_id", "sport_corrected",
    "sub_sport_corrected", "distance_m_corrected", "gear_corrected", "rpe_corrected", "corrected_utc",
    "gear_assigned", "door_checked",
]


def lap_to_json(lap: Lap) -> dict[str, object]:
    # its fields in their order, copied at C speed (not dataclasses.asdict, which deep-copies
    # every value): an import stores thousands of laps
    d: dict[str, object] = dict(lap.__dict__)
    d["start_utc"] = iso(lap.start_utc) if lap.start_utc else None
    return d


# The text json.dumps writes for a lap's dict (lap_to_json), written directly: its numbers
# with repr (as json writes an int or a float), its start as iso() writes it, or null. The
# fields are named in the text below: a Lap with other fields is refused here, not written wrong.
_LAP_FIELDS = tuple(f.name for f in fields(Lap))
if _LAP_FIELDS != ("start_utc", "distance_m", "timer_s", "avg_hr_bpm", "max_hr_bpm", "avg_cadence_spm",
                   "avg_speed_mps"):
    raise RuntimeError("laps_json writes a Lap's fields by name: write the new ones too")
_LAP_VALUES = attrgetter(*_LAP_FIELDS)
_LAP_TYPES = {Lap}
_START_TYPES = {datetime, type(None)}
_JSON_NUMBERS = {float, int, type(None)}  # written by repr as json writes them (None as "None", made null)


def laps_json(laps: Sequence[Lap]) -> str:
    """The laps as the store keeps them: the JSON list of :func:`lap_to_json`, byte for byte as
    ``json.dumps`` writes it, written directly when every value is a plain finite number (or
    None) and every start a datetime or None, as readers give them: a quarter of the time."""
    if not laps:
        return "[]"
    values = list(map(_LAP_VALUES, laps))
    numbers = list(chain.from_iterable(values))
    starts = numbers[::7]
    del numbers[::7]  # each lap's six numbers, its start left out
    if (set(map(type, laps)) <= _LAP_TYPES and set(map(type, starts)) <= _START_TYPES
            and set(map(type, numbers)) <= _JSON_NUMBERS):
        text = "[" + ", ".join([
            ('{"start_utc": null' if s is None else f'{{"start_utc": "{iso(s)}"')
            + f', "distance_m": {d!r}, "timer_s": {t!r}, "avg_hr_bpm": {hr!r}, "max_hr_bpm": {top!r}, '
              f'"avg_cadence_spm": {cad!r}, "avg_speed_mps": {v!r}}}'
            for s, d, t, hr, top, cad, v in values]) + "]"
        if "nan" not in text and "inf" not in text:  # json writes NaN and Infinity: its way, below
            return text.replace("None", "null")  # no other word in the text: keys, times and numbers
    return json.dumps([lap_to_json(lap) for lap in laps])


def lap_from_json(d: dict[str, Any]) -> Lap:
    start = d.get("start_utc")
    return Lap(**{**d, "start_utc": parse_iso(str(start)) if start else None})


def zones_json(zones: dict[int, float]) -> str:
    if set(map(type, zones)) <= {int}:  # json writes an int key as its digits, as str() does
        return json.dumps(zones)
    return json.dumps({str(k): v for k, v in zones.items()})


def laps_from_json(text: str) -> tuple[Lap, ...]:
    """The laps of :func:`laps_json`'s text, as the store reads them."""
    return () if text == "[]" else tuple(lap_from_json(x) for x in json.loads(text))


def _zones(text: str) -> dict[int, float]:
    return {} if text == "{}" else {int(k): float(v) for k, v in json.loads(text).items()}


def _warnings(text: str) -> tuple[str, ...]:
    return () if text == "[]" else tuple(json.loads(text))


_SPORTS = {s.value: s for s in Sport}


_from_iso = datetime.fromisoformat
_UTC = timezone.utc


def activity_from_row(row: Row) -> Activity:
    """The activity of a row of :data:`ACTIVITY_COLUMNS`, a person's corrections applied (the
    recorded values they replace kept in ``corrections``) and the athlete's default shoe given
    to a run whose file named none."""
    (aid, start, offset, sport, sub_sport, inferred, distance, distance_source, timer, elapsed, gain, avg_hr,
     max_hr, cadence, device, name, gear, laps, zones, warnings, source_file, source_hash, leg, rpe, hr_bin,
     import_id, sport_c, sub_sport_c, distance_c, gear_c, rpe_c, gear_assigned) = row
    corrections: dict[str, object] = {}
    if sport_c is not None:
        corrections["sport"] = sport
        sport, inferred = sport_c, 0
    if sub_sport_c is not None:
        corrections["sub_sport"], sub_sport = sub_sport, sub_sport_c
    if distance_c is not None:
        corrections["distance_m"], distance = float(distance), distance_c
    if gear_c is not None:
        corrections["gear"], gear = gear, gear_c
    if rpe_c is not None:
        corrections["rpe"], rpe = rpe, rpe_c
    gear_default = gear_assigned is not None and gear is None
    start_utc = _from_iso(start)
    if start_utc.tzinfo is not _UTC:  # as parse_iso reads it (the store writes UTC)
        start_utc = start_utc.astimezone(_UTC)
    # made as the dataclass's own fields, in its order, without its ``__init__`` (which sets its
    # 30 fields one ``object.__setattr__`` at a time): the dict becomes the activity's own, not
    # copied into a new one (as unpickling does, growing it a few times over); either way was
    # most of the time a stored row takes to read
    return made_from(Activity, {
        "start_utc": start_utc, "sport": _SPORTS.get(sport) or Sport(sport), "distance_m": float(distance),
        "timer_s": timer, "elapsed_s": elapsed, "utc_offset_s": offset, "offset_recorded_utc": None,
        "sub_sport": sub_sport, "sport_inferred": bool(inferred), "elevation_gain_m": gain, "avg_hr_bpm": avg_hr,
        "max_hr_bpm": max_hr, "avg_cadence_spm": cadence, "device": device, "name": name,
        "gear": gear_assigned if gear_default else gear, "laps": () if laps == "[]" else laps_from_json(laps),
        "hr_zone_s": {} if zones == "{}" else _zones(zones), "hr_bin_bpm": int(hr_bin), "source_file": source_file,
        "source_hash": source_hash, "leg_index": int(leg), "distance_source": str(distance_source),
        "warnings": () if warnings == "[]" else _warnings(warnings), "rpe": rpe, "id": aid,
        "corrections": corrections, "gear_default": gear_default, "import_id": import_id})


# ---------------------------------------------------------------- pain entries
PAIN_FIELDS = [f.name for f in fields(PainEntry) if f.name != "id"]
PAIN_COLUMNS = ["id", *PAIN_FIELDS]
_PAIN_BOOLS = {f.name for f in fields(PainEntry) if f.type in ("bool", "bool | None")}


def pain_row(e: PainEntry) -> dict[str, object]:
    row: dict[str, object] = {}
    for name in PAIN_FIELDS:
        value = getattr(e, name)
        if isinstance(value, date):
            value = value.isoformat()
        elif isinstance(value, bool):
            value = int(value)
        row[name] = value
    return row


def pain_from_row(d: dict[str, Any]) -> PainEntry:
    """A pain entry from {column: value} (any of :data:`PAIN_COLUMNS`)."""
    out: dict[str, Any] = {}
    for key, value in d.items():
        if key == "date":
            value = date.fromisoformat(str(value))
        elif key in _PAIN_BOOLS and value is not None:
            value = bool(value)
        out[key] = value
    return PainEntry(**out)


# ---------------------------------------------------------------- clearances, plans, shoes
CLEARANCE_COLUMNS = ["id", "date", "cleared_by", "note"]


def clearance_from_row(row: Row) -> Clearance:
    i, day, by, note = row
    return Clearance(date.fromisoformat(day), by, note, int(i))


PLANNED_COLUMNS = ["date", "distance_km", "duration_min", "kind", "rpe", "notes"]


def planned_from_row(row: Row) -> PlannedRun | None:
    """A planned run, or None for a row dated on no day a plan can hold (left out, as pain
    entries are)."""
    d, km, dur, kind, rpe, notes = row
    try:
        day = date.fromisoformat(d)
    except (TypeError, ValueError):
        return None
    return PlannedRun(day, float(km), dur, kind, rpe, notes or "")


SHOE_COLUMNS = ["name", "start_km", "retire_km", "is_default", "retired_on"]


def shoe_from_row(row: Row) -> Shoe:
    name, start, retire, default, retired = row
    return Shoe(name, float(start), retire, bool(default), date.fromisoformat(retired) if retired else None)


# ---------------------------------------------------------------- the store's own records
IMPORT_COLUMNS = ["id", "athlete_id", "started_utc", "finished_utc", "paths_json", "files", "activities",
                  "duplicates", "skipped", "failed", "undone_utc"]


@dataclass(frozen=True)
class ImportRecord:
    """One import as recorded: when, what paths, what it counted at the time (files imported,
    activities stored, duplicates, files already known, failures), and what of it is in the
    store now (``stored_now`` activities, ``corrected_now`` of them corrected since, ``replaced``
    older copies it replaced)."""

    id: int
    athlete_id: str
    started_utc: str
    finished_utc: str | None
    paths: tuple[str, ...]
    files: int
    activities: int
    duplicates: int
    skipped: int
    failed: int
    undone_utc: str | None
    stored_now: int = 0
    corrected_now: int = 0
    replaced: int = 0


def import_from_row(row: Row, stored_now: int, corrected_now: int, replaced: int) -> ImportRecord:
    iid, athlete_id, started, finished, paths, files, acts, duplicates, skipped, failed, undone = row
    return ImportRecord(int(iid), str(athlete_id), str(started), finished, tuple(json.loads(paths)), int(files),
                        int(acts), int(duplicates), int(skipped), int(failed), undone, stored_now, corrected_now,
                        replaced)


@dataclass(frozen=True)
class UndoResult:
    """What undoing an import did."""

    import_id: int
    athlete_id: str
    removed: int  # activities taken out
    restored: int  # replaced copies put back
    files: int  # files no longer known (a later import reads them again)


@dataclass(frozen=True)
class Source:
    """A folder (or file) ``runload sync`` imports for an athlete, with its last sync (UTC, ISO)
    and what that sync did in words (None before the first)."""

    id: int
    athlete_id: str
    path: str
    added_utc: str
    last_sync_utc: str | None = None
    last_result: str | None = None


SOURCE_COLUMNS = ["id", "athlete_id", "path", "added_utc", "last_sync_utc", "last_result"]


def source_from_row(row: Row) -> Source:
    i, athlete_id, path, added, last, result = row
    return Source(int(i), str(athlete_id), str(path), str(added), last, result)
