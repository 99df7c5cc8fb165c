"""Read FIT activity files: one Activity per session, so multisport legs stay apart.

Two readers fill the same :class:`~runload.ingest.fitfast.FitData`: the fast hand-written summary
reader (``fitfast``) and fitdecode's full decoder. ``parse_fit`` tries the fast one and falls back to
fitdecode when the file has no session summary (a truncated file, whose distance must come from
the records) or when the fast reader is unsure of anything. One builder turns either into
activities, so both paths apply the same rules:

- chained FIT files (several headers) are read through; multisport and triathlon files give one
  activity per session, and only legs the device calls running count as running;
- a file whose decoding breaks after the summary keeps what was read, with a warning;
- a file without a session takes distance and time from its records, with a warning;
- a file whose clock only counts seconds since the device powered on is rejected: it cannot be
  placed on a day (FIT SDK, ``date_time`` values below 0x10000000 are device-relative).
"""

from __future__ import annotations

import io
import struct
import warnings
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from typing import Any

import numpy as np

from runload.errors import IngestError
from runload.ingest.common import hr_bins_array, infer_sport, refine_sport, sport_from_name
from runload.ingest.fitfast import (
    MESG_ACTIVITY, MESG_FILE_ID, MESG_LAP, MESG_RECORD, MESG_SESSION, MESG_SPORT, FitData, FitFallback,
    read_fit_fast,
)
from runload.models import Activity, Lap, Sport

_FIT_EPOCH = datetime(1989, 12, 31, tzinfo=timezone.utc)
_FIT_EPOCH_S = _FIT_EPOCH.timestamp()
_ABSOLUTE_MIN = 0x10000000  # smaller date_time values are seconds since power-on
_FOOT_SPORTS = {Sport.RUNNING, Sport.WALKING, Sport.HIKING}
_RAW_TIME_FIELDS = {"timestamp", "start_time", "local_timestamp", "time_created"}
_SUMMARY = {MESG_FILE_ID: "file_ids", MESG_SPORT: "sports", MESG_SESSION: "sessions", MESG_LAP: "laps",
            MESG_ACTIVITY: "activities"}


def parse_fit(data: bytes, name: str, *, fast: bool = True) -> list[Activity]:
    """Every activity in a FIT file's bytes; :class:`IngestError` naming ``name`` if none.

    ``fast`` uses the summary reader when it can (the result is the same, see module docstring).
    """
    fd: FitData | None = None
    if fast:
        try:
            fd = read_fit_fast(data)
        except (FitFallback, struct.error, IndexError, ValueError):
            fd = None
        if fd is not None and not fd.sessions:
            fd = None  # no summary: the records decide, and fitdecode expands every record field
    if fd is None:
        fd = read_fit_fitdecode(data)
    return activities_from_fit(fd, name)


def read_fit_fitdecode(data: bytes) -> FitData:
    """Decode a FIT file fully with fitdecode into :class:`FitData` (the slow, general path)."""
    import fitdecode

    out = FitData(reader="fitdecode")
    t: list[float] = []
    dist: list[float] = []
    speed: list[float] = []
    hr: list[float] = []
    nan = float("nan")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader = fitdecode.FitReader(io.BytesIO(data), check_crc=fitdecode.CrcCheck.DISABLED,
                                         error_handling=fitdecode.ErrorHandling.WARN)
            for frame in reader:
                if frame.frame_type != fitdecode.FIT_FRAME_DATA:
                    continue
                gnum = frame.global_mesg_num
                if gnum == MESG_RECORD:
                    rec = _frame_dict(frame)
                    ts = rec.get("timestamp")
                    if not isinstance(ts, int):
                        continue
                    t.append(float(ts))
                    dist.append(_f(rec.get("distance"), nan))
                    speed.append(_f(rec.get("enhanced_speed", rec.get("speed")), nan))
                    hr.append(_f(rec.get("heart_rate"), nan))
                elif gnum in _SUMMARY:
                    getattr(out, _SUMMARY[gnum]).append(_frame_dict(frame))
    except Exception as exc:  # noqa: BLE001 - fitdecode raises many kinds; what was read is kept
        out.problem = _problem_words(exc, fitdecode)
    out.rec_t, out.rec_dist = np.asarray(t, dtype=float), np.asarray(dist, dtype=float)
    out.rec_speed, out.rec_hr = np.asarray(speed, dtype=float), np.asarray(hr, dtype=float)
    return out


def _problem_words(exc: Exception, fitdecode: Any) -> str:
    """Why decoding stopped, for a runner: fitdecode's own errors say where the file breaks
    ("expected 4 bytes, got 0 @ 73103"); anything else (a bare assertion inside the decoder) is
    a damaged spot it did not expect, never Python's class name."""
    if isinstance(exc, fitdecode.FitError) and str(exc):
        return str(exc)
    return "damaged data the decoder did not expect"


def _f(v: Any, default: float) -> float:
    return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else default


def _frame_dict(frame: Any) -> dict[str, Any]:
    """A fitdecode message as {main field name: value}, times raw, developer fields left out."""
    out: dict[str, Any] = {}
    for fd in frame.fields:
        if fd.field is None or (fd.field_def is not None and getattr(fd.field_def, "is_dev", False)):
            continue
        name = (fd.parent_field or fd.field).name
        value = fd.raw_value if name in _RAW_TIME_FIELDS else fd.value
        if value is None or isinstance(value, tuple) or name in out:
            continue
        out[name] = value
    return out


# ---------------------------------------------------------------- building activities
def activities_from_fit(fd: FitData, name: str) -> list[Activity]:
    """Turn what a reader found into activities (one per session); :class:`IngestError` if none."""
    if not fd.sessions and len(fd.rec_t) == 0:
        why = f"decoding failed ({fd.problem})" if fd.problem else "no session and no records: not an activity file"
        raise IngestError(why, path=name)
    device = _device(fd.file_ids)
    offset = _local_offset(fd.activities)
    file_sport = fd.sports[0] if fd.sports else {}
    multisport = len(fd.sessions) > 1
    if fd.sessions:
        acts = [_from_session(fd, s, i, file_sport if not multisport else {}, multisport, device, offset, name)
                for i, s in enumerate(fd.sessions)]
    else:
        acts = [_from_records(fd, file_sport, device, offset, name)]
    if fd.problem:
        note = f"decoding stopped early ({fd.problem}); kept what was read before"
        acts = [replace(a, warnings=(*a.warnings, note)) for a in acts]
    return acts


def _time(raw: int) -> datetime:
    return _FIT_EPOCH + timedelta(seconds=raw)


def _check_clock(raw: Any, name: str) -> int:
    if not isinstance(raw, int):
        raise IngestError("no start time in the file: cannot be placed on a day", path=name)
    if raw < _ABSOLUTE_MIN:
        raise IngestError(
            f"no absolute clock: the start time is only {raw} s since the device powered on, "
            "so the activity cannot be placed on a day", path=name)
    return raw


def _num(d: dict[str, Any], *keys: str) -> float | None:
    for k in keys:
        v = d.get(k)
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            return float(v)
    return None


def _device(file_ids: list[dict[str, Any]]) -> str | None:
    from fitdecode import profile

    fid = file_ids[0] if file_ids else {}
    manufacturer = fid.get("manufacturer")
    product = fid.get("product")
    if isinstance(product, int):
        # product numbers are named per manufacturer (FIT profile sub-fields of file_id.product)
        man_enum = profile.FIELD_TYPES["manufacturer"].enum
        for sub in profile.MESSAGE_TYPES[0].fields[2].subfields or ():
            if any(man_enum.get(ref.raw_value) == manufacturer for ref in sub.ref_fields):
                product = (getattr(sub.type, "enum", None) or {}).get(product, product)
                break
    if isinstance(product, int) and fid.get("product_name"):
        product = fid["product_name"]
    parts = [str(p) for p in (manufacturer, product) if p not in (None, "")]
    return " ".join(parts) or None


def _local_offset(activities: list[dict[str, Any]]) -> int | None:
    for a in activities:
        ts, local = a.get("timestamp"), a.get("local_timestamp")
        if isinstance(ts, int) and isinstance(local, int) and ts >= _ABSOLUTE_MIN and local >= _ABSOLUTE_MIN:
            off = int(round((local - ts) / 900.0)) * 900  # time zones are whole quarter hours
            if abs(off) <= 14 * 3600:
                return off
    return None


def _sport_of(msg: dict[str, Any], fallback: dict[str, Any]) -> tuple[Sport | None, str | None]:
    sport_name = msg.get("sport")
    sub = msg.get("sub_sport")
    if sport_from_name(sport_name) is None and fallback:
        sport_name, sub = fallback.get("sport"), fallback.get("sub_sport", sub)
    sub_name = None if sub in (None, "generic") else str(sub)
    return refine_sport(sport_from_name(sport_name), sub_name), sub_name


def _from_session(fd: FitData, s: dict[str, Any], index: int, file_sport: dict[str, Any], multisport: bool,
                  device: str | None, offset: int | None, name: str) -> Activity:
    elapsed = _num(s, "total_elapsed_time")
    timer = _num(s, "total_timer_time")
    raw_start = s.get("start_time")
    if not isinstance(raw_start, int) and isinstance(s.get("timestamp"), int) and (elapsed or timer):
        raw_start = int(s["timestamp"] - (elapsed or timer or 0))
    start_raw = _check_clock(raw_start, name)
    end_raw = start_raw + (elapsed or timer or 0)
    in_leg = (fd.rec_t >= start_raw) & (fd.rec_t <= end_raw)
    t, hr = fd.rec_t[in_leg], fd.rec_hr[in_leg]
    warnings_: list[str] = []
    sport, sub = _sport_of(s, file_sport)
    distance = _num(s, "total_distance")
    source = "summary"
    if distance is None:
        d = fd.rec_dist[in_leg]
        d = d[~np.isnan(d)]
        distance = float(d.max() - d.min()) if len(d) > 1 else 0.0
        source = "records"
    inferred = False
    if sport is None and multisport:
        # A multisport device labels the legs it has profiles for; an unlabelled leg is some other
        # discipline (paddling, say), so it is not guessed from speed.
        sport = Sport.OTHER
        warnings_.append(f"leg {index + 1} of a multisport file names no sport: counted as other")
    elif sport is None:
        sp = fd.rec_speed[in_leg]
        sport, why = infer_sport(distance, timer, sp[~np.isnan(sp)].tolist())
        inferred = True
        warnings_.append(why)
    cadence = _num(s, "avg_cadence")
    if cadence is not None:
        cadence = (cadence + (_num(s, "avg_fractional_cadence") or 0.0)) * 2 if sport in _FOOT_SPORTS else None
    avg_hr, max_hr = _num(s, "avg_heart_rate"), _num(s, "max_heart_rate")
    hr_ok = hr[~np.isnan(hr) & (hr > 0)]
    if avg_hr is None and len(hr_ok):
        avg_hr = float(hr_ok.mean())
    if max_hr is None and len(hr_ok):
        max_hr = float(hr_ok.max())
    laps = tuple(_lap(lap, sport) for lap in fd.laps
                 if isinstance(lap.get("start_time"), int) and start_raw - 1 <= lap["start_time"] <= end_raw)
    return Activity(
        start_utc=_time(start_raw), sport=sport, sub_sport=sub, sport_inferred=inferred,
        distance_m=float(distance), distance_source=source, timer_s=timer, elapsed_s=elapsed,
        utc_offset_s=offset, elevation_gain_m=_num(s, "total_ascent"), avg_hr_bpm=avg_hr, max_hr_bpm=max_hr,
        avg_cadence_spm=cadence, device=device, laps=laps, hr_zone_s=hr_bins_array(t, hr),
        source_file=name, leg_index=index, warnings=tuple(warnings_),
    )


def _from_records(fd: FitData, file_sport: dict[str, Any], device: str | None, offset: int | None,
                  name: str) -> Activity:
    t0 = _check_clock(int(fd.rec_t[0]), name)
    elapsed = float(fd.rec_t[-1] - t0)
    d = fd.rec_dist[~np.isnan(fd.rec_dist)]
    distance = float(d.max() - d.min()) if len(d) > 1 else 0.0
    warnings_ = ["no session summary in the file (interrupted?): distance and time from the records"]
    sport, sub = _sport_of(file_sport, {})
    inferred = False
    if sport is None:
        sp = fd.rec_speed[~np.isnan(fd.rec_speed)]
        sport, why = infer_sport(distance, elapsed, sp.tolist())
        inferred = True
        warnings_.append(why)
    hr = fd.rec_hr[~np.isnan(fd.rec_hr) & (fd.rec_hr > 0)]
    return Activity(
        start_utc=_time(t0), sport=sport, sub_sport=sub, sport_inferred=inferred, distance_m=distance,
        distance_source="records", timer_s=elapsed, elapsed_s=elapsed, utc_offset_s=offset,
        avg_hr_bpm=float(hr.mean()) if len(hr) else None, max_hr_bpm=float(hr.max()) if len(hr) else None,
        device=device, laps=tuple(_lap(lap, sport) for lap in fd.laps),
        hr_zone_s=hr_bins_array(fd.rec_t, fd.rec_hr), source_file=name, warnings=tuple(warnings_),
    )


def _lap(lap: dict[str, Any], sport: Sport) -> Lap:
    cad = _num(lap, "avg_cadence")
    if cad is not None:
        cad = (cad + (_num(lap, "avg_fractional_cadence") or 0.0)) * 2 if sport in _FOOT_SPORTS else None
    start = lap.get("start_time")
    return Lap(
        start_utc=_time(start) if isinstance(start, int) and start >= _ABSOLUTE_MIN else None,
        distance_m=_num(lap, "total_distance"), timer_s=_num(lap, "total_timer_time"),
        avg_hr_bpm=_num(lap, "avg_heart_rate"), max_hr_bpm=_num(lap, "max_heart_rate"),
        avg_cadence_spm=cad, avg_speed_mps=_num(lap, "enhanced_avg_speed", "avg_speed"),
    )
