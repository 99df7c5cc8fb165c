"""Read FIT activity files with fitdecode: one Activity per session (multisport legs apart).

Handles chained FIT files (several headers), files whose decoding breaks after the session was
read (keeps what was read, with a warning), files without a session (distance from the records),
and files without an absolute clock (rejected: they cannot be placed on a day).
"""

from __future__ import annotations

import io
import warnings
from datetime import datetime, timedelta, timezone
from typing import Any

import fitdecode

from runload.errors import IngestError
from runload.ingest.common import hr_bins, infer_sport, sport_from_name
from runload.models import Activity, Lap, Sport

# FIT timestamps below 0x10000000 are seconds since the device powered on, not since the FIT
# epoch (FIT SDK, "date_time" type).
_FIT_EPOCH = datetime(1989, 12, 31, tzinfo=timezone.utc)
_RELATIVE_LIMIT = _FIT_EPOCH + timedelta(seconds=0x10000000)
_FOOT_SPORTS = {Sport.RUNNING, Sport.WALKING, Sport.HIKING}


def parse_fit(data: bytes, name: str) -> list[Activity]:
    """Every activity in a FIT file's bytes; :class:`IngestError` naming ``name`` if none."""
    sessions: list[dict[str, Any]] = []
    laps: list[dict[str, Any]] = []
    records: list[tuple[datetime, float | None, float | None, float | None]] = []
    hr_samples: list[tuple[datetime, float]] = []
    device: str | None = None
    local_offset_s: int | None = None
    sport_msg: str | None = None
    problem: str | None = None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader = fitdecode.FitReader(
                io.BytesIO(data), check_crc=fitdecode.CrcCheck.DISABLED,
                error_handling=fitdecode.ErrorHandling.WARN,
            )
            for frame in reader:
                if frame.frame_type != fitdecode.FIT_FRAME_DATA:
                    continue
                msg = frame.name
                if msg == "record":
                    ts = _value(frame, "timestamp")
                    if isinstance(ts, datetime):
                        dist = _value(frame, "distance")
                        speed = _value(frame, "enhanced_speed", _value(frame, "speed"))
                        hr = _value(frame, "heart_rate")
                        records.append((ts, dist, speed, hr))
                        if isinstance(hr, (int, float)):
                            hr_samples.append((ts, float(hr)))
                elif msg == "session":
                    sessions.append(_fields(frame))
                elif msg == "lap":
                    laps.append(_fields(frame))
                elif msg == "sport" and sport_msg is None:
                    sport_msg = _value(frame, "sport")
                elif msg == "file_id" and device is None:
                    device = _device_name(frame)
                elif msg == "activity":
                    ts, local = _value(frame, "timestamp"), _value(frame, "local_timestamp")
                    if isinstance(ts, datetime) and isinstance(local, (int, float)):
                        local_offset_s = int(round((_FIT_EPOCH + timedelta(seconds=local) - ts).total_seconds()))
                        if abs(local_offset_s) > 14 * 3600:
                            local_offset_s = None
    except (fitdecode.FitError, EOFError, ValueError, KeyError, IndexError) as exc:
        problem = f"decoding stopped early ({exc})"
    if not sessions and not records:
        raise IngestError(problem or "no session and no records: not an activity file", path=name)

    acts: list[Activity] = []
    if sessions:
        for i, s in enumerate(sessions):
            acts.append(_from_session(s, i, laps, records, hr_samples, device, local_offset_s, name))
    else:
        acts.append(_from_records(records, hr_samples, sport_msg, device, local_offset_s, name))
    if problem:
        acts = [_with_warning(a, problem) for a in acts]
    return acts


def _value(frame: Any, field: str, default: Any = None) -> Any:
    try:
        return frame.get_value(field, fallback=default)
    except Exception:  # fitdecode raises on odd developer fields; a missing value is fine here
        return default


def _fields(frame: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in frame.fields:
        if f.value is not None and f.name not in out:
            out[f.name] = f.value
            if f.name in ("start_time", "timestamp"):
                out[f"_{f.name}_raw"] = f.raw_value
    return out


def _device_name(frame: Any) -> str | None:
    manufacturer = _value(frame, "manufacturer")
    product = _value(frame, "garmin_product", _value(frame, "product_name", _value(frame, "product")))
    parts = [str(p) for p in (manufacturer, product) if p not in (None, "")]
    return " ".join(parts) or None


def _check_clock(start: Any, raw: Any, name: str) -> datetime:
    if not isinstance(start, datetime):
        raise IngestError("no start time in the file: cannot be placed on a day", path=name)
    if (isinstance(raw, int) and raw < 0x10000000) or start < _RELATIVE_LIMIT:
        raise IngestError(
            "start time is only seconds since the device powered on (no absolute clock): "
            "cannot be placed on a day", path=name)
    return start


def _num(d: dict[str, Any], *keys: str) -> float | None:
    for k in keys:
        v = d.get(k)
        if isinstance(v, (int, float)):
            return float(v)
    return None


def _from_session(s: dict[str, Any], index: int, laps: list[dict[str, Any]], records: list[Any],
                  hr_samples: list[tuple[datetime, float]], device: str | None,
                  offset: int | None, name: str) -> Activity:
    start = _check_clock(s.get("start_time"), s.get("_start_time_raw"), name)
    elapsed = _num(s, "total_elapsed_time")
    timer = _num(s, "total_timer_time")
    end = start + timedelta(seconds=elapsed or timer or 0)
    sport = sport_from_name(s.get("sport"))
    warnings_: list[str] = []
    inferred = False
    distance = _num(s, "total_distance")
    source = "summary"
    in_leg = [r for r in records if start <= r[0] <= end]
    if distance is None:
        dists = [r[1] for r in in_leg if isinstance(r[1], (int, float))]
        distance = (max(dists) - min(dists)) if len(dists) > 1 else 0.0
        source = "records"
    if sport is None:
        speeds = [r[2] for r in in_leg if isinstance(r[2], (int, float))]
        sport, why = infer_sport(distance, timer, speeds)
        inferred = True
        warnings_.append(why)
    cadence = _num(s, "avg_running_cadence", "avg_cadence")
    if cadence is not None:
        frac = _num(s, "avg_fractional_cadence") or 0.0
        cadence = (cadence + frac) * 2 if sport in _FOOT_SPORTS else None
    leg_laps = tuple(_lap(l, sport) for l in laps if _in(l.get("start_time"), start, end))
    return Activity(
        start_utc=start, sport=sport, sub_sport=_sub(s.get("sub_sport")), sport_inferred=inferred,
        distance_m=float(distance), distance_source=source, timer_s=timer, elapsed_s=elapsed,
        utc_offset_s=offset, elevation_gain_m=_num(s, "total_ascent"),
        avg_hr_bpm=_num(s, "avg_heart_rate"), max_hr_bpm=_num(s, "max_heart_rate"),
        avg_cadence_spm=cadence, device=device, laps=leg_laps,
        hr_zone_s=hr_bins(h for h in hr_samples if start <= h[0] <= end),
        source_file=name, leg_index=index, warnings=tuple(warnings_),
    )


def _from_records(records: list[Any], hr_samples: list[tuple[datetime, float]], sport_name: Any,
                  device: str | None, offset: int | None, name: str) -> Activity:
    start = _check_clock(records[0][0], None, name)
    end = records[-1][0]
    dists = [r[1] for r in records if isinstance(r[1], (int, float))]
    distance = (max(dists) - min(dists)) if len(dists) > 1 else 0.0
    elapsed = (end - start).total_seconds()
    warnings_ = ["no session summary in the file (interrupted?): distance and time from the records"]
    sport = sport_from_name(sport_name)
    inferred = False
    if sport is None:
        speeds = [r[2] for r in records if isinstance(r[2], (int, float))]
        sport, why = infer_sport(distance, elapsed, speeds)
        inferred = True
        warnings_.append(why)
    hrs = [h for _, h in hr_samples]
    return Activity(
        start_utc=start, sport=sport, sport_inferred=inferred, distance_m=float(distance),
        distance_source="records", timer_s=elapsed, elapsed_s=elapsed, utc_offset_s=offset,
        avg_hr_bpm=sum(hrs) / len(hrs) if hrs else None, max_hr_bpm=max(hrs) if hrs else None,
        device=device, hr_zone_s=hr_bins(hr_samples), source_file=name, warnings=tuple(warnings_),
    )


def _in(t: Any, start: datetime, end: datetime) -> bool:
    return isinstance(t, datetime) and start - timedelta(seconds=1) <= t <= end


def _sub(value: Any) -> str | None:
    return None if value in (None, "generic") else str(value)


def _lap(l: dict[str, Any], sport: Sport) -> Lap:
    cad = _num(l, "avg_running_cadence", "avg_cadence")
    return Lap(
        start_utc=l.get("start_time") if isinstance(l.get("start_time"), datetime) else None,
        distance_m=_num(l, "total_distance"), timer_s=_num(l, "total_timer_time"),
        avg_hr_bpm=_num(l, "avg_heart_rate"), max_hr_bpm=_num(l, "max_heart_rate"),
        avg_cadence_spm=cad * 2 if cad is not None and sport in _FOOT_SPORTS else None,
        avg_speed_mps=_num(l, "enhanced_avg_speed", "avg_speed"),
    )


def _with_warning(a: Activity, text: str) -> Activity:
    from dataclasses import replace

    return replace(a, warnings=(*a.warnings, text))
