"""Storing what the workers read, in this process alone: each file's activities pass the physical
bounds (:func:`runload.bounds.check_activity`, once per activity), are joined to Strava's CSV
row, deduplicated against what is stored (the richer copy of a run kept) and checked as whole days
and weeks, inside a savepoint per file: a file lands whole or not at all. Files are committed in
batches of :data:`COMMIT_EVERY_S`.
"""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from runload import bounds
from runload.errors import InputError
from runload.ingest.values import sport_from_name
from runload.ingest.dedupe import decide, search_window, within_file
from runload.ingest.pool import Item, Parsed
from runload.ingest.stravacsv import STRAVA_SUB, StravaMeta
from runload.ingest.summary import ImportSummary
from runload.ingest.walk import Source, Unreadable
from runload.models import Activity, Sport, made_from
from runload.store import Store, StoredStarts
from runload.store.rows import laps_from_json

COMMIT_EVERY_S = 2.0  # files are committed in batches; each file is still whole or absent
# A bound on the runs around a file this far under a day's or a week's limit is under it whatever
# the order its values are added in.
_SURELY_UNDER = 0.999


@dataclass
class Container:
    """An archive being imported: how many of its files were handled, and whether one failed."""

    fingerprint: str
    label: str
    parents: tuple[str, ...]
    members: int = 0
    failed: bool = False


def count(containers: dict[str, Container], keys: tuple[str, ...]) -> None:
    for key in keys:
        if key in containers:
            containers[key].members += 1


def fail(summary: ImportSummary, containers: dict[str, Container], name: str, reason: str,
          keys: tuple[str, ...]) -> None:
    summary.failed.append({"file": name, "reason": reason})
    for c in containers.values():
        if name == c.label or name.startswith(c.label + "!"):
            c.failed = True
    for key in keys:
        if key in containers:
            containers[key].failed = True


class _Refused(Exception):
    """A file's activity is outside the physical bounds: the file fails, nothing of it stored."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Writer:
    """Stores parsed files: one savepoint per file inside batched transactions."""

    def __init__(self, store: Store, athlete_id: str, tz: ZoneInfo, summary: ImportSummary, known: dict[str, str],
                 containers: dict[str, Container], refresh: set[str] | None = None) -> None:
        self.store, self.athlete_id, self.tz, self.summary = store, athlete_id, tz, summary
        self.known, self.containers = known, containers
        self.refresh = set(refresh or ())  # stored files whose heart rate is re-read (5-bpm bins)
        self.this_run: set[str] = set()  # content hashes first stored by this import
        self.conn = store.conn
        self.last_commit = time.monotonic()
        self.longest_s = store.longest_activity_s(athlete_id)  # bounds the duplicate search
        self.import_id = summary.import_id  # kept on every row this import stores or replaces
        self.default_shoe = store.default_shoe(athlete_id)  # for runs whose file names no gear
        self.zone = store.athlete_timezone(athlete_id)  # places the stored runs it searches, read once
        # the stored start times, read when a transaction begins: a run with none in its search
        # window has no stored copy, and is not searched for (None: search every run)
        self.starts: StoredStarts | None = None

    def begin(self) -> None:
        if not self.store.in_transaction:
            self.store.begin()
            # Another import into this store may have committed files since ours started: with
            # the write lock held, what the store knows now is exact until our commit.
            for digest, name in self.store.known_files(self.athlete_id).items():
                if digest not in self.refresh:  # still to be read again for its heart rate
                    self.known.setdefault(digest, name)
            self.longest_s = max(self.longest_s, self.store.longest_activity_s(self.athlete_id))
            self.starts = StoredStarts(self.conn, self.athlete_id)

    def commit(self) -> None:
        self.starts = None  # exact only inside the transaction that read it
        self.store.commit()
        self.last_commit = time.monotonic()

    def handle(self, item: Item, parsed: Parsed) -> None:
        if isinstance(item, Unreadable):
            if item.notice:
                self.summary.warnings.append({"file": item.name, "warning": item.reason})
            else:
                fail(self.summary, self.containers, item.name, item.reason, ())
            return
        src = item
        if parsed.notice is not None:
            count(self.containers, src.containers)
            self.summary.warnings.append({"file": src.name, "warning": parsed.notice})
            return
        if parsed.error is not None or parsed.digest is None:
            fail(self.summary, self.containers, src.name, parsed.error or "could not be read", src.containers)
            return
        self.begin()
        try:
            with self.store.atomic():  # a savepoint: the file lands whole or not at all
                if parsed.digest in self.this_run:
                    # the same bytes twice in one import (a copy, a .gz of the file): one is a duplicate
                    self.summary.duplicates.append({"file": src.name, "kept": self.known[parsed.digest],
                                                    "replaced": ""})
                elif parsed.activities is not None and parsed.digest in self.refresh:
                    self._refresh_heart_rate(src, parsed)
                elif parsed.activities is None or parsed.digest in self.known:
                    self.summary.skipped += 1  # content imported before (from this or another path)
                else:
                    ready = self._checked(parsed.activities, parsed.laps_texts(), src, parsed)
                    self._store_file(src.name, parsed.digest, ready)
                    self.known[parsed.digest] = src.name
                    self.this_run.add(parsed.digest)
                self.store.remember_seen(self.conn, self.athlete_id, src.key, src.fingerprint, parsed.digest,
                                         import_id=self.import_id)
        except _Refused as refused:
            fail(self.summary, self.containers, src.name, refused.reason, src.containers)
            return
        except (InputError, OverflowError, ValueError, sqlite3.IntegrityError):
            # cannot happen once the bounds are checked; if a value still slips through, that file
            # fails and the import goes on (a store that cannot be written still stops it)
            fail(self.summary, self.containers, src.name, "could not be stored: a value in it is out of range",
                  src.containers)
            return
        count(self.containers, src.containers)
        if time.monotonic() - self.last_commit > COMMIT_EVERY_S:
            self.commit()

    def _checked(self, parsed_acts: list[Activity], laps_texts: tuple[str | None, ...], src: Source,
                 parsed: Parsed) -> list[Ready]:
        """The file's activities as stored: Strava's CSV joined, then each checked against the
        physical bounds (the store's door); one activity outside them refuses the whole file.
        Laps that came as the store's text (``laps_texts``) passed the door's lap check in the
        worker that read them (:func:`runload.bounds.laps_pass`); their activity holds none."""
        out: list[Ready] = []
        acts = apply_meta(parsed_acts, src.meta)
        for a, laps_text in zip(acts, laps_texts, strict=True):
            if parsed.notes:
                a = replace(a, warnings=(*a.warnings, *parsed.notes))
            checked = bounds.check_activity(a)
            if checked.activity is None and a.distance_source == "strava":
                # a row of Strava's list of activities is a record of its own: it alone is refused
                self.summary.warnings.append({"file": src.name,
                                              "warning": f"{_row_label(a)}: {checked.problem}; not imported"})
                continue
            if checked.activity is None:
                leg = f"leg {a.leg_index + 1} of {len(acts)}: " if len(acts) > 1 else ""
                raise _Refused(f"{leg}{checked.problem}; not imported")
            out.append((self._complete(checked.activity, src, parsed.digest or ""), laps_text))
        return out

    def _refresh_heart_rate(self, src: Source, parsed: Parsed) -> None:
        """A file stored by an older runload with 5-bpm heart-rate bins: its heart rate is stored
        again at 1 bpm (exact TRIMP and zones); the rest of what is stored stays as it is."""
        digest = parsed.digest or ""
        for a in parsed.activities or []:
            checked = bounds.check_activity(a)
            if checked.activity is not None:
                self.store.set_heart_rate_bins(self.conn, self.athlete_id, digest, a.leg_index, checked.activity)
        self.refresh.discard(digest)
        self.known[digest] = src.name
        self.this_run.add(digest)
        self.summary.skipped += 1
        self.summary.refreshed += 1

    def finish_containers(self) -> None:
        """Remember archives whose every member was handled without failure."""
        failed = {k for k, c in self.containers.items() if c.failed}
        # an archive with nothing in it is not remembered: it is said again ("no activity files")
        ok = [(k, c) for k, c in self.containers.items()
              if k not in failed and not any(p in failed for p in c.parents) and c.members]
        if not ok:
            return
        self.begin()
        for key, c in ok:
            self.store.remember_seen(self.conn, self.athlete_id, key, c.fingerprint, None, c.members,
                                     import_id=self.import_id)

    def _complete(self, a: Activity, src: Source, digest: str) -> Activity:
        """The activity as stored: its file, the offset of its start and the default shoe (one copy made)."""
        default = a.gear is None and bool(self.default_shoe) and a.is_run
        source_file = bounds.clean_text(src.stored_name or src.name, bounds.MAX_PATH_CHARS)
        # the offset the file records (carried back to the start across a DST change), or none:
        # then the athlete's zone at the start places it when read (calendar.with_zone_offset)
        offset = local_offset(a, self.tz) if a.utc_offset_s is not None else None
        gear, gear_default = self.default_shoe if default else a.gear, default or a.gear_default
        if type(a) is not Activity:
            return replace(a, source_hash=digest, source_file=source_file, utc_offset_s=offset, gear=gear,
                           gear_default=gear_default)
        # the copy dataclasses.replace makes, its fields given as one dict (not set one at a time
        # by the frozen dataclass's __init__, after replace has read each of them)
        return made_from(Activity, {**a.__dict__, "source_hash": digest, "source_file": source_file,
                                    "utc_offset_s": offset, "gear": gear, "gear_default": gear_default})

    def _store_file(self, name: str, digest: str, ready: list[Ready]) -> None:
        """Store one file's activities: copies of one run inside it kept once, each checked
        against what is stored (the richer copy of a run stays), then the days and weeks it adds
        to checked as a whole (:func:`runload.bounds.period_problem`); a file that would make an
        impossible day or week is refused whole (:class:`_Refused`, inside its savepoint). The
        activities are what :meth:`_checked` kept: the store's door does not check them again."""
        if not ready:  # a Strava activities.csv whose every row came with its file: nothing of its own
            self.summary.skipped += 1
        copies = 0
        if not any(a.distance_source in _LISTED for a, _ in ready):  # a list's rows are distinct by its own ids
            if len(ready) > 1:  # its copies of one run are compared: with their laps
                ready = [(_with_laps(a, text), text) for a, text in ready]
            kept, copies = within_file([a for a, _ in ready])
            kept_ids = {id(a) for a in kept}  # (the same objects, in file order)
            ready = [pair for pair in ready if id(pair[0]) in kept_ids]
        acts = [a for a, _ in ready]
        stored: list[Activity] = []
        duplicates: list[dict[str, str]] = []
        for act, laps_text in ready:
            window_start, window_end = search_window(act)
            started_from = window_start - timedelta(seconds=self.longest_s)
            starts = self.starts
            near = () if starts is not None and starts.none_within(started_from, window_end) else \
                self.store.activities(self.athlete_id, start_utc=window_start, end_utc=window_end,
                                      started_from=started_from, zone=self.zone)
            verdict = decide(_with_laps(act, laps_text) if near else act, near)  # (copies are compared with laps)
            if verdict.twins:
                best = verdict.best
                assert best is not None
                if verdict.keep:
                    new_id = self._insert(act, laps_text)
                    twin_ids = [o.id for o in verdict.twins if o.id is not None]  # stored rows: each has its id
                    self.store.carry_corrections(self.conn, twin_ids, new_id)
                    if self.starts is not None:
                        self.starts.rows_changed()  # the new copy may carry a corrected distance
                    for twin_id in twin_ids:
                        self.store.delete_activity(self.conn, twin_id, replaced_by=self.import_id)
                    stored.append(act)
                    duplicates.append({"file": name, "kept": name, "replaced": best.source_file or "?"})
                else:
                    duplicates.append({"file": name, "kept": best.source_file or "?", "replaced": ""})
                continue
            self._insert(act, laps_text)
            stored.append(act)
        self._check_periods(stored)
        self.summary.activities += len(stored)
        self.summary.duplicates.extend(duplicates)
        self.longest_s = max([self.longest_s] + [a.elapsed_s or a.timer_s or 0.0 for a in acts])
        if copies:
            self.summary.warnings.append({"file": name, "warning": f"{copies:,} of its activities are copies of another "
                                                                   "in the same file: each run stored once"})
        for act in acts:
            label = f"{_row_label(act)}: " if act.distance_source == "strava" else ""
            for w in act.warnings:
                self.summary.warnings.append({"file": name, "warning": label + w})
        self.store.record_file(self.conn, self.athlete_id, digest, name, "imported" if stored else "duplicate",
                               import_id=self.import_id)
        if stored:
            self.summary.imported.append(name)

    def _insert(self, act: Activity, laps_text: str | None) -> int:
        """Store one activity (checked at the door already; its laps as ``laps_text`` when they
        came so); its start joins the stored ones."""
        new_id = self.store.insert_activity(self.conn, self.athlete_id, act, self.import_id, checked=True,
                                            laps_text=laps_text)
        if self.starts is not None:
            self.starts.add(act)
        return new_id

    def _check_periods(self, stored: list[Activity]) -> None:
        """Refuse the file when its runs make a day or a week no one can run (see bounds)."""
        runs = [a for a in stored if a.is_run]
        if not runs:
            return
        lo = min(a.start_utc for a in runs) - timedelta(days=8)
        hi = max(a.start_utc for a in runs) + timedelta(days=8)
        started_from = lo - timedelta(seconds=self.longest_s)
        # from the totals held in memory (at least the store's; none after a replacement), else the store's
        totals = self.starts.totals(started_from, hi) if self.starts is not None else None
        metres, seconds = totals or self.store.activity_totals(self.conn, self.athlete_id, started_from, hi)
        if metres < _SURELY_UNDER * bounds.MAX_WEEK_RUN_M and seconds < _SURELY_UNDER * bounds.MAX_DAY_RUNNING_S:
            return  # everything around, of any sport, falls short of a week's or a day's limit: no need to look
        around = self.store.activities(self.athlete_id, start_utc=lo, end_utc=hi, sports=[Sport.RUNNING],
                                       started_from=started_from, details=False, laps=False, zone=self.zone)  # times and distances are all it judges
        problem = bounds.period_problem(around, self.tz, new=runs)
        if problem:
            raise _Refused(f"{problem}; not imported")


# An activity ready for the store, with the store's text of its laps when they came so (it then
# holds none; runload.ingest.packing), else None.
Ready = tuple[Activity, str | None]


def _with_laps(act: Activity, laps_text: str | None) -> Activity:
    """The activity holding its laps again when they came as text: comparing copies of a run
    counts them (:func:`runload.ingest.dedupe.richness`)."""
    return act if laps_text is None else replace(act, laps=laps_from_json(laps_text))


def apply_meta(acts: list[Activity], meta: StravaMeta | None) -> list[Activity]:
    """Join a Strava export's CSV row to its file: name and gear always; the type when it names a
    sport (the athlete may have corrected it on Strava), and only for single-activity files."""
    if meta is None:
        return acts
    out = [replace(a, name=meta.name or a.name, gear=meta.gear or a.gear,
                   rpe=meta.rpe if meta.rpe is not None and len(acts) == 1 else a.rpe) for a in acts]
    sport = sport_from_name(meta.activity_type)
    if sport is not None and len(out) == 1:
        a = out[0]
        # what the file's sport looked like no longer matters once the CSV says what it was
        stale = ("no sport in the file",) + (("labelled running, but moves at",) if sport is not Sport.RUNNING else ())
        notes = tuple(w for w in a.warnings if not w.startswith(stale))
        sub = STRAVA_SUB.get((meta.activity_type or "").strip().lower(), a.sub_sport)
        if sport is not a.sport or a.sport_inferred:
            notes = (*notes, f"sport from activities.csv ({meta.activity_type})")
        out[0] = replace(a, sport=sport, sub_sport=sub, sport_inferred=False, warnings=notes)
    return out


# Distance sources of rows in a list of activities (runload's export, Strava's activities.csv):
# each row is an activity of its own, with its own id, whatever its times say (Strava's elapsed
# time of a ride left paused spans the next day's activities).
_LISTED = ("export", "strava")


def _row_label(a: Activity) -> str:
    """Which row of a list of activities a message is about (its file holds hundreds)."""
    return f"the activity of {a.start_utc:%Y-%m-%d %H:%M} UTC" + (f" ({a.name})" if a.name else "")


def local_offset(a: Activity, tz: ZoneInfo) -> int:
    """The UTC offset of the activity's start: the one the file records, else the athlete's zone's.

    An offset a file records at the end (FIT) is carried back to the start when the athlete's zone
    had that offset then and another at the start: the activity crossed a daylight-saving change.
    """
    def zone_at(when: datetime) -> int:
        off = when.astimezone(tz).utcoffset()
        return int(off.total_seconds()) if off else 0

    if a.utc_offset_s is None:
        return zone_at(a.start_utc)
    if a.offset_recorded_utc is not None and zone_at(a.offset_recorded_utc) == a.utc_offset_s:
        return zone_at(a.start_utc)
    return a.utc_offset_s


__all__ = ["COMMIT_EVERY_S", "Container", "Writer", "apply_meta", "count", "fail", "local_offset"]
