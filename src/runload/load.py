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
    grouped = runs.groupby("date").agg(
        distance_km=("distance_km", "sum"),
        duration_s=("duration_s", lambda s: s.fillna(0).sum()),
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
    base too small for a percentage to mean anything), ``base_too_small`` (bool).
    """
    daily = daily_running(activities, end=end)
    cols = ["week_start", "distance_km", "duration_s", "runs", "longest_run_km", "change_pct", "base_too_small"]
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
    return weekly[cols]
