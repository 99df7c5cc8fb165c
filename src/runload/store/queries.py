"""The store: one SQLite file holding athletes, activities, pain entries and what was sent.

:class:`Store` is the open file with its queries; :mod:`runload.store.schema` holds the schema
and its migrations, :mod:`runload.store.rows` the mapping of rows to the dataclasses.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from itertools import groupby
from operator import itemgetter

from runload import bounds
from runload.calendar import FIRST_DAY, with_zone_offset
from runload.errors import InputError, NotFoundError
from runload.models import HR_BIN_BPM, Activity, Athlete, AthleteData, Clearance, PainEntry, PlannedRun, Shoe, Sport
from runload.store.base import inserted_id, unknown_athlete
from runload.store.imports import Imports
from runload.store.rows import (
    ACTIVITY_COLUMNS,
    ALL_ACTIVITY_COLUMNS,
    ATHLETE_COLUMNS,
    CLEARANCE_COLUMNS,
    CORRECTABLE,
    PAIN_COLUMNS,
    PLANNED_COLUMNS,
    SHOE_COLUMNS,
    Row,
    activity_from_row,
    activity_select,
    athlete_from_row,
    athlete_row,
    clearance_from_row,
    iso,
    laps_json,
    pain_from_row,
    pain_row,
    planned_from_row,
    shoe_from_row,
    utc_now,
    zones_json,
)
from runload.store.sent_log import SentLog
from runload.store.sources import Sources

# (start, leg) of a row of :meth:`Store.activities` (door_checked, then ACTIVITY_COLUMNS)
_START_AND_LEG = itemgetter(1 + ACTIVITY_COLUMNS.index("start_utc"), 1 + ACTIVITY_COLUMNS.index("leg_index"))
# Athletes read by one query of :meth:`Store.athletes_data` (SQLite's limit on bound parameters
# is 999 in older versions)
_IDS_PER_QUERY = 500
# Start times within the bounds, in SQL: rows dated 9019 are never even read.
PLAUSIBLE_START = "start_utc > ? AND start_utc <= ?"


def plausible_start_args(now: datetime | None = None) -> tuple[str, str]:
    return iso(bounds.EARLIEST_START_UTC), iso(bounds.latest_start_utc(now))


def day_range(athlete_id: str, start: date | None, end: date | None) -> tuple[str, list[object]]:
    """The WHERE clause (and its arguments) for one athlete's rows dated ``start`` to ``end``
    (inclusive; either open)."""
    sql, args = "athlete_id = ?", [athlete_id]
    if start is not None:
        sql += " AND date >= ?"
        args.append(start.isoformat())
    if end is not None:
        sql += " AND date <= ?"
        args.append(end.isoformat())
    return sql, list(args)


def activities_of(rows: list[Row], tz: str, now: datetime) -> list[Activity]:
    """The activities of one athlete's ``rows`` (``door_checked``, then :data:`ACTIVITY_COLUMNS`;
    by start), as :meth:`Store.activities` gives them: the legs of a multisport file that start
    together put in order (a stable sort: rows tied on both keep the order SQLite gave, as its
    sorter kept it), placed in the athlete's zone ``tz`` where the file recorded no offset,
    and those outside the physical bounds at ``now`` left out."""
    rows.sort(key=_START_AND_LEG)
    out = []
    for row in rows:
        act = activity_from_row(row[1:])
        if act.utc_offset_s is None:
            act = with_zone_offset(act, tz)
        if row[0] and not act.corrections:  # as stored (door_checked), it passed the door: nothing to drop
            out.append(act)
            continue
        checked = bounds.check_activity(act, now=now, relabel=False)  # a sport a person set stands
        if checked.activity is not None:
            out.append(act if not checked.notes else replace(checked.activity, warnings=act.warnings))
    return out


def by_athlete(rows: Iterable[Row]) -> dict[str, list[Row]]:
    """{athlete id: their rows, the id left out} of rows whose first column is the athlete id
    (ordered by it)."""
    return {str(k): [r[1:] for r in group] for k, group in groupby(rows, key=itemgetter(0))}


class Store(Imports, Sources, SentLog):
    """An open runload store. Use :meth:`open` and close it (or use it as a context manager)."""

    # ---------------------------------------------------------------- athletes
    def add_athlete(self, athlete: Athlete) -> None:
        """Store a new athlete; an existing id is an :class:`InputError`."""
        row = athlete_row(athlete)
        try:
            with self.atomic() as conn:
                conn.execute(
                    f"INSERT INTO athletes ({', '.join(ATHLETE_COLUMNS)}, created_utc) "
                    f"VALUES ({', '.join('?' * len(ATHLETE_COLUMNS))}, ?)",
                    [row[c] for c in ATHLETE_COLUMNS] + [utc_now()],
                )
        except sqlite3.IntegrityError:
            raise InputError(f"athlete '{athlete.id}' already exists") from None

    def update_athlete(self, athlete: Athlete) -> None:
        """Replace the stored profile of ``athlete.id``."""
        self._require_athlete(athlete.id)
        row = athlete_row(athlete)
        cols = [c for c in ATHLETE_COLUMNS if c != "id"]
        with self.atomic() as conn:
            conn.execute(
                f"UPDATE athletes SET {', '.join(f'{c} = ?' for c in cols)} WHERE id = ?",
                [row[c] for c in cols] + [athlete.id],
            )

    def get_athlete(self, athlete_id: str) -> Athlete:
        """The athlete with this id, or :class:`NotFoundError`."""
        row = self.conn.execute(
            f"SELECT {', '.join(ATHLETE_COLUMNS)} FROM athletes WHERE id = ?", (athlete_id,)
        ).fetchone()
        if row is None:
            raise unknown_athlete(athlete_id)
        return athlete_from_row(row)

    def list_athletes(self) -> list[Athlete]:
        """Every athlete, by id."""
        rows = self.conn.execute(f"SELECT {', '.join(ATHLETE_COLUMNS)} FROM athletes ORDER BY id").fetchall()
        return [athlete_from_row(r) for r in rows]

    # ---------------------------------------------------------------- activities
    def known_files(self, athlete_id: str) -> dict[str, str]:
        """{content hash: file name} of every file already imported for this athlete."""
        rows = self.conn.execute("SELECT source_hash, source_file FROM imported_files WHERE athlete_id = ?",
                                 (athlete_id,))
        return {r[0]: r[1] for r in rows}

    def record_file(self, conn: sqlite3.Connection, athlete_id: str, source_hash: str, source_file: str,
                    outcome: str, detail: str | None = None, import_id: int | None = None) -> None:
        """Remember what an import did with one file (inside the caller's transaction)."""
        conn.execute(
            "INSERT OR REPLACE INTO imported_files (athlete_id, source_hash, source_file, outcome, detail, imported_utc,"
            " import_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (athlete_id, source_hash, source_file, outcome, detail, utc_now(), import_id),
        )

    def seen_files(self, athlete_id: str) -> dict[str, tuple[str, str | None, int]]:
        """{path or archive member key: (fingerprint, content hash or None for an archive, members)}."""
        rows = self.conn.execute("SELECT path, fingerprint, source_hash, members FROM seen_files WHERE athlete_id = ?",
                                 (athlete_id,))
        return {r[0]: (r[1], r[2], int(r[3])) for r in rows}

    def remember_seen(self, conn: sqlite3.Connection, athlete_id: str, path: str, fingerprint: str,
                      source_hash: str | None, members: int = 1, import_id: int | None = None) -> None:
        """Remember how a path looked when imported (inside the caller's transaction)."""
        conn.execute(
            "INSERT OR REPLACE INTO seen_files (athlete_id, path, fingerprint, source_hash, members, import_id)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (athlete_id, path, fingerprint, source_hash, members, import_id),
        )

    def forget_record(self, conn: sqlite3.Connection, athlete_id: str, key: str, source_hash: str | None) -> int:
        """Remove what one record of a synced service stored (its activities, its file and seen
        rows), inside the caller's transaction: the service deleted or edited it. Returns the
        number of activities removed. A copy of the run stored from a file is never touched."""
        removed = 0
        if source_hash is not None:
            removed = conn.execute("DELETE FROM activities WHERE athlete_id = ? AND source_hash = ?",
                                   (athlete_id, source_hash)).rowcount
            conn.execute("DELETE FROM imported_files WHERE athlete_id = ? AND source_hash = ?",
                         (athlete_id, source_hash))
        conn.execute("DELETE FROM seen_files WHERE athlete_id = ? AND path = ?", (athlete_id, key))
        return removed

    def get_activity(self, activity_id: int) -> tuple[str, Activity]:
        """(athlete id, activity) for a stored activity id, or :class:`NotFoundError`."""
        row = self.conn.execute(f"SELECT athlete_id, {activity_select()} FROM activities WHERE id = ?",
                                (activity_id,)).fetchone()
        if row is None:
            raise NotFoundError(f"no activity with id {activity_id} (see: runload activity list)")
        return str(row[0]), with_zone_offset(activity_from_row(row[1:]), self.athlete_timezone(str(row[0])))

    def athlete_timezone(self, athlete_id: str) -> str:
        """The athlete's time zone (UTC for an athlete not stored): it places activities whose
        file recorded no UTC offset (stored without one) on their local day."""
        row = self.conn.execute("SELECT timezone FROM athletes WHERE id = ?", (athlete_id,)).fetchone()
        return str(row[0]) if row and row[0] else "UTC"

    def correct_activity(self, activity_id: int, values: dict[str, object], clear: Sequence[str] = ()) -> Activity:
        """Correct fields of an activity (keys of :data:`CORRECTABLE`; ``distance_m`` in metres),
        kept beside the recorded values; ``clear`` drops corrections (back to what was recorded).
        The corrected activity must be within the physical bounds (:mod:`runload.bounds`), as an
        imported one is. Returns the activity as it now reads."""
        unknown = [k for k in [*values, *clear] if k not in CORRECTABLE]
        if unknown:
            raise ValueError(f"not a correctable field: {unknown[0]}")
        _athlete_id, before = self.get_activity(activity_id)
        sets: dict[str, object] = {CORRECTABLE[k]: None for k in clear}
        for key, value in values.items():
            sets[CORRECTABLE[key]] = value.value if isinstance(value, Sport) else value
        with self.atomic() as conn:
            conn.execute(f"UPDATE activities SET {', '.join(f'{c} = ?' for c in sets)} WHERE id = ?",
                         [*sets.values(), activity_id])
            _, after = self.get_activity(activity_id)
            # a person's word on the sport stands (as on reading); a distance they give must still
            # be one a person covers in that sport in that time
            checked = bounds.check_activity(after, relabel="distance_m" in values)
            problem = checked.problem
            if checked.activity is not None and checked.activity.sport is not after.sport:
                problem = "; ".join(checked.notes) or f"not plausible as {after.sport.value}"
            if problem is None and after.rpe is not None and not bounds.MIN_RPE <= after.rpe <= bounds.MAX_RPE:
                problem = f"a session RPE of {after.rpe:g} is outside the 0-10 scale"
            if problem:
                raise InputError(f"activity {activity_id} not corrected: {problem}")
            any_left = conn.execute(
                f"SELECT {' OR '.join(f'{c} IS NOT NULL' for c in CORRECTABLE.values())} FROM activities WHERE id = ?",
                (activity_id,)).fetchone()[0]
            conn.execute("UPDATE activities SET corrected_utc = ? WHERE id = ?",
                         (utc_now() if any_left else None, activity_id))
        del before
        return after

    def carry_corrections(self, conn: sqlite3.Connection, from_ids: Sequence[int], to_id: int) -> None:
        """A person's corrections of the copies ``from_ids`` carried to the richer copy ``to_id``
        that replaces them (inside the caller's transaction): a correction outlives a re-import."""
        cols = [*CORRECTABLE.values(), "corrected_utc"]
        for i in from_ids:
            row = conn.execute(f"SELECT {', '.join(cols)} FROM activities WHERE id = ? AND corrected_utc IS NOT NULL",
                               (i,)).fetchone()
            if row is not None:
                conn.execute(f"UPDATE activities SET {', '.join(f'{c} = ?' for c in cols)} WHERE id = ?", [*row, to_id])
                return

    def delete_activities(self, activity_ids: Sequence[int]) -> list[tuple[str, Activity]]:
        """Delete activities (all or none; an unknown id is :class:`NotFoundError`); returns what
        was deleted. Their files stay known, so a re-import does not bring them back."""
        gone = [self.get_activity(i) for i in activity_ids]
        with self.atomic() as conn:
            for i in activity_ids:
                self.delete_activity(conn, i)
        return gone

    def insert_activity(self, conn: sqlite3.Connection, athlete_id: str, activity: Activity,
                        import_id: int | None = None, *, checked: bool = False, laps_text: str | None = None) -> int:
        """Insert one activity inside the caller's transaction; returns its id. ``import_id`` is
        the import storing it (:meth:`start_import`), so the import can be undone.

        The store's door: an activity with any value outside the physical bounds is refused
        (:class:`InputError`); importers pass what :func:`runload.bounds.check_activity` kept,
        and say so with ``checked`` (the check is then not run a second time). A gear that is the
        athlete's default shoe (``gear_default``) is kept apart from the gear the file recorded.
        ``laps_text``: the laps as the store writes them (:func:`laps_json`), given with ``checked``
        by an importer that has them so (the activity then holds none; they passed the door's lap
        check, :func:`runload.bounds.laps_pass`), else the activity's own laps are written.
        """
        if laps_text is not None and not checked:
            raise ValueError("laps given as text pass the door's check first (checked=True)")
        if not checked and not bounds.within_bounds(activity):
            why = bounds.plausible_activity(activity) or "values outside physical bounds"
            raise InputError(f"activity not stored: {why}", path=activity.source_file)
        end = activity.start_utc.timestamp() + (activity.elapsed_s or activity.timer_s or 0.0)
        cur = conn.execute(
            """INSERT INTO activities (athlete_id, start_utc, end_utc, utc_offset_s, sport, sub_sport,
                   sport_inferred, distance_m, distance_source, timer_s, elapsed_s, elevation_gain_m,
                   avg_hr_bpm, max_hr_bpm, avg_cadence_spm, device, name, gear, laps_json, hr_zone_json,
                   warnings_json, source_file, source_hash, leg_index, imported_utc, rpe, hr_bin_bpm, import_id,
                   gear_assigned, door_checked)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)""",
            (
                athlete_id, iso(activity.start_utc),
                iso(datetime.fromtimestamp(end, timezone.utc)),
                activity.utc_offset_s, activity.sport.value, activity.sub_sport,
                int(activity.sport_inferred), float(activity.distance_m), activity.distance_source,
                activity.timer_s, activity.elapsed_s, activity.elevation_gain_m,
                activity.avg_hr_bpm, activity.max_hr_bpm, activity.avg_cadence_spm,
                activity.device, activity.name, None if activity.gear_default else activity.gear,
                laps_json(activity.laps) if laps_text is None else laps_text, zones_json(activity.hr_zone_s),
                json.dumps(list(activity.warnings)) if activity.warnings else "[]",
                activity.source_file, activity.source_hash, activity.leg_index, utc_now(),
                activity.rpe, activity.hr_bin_bpm, import_id, activity.gear if activity.gear_default else None,
            ),
        )
        return inserted_id(cur)

    def delete_activity(self, conn: sqlite3.Connection, activity_id: int, *, replaced_by: int | None = None) -> None:
        """Delete one activity inside the caller's transaction. ``replaced_by``: the import whose
        richer copy replaces it; the row is kept whole, so undoing that import puts it back."""
        if replaced_by is not None:
            row = conn.execute(f"SELECT {', '.join(ALL_ACTIVITY_COLUMNS)} FROM activities WHERE id = ?",
                               (activity_id,)).fetchone()
            if row is not None:
                d = dict(zip(ALL_ACTIVITY_COLUMNS, row))
                conn.execute(
                    "INSERT OR REPLACE INTO replaced_activities (import_id, activity_id, athlete_id, stored_by, "
                    "row_json, replaced_utc) VALUES (?, ?, ?, ?, ?, ?)",
                    (replaced_by, activity_id, d["athlete_id"], d["import_id"], json.dumps(d), utc_now()))
        conn.execute("DELETE FROM activities WHERE id = ?", (activity_id,))

    def activities(
        self,
        athlete_id: str,
        *,
        start_utc: datetime | None = None,
        end_utc: datetime | None = None,
        sports: Sequence[Sport] | None = None,
        started_from: datetime | None = None,
        details: bool = True,
        laps: bool = True,
        zone: str | None = None,
    ) -> list[Activity]:
        """The athlete's activities, oldest first, optionally those overlapping [start, end).

        ``started_from`` also leaves out those that started before it: with the longest stored
        activity's duration subtracted from ``start_utc``, it keeps the same rows while the index
        on start times bounds the search to the window instead of every older activity.

        Rows outside the physical bounds (an older runload stored a start in 9019 or an infinite
        distance) are left out, and their impossible values dropped: see
        :func:`runload.bounds.check_activity`. The sport is left as stored: a person may have
        set it (``runload activity set``), and their word stands. A row stored through the door
        (``door_checked``, schema 10) and not corrected since is taken as it is: the door ran the
        same check.

        ``details=False`` leaves out what no assessment reads (the device, the source file, the
        import and the importer's warnings), ``laps=False`` the laps: they read as empty.
        ``zone`` is the athlete's time zone when the caller already holds it (an import asks once
        for the hundreds of searches it makes), else it is read from the store.
        """
        now = datetime.now(timezone.utc)
        sql = (f"SELECT door_checked, {activity_select(details=details, laps=laps)} FROM activities "
               f"WHERE athlete_id = ? AND {PLAUSIBLE_START}")
        args: list[object] = [athlete_id, *plausible_start_args(now)]
        if started_from is not None:
            sql += " AND start_utc >= ?"
            args.append(iso(started_from))
        if start_utc is not None:
            sql += " AND end_utc >= ?"
            args.append(iso(start_utc))
        if end_utc is not None:
            sql += " AND start_utc < ?"
            args.append(iso(end_utc))
        if sports:
            sql += f" AND coalesce(sport_corrected, sport) IN ({', '.join('?' * len(sports))})"
            args.extend(s.value for s in sports)
        # the index's order, so SQLite copies no row into a sorter; the legs of a multisport
        # file that start together are put in order here (a stable sort: rows tied on both
        # keep the index's order, as SQLite's sorter kept it)
        sql += " ORDER BY start_utc"
        tz = zone if zone is not None else self.athlete_timezone(athlete_id)
        return activities_of(self.conn.execute(sql, args).fetchall(), tz, now)

    def coarse_hr_files(self, athlete_id: str) -> set[str]:
        """Content hashes of imported files whose activities hold heart rate in the 5-bpm bins of a
        runload before schema 6: importing such a file again re-reads its heart rate at 1 bpm."""
        rows = self.conn.execute("SELECT DISTINCT source_hash FROM activities WHERE athlete_id = ? AND hr_bin_bpm != ?"
                                 " AND hr_zone_json != '{}' AND source_hash IS NOT NULL", (athlete_id, HR_BIN_BPM))
        return {r[0] for r in rows}

    def set_heart_rate_bins(self, conn: sqlite3.Connection, athlete_id: str, source_hash: str, leg_index: int,
                            activity: Activity) -> int:
        """Replace the heart-rate bins of the stored activity read from the file ``source_hash``
        (leg ``leg_index``) with ``activity``'s, nothing else (a sport set by hand stays); inside
        the caller's transaction. Returns the number of rows changed (0 or 1)."""
        if not bounds.within_bounds(activity):
            raise InputError("heart rate not stored: values outside physical bounds", path=activity.source_file)
        cur = conn.execute("UPDATE activities SET hr_zone_json = ?, hr_bin_bpm = ? WHERE athlete_id = ? AND "
                           "source_hash = ? AND leg_index = ?",
                           (zones_json(activity.hr_zone_s), activity.hr_bin_bpm,
                            athlete_id, source_hash, leg_index))
        return int(cur.rowcount)

    def longest_activity_s(self, athlete_id: str) -> float:
        """The duration in seconds of the athlete's longest stored activity (0 when none)."""
        row = self.conn.execute(
            "SELECT max(julianday(end_utc) - julianday(start_utc)) FROM activities WHERE athlete_id = ?",
            (athlete_id,)).fetchone()
        return float(row[0] or 0.0) * 86400.0

    def activity_count(self, athlete_id: str) -> int:
        return int(self.conn.execute("SELECT count(*) FROM activities WHERE athlete_id = ?", (athlete_id,)).fetchone()[0])

    # ---------------------------------------------------------------- shoes
    def add_shoe(self, athlete_id: str, shoe: Shoe) -> None:
        """Store a new pair of shoes (a name already there is an :class:`InputError`); a default
        shoe takes over from the athlete's previous default."""
        self._require_athlete(athlete_id)
        try:
            with self.atomic() as conn:
                if shoe.default:
                    conn.execute("UPDATE shoes SET is_default = 0 WHERE athlete_id = ?", (athlete_id,))
                conn.execute("INSERT INTO shoes (athlete_id, name, start_km, retire_km, is_default, retired_on, "
                             "created_utc) VALUES (?, ?, ?, ?, ?, ?, ?)",
                             (athlete_id, shoe.name, shoe.start_km, shoe.retire_km, int(shoe.default),
                              shoe.retired_on.isoformat() if shoe.retired_on else None, utc_now()))
        except sqlite3.IntegrityError:
            raise InputError(f"'{athlete_id}' already has a shoe named '{shoe.name}' (see: runload shoe list "
                             f"--athlete {athlete_id})") from None

    def shoes(self, athlete_id: str) -> list[Shoe]:
        """The athlete's shoes, by name."""
        rows = self.conn.execute(f"SELECT {', '.join(SHOE_COLUMNS)} FROM shoes WHERE athlete_id = ? ORDER BY name",
                                 (athlete_id,)).fetchall()
        return [shoe_from_row(r) for r in rows]

    def get_shoe(self, athlete_id: str, name: str) -> Shoe:
        for shoe in self.shoes(athlete_id):
            if shoe.name == name:
                return shoe
        raise NotFoundError(f"'{athlete_id}' has no shoe named '{name}' (see: runload shoe list --athlete {athlete_id})")

    def default_shoe(self, athlete_id: str) -> str | None:
        """The name of the athlete's default shoe (new runs whose file names none get it)."""
        row = self.conn.execute("SELECT name FROM shoes WHERE athlete_id = ? AND is_default = 1", (athlete_id,)).fetchone()
        return row[0] if row else None

    def set_default_shoe(self, athlete_id: str, name: str) -> None:
        shoe = self.get_shoe(athlete_id, name)
        if shoe.retired_on is not None:
            raise InputError(f"shoe '{name}' was retired on {shoe.retired_on}: a retired shoe cannot be the default")
        with self.atomic() as conn:
            conn.execute("UPDATE shoes SET is_default = (name = ?) WHERE athlete_id = ?", (name, athlete_id))

    def retire_shoe(self, athlete_id: str, name: str, on: date) -> None:
        """Put a shoe away on ``on`` (it is no longer the default; its runs keep its name)."""
        self.get_shoe(athlete_id, name)
        with self.atomic() as conn:
            conn.execute("UPDATE shoes SET retired_on = ?, is_default = 0 WHERE athlete_id = ? AND name = ?",
                         (on.isoformat(), athlete_id, name))

    def gear_names(self, athlete_id: str) -> set[str]:
        """Every gear name the athlete's activities carry (recorded, corrected or default)."""
        rows = self.conn.execute(
            "SELECT DISTINCT coalesce(gear_corrected, gear, gear_assigned) FROM activities WHERE athlete_id = ?",
            (athlete_id,))
        return {r[0] for r in rows if r[0]}

    # ---------------------------------------------------------------- deleting an athlete
    def delete_athlete(self, athlete_id: str) -> dict[str, int]:
        """Delete an athlete and everything stored about them (activities, pain entries and
        clearances, planned runs, shoes, imports, seen and imported files, coach links and the
        sent-log of their weekly summaries); returns how many rows of each went."""
        athlete = self.get_athlete(athlete_id)
        counts: dict[str, int] = {}
        with self.atomic() as conn:
            for table in ("activities", "pain_entries", "pain_clearances", "planned_runs", "shoes", "imports",
                          "replaced_activities", "imported_files", "seen_files", "coach_athletes"):
                counts[table] = conn.execute(f"DELETE FROM {table} WHERE athlete_id = ?", (athlete_id,)).rowcount
            counts["sent_log"] = conn.execute("DELETE FROM sent_log WHERE subject_kind = 'athlete' AND subject_id = ?",
                                              (athlete_id,)).rowcount
            if athlete.email:
                # a roster is about its coach, not this athlete: only mails to the athlete go
                counts["sent_log"] += conn.execute(
                    "DELETE FROM sent_log WHERE recipient = ? AND subject_kind = 'athlete'",
                    (athlete.email.lower(),)).rowcount
            conn.execute("DELETE FROM athletes WHERE id = ?", (athlete_id,))
        return counts

    # ---------------------------------------------------------------- pain entries
    def add_pain_entries(self, athlete_id: str, entries: Sequence[PainEntry], source: str | None = None) -> list[int]:
        """Store pain entries together (all or none); returns their ids."""
        self._require_athlete(athlete_id)
        ids = []
        with self.atomic() as conn:
            for entry in entries:
                ids.append(self.insert_pain_entry(conn, athlete_id, entry, source))
        return ids

    def insert_pain_entry(self, conn: sqlite3.Connection, athlete_id: str, entry: PainEntry, source: str | None = None) -> int:
        """Insert one pain entry inside the caller's transaction."""
        row = pain_row(entry)
        cols = list(row)
        cur = conn.execute(
            f"INSERT INTO pain_entries (athlete_id, {', '.join(cols)}, source, created_utc) "
            f"VALUES (?, {', '.join('?' * len(cols))}, ?, ?)",
            [athlete_id, *row.values(), source, utc_now()],
        )
        return inserted_id(cur)

    def pain_entries(self, athlete_id: str, *, start: date | None = None, end: date | None = None) -> list[PainEntry]:
        """The athlete's pain entries, oldest first, optionally only those dated start..end
        (both included)."""
        where, args = day_range(athlete_id, start, end)
        rows = self.conn.execute(f"SELECT {', '.join(PAIN_COLUMNS)} FROM pain_entries WHERE {where} ORDER BY date, id",
                                 args).fetchall()
        return [pain_from_row(dict(zip(PAIN_COLUMNS, r))) for r in rows]

    def get_pain_entry(self, entry_id: int) -> tuple[str, PainEntry]:
        """(athlete id, entry) for one stored pain entry, or :class:`NotFoundError`."""
        row = self.conn.execute(
            f"SELECT athlete_id, {', '.join(PAIN_COLUMNS)} FROM pain_entries WHERE id = ?", (entry_id,)
        ).fetchone()
        if row is None:
            raise NotFoundError(f"no pain entry with id {entry_id} (see: runload pain list)")
        return str(row[0]), pain_from_row(dict(zip(PAIN_COLUMNS, row[1:])))

    def update_pain_entry(self, entry_id: int, entry: PainEntry) -> None:
        """Replace the stored fields of pain entry ``entry_id`` with ``entry``'s."""
        self.get_pain_entry(entry_id)
        row = pain_row(entry)
        with self.atomic() as conn:
            conn.execute(
                f"UPDATE pain_entries SET {', '.join(f'{c} = ?' for c in row)} WHERE id = ?",
                [*row.values(), entry_id],
            )

    def delete_pain_entry(self, entry_id: int) -> PainEntry:
        """Delete one pain entry; returns what was deleted."""
        _athlete_id, entry = self.get_pain_entry(entry_id)
        with self.atomic() as conn:
            conn.execute("DELETE FROM pain_entries WHERE id = ?", (entry_id,))
        return entry

    # ---------------------------------------------------------------- red-flag clearances
    def add_clearance(self, athlete_id: str, clearance: Clearance) -> int:
        """Store a clearance of the athlete's red flags; returns its id."""
        self._require_athlete(athlete_id)
        with self.atomic() as conn:
            cur = conn.execute(
                "INSERT INTO pain_clearances (athlete_id, date, cleared_by, note, created_utc) VALUES (?, ?, ?, ?, ?)",
                (athlete_id, clearance.date.isoformat(), clearance.by, clearance.note, utc_now()))
        return inserted_id(cur)

    def clearances(self, athlete_id: str) -> list[Clearance]:
        """The athlete's red-flag clearances, oldest first."""
        rows = self.conn.execute(
            f"SELECT {', '.join(CLEARANCE_COLUMNS)} FROM pain_clearances WHERE athlete_id = ? ORDER BY date, id",
            (athlete_id,)).fetchall()
        return [clearance_from_row(r) for r in rows]

    # ---------------------------------------------------------------- everything about one athlete
    def athlete_data(self, athlete_id: str, *, activities: Sequence[Activity] | None = None,
                     laps: bool = True) -> AthleteData:
        """The athlete's profile, activities, pain entries and clearances, read once, as plain
        data for :func:`runload.assess.assess`: of each activity what an assessment reads (no
        file details; the laps only with ``laps``). ``activities``: the athlete's activities
        already read (the web app keeps them while only the pain log changes; reading a year of
        them is most of this call)."""
        return self.athletes_data([athlete_id], laps=laps, activities=activities)[athlete_id]

    def athletes_data(self, athlete_ids: Sequence[str], *, laps: bool = True,
                      activities: Sequence[Activity] | None = None) -> dict[str, AthleteData]:
        """{athlete id: :meth:`athlete_data`} of ``athlete_ids``, each table read in one query for
        a few hundred of them (a roster's worker reads its athletes a block at a time,
        :class:`runload.store.read_ahead.ReadAhead`). An unknown id is a :class:`NotFoundError`.
        ``activities``: of a single athlete, already read."""
        if activities is not None and len(athlete_ids) != 1:
            raise ValueError("activities already read are one athlete's")
        now = datetime.now(timezone.utc)
        # an entry an older runload stored outside the days a log can hold (0001-01-01, 9999-12-31)
        # is left out of the assessment; `runload pain list` still shows it, to edit or delete
        days = [FIRST_DAY.isoformat(), (now.date() + timedelta(days=1)).isoformat()]
        out: dict[str, AthleteData] = {}
        for i in range(0, len(athlete_ids), _IDS_PER_QUERY):
            ids = list(athlete_ids[i:i + _IDS_PER_QUERY])
            among = f"IN ({', '.join('?' * len(ids))})"
            athletes = {a.id: a for a in map(athlete_from_row, self.conn.execute(
                f"SELECT {', '.join(ATHLETE_COLUMNS)} FROM athletes WHERE id {among}", ids))}
            for athlete_id in ids:
                if athlete_id not in athletes:
                    raise unknown_athlete(athlete_id)

            def rows(sql: str, *args: object, among: str = among, ids: list[str] = ids) -> dict[str, list[Row]]:
                return by_athlete(self.conn.execute(sql.format(among=among), [*ids, *args]))

            pain = rows(f"SELECT athlete_id, {', '.join(PAIN_COLUMNS)} FROM pain_entries WHERE athlete_id {{among}} "
                        "AND date >= ? AND date <= ? ORDER BY athlete_id, date, id", *days)
            cleared = rows(f"SELECT athlete_id, {', '.join(CLEARANCE_COLUMNS)} FROM pain_clearances "
                           "WHERE athlete_id {among} ORDER BY athlete_id, date, id")
            planned = rows(f"SELECT athlete_id, {', '.join(PLANNED_COLUMNS)} FROM planned_runs "
                           "WHERE athlete_id {among} ORDER BY athlete_id, date, seq")
            shoes = rows(f"SELECT athlete_id, {', '.join(SHOE_COLUMNS)} FROM shoes WHERE athlete_id {{among}} "
                         "ORDER BY athlete_id, name")
            acts = {} if activities is not None else rows(
                f"SELECT athlete_id, door_checked, {activity_select(details=False, laps=laps)} FROM activities "
                f"WHERE athlete_id {{among}} AND {PLAUSIBLE_START} ORDER BY athlete_id, start_utc",
                *plausible_start_args(now))
            for athlete_id in ids:
                athlete = athletes[athlete_id]
                out[athlete_id] = AthleteData(
                    athlete,
                    tuple(activities) if activities is not None else tuple(
                        activities_of(acts.get(athlete_id, []), athlete.timezone or "UTC", now)),
                    tuple(pain_from_row(dict(zip(PAIN_COLUMNS, r))) for r in pain.get(athlete_id, ())),
                    tuple(map(clearance_from_row, cleared.get(athlete_id, ()))),
                    planned=tuple(p for p in map(planned_from_row, planned.get(athlete_id, ())) if p is not None),
                    shoes=tuple(map(shoe_from_row, shoes.get(athlete_id, ()))))
        return out

    # ---------------------------------------------------------------- plans
    def set_plan(self, athlete_id: str, runs: Sequence[PlannedRun]) -> int:
        """Store a plan: the planned sessions replace those stored for the days from the plan's
        first to its last day (a plan for next week leaves the week after alone). Returns how
        many stored sessions were replaced."""
        self._require_athlete(athlete_id)
        if not runs:
            return 0
        first, last = min(p.date for p in runs), max(p.date for p in runs)
        with self.atomic() as conn:
            cur = conn.execute("DELETE FROM planned_runs WHERE athlete_id = ? AND date BETWEEN ? AND ?",
                               (athlete_id, first.isoformat(), last.isoformat()))
            replaced = cur.rowcount
            seq: dict[date, int] = {}
            for p in runs:
                n = seq[p.date] = seq.get(p.date, -1) + 1
                conn.execute("INSERT INTO planned_runs (athlete_id, date, seq, distance_km, duration_min, kind, rpe, "
                             "notes, created_utc) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                             (athlete_id, p.date.isoformat(), n, float(p.distance_km), p.duration_min, p.kind, p.rpe,
                              p.notes, utc_now()))
        return replaced

    def planned_runs(self, athlete_id: str, *, start: date | None = None, end: date | None = None
                     ) -> list[PlannedRun]:
        """The athlete's stored plan, by day (optionally from ``start`` to ``end``, inclusive)."""
        where, args = day_range(athlete_id, start, end)
        sql = f"SELECT {', '.join(PLANNED_COLUMNS)} FROM planned_runs WHERE {where} ORDER BY date, seq"
        return [p for p in map(planned_from_row, self.conn.execute(sql, args)) if p is not None]

    def clear_plan(self, athlete_id: str, *, start: date | None = None, end: date | None = None) -> int:
        """Remove the athlete's stored plan (or its days from ``start`` to ``end``); returns how
        many sessions were removed."""
        self._require_athlete(athlete_id)
        where, args = day_range(athlete_id, start, end)
        with self.atomic() as conn:
            return conn.execute(f"DELETE FROM planned_runs WHERE {where}", args).rowcount

    # ---------------------------------------------------------------- coaches
    def add_coach(self, coach_id: str, email: str, name: str | None, athlete_ids: Sequence[str]) -> None:
        """Store a coach (or update their email and name) and add athletes to their roster."""
        for a in athlete_ids:
            self._require_athlete(a)
        with self.atomic() as conn:
            conn.execute(
                "INSERT INTO coaches (id, name, email) VALUES (?, ?, ?) "
                "ON CONFLICT(id) DO UPDATE SET email = excluded.email, name = coalesce(excluded.name, name)",
                (coach_id, name, email),
            )
            for a in athlete_ids:
                conn.execute("INSERT OR IGNORE INTO coach_athletes (coach_id, athlete_id) VALUES (?, ?)", (coach_id, a))

    def unfollow(self, coach_id: str, athlete_id: str) -> None:
        """Take an athlete off a coach's roster (both stay)."""
        with self.atomic() as conn:
            if not conn.execute("SELECT 1 FROM coaches WHERE id = ?", (coach_id,)).fetchone():
                raise NotFoundError(f"unknown coach '{coach_id}' (see: runload coach list)")
            if conn.execute("DELETE FROM coach_athletes WHERE coach_id = ? AND athlete_id = ?",
                            (coach_id, athlete_id)).rowcount == 0:
                raise NotFoundError(f"coach '{coach_id}' does not follow '{athlete_id}' (see: runload coach list)")

    def remove_coach(self, coach_id: str) -> None:
        """Delete a coach and their roster links (the athletes stay)."""
        with self.atomic() as conn:
            if conn.execute("DELETE FROM coaches WHERE id = ?", (coach_id,)).rowcount == 0:
                raise NotFoundError(f"unknown coach '{coach_id}' (see: runload coach list)")

    def coaches(self) -> list[tuple[str, str | None, str, list[str]]]:
        """Every coach as (id, name, email, athlete ids)."""
        out = []
        for cid, name, email in self.conn.execute("SELECT id, name, email FROM coaches ORDER BY id").fetchall():
            ids = [r[0] for r in self.conn.execute(
                "SELECT athlete_id FROM coach_athletes WHERE coach_id = ? ORDER BY athlete_id", (cid,))]
            out.append((cid, name, email, ids))
        return out

