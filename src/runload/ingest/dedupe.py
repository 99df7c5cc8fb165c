"""The same run from two files: which copy is kept.

One decision, shared by ``runload import`` (:class:`runload.ingest.writer.Writer`, against the store)
and ``runload batch import`` (against an athlete's activities in a dataset), so both keep the
same copies. A watch's FIT file, the GPX copy a phone app exported and a truncated copy of either
are one run: two activities are the same run when they start within a minute of each other, or
when they share at least half of the shorter one's time (inside one file, :func:`within_file`: one
sport, sharing half the longer one's time or starting together over one distance). Of the copies, the richest is kept (a
device summary before laps before a track, then heart rate, laps and cadence); a new copy
replaces the stored ones only when it is strictly richer, so the first of equal copies stays.

Pure: no store, no file, no clock.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from runload.models import Activity

# a device's summary, laps, records or a track; a copy (runload's "export" CSV, a row of Strava's
# activities.csv or an activity from its API, "strava") ranks below any file of the run, so the
# file's copy is kept
_DISTANCE_RANK = {"summary": 3, "laps": 2, "records": 1, "track": 1}
SAME_START_S = 60  # copies starting within a minute are one run, whatever their lengths
SHARED_FRACTION = 0.5  # or copies sharing half the shorter one's time


def richness(a: Activity) -> tuple[int, int, int, int]:
    """How much a stored copy of a run tells: device summary, heart rate, laps, cadence."""
    return (
        _DISTANCE_RANK.get(a.distance_source, 0),
        int(a.avg_hr_bpm is not None),
        len(a.laps),
        int(a.avg_cadence_spm is not None),
    )


def duration_s(a: Activity) -> float:
    """The activity's length for overlap: elapsed time, else timer time, else 0."""
    return a.elapsed_s or a.timer_s or 0


def overlaps(a: Activity, b: Activity) -> bool:
    """Whether ``a`` and ``b`` are the same run (see the module's docstring)."""
    a0, b0 = a.start_utc, b.start_utc
    a1 = a0 + timedelta(seconds=duration_s(a))
    b1 = b0 + timedelta(seconds=duration_s(b))
    if abs((a0 - b0).total_seconds()) <= SAME_START_S:
        return True
    shared = (min(a1, b1) - max(a0, b0)).total_seconds()
    shorter = min((a1 - a0).total_seconds(), (b1 - b0).total_seconds())
    return shorter > 0 and shared >= SHARED_FRACTION * shorter


def search_window(a: Activity) -> tuple[datetime, datetime]:
    """(start, end) of the times a stored copy of ``a`` must overlap to be a candidate: a minute
    either side of the run (a copy starting within a minute always overlaps this window)."""
    end = a.start_utc + timedelta(seconds=duration_s(a))
    return a.start_utc - timedelta(minutes=1), end + timedelta(minutes=1)


@dataclass(frozen=True)
class Verdict:
    """What to do with a newly read activity: ``twins`` are the stored copies of the same run
    (from other files), ``best`` the richest of them; ``keep`` says whether the new activity is
    stored (replacing every twin) or is a duplicate of ``best``."""

    twins: tuple[Activity, ...]
    best: Activity | None
    keep: bool

    @property
    def duplicate(self) -> bool:
        """Whether the new activity met a copy of itself (kept or not)."""
        return bool(self.twins)


def decide(new: Activity, stored: Iterable[Activity]) -> Verdict:
    """The verdict on ``new`` given the activities already stored (any superset of the
    candidates: those from the same file, by content hash, are never its twins)."""
    twins = tuple(o for o in stored if o.source_hash != new.source_hash and overlaps(new, o))
    if not twins:
        return Verdict((), None, True)
    best = max(twins, key=richness)
    return Verdict(twins, best, richness(new) > richness(best))


def same_file_copies(a: Activity, b: Activity) -> bool:
    """Whether two activities of one file are copies of one run: of one sport, and sharing half
    of the *longer* one's time, or starting at the same second over the same distance. Stricter
    than across files: a multisport file's legs start within a minute of each other, and a
    watch's first leg may claim hours that hold the next legs (a real Fenix 2 file does)."""
    if a.sport is not b.sport:
        return False
    if a.start_utc == b.start_utc and a.distance_m == b.distance_m:
        return True
    a0, b0 = a.start_utc, b.start_utc
    a1, b1 = a0 + timedelta(seconds=duration_s(a)), b0 + timedelta(seconds=duration_s(b))
    shared = (min(a1, b1) - max(a0, b0)).total_seconds()
    longer = max((a1 - a0).total_seconds(), (b1 - b0).total_seconds())
    return longer > 0 and shared >= SHARED_FRACTION * longer


def within_file(acts: list[Activity]) -> tuple[list[Activity], int]:
    """The activities of one file with copies of one run kept once (the richest, else the first),
    in file order, and how many were left out. Sweeps in start order, so a file of a thousand
    copies costs a thousand comparisons, not a million."""
    order = sorted(range(len(acts)), key=lambda i: acts[i].start_utc)
    kept: list[int] = []  # indexes kept, in start order
    dropped = 0
    longest = 0.0
    for i in order:
        a = acts[i]
        twin = None
        for j in reversed(kept):  # only those still running when ``a`` starts can be its copy
            b = acts[j]
            if (a.start_utc - b.start_utc).total_seconds() > longest:
                break
            if same_file_copies(a, b):
                twin = j
                break
        longest = max(longest, duration_s(a))
        if twin is None:
            kept.append(i)
            continue
        dropped += 1
        if richness(a) > richness(acts[twin]):
            kept[kept.index(twin)] = i
    return [acts[i] for i in sorted(kept)], dropped


__all__ = ["Verdict", "decide", "duration_s", "overlaps", "richness", "same_file_copies", "search_window",
           "within_file"]
