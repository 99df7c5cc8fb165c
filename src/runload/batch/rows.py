"""Rows between a store and a dataset: the store's own columns, and its own row mapping.

A dataset table holds, per athlete, the rows of one store table with the store's columns (as
``PRAGMA table_info`` lists them, so a later migration's columns travel too) except the store's
local ``id``. Turning rows into plain data uses the store's mapping (:mod:`runload.store`), so an
activity read from a dataset is the activity the store would give.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from runload import bounds
from runload.calendar import with_zone_offset
from runload.models import Activity, Athlete, AthleteData, Clearance, PainEntry
from runload.store.rows import (
    ACTIVITY_COLUMNS,
    ATHLETE_COLUMNS,
    PAIN_FIELDS,
    activity_from_row,
    athlete_from_row,
    pain_from_row,
)

# dataset table -> store table
STORE_TABLES = {
    "athletes": "athletes",
    "pain": "pain_entries",
    "clearances": "pain_clearances",
    "files": "imported_files",
    "seen": "seen_files",
    "activities": "activities",
}
# how each store table's rows are ordered (the order the store reads them in)
_ORDER = {
    "athletes": "id",
    "pain_entries": "athlete_id, date, id",
    "pain_clearances": "athlete_id, date, id",
    "imported_files": "athlete_id, source_hash",
    "seen_files": "athlete_id, path",
    "activities": "athlete_id, start_utc, leg_index",
}


_LOCAL_COLUMNS = {"id", "import_id"}


def columns(conn: sqlite3.Connection, store_table: str) -> list[str]:
    """The store table's columns, without the store-local ``id`` and ``import_id`` (athletes
    keep their id: it is the athlete id)."""
    cols = [r[1] for r in conn.execute(f"PRAGMA table_info({store_table})")]
    # the store-local row id and import id (runload import list/undo) mean nothing in another store
    return cols if store_table == "athletes" else [c for c in cols if c not in _LOCAL_COLUMNS]


def select_rows(conn: sqlite3.Connection, store_table: str, athlete_ids: Iterable[str]) -> list[dict[str, Any]]:
    """Every row of ``store_table`` for ``athlete_ids``, in the store's order, as dicts."""
    ids = list(athlete_ids)
    if not ids:
        return []
    cols = columns(conn, store_table)
    key = "id" if store_table == "athletes" else "athlete_id"
    out: list[dict[str, Any]] = []
    for i in range(0, len(ids), 500):  # SQLite's limit on bound parameters
        chunk = ids[i:i + 500]
        sql = (f"SELECT {', '.join(cols)} FROM {store_table} WHERE {key} IN ({', '.join('?' * len(chunk))}) "
               f"ORDER BY {_ORDER[store_table]}")
        out.extend(dict(zip(cols, r)) for r in conn.execute(sql, chunk))
    return out


def insert_rows(conn: sqlite3.Connection, store_table: str, rows: Sequence[Mapping[str, Any]],
                *, ignore: bool = False) -> int:
    """Insert dataset rows into ``store_table`` (columns both know); returns how many went in."""
    if not rows:
        return 0
    cols = [c for c in columns(conn, store_table) if c in rows[0]]
    verb = "INSERT OR IGNORE" if ignore else "INSERT"
    sql = f"{verb} INTO {store_table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
    before = conn.total_changes
    conn.executemany(sql, [[r.get(c) for c in cols] for r in rows])
    return conn.total_changes - before


def athlete_of(row: Mapping[str, Any]) -> Athlete:
    return athlete_from_row([row.get(c) for c in ATHLETE_COLUMNS])


def activity_of(row: Mapping[str, Any]) -> Activity:
    return activity_from_row([row.get(c) for c in ACTIVITY_COLUMNS])


def pain_of(row: Mapping[str, Any]) -> PainEntry:
    return pain_from_row({c: row.get(c) for c in PAIN_FIELDS})


def clearance_of(row: Mapping[str, Any]) -> Clearance:
    return Clearance(date.fromisoformat(str(row["date"])), row.get("cleared_by") or "clinician", row.get("note") or "")


def athlete_data(athlete_row: Mapping[str, Any], activity_rows: Iterable[Mapping[str, Any]],
                 pain_rows: Iterable[Mapping[str, Any]], clearance_rows: Iterable[Mapping[str, Any]],
                 as_of: date) -> AthleteData:
    """One athlete's plain data from dataset rows, as :meth:`runload.store.Store.athlete_data`
    gives it: activities outside the physical bounds left out (``as_of`` is the clock for
    "tomorrow", never this machine's), oldest first; pain entries by date."""
    now = datetime.combine(as_of + timedelta(days=1), time(), tzinfo=timezone.utc)
    athlete = athlete_of(athlete_row)
    acts = []
    for r in activity_rows:
        # placed in local time as the store places it: the file's own offset, else the athlete's zone
        act = with_zone_offset(activity_of(r), athlete.timezone)
        if not bounds.EARLIEST_START_UTC < act.start_utc <= bounds.latest_start_utc(now):
            continue
        checked = bounds.check_activity(act, now=now, relabel=False)  # a sport a person set stands
        if checked.activity is not None:
            acts.append(act if not checked.notes else _keep_warnings(checked.activity, act))
    return AthleteData(athlete, tuple(acts), tuple(pain_of(r) for r in pain_rows),
                       tuple(clearance_of(r) for r in clearance_rows))


def _keep_warnings(checked: Activity, original: Activity) -> Activity:
    return replace(checked, warnings=original.warnings)
