"""The same run from two files: which copy is kept.

One decision, shared by ``runload import`` (:class:`runload.ingest._Writer`, against the store)
and ``runload batch import`` (against an athlete's activities in a dataset), so both keep the
same copies. A watch's FIT file, the GPX copy a phone app exported and a truncated copy of either
are one run: two activities are the same run when they start within a minute of each other, or
when they share at least half of the shorter one's time. Of the copies, the richest is kept (a
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
# activities.csv, "strava") ranks below any file of the run, so the file's copy is kept
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


__all__ = ["Verdict", "decide", "duration_s", "overlaps", "richness", "search_window"]
