"""Training-load formulas: pure functions over activities and daily series, each cited.

They know nothing of rules or of the store: the metric adapters (:mod:`runload.rules.load_metrics`)
turn them into the values rule files judge, and :class:`runload.load.series.Frames` keeps each
result once per athlete. Formulas and their sources are in ``evidence.md`` sections 1-6 and 8.
"""

from __future__ import annotations

import math
import statistics
from collections import deque
from collections.abc import Sequence
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

from runload.calendar import local_date, week_start_of
from runload.models import HR_BIN_BPM, Activity

ACWR_METHODS = ("rac", "rau", "ewma")
# The single-run spike's reference window and the return-to-run break are one window: a run has
# a reference when an earlier run lies within the LOOKBACK_DAYS days before it, and a break is
# LOOKBACK_DAYS or more days without a run, so a run is either judged or a return, never both
# (evidence.md sections 2 and 8; Frandsen 2025 "the previous 30 days").
LOOKBACK_DAYS = 30
# CTL's time constant: fitness and fatigue are not settled before this many days of data
# (evidence.md section 5); the report and the charts mark them as settling until then.
CTL_DAYS = 42
MONOTONY_CAP = 10.0  # value used when a week's daily loads have sd = 0 (as common tools do)

# Banister's TRIMP constants (Banister 1991; Morton et al. 1990), ``a x e^(b x HRr)``: men
# 0.64 x e^(1.92 x HRr), women 0.86 x e^(1.67 x HRr) (evidence.md section 5).
TRIMP_CONSTANTS = {"male": (0.64, 1.92), "female": (0.86, 1.67)}


def trimp_sex(sex: str | None) -> str | None:
    """``male`` or ``female`` when the profile says so, else None (formula unknown)."""
    key = (sex or "").strip().lower()
    return key if key in TRIMP_CONSTANTS else None


def banister_trimp(minutes: float, hr_bpm: float, hr_rest_bpm: float, hr_max_bpm: float,
                   sex: str | None) -> float:
    """Banister TRIMP of ``minutes`` at ``hr_bpm``: ``min x HRr x a x e^(b x HRr)``.

    ``HRr = (HR - rest) / (max - rest)``, clipped to 0..1 (a heart rate under resting adds no
    load; one over the stated maximum counts as the maximum). Men ``a = 0.64, b = 1.92``,
    women ``a = 0.86, b = 1.67``; with the sex unknown, the mean of the men's and the women's
    TRIMP (:func:`trimp_formula` says so in words). Worked check (evidence.md section 5): 45 min
    at 150 bpm, rest 60, max 190 gives 75.3 (men), 85.1 (women) and 80.2 (sex unknown).
    """
    if hr_max_bpm <= hr_rest_bpm:
        raise ValueError("maximum heart rate must be above resting heart rate")
    hrr = min(max((hr_bpm - hr_rest_bpm) / (hr_max_bpm - hr_rest_bpm), 0.0), 1.0)
    known = trimp_sex(sex)
    pairs = [TRIMP_CONSTANTS[known]] if known else list(TRIMP_CONSTANTS.values())
    return sum(minutes * hrr * a * math.exp(b * hrr) for a, b in pairs) / len(pairs)


def trimp_formula(sex: str | None) -> str:
    """The TRIMP formula used for an athlete of ``sex``, in words (reports quote it)."""
    known = trimp_sex(sex)
    if known == "female":
        return "Banister TRIMP, women's formula: minutes x HRr x 0.86 x e^(1.67 x HRr)"
    if known == "male":
        return "Banister TRIMP, men's formula: minutes x HRr x 0.64 x e^(1.92 x HRr)"
    return ("Banister TRIMP, the mean of the men's (0.64 x e^(1.92 x HRr)) and women's (0.86 x e^(1.67 x HRr)) "
            "formulas: the profile has no sex (runload athlete edit ID --sex female|male)")


def trimp_formula_key(sex: str | None) -> str:
    """A short name of the TRIMP formula for JSON: ``banister-male``, ``banister-female`` or
    ``banister-mean`` (sex unknown)."""
    return f"banister-{trimp_sex(sex) or 'mean'}"


def hr_seconds(a: Activity) -> list[tuple[float, float]]:
    """(bpm, seconds) for each heart-rate bin of ``a``: a 1-bpm bin at its own bpm (exact for a
    device that records whole beats); a 5-bpm bin an older runload stored at its middle (lower
    edge + 2.5), the best that can be done without the file (re-importing it gives exact bpm)."""
    middle = 0.0 if a.hr_bin_bpm == HR_BIN_BPM else a.hr_bin_bpm / 2.0
    return [(lower + middle, sec) for lower, sec in a.hr_zone_s.items() if sec > 0]


def coarse_hr(a: Activity) -> bool:
    """True when the activity's heart rate is held in bins wider than 1 bpm (an older store)."""
    return bool(a.hr_zone_s) and a.hr_bin_bpm != HR_BIN_BPM


def activity_trimp(a: Activity, hr_rest_bpm: float, hr_max_bpm: float, sex: str | None) -> float | None:
    """TRIMP of one activity: summed over its heart-rate bins (:func:`hr_seconds`: each
    recorded bpm) when recorded, else from the average heart rate and the moving time; ``None``
    without heart rate."""
    if a.hr_zone_s:
        # banister_trimp per bin, inlined: this runs for every run of every weekly frame
        if hr_max_bpm <= hr_rest_bpm:
            raise ValueError("maximum heart rate must be above resting heart rate")
        known = trimp_sex(sex)
        pairs = [TRIMP_CONSTANTS[known]] if known else list(TRIMP_CONSTANTS.values())
        span, exp, total = hr_max_bpm - hr_rest_bpm, math.exp, 0.0
        for bpm, sec in hr_seconds(a):
            hrr = min(max((bpm - hr_rest_bpm) / span, 0.0), 1.0)
            total += sec * hrr * sum(k * exp(b * hrr) for k, b in pairs)
        return total / 60.0 / len(pairs)
    duration = a.timer_s if a.timer_s is not None else a.elapsed_s
    if a.avg_hr_bpm is None or not duration:
        return None
    return banister_trimp(duration / 60.0, a.avg_hr_bpm, hr_rest_bpm, hr_max_bpm, sex)


# --- Pure series functions -----------------------------------------------------------------------


def _rolling_kahan(values: np.ndarray, window: int, *, mean: bool,
                   totals: dict[int, np.ndarray] | None = None) -> np.ndarray:
    """The sum (or mean) of the ``window`` values ending at each position, NaN before a full
    window: ``Series.rolling(window, min_periods=window).sum()`` / ``.mean()`` to the last bit.

    It is the same walk as pandas' fixed-window kernel: one value added and one removed per day
    with Kahan-compensated sums (one compensation for adds, one for removes), NaN and infinity
    skipped, a window of one repeated value giving that value exactly, and a mean of values of one
    sign kept on that side of zero. Written here so that the assessment needs no pandas.
    ``totals``: see :func:`rolling_mean`."""
    arr = np.asarray(values, dtype=float)
    if len(arr) >= window > 0 and np.isfinite(arr).all() and not np.signbit(arr).any():
        return _rolling_kahan_plain(arr, window, mean=mean, totals=totals)
    vals = [math.nan if math.isinf(v) else v for v in arr.tolist()]
    out = [math.nan] * len(vals)
    copysign = math.copysign
    total = comp_add = comp_remove = 0.0
    nobs = neg = same = 0
    prev = vals[0] if vals else 0.0
    for i, val in enumerate(vals):
        if i >= window:
            old = vals[i - window]
            if old == old:  # not NaN
                nobs -= 1
                y = -old - comp_remove
                t = total + y
                comp_remove = t - total - y
                total = t
                if copysign(1.0, old) < 0:
                    neg -= 1
        if val == val:
            nobs += 1
            y = val - comp_add
            t = total + y
            comp_add = t - total - y
            total = t
            if copysign(1.0, val) < 0:
                neg += 1
            same = same + 1 if val == prev else 1
            prev = val
        if nobs >= window and nobs > 0:
            if not mean:
                out[i] = prev * nobs if same >= nobs else total
                continue
            result = prev if same >= nobs else total / nobs
            if same < nobs and ((neg == 0 and result < 0) or (neg == nobs and result > 0)):
                result = 0.0
            out[i] = result
    return np.array(out, dtype=float)


def _window_totals(arr: np.ndarray, window: int) -> np.ndarray:
    """The compensated running total of the ``window`` values ending at each day of ``arr``
    (finite, none negative), the first ``window - 1`` over fewer days: pandas' walk, one value
    added and one removed per day, a Kahan compensation for each."""
    vals = arr.tolist()
    totals = [0.0] * len(vals)
    total = comp_add = comp_remove = 0.0
    i = 0
    for val in vals[:window]:
        y = val - comp_add
        t = total + y
        comp_add = (t - total) - y
        totals[i] = total = t
        i += 1
    for val, old in zip(vals[window:], vals):
        y = -old - comp_remove  # the day leaving the window
        t = total + y
        comp_remove = (t - total) - y
        y = val - comp_add  # the day entering it
        total = t + y
        comp_add = (total - t) - y
        totals[i] = total
        i += 1
    return np.array(totals, dtype=float)


def _rolling_kahan_plain(arr: np.ndarray, window: int, *, mean: bool,
                         totals: dict[int, np.ndarray] | None = None) -> np.ndarray:
    """:func:`_rolling_kahan` of finite values none of which is negative (or -0.0), as daily loads
    are: every window after the first is full, no sign to count, so only the compensated sums
    are walked in Python (once per window when ``totals`` keeps them) and the rest is array work."""
    sums = totals.get(window) if totals is not None else None
    if sums is None:
        sums = _window_totals(arr, window)
        if totals is not None:
            totals[window] = sums
    n = len(arr)
    # the run of equal values ending at each day: a window of one value gives that value exactly
    idx = np.arange(n)
    changed = np.empty(n, dtype=bool)
    changed[:1] = True
    np.not_equal(arr[1:], arr[:-1], out=changed[1:])
    run_start = np.maximum.accumulate(np.where(changed, idx, 0))
    same = idx - run_start + 1 >= window
    if mean:
        out = np.where(same, arr, sums / window)
        out[~same & (out < 0)] = 0.0  # a mean of values none of which is negative
    else:
        out = np.where(same, arr * window, sums)
    out[:window - 1] = np.nan
    return out


def rolling_mean(values: np.ndarray, window: int, *, totals: dict[int, np.ndarray] | None = None) -> np.ndarray:
    """The mean of the ``window`` values ending at each position, NaN before a full window and
    where one holds NaN: ``Series.rolling(window, min_periods=window).mean()`` to the last bit.

    ``totals``, a dict the caller keeps for these same values, holds the compensated window
    totals by window: the sum and the mean of one series over one window walk it once."""
    return _rolling_kahan(values, window, mean=True, totals=totals)


def rolling_sum(values: np.ndarray, window: int, *, totals: dict[int, np.ndarray] | None = None) -> np.ndarray:
    """The sum of the ``window`` values ending at each position, NaN before a full window:
    ``Series.rolling(window, min_periods=window).sum()`` to the last bit (``totals``: see
    :func:`rolling_mean`)."""
    return _rolling_kahan(values, window, mean=False, totals=totals)


def acwr_arrays(load: np.ndarray, *, method: str = "rac", acute: int = 7, chronic: int = 28,
                totals: dict[int, np.ndarray] | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The columns of :func:`acwr_frame` (acute, chronic, ratio) of a complete daily series given
    as an array: the rules read these; the frame is built from them when a chart asks
    (``totals``: the window totals kept for ``load``, see :func:`rolling_mean`)."""
    if method not in ACWR_METHODS:
        raise ValueError(f"method must be one of {', '.join(ACWR_METHODS)}, not {method!r}")
    if chronic <= acute:
        raise ValueError("the chronic window must be longer than the acute window")
    vals = np.asarray(load, dtype=float)
    if method == "ewma":
        import pandas as pd  # noqa: PLC0415 - pandas' EWMA kernel, loaded only for this method
        series = pd.Series(vals)
        a = series.ewm(alpha=2.0 / (acute + 1.0), adjust=False).mean().to_numpy(dtype=float)
        c = series.ewm(alpha=2.0 / (chronic + 1.0), adjust=False).mean().to_numpy(dtype=float)
    elif method == "rac":
        a, c = rolling_mean(vals, acute, totals=totals), rolling_mean(vals, chronic, totals=totals)
    else:
        a = rolling_mean(vals, acute, totals=totals)
        shifted = np.full(len(vals), np.nan)
        shifted[acute:] = vals[:len(vals) - acute] if len(vals) > acute else vals[:0]
        c = rolling_mean(shifted, chronic - acute)
    enough = np.arange(1, len(vals) + 1) >= chronic
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(enough & (c > 0), a / np.where(c > 0, c, np.nan), np.nan)
    return a, c, ratio


def acwr_frame(load: pd.Series, *, method: str = "rac", acute: int = 7, chronic: int = 28) -> pd.DataFrame:
    """The acute and chronic loads and their ratio per day of a complete daily series (zeros on
    rest days): columns ``acute``, ``chronic`` (the numerator and denominator each method
    divides, per day) and ``acwr``.

    ``rac`` coupled rolling: mean of the last ``acute`` days / mean of the last ``chronic``
    days. ``rau`` uncoupled rolling: the chronic mean covers the ``chronic - acute`` days before
    the acute window. ``ewma`` (Williams 2017): exponentially weighted means with
    ``lambda = 2 / (N + 1)``, seeded with the first day's load. The ratio is NaN until
    ``chronic`` days of history exist and wherever the chronic load is 0 (no division by zero).
    """
    import pandas as pd  # noqa: PLC0415 - pandas loads only when a frame is asked for
    a, c, ratio = acwr_arrays(load.to_numpy(dtype=float), method=method, acute=acute, chronic=chronic)
    return pd.DataFrame({"acute": a, "chronic": c, "acwr": ratio}, index=load.index)


def acwr_series(load: pd.Series, *, method: str = "rac", acute: int = 7, chronic: int = 28) -> pd.Series:
    """Acute:chronic workload ratio per day (the ``acwr`` column of :func:`acwr_frame`)."""
    return acwr_frame(load, method=method, acute=acute, chronic=chronic)["acwr"].rename("acwr")


def acwr_words(method: str, acute: int = 7, chronic: int = 28) -> dict[str, str]:
    """What each ACWR method divides, in words for a message: ``acute_words`` (the numerator,
    a daily figure follows) and ``chronic_words`` (the denominator). A coupled ratio is against
    the last ``chronic`` days, these ``acute`` included; an uncoupled one against the
    ``chronic - acute`` days before them; an EWMA against a ``chronic``-day exponentially
    weighted average, which weights recent days most and has no fixed window."""
    if method == "rac":
        return {"acute_words": f"the last {acute} days averaged",
                "chronic_words": f"your average over the last {chronic} days (these {acute} included)",
                "method_name": "coupled rolling averages"}
    if method == "rau":
        return {"acute_words": f"the last {acute} days averaged",
                "chronic_words": f"your average over the {chronic - acute} days before them",
                "method_name": "uncoupled rolling averages"}
    if method == "ewma":
        return {"acute_words": f"your {acute}-day exponentially weighted average was",
                "chronic_words": f"your {chronic}-day exponentially weighted average",
                "method_name": "exponentially weighted averages, Williams 2017"}
    raise ValueError(f"method must be one of {', '.join(ACWR_METHODS)}, not {method!r}")


def weekly_monotony(load: pd.Series, *, week_start: int = 0, ddof: int = 1) -> pd.DataFrame:
    """Foster's monotony and strain per complete week of a daily series (rest days as 0).

    ``monotony = mean / sd`` of the 7 daily loads, ``strain = weekly load x monotony``. sd = 0
    with load gives ``MONOTONY_CAP`` (10); a week with no load has no monotony (NaN). ``ddof``
    1 is the sample sd, as in pandas and the ``acwr`` package; papers rarely say which they used.
    Weeks not fully inside the series are left out.
    """
    import pandas as pd  # noqa: PLC0415 - pandas loads only when a frame is asked for
    cols = ["week_start", "load", "mean", "sd", "monotony", "strain"]
    if load.empty:
        return pd.DataFrame(columns=cols)
    vals = load.to_numpy(dtype=float)
    first = load.index[0].date()
    n = len(vals)
    daily = (n > 1 and (load.index[-1].date() - first).days == n - 1 and load.index.is_monotonic_increasing
             and not np.isnan(vals).any())
    if not daily:
        return _weekly_monotony_grouped(load, week_start=week_start, ddof=ddof, cols=cols)
    columns = weekly_monotony_columns(first, vals, week_start=week_start, ddof=ddof)
    if not columns["week_start"]:
        return pd.DataFrame(columns=cols)
    return pd.DataFrame(columns, columns=cols)


def weekly_monotony_columns(first: date, vals: np.ndarray, *, week_start: int = 0,
                            ddof: int = 1) -> dict[str, Any]:
    """The columns of :func:`weekly_monotony` of a complete daily series without NaN given as an
    array from day ``first`` (``week_start`` a list of dates, the others arrays)."""
    # The whole weeks as rows of a (weeks x 7) array, each row reduced as pandas reduces a week's
    # Series (sum, sum / 7, sqrt(sum((mean - x)^2) / (7 - ddof))).
    n = len(vals)
    skip = (week_start_of(first, week_start) - first).days % 7  # days before the first whole week
    weeks = max((n - skip) // 7, 0)
    grid = vals[skip:skip + 7 * weeks].reshape(weeks, 7)
    total = grid.sum(axis=1)
    mean = total / 7
    with np.errstate(invalid="ignore", divide="ignore"):
        sd = np.sqrt(((mean[:, None] - grid) ** 2).sum(axis=1) / (7 - ddof)) if 7 - ddof > 0 else np.full(weeks, np.nan)
        mono = np.where(total <= 0, np.nan, np.where(sd == 0, MONOTONY_CAP, np.minimum(mean / sd, MONOTONY_CAP)))
    strain = total * mono
    start0 = first + timedelta(days=skip)
    return {"week_start": [start0 + timedelta(days=7 * w) for w in range(weeks)], "load": total,
            "mean": mean, "sd": sd, "monotony": mono, "strain": strain}


def _weekly_monotony_grouped(load: pd.Series, *, week_start: int, ddof: int, cols: list[str]) -> pd.DataFrame:
    """:func:`weekly_monotony` of any series (days missing, unsorted, NaN): week by week."""
    import pandas as pd  # noqa: PLC0415 - pandas loads only when a frame is asked for
    starts = pd.Index([week_start_of(d.date(), week_start) for d in load.index], name="week_start")
    out = []
    for ws, chunk in load.groupby(starts):
        if len(chunk) < 7:
            continue
        total = float(chunk.sum())
        mean = float(chunk.mean())
        sd = float(chunk.std(ddof=ddof))
        if total <= 0:
            mono = math.nan
        elif sd == 0:
            mono = MONOTONY_CAP
        else:
            mono = min(mean / sd, MONOTONY_CAP)
        out.append({"week_start": ws, "load": total, "mean": mean, "sd": sd, "monotony": mono,
                    "strain": total * mono if not math.isnan(mono) else math.nan})
    return pd.DataFrame(out, columns=cols)


def fitness_fatigue(load: pd.Series, *, ctl_days: float = 42.0, atl_days: float = 7.0,
                    seed: float = 0.0, known: pd.Series | None = None,
                    settle_days: int = CTL_DAYS) -> pd.DataFrame:
    """Fitness (CTL), fatigue (ATL), form (TSB = CTL - ATL) and ramp rate per day.

    ``CTL_t = CTL_{t-1} + (load_t - CTL_{t-1}) / 42``, ATL the same with 7, both starting at
    ``seed`` the day before the series (time constants, not the EWMA's ``2/(N+1)``). TSB is
    the same day's CTL - ATL (after that day's load). TrainingPeaks and GoldenCheetah seed with
    0 and show form as yesterday's CTL - ATL; runload's metric and charts seed with the mean of
    the first 28 days (:meth:`runload.load.series.Frames.fitness_fatigue`), so a steady runner
    shows no false climb. ``ramp`` is ``CTL_t - CTL_{t-7}`` (NaN for the first 7 days).

    ``known`` (True per known day) marks gaps: there the recursion goes on as if the days were
    rest (load 0, as those tools do), but ``ctl``, ``atl`` and ``tsb`` are NaN (unknown, not
    shown) and so is every ``ramp`` whose 7 days touch a gap. Columns ``known`` and ``settled``
    (False for the first ``settle_days`` days, while the seed still weighs: provisional).
    """
    import pandas as pd  # noqa: PLC0415 - pandas loads only when a frame is asked for
    if known is None:
        ok = np.ones(len(load), dtype=bool)
    else:
        ok = (known if known.index.equals(load.index) else known.reindex(load.index, fill_value=True)
              ).to_numpy(dtype=bool)
    return pd.DataFrame(fitness_fatigue_columns(load.astype(float).to_numpy(), ctl_days=ctl_days, atl_days=atl_days,
                                                seed=seed, known=ok, settle_days=settle_days), index=load.index)


def fitness_fatigue_columns(vals: np.ndarray, *, ctl_days: float = 42.0, atl_days: float = 7.0, seed: float = 0.0,
                            known: np.ndarray | None = None, settle_days: int = CTL_DAYS) -> dict[str, np.ndarray]:
    """The columns of :func:`fitness_fatigue` of a complete daily series given as an array
    (``known``: True per known day, default all)."""
    ctl_list, atl_list = [], []
    c = a = float(seed)
    for x in vals.tolist():
        c += (x - c) / ctl_days
        a += (x - a) / atl_days
        ctl_list.append(c)
        atl_list.append(a)
    ctl = np.array(ctl_list, dtype=float)
    atl = np.array(atl_list, dtype=float)
    n = len(vals)
    ramp = np.full(n, np.nan)
    ramp[7:] = ctl[7:] - ctl[:-7]  # CTL_t - CTL_{t-7}
    tsb = ctl - atl
    ok = np.ones(n, dtype=bool) if known is None else np.asarray(known, dtype=bool)
    if not ok.all():
        ctl, atl, tsb = (np.where(ok, x, np.nan) for x in (ctl, atl, tsb))
        # a ramp whose 8 days (t-7 .. t) touch an unknown day is unknown
        unknown = np.concatenate(([0], np.cumsum(~ok)))
        touched = unknown[1:] - unknown[np.maximum(np.arange(1, n + 1) - 8, 0)] > 0
        ramp[touched] = np.nan
    return {"ctl": ctl, "atl": atl, "tsb": tsb, "ramp": ramp, "known": ok,
            "settled": np.arange(1, n + 1) > settle_days}


def running_pace(activities: Sequence[Activity]) -> float | None:
    """The median pace of these recorded runs in minutes per km (runs of 1 km or more, at 2.5 to
    15 min/km), or None without any."""
    paces = [pace for a in activities if a.is_run and a.timer_s and a.distance_m >= 1000
             for pace in [a.timer_s / 60.0 / (a.distance_m / 1000.0)] if 2.5 <= pace <= 15]
    return statistics.median(paces) if paces else None


def days_without_run(last_run: date, day: date) -> int:
    """Whole days between a run on ``last_run`` and ``day`` without a run (``day`` excluded):
    a run on day t after one on t-30 follows 29 days without a run."""
    return (day - last_run).days - 1


def has_reference(last_run: date, day: date, window_days: int = LOOKBACK_DAYS) -> bool:
    """Whether a run on ``last_run`` lies in the ``window_days`` days before ``day`` (or on it),
    so that a run on ``day`` has a spike reference. Its opposite is a break: ``window_days`` or
    more days without a run (:func:`days_without_run`)."""
    return 0 <= (day - last_run).days <= window_days


def run_spikes(activities: Sequence[Activity], *, window_days: int = LOOKBACK_DAYS,
               days: Sequence[date] | None = None) -> list[dict[str, Any]]:
    """Each run against the longest run of the previous ``window_days`` days (Frandsen 2025).

    ``spike_pct = (km / ref_km - 1) x 100`` with ``ref_km`` the longest earlier run on one of the
    ``window_days`` days before this run's day, or earlier the same day (:func:`has_reference`;
    this run excluded); ``None`` when there is no earlier run in the window (a return from a
    break, not a spike).
    """
    local = days if days is not None else [local_date(a) for a in activities]  # ``days``: the caller's, once
    pairs = sorted(((d, a) for d, a in zip(local, activities) if a.is_run), key=lambda da: da[1].start_utc)
    runs = [a for _, a in pairs]
    days = [d for d, _ in pairs]
    metres = [a.distance_m for a in runs]
    out = []
    for i, ref_i in enumerate(spike_references([d.toordinal() for d in days], metres, window_days)):
        km = metres[i] / 1000.0
        if ref_i >= 0:
            ref_km = metres[ref_i] / 1000.0
            out.append({"activity": runs[i], "date": days[i], "km": km, "ref_km": ref_km, "ref_date": days[ref_i],
                        "spike_pct": (km / ref_km - 1.0) * 100.0})
        else:
            out.append({"activity": runs[i], "date": days[i], "km": km, "ref_km": None, "ref_date": None,
                        "spike_pct": None})
    return out


def spike_references(ords: Sequence[int], metres: Sequence[float], window_days: int = LOOKBACK_DAYS) -> list[int]:
    """For each run (in start order, its day ordinal and distance), the index of its
    :func:`run_spikes` reference: the longest earlier run on one of the ``window_days`` days
    before it or earlier the same day, the earliest of equals; -1 without one."""
    out: list[int] = []
    first = 0  # the earliest earlier run still inside the window
    # the window's runs with distance, longest first (a sliding-window maximum): each run is
    # pushed once after the ones shorter than it are dropped, so the front is the longest run of
    # the window, the earliest of equals, as a scan of the window from its start finds it
    best: deque[int] = deque()
    for i, o in enumerate(ords):
        while first < i and not 0 <= o - ords[first] <= window_days:
            first += 1
        while best and best[0] < first:
            best.popleft()
        out.append(best[0] if best else -1)
        m = metres[i]
        if m > 0:
            while best and metres[best[-1]] < m:
                best.pop()
            best.append(i)
    return out


def longest_run_km(activities: Sequence[Activity], *, end: date, days: int = 30) -> float | None:
    """The longest run in the ``days`` days up to and including ``end`` (None if no run)."""
    kms = [a.distance_m / 1000.0 for a in activities
           if a.is_run and 0 <= (end - local_date(a)).days < days]
    return max(kms) if kms else None


def return_to_run_state(activities: Sequence[Activity], as_of: date, *, break_days: int = LOOKBACK_DAYS,
                        mode_days: int = 28, days: Sequence[date] | None = None) -> dict[str, Any]:
    """Where the runner stands after a break (evidence.md sections 2 and 8).

    A break is ``break_days`` or more days without a run (:func:`days_without_run`): the same
    window as the spike reference, so the first run after a break has no reference and a run
    with a reference ends no break. Return-to-run mode is on while the days since the last run
    (``as_of`` included, when no run is recorded on it) reach ``break_days`` (and when there was
    never a run), and when the first run after a break was less than ``mode_days`` days ago
    (the walk-run progression is under way). Keys: ``active``, ``days_since_last_run`` (None
    without runs), ``last_run``, ``comeback`` (first run after the latest break, or None).
    """
    local = days if days is not None else [local_date(a) for a in activities]  # ``days``: the caller's, once
    ords = np.array([d.toordinal() for d, a in zip(local, activities) if a.is_run], dtype=np.int64)
    return return_to_run_of(ords, as_of, break_days=break_days, mode_days=mode_days)


def distinct(values: np.ndarray) -> np.ndarray:
    """``np.unique`` of an integer array (sorted distinct values), without its general machinery."""
    v = np.array(values, dtype=values.dtype)
    if len(v) < 2:
        return v
    v.sort()
    keep = np.empty(len(v), dtype=bool)
    keep[0] = True
    np.not_equal(v[1:], v[:-1], out=keep[1:])
    return v[keep]


def return_to_run_of(run_days: np.ndarray, as_of: date, *, break_days: int = LOOKBACK_DAYS,
                     mode_days: int = 28) -> dict[str, Any]:
    """:func:`return_to_run_state` of the runs' day ordinals ``run_days`` (any order)."""
    today = as_of.toordinal()
    days = distinct(run_days[run_days <= today])
    if not len(days):
        return {"active": True, "days_since_last_run": None, "last_run": None, "comeback": None}
    last = int(days[-1])
    since = today - last
    breaks = ((days[1:] - days[:-1]) - 1 >= break_days).nonzero()[0]  # days_without_run of each pair
    comeback = date.fromordinal(int(days[breaks[-1] + 1])) if len(breaks) else None
    active = since >= break_days or (comeback is not None and (as_of - comeback).days < mode_days)
    return {"active": active, "days_since_last_run": since, "last_run": date.fromordinal(last), "comeback": comeback}


def hard_seconds(a: Activity, *, hr_max_bpm: float | None, zone4_fraction: float = 0.8,
                 threshold_pace_s_per_km: float | None = None) -> tuple[float, float, str] | None:
    """Seconds at hard effort and seconds judged, for one run, and how it was judged.

    With heart-rate bins and a maximum heart rate: time at a heart rate at or above
    ``zone4_fraction`` of the maximum is hard (zones 4-5 of the five-zone %HRmax model); each
    recorded bpm counts as itself (:func:`hr_seconds`; a 5-bpm bin of an older store at its
    middle). Else,
    with laps and a threshold pace: laps faster than the threshold pace are hard. ``None`` when
    neither is available.
    """
    if a.hr_zone_s and hr_max_bpm:
        limit = zone4_fraction * hr_max_bpm
        bins = hr_seconds(a)
        total = sum(s for _, s in bins)
        hard = sum(s for bpm, s in bins if bpm >= limit - 1e-9)  # 0.8 x 185 is 148, not 148.00...01
        if total > 0:
            return hard, total, "heart rate"
    if threshold_pace_s_per_km and a.laps:
        hard = total = 0.0
        for lap in a.laps:
            if not lap.distance_m or not lap.timer_s:
                continue
            total += lap.timer_s
            if lap.timer_s / (lap.distance_m / 1000.0) < threshold_pace_s_per_km:
                hard += lap.timer_s
        if total > 0:
            return hard, total, "lap pace"
    return None


def established_longest_km(activities: Sequence[Activity], *, end: date, days: int = 30,
                           spike_pct: float = 10.0, spikes: Sequence[dict[str, Any]] | None = None) -> float | None:
    """The longest run of the ``days`` days up to ``end`` that the runner has built up to.

    Each run counts only up to ``spike_pct`` over its own 30-day reference (the longest run of the
    30 days before it), so one spike does not become the base for the next cap. A run with no
    reference (the first after a break) counts in full. None when no run in the window.
    """
    best = None
    for s in (spikes if spikes is not None else run_spikes(activities, window_days=days)):
        if not 0 <= (end - s["date"]).days < days:
            continue
        km = s["km"] if s["ref_km"] is None else min(s["km"], s["ref_km"] * (1 + spike_pct / 100.0))
        best = km if best is None else max(best, km)
    return best


def established_longest_of(day: np.ndarray, km: np.ndarray, ref_km: np.ndarray, *, end: date, days: int = 30,
                           spike_pct: float = 10.0) -> float | None:
    """:func:`established_longest_km` on the arrays of
    :meth:`runload.load.series.Frames.spike_columns` (each run's day ordinal, km and reference
    km, NaN without one)."""
    back = end.toordinal() - day
    inside = (back >= 0) & (back < days)
    if not inside.any():
        return None
    k, r = km[inside], ref_km[inside]
    return float(np.where(np.isnan(r), k, np.minimum(k, r * (1 + spike_pct / 100.0))).max())
