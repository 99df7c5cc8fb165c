"""Read GPX 1.0 and 1.1 tracks with gpxpy, with Garmin TrackPointExtension heart rate and cadence.

A file is one activity (all its tracks together). Distance is the 2-D track length; the sport comes
from ``<type>`` (names or Strava's numeric codes) or, failing that, is inferred from speed.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import gpxpy
import gpxpy.gpx

from runload.errors import IngestError
from runload.ingest.common import hr_bins, infer_sport, sport_from_name
from runload.ingest.xmlsafe import check_xml
from runload.models import Activity, Sport


def _ext_value(point: Any, tag: str) -> float | None:
    for ext in point.extensions:
        for el in ext.iter():
            if el.tag.split("}")[-1].lower() == tag and el.text:
                try:
                    return float(el.text)
                except ValueError:
                    return None
    return None


def parse_gpx(data: bytes, name: str) -> list[Activity]:
    """The activity in a GPX file's bytes; :class:`IngestError` naming ``name`` if unusable."""
    text = check_xml(data, name)
    try:
        gpx = gpxpy.parse(text)
    except gpxpy.gpx.GPXException as exc:
        raise IngestError(f"not a readable GPX file: {exc}", path=name) from None
    points = [p for trk in gpx.tracks for seg in trk.segments for p in seg.points]
    if not points:
        raise IngestError("no track points", path=name)
    timed = [p for p in points if p.time is not None]
    if not timed:
        raise IngestError("no timestamps in the track: cannot be placed on a day", path=name)
    if len(timed) * 2 < len(points):
        # a few stray times (a GPSBabel conversion, say) neither date nor time the rest
        raise IngestError(f"no timestamps on {len(points) - len(timed)} of {len(points)} track points: "
                          "cannot be placed on a day or timed", path=name)
    distance = 0.0
    speeds: list[float] = []
    moving = 0.0
    for trk in gpx.tracks:
        for seg in trk.segments:
            distance += seg.length_2d() or 0.0
            prev = None
            for p in seg.points:
                if prev is not None and p.time and prev.time:
                    dt = (p.time - prev.time).total_seconds()
                    d = p.distance_2d(prev) or 0.0
                    if 0 < dt <= 60:
                        speeds.append(d / dt)
                        if d / dt > 0.5:
                            moving += dt
                prev = p
    start = _utc(timed[0].time)
    end = _utc(timed[-1].time)
    elapsed = (end - start).total_seconds()
    types = [trk.type for trk in gpx.tracks if trk.type]
    sport = sport_from_name(types[0]) if types else None
    warnings: list[str] = []
    inferred = False
    if sport is None:
        sport, why = infer_sport(distance, moving or elapsed, speeds)
        inferred = True
        warnings.append(why)
    hr = [(_utc(p.time), v) for p in timed if (v := _ext_value(p, "hr")) is not None]
    cad = [v for p in timed if (v := _ext_value(p, "cad")) is not None]
    cadence = None
    if cad and sport in (Sport.RUNNING, Sport.WALKING, Sport.HIKING):
        cadence = sum(cad) / len(cad) * 2  # gpxtpx:cad is per leg for running
    if sum(len(seg.points) == 0 for trk in gpx.tracks for seg in trk.segments):
        warnings.append("empty track segment ignored")
    covered = sum(dt for dt in _steps(gpx) if dt <= 60)
    if elapsed > 600 and covered < 0.5 * elapsed:
        # long gaps (an Apple Watch losing GPS, say): the track misses most of the activity
        warnings.append(f"the track covers only {covered / 60:.0f} of the {elapsed / 60:.0f} minutes it spans: "
                        f"its distance ({distance / 1000:.2f} km) is likely too short")
    eles = [p.elevation for p in points if p.elevation is not None]
    gain = None
    if len(eles) > 1:
        up, _ = gpx.get_uphill_downhill()
        gain = up
    return [Activity(
        start_utc=start, sport=sport, sport_inferred=inferred, distance_m=distance,
        distance_source="track", timer_s=moving or elapsed, elapsed_s=elapsed,
        elevation_gain_m=gain,
        avg_hr_bpm=sum(v for _, v in hr) / len(hr) if hr else None,
        max_hr_bpm=max(v for _, v in hr) if hr else None, avg_cadence_spm=cadence,
        device=gpx.creator, name=(gpx.tracks[0].name if gpx.tracks else None) or gpx.name,
        hr_zone_s=hr_bins(hr), source_file=name, warnings=tuple(warnings),
    )]


def _steps(gpx: Any) -> list[float]:
    out = []
    for trk in gpx.tracks:
        for seg in trk.segments:
            times = [p.time for p in seg.points if p.time is not None]
            out.extend((b - a).total_seconds() for a, b in zip(times, times[1:]))
    return out


def _utc(t: datetime) -> datetime:
    if t.tzinfo is None:
        return t.replace(tzinfo=timezone.utc)
    return t.astimezone(timezone.utc)
