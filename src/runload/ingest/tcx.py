"""Read Garmin Training Center (TCX) files in one streaming pass (:mod:`runload.ingest.xmlpoints`).

Every ``<Activity>`` (also inside a ``<MultiSportSession>``) becomes an activity. Distance comes
from the laps' ``DistanceMeters`` (the device's summary), falling back to the track; running
cadence from the ``RunCadence`` extension (per leg, doubled to steps per minute). Elapsed time
runs from the start to the later of the last track point and the end of the last lap, and is
never shorter than the laps' timer time. ``Sport="Other"`` is the file saying "neither running nor
biking": such an activity is counted as other, with a warning. Times keep the UTC offset the file
writes; values no device produces (``inf``, ``nan``, ``1e15``, a year 9999) are dropped with a
warning.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TypeGuard

import numpy as np

from runload.errors import IngestError
from runload.ingest.common import (
    MAX_ACTIVITY_S, Times, clean_cumulative, distance_along, finite, floats, hr_bins_array, motion,
    parse_times, plausible_times, settle_sport, sport_from_name,
)
from runload.ingest.xmlpoints import Event, Layout, Node, Points, Start, read_points
from runload.models import Activity, Lap, Sport

_FOOT_SPORTS = (Sport.RUNNING, Sport.WALKING, Sport.HIKING)
# Trackpoint values, by slot: time, latitude, longitude, altitude, distance, heart rate, cadence,
# run cadence (extension)
_POINT_BOUNDS = [None, (-90.0, 90.0), (-180.0, 180.0), (-1000.0, 10000.0), (0.0, 1e7), (0.0, 255.0),
                 (0.0, 255.0), (0.0, 255.0)]
_WHAT = [None, "position", "position", "altitude", "distance", "heart rate", "cadence", "cadence"]


@dataclass
class TcxLap:
    """One ``<Lap>``: its summary values (None when absent or impossible) and its track points."""

    start: float | None = None  # UTC seconds
    timer_s: float | None = None
    distance_m: float | None = None
    max_speed_mps: float | None = None
    avg_hr_bpm: float | None = None
    max_hr_bpm: float | None = None
    avg_run_cadence: float | None = None  # per leg, as written
    t: np.ndarray = field(default_factory=lambda: np.empty(0))
    lat: np.ndarray = field(default_factory=lambda: np.empty(0))
    lon: np.ndarray = field(default_factory=lambda: np.empty(0))
    alt: np.ndarray = field(default_factory=lambda: np.empty(0))
    dist: np.ndarray = field(default_factory=lambda: np.empty(0))
    hr: np.ndarray = field(default_factory=lambda: np.empty(0))
    cad: np.ndarray = field(default_factory=lambda: np.empty(0))
    run_cad: np.ndarray = field(default_factory=lambda: np.empty(0))


@dataclass
class TcxActivity:
    sport: str | None = None  # the Sport attribute as written
    id_s: float | None = None  # <Id>: the start, UTC seconds
    device: str | None = None
    laps: list[TcxLap] = field(default_factory=list)


@dataclass
class TcxData:
    """What runload needs from a TCX file."""

    activities: list[TcxActivity] = field(default_factory=list)
    offset_s: int | None = None  # the UTC offset written with the first time, if not Z/+00:00
    naive: bool = False
    dropped: dict[str, int] = field(default_factory=dict)
    zone_seen: bool = field(default=False, repr=False)

    def note_times(self, times: Times) -> None:
        if not self.zone_seen and not np.isnan(times.t_s).all():
            self.offset_s, self.zone_seen = times.offset_s, True
        self.naive = self.naive or times.naive
        if times.bad:
            self.dropped["time"] = self.dropped.get("time", 0) + times.bad

    def drop(self, what: str, n: int = 1) -> None:
        if n:
            self.dropped[what] = self.dropped.get(what, 0) + n


def parse_tcx(data: bytes, name: str) -> list[Activity]:
    """Every activity in a TCX file's bytes; :class:`IngestError` naming ``name`` if none."""
    return activities_from_tcx(read_tcx(data, name), name)


# ---------------------------------------------------------------- the streaming reader
_LAYOUT = Layout(
    what="TCX", root="TrainingCenterDatabase", point="Trackpoint", container="Track",
    outline=("Activity", "Lap", "Id"),
    columns=("p:Time[1]", "p:Position[1]/p:LatitudeDegrees[1]", "p:Position[1]/p:LongitudeDegrees[1]",
             "p:AltitudeMeters[1]", "p:DistanceMeters[1]", "p:HeartRateBpm[1]/p:Value[1]", "p:Cadence[1]"),
    extras=(("RunCadence",),),  # Garmin's ActivityExtension: running cadence, per leg
    reached=("AvgRunCadence",),  # a lap's (see _lap_values)
)


def read_tcx(data: bytes, name: str) -> TcxData:
    """Read a TCX file in one streaming pass (see :mod:`runload.ingest.xmlpoints`) into :class:`TcxData`."""
    return read_points(data, name, _LAYOUT, _build)


def _build(events: Iterator[Event]) -> TcxData:
    td = TcxData()
    act: TcxActivity | None = None
    lap: TcxLap | None = None
    points: _Points | None = None
    for event in events:
        if isinstance(event, Points):
            if points is not None and event.container.parent == "Lap":
                points.add(event.columns)
            continue
        node = event.node
        if isinstance(event, Start):
            if node.name == "Activity" and act is None:
                act = TcxActivity(sport=node.attr("Sport"))
            elif node.name == "Lap" and act is not None and node.parent == "Activity":
                lap = TcxLap(start=_one_time(node.attr("StartTime"), td))
                points = None
            elif node.name == "Track" and lap is not None and node.parent == "Lap":
                points = points or _Points()
        elif node.name == "Id":
            if act is not None and node.parent == "Activity":
                act.id_s = _one_time(_text(node.texts(".")), td)
        elif node.name == "Lap" and lap is not None and act is not None:
            _lap_values(lap, node, td)
            if points is not None:
                points.into(lap, td)
            act.laps.append(lap)
            lap = points = None
        elif node.name == "Activity" and act is not None:
            for device in node.texts("p:Creator/p:Name"):
                act.device = device.strip() or None
            td.activities.append(act)
            act = None
    return td


def _text(texts: list[str]) -> str:
    return texts[-1].strip() if texts else ""


def _lap_values(lap: TcxLap, node: Node, td: TcxData) -> None:
    """A lap's summary, read as it ends (the last value written wins; each impossible one is counted)."""
    for text in node.texts("p:TotalTimeSeconds"):
        lap.timer_s = _value(text.strip(), 0.0, MAX_ACTIVITY_S, "lap time", td)
    for text in node.texts("p:DistanceMeters"):
        lap.distance_m = _value(text.strip(), 0.0, 1e7, "lap distance", td)
    for text in node.texts("p:MaximumSpeed"):
        lap.max_speed_mps = _value(text.strip(), 0.0, 1000.0, "lap speed", td)
    for text in node.texts("p:AverageHeartRateBpm/p:Value"):
        lap.avg_hr_bpm = _value(text.strip(), 1.0, 255.0, "heart rate", td)
    for text in node.texts("p:MaximumHeartRateBpm/p:Value"):
        lap.max_hr_bpm = _value(text.strip(), 1.0, 255.0, "heart rate", td)
    for text in node.named("AvgRunCadence", 3):  # wherever Garmin's extension puts it, 3 levels down at most
        lap.avg_run_cadence = _value(text.strip(), 0.0, 255.0, "cadence", td)


def _one_time(text: str | None, td: TcxData) -> float | None:
    if not text:
        return None
    times = parse_times([text])
    td.note_times(times)
    v = float(times.t_s[0])
    return None if np.isnan(v) else v


def _value(text: str, lo: float, hi: float, what: str, td: TcxData) -> float | None:
    if not text:
        return None
    v = finite(text, lo, hi)
    if v is None:
        td.drop(what)
    return v


class _Points:
    """One lap's track points, turned into numbers a chunk at a time (memory stays small)."""

    __slots__ = ("times", "columns", "bad")

    def __init__(self) -> None:
        self.times: list[list[str | None]] = []
        self.columns: list[list[np.ndarray]] = [[] for _ in range(8)]
        self.bad = [0] * 8

    def add(self, columns: list[list[str | None]]) -> None:
        self.times.append(columns[0])
        for i in range(1, 8):
            lo_hi = _POINT_BOUNDS[i]
            assert lo_hi is not None
            values, bad = floats(columns[i], *lo_hi)
            self.columns[i].append(values)
            self.bad[i] += bad

    def into(self, lap: TcxLap, td: TcxData) -> None:
        """Add the points to the lap's arrays (a lap may hold several tracks)."""
        t_parts = []
        for texts in self.times:
            times = parse_times(texts)
            td.note_times(times)
            t_parts.append(times.t_s)
        for i in (1, 3, 4, 5, 6):  # latitude and longitude are one "position"
            what = _WHAT[i]
            assert what is not None
            td.drop(what, max(self.bad[1], self.bad[2]) if i == 1 else self.bad[i] + (self.bad[7] if i == 6 else 0))
        if not t_parts:
            return
        t = np.concatenate(t_parts)
        lat, lon, alt, dist, hr, cad, run_cad = (np.concatenate(self.columns[i]) for i in range(1, 8))
        hr[hr == 0] = np.nan  # no contact, not a heart rate
        bad_pos = np.isnan(lat) | np.isnan(lon)
        lat[bad_pos] = np.nan
        lon[bad_pos] = np.nan
        lap.t, lap.lat, lap.lon, lap.alt, lap.dist, lap.hr, lap.cad, lap.run_cad = (
            np.concatenate((old, new)) for old, new in (
                (lap.t, t), (lap.lat, lat), (lap.lon, lon), (lap.alt, alt), (lap.dist, dist), (lap.hr, hr),
                (lap.cad, cad), (lap.run_cad, run_cad)))


# ---------------------------------------------------------------- building activities
def activities_from_tcx(td: TcxData, name: str) -> list[Activity]:
    """One activity per ``<Activity>``; :class:`IngestError` when there is none."""
    if not td.activities:
        raise IngestError("no <Activity> in the file", path=name)
    notes = []
    for what, n in td.dropped.items():
        notes.append(f"{n} impossible {what} value{'s' if n != 1 else ''} ignored (such as nan, inf or 1e15)")
    if td.naive:
        notes.append("times in the file carry no time zone: read as UTC (as TCX specifies); "
                     "the day is taken in the athlete's time zone")
    return [_activity(a, index, td, notes, name) for index, a in enumerate(td.activities)]


def _activity(act: TcxActivity, index: int, td: TcxData, notes: list[str], name: str) -> Activity:
    laps = act.laps
    t = np.concatenate([lap.t for lap in laps]) if laps else np.empty(0)
    order = np.argsort(t, kind="stable")
    cols = {k: (np.concatenate([getattr(lap, k) for lap in laps]) if laps else np.empty(0))[order]
            for k in ("lat", "lon", "alt", "dist", "hr", "cad", "run_cad")}
    t = t[order]
    timed = plausible_times(t)
    warnings = list(notes)
    if (~np.isnan(t) & ~timed).any():
        warnings.append(f"{int((~np.isnan(t) & ~timed).sum())} track points dated days away from the others ignored")
    mid = float(np.median(t[timed])) if timed.any() else None

    def near(when: float | None) -> TypeGuard[float]:  # a start within the activity's days, when the track tells them
        return when is not None and (mid is None or abs(when - mid) <= MAX_ACTIVITY_S)

    starts = [s for s in ([act.id_s] + [lap.start for lap in laps]) if near(s)]
    if timed.any():
        starts.append(float(t[timed][0]))
    if not starts:
        if td.dropped.get("time"):
            raise IngestError(f"no usable start time (the {td.dropped['time']} times written are impossible, such as "
                              "year 9999 or 0001): cannot be placed on a day", path=name)
        raise IngestError("no start time: cannot be placed on a day", path=name)
    start = min(starts)
    lap_dist = [lap.distance_m for lap in laps if lap.distance_m is not None]
    lap_timer = [lap.timer_s for lap in laps if lap.timer_s is not None]
    timer = sum(lap_timer) or None
    # the track's own distance: the device's running total where written, else the positions
    dist_col = cols["dist"][timed]
    cum = np.full(int(timed.sum()), np.nan)
    if (~np.isnan(dist_col)).sum() >= 2:
        cum = clean_cumulative(t[timed], dist_col)
    else:
        pos = ~np.isnan(cols["lat"][timed])
        if pos.sum() >= 2:
            cum[pos] = distance_along(cols["lat"][timed][pos], cols["lon"][timed][pos])
            cum = clean_cumulative(t[timed], cum)
    track_distance = float(np.nanmax(cum)) if (~np.isnan(cum)).any() else 0.0
    if lap_dist and sum(lap_dist) > 0:
        distance, source = float(sum(lap_dist)), "laps"
    else:
        distance, source = track_distance, "track"
    ends = [float(t[timed][-1])] if timed.any() else []
    ends += [lap.start + lap.timer_s for lap in laps if near(lap.start) and lap.timer_s is not None]
    elapsed = max([e - start for e in ends] + [timer or 0.0])
    span = float(t[timed][-1]) - start if timed.any() else None
    if timer is not None and span is not None and timer > span + 60:
        warnings.append(f"the laps' time ({timer:.0f} s) is longer than the track's ({span:.0f} s): "
                        "elapsed time taken as the laps' time")
    m = motion(t[timed], cum, distance_m=distance, moving_s=timer, cadence=cols["cad"][timed])
    sport_attr = (act.sport or "").strip()
    inferred = False
    if sport_attr.lower() == "other":
        sport = Sport.OTHER
        warnings.append('the file calls the sport "Other" (neither running nor biking): not counted as running; '
                        "correct it with `runload activity set-sport` if it was a run")
    else:
        sport, inferred = settle_sport(sport_from_name(sport_attr), m, warnings)
    hr = cols["hr"][timed]
    hr_ok = hr[~np.isnan(hr)]
    lap_hr = [(lap.avg_hr_bpm, lap.timer_s) for lap in laps if lap.avg_hr_bpm and lap.timer_s]
    avg_hr = (sum(h * s for h, s in lap_hr) / sum(s for _, s in lap_hr)) if lap_hr else (
        float(hr_ok.mean()) if len(hr_ok) else None)
    max_hrs = [lap.max_hr_bpm for lap in laps if lap.max_hr_bpm] or ([float(hr_ok.max())] if len(hr_ok) else [])
    cads = cols["run_cad"][~np.isnan(cols["run_cad"])]
    if not len(cads) and sport in (Sport.RUNNING, Sport.WALKING):
        cads = cols["cad"][~np.isnan(cols["cad"])]
    cadence = float(cads.mean()) * 2 if len(cads) and sport in _FOOT_SPORTS else None
    return Activity(
        start_utc=datetime.fromtimestamp(start, timezone.utc), sport=sport, sport_inferred=inferred,
        distance_m=distance, distance_source=source, timer_s=timer, elapsed_s=elapsed,
        utc_offset_s=td.offset_s, avg_hr_bpm=avg_hr, max_hr_bpm=max(max_hrs) if max_hrs else None,
        avg_cadence_spm=cadence, device=act.device, laps=tuple(_lap(lap, sport) for lap in laps),
        hr_zone_s=hr_bins_array(t[timed], hr), source_file=name, leg_index=index, warnings=tuple(warnings),
    )


def _lap(lap: TcxLap, sport: Sport) -> Lap:
    cad = lap.avg_run_cadence * 2 if lap.avg_run_cadence is not None and sport in _FOOT_SPORTS else None
    return Lap(
        start_utc=datetime.fromtimestamp(lap.start, timezone.utc) if lap.start is not None else None,
        distance_m=lap.distance_m, timer_s=lap.timer_s, avg_hr_bpm=lap.avg_hr_bpm, max_hr_bpm=lap.max_hr_bpm,
        avg_cadence_spm=cad,
    )


__all__ = ["TcxActivity", "TcxData", "TcxLap", "activities_from_tcx", "parse_tcx", "read_tcx"]
