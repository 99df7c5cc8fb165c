"""Training-load metrics: pure functions over a daily series, and the ``@metric`` adapters that
rule files name.

The pure functions (``acwr_series``, ``weekly_monotony``, ``fitness_fatigue``, ``run_spikes``,
...) take pandas series or activity lists and return numbers; they know nothing of rules. The
functions registered with ``@metric`` turn a :class:`runload.engine.Context` and a rule's
``params`` into :class:`runload.engine.MetricValue` items the engine judges. Formulas and their
sources are in ``evidence.md`` sections 1-6 and 8 (quoted in each rule file).

A day after the last imported activity is unknown, not a rest day: every series stops at the
last day with data (``Context.data_end``), and long silences are reported, not filled.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd

from runload.engine import Context, MetricValue, metric
from runload.load import (
    daily_load,
    daily_running,
    local_date,
    rolling_running,
    week_start_of,
    weekly_running,
)
from runload.models import Activity

ACWR_METHODS = ("rac", "rau", "ewma")
MONOTONY_CAP = 10.0  # value used when a week's daily loads have sd = 0 (as common tools do)


# --- Pure series functions -----------------------------------------------------------------------


def acwr_series(load: pd.Series, *, method: str = "rac", acute: int = 7, chronic: int = 28) -> pd.Series:
    """Acute:chronic workload ratio per day of a complete daily series (zeros on rest days).

    ``rac`` coupled rolling: mean of the last ``acute`` days / mean of the last ``chronic``
    days. ``rau`` uncoupled rolling: the chronic mean covers the ``chronic - acute`` days before
    the acute window. ``ewma`` (Williams 2017): exponentially weighted means with
    ``lambda = 2 / (N + 1)``, seeded with the first day's load. The ratio is NaN until
    ``chronic`` days of history exist and wherever the chronic load is 0 (no division by zero).
    """
    if method not in ACWR_METHODS:
        raise ValueError(f"method must be one of {', '.join(ACWR_METHODS)}, not {method!r}")
    if chronic <= acute:
        raise ValueError("the chronic window must be longer than the acute window")
    load = load.astype(float)
    if method == "ewma":
        a = load.ewm(alpha=2.0 / (acute + 1.0), adjust=False).mean()
        c = load.ewm(alpha=2.0 / (chronic + 1.0), adjust=False).mean()
    elif method == "rac":
        a = load.rolling(acute, min_periods=acute).mean()
        c = load.rolling(chronic, min_periods=chronic).mean()
    else:
        a = load.rolling(acute, min_periods=acute).mean()
        c = load.shift(acute).rolling(chronic - acute, min_periods=chronic - acute).mean()
    enough = pd.Series(np.arange(1, len(load) + 1) >= chronic, index=load.index)
    ratio = (a / c.where(c > 0)).where(enough)
    return ratio.rename("acwr")


def weekly_monotony(load: pd.Series, *, week_start: int = 0, ddof: int = 1) -> pd.DataFrame:
    """Foster's monotony and strain per complete week of a daily series (rest days as 0).

    ``monotony = mean / sd`` of the 7 daily loads, ``strain = weekly load x monotony``. sd = 0
    with load gives ``MONOTONY_CAP`` (10); a week with no load has no monotony (NaN). ``ddof``
    1 is the sample sd, as in pandas and the ``acwr`` package; papers rarely say which they used.
    Weeks not fully inside the series are left out.
    """
    cols = ["week_start", "load", "mean", "sd", "monotony", "strain"]
    if load.empty:
        return pd.DataFrame(columns=cols)
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
                    seed: float = 0.0) -> pd.DataFrame:
    """Fitness (CTL), fatigue (ATL), form (TSB = CTL - ATL) and ramp rate per day.

    ``CTL_t = CTL_{t-1} + (load_t - CTL_{t-1}) / 42``, ATL the same with 7, both starting at
    ``seed`` the day before the series (time constants, not the EWMA's ``2/(N+1)``). Tools
    usually seed with 0, which makes fitness climb for months under a constant load; the
    ``ctl_ramp_pct`` metric seeds with the mean of the first 28 days instead. ``ramp`` is
    ``CTL_t - CTL_{t-7}`` (NaN for the first 7 days).
    """
    vals = load.astype(float).to_numpy()
    ctl = np.empty(len(vals))
    atl = np.empty(len(vals))
    c = a = float(seed)
    for i, x in enumerate(vals):
        c += (x - c) / ctl_days
        a += (x - a) / atl_days
        ctl[i], atl[i] = c, a
    frame = pd.DataFrame({"ctl": ctl, "atl": atl}, index=load.index)
    frame["tsb"] = frame["ctl"] - frame["atl"]
    frame["ramp"] = frame["ctl"] - frame["ctl"].shift(7)
    return frame


def run_spikes(activities: Sequence[Activity], *, window_days: int = 30) -> list[dict[str, Any]]:
    """Each run against the longest run of the previous ``window_days`` days (Frandsen 2025).

    ``spike_pct = (km / ref_km - 1) x 100`` with ``ref_km`` the longest earlier run that started
    within the window (this run excluded); ``None`` when there is no earlier run in the window
    (a return from a break, not a spike).
    """
    runs = sorted((a for a in activities if a.is_run), key=lambda a: a.start_utc)
    days = [local_date(a) for a in runs]  # once per run: this loop is on every report's hot path
    out = []
    first = 0  # the earliest earlier run still inside the window
    for i, a in enumerate(runs):
        day = days[i]
        while first < i and (day - days[first]).days > window_days:
            first += 1
        ref_i = None
        for j in range(first, i):
            if runs[j].distance_m > 0 and (ref_i is None or runs[j].distance_m > runs[ref_i].distance_m):
                ref_i = j
        km = a.distance_m / 1000.0
        if ref_i is not None:
            ref_km = runs[ref_i].distance_m / 1000.0
            out.append({"activity": a, "date": day, "km": km, "ref_km": ref_km, "ref_date": days[ref_i],
                        "spike_pct": (km / ref_km - 1.0) * 100.0})
        else:
            out.append({"activity": a, "date": day, "km": km, "ref_km": None, "ref_date": None,
                        "spike_pct": None})
    return out


def longest_run_km(activities: Sequence[Activity], *, end: date, days: int = 30) -> float | None:
    """The longest run in the ``days`` days up to and including ``end`` (None if no run)."""
    kms = [a.distance_m / 1000.0 for a in activities
           if a.is_run and 0 <= (end - local_date(a)).days < days]
    return max(kms) if kms else None


def return_to_run_state(activities: Sequence[Activity], as_of: date, *, break_days: int = 30,
                        mode_days: int = 28) -> dict[str, Any]:
    """Where the runner stands after a break (evidence.md sections 2 and 8).

    Return-to-run mode is on when there was no run in the ``break_days`` days up to ``as_of``
    (including when there was never a run), or when the first run after such a break was less
    than ``mode_days`` days ago (the walk-run progression is under way). Keys: ``active``,
    ``days_since_last_run`` (None without runs), ``last_run``, ``comeback`` (first run after
    the latest break, or None).
    """
    days = sorted({local_date(a) for a in activities if a.is_run and local_date(a) <= as_of})
    if not days:
        return {"active": True, "days_since_last_run": None, "last_run": None, "comeback": None}
    since = (as_of - days[-1]).days
    comeback = None
    for prev, cur in zip(days, days[1:]):
        if (cur - prev).days >= break_days:
            comeback = cur
    active = since >= break_days or (comeback is not None and (as_of - comeback).days < mode_days)
    return {"active": active, "days_since_last_run": since, "last_run": days[-1], "comeback": comeback}


def silences(activities: Sequence[Activity], *, min_days: int = 14, as_of: date | None = None
             ) -> list[tuple[date, date]]:
    """Stretches of at least ``min_days`` days without any recorded activity: (first, last) day.

    runload cannot tell rest from a watch left at home, so these days are unknown. The stretch
    after the last activity counts when ``as_of`` is later than it.
    """
    days = sorted({local_date(a) for a in activities})
    out = []
    for prev, cur in zip(days, days[1:]):
        if (cur - prev).days - 1 >= min_days:
            out.append((prev + timedelta(days=1), cur - timedelta(days=1)))
    if days and as_of is not None and (as_of - days[-1]).days >= min_days:
        out.append((days[-1] + timedelta(days=1), as_of))
    return out


def hard_seconds(a: Activity, *, hr_max_bpm: float | None, zone4_fraction: float = 0.8,
                 threshold_pace_s_per_km: float | None = None) -> tuple[float, float, str] | None:
    """Seconds at hard effort and seconds judged, for one run, and how it was judged.

    With heart-rate bins and a maximum heart rate: a 5-bpm bin is hard when its middle is at or
    above ``zone4_fraction`` of the maximum (zones 4-5 of the five-zone %HRmax model). Else,
    with laps and a threshold pace: laps faster than the threshold pace are hard. ``None`` when
    neither is available.
    """
    if a.hr_zone_s and hr_max_bpm:
        limit = zone4_fraction * hr_max_bpm
        total = sum(a.hr_zone_s.values())
        hard = sum(s for lower, s in a.hr_zone_s.items() if lower + 2.5 >= limit)
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


# --- Helpers for the metric adapters ---------------------------------------------------------------


def _upto(ctx: Context) -> tuple[list[Activity], date | None]:
    """Activities up to ``as_of`` and the last day with data (days after it are unknown)."""
    acts = [a for a in ctx.activities if ctx.as_of is None or local_date(a) <= ctx.as_of]
    end = max((local_date(a) for a in acts), default=None)
    return acts, end


def _setting(ctx: Context, params: Mapping[str, Any], key: str, default: Any) -> Any:
    """A metric parameter: the rule's ``params`` first, then the athlete settings, else default."""
    if key in params:
        return params[key]
    return ctx.settings.get(key, default)


def _load_series(ctx: Context, params: Mapping[str, Any], acts: list[Activity], end: date | None
                 ) -> tuple[pd.Series | None, str]:
    """The daily load the rule asks for; TRIMP needs resting and max HR (None without them)."""
    kind = str(_setting(ctx, params, "load", "distance"))
    ath = ctx.athlete
    if kind == "trimp" and (ath.hr_rest_bpm is None or ath.hr_max_bpm is None):
        return None, kind
    return daily_load(acts, load=kind, end=end, hr_rest_bpm=ath.hr_rest_bpm,
                      hr_max_bpm=ath.hr_max_bpm, sex=ath.sex), kind


LOAD_UNITS = {"distance": "km", "duration": "min", "trimp": "TRIMP"}


def _num(x: Any) -> float | None:
    """A float, or None for NaN/None/inf."""
    if x is None:
        return None
    x = float(x)
    return None if math.isnan(x) or math.isinf(x) else x


# --- Metrics named by rule files ---------------------------------------------------------------


@metric("week_change_pct")
def week_change_pct(ctx: Context, params: Mapping[str, Any]) -> list[MetricValue]:
    """Calendar-week running distance against the week before, in percent (evidence.md 1).

    None when the week before ran less than ``min_base_km`` (default 10): base too small.
    Facts: distance_km, prev_km, runs, longest_run_km, base_too_small, partial (week not over).
    """
    acts, end = _upto(ctx)
    min_base = float(_setting(ctx, params, "min_base_km", 10.0))
    weekly = weekly_running(acts, week_start=ctx.week_start, min_base_km=min_base, end=end)
    out = []
    prev = None
    for r in weekly.itertuples(index=False):
        if prev is not None:
            out.append(MetricValue(
                value=_num(r.change_pct), week_start=r.week_start,
                facts={"distance_km": float(r.distance_km), "prev_km": float(prev), "runs": int(r.runs),
                       "longest_run_km": float(r.longest_run_km), "base_too_small": bool(r.base_too_small),
                       "partial": end is not None and r.week_start + timedelta(days=6) > end}))
        prev = r.distance_km
    return out


@metric("two_week_change_pct")
def two_week_change_pct(ctx: Context, params: Mapping[str, Any]) -> list[MetricValue]:
    """Running distance of the last two calendar weeks against the two weeks before, in percent.

    runload's reading of the 2-week progression in Nielsen 2014. None when the earlier two weeks
    averaged less than ``min_base_km`` a week. Facts: two_week_km, prev_two_week_km, distance_km.
    """
    acts, end = _upto(ctx)
    min_base = float(_setting(ctx, params, "min_base_km", 10.0))
    weekly = weekly_running(acts, week_start=ctx.week_start, end=end)
    km = weekly["distance_km"].astype(float).tolist()
    out = []
    for i in range(3, len(km)):
        cur, prev = km[i] + km[i - 1], km[i - 2] + km[i - 3]
        value = (cur - prev) / prev * 100.0 if prev / 2 >= min_base else None
        out.append(MetricValue(value=value, week_start=weekly["week_start"].iloc[i],
                               facts={"two_week_km": cur, "prev_two_week_km": prev, "distance_km": km[i]}))
    return out


@metric("rolling_change_pct")
def rolling_change_pct(ctx: Context, params: Mapping[str, Any]) -> list[MetricValue]:
    """Running distance of the last 7 days against the 7 before, judged on each day with a run
    (with ``latest_only``, only on the last day with data).

    Catches jumps that straddle a calendar week. Facts: distance_km, prev_km, window_days.
    """
    acts, end = _upto(ctx)
    window = int(_setting(ctx, params, "window_days", 7))
    min_base = float(_setting(ctx, params, "min_base_km", 10.0))
    daily = daily_running(acts, end=end)
    if daily.empty:
        return []
    roll = rolling_running(daily, window_days=window, min_base_km=min_base)
    judged = roll[daily["runs"] > 0]
    if _setting(ctx, params, "latest_only", False):
        # Moving windows over a whole history mostly measure where the long run fell (4 runs in
        # one window, 6 in the next); judged only on the latest day they answer "the last 7 days".
        judged = roll.tail(1)
    out = []
    for ts, row in judged.iterrows():
        if math.isnan(row["prev_km"]):
            continue
        d = ts.date()
        out.append(MetricValue(value=_num(row["change_pct"]), date=d,
                               week_start=week_start_of(d, ctx.week_start),
                               facts={"distance_km": float(row["distance_km"]), "prev_km": float(row["prev_km"]),
                                      "window_days": window}))
    return out


def established_longest_km(activities: Sequence[Activity], *, end: date, days: int = 30,
                           spike_pct: float = 10.0) -> float | None:
    """The longest run of the ``days`` days up to ``end`` that the runner has built up to.

    Each run counts only up to ``spike_pct`` over its own 30-day reference (the longest run of the
    30 days before it), so one spike does not become the base for the next cap. A run with no
    reference (the first after a break) counts in full. None when no run in the window.
    """
    best = None
    for s in run_spikes(activities, window_days=days):
        if not 0 <= (end - s["date"]).days < days:
            continue
        km = s["km"] if s["ref_km"] is None else min(s["km"], s["ref_km"] * (1 + spike_pct / 100.0))
        best = km if best is None else max(best, km)
    return best


@metric("run_spike_pct")
def run_spike_pct(ctx: Context, params: Mapping[str, Any]) -> list[MetricValue]:
    """Each run against the longest run of the previous 30 days, in percent (evidence.md 2).

    None when no run in the window (return from a break), and for runs in the first 30 days of
    the data, whose window reaches back before anything was imported (an incomplete reference,
    not a known one). Facts: distance_km, ref_km, ref_date.
    """
    acts, _ = _upto(ctx)
    window = int(_setting(ctx, params, "window_days", 30))
    first_day = min((local_date(a) for a in acts), default=None)
    out = []
    for s in run_spikes(acts, window_days=window):
        if first_day is not None and (s["date"] - first_day).days < window:
            continue
        out.append(MetricValue(value=s["spike_pct"], date=s["date"],
                               week_start=week_start_of(s["date"], ctx.week_start),
                               facts={"distance_km": s["km"], "ref_km": s["ref_km"] or 0.0,
                                      "cap_km": (s["ref_km"] or 0.0) * 1.1,
                                      "ref_date": s["ref_date"] or "", "window_days": window}))
    return out


@metric("acwr")
def acwr_metric(ctx: Context, params: Mapping[str, Any]) -> list[MetricValue]:
    """Acute:chronic ratio per day (``method`` rac, rau or ewma; ``load`` distance, duration or
    trimp). Hidden (None) until 28 days of history and while the windows hold a silence of
    ``silence_days`` (14) days without any recorded activity: those days are unknown, not rest.
    Facts: acute, chronic, method, load.
    """
    acts, end = _upto(ctx)
    method = str(_setting(ctx, params, "method", "rac"))
    acute = int(_setting(ctx, params, "acute_days", 7))
    chronic = int(_setting(ctx, params, "chronic_days", 28))
    series, kind = _load_series(ctx, params, acts, end)
    if series is None or series.empty:
        return []
    ratio = acwr_series(series, method=method, acute=acute, chronic=chronic)
    gaps = silences(acts, min_days=int(_setting(ctx, params, "silence_days", 14)))
    out = []
    mean_a = series.rolling(acute, min_periods=1).mean()
    for ts, value in ratio.items():
        d = ts.date()
        v = _num(value)
        if v is not None and any(g0 <= d and (d - g1).days < chronic for g0, g1 in gaps):
            v = None
        out.append(MetricValue(value=v, date=d, week_start=week_start_of(d, ctx.week_start),
                               facts={"method": method, "load": kind, "acute": float(mean_a[ts]),
                                      "load_unit": LOAD_UNITS[kind]}))
    return out


@metric("monotony")
def monotony_metric(ctx: Context, params: Mapping[str, Any]) -> list[MetricValue]:
    """Foster monotony per complete week (evidence.md 4). Facts: load, strain, load_unit."""
    acts, end = _upto(ctx)
    series, kind = _load_series(ctx, params, acts, end)
    if series is None:
        return []
    weeks = weekly_monotony(series, week_start=ctx.week_start)
    return [MetricValue(value=_num(r.monotony), week_start=r.week_start,
                        facts={"load": float(r.load), "strain": _num(r.strain) or 0.0,
                               "load_unit": LOAD_UNITS[kind]})
            for r in weeks.itertuples(index=False)]


@metric("ctl_ramp_pct")
def ctl_ramp_pct(ctx: Context, params: Mapping[str, Any]) -> list[MetricValue]:
    """Weekly ramp of fitness (CTL) as a percentage of CTL a week earlier, judged on the last day
    of each week once ``min_days`` (42) days of history exist (evidence.md 5). Facts: ctl, atl,
    tsb, ramp, load_unit."""
    acts, end = _upto(ctx)
    series, kind = _load_series(ctx, params, acts, end)
    if series is None or series.empty:
        return []
    # Seed with the first four weeks' mean so a steady runner does not show a false ramp.
    ff = fitness_fatigue(series, seed=float(series.iloc[:28].mean()))
    min_days = int(_setting(ctx, params, "min_days", 42))
    min_ctl = float(_setting(ctx, params, "min_ctl", 1.0))
    out = []
    for i, (ts, row) in enumerate(ff.iterrows()):
        d = ts.date()
        last_of_week = d.weekday() == (ctx.week_start - 1) % 7 or d == end
        if not last_of_week or i + 1 < min_days:
            continue
        base = row["ctl"] - row["ramp"]
        # A percentage of a near-zero fitness base (a comeback after months off) means nothing.
        value = row["ramp"] / base * 100.0 if base >= min_ctl else None
        out.append(MetricValue(value=_num(value), date=d, week_start=week_start_of(d, ctx.week_start),
                               facts={"ctl": row["ctl"], "atl": row["atl"], "tsb": row["tsb"],
                                      "ramp": row["ramp"], "load_unit": LOAD_UNITS[kind]}))
    return out


@metric("intensity_share_change")
def intensity_share_change(ctx: Context, params: Mapping[str, Any]) -> list[MetricValue]:
    """Share of running time at hard effort this week minus the athlete's own baseline (mean of
    the previous ``baseline_weeks`` (4) weeks with data; at least ``min_baseline_weeks`` (2)),
    in percentage points (evidence.md 6). Hard: heart-rate zones 4-5 (max HR from the profile),
    else laps faster than ``threshold_pace_s_per_km`` (config). Facts: share_pct, baseline_pct,
    source."""
    acts, _ = _upto(ctx)
    hr_max = ctx.athlete.hr_max_bpm
    pace = _setting(ctx, params, "threshold_pace_s_per_km", None)
    frac = float(_setting(ctx, params, "zone4_fraction", 0.8))
    weeks: dict[date, list[float]] = {}
    sources: dict[date, set[str]] = {}
    for a in acts:
        if not a.is_run:
            continue
        got = hard_seconds(a, hr_max_bpm=hr_max, zone4_fraction=frac,
                           threshold_pace_s_per_km=float(pace) if pace else None)
        if got is None:
            continue
        ws = week_start_of(local_date(a), ctx.week_start)
        acc = weeks.setdefault(ws, [0.0, 0.0])
        acc[0] += got[0]
        acc[1] += got[1]
        sources.setdefault(ws, set()).add(got[2])
    n_base = int(_setting(ctx, params, "baseline_weeks", 4))
    min_base = int(_setting(ctx, params, "min_baseline_weeks", 2))
    out = []
    for ws in sorted(weeks):
        share = weeks[ws][0] / weeks[ws][1] * 100.0
        prior = [weeks[w][0] / weeks[w][1] * 100.0 for w in
                 (ws - timedelta(weeks=k) for k in range(1, n_base + 1)) if w in weeks]
        base = statistics.fmean(prior) if len(prior) >= min_base else None
        out.append(MetricValue(value=None if base is None else share - base, week_start=ws,
                               facts={"share_pct": share, "baseline_pct": base if base is not None else 0.0,
                                      "source": " and ".join(sorted(sources[ws]))}))
    return out


@metric("cadence_drop_pct")
def cadence_drop_pct(ctx: Context, params: Mapping[str, Any]) -> list[MetricValue]:
    """Each run's cadence below the athlete's own speed-matched baseline, in percent (positive
    = lower cadence). Baseline: median cadence of runs in the previous ``baseline_days`` (90)
    days whose average speed is within ``speed_tolerance_pct`` (5%); needs ``min_runs`` (3).
    Facts: cadence_spm, baseline_spm, pace_min_km, matched_runs."""
    acts, _ = _upto(ctx)
    days = int(_setting(ctx, params, "baseline_days", 90))
    tol = float(_setting(ctx, params, "speed_tolerance_pct", 5.0)) / 100.0
    need = int(_setting(ctx, params, "min_runs", 3))
    runs = []
    for a in acts:
        dur = a.timer_s if a.timer_s is not None else a.elapsed_s
        if a.is_run and a.avg_cadence_spm and a.distance_m > 0 and dur:
            runs.append((a.start_utc, local_date(a), a.distance_m / dur, float(a.avg_cadence_spm)))
    runs.sort()
    out = []
    for i, (start, day, speed, cad) in enumerate(runs):
        matched = [c for (s2, d2, v2, c) in runs[:i]
                   if (day - d2).days <= days and abs(v2 - speed) <= tol * speed]
        value = None
        base = statistics.median(matched) if len(matched) >= need else None
        if base:
            value = (base - cad) / base * 100.0
        out.append(MetricValue(value=value, date=day, week_start=week_start_of(day, ctx.week_start),
                               facts={"cadence_spm": cad, "baseline_spm": base or 0.0,
                                      "pace_min_km": 1000.0 / speed / 60.0, "matched_runs": len(matched)}))
    return out


@metric("shoe_km")
def shoe_km(ctx: Context, params: Mapping[str, Any]) -> list[MetricValue]:
    """Kilometres run in each pair of shoes (the activity's ``gear``), judged on the last day
    with data. Facts: gear, runs, first_use, last_use, key (the gear name)."""
    acts, end = _upto(ctx)
    per: dict[str, list[Any]] = {}
    for a in acts:
        if a.is_run and a.gear:
            rec = per.setdefault(a.gear, [0.0, 0, local_date(a), local_date(a)])
            rec[0] += a.distance_m / 1000.0
            rec[1] += 1
            rec[2] = min(rec[2], local_date(a))
            rec[3] = max(rec[3], local_date(a))
    return [MetricValue(value=km, date=end, facts={"gear": gear, "runs": n, "first_use": first,
                                                    "last_use": last, "key": gear})
            for gear, (km, n, first, last) in sorted(per.items())]


@metric("return_to_run")
def return_to_run(ctx: Context, params: Mapping[str, Any]) -> list[MetricValue]:
    """Breaks of ``break_days`` (30) or more without a run: one value (days of the break) on
    the first run after each break, and one on ``as_of`` when the break is still going.
    Facts: days, last_run, key."""
    acts, end = _upto(ctx)
    brk = int(_setting(ctx, params, "break_days", 30))
    days = sorted({local_date(a) for a in acts if a.is_run})
    out = []
    for prev, cur in zip(days, days[1:]):
        gap = (cur - prev).days
        if gap >= brk:
            out.append(MetricValue(value=float(gap), date=cur, week_start=week_start_of(cur, ctx.week_start),
                                   facts={"days": gap, "last_run": prev, "ongoing": False, "key": str(cur)}))
    today = ctx.as_of or end
    if days and today is not None and (today - days[-1]).days >= brk:
        gap = (today - days[-1]).days
        out.append(MetricValue(value=float(gap), date=today, week_start=week_start_of(today, ctx.week_start),
                               facts={"days": gap, "last_run": days[-1], "ongoing": True, "key": "now"}))
    return out


@metric("data_gap_days")
def data_gap_days(ctx: Context, params: Mapping[str, Any]) -> list[MetricValue]:
    """Stretches without any recorded activity (``min_days``, default 14), including the days
    from the last import to ``as_of``. Facts: days, first_day, last_day."""
    acts, _ = _upto(ctx)
    min_days = int(_setting(ctx, params, "min_days", 14))
    out = []
    for first, last in silences(acts, min_days=min_days, as_of=ctx.as_of):
        n = (last - first).days + 1
        out.append(MetricValue(value=float(n), date=first, week_start=week_start_of(first, ctx.week_start),
                               facts={"days": n, "first_day": first, "last_day": last}))
    return out
