"""Load metrics against hand-worked numbers and against the independent ``acwr`` package."""

from __future__ import annotations

import math
from datetime import date, datetime, timezone

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from runload.load.formulas import (
    MONOTONY_CAP,
    activity_trimp,
    acwr_series,
    banister_trimp,
    fitness_fatigue,
    hard_seconds,
    longest_run_km,
    return_to_run_state,
    run_spikes,
    trimp_formula,
    trimp_formula_key,
    weekly_monotony,
)
from runload.load.series import daily_load, silences, weekly_cross_training, weekly_running
from runload.models import Activity, Sport

acwr_pkg = pytest.importorskip("acwr")


def act(day: str, km: float, sport: Sport = Sport.RUNNING, minutes: float | None = None, **kw) -> Activity:
    d = date.fromisoformat(day)
    return Activity(start_utc=datetime(d.year, d.month, d.day, 7, tzinfo=timezone.utc), sport=sport,
                    distance_m=km * 1000, timer_s=(minutes if minutes is not None else km * 6) * 60,
                    utc_offset_s=0, **kw)


def series(values, start="2026-01-05") -> pd.Series:
    return pd.Series(values, index=pd.date_range(start, periods=len(values), freq="D"), dtype=float)


# --- acute:chronic ratio ---------------------------------------------------------------------


@pytest.mark.parametrize("method", ["rac", "rau", "ewma"])
def test_acwr_agrees_with_the_acwr_package(method):
    rng = np.random.default_rng(7)
    load = series(np.where(rng.random(200) < 0.4, 0.0, rng.uniform(3, 25, 200)))
    ours = acwr_series(load, method=method)
    theirs = acwr_pkg.acwr(load, method=method).replace([np.inf, -np.inf], np.nan)
    # The package leaves inf where the chronic load is 0; runload hides those days.
    both = ours.notna() & theirs.notna()
    assert both.sum() > 150
    np.testing.assert_allclose(ours[both], theirs[both], rtol=1e-12)
    assert ours.iloc[:27].isna().all()  # hidden until 28 days of history
    assert ours[theirs.isna()].isna().all()


def test_acwr_worked_example_and_no_division_by_zero():
    load = series([5.0] * 28 + [10.0] * 7)
    assert acwr_series(load, method="rac").iloc[-1] == pytest.approx(1.6)
    assert acwr_series(load, method="rau").iloc[-1] == pytest.approx(2.0)
    rest = series([0.0] * 40)
    assert acwr_series(rest, method="rac").isna().all()


@settings(max_examples=50, deadline=None)
@given(level=st.floats(0.5, 50), days=st.integers(28, 80), method=st.sampled_from(["rac", "rau", "ewma"]))
def test_constant_load_gives_ratio_one(level, days, method):
    ratio = acwr_series(series([level] * days), method=method).dropna()
    assert len(ratio) == days - 27
    np.testing.assert_allclose(ratio, 1.0, rtol=1e-9)


loads = st.lists(st.one_of(st.just(0.0), st.floats(1, 40)), min_size=30, max_size=90)


@pytest.mark.slow  # many generated series
@settings(max_examples=50, deadline=None)
@given(values=loads, method=st.sampled_from(["rac", "rau", "ewma"]))
def test_units_do_not_change_ratios(values, method):
    km = series(values)
    miles = km / 1.609344
    a, b = acwr_series(km, method=method), acwr_series(miles, method=method)
    assert (a.isna() == b.isna()).all()
    np.testing.assert_allclose(a.dropna(), b.dropna(), rtol=1e-9)
    ma, mb = weekly_monotony(km), weekly_monotony(miles)
    np.testing.assert_allclose(ma["monotony"].fillna(-1), mb["monotony"].fillna(-1), rtol=1e-9)


@settings(max_examples=50, deadline=None)
@given(values=loads, day=st.integers(0, 29))
def test_adding_a_rest_day_never_raises_acute_load(values, day):
    load = series(values)
    rested = load.copy()
    rested.iloc[day] = 0.0
    before = [load.rolling(7, min_periods=1).mean(), load.ewm(alpha=2 / 8, adjust=False).mean()]
    after = [rested.rolling(7, min_periods=1).mean(), rested.ewm(alpha=2 / 8, adjust=False).mean()]
    for b, a in zip(before, after):
        assert (a <= b + 1e-9).all()
    # And through runload's own daily series: a run swapped for a rest day.
    ff_b, ff_a = fitness_fatigue(load), fitness_fatigue(rested)
    assert (ff_a["atl"] <= ff_b["atl"] + 1e-9).all()


# --- monotony, fitness/fatigue, TRIMP ---------------------------------------------------------


def test_monotony_by_hand_and_guards():
    week = series([5, 5, 5, 5, 5, 5, 0])  # starts on a Monday
    m = weekly_monotony(week)
    mean, sd = 30 / 7, float(np.std([5] * 6 + [0], ddof=1))
    assert m["monotony"].iloc[0] == pytest.approx(mean / sd)
    assert m["monotony"].iloc[0] == pytest.approx(2.268, abs=1e-3)
    assert m["strain"].iloc[0] == pytest.approx(30 * mean / sd)
    # Same as the acwr package on the window ending Sunday.
    assert m["monotony"].iloc[0] == pytest.approx(float(acwr_pkg.monotony(week).iloc[-1]))
    same = weekly_monotony(series([4.0] * 7))
    assert same["monotony"].iloc[0] == MONOTONY_CAP  # sd = 0: capped, not infinite
    empty = weekly_monotony(series([0.0] * 7))
    assert math.isnan(empty["monotony"].iloc[0])  # no load: undefined, not 0 or infinity
    assert weekly_monotony(series([3.0] * 5)).empty  # incomplete week is not judged


def test_banister_trimp_worked_check():
    # evidence.md 5: HRr = (150 - 60) / (190 - 60) = 0.6923
    # men:   45 x 0.6923 x 0.64 x e^(1.92 x 0.6923) = 45 x 0.6923 x 0.64 x 3.7780 = 75.3
    # women: 45 x 0.6923 x 0.86 x e^(1.67 x 0.6923) = 45 x 0.6923 x 0.86 x 3.1776 = 85.1
    assert banister_trimp(45, 150, 60, 190, "male") == pytest.approx(75.3, abs=0.05)
    assert banister_trimp(45, 150, 60, 190, "female") == pytest.approx(85.1, abs=0.05)
    assert banister_trimp(45, 150, 60, 190, "Female") == pytest.approx(85.1, abs=0.05)
    # sex unknown: the mean of the two, (75.33 + 85.14) / 2 = 80.2
    assert banister_trimp(45, 150, 60, 190, None) == pytest.approx(80.2, abs=0.05)
    # 1-bpm bins: each bpm counts as itself
    a = act("2026-01-05", 9, minutes=45, hr_zone_s={150: 45 * 60})
    assert activity_trimp(a, 60, 190, "male") == pytest.approx(75.3, abs=0.05)
    assert activity_trimp(a, 60, 190, "female") == pytest.approx(85.1, abs=0.05)
    # two halves at 140 and 160 bpm: 22.5 x 0.6154 x 0.64 x e^(1.92 x 0.6154) + 22.5 x 0.7692 x 0.64 x
    # e^(1.92 x 0.7692) = 22.5 x 0.6154 x 0.64 x 3.2594 + 22.5 x 0.7692 x 0.64 x 4.3794 = 28.88 + 48.51 = 77.4
    halves = act("2026-01-05", 9, minutes=45, hr_zone_s={140: 22.5 * 60, 160: 22.5 * 60})
    assert activity_trimp(halves, 60, 190, "male") == pytest.approx(77.4, abs=0.05)
    # a 5-bpm bin an older runload stored counts at its middle, 152.5 bpm: 80.3, not 75.3
    old = act("2026-01-05", 9, minutes=45, hr_zone_s={150: 45 * 60}, hr_bin_bpm=5)
    assert activity_trimp(old, 60, 190, "male") == pytest.approx(80.3, abs=0.05)
    b = act("2026-01-05", 9, minutes=45, avg_hr_bpm=150)
    assert activity_trimp(b, 60, 190, "male") == pytest.approx(75.3, abs=0.05)
    assert activity_trimp(act("2026-01-05", 9), 60, 190, "male") is None


def test_trimp_formula_is_named_for_each_sex():
    assert "0.86 x e^(1.67 x HRr)" in trimp_formula("female") and "women" in trimp_formula("female")
    assert "0.64 x e^(1.92 x HRr)" in trimp_formula("male") and "men's" in trimp_formula("male")
    assert "no sex" in trimp_formula(None) and "mean" in trimp_formula(None)
    assert [trimp_formula_key(s) for s in ("male", "female", None)] == [
        "banister-male", "banister-female", "banister-mean"]


@pytest.mark.parametrize(("bpm", "hr_max", "hard"), [
    (150, 190, False),  # 80% of 190 is 152: 150 is below (a 5-bpm bin's middle, 152.5, counted it hard)
    (152, 190, True),
    (148, 185, True),  # 80% of 185 is 148 exactly (the 145 bin's middle, 147.5, counted it easy)
    (147, 185, False),
])
def test_hard_effort_at_the_zone_edge_uses_the_exact_bpm(bpm, hr_max, hard):
    a = act("2026-01-05", 10, minutes=60, hr_zone_s={bpm: 1800.0, 120: 1800.0})
    assert hard_seconds(a, hr_max_bpm=hr_max) == (1800.0 if hard else 0.0, 3600.0, "heart rate")


def test_hard_effort_of_5_bpm_bins_from_an_older_store_reads_their_middle():
    a = act("2026-01-05", 10, minutes=60, hr_zone_s={150: 1800.0, 120: 1800.0}, hr_bin_bpm=5)
    assert hard_seconds(a, hr_max_bpm=190) == (1800.0, 3600.0, "heart rate")  # 152.5 >= 152


def test_fitness_fatigue_by_hand():
    ff = fitness_fatigue(series([42.0, 0.0]))
    assert ff["ctl"].iloc[0] == pytest.approx(1.0)
    assert ff["atl"].iloc[0] == pytest.approx(6.0)
    assert ff["ctl"].iloc[1] == pytest.approx(1.0 - 1.0 / 42)
    assert ff["tsb"].iloc[0] == pytest.approx(-5.0)
    steady = fitness_fatigue(series([5.0] * 30), seed=5.0)
    np.testing.assert_allclose(steady["ctl"], 5.0)
    np.testing.assert_allclose(steady["ramp"].dropna(), 0.0)


# --- daily series, spikes, breaks, gaps -----------------------------------------------------------


def test_daily_load_kinds_and_unknown_days():
    acts = [act("2026-01-05", 10), act("2026-01-05", 5), act("2026-01-08", 8), act("2026-01-20", 30, Sport.CYCLING)]
    km = daily_load(acts)
    assert list(km.index.strftime("%m-%d"))[:2] == ["01-05", "01-06"]
    assert km.loc["2026-01-05"] == 15 and km.loc["2026-01-06"] == 0
    assert km.index[-1] == pd.Timestamp("2026-01-20")  # ends on the last activity, not today
    assert daily_load(acts, end=date(2026, 1, 8)).index[-1] == pd.Timestamp("2026-01-08")
    assert daily_load(acts, load="duration").loc["2026-01-05"] == pytest.approx(90)
    with pytest.raises(ValueError, match="resting and maximum"):
        daily_load(acts, load="trimp")


def test_cross_training_is_counted_apart():
    acts = [act("2026-01-05", 10), act("2026-01-06", 30, Sport.CYCLING, minutes=60),
            act("2026-01-07", 1, Sport.SWIMMING, minutes=40)]
    cross = weekly_cross_training(acts)
    assert cross.loc[date(2026, 1, 5), "cycling"] == 60
    assert cross.loc[date(2026, 1, 5), "swimming"] == 40
    w = weekly_running(acts)
    assert w["distance_km"].iloc[0] == 10 and w["cross_training_min"].iloc[0] == 100


def test_spikes_against_the_previous_30_days():
    acts = [act("2026-01-01", 10), act("2026-01-20", 12), act("2026-01-25", 9), act("2026-02-25", 11),
            act("2026-04-10", 5)]
    s = run_spikes(acts)
    assert s[0]["spike_pct"] is None
    assert s[1]["spike_pct"] == pytest.approx(20)
    assert s[2]["spike_pct"] == pytest.approx(-25)
    # 2026-02-25: the 9 km run of 01-25 is 31 days before, outside the window: no reference
    assert s[3]["ref_km"] is None
    assert s[4]["spike_pct"] is None  # after a 44-day break: no reference
    assert longest_run_km(acts, end=date(2026, 1, 26)) == 12
    assert longest_run_km(acts, end=date(2026, 4, 9)) is None


def test_return_to_run_state_and_silences():
    acts = [act("2026-01-01", 10), act("2026-03-01", 3), act("2026-03-03", 3)]
    s = return_to_run_state(acts, date(2026, 3, 10))
    assert s["active"] and s["comeback"] == date(2026, 3, 1) and s["days_since_last_run"] == 7
    assert not return_to_run_state(acts, date(2026, 4, 1))["active"]  # 31 days after the comeback
    assert return_to_run_state(acts, date(2026, 4, 5))["active"]  # 33 days without a run
    assert silences(acts) == [(date(2026, 1, 2), date(2026, 2, 28))]
    assert silences(acts, as_of=date(2026, 3, 20)) == [(date(2026, 1, 2), date(2026, 2, 28)),
                                                       (date(2026, 3, 4), date(2026, 3, 20))]
