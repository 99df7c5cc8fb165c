"""The array paths of the load series against the slow, obvious way on random data.

The daily and weekly frames, the daily loads and weekly monotony are computed over plain arrays
(one pass, one frame built); each is checked here against a week-by-week (or day-by-day)
computation in plain Python that shares no code with it.
"""

from __future__ import annotations

import math
import random
import statistics
from datetime import date, datetime, timedelta, timezone

import pandas as pd
import pytest

from runload.calendar import week_start_of
from runload.load.formulas import MONOTONY_CAP, _weekly_monotony_grouped, weekly_monotony
from runload.load.series import Frames, day_week_starts, daily_frame, daily_load
from runload.models import Activity, Sport

SEEDS = range(12)


def _random_series(rnd: random.Random) -> pd.Series:
    start = date(2025, 1, 1) + timedelta(days=rnd.randrange(0, 14))
    n = rnd.randrange(1, 120)
    vals = [0.0 if rnd.random() < 0.4 else rnd.uniform(0.5, 25.0) for _ in range(n)]
    if rnd.random() < 0.2:  # a flat week and an empty week somewhere
        k = rnd.randrange(0, n)
        vals[k:k + 7] = [6.0] * len(vals[k:k + 7])
        k = rnd.randrange(0, n)
        vals[k:k + 7] = [0.0] * len(vals[k:k + 7])
    return pd.Series(vals, index=pd.date_range(start, periods=n, freq="D", name="date"), dtype=float)


def _monotony_by_hand(load: pd.Series, first_weekday: int) -> list[tuple[date, float, float, float, float]]:
    """Week by week in plain Python: (week start, load, mean, sd, monotony) of each whole week."""
    weeks: dict[date, list[float]] = {}
    for ts, v in load.items():
        weeks.setdefault(week_start_of(ts.date(), first_weekday), []).append(float(v))
    out = []
    for ws in sorted(weeks):
        xs = weeks[ws]
        if len(xs) < 7:
            continue
        total, mean, sd = math.fsum(xs), statistics.fmean(xs), statistics.stdev(xs)
        mono = math.nan if total <= 0 else MONOTONY_CAP if sd == 0 else min(mean / sd, MONOTONY_CAP)
        out.append((ws, total, mean, sd, mono))
    return out


@pytest.mark.parametrize("seed", SEEDS)
def test_weekly_monotony_equals_week_by_week(seed):
    rnd = random.Random(seed)
    for _ in range(20):
        load = _random_series(rnd)
        fw = rnd.randrange(0, 7)
        fast = weekly_monotony(load, week_start=fw)
        slow = _monotony_by_hand(load, fw)
        assert list(fast["week_start"]) == [w[0] for w in slow]
        for row, (ws, total, mean, sd, mono) in zip(fast.itertuples(index=False), slow):
            assert row.load == pytest.approx(total, abs=1e-9)
            assert row.mean == pytest.approx(mean, abs=1e-9)
            assert row.sd == pytest.approx(sd, abs=1e-9)
            if math.isnan(mono):
                assert math.isnan(row.monotony) and math.isnan(row.strain)
            else:
                assert row.monotony == pytest.approx(mono, abs=1e-9)
                assert row.strain == pytest.approx(total * mono, abs=1e-9)
        # and to the last bit the pandas reductions week by week (the general path)
        pd.testing.assert_frame_equal(fast, _weekly_monotony_grouped(load, week_start=fw, ddof=1,
                                                                      cols=list(fast.columns)), check_exact=True)


def test_weekly_monotony_hand_worked_week():
    # Monday 2026-06-01 .. Sunday 06-07: 5, 0, 5, 0, 10, 0, 15 km -> load 35, mean 5,
    # sd = sqrt((0 + 25 + 0 + 25 + 25 + 25 + 100) / 6) = sqrt(200 / 6) = 5.7735, monotony 0.8660,
    # strain 35 x 0.8660 = 30.31; the partial week after it (two days) is left out.
    load = pd.Series([5, 0, 5, 0, 10, 0, 15, 3, 3], index=pd.date_range("2026-06-01", periods=9, freq="D"),
                     dtype=float)
    m = weekly_monotony(load)
    assert len(m) == 1 and m["week_start"].iloc[0] == date(2026, 6, 1)
    assert m["sd"].iloc[0] == pytest.approx(math.sqrt(200 / 6))
    assert m["monotony"].iloc[0] == pytest.approx(5 / math.sqrt(200 / 6))
    assert m["strain"].iloc[0] == pytest.approx(30.31, abs=0.01)


def test_day_week_starts_is_week_start_of():
    for fw in range(7):
        first = date(2026, 3, 1)
        assert day_week_starts(first, 40, fw) == [week_start_of(first + timedelta(days=i), fw) for i in range(40)]


def _random_runs(rnd: random.Random) -> list[Activity]:
    out = []
    start = date(2025, 5, 1)
    for i in range(rnd.randrange(1, 90)):
        d = start + timedelta(days=rnd.randrange(0, 150))
        t = datetime(d.year, d.month, d.day, rnd.randrange(0, 23), tzinfo=timezone.utc)
        sport = Sport.RUNNING if rnd.random() < 0.85 else Sport.CYCLING
        km = rnd.uniform(1, 30)
        out.append(Activity(t, sport, km * 1000, timer_s=km * rnd.uniform(250, 400), utc_offset_s=3600,
                            elevation_gain_m=rnd.choice([None, rnd.uniform(0, 400)]),
                            source_hash=f"r{i}"))
    return out


@pytest.mark.parametrize("seed", SEEDS)
def test_daily_series_and_weekly_frame_equal_day_by_day(seed):
    rnd = random.Random(100 + seed)
    acts = _random_runs(rnd)
    frames = Frames(acts, first_weekday=rnd.randrange(0, 7))
    runs = [(d, a) for d, a in frames.runs if d <= frames.end]
    if not runs:
        assert frames.daily.empty
        return
    by_day: dict[date, list[Activity]] = {}
    for d, a in runs:
        by_day.setdefault(d, []).append(a)
    daily = frames.daily
    first = min(by_day)
    assert daily.index[0].date() == first and daily.index[-1].date() == frames.end
    assert len(daily) == (frames.end - first).days + 1
    for ts, row in daily.iterrows():
        day_runs = by_day.get(ts.date(), [])
        assert row["distance_km"] == pytest.approx(sum(a.distance_m for a in day_runs) / 1000, abs=1e-9)
        assert row["runs"] == len(day_runs)
        assert row["longest_run_km"] == pytest.approx(max((a.distance_m / 1000 for a in day_runs), default=0.0))
    assert str(daily["runs"].dtype) == "int64"
    climb = frames.load("climb")
    assert list(climb.index) == list(daily.index)
    for ts, v in climb.items():
        assert v == pytest.approx(sum(a.elevation_gain_m or 0.0 for a in by_day.get(ts.date(), [])), abs=1e-9)
    assert climb.attrs["runs_without_climb"] == sum(1 for _, a in runs if a.elevation_gain_m is None)
    # the weekly frame: each week's sums by hand
    weekly = frames.weekly
    for row in weekly.itertuples(index=False):
        week = [a for d, a in runs if row.week_start <= d <= row.week_start + timedelta(days=6)]
        assert row.distance_km == pytest.approx(sum(a.distance_m for a in week) / 1000, abs=1e-9)
        assert row.runs == len(week)
        assert row.longest_run_km == pytest.approx(max((a.distance_m / 1000 for a in week), default=0.0))
    wl = frames.weekly_load("climb")
    for ws, value in zip(wl["week_start"], wl["value"]):
        week = [a for d, a in runs if ws <= d <= ws + timedelta(days=6)]
        assert value == pytest.approx(sum(a.elevation_gain_m or 0.0 for a in week), abs=1e-9)


def test_daily_frame_and_load_without_runs():
    ride = Activity(datetime(2026, 6, 1, 7, tzinfo=timezone.utc), Sport.CYCLING, 30000, timer_s=3600, utc_offset_s=0)
    assert daily_frame([ride]).empty
    assert daily_load([ride]).empty
