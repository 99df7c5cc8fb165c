"""Read GPX 1.0 and 1.1 tracks, with Garmin TrackPointExtension (and similar) heart rate and cadence.

Two readers fill the same :class:`GpxData`: the streaming reader shared with TCX
(:mod:`runload.ingest.xmlpoints`: one pass on lxml, points taken out a chunk at a time, or read
from the text by :mod:`runload.ingest.xmlbytes` where the file's layout allows; used for every file) and gpxpy (the reference implementation, used when the streaming
reader fails on something it does not expect; ``tests/ingest/test_gpx.py`` checks that the two
agree on every real file). One builder turns either into activities:

- points are put in time order; a file's segments and tracks that are hours or days apart become
  separate activities; where two segments cover the same minutes (two logs of one walk) those
  minutes are counted once, from the segment that began first;
- distance is the 2-D length of each segment (never bridging two segments), elapsed time runs
  from the first to the last point and is never shorter than the moving time;
- the sport comes from the track's ``<type>`` (names or Strava's numeric codes) or, failing that,
  is inferred from how the activity moved (:func:`runload.ingest.common.infer_sport`);
- times keep the UTC offset the file writes (``-07:00``); times written without any zone are read
  as UTC, as GPX specifies, with a warning;
- values no device produces (a latitude of NaN, an elevation of "nan" or 1e15, a year 9999) are
  dropped with a warning saying how many.
"""

from __future__ import annotations

import codecs
import math
import re
from collections.abc import Iterator
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

import gpxpy
import gpxpy.gpx
import numpy as np

from runload.errors import IngestError
from runload.ingest.common import (
    EARLIEST_S, LATEST_S, MAX_STEP_S, Times, clean_cumulative, distance_along, floats, hr_bins_array,
    motion, parse_times, settle_sport, sport_from_name,
)
from runload.ingest.xmlpoints import Event, Layout, Points, Start, read_points
from runload.ingest.xmlsafe import check_xml, max_depth
from runload.models import Activity, Sport

SPLIT_GAP_S = 2 * 3600.0  # tracks further apart than this are separate activities
_FOOT_SPORTS = (Sport.RUNNING, Sport.WALKING, Sport.HIKING)
_HR_NAMES = ("hr", "heartrate")
_CAD_NAMES = ("cad", "cadence")
# Bounds of what a device can record; anything outside is damage, dropped with a warning.
_BOUNDS = {"lat": (-90.0, 90.0), "lon": (-180.0, 180.0), "ele": (-1000.0, 10000.0), "hr": (0.0, 255.0),
           "cad": (0.0, 255.0)}
_WHAT = {"time": "time", "lat": "position", "lon": "position", "ele": "elevation", "hr": "heart rate",
         "cad": "cadence"}
_GPXPY_MAX_DEPTH = 200  # gpxpy builds an ElementTree and walks it recursively


@dataclass
class GpxSegment:
    """One ``<trkseg>``: its points as arrays (NaN where a value is missing), in file order."""

    track: int
    t: np.ndarray  # UTC seconds since 1970
    lat: np.ndarray
    lon: np.ndarray
    ele: np.ndarray
    hr: np.ndarray
    cad: np.ndarray  # as written: per leg for running (gpxtpx), per crank turn for riding


@dataclass
class GpxTrack:
    name: str | None = None
    type: str | None = None


@dataclass
class GpxData:
    """What runload needs from a GPX file, whichever reader produced it."""

    creator: str | None = None
    name: str | None = None
    tracks: list[GpxTrack] = field(default_factory=list)
    segments: list[GpxSegment] = field(default_factory=list)
    offset_s: int | None = None  # the UTC offset written with the first time, if any but Z/+00:00
    naive: bool = False  # some times carry no zone
    dropped: dict[str, int] = field(default_factory=dict)  # impossible values dropped, by column
    reader: str = "stream"
    zone_seen: bool = field(default=False, repr=False)  # the first usable time has been read


def parse_gpx(data: bytes, name: str) -> list[Activity]:
    """The activities in a GPX file's bytes; :class:`IngestError` naming ``name`` if unusable."""
    try:
        gd = read_gpx(data, name)
    except IngestError:
        raise
    except Exception:  # noqa: BLE001 - a case the streaming reader does not handle: the reference reads it
        gd = read_gpx_gpxpy(data, name)
    return activities_from_gpx(gd, name)


# ---------------------------------------------------------------- the streaming reader
# Extension values are found by name (Garmin's TrackPointExtension writes hr and cad, others
# heartrate or cadence), in any namespace but GPX's own, below a point's <extensions>.
_LAYOUT = Layout(
    what="GPX", root="gpx", point="trkpt", container="trkseg",
    outline=("trk", "metadata", "wpt", "rte", "rtept"),
    columns=("@lat", "@lon", "p:ele[1]", "p:time[1]"),
    extras=(("hr", "heartrate"), ("cad", "cadence")),  # in any capitalisation
    extras_below=True,
)


def read_gpx(data: bytes, name: str) -> GpxData:
    """Read a GPX file in one streaming pass (see :mod:`runload.ingest.xmlpoints`)."""
    return read_points(data, name, _LAYOUT, _build)


def _build(events: Iterator[Event]) -> GpxData:
    gd = GpxData()
    seg: _SegmentBuilder | None = None
    for event in events:
        node = event.container if isinstance(event, Points) else event.node
        if isinstance(event, Points):
            if seg is not None:
                seg.add(event.columns)
        elif isinstance(event, Start):
            if node.parent is None:
                gd.creator = node.attr("creator")
            elif node.name == "trk" and node.parent == "gpx":
                gd.tracks.append(GpxTrack())
            elif node.name == "trkseg" and node.parent == "trk" and gd.tracks:
                seg = _SegmentBuilder(len(gd.tracks) - 1)
        elif node.name == "trkseg":
            if seg is not None and node.parent == "trk":
                gd.segments.append(seg.finish(gd))
                seg = None
        elif node.name == "trk" and node.parent == "gpx":
            for what in ("name", "type"):
                texts = node.texts(f"p:{what}")
                if texts:  # the last one written
                    setattr(gd.tracks[-1], what, texts[-1].strip() or None)
        elif node.name == "metadata" or node.parent is None:
            for text in node.texts("p:name"):
                if gd.name is None:
                    gd.name = text.strip() or None
    return gd


class _SegmentBuilder:
    """Turns one segment's point texts into numbers, a chunk at a time (memory stays small)."""

    __slots__ = ("track", "chunks")

    def __init__(self, track: int) -> None:
        self.track = track
        self.chunks: list[dict[str, Any]] = []

    def add(self, columns: list[list[str | None]]) -> None:
        lat, lon, ele, time, hr, cad = columns
        chunk: dict[str, Any] = {"time": parse_times(time)}
        for k, texts in (("lat", lat), ("lon", lon), ("ele", ele), ("hr", hr), ("cad", cad)):
            chunk[k] = floats(texts, *_BOUNDS[k])
        self.chunks.append(chunk)

    def finish(self, gd: GpxData) -> GpxSegment:
        arrays: dict[str, list[np.ndarray]] = {k: [] for k in ("t", *_BOUNDS)}
        for ch in self.chunks:
            times: Times = ch["time"]
            arrays["t"].append(times.t_s)
            _note_times(gd, times)
            for k in _BOUNDS:
                values, bad = ch[k]
                arrays[k].append(values)
                if bad:
                    gd.dropped[k] = gd.dropped.get(k, 0) + bad
        joined = {k: np.concatenate(v) if v else np.empty(0) for k, v in arrays.items()}
        return _segment(self.track, **joined)


def _note_times(gd: GpxData, times: Times) -> None:
    """The file's offset is the one written with its first usable time."""
    if not gd.zone_seen and not np.isnan(times.t_s).all():
        gd.offset_s, gd.zone_seen = times.offset_s, True
    gd.naive = gd.naive or times.naive
    if times.bad:
        gd.dropped["time"] = gd.dropped.get("time", 0) + times.bad


def _segment(track: int, t: np.ndarray, lat: np.ndarray, lon: np.ndarray, ele: np.ndarray, hr: np.ndarray,
             cad: np.ndarray) -> GpxSegment:
    hr = hr.copy()
    hr[hr == 0] = np.nan  # a strap that lost contact writes 0: no reading, not a heart rate
    bad_pos = np.isnan(lat) | np.isnan(lon)
    lat[bad_pos] = np.nan
    lon[bad_pos] = np.nan
    return GpxSegment(track, t, lat, lon, ele, hr, cad)


# ---------------------------------------------------------------- the reference reader (gpxpy)
def read_gpx_gpxpy(data: bytes, name: str) -> GpxData:
    """Read a GPX file with gpxpy into :class:`GpxData` (the reference and fallback reader).

    The file is first parsed safely (no entities, nothing external) and its depth checked: gpxpy
    builds a tree and walks it recursively."""
    check_xml(data, name)
    if max_depth(data, name, _GPXPY_MAX_DEPTH) >= _GPXPY_MAX_DEPTH:
        raise IngestError(f"elements nested more than {_GPXPY_MAX_DEPTH} deep: not a GPX file runload can read",
                          path=name)
    try:
        gpx = gpxpy.parse(_text(data))
    except gpxpy.gpx.GPXException as exc:
        raise IngestError(f"not a readable GPX file: {exc}", path=name) from None
    gd = GpxData(creator=gpx.creator, name=gpx.name, reader="gpxpy")
    for i, trk in enumerate(gpx.tracks):
        gd.tracks.append(GpxTrack(trk.name or None, trk.type or None))
        for sg in trk.segments:
            pts = sg.points
            t = []
            for pt in pts:
                when = pt.time
                if when is None:
                    t.append(math.nan)
                    continue
                if when.tzinfo is None:
                    gd.naive = True
                    when = when.replace(tzinfo=timezone.utc)
                t.append(when.timestamp())
                if not gd.zone_seen and EARLIEST_S <= t[-1] < LATEST_S:
                    off = when.utcoffset()  # gpxpy's zone for "Z" and "+00:00" alike is an offset of 0
                    gd.offset_s, gd.zone_seen = (int(off.total_seconds()) or None) if off else None, True
            ta = np.array(t, dtype=float)
            wrong = (ta < EARLIEST_S) | (ta >= LATEST_S)
            if wrong.any():
                gd.dropped["time"] = gd.dropped.get("time", 0) + int(wrong.sum())
                ta[wrong] = np.nan
            cols: dict[str, list[Any]] = {
                "lat": [pt.latitude for pt in pts], "lon": [pt.longitude for pt in pts],
                "ele": [pt.elevation for pt in pts],
                "hr": [_ext_value(pt, _HR_NAMES) for pt in pts], "cad": [_ext_value(pt, _CAD_NAMES) for pt in pts],
            }
            arrays = {}
            for k, values in cols.items():
                arr, bad = floats([None if v is None else str(v) for v in values], *_BOUNDS[k])
                arrays[k] = arr
                if bad:
                    gd.dropped[k] = gd.dropped.get(k, 0) + bad
            gd.segments.append(_segment(i, ta, **arrays))
    return gd


def _ext_value(point: Any, names: tuple[str, ...]) -> str | None:
    for ext in point.extensions:
        for el in ext.iter():
            if el.tag.split("}")[-1].lower() in names:
                return el.text
    return None


_DECLARED = re.compile(rb"""^<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")


def _text(data: bytes) -> str:
    """The file as text, decoded as XML says: byte-order mark, else the declared encoding."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        text = data.decode("utf-16", errors="replace").lstrip()
    elif data[:3] == b"\xef\xbb\xbf":
        text = data[3:].decode("utf-8", errors="replace").lstrip()
    else:
        body = data.lstrip()
        m = _DECLARED.match(body[:200])
        encoding = "utf-8"
        if m:
            with suppress(LookupError):
                encoding = codecs.lookup(m.group(1).decode("ascii")).name
        text = body.decode(encoding, errors="replace")
    # the text is handed over as str: an encoding declaration in it would now be wrong
    return re.sub(r"""^(<\?xml[^>]*?)\s+encoding\s*=\s*["'][^"']*["']""", r"\1", text, count=1)


# ---------------------------------------------------------------- building activities
@dataclass
class _Part:
    """The points of one segment that an activity uses, in time order."""

    track: int
    t: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    ele: np.ndarray
    hr: np.ndarray
    cad: np.ndarray


def activities_from_gpx(gd: GpxData, name: str) -> list[Activity]:
    """Turn what a reader found into activities; :class:`IngestError` when there are none."""
    total = sum(len(s.t) for s in gd.segments)
    if total == 0:
        raise IngestError("no track points", path=name)
    timed = sum(int((~np.isnan(s.t)).sum()) for s in gd.segments)
    if timed == 0:
        if gd.dropped.get("time"):
            raise IngestError(f"no usable timestamps (the {gd.dropped['time']} written are impossible, "
                              "such as year 9999): cannot be placed on a day", path=name)
        raise IngestError("no timestamps in the track: cannot be placed on a day", path=name)
    if timed * 2 < total:
        # a few stray times (a GPSBabel conversion, say) neither date nor time the rest
        raise IngestError(f"no timestamps on {total - timed} of {total} track points: "
                          "cannot be placed on a day or timed", path=name)
    notes: list[str] = []
    empty = sum(1 for s in gd.segments if len(s.t) == 0)
    if empty:
        notes.append("empty track segment ignored" if empty == 1 else f"{empty} empty track segments ignored")
    if total > timed:
        notes.append(f"{total - timed} track points without a time ignored")
    for what in dict.fromkeys(_WHAT[k] for k in gd.dropped):
        n = sum(v for k, v in gd.dropped.items() if _WHAT[k] == what)
        if what == "position":
            n = max(gd.dropped.get("lat", 0), gd.dropped.get("lon", 0))
        notes.append(f"{n} impossible {what} value{'s' if n != 1 else ''} ignored (such as nan, inf or a year 9999)")
    if gd.naive:
        notes.append("times in the file carry no time zone: read as UTC (as GPX specifies); "
                     "the day is taken in the athlete's time zone")
    parts = [piece for s in gd.segments if (~np.isnan(s.t)).any() for piece in _pieces(_sorted_part(s))]
    groups = _group(parts)
    lone = [sum(len(p.t) for p in g[0]) < 2 for g in groups]
    if any(lone) and not all(lone):
        # a point hours or years away from every other (a corrupted time) is not an activity
        n = sum(lone)
        notes.append(f"{n} track point{'s' if n != 1 else ''} hours away from all others ignored")
        groups = [g for g, alone in zip(groups, lone) if not alone]
    out = []
    for index, (group, overlap_s) in enumerate(groups):
        group_notes = list(notes)
        if overlap_s >= 60:
            group_notes.append(f"two track segments cover the same {overlap_s / 60:.0f} minutes: counted once")
        if len(groups) > 1:
            group_notes.append(f"activity {index + 1} of {len(groups)} in the file (tracks hours or more apart "
                               "are separate activities)")
        out.append(_activity(gd, group, index, group_notes, name))
    return out


def _sorted_part(s: GpxSegment) -> _Part:
    keep = ~np.isnan(s.t)
    order = np.argsort(s.t[keep], kind="stable")
    return _Part(s.track, *(a[keep][order] for a in (s.t, s.lat, s.lon, s.ele, s.hr, s.cad)))


def _pieces(part: _Part) -> list[_Part]:
    """A segment split where its points are more than :data:`SPLIT_GAP_S` apart (days of walking
    logged as one segment, or a point with a corrupted time)."""
    cuts = np.flatnonzero(np.diff(part.t) > SPLIT_GAP_S) + 1
    if not len(cuts):
        return [part]
    cols = (part.t, part.lat, part.lon, part.ele, part.hr, part.cad)
    return [_Part(part.track, *(c[a:b] for c in cols)) for a, b in zip([0, *cuts], [*cuts, len(part.t)])]


def _group(parts: list[_Part]) -> list[tuple[list[_Part], float]]:
    """Parts into activities: ordered by start, split at gaps over :data:`SPLIT_GAP_S`; within an
    activity a part keeps only the minutes no earlier part covered. Returns each activity's parts
    and the seconds of overlap left out."""
    parts = sorted(parts, key=lambda p: p.t[0])
    groups: list[tuple[list[_Part], float]] = []
    covered = -math.inf
    for part in parts:
        if not groups or part.t[0] - covered > SPLIT_GAP_S:
            groups.append(([], 0.0))
            covered = -math.inf
        members, overlap = groups[-1]
        if part.t[0] <= covered:
            keep = part.t > covered
            overlap += float(min(part.t[-1], covered) - part.t[0])
            part = _Part(part.track, *(a[keep] for a in (part.t, part.lat, part.lon, part.ele, part.hr, part.cad)))
        if len(part.t):
            members.append(part)
            covered = max(covered, float(part.t[-1]))
        groups[-1] = (members, overlap)
    return [g for g in groups if g[0]]


def _gain(ele: np.ndarray) -> float | None:
    """Elevation gain as gpxpy computes it: 0.3/0.4/0.3 smoothing, then the sum of rises."""
    e = ele[~np.isnan(ele)]
    if len(e) < 2:
        return None
    s = e.copy()
    s[1:-1] = 0.3 * e[:-2] + 0.4 * e[1:-1] + 0.3 * e[2:]
    d = np.diff(s)
    return float(d[d > 0].sum())


def _activity(gd: GpxData, parts: list[_Part], index: int, notes: list[str], name: str) -> Activity:
    t_all, cum_all, hr_all, cad_all = [], [], [], []
    distance = 0.0
    gains = []
    covered = 0.0
    for part in parts:
        pos = ~np.isnan(part.lat)
        cum = np.full(len(part.t), np.nan)
        cum[pos] = clean_cumulative(part.t[pos], distance_along(part.lat[pos], part.lon[pos])) + distance
        if pos.any():
            distance = float(cum[pos][-1])
        t_all.append(part.t)
        cum_all.append(cum)
        hr_all.append(part.hr)
        cad_all.append(part.cad)
        g = _gain(part.ele)
        if g is not None:
            gains.append(g)
        steps = np.diff(part.t)
        covered += float(steps[steps <= MAX_STEP_S].sum())
    t = np.concatenate(t_all)
    cum = np.concatenate(cum_all)
    hr = np.concatenate(hr_all)
    cad = np.concatenate(cad_all)
    start, end = float(t[0]), float(t[-1])
    elapsed = end - start
    gain = sum(gains) if gains else None
    m = motion(t, cum, distance_m=distance, cadence=cad, gain_m=gain)
    timer = min(m.moving_s, elapsed) if m.moving_s else elapsed
    tracks = dict.fromkeys(p.track for p in parts)
    types = [gd.tracks[i].type for i in tracks if 0 <= i < len(gd.tracks) and gd.tracks[i].type]
    sport = sport_from_name(types[0]) if types else None
    warnings = list(notes)
    sport, inferred = settle_sport(sport, m, warnings)
    if elapsed > 600 and covered < 0.5 * elapsed:
        # long gaps (an Apple Watch losing GPS, say): the track misses most of the activity
        warnings.append(f"the track covers only {covered / 60:.0f} of the {elapsed / 60:.0f} minutes it spans: "
                        f"its distance ({distance / 1000:.2f} km) is likely too short")
    hr_ok = hr[~np.isnan(hr)]
    cad_ok = cad[~np.isnan(cad)]
    cadence = float(cad_ok.mean()) * 2 if len(cad_ok) and sport in _FOOT_SPORTS else None  # gpxtpx:cad is per leg
    names = [gd.tracks[i].name for i in tracks if 0 <= i < len(gd.tracks) and gd.tracks[i].name]
    return Activity(
        start_utc=datetime.fromtimestamp(start, timezone.utc), sport=sport, sport_inferred=inferred,
        distance_m=distance, distance_source="track", timer_s=timer, elapsed_s=elapsed,
        utc_offset_s=gd.offset_s, elevation_gain_m=gain,
        avg_hr_bpm=float(hr_ok.mean()) if len(hr_ok) else None, max_hr_bpm=float(hr_ok.max()) if len(hr_ok) else None,
        avg_cadence_spm=cadence, device=gd.creator, name=(names[0] if names else None) or gd.name,
        hr_zone_s=hr_bins_array(t, hr), source_file=name, leg_index=index, warnings=tuple(warnings),
    )


__all__ = ["GpxData", "GpxSegment", "GpxTrack", "activities_from_gpx", "parse_gpx", "read_gpx", "read_gpx_gpxpy"]
