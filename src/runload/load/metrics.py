"""The ``@metric`` adapters that load rule files name.

Each turns a :class:`runload.rules.context.Context` and a rule's ``params`` into
:class:`runload.rules.context.MetricValue` items the engine judges. They read the athlete's
series from ``ctx.frames`` (built once per athlete and day) and the formulas of
:mod:`runload.load.formulas`; sources are in ``evidence.md`` sections 1-6 and 8 (quoted in each
rule file).

A day after the last imported activity is unknown, not a rest day: every series stops at the
last day with data (``Context.data_end``), and long silences are reported, not filled.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

import pandas as pd

from runload.calendar import week_start_of
from runload.load.formulas import acwr_series, fitness_fatigue, hard_seconds, weekly_monotony
from runload.load.series import LOAD_UNITS, change_pct
from runload.models import Activity
from runload.rules.context import Context, MetricValue, metric


# --- Helpers for the metric adapters ---------------------------------------------------------------


def _upto(ctx: Context) -> tuple[list[Activity], date | None]:
    """Activities up to ``as_of`` (the context holds no others) and the last day with data (days
    after it are unknown)."""
    return list(ctx.frames.activities), ctx.data_end


def _setting(ctx: Context, params: Mapping[str, Any], key: str, default: Any) -> Any:
    """A metric parameter: the rule's ``params`` first, then the athlete settings, else default."""
    if key in params:
        return params[key]
    return ctx.settings.get(key, default)


def _load_series(ctx: Context, params: Mapping[str, Any]) -> tuple[pd.Series | None, str]:
    """The daily load the rule asks for; TRIMP needs resting and max HR (None without them)."""
    kind = str(_setting(ctx, params, "load", "distance"))
    return ctx.frames.load(kind), kind


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
    end = ctx.data_end
    min_base = float(_setting(ctx, params, "min_base_km", 10.0))
    weekly = ctx.frames.weekly
    km = weekly["distance_km"].astype(float).tolist()
    change, small = change_pct(km, min_base_km=min_base, unknown=weekly["no_data"].tolist())
    out = []
    for i, r in enumerate(weekly.itertuples(index=False)):
        if i == 0:
            continue
        out.append(MetricValue(
            value=change[i], week_start=r.week_start,
            facts={"distance_km": float(r.distance_km), "prev_km": km[i - 1], "runs": int(r.runs),
                   "longest_run_km": float(r.longest_run_km), "base_too_small": small[i],
                   "partial": end is not None and r.week_start + timedelta(days=6) > end}))
    return out


@metric("two_week_change_pct")
def two_week_change_pct(ctx: Context, params: Mapping[str, Any]) -> list[MetricValue]:
    """Running distance of the last two calendar weeks against the two weeks before, in percent.

    runload's reading of the 2-week progression in Nielsen 2014. None when the earlier two weeks
    averaged less than ``min_base_km`` a week. Facts: two_week_km, prev_two_week_km, distance_km.
    """
    min_base = float(_setting(ctx, params, "min_base_km", 10.0))
    weekly = ctx.frames.weekly
    km = weekly["distance_km"].astype(float).tolist()
    unknown = weekly["no_data"].tolist()
    out = []
    for i in range(3, len(km)):
        cur, prev = km[i] + km[i - 1], km[i - 2] + km[i - 3]
        # a week without any data is unknown, not 0 km: no two-week sum holds one
        value = (cur - prev) / prev * 100.0 if prev / 2 >= min_base and not any(unknown[i - 3:i + 1]) else None
        out.append(MetricValue(value=value, week_start=weekly["week_start"].iloc[i],
                               facts={"two_week_km": cur, "prev_two_week_km": prev, "distance_km": km[i]}))
    return out


@metric("rolling_change_pct")
def rolling_change_pct(ctx: Context, params: Mapping[str, Any]) -> list[MetricValue]:
    """Running distance of the last 7 days against the 7 before, judged on each day with a run
    (with ``latest_only``, only on the last day with data).

    Catches jumps that straddle a calendar week. Facts: distance_km, prev_km, window_days.
    """
    window = int(_setting(ctx, params, "window_days", 7))
    min_base = float(_setting(ctx, params, "min_base_km", 10.0))
    daily = ctx.frames.daily
    if daily.empty:
        return []
    roll = ctx.frames.rolling(window, min_base)
    judged = roll[daily["runs"] > 0]
    if _setting(ctx, params, "latest_only", False):
        # Moving windows over a whole history mostly measure where the long run fell (4 runs in
        # one window, 6 in the next); judged only on the latest day they answer "the last 7 days".
        judged = roll.tail(1)
    out = []
    cur, prev, change = (judged[c].to_numpy() for c in ("distance_km", "prev_km", "change_pct"))
    for i, ts in enumerate(judged.index):
        if math.isnan(prev[i]):
            continue
        d = ts.date()
        out.append(MetricValue(value=_num(change[i]), date=d, week_start=week_start_of(d, ctx.week_start),
                               facts={"distance_km": float(cur[i]), "prev_km": float(prev[i]), "window_days": window}))
    return out


@metric("run_spike_pct")
def run_spike_pct(ctx: Context, params: Mapping[str, Any]) -> list[MetricValue]:
    """Each run against the longest run of the previous 30 days, in percent (evidence.md 2).

    None when no run in the window (return from a break), and for runs in the first 30 days of
    the data, whose window reaches back before anything was imported (an incomplete reference,
    not a known one). Facts: distance_km, ref_km, ref_date.
    """
    window = int(_setting(ctx, params, "window_days", 30))
    first_day = ctx.frames.first_day
    out = []
    for s in ctx.frames.spikes(window):
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
    method = str(_setting(ctx, params, "method", "rac"))
    acute = int(_setting(ctx, params, "acute_days", 7))
    chronic = int(_setting(ctx, params, "chronic_days", 28))
    series, kind = _load_series(ctx, params)
    if series is None or series.empty:
        return []
    ratio = ctx.frames.memo(("acwr", kind, method, acute, chronic),
                            lambda: acwr_series(series, method=method, acute=acute, chronic=chronic))
    gaps = ctx.frames.silences_upto(None, int(_setting(ctx, params, "silence_days", 14)))
    out = []
    mean_a = series.rolling(acute, min_periods=1).mean().to_numpy()
    days = [ts.date() for ts in ratio.index]
    for i, value in enumerate(ratio.to_numpy()):
        v = _num(value)
        if v is None:
            continue
        d = days[i]
        if any(g0 <= d and (d - g1).days < chronic for g0, g1 in gaps):
            continue
        out.append(MetricValue(value=v, date=d, week_start=week_start_of(d, ctx.week_start),
                               facts={"method": method, "load": kind, "acute": float(mean_a[i]),
                                      "load_unit": LOAD_UNITS[kind]}))
    return out


@metric("monotony")
def monotony_metric(ctx: Context, params: Mapping[str, Any]) -> list[MetricValue]:
    """Foster monotony per complete week (evidence.md 4). Facts: load, strain, load_unit."""
    series, kind = _load_series(ctx, params)
    if series is None:
        return []
    weeks = ctx.frames.memo(("monotony", kind), lambda: weekly_monotony(series, week_start=ctx.week_start))
    return [MetricValue(value=_num(r.monotony), week_start=r.week_start,
                        facts={"load": float(r.load), "strain": _num(r.strain) or 0.0,
                               "load_unit": LOAD_UNITS[kind]})
            for r in weeks.itertuples(index=False)]


@metric("ctl_ramp_pct")
def ctl_ramp_pct(ctx: Context, params: Mapping[str, Any]) -> list[MetricValue]:
    """Weekly ramp of fitness (CTL) as a percentage of CTL a week earlier, judged on the last day
    of each week once ``min_days`` (42) days of history exist (evidence.md 5). Facts: ctl, atl,
    tsb, ramp, load_unit."""
    end = ctx.data_end
    series, kind = _load_series(ctx, params)
    if series is None or series.empty:
        return []
    # Seed with the first four weeks' mean so a steady runner does not show a false ramp.
    ff = ctx.frames.memo(("fitness_fatigue", kind),
                         lambda: fitness_fatigue(series, seed=float(series.iloc[:28].mean())))
    min_days = int(_setting(ctx, params, "min_days", 42))
    min_ctl = float(_setting(ctx, params, "min_ctl", 1.0))
    out = []
    ctl, atl, tsb, ramp = (ff[c].to_numpy() for c in ("ctl", "atl", "tsb", "ramp"))
    last_weekday = (ctx.week_start - 1) % 7
    for i, ts in enumerate(ff.index):
        if i + 1 < min_days:
            continue
        d = ts.date()
        if d.weekday() != last_weekday and d != end:
            continue
        base = ctl[i] - ramp[i]
        # A percentage of a near-zero fitness base (a comeback after months off) means nothing.
        value = ramp[i] / base * 100.0 if base >= min_ctl else None
        out.append(MetricValue(value=_num(value), date=d, week_start=week_start_of(d, ctx.week_start),
                               facts={"ctl": float(ctl[i]), "atl": float(atl[i]), "tsb": float(tsb[i]),
                                      "ramp": float(ramp[i]), "load_unit": LOAD_UNITS[kind]}))
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
    for day, a in ctx.frames.runs:
        got = hard_seconds(a, hr_max_bpm=hr_max, zone4_fraction=frac,
                           threshold_pace_s_per_km=float(pace) if pace else None)
        if got is None:
            continue
        ws = week_start_of(day, ctx.week_start)
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
    days = int(_setting(ctx, params, "baseline_days", 90))
    tol = float(_setting(ctx, params, "speed_tolerance_pct", 5.0)) / 100.0
    need = int(_setting(ctx, params, "min_runs", 3))
    runs = []
    for day, a in ctx.frames.runs:
        dur = a.timer_s if a.timer_s is not None else a.elapsed_s
        if a.avg_cadence_spm and a.distance_m > 0 and dur:
            runs.append((a.start_utc, day, a.distance_m / dur, float(a.avg_cadence_spm)))
    runs.sort()
    out = []
    first = 0  # the earliest run still inside the baseline window
    for i, (start, day, speed, cad) in enumerate(runs):
        while first < i and (day - runs[first][1]).days > days:
            first += 1
        matched = [c for (s2, d2, v2, c) in runs[first:i] if abs(v2 - speed) <= tol * speed]
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
    """Kilometres in each pair of shoes (the activity's ``gear``, plus the distance a registered
    shoe had before runload), judged on the last day with data; a shoe retired by then is not
    judged. A shoe with a retirement distance scales the rule's thresholds so that its top band
    (``retire_at_km``, default 800) falls on that distance. Facts: gear, runs, first_use,
    last_use, start_km, key (the gear name), and threshold_factor/threshold_note for a shoe
    with a retirement distance."""
    from runload.shoes import shoe_totals

    end = ctx.data_end
    base = float(_setting(ctx, params, "retire_at_km", 800.0))
    out = []
    for t in shoe_totals(ctx.activities, ctx.shoes, end, runs=ctx.frames.runs):
        if not t.runs or t.retired(ctx.as_of or end):
            continue
        facts: dict[str, Any] = {"gear": t.name, "runs": t.runs, "first_use": t.first_used, "last_use": t.last_used,
                                 "start_km": t.start_km, "key": t.name, "before": ""}
        if t.start_km:
            from runload.units import distance

            facts["before"] = f", with {distance(t.start_km, ctx.athlete.units or 'km', 0)} before runload"
        if t.retire_km:
            facts["threshold_factor"] = t.retire_km / base
            facts["threshold_note"] = "the retirement distance set for this shoe"
        out.append(MetricValue(value=t.distance_km, date=end, facts=facts))
    return out


@metric("return_to_run")
def return_to_run(ctx: Context, params: Mapping[str, Any]) -> list[MetricValue]:
    """Breaks of ``break_days`` (30) or more without a run: one value (days of the break) on
    the first run after each break, and one on ``as_of`` when the break is still going.
    Facts: days, last_run, key."""
    end = ctx.data_end
    brk = int(_setting(ctx, params, "break_days", 30))
    days = sorted({d for d, _ in ctx.frames.runs})
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
    min_days = int(_setting(ctx, params, "min_days", 14))
    out = []
    for first, last in ctx.frames.silences_upto(ctx.as_of, min_days):
        n = (last - first).days + 1
        out.append(MetricValue(value=float(n), date=first, week_start=week_start_of(first, ctx.week_start),
                               facts={"days": n, "first_day": first, "last_day": last, "until": last}))
    return out
