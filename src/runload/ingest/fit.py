"""Read FIT activity files: one Activity per session, so multisport legs stay apart.

Two readers fill the same :class:`~runload.ingest.fitfast.FitData`: the fast hand-written summary
reader (``fitfast``) and fitdecode's full decoder. ``parse_fit`` uses the fast one, also for a file
without a session summary (a truncated file, whose distance comes from the records), and falls back
to fitdecode only when the fast reader is unsure of anything or finds nothing. One builder turns
either into activities, so both paths apply the same rules:

- chained FIT files (several headers) are read through; multisport and triathlon files give one
  activity per session, and only legs the device calls running count as running;
- a file whose decoding breaks after the summary keeps what was read, with a warning;
- a file without a session takes distance and time from its records, with a warning;
- a file whose clock only counts seconds since the device powered on is rejected: it cannot be
  placed on a day (FIT SDK, ``date_time`` values below 0x10000000 are device-relative);
- the UTC offset is the one the file records (the activity message's local time, written at its
  end), with the instant it was recorded so the importer can carry it back to the start across a
  daylight-saving change; a local time of 0 (Zwift) is no offset;
- a session whose end equals its start takes its times from its records; values no device
  produces (a distance of 42,949 km, an elapsed time of weeks) are dropped with a warning;
- a sport the file does not name is inferred from how the activity moved, and a leg labelled
  running at a ride's speed gets a warning (:mod:`runload.ingest.common`).
"""

from __future__ import annotations

import io
import math
import re
import struct
import warnings
from dataclasses import replace
from functools import lru_cache
from datetime import datetime, timedelta, timezone
from collections.abc import Iterable
from typing import Any

import fitdecode
import numpy as np
from fitdecode import profile

from runload.errors import IngestError
from runload.ingest.common import (
    LATEST_S, MAX_ACTIVITY_S, MAX_SPEED_MPS, MAX_STEP_S, clean_cumulative, every_second, hr_bins_array, kept,
    motion, plausible_times, refine_sport, settle_sport, sport_from_name,
)
from runload.ingest.fitfast import MESG_RECORD, SUMMARY_LISTS, FitData, FitFallback, read_fit_fast
from runload.ingest.packing import new_lap
from runload.models import Activity, Lap, Sport

_FIT_EPOCH = datetime(1989, 12, 31, tzinfo=timezone.utc)
_FIT_EPOCH_S = _FIT_EPOCH.timestamp()
_ABSOLUTE_MIN = 0x10000000  # smaller date_time values are seconds since power-on
_LATEST_RAW = int(LATEST_S - _FIT_EPOCH.timestamp())  # 2100: a later date is damage, not a recording
_FOOT_SPORTS = {Sport.RUNNING, Sport.WALKING, Sport.HIKING}
_RAW_TIME_FIELDS = {"timestamp", "start_time", "local_timestamp", "time_created"}


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
        if fd is not None and not fd.sessions and len(fd.rec_t) == 0:
            fd = None  # nothing found at all: fitdecode may know a layout this reader does not
    if fd is None:
        fd = read_fit_fitdecode(data)
    return activities_from_fit(fd, name)


def read_fit_fitdecode(data: bytes) -> FitData:
    """Decode a FIT file fully with fitdecode into :class:`FitData` (the slow, general path)."""
    out = FitData(reader="fitdecode")
    t: list[float] = []
    dist: list[float] = []
    speed: list[float] = []
    hr: list[float] = []
    cad: list[float] = []
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
                    cad.append(_f(rec.get("cadence"), nan))
                elif gnum in SUMMARY_LISTS:
                    getattr(out, SUMMARY_LISTS[gnum]).append(_frame_dict(frame))
    except Exception as exc:  # noqa: BLE001 - fitdecode raises many kinds; what was read is kept
        out.problem = _problem_words(exc, fitdecode)
    out.rec_t, out.rec_dist = np.asarray(t, dtype=float), np.asarray(dist, dtype=float)
    out.rec_speed, out.rec_hr = np.asarray(speed, dtype=float), np.asarray(hr, dtype=float)
    out.rec_cad = np.asarray(cad, dtype=float)
    return out


def _problem_words(exc: Exception, fitdecode: Any) -> str:
    """Why decoding stopped, for a runner, in words: fitdecode's own errors ("expected 4 bytes,
    got 0 @ 73103", "local mesg 10 not defined") give where the file breaks, never its wording;
    anything else (a bare assertion inside the decoder) is a damaged spot it did not expect,
    never Python's class name."""
    text = str(exc) if isinstance(exc, fitdecode.FitError) else ""
    where = re.search(r"@\s*(\d+)", text)
    at = f" at byte {int(where.group(1)):,}" if where else ""
    lower = text.lower()
    if "expected" in lower and "got" in lower:
        return f"the file ends early or is cut{at}"
    if "crc" in lower:
        return f"its checksum does not match: the data is damaged{at}"
    if "not defined" in lower or "undefined" in lower or "definition" in lower:
        return f"a message{at} uses a layout the file never defined (damaged data)"
    return f"damaged data the decoder did not expect{at}"


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
# What a device can record in one session; a value outside is damage, dropped with a warning.
_BOUNDS = {"distance": (0.0, 2_000_000.0), "time": (0.0, MAX_ACTIVITY_S), "heart rate": (1.0, 255.0),
           "cadence": (0.0, 255.0), "ascent": (0.0, 20_000.0), "speed": (0.0, 100.0)}
_LAP_BOUNDS = tuple(_BOUNDS[kind] for kind in ("distance", "time", "heart rate", "cadence", "speed"))  # a lap's numbers


def activities_from_fit(fd: FitData, name: str) -> list[Activity]:
    """Turn what a reader found into activities (one per session); :class:`IngestError` if none."""
    if not fd.sessions and len(fd.rec_t) == 0:
        why = f"decoding failed ({fd.problem})" if fd.problem else "no session and no records: not an activity file"
        raise IngestError(why, path=name)
    fd, copies = _without_copies(fd)
    device = _device(fd.file_ids)
    offset = _local_offset(fd.activities)
    file_sport = fd.sports[0] if fd.sports else {}
    multisport = len(fd.sessions) > 1
    if fd.sessions:
        starts = [_session_start(s) for s in fd.sessions]
        acts = [_from_session(fd, s, i, file_sport if not multisport else {}, multisport, device, offset, name,
                              _next_start(starts, i))
                for i, s in enumerate(fd.sessions)]
    else:
        acts = [_from_records(fd, file_sport, device, offset, name)]
    if fd.problem:
        note = f"decoding stopped early ({fd.problem}); kept what was read before"
        acts = [replace(a, warnings=(*a.warnings, note)) for a in acts]
    if copies:
        note = f"the file repeats its session {copies:,} times (copies chained or a damaged file): read once"
        acts = [replace(a, warnings=(*a.warnings, note)) for a in acts]
    return acts


def _message_key(msg: dict[str, Any]) -> str:
    return repr(sorted(msg.items(), key=lambda kv: kv[0]))


def _unique(msgs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The messages, each identical copy after the first left out (in file order). Copies share
    their field count and times, so only messages that share those are compared in full."""
    seen: dict[object, set[str] | None] = {}  # field count and times -> full keys (None: not yet needed)
    first: dict[object, dict[str, Any]] = {}
    out = []
    for msg in msgs:
        ts, start = msg.get("timestamp"), msg.get("start_time")
        # as they are when both are plain whole numbers (the usual times), else as written
        brief: object = ((len(msg), ts, start) if ts.__class__ is int and start.__class__ is int
                         else repr((len(msg), ts, start)))
        if brief not in seen:
            seen[brief] = None
            first[brief] = msg
            out.append(msg)
            continue
        keys = seen[brief]
        if keys is None:
            keys = seen[brief] = {_message_key(first[brief])}
        key = _message_key(msg)
        if key not in keys:
            keys.add(key)
            out.append(msg)
    return out


def _without_copies(fd: FitData) -> tuple[FitData, int]:
    """``fd`` with identical session and lap messages read once, and how many session copies were
    left out: a file whose session message is repeated (1,000 times), or a chain of copies of one
    activity file, holds one activity, not a thousand. Once a session was repeated, records
    repeated at one instant are copies too (kept once, in time order), so what follows costs the
    size of one copy, not copies times copies."""
    sessions = _unique(fd.sessions)
    if len(sessions) == len(fd.sessions):
        laps = _unique(fd.laps)
        return (fd if len(laps) == len(fd.laps) else replace(fd, laps=laps)), 0
    out = replace(fd, sessions=sessions, laps=_unique(fd.laps))
    if len(fd.rec_t):
        _, first = np.unique(fd.rec_t, return_index=True)  # sorted by time, the first record at each
        out = replace(out, rec_t=fd.rec_t[first], rec_dist=fd.rec_dist[first], rec_speed=fd.rec_speed[first],
                      rec_hr=fd.rec_hr[first], rec_cad=fd.rec_cad[first] if len(fd.rec_cad) else fd.rec_cad)
    return out, len(fd.sessions) - len(sessions)


def _time(raw: float) -> datetime:
    return _FIT_EPOCH + timedelta(0, raw)  # (days, seconds): positional is quicker than by name


def _check_clock(value: Any, name: str) -> int:
    if not isinstance(value, (int, np.integer)):
        raise IngestError("no start time in the file: cannot be placed on a day", path=name)
    raw = int(value)
    if raw < _ABSOLUTE_MIN:
        raise IngestError(
            f"no absolute clock: the start time is only {raw} s since the device powered on, "
            "so the activity cannot be placed on a day", path=name)
    if raw >= _LATEST_RAW:
        raise IngestError(f"the start time is in {_time(raw).year}: not a date a device recorded", path=name)
    return raw


def _num(d: dict[str, Any], *keys: str) -> float | None:
    for k in keys:
        v = d.get(k)
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            return float(v)
    return None


def _value(d: dict[str, Any], keys: tuple[str, ...], kind: str, notes: list[str] | None) -> float | None:
    """A field's value when it is finite and within what a device records, else None (with a note)."""
    for key in keys:  # _num, inlined: a file's laps ask for thousands of values
        raw = d.get(key)
        if isinstance(raw, (int, float)) and not isinstance(raw, bool):
            v = float(raw)
            break
    else:
        return None
    lo, hi = _BOUNDS[kind]
    if kind == "heart rate" and v == 0:
        return None  # no heart rate recorded, not a heart rate of 0
    if math.isfinite(v) and lo <= v <= hi:
        return v
    if notes is not None:
        notes.append(f"impossible {keys[0].replace('_', ' ')} in the file ({v:g}) ignored")
    return None


def _device(file_ids: list[dict[str, Any]]) -> str | None:
    fid = file_ids[0] if file_ids else {}
    manufacturer = fid.get("manufacturer")
    product = fid.get("product")
    if isinstance(product, int):
        product = _product_name(manufacturer, product)
    if isinstance(product, int) and fid.get("product_name"):
        product = fid["product_name"]
    parts = [str(p) for p in (manufacturer, product) if p not in (None, "")]
    return " ".join(parts) or None


@lru_cache(maxsize=1024, typed=True)
def _product_name(manufacturer: object, product: int) -> str | int:
    """A product number's name for its manufacturer (FIT profile sub-fields of file_id.product),
    or the number when the profile names none; worked out once per device."""
    man_enum = profile.FIELD_TYPES["manufacturer"].enum
    for sub in profile.MESSAGE_TYPES[0].fields[2].subfields or ():
        if any(man_enum.get(ref.raw_value) == manufacturer for ref in sub.ref_fields):
            name: str | int = (getattr(sub.type, "enum", None) or {}).get(product, product)
            return name
    return product


def _local_offset(activities: list[dict[str, Any]]) -> tuple[int, datetime] | None:
    """The UTC offset the file records and when: the activity message's local time (written at
    the activity's end). A local time of 0 or any device-relative value (Zwift) is no offset."""
    for a in activities:
        ts, local = a.get("timestamp"), a.get("local_timestamp")
        if isinstance(ts, int) and isinstance(local, int) and ts >= _ABSOLUTE_MIN and local >= _ABSOLUTE_MIN:
            off = int(round((local - ts) / 900.0)) * 900  # time zones are whole quarter hours
            if abs(off) <= 14 * 3600:
                return off, _time(ts)
    return None


def _sport_of(msg: dict[str, Any], fallback: dict[str, Any]) -> tuple[Sport | None, str | None]:
    sport_name = msg.get("sport")
    sub = msg.get("sub_sport")
    if sport_from_name(sport_name) is None and fallback:
        sport_name, sub = fallback.get("sport"), fallback.get("sub_sport", sub)
    sub_name = None if sub in (None, "generic") else str(sub)
    return refine_sport(sport_from_name(sport_name), sub_name), sub_name


def _session_start(s: dict[str, Any]) -> int | None:
    raw = s.get("start_time")
    if isinstance(raw, int) and raw >= _ABSOLUTE_MIN:
        return raw
    ts = s.get("timestamp")
    span = _value(s, ("total_elapsed_time",), "time", None) or _value(s, ("total_timer_time",), "time", None)
    if isinstance(ts, int) and ts >= _ABSOLUTE_MIN and span:
        return int(ts - span)
    return raw if isinstance(raw, int) else None


def _next_start(starts: list[int | None], i: int) -> float:
    start = starts[i]
    later = [s for s in starts[i + 1:] if s is not None and start is not None and s > start]
    return float(min(later)) if later else math.inf


def _cumulative(t: np.ndarray, dist: np.ndarray, speed: np.ndarray) -> np.ndarray:
    """Cumulative distance of records from 0: the device's own (without impossible steps), else
    its speed integrated over time."""
    if len(t) < 2 or not (math.isnan(dist[0]) or math.isnan(dist[-1])) or np.count_nonzero(~np.isnan(dist)) >= 2:
        return clean_cumulative(t, dist)
    v = np.where(np.isnan(speed) | (speed > MAX_SPEED_MPS), 0.0, speed)
    dt = np.clip(np.diff(t), 0.0, MAX_STEP_S)
    return np.concatenate(([0.0], np.cumsum(v[1:] * dt)))


def _from_session(fd: FitData, s: dict[str, Any], index: int, file_sport: dict[str, Any], multisport: bool,
                  device: str | None, offset: tuple[int, datetime] | None, name: str, next_start: float) -> Activity:
    notes: list[str] = []
    elapsed = _value(s, ("total_elapsed_time",), "time", notes)
    timer = _value(s, ("total_timer_time",), "time", notes)
    start_raw = _session_start(s)
    if (start_raw is None or start_raw < _ABSOLUTE_MIN) and not multisport:
        absolute = fd.rec_t[(fd.rec_t >= _ABSOLUTE_MIN) & (fd.rec_t < _LATEST_RAW)]
        if len(absolute):  # the session's own start is missing or device-relative: the records are dated
            start_raw = int(absolute[0])
            notes.append("the session's start time is missing or not a date: start taken from the records")
    start_raw = _check_clock(start_raw, name)
    end_raw = start_raw + (elapsed or timer or 0)
    if end_raw <= start_raw:
        # some devices write a session whose end equals its start: its records tell how long it was
        after = fd.rec_t[(fd.rec_t >= start_raw) & (fd.rec_t < min(next_start, start_raw + MAX_ACTIVITY_S))]
        if len(after) >= 2:
            end_raw = float(after[-1])
            elapsed = end_raw - start_raw
            timer = timer or elapsed
            notes.append("the session's end equals its start: its times come from the records")
    if timer is not None and (elapsed is None or timer > elapsed + 1):
        elapsed = timer  # elapsed time is never shorter than the time the timer ran
    rec_t = fd.rec_t
    arrays = (rec_t, fd.rec_hr, fd.rec_dist, fd.rec_speed, *((fd.rec_cad,) if len(fd.rec_cad) else ()))
    steady = every_second(rec_t)  # (records one a second ascend: the first is the earliest, the last the latest)
    if not (len(rec_t) and (rec_t[0] if steady else rec_t.min()) >= start_raw
            and (rec_t[-1] if steady else rec_t.max()) <= end_raw):  # (usually every record is in)
        arrays = kept((rec_t >= start_raw) & (rec_t <= end_raw), *arrays)
        steady = every_second(arrays[0])
    t, hr, dist, speed, *cad = arrays
    sport, sub = _sport_of(s, file_sport)
    distance = _value(s, ("total_distance",), "distance", notes)
    source = "summary"
    cum = _cumulative(t, dist, speed)
    if distance is None:
        d = cum[~np.isnan(cum)]
        distance = float(d.max() - d.min()) if len(d) > 1 else 0.0
        source = "records"
    gain = _value(s, ("total_ascent",), "ascent", notes)
    m = motion(t, cum, distance_m=distance, moving_s=timer, cadence=cad[0] if cad else None, gain_m=gain,
               one_a_second=steady)
    inferred = False
    if sport is None and multisport:
        # A multisport device labels the legs it has profiles for; an unlabelled leg is some other
        # discipline (paddling, say), so it is not guessed from speed.
        sport = Sport.OTHER
        notes.append(f"leg {index + 1} of a multisport file names no sport: counted as other")
    else:
        sport, inferred = settle_sport(sport, m, notes)
    cadence = _value(s, ("avg_cadence",), "cadence", notes)
    if cadence is not None:
        cadence = (cadence + (_num(s, "avg_fractional_cadence") or 0.0)) * 2 if sport in _FOOT_SPORTS else None
    avg_hr = _value(s, ("avg_heart_rate",), "heart rate", notes)
    max_hr = _value(s, ("max_heart_rate",), "heart rate", notes)
    if avg_hr is None or max_hr is None:  # the session does not say: from the records
        hr_ok = hr[~np.isnan(hr) & (hr > 0)]
        if avg_hr is None and len(hr_ok):
            avg_hr = float(hr_ok.mean())
        if max_hr is None and len(hr_ok):
            max_hr = float(hr_ok.max())
    laps = _laps((lap for lap in fd.laps
                  if isinstance(lap.get("start_time"), int) and start_raw - 1 <= lap["start_time"] <= end_raw), sport)
    return Activity(
        start_utc=_time(start_raw), sport=sport, sub_sport=sub, sport_inferred=inferred,
        distance_m=float(distance), distance_source=source, timer_s=timer, elapsed_s=elapsed,
        utc_offset_s=offset[0] if offset else None, offset_recorded_utc=offset[1] if offset else None,
        elevation_gain_m=gain, avg_hr_bpm=avg_hr, max_hr_bpm=max_hr,
        avg_cadence_spm=cadence, device=device, laps=laps, hr_zone_s=hr_bins_array(t, hr, one_a_second=steady),
        source_file=name, leg_index=index, warnings=tuple(notes),
        rpe=_session_rpe(s),
    )


def _session_rpe(s: dict[str, Any]) -> float | None:
    """Session RPE from the session's ``workout_rpe`` (Garmin writes Borg's CR-10 scale times 10;
    ``workout_feel`` is how the workout felt, 0-100, not an exertion, and is not used)."""
    raw = _num(s, "workout_rpe")
    return raw / 10.0 if raw is not None and 0 <= raw <= 100 else None


def _from_records(fd: FitData, file_sport: dict[str, Any], device: str | None, offset: tuple[int, datetime] | None,
                  name: str) -> Activity:
    dated = (fd.rec_t >= _ABSOLUTE_MIN) & (fd.rec_t < _LATEST_RAW)
    if not dated.any():
        _check_clock(int(fd.rec_t[0]), name)
    notes = ["no session summary in the file (interrupted?): distance and time from the records"]
    near = dated & plausible_times(np.where(dated, fd.rec_t, np.nan))
    if (dated & ~near).any():
        notes.append(f"{int((dated & ~near).sum())} records dated days away from the others ignored")
    dated = near
    order = np.argsort(fd.rec_t[dated], kind="stable")
    t = fd.rec_t[dated][order]
    t0 = int(t[0])
    elapsed = float(t[-1] - t0)
    cum = _cumulative(t, fd.rec_dist[dated][order], fd.rec_speed[dated][order])
    d = cum[~np.isnan(cum)]
    distance = float(d.max() - d.min()) if len(d) > 1 else 0.0
    if not 0.0 < distance <= _BOUNDS["distance"][1]:
        laps_d = [v for lap in fd.laps if (v := _value(lap, ("total_distance",), "distance", None)) is not None]
        distance = min(float(sum(laps_d)), _BOUNDS["distance"][1])
    lap_sport = next((lap for lap in fd.laps if sport_from_name(lap.get("sport")) is not None), {})
    sport, sub = _sport_of(file_sport, lap_sport)
    steady = every_second(t)
    m = motion(t, cum, distance_m=distance, cadence=fd.rec_cad[dated][order] if len(fd.rec_cad) else None,
               one_a_second=steady)
    timer = min(m.moving_s, elapsed) if m.moving_s else elapsed
    sport, inferred = settle_sport(sport, m, notes)
    hr_all = fd.rec_hr[dated][order]
    hr = hr_all[~np.isnan(hr_all) & (hr_all > 0)]
    return Activity(
        start_utc=_time(t0), sport=sport, sub_sport=sub, sport_inferred=inferred, distance_m=distance,
        distance_source="records", timer_s=timer, elapsed_s=elapsed,
        utc_offset_s=offset[0] if offset else None, offset_recorded_utc=offset[1] if offset else None,
        avg_hr_bpm=float(hr.mean()) if len(hr) else None, max_hr_bpm=float(hr.max()) if len(hr) else None,
        device=device, laps=_laps(fd.laps, sport),
        hr_zone_s=hr_bins_array(t, hr_all, one_a_second=steady), source_file=name, warnings=tuple(notes),
    )


def _laps(msgs: Iterable[dict[str, Any]], sport: Sport) -> tuple[Lap, ...]:
    """The laps of these lap messages: each value as :func:`_value` takes it (a number, finite and
    within what a device records, else None; a lap's are dropped without a note), read with as few
    Python steps as can be: a file's laps ask for thousands of values. A plain int or float within
    its bounds (the usual value) is taken at once, anything else as :func:`_within` takes it (an int
    compares with the bounds as its float does: they are far below 2**53); None (not written) at
    once too. Each of Lap's numbers is written out in turn rather than looped over: fewer steps."""
    foot = sport in _FOOT_SPORTS
    (d_lo, d_hi), (t_lo, t_hi), (h_lo, h_hi), (c_lo, c_hi), (s_lo, s_hi) = _LAP_BOUNDS
    laps = []
    for lap in msgs:
        get = lap.get
        v = get("total_distance")
        distance = float(v) if (v.__class__ is float or v.__class__ is int) and d_lo <= v <= d_hi else _within(v, d_lo, d_hi)
        v = get("total_timer_time")
        timer = float(v) if (v.__class__ is float or v.__class__ is int) and t_lo <= v <= t_hi else _within(v, t_lo, t_hi)
        v = get("avg_heart_rate")
        avg_hr = float(v) if (v.__class__ is float or v.__class__ is int) and h_lo <= v <= h_hi else _within(v, h_lo, h_hi)
        v = get("max_heart_rate")
        max_hr = float(v) if (v.__class__ is float or v.__class__ is int) and h_lo <= v <= h_hi else _within(v, h_lo, h_hi)
        v = get("avg_cadence")
        cad = float(v) if (v.__class__ is float or v.__class__ is int) and c_lo <= v <= c_hi else _within(v, c_lo, c_hi)
        if cad is not None:
            if foot:
                frac = get("avg_fractional_cadence")  # (_num, inlined)
                cad = (cad + (float(frac) if frac is not None and _is_number(frac) and frac else 0.0)) * 2
            else:
                cad = None
        v = get("enhanced_avg_speed")
        if v is None or not _is_number(v):
            v = get("avg_speed")
        speed = None if v is None else float(v) if (v.__class__ is float or v.__class__ is int) and s_lo <= v <= s_hi \
            else _within(v, s_lo, s_hi)
        start = get("start_time")
        # (_time inlined)
        laps.append(new_lap(_FIT_EPOCH + timedelta(0, start) if isinstance(start, int) and start >= _ABSOLUTE_MIN else None,
                            distance, timer, avg_hr, max_hr, cad, speed))
    return tuple(laps)


def _is_number(raw: Any) -> bool:
    return raw.__class__ is float or raw.__class__ is int or (isinstance(raw, (int, float)) and not isinstance(raw, bool))


def _within(raw: Any, lo: float, hi: float) -> float | None:
    """``raw`` as a float when it is a number within [lo, hi] (bounds finite, so NaN and the
    infinities fall outside; a heart rate of 0, no heart rate, is below its bound of 1)."""
    if raw.__class__ is float or raw.__class__ is int or (isinstance(raw, (int, float)) and not isinstance(raw, bool)):
        v = float(raw)
        return v if lo <= v <= hi else None
    return None
