"""Helpers shared by the format readers: times, how an activity moved and the sport it implies,
arrays of values, heart-rate histograms (1-bpm bins). Sport names and single values are read in
:mod:`runload.ingest.values` (numpy-free, for the import's main process) and offered here too."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import cast
from datetime import datetime, timezone

import numpy as np
import orjson

from runload.models import Sport
from runload.ingest.values import activity_sport as activity_sport
from runload.ingest.values import csv_number as csv_number
from runload.ingest.values import finite as finite
from runload.ingest.values import refine_sport as refine_sport
from runload.ingest.values import sport_from_name as sport_from_name


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres (spherical Earth, radius 6,371 km)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp = p2 - p1
    dl = math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371008.8 * math.asin(min(1.0, math.sqrt(a)))


# ---------------------------------------------------------------- sanity of values
def floats(texts: Sequence[str | None], lo: float, hi: float) -> tuple[np.ndarray, int]:
    """Numbers written as text (``" 45.1 "``) as an array, NaN where none is written. A value that
    is not a number or lies outside [lo, hi] (``nan``, ``inf``, ``1e15``, ``abc``) is NaN too, and
    counted in the second result so the reader can say how many it dropped."""
    out: np.ndarray | None
    if not any(texts):  # nothing written (a file without heart rate, say)
        return np.full(len(texts), np.nan), 0
    out = json_numbers(texts)  # the usual case: every value written as a JSON number
    if out is None:
        try:  # at C speed all the same: every value is written and readable (float(None) raises TypeError)
            out = np.fromiter(map(float, cast("Sequence[str]", texts)), dtype=np.float64, count=len(texts))
            out[np.isnan(out)] = np.inf  # a value written as "nan"
        except (TypeError, ValueError):
            out = _some_floats(texts)
    least, most = out.min(), out.max()  # (NaN when one is NaN)
    if lo <= least and most <= hi and math.isfinite(least) and math.isfinite(most):
        return out, 0  # every value written, finite and in range: none to look for
    wrong = np.isinf(out) | (out < lo) | (out > hi)
    bad = int(wrong.sum())
    if bad:
        out[wrong] = np.nan
    return out, bad


# A number JSON reads as an integer 0 that Python's float() reads as -0.0 (in texts that are all
# JSON numbers, each written alone: "-0", blanks around it aside; "-0.0" is JSON's -0.0 too, and a
# digit after "-0" is an exponent's, as in "1e-05").
_MINUS_ZERO = re.compile(r"-0(?![.eE0-9])")
# The first characters of every JSON value but a number (an object, array, string, true, false,
# null): where the texts hold none of them, every value JSON reads in them is a number.
_NOT_NUMBERS = "{[\"tfn"


def json_numbers(texts: Sequence[str | None]) -> np.ndarray | None:
    """``float()`` of every text, read at once by orjson as one JSON array (about ten times quicker
    than ``float()`` one text at a time), or None unless every text is surely a JSON number alone:
    then :func:`floats` reads them as it always did.

    Where JSON reads a text, ``float()`` reads it alike: JSON's numbers are a subset of what
    ``float()`` reads, both round a decimal to the nearest double, and JSON's blanks (space, tab,
    line breaks) are among those ``float()`` ignores. That every text is one number alone is
    proved by the result: the texts joined by commas must read as exactly as many values as there
    are texts, and hold no character that starts a JSON value other than a number (a brace, a
    bracket, a quote, ``true``, ``false``, ``null``), so every value read is a number and each
    text, lying between two of the commas joining them, is one (a text holding a comma yields
    another count). Apart are a missing value (None: the texts do not join), an empty or blank
    text and anything else JSON refuses (``nan``, ``inf``, ``1e400``, ``+1``, ``.5``, ``1_000``,
    digits of other scripts, other blanks), and ``-0``, which JSON reads as the integer 0."""
    try:
        joined = ",".join(cast("Sequence[str]", texts))
        values = orjson.loads("[" + joined + "]")
    except (TypeError, ValueError):  # None among the texts; not JSON (orjson.JSONDecodeError)
        return None
    if len(values) != len(texts) or any(c in joined for c in _NOT_NUMBERS):
        return None
    if "-0" in joined and _MINUS_ZERO.search(joined):
        return None
    return np.array(values, dtype=np.float64)


def _some_floats(texts: Sequence[str | None]) -> np.ndarray:
    """:func:`floats` where some values are missing (NaN) or unreadable (inf): the written ones
    read at once when they all are numbers (:func:`json_numbers`, else ``float()`` at C speed),
    else one by one."""
    written = [t for t in texts if t]
    values = json_numbers(written)
    if values is None:
        try:
            values = np.fromiter(map(float, written), dtype=np.float64, count=len(written))
        except ValueError:
            return np.array([_number(t) for t in texts], dtype=np.float64)
        values[np.isnan(values)] = np.inf  # a value written as "nan"
    out = np.full(len(texts), np.nan)
    out[np.fromiter(map(bool, texts), dtype=bool, count=len(texts))] = values
    return out


def _number(text: str | None) -> float:
    """NaN for no value, inf for a value that is unreadable or not finite."""
    if text is None or not text.strip():
        return math.nan
    try:
        v = float(text)
    except ValueError:
        return math.inf
    return v if math.isfinite(v) else math.inf


# ---------------------------------------------------------------- times
UTC = timezone.utc
# A recording cannot be older than GPS time (1980-01-06) nor dated past 2100: outside that, a time
# is damage (a year 0001 or 9999 written by a converter), not a date.
EARLIEST_S = datetime(1980, 1, 6, tzinfo=UTC).timestamp()
LATEST_S = datetime(2100, 1, 1, tzinfo=UTC).timestamp()
_FRACTION = re.compile(r"(\.\d{6})\d+")


@dataclass(frozen=True)
class Times:
    """Times of a file's points as UTC seconds since 1970 (NaN where missing or unusable).

    ``offset_s`` is the UTC offset the file writes with its first time (``-07:00`` is -25,200), None
    when it writes UTC (``Z``) or no zone at all; ``naive`` says some times carry no zone (read as
    UTC, as GPX and TCX specify); ``bad`` counts times that were written but are unreadable or
    impossible.
    """

    t_s: np.ndarray
    offset_s: int | None
    naive: bool
    bad: int


def _iso(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        # lower-case z, or more fractional digits than Python reads (nanoseconds)
        loose = _FRACTION.sub(r"\1", text[:-1] + "Z" if text[-1:] == "z" else text)
        return datetime.fromisoformat(loose)


def parse_times(texts: Sequence[str | None]) -> Times:
    """Read ISO 8601 times (``2024-05-06T07:00:00Z``, ``...+02:00``, naive) as :class:`Times`."""
    n = len(texts)
    values: list[float] | None = None
    naive = False
    utc = _utc_times(texts)
    if utc is not None:
        return _bounded(utc, texts, naive)
    try:  # the usual file: every point has a time with a zone, read at C speed
        dts = list(map(datetime.fromisoformat, map(str.strip, texts)))  # type: ignore[arg-type]
        if all(d.tzinfo is not None for d in dts):
            values = [d.timestamp() for d in dts]
    except (TypeError, ValueError):
        pass
    if values is None:
        values = []
        for text in texts:
            text = text.strip() if text else ""
            if not text:
                values.append(math.nan)
                continue
            try:
                d = _iso(text)
            except ValueError:
                values.append(math.inf)  # written but unreadable: counted as bad below
                continue
            if d.tzinfo is None:
                naive = True
                d = d.replace(tzinfo=UTC)
            values.append(d.timestamp())
    return _bounded(np.array(values, dtype=float) if n else np.empty(0), texts, naive)


# Times as most devices write them in UTC, one a line (joined by line breaks): all with a ``Z``
# after a date and ``T`` (numpy reads the rest, as runload always did), or each with ``Z`` or
# ``+00:00`` after a plain ISO time, hours to fractions of a second (what numpy and
# ``datetime.fromisoformat`` read alike: such a file was read by the latter, one time at a time).
_Z_TIME = r"[0-9][^\n]{9}T[^\n]*Z"
_PLAIN_TIME = r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}(?::[0-9]{2}(?::[0-9]{2}(?:\.[0-9]*)?)?)?(?:Z|\+00:00)"
_UTC_FILES = tuple(re.compile(rf"(?:{one}\n)*{one}") for one in (_Z_TIME, _PLAIN_TIME))


def _utc_times(texts: Sequence[str | None]) -> np.ndarray | None:
    """Times every one written in UTC with a ``Z`` or ``+00:00`` (``2024-05-06T07:00:00.000Z``,
    as most devices write them), read by numpy at C speed, as seconds; None for any other file
    (then each time is read by Python's ``datetime.fromisoformat``). The texts are checked and
    their zones cut off all at once, as one string."""
    if not texts or not all(texts):
        return None
    joined = "\n".join(cast("Sequence[str]", texts))
    written: Sequence[str] | np.ndarray | None
    if joined.count("\n") == len(texts) - 1:  # (a time with a line break in it: one at a time)
        written = _z_written_alike(joined, len(texts))
        if written is None:
            z_times, plain_times = _UTC_FILES
            if not (z_times.fullmatch(joined) or _written_alike(joined, len(texts)) or plain_times.fullmatch(joined)):
                return None
            written = (joined + "\n").replace("+00:00\n", "\n").replace("Z\n", "\n")[:-1].split("\n")
    else:
        written = [x[:-1] for x in texts if isinstance(x, str) and x[-1:] == "Z" and x[10:11] == "T" and x[:1].isdigit()]
        if len(written) != len(texts):
            return None
    try:
        if isinstance(written, np.ndarray):
            stamps = written.astype("datetime64[us]")
        else:
            stamps = np.array(written, dtype="datetime64[us]")
    except ValueError:
        return None
    if np.isnat(stamps).any():
        return None
    return stamps.astype(np.int64) / 1e6


_ONE_PLAIN_TIME = re.compile(_PLAIN_TIME)
_MANY_TIMES = 64  # fewer times are quicker read by the regular expressions than by numpy


def _z_written_alike(joined: str, n: int) -> np.ndarray | None:
    """The ``n`` times joined by line breaks without their ``Z``, as ASCII bytes of one width
    (numpy reads them as it reads the same text), when every one is as long as the first and
    matches ``_Z_TIME``: a digit first, a ``T`` 11th, a ``Z`` last (none holds a line break: each
    line break is where the widths put one). Quicker than the regular expression and splitting
    the text over many times; None says nothing (the regular expressions decide)."""
    width = (len(joined) + 1) // n - 1
    if (n < _MANY_TIMES or width < 12 or (width + 1) * n - 1 != len(joined) or not joined.isascii()
            or "\0" in joined):  # (numpy's bytes end at a NUL)
        return None
    rows = np.frombuffer(joined.encode("ascii") + b"\n", dtype=np.uint8).reshape(n, width + 1)
    if not ((rows[:, width] == 10).all() and (rows[:, width - 1] == 90).all() and (rows[:, 10] == 84).all()
            and ((rows[:, 0] - np.uint8(48)) < 10).all()):
        return None
    return np.ascontiguousarray(rows[:, :width - 1]).view(f"S{width - 1}").ravel()


def _written_alike(joined: str, n: int) -> bool:
    """Whether ``n`` times joined by line breaks all match ``_PLAIN_TIME`` because they are
    written alike: as long as the first, which matches it, each with a digit where the first has
    one of the pattern's ``[0-9]`` and the first's character everywhere else (its zone included).
    Quicker than the regular expression over many of them; False says nothing (the regular
    expressions decide)."""
    width = (len(joined) + 1) // n - 1
    if (n < _MANY_TIMES or (width + 1) * n - 1 != len(joined) or not joined.isascii()
            or not _ONE_PLAIN_TIME.fullmatch(joined, 0, width)):
        return False
    rows = np.frombuffer(joined.encode("ascii") + b"\n", dtype=np.uint8).reshape(n, width + 1)
    first = rows[0]
    varies = (first >= 48) & (first <= 57)
    if joined.endswith("+00:00", 0, width):
        varies[width - 6:] = False  # the zone's zeros are written out in the pattern
    return bool(((rows[:, varies] - np.uint8(48)) < 10).all() and (rows[:, ~varies] == first[~varies]).all())


def _bounded(t: np.ndarray, texts: Sequence[str | None], naive: bool) -> Times:
    """:class:`Times` from seconds: impossible times dropped, the zone of the first one kept."""
    bad = 0
    if len(t) and EARLIEST_S <= t.min() and t.max() < LATEST_S:  # (NaN when one is NaN)
        good = [0]  # every time possible (most files): none to look for
    else:
        wrong = np.isinf(t) | (t < EARLIEST_S) | (t >= LATEST_S)
        bad = int(wrong.sum())
        if bad:
            t[wrong] = np.nan
        good = np.flatnonzero(~np.isnan(t))[:1].tolist()
    offset = None
    if good:
        first = str(texts[good[0]]).strip()
        if first[-1:] not in ("Z", "z"):
            off = _iso(first).utcoffset()
            # +00:00 is UTC, as Z is: it says nothing about the local zone either
            if off and abs(off.total_seconds()) <= 14 * 3600:
                offset = int(off.total_seconds())
    return Times(t, offset, naive, bad)


MAX_ACTIVITY_S = 2 * 86400.0  # one activity lasts under two days; a time further off is damage


def kept(mask: np.ndarray, *arrays: np.ndarray) -> tuple[np.ndarray, ...]:
    """The arrays where ``mask`` holds: the arrays themselves, not copies, when it holds for every
    sample (most files), so they must not be changed in place."""
    if bool(mask.all()):
        return arrays
    return tuple(a[mask] for a in arrays)


def plausible_times(t: np.ndarray) -> np.ndarray:
    """Which of an activity's sample times (NaN allowed) lie within two days of their median: a
    corrupted time (a flipped bit years away) would otherwise stretch the activity to years."""
    ok = ~np.isnan(t)
    if not ok.any():
        return ok
    mid = float(np.median(t[ok]))
    return ok & (np.abs(t - mid) <= MAX_ACTIVITY_S)


# ---------------------------------------------------------------- how an activity moved
MAX_STEP_S = 60.0  # a longer gap between two samples is a pause, not movement
MOVING_MPS = 0.5  # slower than this between two samples is standing still
_WINDOW_S = 5.0  # speeds are taken over at least 5 s, so one GPS jitter is not a burst


# The band running covers (see infer_sport). Averages: a walk is under 6.5 km/h; over 20 km/h
# (3:00 min/km) only elite runners race. Peaks: a runner's 95th-percentile speed stays under
# 24 km/h and no runner holds 26 km/h (2:18 min/km) for two minutes, while a ride's descents and
# a car's roads do; a motor vehicle averages over 35 km/h or spends 5% of its time over 60 km/h.
RUN_MIN_KMH = 6.5
RUN_MAX_AVG_KMH = 20.0
RUN_MAX_P95_KMH = 24.0
RIDE_FAST_KMH = 26.0
RIDE_FAST_S = 120.0
VEHICLE_AVG_KMH = 35.0
VEHICLE_P95_KMH = 60.0
# Skiing or riding in the hills: a 95th percentile over 14 km/h and 1.6 times the average (a
# runner's is 1.1-1.4 times, intervals included), unless the route climbs 25 m per km or more
# (a mountain run's descents are fast for its average).
UNEVEN_P95_KMH = 14.0
UNEVEN_RATIO = 1.6
STEEP_M_PER_KM = 25.0
COAST_SHARE = 0.2  # a fifth of the brisk moving time without a pedal or step: coasting on a bike

@dataclass(frozen=True)
class Motion:
    """How fast an activity moved: the numbers sport inference and its warnings use.

    ``avg_kmh`` is distance over moving time; ``p95_kmh`` the speed the activity stayed under for
    95% of its moving time and ``max_kmh`` its fastest 5 s (both from samples over at least 5 s,
    NaN without them; the maximum is kept for reference only, one GPS jump sets it);
    ``fast_s`` the moving seconds spent above 26 km/h; ``coast_share`` the share of moving time
    above 10 km/h with a cadence of 0 (None without cadence); ``climb_m_per_km`` elevation gain per
    kilometre (None when unknown).
    """

    distance_m: float
    moving_s: float
    avg_kmh: float
    p95_kmh: float = math.nan
    max_kmh: float = math.nan
    fast_s: float = 0.0
    coast_share: float | None = None
    climb_m_per_km: float | None = None

    def numbers(self) -> str:
        """The speeds as a runner reads them, for warnings."""
        parts = [f"average {self.avg_kmh:.1f} km/h"]
        if not math.isnan(self.p95_kmh):
            parts.append(f"95th percentile {self.p95_kmh:.1f} km/h")
        if self.fast_s >= 60:
            parts.append(f"{self.fast_s / 60:.0f} min above {RIDE_FAST_KMH:.0f} km/h")
        return ", ".join(parts)


def every_second(t_s: np.ndarray) -> bool:
    """Whether two or more sample times step by exactly one second each (most devices' records):
    then they ascend and none is NaN. A reader that knows it tells :func:`motion` and
    :func:`hr_bins_array`, which then need not find it out again."""
    return len(t_s) >= 2 and bool(((t_s[1:] - t_s[:-1]) == 1.0).all())


def motion(t_s: np.ndarray, cum_m: np.ndarray, *, distance_m: float | None = None,
           moving_s: float | None = None, cadence: np.ndarray | None = None,
           gain_m: float | None = None, one_a_second: bool = False) -> Motion:
    """:class:`Motion` from samples: times (seconds, ascending) and cumulative distance (metres),
    NaN where unknown. ``distance_m`` and ``moving_s`` (a device's summary) win over the samples'
    own; ``cadence`` (aligned with the samples) lets coasting be seen. ``one_a_second``: the caller
    found the times :func:`every_second` (else it is found here)."""
    t = np.asarray(t_s, dtype=float)
    d = np.asarray(cum_m, dtype=float)
    cad = np.asarray(cadence, dtype=float) if cadence is not None and len(cadence) == len(t) else None
    # (a NaN is the smallest; times one a second are none)
    if len(t) and ((not one_a_second and math.isnan(t.min())) or math.isnan(d.min())):
        ok = ~(np.isnan(t) | np.isnan(d))
        t, d = kept(ok, t, d)
        cad = kept(ok, cad)[0] if cad is not None else None
        one_a_second = False  # (some samples dropped: found again below)
    track_moving = 0.0
    p95 = top = math.nan
    fast = 0.0
    coast: float | None = None
    if len(t) >= 2:
        dd = d[1:] - d[:-1]  # np.diff's own steps, without its Python overhead
        # Samples every whole second (most devices): every step is 1 s, so a step's speed is its
        # distance, a window's end lies a fixed count ahead and sums of seconds are counts.
        steady = one_a_second
        if not steady:
            dt = t[1:] - t[:-1]
            steady = bool((dt == 1.0).all())
        if steady:
            speed = dd  # dd / 1.0, exactly
            moving = speed > MOVING_MPS
        else:
            safe_dt = np.where(dt > 0, dt, 1.0)
            speed = dd / safe_dt
            moving = (dt > 0) & (dt <= MAX_STEP_S) & (speed > MOVING_MPS)
        if steady:  # each window spans 1 to 5 whole seconds: the moving steps' windows all count
            v_kmh = _window_kmh(t, d)[moving]
            w_count = len(v_kmh)
            track_moving = float(w_count)
            if w_count:
                k = _rank95(w_count)
                v_kmh.partition(k)  # (in place: the speeds are this function's own copy)
                p95 = float(v_kmh[k])
                upper = v_kmh[k:]  # the k-th smallest speed and every one above it, the fastest among them
                top = float(upper.max())
                # above 26 km/h: only speeds above the 95th percentile when it is not
                fast = float(np.count_nonzero((upper if p95 <= RIDE_FAST_KMH else v_kmh) > RIDE_FAST_KMH))
        else:
            j = np.minimum(_window_ends(t), len(t) - 1)
            span = t[j] - t[:-1]
            window_ok = moving & (span > 0) & (span <= MAX_STEP_S)
            w = dt[window_ok]
            v_kmh = (d[j] - d[:-1])[window_ok] / span[window_ok] * 3.6
            track_moving = float(dt[moving].sum())
            if len(w):
                p95 = _weighted_p95(v_kmh, w)
                top = float(v_kmh.max())
                fast = float(w[v_kmh > RIDE_FAST_KMH].sum())
        if cad is not None:
            step_cad = cad[:-1]
            if steady:
                brisk = speed * 3.6 > 10  # (every step this fast is moving: faster than 0.5 m/s)
                least = step_cad.min()
                if math.isnan(least):  # steps without a cadence do not count (a NaN is the smallest)
                    brisk &= ~np.isnan(step_cad)
                brisk_s = float(np.count_nonzero(brisk))
                if brisk_s >= 60:  # (no cadence of 0 when the least is above it)
                    coast = float(np.count_nonzero(brisk & (step_cad == 0)) / brisk_s) if not least > 0 else 0.0
            else:
                brisk = moving & (speed * 3.6 > 10) & ~np.isnan(step_cad)
                if dt[brisk].sum() >= 60:
                    coast = float(dt[brisk & (step_cad == 0)].sum() / dt[brisk].sum())
    dist = distance_m if distance_m is not None else (float(d[-1] - d[0]) if len(d) >= 2 else 0.0)
    mov = moving_s if moving_s else track_moving
    avg = dist / mov * 3.6 if mov and mov > 0 and dist > 0 else 0.0
    climb = gain_m / (dist / 1000) if gain_m is not None and dist >= 500 else None
    return Motion(dist, mov, avg, p95, top, fast, coast, climb)


def _window_ends(t: np.ndarray) -> np.ndarray:
    """For each sample but the last, the first sample at least :data:`_WINDOW_S` later (the
    number of samples when none is)."""
    ends: np.ndarray = np.searchsorted(t, t[:-1] + _WINDOW_S)
    return ends


def _window_kmh(t: np.ndarray, d: np.ndarray) -> np.ndarray:
    """For each sample but the last of samples one second apart, the speed (km/h) from it to the
    end of its window (:func:`_window_ends`, the last sample at most). Times that are whole
    numbers need no search: each window ends a fixed count ``k`` of samples ahead (or at the last
    sample), and from a time of 0 or later exactly ``k`` seconds later (each time is the one before
    plus 1, exactly), so those windows need no times either."""
    t0 = float(t[0])
    k = math.ceil(_WINDOW_S)
    if not (t0.is_integer() and abs(t0) < 2.0**52):
        j = np.minimum(_window_ends(t), len(t) - 1)
    elif t0 < 0:
        j = np.minimum(np.arange(len(t) - 1) + k, len(t) - 1)
    else:
        head = max(len(t) - k, 0)  # the samples whose window ends k samples ahead
        v = np.empty(len(t) - 1)
        np.subtract(d[k:], d[:head], out=v[:head])
        v[:head] /= float(k)
        v[head:] = (d[-1] - d[head:-1]) / (t[-1] - t[head:-1])
        v *= 3.6
        return v
    ahead: np.ndarray = (d[j] - d[:-1]) / (t[j] - t[:-1]) * 3.6
    return ahead


def _rank95(n: int) -> int:
    """Where the 95th percentile of ``n`` values (one weight each) lies among them sorted."""
    return min(max(math.ceil(0.95 * float(n)) - 1, 0), n - 1)


def _weighted_p95(v: np.ndarray, w: np.ndarray | None) -> float:
    """The value ``v`` stays under for 95% of the weight ``w`` (None: every weight 1): sorted by
    value, the first whose running total of weight reaches 95% of the whole. With every weight one
    second (samples every second) the running totals are the whole numbers 1, 2, ..., so the value
    is the k-th smallest, found without sorting."""
    if w is None or bool((w == 1.0).all()):
        k = _rank95(len(v))
        return float(np.partition(v, k)[k])
    order = np.argsort(v)
    cum_w = np.cumsum(w[order])
    return float(v[order][min(int(np.searchsorted(cum_w, 0.95 * cum_w[-1])), len(order) - 1)])


_CORRECT = "correct it with `runload activity set-sport` if it is wrong"


def _not_running(m: Motion) -> tuple[Sport, str] | None:
    """The sport and reason when the speeds are outside the band running covers, else None."""
    if m.avg_kmh > VEHICLE_AVG_KMH or m.p95_kmh > VEHICLE_P95_KMH:
        return Sport.DRIVING, "speed of a motor vehicle"
    if m.avg_kmh > RUN_MAX_AVG_KMH or m.p95_kmh > RUN_MAX_P95_KMH or m.fast_s >= RIDE_FAST_S:
        return Sport.CYCLING, "speed of a ride"
    if m.coast_share is not None and m.coast_share >= COAST_SHARE:
        return Sport.CYCLING, (f"no cadence for {m.coast_share:.0%} of the time above 10 km/h, "
                               "as when coasting on a bike")
    steep = m.climb_m_per_km is not None and m.climb_m_per_km >= STEEP_M_PER_KM
    if m.p95_kmh >= UNEVEN_P95_KMH and m.p95_kmh >= UNEVEN_RATIO * m.avg_kmh and not steep:
        return Sport.OTHER, "speeds swing like a ride's or on skis, not a run's"
    return None


def infer_sport(m: Motion) -> tuple[Sport, str]:
    """Guess a sport from how an activity moved when the file names none; the sport and why.

    Running is inferred only inside the band running covers: an average from 6.5 to 20 km/h, a
    95th percentile under 24 km/h, under two minutes above 26 km/h, speeds that do not swing
    like skiing or riding on the flat, and, with cadence, no coasting. Outside it the reason
    names the numbers: "not running (speed of a ride: average 17.6 km/h, ...)". Slower than
    running is walking, or hiking on a route that climbs 25 m per km or more.
    """
    if m.moving_s <= 0 or m.distance_m <= 0:
        return Sport.UNKNOWN, "no sport in the file, and no distance or time to infer one from"
    off = _not_running(m)
    if off is not None:
        sport, why = off
        return sport, (f"no sport in the file; not running ({why}: {m.numbers()}): counted as {sport.value}; "
                       f"{_CORRECT}")
    if m.avg_kmh >= RUN_MIN_KMH:
        return Sport.RUNNING, f"no sport in the file; inferred running from its speed ({m.numbers()})"
    sport = Sport.HIKING if m.climb_m_per_km is not None and m.climb_m_per_km >= STEEP_M_PER_KM else Sport.WALKING
    return sport, f"no sport in the file; inferred {sport.value} from its speed ({m.numbers()})"


def running_speed_warning(m: Motion) -> str | None:
    """A warning for an activity the file labels running that moved at a ride's or a car's speed."""
    if m.moving_s <= 0 or m.distance_m <= 0:
        return None
    off = _not_running(m)
    if off is None or off[0] is Sport.OTHER:
        return None  # an uneven run is still a run when the file says so
    return (f"labelled running, but moves at the {off[1]} ({m.numbers()}): "
            f"if it was not a run, correct it with `runload activity set-sport`")


def settle_sport(sport: Sport | None, m: Motion, notes: list[str]) -> tuple[Sport, bool]:
    """The sport a reader stores: the file's own (with a warning when a "run" moves at a ride's
    speed), else one inferred from the motion (with the reason): ``(sport, inferred)``. Every
    reader (FIT, GPX, TCX) decides the same way here."""
    if sport is None:
        sport, why = infer_sport(m)
        notes.append(why)
        return sport, True
    if sport is Sport.RUNNING and (w := running_speed_warning(m)):
        notes.append(w)
    return sport, False


MAX_SPEED_MPS = 100.0  # 360 km/h: a faster step between two samples is a GPS jump or damage


def clean_cumulative(t: np.ndarray, cum: np.ndarray) -> np.ndarray:
    """A running total of distance without its impossible steps: a step that goes backwards or
    faster than 360 km/h (a GPS jump, a corrupted value) adds nothing. NaN stays NaN."""
    if len(cum) >= 2:
        dd = cum[1:] - cum[:-1]
        # The usual samples: no NaN (a NaN step is the smallest), no step backwards and none longer
        # than the 100 m any step is allowed, so every step counts and the times are not needed.
        if dd.min() >= 0 and dd.max() <= MAX_SPEED_MPS:
            total = np.empty(len(cum))
            total[0] = 0.0
            np.cumsum(dd, out=total[1:])
            return total
    ok = ~np.isnan(cum)
    n_ok = int(np.count_nonzero(ok))
    if n_ok < 2:
        out = np.full(len(cum), np.nan)
        out[ok] = 0.0
        return out
    d, tt = kept(ok, cum, t)
    dd, dt = d[1:] - d[:-1], tt[1:] - tt[:-1]  # np.diff's own steps, without its Python overhead
    limit = np.fmax(np.abs(dt), 1.0)  # a step of unknown time (NaN) is allowed one second
    limit *= MAX_SPEED_MPS
    good = (dd >= 0) & (dd <= limit)
    total = np.empty(n_ok)
    total[0] = 0.0
    np.cumsum(dd if good.all() else np.where(good, dd, 0.0), out=total[1:])
    if n_ok == len(cum):
        return total
    out = np.full(len(cum), np.nan)
    out[ok] = total
    return out


def distance_along(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Cumulative great-circle distance (metres) along points, starting at 0 (haversine, as
    :func:`haversine_m`, for whole arrays)."""
    if len(lat) < 2:
        return np.zeros(len(lat))
    p = np.radians(lat)
    dp = np.diff(p)
    dl = np.radians(np.diff(lon))
    a = np.sin(dp / 2) ** 2 + np.cos(p[:-1]) * np.cos(p[1:]) * np.sin(dl / 2) ** 2
    step = 2 * 6371008.8 * np.arcsin(np.minimum(1.0, np.sqrt(a)))
    return np.concatenate(([0.0], np.cumsum(step)))


def _bpm_key(hr: float) -> int:
    """The 1-bpm bin of a heart rate: the whole beat nearest to it (devices record whole beats,
    so this is the recorded value itself)."""
    return int(math.floor(hr + 0.5))


def hr_bins(samples: Iterable[tuple[datetime, float]], max_gap_s: float = 30.0) -> dict[int, float]:
    """Seconds spent at each heart rate (1-bpm bins: the bpm rounded to a whole beat), from
    (time, bpm) samples in time order: the histogram TRIMP and heart-rate zones are computed from.

    Each sample's bpm holds until the next sample; gaps longer than ``max_gap_s`` (a pause) count
    only ``max_gap_s``.
    """
    out: dict[int, float] = {}
    prev: tuple[datetime, float] | None = None
    for t, hr in samples:
        if prev is not None and prev[1]:
            dt = (t - prev[0]).total_seconds()
            if dt > 0:
                key = _bpm_key(prev[1])
                out[key] = out.get(key, 0.0) + min(dt, max_gap_s)
        prev = (t, hr)
    return out


_BPM_COUNTERS = 4096  # heart-rate bins counted in one array of counters (else by the bpm present)


def hr_bins_array(t_s: np.ndarray, hr_bpm: np.ndarray, max_gap_s: float = 30.0, *,
                  one_a_second: bool = False) -> dict[int, float]:
    """:func:`hr_bins` for arrays of times (seconds) and bpm (NaN where missing), with numpy.
    ``one_a_second``: the caller found the times :func:`every_second` (else it is found here)."""
    if len(t_s) < 2:
        return {}
    t, hr = t_s, hr_bpm
    least = hr.min()
    if one_a_second and least > 0 and max_gap_s >= 1.0 and hr.max() < _BPM_COUNTERS - 0.5:
        # Times one a second and every heart rate above 0 (a NaN is the smallest) and as recorded:
        # each sample but the last holds its bpm for one second, so a bin's seconds are a count,
        # and the bins are the whole beats from 0 to under 4,096: one counter each.
        counts = np.bincount((hr[:-1] + 0.5).astype(np.int64))
        present = np.flatnonzero(counts)
        # (the counts as floats: the sums of as many 1.0s)
        return dict(zip(present.tolist(), counts[present].astype(float).tolist()))
    clean = not math.isnan(least)
    if not clean or math.isnan(t.min()):
        t, hr = kept(~(np.isnan(hr_bpm) | np.isnan(t_s)), t_s, hr_bpm)
        clean = False
        if len(t) < 2:
            return {}
    dt = t[1:] - t[:-1]
    prev = hr[:-1]
    keys = prev + 0.5
    # (every heart rate above 0 when the least of all of them is)
    if dt.min() > 0 and ((clean and least > 0) or prev.min() > 0):  # the usual samples: every one counts,
        keys = keys.astype(np.int64)  # and (all above 0) the whole part of each is its floor
    else:
        ok = (dt > 0) & (prev > 0)
        if not ok.any():
            return {}
        keys, dt = kept(ok, keys, dt)
        np.floor(keys, out=keys)
        keys = keys.astype(np.int64)
    return _seconds_per_bpm(keys, np.minimum(dt, max_gap_s))


def _seconds_per_bpm(keys: np.ndarray, seconds: np.ndarray) -> dict[int, float]:
    """The seconds summed per bpm, for the bpm present."""
    lo, hi = int(keys.min()), int(keys.max())
    if hi - lo < _BPM_COUNTERS:  # heart rates as recorded: one counter per bpm between the lowest and highest
        # (from 0 when that is as few counters: no shifting)
        shift = lo if lo < 0 or hi >= _BPM_COUNTERS else 0
        sums = np.bincount(keys - shift if shift else keys, weights=seconds)
        present = np.flatnonzero(sums)  # every second counted is more than 0: a bin holding any is not 0
        return dict(zip((present + shift if shift else present).tolist(), sums[present].tolist()))
    uniq, inv = np.unique(keys, return_inverse=True)
    sums = np.bincount(inv, weights=seconds)
    return {int(k): float(v) for k, v in zip(uniq, sums)}
