"""Daily and weekly running series, in the athlete's own time zone (pure pandas, no I/O).

An activity belongs to the local calendar day it started on, using the offset recorded with it
(from the file, else the athlete's time zone at import). Weeks start on Monday by default.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

import pandas as pd

from runload.models import Activity, Sport

WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]


def local_date(a: Activity) -> date:
    """The calendar day an activity started on, in the athlete's local time."""
    return (a.start_utc + timedelta(seconds=a.utc_offset_s or 0)).date()


def week_start_of(day: date, week_start: int = 0) -> date:
    """The first day of the week holding ``day``; ``week_start`` 0 is Monday, 6 Sunday."""
    return day - timedelta(days=(day.weekday() - week_start) % 7)


def activities_frame(activities: Sequence[Activity]) -> pd.DataFrame:
    """One row per activity: local date, sport, distance_km, duration_s, and the raw fields."""
    rows = [
        {
            "id": a.id,
            "date": pd.Timestamp(local_date(a)),
            "start_utc": pd.Timestamp(a.start_utc),
            "sport": a.sport.value,
            "sub_sport": a.sub_sport,
            "distance_km": a.distance_m / 1000.0,
            "duration_s": a.timer_s if a.timer_s is not None else a.elapsed_s,
            "avg_hr_bpm": a.avg_hr_bpm,
            "avg_cadence_spm": a.avg_cadence_spm,
            "gear": a.gear,
            "is_run": a.sport is Sport.RUNNING,
        }
        for a in activities
    ]
    columns = ["id", "date", "start_utc", "sport", "sub_sport", "distance_km", "duration_s",
               "avg_hr_bpm", "avg_cadence_spm", "gear", "is_run"]
    return pd.DataFrame(rows, columns=columns)


def daily_running(activities: Sequence[Activity], *, end: date | None = None) -> pd.DataFrame:
    """Running per local day from the first run to ``end`` (default: the last activity's day).

    Columns ``distance_km``, ``duration_s``, ``runs``, ``longest_run_km``; days without a run are
    0. Days after ``end`` are unknown and not included.
    """
    frame = activities_frame(activities)
    runs = frame[frame["is_run"]]
    cols = ["distance_km", "duration_s", "runs", "longest_run_km"]
    if runs.empty:
        return pd.DataFrame(columns=cols, index=pd.DatetimeIndex([], name="date"))
    last = pd.Timestamp(end) if end else frame["date"].max()
    days = pd.date_range(runs["date"].min(), last, freq="D", name="date")
    runs = runs.assign(duration_s=runs["duration_s"].astype(float).fillna(0.0))
    grouped = runs.groupby("date").agg(
        distance_km=("distance_km", "sum"),
        duration_s=("duration_s", "sum"),
        runs=("distance_km", "size"),
        longest_run_km=("distance_km", "max"),
    )
    daily = grouped.reindex(days, fill_value=0)
    daily["runs"] = daily["runs"].astype(int)
    return daily[cols]


def weekly_running(
    activities: Sequence[Activity],
    *,
    week_start: int = 0,
    min_base_km: float = 10.0,
    end: date | None = None,
) -> pd.DataFrame:
    """Running per calendar week: one row per week from the first run's week to the last data.

    Columns: ``week_start`` (date), ``distance_km``, ``duration_s``, ``runs``, ``longest_run_km``,
    ``change_pct`` (against the week before; NaN when that week ran less than ``min_base_km``, a
    base too small for a percentage to mean anything), ``base_too_small`` (bool),
    ``cross_training_min`` (minutes of other sports, see :func:`weekly_cross_training`).
    """
    daily = daily_running(activities, end=end)
    cols = ["week_start", "distance_km", "duration_s", "runs", "longest_run_km", "change_pct", "base_too_small",
            "cross_training_min"]
    if daily.empty:
        return pd.DataFrame(columns=cols)
    starts = [week_start_of(d.date(), week_start) for d in daily.index]
    weekly = daily.groupby(pd.Index(starts, name="week_start")).agg(
        distance_km=("distance_km", "sum"),
        duration_s=("duration_s", "sum"),
        runs=("runs", "sum"),
        longest_run_km=("longest_run_km", "max"),
    ).reset_index()
    prev = weekly["distance_km"].shift(1)
    small = prev < min_base_km
    change = (weekly["distance_km"] - prev) / prev * 100.0
    weekly["change_pct"] = change.where(~small & prev.notna())
    weekly["base_too_small"] = small.fillna(False).astype(bool) & prev.notna()
    weekly["runs"] = weekly["runs"].astype(int)
    cross = weekly_cross_training(activities, week_start=week_start)
    total = cross.sum(axis=1) if not cross.empty else pd.Series(dtype=float)
    weekly["cross_training_min"] = [float(total.get(w, 0.0)) for w in weekly["week_start"]]
    return weekly[cols]


# --- Daily load series for the ratio, fitness/fatigue and monotony metrics --------------------

LOAD_KINDS = ("distance", "duration", "trimp")

# Banister's weighting constants (Banister 1991; Morton et al. 1990): men 1.92, women 1.67.
TRIMP_K = {"male": 1.92, "female": 1.67}


def banister_trimp(minutes: float, hr_bpm: float, hr_rest_bpm: float, hr_max_bpm: float,
                   sex: str | None) -> float:
    """Banister TRIMP of ``minutes`` at ``hr_bpm``: ``min x HRr x 0.64 x e^(k x HRr)``.

    ``HRr = (HR - rest) / (max - rest)``, clipped to 0..1 (a heart rate under resting adds no
    load; one over the stated maximum counts as the maximum). ``k`` is 1.92 for men and 1.67 for
    women; with the sex unknown the mean of the two is used. Worked check (evidence.md section
    5): 45 min at 150 bpm, rest 60, max 190, male gives 75.3.
    """
    import math

    if hr_max_bpm <= hr_rest_bpm:
        raise ValueError("maximum heart rate must be above resting heart rate")
    hrr = min(max((hr_bpm - hr_rest_bpm) / (hr_max_bpm - hr_rest_bpm), 0.0), 1.0)
    k = TRIMP_K.get((sex or "").lower(), (TRIMP_K["male"] + TRIMP_K["female"]) / 2)
    return minutes * hrr * 0.64 * math.exp(k * hrr)


def activity_trimp(a: Activity, hr_rest_bpm: float, hr_max_bpm: float, sex: str | None) -> float | None:
    """TRIMP of one activity: summed over its 5-bpm heart-rate bins (bin middle) when recorded,
    else from the average heart rate and the moving time; ``None`` without heart rate."""
    if a.hr_zone_s:
        return sum(banister_trimp(sec / 60.0, lower + 2.5, hr_rest_bpm, hr_max_bpm, sex)
                   for lower, sec in a.hr_zone_s.items() if sec > 0)
    duration = a.timer_s if a.timer_s is not None else a.elapsed_s
    if a.avg_hr_bpm is None or not duration:
        return None
    return banister_trimp(duration / 60.0, a.avg_hr_bpm, hr_rest_bpm, hr_max_bpm, sex)


def daily_load(
    activities: Sequence[Activity],
    *,
    load: str = "distance",
    end: date | None = None,
    hr_rest_bpm: float | None = None,
    hr_max_bpm: float | None = None,
    sex: str | None = None,
) -> pd.Series:
    """Running load per local day, zeros on rest days, from the first run to ``end``.

    ``load`` is ``distance`` (km), ``duration`` (minutes) or ``trimp`` (Banister TRIMP, needs
    resting and maximum heart rate; a run without heart rate adds 0 and is counted in
    ``series.attrs["runs_without_hr"]``). ``end`` defaults to the last activity's day: days after
    the last import are unknown, not rest, so they are not filled with zeros. The index is a
    complete daily ``DatetimeIndex`` named ``date``.
    """
    if load not in LOAD_KINDS:
        raise ValueError(f"load must be one of {', '.join(LOAD_KINDS)}, not {load!r}")
    runs = [a for a in activities if a.is_run]
    if not runs:
        return pd.Series([], index=pd.DatetimeIndex([], name="date"), dtype=float, name=load)
    last_day = end or max(local_date(a) for a in activities)
    values: dict[date, float] = {}
    missing_hr = 0
    for a in runs:
        d = local_date(a)
        if d > last_day:
            continue
        if load == "distance":
            v = a.distance_m / 1000.0
        elif load == "duration":
            dur = a.timer_s if a.timer_s is not None else a.elapsed_s
            v = (dur or 0.0) / 60.0
        else:
            if hr_rest_bpm is None or hr_max_bpm is None:
                raise ValueError("TRIMP needs the athlete's resting and maximum heart rate")
            t = activity_trimp(a, hr_rest_bpm, hr_max_bpm, sex)
            if t is None:
                missing_hr += 1
            v = t or 0.0
        values[d] = values.get(d, 0.0) + v
    first = min(local_date(a) for a in runs)
    days = pd.date_range(pd.Timestamp(first), pd.Timestamp(last_day), freq="D", name="date")
    series = pd.Series(0.0, index=days, name=load)
    for d, v in values.items():
        if d >= first:
            series[pd.Timestamp(d)] += v
    series.attrs["runs_without_hr"] = missing_hr
    return series


def weekly_cross_training(activities: Sequence[Activity], *, week_start: int = 0) -> pd.DataFrame:
    """Minutes of other sports per week and sport (walking counts too; driving never does).

    Cross-training is not running distance (evidence.md section 6: each extra weekly hour of
    other sports went with fewer running injuries, Malisoux 2015). Index ``week_start``
    (date), one column per sport, 0 where none.
    """
    rows: dict[tuple[date, str], float] = {}
    for a in activities:
        if a.is_run or a.sport in (Sport.DRIVING, Sport.UNKNOWN):
            continue
        dur = a.timer_s if a.timer_s is not None else a.elapsed_s
        key = (week_start_of(local_date(a), week_start), a.sport.value)
        rows[key] = rows.get(key, 0.0) + (dur or 0.0) / 60.0
    if not rows:
        return pd.DataFrame(index=pd.Index([], name="week_start"))
    frame = pd.Series(rows).unstack(fill_value=0.0)
    frame.index.name = "week_start"
    return frame.sort_index()


def rolling_running(daily: pd.DataFrame, *, window_days: int = 7, min_base_km: float = 10.0) -> pd.DataFrame:
    """The same progression on a rolling window: for each day, km in the last ``window_days``
    days (inclusive) against the ``window_days`` before them.

    Columns ``distance_km``, ``prev_km``, ``change_pct`` (NaN where the earlier window ran less
    than ``min_base_km`` or is not fully inside the data).
    """
    km = daily["distance_km"].astype(float)
    cur = km.rolling(window_days, min_periods=window_days).sum()
    prev = cur.shift(window_days)
    change = ((cur - prev) / prev * 100.0).where(prev >= min_base_km)
    return pd.DataFrame({"distance_km": cur, "prev_km": prev, "change_pct": change})
