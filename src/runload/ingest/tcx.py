"""Read Garmin Training Center (TCX) files, parsed safely with defusedxml.

Distance comes from the laps' ``DistanceMeters`` (the device's summary), falling back to the
track; running cadence from the ``RunCadence`` extension (per leg, doubled to steps per minute).
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import defusedxml.ElementTree as SafeET

from runload.errors import IngestError
from runload.ingest.common import hr_bins, infer_sport, sport_from_name
from runload.ingest.xmlsafe import check_xml
from runload.models import Activity, Lap, Sport


def _local(tag: str) -> str:
    return tag.split("}")[-1]


def _child(el: Any, name: str) -> Any:
    for c in el:
        if _local(c.tag) == name:
            return c
    return None


def _children(el: Any, name: str) -> list[Any]:
    return [c for c in el if _local(c.tag) == name]


def _float(el: Any) -> float | None:
    if el is None or el.text is None:
        return None
    try:
        return float(el.text.strip())
    except ValueError:
        return None


def _hr(el: Any) -> float | None:
    return _float(_child(el, "Value")) if el is not None else None


def _time(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        t = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return t.replace(tzinfo=timezone.utc) if t.tzinfo is None else t.astimezone(timezone.utc)


def _find_desc(el: Any, name: str) -> float | None:
    for c in el.iter():
        if _local(c.tag) == name:
            return _float(c)
    return None


def parse_tcx(data: bytes, name: str) -> list[Activity]:
    """Every activity in a TCX file's bytes; :class:`IngestError` naming ``name`` if none."""
    root = SafeET.fromstring(check_xml(data, name).encode("utf-8"))
    activities_el = _child(root, "Activities")
    acts = _children(activities_el, "Activity") if activities_el is not None else []
    if not acts:
        raise IngestError("no <Activity> in the file", path=name)
    out = []
    for index, act in enumerate(acts):
        out.append(_activity(act, index, name, root))
    return out


def _activity(act: Any, index: int, name: str, root: Any) -> Activity:
    laps_el = _children(act, "Lap")
    start = _time(getattr(_child(act, "Id"), "text", None)) or (
        _time(laps_el[0].get("StartTime")) if laps_el else None)
    points = [tp for lap in laps_el for trk in _children(lap, "Track") for tp in _children(trk, "Trackpoint")]
    if start is None:
        raise IngestError("no start time: cannot be placed on a day", path=name)
    sport = sport_from_name(act.get("Sport"))
    laps: list[Lap] = []
    for lap in laps_el:
        cad = _find_desc(lap, "AvgRunCadence")
        laps.append(Lap(
            start_utc=_time(lap.get("StartTime")), distance_m=_float(_child(lap, "DistanceMeters")),
            timer_s=_float(_child(lap, "TotalTimeSeconds")),
            avg_hr_bpm=_hr(_child(lap, "AverageHeartRateBpm")), max_hr_bpm=_hr(_child(lap, "MaximumHeartRateBpm")),
            avg_cadence_spm=cad * 2 if cad is not None else None,
        ))
    lap_dist = [l.distance_m for l in laps if l.distance_m is not None]
    timer = sum(l.timer_s for l in laps if l.timer_s is not None) or None
    times = [t for tp in points if (t := _time(getattr(_child(tp, "Time"), "text", None)))]
    elapsed = (times[-1] - start).total_seconds() if times else timer
    track_d = [d for tp in points if (d := _float(_child(tp, "DistanceMeters"))) is not None]
    if lap_dist and sum(lap_dist) > 0:
        distance, source = sum(lap_dist), "laps"
    elif track_d:
        distance, source = max(track_d) - min(track_d), "track"
    else:
        distance, source = 0.0, "laps"
    hr = [(t, v) for tp in points if (t := _time(getattr(_child(tp, "Time"), "text", None)))
          and (v := _hr(_child(tp, "HeartRateBpm"))) is not None]
    warnings: list[str] = []
    inferred = False
    if sport is None:
        sport, why = infer_sport(distance, timer or elapsed)
        inferred = True
        warnings.append(why)
    cads = [v for tp in points if (v := _find_desc(tp, "RunCadence")) is not None]
    if not cads and sport in (Sport.RUNNING, Sport.WALKING):
        cads = [v for tp in points if (v := _float(_child(tp, "Cadence"))) is not None]
    cadence = sum(cads) / len(cads) * 2 if cads and sport in (Sport.RUNNING, Sport.WALKING, Sport.HIKING) else None
    lap_hr = [(l.avg_hr_bpm, l.timer_s) for l in laps if l.avg_hr_bpm and l.timer_s]
    avg_hr = (sum(h * t for h, t in lap_hr) / sum(t for _, t in lap_hr)) if lap_hr else (
        sum(v for _, v in hr) / len(hr) if hr else None)
    max_hrs = [l.max_hr_bpm for l in laps if l.max_hr_bpm] or [v for _, v in hr]
    creator = _child(act, "Creator")
    device = getattr(_child(creator, "Name"), "text", None) if creator is not None else None
    return Activity(
        start_utc=start, sport=sport, sport_inferred=inferred, distance_m=float(distance),
        distance_source=source, timer_s=timer, elapsed_s=elapsed, avg_hr_bpm=avg_hr,
        max_hr_bpm=max(max_hrs) if max_hrs else None, avg_cadence_spm=cadence, device=device,
        laps=tuple(laps), hr_zone_s=hr_bins(hr), source_file=name, leg_index=index,
        warnings=tuple(warnings),
    )
