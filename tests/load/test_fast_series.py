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
        for row, (_ws, total, mean, sd, mono) in zip(fast.itertuples(index=False), slow):
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


def _nan_or(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or a == pytest.approx(b, abs=1e-9)


@pytest.mark.parametrize("seed", SEEDS)
def test_fitness_fatigue_equals_day_by_day(seed):
    from runload.load.formulas import fitness_fatigue

    rnd = random.Random(200 + seed)
    load = _random_series(rnd)
    n = len(load)
    known = [rnd.random() > 0.1 for _ in range(n)]
    seed_value = rnd.uniform(0, 8)
    ff = fitness_fatigue(load, seed=seed_value, known=pd.Series(known, index=load.index))
    c = a = seed_value
    ctl = []
    for i, x in enumerate(load.tolist()):
        c += (x - c) / 42.0
        a += (x - a) / 7.0
        ctl.append(c)
        row = ff.iloc[i]
        if known[i]:
            assert row["ctl"] == pytest.approx(c, abs=1e-9) and row["atl"] == pytest.approx(a, abs=1e-9)
            assert row["tsb"] == pytest.approx(c - a, abs=1e-9)
        else:
            assert math.isnan(row["ctl"]) and math.isnan(row["atl"]) and math.isnan(row["tsb"])
        # the ramp: CTL - CTL a week before, unknown when any of its 8 days is
        ramp = ctl[i] - ctl[i - 7] if i >= 7 and all(known[max(i - 7, 0):i + 1]) else math.nan
        assert _nan_or(row["ramp"], ramp)
        assert bool(row["known"]) == known[i] and bool(row["settled"]) == (i + 1 > 42)


@pytest.mark.parametrize("method", ["rac", "rau", "ewma"])
def test_acwr_frame_equals_day_by_day(method):
    from runload.load.formulas import acwr_frame

    rnd = random.Random(7)
    for _ in range(10):
        load = _random_series(rnd)
        vals = load.tolist()
        if rnd.random() < 0.3:
            vals[:40] = [0.0] * len(vals[:40])  # a chronic load of 0: no ratio, no division
            load = pd.Series(vals, index=load.index)
        parts = acwr_frame(load, method=method)
        ea = ec = vals[0]
        for i in range(len(vals)):
            if method == "ewma":
                if i:
                    ea += 2 / 8 * (vals[i] - ea)
                    ec += 2 / 29 * (vals[i] - ec)
                acute, chronic = ea, ec
            else:
                acute = statistics.fmean(vals[i - 6:i + 1]) if i >= 6 else math.nan
                window = vals[i - 27:i + 1] if method == "rac" else vals[i - 27:i - 6]
                chronic = statistics.fmean(window) if i >= 27 else math.nan
            ratio = acute / chronic if i >= 27 and chronic > 0 else math.nan
            assert _nan_or(parts["acute"].iloc[i], acute) and _nan_or(parts["chronic"].iloc[i], chronic)
            assert _nan_or(parts["acwr"].iloc[i], ratio)


@pytest.mark.parametrize("seed", SEEDS)
def test_rolling_change_equals_day_by_day(seed):
    rnd = random.Random(300 + seed)
    frames = Frames(_random_runs(rnd))
    daily = frames.daily
    if daily.empty:
        return
    roll = frames.rolling(7, 10.0)
    km = daily["distance_km"].tolist()
    known = frames.known_days.tolist()
    def window(end):  # the 7 days to day ``end``: their km, or None when not wholly known
        return sum(km[end - 6:end + 1]) if end >= 6 and all(known[end - 6:end + 1]) else None

    for i in range(len(km)):
        cur = sum(km[i - 6:i + 1]) if i >= 6 else math.nan
        prev = sum(km[i - 13:i - 6]) if i >= 13 else math.nan
        # the recent normal: the highest of the four most recent known 7-day blocks of the eight before
        blocks = [w for w in (window(i - 7 * k) for k in range(1, 9)) if w is not None][:4]
        ref = max(blocks) if blocks else math.nan
        change = (cur - ref) / ref * 100 if ref >= 10.0 and window(i) is not None else math.nan
        assert _nan_or(roll["distance_km"].iloc[i], cur) and _nan_or(roll["prev_km"].iloc[i], prev)
        assert _nan_or(roll["ref_km"].iloc[i], ref)
        assert _nan_or(roll["change_pct"].iloc[i], change)
    for day, k in zip(daily.index, known):
        assert k == (not any(a <= day.date() <= b for a, b in frames.gaps))


@pytest.mark.parametrize("seed", SEEDS)
def test_run_spikes_equal_a_scan_of_the_window(seed):
    from runload.load.formulas import run_spikes

    rnd = random.Random(400 + seed)
    acts = _random_runs(rnd)
    for a in rnd.sample(acts, len(acts) // 5):  # equal lengths and runs without distance
        acts[acts.index(a)] = Activity(a.start_utc, a.sport, rnd.choice([0.0, 10000.0]), timer_s=a.timer_s,
                                       utc_offset_s=a.utc_offset_s, source_hash=a.source_hash)
    runs = sorted((a for a in acts if a.is_run), key=lambda a: a.start_utc)
    got = run_spikes(acts)
    assert [s["activity"] for s in got] == runs
    for i, s in enumerate(got):
        day = s["date"]
        window = [r for r in runs[:i] if 0 <= (day - (r.start_utc + timedelta(hours=1)).date()).days <= 30
                  and r.distance_m > 0]
        if not window:
            assert s["ref_km"] is None and s["spike_pct"] is None
            continue
        ref = max(window, key=lambda r: r.distance_m)  # the first of equals
        assert s["ref_km"] == ref.distance_m / 1000 and s["ref_date"] == (ref.start_utc + timedelta(hours=1)).date()
        assert s["spike_pct"] == pytest.approx((s["km"] / s["ref_km"] - 1) * 100)


def test_the_rolling_change_of_a_history_shorter_than_its_window() -> None:
    from runload.load.series import rolling_running

    # five days of data: no window before, nothing judged (a negative slice once filled it)
    daily = pd.DataFrame({"distance_km": [5.0, 0.0, 6.0, 0.0, 7.0]},
                         index=pd.date_range("2026-06-04", periods=5, freq="D", name="date"))
    roll = rolling_running(daily, window_days=7)
    assert roll["prev_km"].isna().all() and roll["change_pct"].isna().all()


@pytest.mark.parametrize("seed", SEEDS)
def test_recent_references_are_each_weeks_recent_reference(seed: int) -> None:
    """Every week's reference at once is the week-by-week reference (ties included)."""
    from runload.load.series import recent_reference, recent_references

    rnd = random.Random(seed)
    n = rnd.randrange(0, 40)
    values = [rnd.choice([0.0, 10.0, 20.0, rnd.uniform(0, 60)]) for _ in range(n)]
    complete = [rnd.random() < 0.7 for _ in range(n)]
    assert recent_references(values, complete) == [recent_reference(values, complete, i) for i in range(n)]


@pytest.mark.parametrize("seed", SEEDS)
def test_run_arrays_give_the_run_by_run_loads(seed: int) -> None:
    """The frames' daily session load, climb and time (on the runs' arrays) are the run-by-run
    sums of daily_load, and the spikes are run_spikes."""
    from runload.load.formulas import run_spikes
    from runload.load.series import daily_load_values

    rnd = random.Random(seed)
    acts = []
    start = datetime(2025, 3, 1, 6, tzinfo=timezone.utc)
    for i in range(rnd.randrange(1, 90)):
        t = start + timedelta(days=i, hours=rnd.choice([0, 13]))
        sport = Sport.RUNNING if rnd.random() < 0.8 else Sport.CYCLING
        acts.append(Activity(t, sport, rnd.choice([0.0, rnd.uniform(1000, 30000)]),
                             timer_s=rnd.choice([None, rnd.uniform(600, 9000)]), elapsed_s=rnd.choice([None, 3600.0]),
                             utc_offset_s=rnd.choice([0, -36000, 36000]), rpe=rnd.choice([None, 0, rnd.randrange(1, 11)]),
                             elevation_gain_m=rnd.choice([None, rnd.uniform(0, 500)])))
    frames = Frames(acts)
    runs = [a for _, a in frames.runs]
    days = [d for d, _ in frames.runs]
    for kind in ("duration", "session_load", "climb"):
        first, arr, counts = frames.load_values(kind)
        f2, a2, c2 = daily_load_values(runs, load=kind, end=frames.end, days=days)
        assert (first, arr.tolist(), counts) == (f2, a2.tolist(), c2)
    assert frames.spikes() == run_spikes(runs, days=days)


@pytest.mark.parametrize("seed", SEEDS)
def test_recent_pair_references_are_each_weeks_pair_reference(seed: int) -> None:
    """Every week's two-week reference at once is the week-by-week one (ties included)."""
    from runload.load.series import recent_pair_reference, recent_pair_references

    rnd = random.Random(seed)
    for _ in range(20):
        n = rnd.randrange(0, 40)
        values = [rnd.choice([0.0, 10.0, 20.0, rnd.uniform(0, 60)]) for _ in range(n)]
        complete = [rnd.random() < 0.7 for _ in range(n)]
        assert recent_pair_references(values, complete) == [recent_pair_reference(values, complete, i)
                                                            for i in range(n)]


@pytest.mark.parametrize("seed", SEEDS)
def test_run_columns_and_shoe_runs_are_read_run_by_run(seed: int) -> None:
    """The runs' columns (read in one pass) are each run's fields as ``or 0.0`` and ``is None``
    read them, and each shoe's runs on the arrays are :func:`runload.shoes.runs_by_shoe`, its
    kilometres added in the same order."""
    from runload.shoes import runs_by_shoe

    rnd = random.Random(seed)
    acts = []
    start = datetime(2025, 3, 1, 6, tzinfo=timezone.utc)
    for i in range(rnd.randrange(0, 90)):
        t = start + timedelta(days=i, hours=rnd.choice([0, 13]))
        sport = Sport.RUNNING if rnd.random() < 0.8 else Sport.CYCLING
        acts.append(Activity(t, sport, rnd.choice([0.0, rnd.uniform(1000, 30000)]),
                             timer_s=rnd.choice([None, 0.0, rnd.uniform(600, 9000)]),
                             elapsed_s=rnd.choice([None, 3600.0]), utc_offset_s=0,
                             rpe=rnd.choice([None, 0, rnd.randrange(1, 11)]),
                             elevation_gain_m=rnd.choice([None, -0.0, 0.0, rnd.uniform(0, 500)]),
                             avg_hr_bpm=rnd.choice([None, 150.0]), avg_cadence_spm=rnd.choice([None, 0.0, 170.0]),
                             gear=rnd.choice([None, "", "A", "B <b>", "C"])))
    frames = Frames(acts)
    runs = [a for _, a in frames.runs]

    def same(name: str, expected: list[object]) -> None:
        got = frames.run_values(name).tolist()
        assert [repr(x) for x in got] == [repr(x) for x in expected], name  # -0.0 and 0.0 apart

    same("metres", [float(a.distance_m) for a in runs])
    same("seconds", [float((a.timer_s if a.timer_s is not None else a.elapsed_s) or 0.0) for a in runs])
    same("rpe", [float(a.rpe or 0.0) for a in runs])
    same("climb", [float(a.elevation_gain_m or 0.0) for a in runs])
    same("cadence", [float(a.avg_cadence_spm or 0.0) for a in runs])
    same("no_rpe", [a.rpe is None for a in runs])
    same("no_climb", [a.elevation_gain_m is None for a in runs])
    same("no_hr", [a.avg_hr_bpm is None for a in runs])
    same("gear", [a.gear for a in runs])
    for end in (None, frames.end, (frames.end or date(2025, 3, 1)) - timedelta(days=20)):
        assert frames.shoe_runs(end) == runs_by_shoe(frames.runs, end)


@pytest.mark.parametrize("seed", SEEDS)
def test_all_reference_weeks_are_each_weeks_reference_weeks(seed: int) -> None:
    """Every week's reference weeks in one pass are reference_weeks of each week."""
    from runload.load.series import all_reference_weeks, reference_weeks

    rnd = random.Random(seed)
    for _ in range(50):
        n = rnd.randrange(0, 60)
        complete = [rnd.random() < rnd.choice([0.2, 0.7, 0.95]) for _ in range(n)]
        assert all_reference_weeks(complete) == [reference_weeks(complete, i) for i in range(n)]
