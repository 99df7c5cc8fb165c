"""Physical bounds: what a person's recorded activity can be, checked at the store's door.

Damaged or hostile files carry values no runner can produce: a start in the year 9999, a run of
42,949 km in 57 s, an elapsed time of -297,351 h, an infinite distance, a heart rate of 900 bpm.
:func:`check_activity` is the one check every activity passes before it is stored (the importer
calls it; :meth:`runload.store.Store.insert_activity` refuses what it would refuse), and
:func:`plausible_activity` is what code reading a store calls to ignore rows that an older runload
let in. Each bound says why it is where it is, so a runner reading a refusal can judge it.

Three outcomes, for three kinds of damage:

- **refused** (the activity cannot be used at all): no start time that can be placed on a day,
  a distance that is not a finite non-negative number or is beyond any sport, an average speed
  beyond any vehicle a watch is worn in;
- **value dropped** with a warning (the activity is fine without it): a negative or two-day
  duration, a heart rate or cadence no body produces, an impossible climb, a bad lap value;
- **not counted as running** with a warning: a "run" faster than the world record for its
  distance, longer than anyone has run in two days, or a distance with no time (its distance or
  its time must be wrong, and either would make the running load a fiction). The sport becomes ``unknown`` on import;
  a person who knows better sets it back with ``runload activity set-sport``, and their word
  stands when the store is read.

What one activity can be is not all: :func:`period_problem` bounds what a day and a week of
running can hold together (24 hours of running in a day, the six-day record in a week).

This module has no dependencies beyond the standard library, :mod:`runload.models` and
:mod:`runload.textsafe`, so the store, the importer and the analysis can all use it.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from itertools import chain
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta, timezone, tzinfo
from operator import attrgetter
from typing import cast

from runload.models import HR_BIN_WIDTHS, Activity, Lap, Sport
from runload.textsafe import inline
from runload.textsafe import unsafe_char as _unsafe

# ---------------------------------------------------------------- the bounds
# The FIT epoch (1989-12-31T00:00Z) is what a zeroed clock reads (Zwift writes local time 0); GPS
# watches date from the 1990s. "Tomorrow" leaves room for a time zone ahead of this machine's.
EARLIEST_START_UTC = datetime(1989, 12, 31, tzinfo=timezone.utc)
LATEST_AHEAD = timedelta(days=1)
# An activity is shorter than two days: the longest continuous races (200-mile trails) are split
# by sleep, and a watch left recording for days is not one activity.
MAX_DURATION_S = 2 * 86_400.0
# The largest distance anything a watch records covers in two days (a car at 200 km/h), and the
# fastest average speed of any vehicle a watch is worn in (a train at 360 km/h).
MAX_DISTANCE_M = 10_000_000.0
MAX_SPEED_MPS = 100.0
# Heart rates: the lowest resting rates recorded are in the upper 20s, the highest maxima near 220.
MIN_HR_BPM, MAX_HR_BPM = 25.0, 250.0
# Cadence (steps, strokes or pedal turns per minute): sprinters reach about 280 steps/min briefly.
MAX_CADENCE = 300.0
# Climbing more than 20 km in two days is beyond the vertical-kilometre records.
MAX_ELEVATION_GAIN_M = 20_000.0
# Session RPE is on Borg's CR-10 scale: 0 (rest) to 10 (maximal).
MIN_RPE, MAX_RPE = 0.0, 10.0
MAX_UTC_OFFSET_S = 14 * 3600  # UTC-12 to UTC+14
MAX_LAPS = 5_000  # 2 days of 1 km laps by car would be fewer; more is a damaged file
# Text kept from a file (names, device strings, gear): a name is a line, not a document.
MAX_NAME_CHARS = 200
MAX_SHORT_TEXT_CHARS = 100
MAX_PATH_CHARS = 1_000
MAX_WARNING_CHARS = 300
MAX_WARNINGS = 40

# Men's world records (distance m, time s), the fastest anyone has covered each distance on foot:
# 100 m 9.58, 200 m 19.19, 400 m 43.03, 800 m 1:40.91, 1500 m 3:26.00, 5000 m 12:35.36,
# 10,000 m 26:11.00, half marathon 57:31, marathon 2:00:35, 100 km 6:09:14, 24 h 319.6 km,
# 48 h 473.5 km (World Athletics; IAU for 24 h and 48 h).
_RUN_RECORDS = ((100, 9.58), (200, 19.19), (400, 43.03), (800, 100.91), (1500, 206.0), (5000, 755.36),
                (10_000, 1571.0), (21_097.5, 3451.0), (42_195, 7235.0), (100_000, 22_154.0),
                (319_614, 86_400.0), (473_495, 172_800.0))
# GPS distance can run long (a jump through a tunnel, trees): a run is judged impossible only when
# it beats the record for its distance by more than this.
RUN_RECORD_MARGIN = 1.25
_LOG_D = [math.log(d) for d, _ in _RUN_RECORDS]
_V = [d / t for d, t in _RUN_RECORDS]

# Other sports: the fastest average speed and the longest two-day distance each sport allows,
# from their records with a margin (race walking 20 km at 4.4 m/s; 50 m freestyle 2.4 m/s;
# rowing eights 2 km at 6.0 m/s; the cycling hour record 15.8 m/s, with long descents and
# drafting above it). Beyond them the sport's label cannot be right.
_SPORT_BOUNDS: dict[Sport, tuple[float, float]] = {  # sport: (max average m/s, max distance m)
    Sport.WALKING: (5.5, 500_000.0),
    Sport.HIKING: (5.5, 500_000.0),
    Sport.SWIMMING: (3.0, 300_000.0),
    Sport.ROWING: (7.5, 1_000_000.0),
    Sport.CYCLING: (25.0, 2_500_000.0),
}
MAX_RUN_DISTANCE_M = 500_000.0
# What a day and a week of running can hold. A day has 24 hours: more running time in one day
# means runs counted twice. A week: the six-day record is 1,036.8 km (Y. Kouros, Colac 2005) and
# the 24-hour record 319.6 km (A. Sorokin, 2022); six days at the one and a seventh at the other
# is 1,356 km, so no one has run 1,400 km in a calendar week.
MAX_DAY_RUNNING_S = 86_400.0
MAX_WEEK_RUN_M = 1_400_000.0


def max_running_speed_mps(distance_m: float) -> float:
    """The fastest average speed runload believes for a run of ``distance_m``: the world record
    pace for that distance (interpolated in log-distance between records) times the GPS margin."""
    if distance_m <= _RUN_RECORDS[0][0]:
        v = _V[0]
    elif distance_m >= _RUN_RECORDS[-1][0]:
        v = _V[-1]
    else:
        x = math.log(distance_m)
        i = bisect_left(_LOG_D, x)
        f = (x - _LOG_D[i - 1]) / (_LOG_D[i] - _LOG_D[i - 1])
        v = _V[i - 1] + f * (_V[i] - _V[i - 1])
    return v * RUN_RECORD_MARGIN


def latest_start_utc(now: datetime | None = None) -> datetime:
    """The latest start time an activity may have: tomorrow, by this machine's clock."""
    return (now or datetime.now(timezone.utc)) + LATEST_AHEAD


# ---------------------------------------------------------------- the check
@dataclass(frozen=True)
class Checked:
    """What :func:`check_activity` made of an activity.

    ``activity`` is what may be stored (values outside the bounds dropped, each drop also in
    ``notes`` and in the activity's warnings), or None when ``problem`` says why it is refused.
    """

    activity: Activity | None
    problem: str | None = None
    notes: tuple[str, ...] = ()


def _finite(x: object) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


def _num(x: object) -> str:
    """A number as a runner reads it in a message (never 'nan' in Python's spelling)."""
    if not isinstance(x, (int, float)) or isinstance(x, bool):
        return repr(x)
    if math.isnan(x):
        return "not a number"
    if math.isinf(x):
        return "infinite"
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:g}"


def _hours(seconds: float) -> str:
    if not math.isfinite(seconds):
        return _num(seconds)
    return f"{seconds / 3600:,.1f} h" if abs(seconds) >= 3600 else f"{seconds:,.0f} s"


def clean_text(text: object, limit: int = MAX_NAME_CHARS) -> str | None:
    """A text field as stored: None stays None, anything longer than ``limit`` characters is cut
    (with an ellipsis) so a 200 MB track name cannot follow every later command around, and
    control characters (C0, C1, bidi overrides: U+0085, U+009B, U+202E in a GPX ``<name>``) are
    escaped as the command line shows them (:func:`runload.textsafe.inline`), so text from a file
    reaches a terminal, a CSV export or a page as text from the command line does."""
    if text is None:
        return None
    s = str(text)
    # isprintable (C speed) is False for every control, format and separator character: the
    # common case costs no regular expression
    if not s.isprintable() and _unsafe(s[: limit]) is not None:
        s = inline(s[: limit])
    return s if len(s) <= limit else s[: limit - 1] + "\u2026"


def clip_text(a: Activity) -> Activity:
    """``a`` with its text fields cut to the stored lengths (nothing else checked); ``a`` itself
    when none needs it (a reader's own text: no copy of the activity)."""
    name, gear = clean_text(a.name), clean_text(a.gear)
    device, sub = clean_text(a.device, MAX_SHORT_TEXT_CHARS), clean_text(a.sub_sport, MAX_SHORT_TEXT_CHARS)
    warnings = tuple(clean_text(w, MAX_WARNING_CHARS) or "" for w in a.warnings)[:MAX_WARNINGS]
    if (name is a.name and gear is a.gear and device is a.device and sub is a.sub_sport
            and type(a.warnings) is tuple and len(warnings) == len(a.warnings)
            and all(w is v for w, v in zip(warnings, a.warnings, strict=True))):
        return a
    return replace(a, name=name, gear=gear, device=device, sub_sport=sub, warnings=warnings)


def _duration(value: float | None, what: str, notes: list[str]) -> float | None:
    if value is None:
        return None
    if not _finite(value):
        notes.append(f"{what} is {_num(value)}: dropped")
        return None
    if value < 0:
        notes.append(f"{what} of {_hours(value)} is negative: dropped")
        return None
    if value >= MAX_DURATION_S:
        notes.append(f"{what} of {_hours(value)} is longer than two days: dropped")
        return None
    return float(value)


def _in_range(value: float | None, low: float, high: float) -> float | None:
    """``value`` when finite and within [low, high], else None (dropped)."""
    if value is None:
        return None
    if not _finite(value) or not low <= value <= high:
        return None
    return float(value)


def _start_problem(start: object, now: datetime | None) -> str | None:
    if not isinstance(start, datetime) or start.tzinfo is None:
        return "no start time that can be placed on a day"
    if start <= EARLIEST_START_UTC:
        return (f"starts on {start.year:04d}-{start.month:02d}-{start.day:02d}, before 1990: a clock that was never set "
                "(or a damaged date), so it cannot be placed on a day")
    if start > latest_start_utc(now):
        return f"starts on {start.year:04d}-{start.month:02d}-{start.day:02d}, in the future: a damaged date"
    return None


# The values :func:`check_activity` drops when outside their bounds, in a runner's words.
_WORDS = {"avg_hr_bpm": "average heart rate", "max_hr_bpm": "maximum heart rate", "avg_cadence_spm": "cadence",
          "elevation_gain_m": "climb", "rpe": "session RPE (0-10 scale)"}


def check_activity(a: Activity, *, now: datetime | None = None, relabel: bool = True) -> Checked:
    """Check one activity against the physical bounds (see the module docstring).

    ``now`` is the clock for "tomorrow" (default: this machine's). ``relabel=False`` keeps the
    sport as it is (only the refusal is of interest, as in :func:`plausible_activity`).
    """
    now = now or datetime.now(timezone.utc)
    problem = _start_problem(a.start_utc, now)
    if problem:
        return Checked(None, problem)
    if not _finite(a.distance_m):
        return Checked(None, f"its distance is {_num(a.distance_m)}: the file is damaged")
    if a.distance_m < 0:
        return Checked(None, f"its distance is negative ({_num(a.distance_m)} m): the file is damaged")
    if a.distance_m > MAX_DISTANCE_M:
        return Checked(None, f"its distance of {a.distance_m / 1000:,.0f} km is more than anything covers "
                             "in one activity: the file is damaged")
    notes: list[str] = []
    timer = _duration(a.timer_s, "the moving time", notes)
    elapsed = _duration(a.elapsed_s, "the elapsed time", notes)
    if a.distance_m >= 100.0:  # covering ground takes time: a duration of 0 s is unknown, not instant
        if timer is not None and timer < 1.0:
            notes.append("the moving time of 0 s for a distance covered: dropped")
            timer = None
        if elapsed is not None and elapsed < 1.0:
            notes.append("the elapsed time of 0 s for a distance covered: dropped")
            elapsed = None
    longest = max((d for d in (timer, elapsed) if d is not None), default=0.0)
    speed = a.distance_m / longest if longest >= 1.0 else None
    if speed is not None and speed > MAX_SPEED_MPS:
        return Checked(None, f"{a.distance_m / 1000:,.1f} km in {_hours(longest)} is {speed * 3.6:,.0f} km/h, faster "
                             "than any vehicle a watch is worn in: the file is damaged")
    sport = a.sport
    if relabel:
        sport = _plausible_sport(a.sport, a.distance_m, speed, notes)
    offset = a.utc_offset_s
    if offset is not None and (not isinstance(offset, int) or abs(offset) > MAX_UTC_OFFSET_S):
        notes.append(f"the recorded time zone offset ({_num(offset)} s) is not a time zone: dropped")
        offset = None
    values = {
        "avg_hr_bpm": _in_range(a.avg_hr_bpm, MIN_HR_BPM, MAX_HR_BPM),
        "max_hr_bpm": _in_range(a.max_hr_bpm, MIN_HR_BPM, MAX_HR_BPM),
        "avg_cadence_spm": _in_range(a.avg_cadence_spm, 1.0, MAX_CADENCE),
        "elevation_gain_m": _in_range(a.elevation_gain_m, 0.0, MAX_ELEVATION_GAIN_M),
        "rpe": _in_range(a.rpe, MIN_RPE, MAX_RPE),
    }
    for key, kept in values.items():
        given = getattr(a, key)
        if given is not None and kept is None:
            notes.append(f"the {_WORDS[key]} ({_num(given)}) is outside what a body or a watch records: dropped")
    laps = a.laps
    if len(laps) > MAX_LAPS:
        notes.append(f"{len(laps):,} laps is more than a watch records: only the first {MAX_LAPS:,} kept")
        laps = laps[:MAX_LAPS]
    if not (_laps_surely_ok(laps, now) or all(_lap_ok(lap, now) for lap in laps)):
        laps = tuple(_clean_lap(lap, now) for lap in laps)
        notes.append("some lap values were outside physical bounds: dropped")
    zones, width = a.hr_zone_s, a.hr_bin_bpm
    if width not in HR_BIN_WIDTHS:  # a bin width runload never wrote: its bpm cannot be read
        if zones:
            notes.append(f"heart-rate time in {_num(width)}-bpm bins cannot be read: dropped")
        zones, width = {}, HR_BIN_WIDTHS[0]
    # a bin holds heart rates from its key (1-bpm bins: the bpm itself) to key + width - 1
    low = MIN_HR_BPM - width
    if not _zones_surely_ok(zones, low) and (
            not all(isinstance(k, int) and low < k <= MAX_HR_BPM and _finite(v) and 0 <= v < MAX_DURATION_S
                    for k, v in zones.items()) or sum(zones.values()) >= MAX_DURATION_S):
        zones = {k: float(v) for k, v in zones.items()
                 if isinstance(k, int) and low < k <= MAX_HR_BPM and _finite(v) and 0 <= v < MAX_DURATION_S}
        notes.append("some heart-rate time was outside physical bounds: dropped")
        if sum(zones.values()) >= MAX_DURATION_S:
            zones = {}
    texts = {"name": clean_text(a.name), "gear": clean_text(a.gear),
             "device": clean_text(a.device, MAX_SHORT_TEXT_CHARS),
             "sub_sport": clean_text(a.sub_sport, MAX_SHORT_TEXT_CHARS),
             "source_file": clean_text(a.source_file, MAX_PATH_CHARS)}
    warnings = a.warnings
    if notes or len(warnings) > MAX_WARNINGS or any(len(w) > MAX_WARNING_CHARS for w in warnings):
        warnings = tuple(clean_text(w, MAX_WARNING_CHARS) or "" for w in (*warnings, *notes))[:MAX_WARNINGS]
    unchanged = (sport is a.sport and timer == a.timer_s and elapsed == a.elapsed_s and offset == a.utc_offset_s
                 and laps is a.laps and zones is a.hr_zone_s and width == a.hr_bin_bpm and warnings is a.warnings
                 and all(values[k] == getattr(a, k) and (values[k] is None) == (getattr(a, k) is None) for k in values)
                 and all(texts[k] is getattr(a, k) for k in texts))
    if unchanged:
        return Checked(a)  # the common case, for every row a store reads: nothing to build
    cleaned = replace(a, sport=sport, timer_s=timer, elapsed_s=elapsed, utc_offset_s=offset, laps=laps,
                      hr_zone_s=zones, hr_bin_bpm=width, warnings=warnings,
                      name=texts["name"], gear=texts["gear"], device=texts["device"], sub_sport=texts["sub_sport"],
                      source_file=texts["source_file"], avg_hr_bpm=values["avg_hr_bpm"],
                      max_hr_bpm=values["max_hr_bpm"], avg_cadence_spm=values["avg_cadence_spm"],
                      elevation_gain_m=values["elevation_gain_m"], rpe=values["rpe"])
    return Checked(cleaned, None, tuple(notes))


_LAP_RANGES = (("distance_m", 0.0, MAX_DISTANCE_M), ("timer_s", 0.0, MAX_DURATION_S),
               ("avg_hr_bpm", MIN_HR_BPM, MAX_HR_BPM), ("max_hr_bpm", MIN_HR_BPM, MAX_HR_BPM),
               ("avg_cadence_spm", 1.0, MAX_CADENCE), ("avg_speed_mps", 0.0, MAX_SPEED_MPS))


_LAP_VALUES = attrgetter("start_utc", *(k for k, _, _ in _LAP_RANGES))
_NUMBERS = {int, float}
_NUMBERS_OR_NONE = {int, float, type(None)}
_INT = {int}
_DATETIME = {datetime}


def laps_pass(laps: Sequence[Lap], *, now: datetime | None = None) -> bool:
    """True when :func:`check_activity` keeps these laps as they are (no more than
    :data:`MAX_LAPS`, every value within its bounds). What passes now passes later too: "tomorrow"
    only moves on."""
    now = now or datetime.now(timezone.utc)
    return len(laps) <= MAX_LAPS and (_laps_surely_ok(laps, now) or all(_lap_ok(lap, now) for lap in laps))


def _laps_surely_ok(laps: Sequence[Lap], now: datetime) -> bool:
    """True when every value of every lap is within its bounds, judged a column at a time at C
    speed (every value an int or a float, not a bool; their sum finite, so none is NaN or
    infinite; each column's least and greatest within its bounds); False when that cannot
    tell: :func:`_lap_ok` then judges each lap."""
    if not laps:
        return True
    starts, *columns = zip(*map(_LAP_VALUES, laps), strict=True)
    if None in starts:
        starts = tuple(s for s in starts if s is not None)
    try:
        if starts and not (set(map(type, starts)) == _DATETIME and min(starts) > EARLIEST_START_UTC
                           and max(starts) <= latest_start_utc(now)):
            return False
    except TypeError:  # naive and aware starts together
        return False
    if not set(map(type, chain.from_iterable(columns))) <= _NUMBERS_OR_NONE:
        return False
    total: float = 0
    try:
        for column, (_, low, high) in zip(columns, _LAP_RANGES, strict=True):
            if None in column:
                column = tuple(v for v in column if v is not None)
                if not column:
                    continue
            numbers = cast("Sequence[float]", column)  # each an int or a float: just checked
            if min(numbers) < low or max(numbers) > high:
                return False
            total += sum(numbers)
        return math.isfinite(total)
    except OverflowError:  # an int too large for a float
        return False


def _zones_surely_ok(zones: dict[int, float], low: float) -> bool:
    """True when every heart-rate bin is an int bpm above ``low`` and at most the highest heart
    rate, holding time within the bounds and less than two days in all, judged at C speed; False
    when that cannot tell (the bins are then judged one by one). No bin is negative and their
    sum is finite and under two days: then each is within the bounds too."""
    if not zones:
        return True
    keys = zones.keys()
    values = cast("Sequence[float]", list(zones.values()))
    if not (set(map(type, keys)) == _INT and min(keys) > low and max(keys) <= MAX_HR_BPM
            and set(map(type, values)) <= _NUMBERS):
        return False
    try:
        total = sum(values)
        return math.isfinite(total) and total < MAX_DURATION_S and min(values) >= 0.0
    except OverflowError:  # an int too large for a float
        return False


def _lap_ok(lap: Lap, now: datetime) -> bool:
    """Every value of the lap within its bounds (the fast test; :func:`_clean_lap` fixes)."""
    start = lap.start_utc
    if start is not None and _start_problem(start, now) is not None:
        return False
    try:
        # NaN fails every comparison and infinity the upper one: no separate finiteness test
        return all(v is None or (low <= v <= high and not isinstance(v, bool))
                   for v, low, high in ((getattr(lap, k), low, high) for k, low, high in _LAP_RANGES))
    except TypeError:
        return False


def _plausible_sport(sport: Sport, distance_m: float, speed: float | None, notes: list[str]) -> Sport:
    """The sport, or UNKNOWN (with a note) when the numbers say the label cannot be right."""
    fix = " (its distance or its time must be wrong; runload activity set-sport can set it back)"
    if sport is Sport.RUNNING:
        if distance_m > 0 and speed is None:
            notes.append(f"{distance_m / 1000:,.2f} km with no time (no moving or elapsed time in the file, or every "
                         f"point at one instant): not counted as running{fix}")
            return Sport.UNKNOWN
        if distance_m > MAX_RUN_DISTANCE_M:
            notes.append(f"{distance_m / 1000:,.0f} km is more than anyone has run in two days: "
                         f"not counted as running{fix}")
            return Sport.UNKNOWN
        if speed is not None and distance_m > 0 and speed > max_running_speed_mps(distance_m):
            notes.append(f"{distance_m / 1000:,.2f} km at {speed * 3.6:.1f} km/h is faster than the world record "
                         f"for that distance: not counted as running{fix}")
            return Sport.UNKNOWN
        return sport
    bound = _SPORT_BOUNDS.get(sport)
    if bound is None:
        return sport
    max_speed, max_distance = bound
    if distance_m > max_distance or (speed is not None and speed > max_speed):
        how = f"{speed * 3.6:.1f} km/h" if speed is not None else f"{distance_m / 1000:,.0f} km"
        notes.append(f"{how} is beyond what {sport.value} covers: the sport is not kept{fix}")
        return Sport.UNKNOWN
    return sport


def _clean_lap(lap: Lap, now: datetime) -> Lap:
    start = lap.start_utc if lap.start_utc is not None and _start_problem(lap.start_utc, now) is None else None
    return Lap(
        start_utc=start,
        distance_m=_in_range(lap.distance_m, 0.0, MAX_DISTANCE_M),
        timer_s=_in_range(lap.timer_s, 0.0, MAX_DURATION_S),
        avg_hr_bpm=_in_range(lap.avg_hr_bpm, MIN_HR_BPM, MAX_HR_BPM),
        max_hr_bpm=_in_range(lap.max_hr_bpm, MIN_HR_BPM, MAX_HR_BPM),
        avg_cadence_spm=_in_range(lap.avg_cadence_spm, 1.0, MAX_CADENCE),
        avg_speed_mps=_in_range(lap.avg_speed_mps, 0.0, MAX_SPEED_MPS),
    )


def period_problem(runs: Iterable[Activity], tz: tzinfo, new: Iterable[Activity] | None = None) -> str | None:
    """Why the runs of one athlete cannot all be true together (a sentence), or None: more than
    24 hours of running in a day, or more than :data:`MAX_WEEK_RUN_M` in a calendar week
    (Monday to Sunday in the athlete's zone ``tz``). Each activity passing
    :func:`check_activity` is not enough: a file repeating one session 1,000 times held a week
    of 6,736 km. With ``new``, only the days and weeks holding one of those runs are judged (a
    store that an older runload filled is not every later import's fault)."""
    day_s: dict[date, float] = {}
    week_m: dict[date, float] = {}
    for a in runs:
        if a.is_run:
            for day, seconds in _running_days(a, tz):
                day_s[day] = day_s.get(day, 0.0) + seconds
            monday = _monday(a, tz)
            week_m[monday] = week_m.get(monday, 0.0) + a.distance_m
    new_runs = None if new is None else [a for a in new if a.is_run]
    days = None if new_runs is None else {d for a in new_runs for d, _ in _running_days(a, tz)}
    weeks = None if new_runs is None else {_monday(a, tz) for a in new_runs}
    for day, seconds in sorted(day_s.items()):
        if seconds > MAX_DAY_RUNNING_S and (days is None or day in days):
            return (f"its runs on {day.isoformat()} add up to {_hours(seconds)} of running, more than the day holds "
                    "(runs counted more than once?)")
    for monday, metres in sorted(week_m.items()):
        if metres > MAX_WEEK_RUN_M and (weeks is None or monday in weeks):
            return (f"its runs in the week of {monday.isoformat()} add up to {metres / 1000:,.0f} km, more than anyone "
                    f"has run in a week (the six-day record is 1,037 km; runload allows {MAX_WEEK_RUN_M / 1000:,.0f})")
    return None


def _monday(a: Activity, tz: tzinfo) -> date:
    start = a.start_utc.astimezone(tz).date()
    return start - timedelta(days=start.weekday())


def _running_days(a: Activity, tz: tzinfo) -> list[tuple[date, float]]:
    """(local day, seconds of the run on it): a run past midnight counts on both days."""
    t = a.start_utc.astimezone(tz)
    end = t + timedelta(seconds=a.timer_s or a.elapsed_s or 0.0)
    out = [(t.date(), 0.0)]
    while t < end:
        midnight = datetime.combine(t.date() + timedelta(days=1), datetime.min.time(), tz)
        step = min(end, midnight)
        out.append((t.date(), (step - t).total_seconds()))
        t = step
    return out


def plausible_activity(a: Activity, *, now: datetime | None = None) -> str | None:
    """Why ``a`` cannot be used at all (a sentence for a runner), or None when it can.

    For code that reads a store: rows an older runload stored with an impossible start, distance
    or speed are skipped rather than allowed to stretch a series across millennia. (Rows that can
    be used may still hold impossible values: ``check_activity(a, relabel=False)`` drops them, as
    :meth:`runload.store.Store.activities` does for every row it returns.)
    """
    return check_activity(a, now=now, relabel=False).problem


def within_bounds(a: Activity, *, now: datetime | None = None) -> bool:
    """True when every value of ``a`` is within the bounds as stored (nothing would be dropped,
    nothing refused, no sport relabelled): what the store's door accepts."""
    checked = check_activity(a, now=now)
    return checked.activity is not None and not checked.notes and checked.activity == a


__all__ = ["Checked", "check_activity", "clean_text", "clip_text", "laps_pass", "latest_start_utc", "max_running_speed_mps",
           "period_problem", "plausible_activity", "within_bounds"]
