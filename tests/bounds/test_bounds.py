"""runload.bounds on its own: what one activity may hold (refused, a value dropped, not counted as
running), and what a day and a week of running may hold together."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from runload import bounds
from runload.bounds import check_activity, clean_text, max_running_speed_mps, period_problem
from runload.models import Activity, Lap, Sport

NOW = datetime(2026, 10, 18, 12, tzinfo=timezone.utc)
START = datetime(2026, 10, 17, 7, tzinfo=timezone.utc)


def act(km: float = 10.0, minutes: float | None = 55.0, sport: Sport = Sport.RUNNING, **kw: object) -> Activity:
    """A plausible activity (a 10 km run in 55 min unless told otherwise)."""
    seconds = None if minutes is None else minutes * 60.0
    return replace(Activity(start_utc=START, sport=sport, distance_m=km * 1000.0, timer_s=seconds,
                            elapsed_s=seconds), **kw)


def test_a_plausible_activity_passes_as_it_is() -> None:
    a = act(avg_hr_bpm=150.0, max_hr_bpm=181.0, avg_cadence_spm=172.0, elevation_gain_m=120.0, rpe=5.0,
            hr_zone_s={150: 1800.0, 160: 1500.0}, laps=(Lap(START, 5000.0, 1650.0, 148.0),))
    checked = check_activity(a, now=NOW)
    assert checked.activity is a and checked.problem is None and checked.notes == ()
    assert bounds.within_bounds(a, now=NOW) and bounds.plausible_activity(a, now=NOW) is None


@pytest.mark.parametrize("change, words", [
    ({"start_utc": datetime(1989, 12, 31, tzinfo=timezone.utc)}, "before 1990"),
    ({"start_utc": NOW + timedelta(days=2)}, "in the future"),
    ({"start_utc": datetime(2026, 10, 17, 7)}, "no start time that can be placed on a day"),  # no zone
    ({"distance_m": math.nan}, "its distance is not a number"),
    ({"distance_m": math.inf}, "its distance is infinite"),
    ({"distance_m": -5.0}, "its distance is negative"),
    ({"distance_m": bounds.MAX_DISTANCE_M + 1}, "more than anything covers in one activity"),
    ({"distance_m": 42_949_000.0, "timer_s": 57.0, "elapsed_s": 57.0}, "more than anything covers"),
    ({"distance_m": 500_000.0, "timer_s": 3600.0, "elapsed_s": 3600.0}, "faster than any vehicle"),
])
def test_what_cannot_be_used_at_all_is_refused_with_the_reason(change: dict[str, object], words: str) -> None:
    a = replace(act(), **change)
    checked = check_activity(a, now=NOW)
    assert checked.activity is None and checked.problem is not None and words in checked.problem
    assert bounds.plausible_activity(a, now=NOW) == checked.problem and not bounds.within_bounds(a, now=NOW)


def test_tomorrow_is_still_allowed_a_time_zone_ahead() -> None:
    assert check_activity(act(start_utc=NOW + timedelta(hours=20)), now=NOW).activity is not None


@pytest.mark.parametrize("field, value, words", [
    ("avg_hr_bpm", 900.0, "average heart rate (900)"),
    ("max_hr_bpm", 12.0, "maximum heart rate (12)"),
    ("avg_cadence_spm", 400.0, "cadence (400)"),
    ("elevation_gain_m", 25_000.0, "climb (25,000)"),
    ("elevation_gain_m", -3.0, "climb (-3)"),
    ("rpe", 11.0, "session RPE (0-10 scale) (11)"),
    ("avg_hr_bpm", math.nan, "average heart rate (not a number)"),
])
def test_a_value_no_body_or_watch_records_is_dropped_with_a_note(field: str, value: float, words: str) -> None:
    checked = check_activity(act(**{field: value}), now=NOW)
    assert checked.activity is not None and getattr(checked.activity, field) is None
    [note] = checked.notes
    assert words in note and note.endswith("dropped")
    assert note in checked.activity.warnings  # the activity says why, wherever it is shown


def test_durations_negative_or_over_two_days_are_dropped_and_zero_is_unknown_for_a_distance() -> None:
    a = check_activity(act(timer_s=-1_070_463_600.0, elapsed_s=bounds.MAX_DURATION_S), now=NOW, relabel=False)
    assert a.activity is not None and a.activity.timer_s is None and a.activity.elapsed_s is None
    assert any("is negative" in n for n in a.notes) and any("longer than two days" in n for n in a.notes)
    zero = check_activity(act(timer_s=0.0, elapsed_s=0.0), now=NOW, relabel=False)
    assert zero.activity is not None and zero.activity.timer_s is None
    assert any("0 s for a distance covered" in n for n in zero.notes)
    # no ground covered: an instant is a duration like any other
    assert check_activity(act(km=0.0, timer_s=0.0, elapsed_s=0.0), now=NOW).notes == ()


def test_a_time_zone_offset_beyond_utc_plus_14_is_dropped() -> None:
    checked = check_activity(act(utc_offset_s=15 * 3600), now=NOW)
    assert checked.activity is not None and checked.activity.utc_offset_s is None
    assert check_activity(act(utc_offset_s=14 * 3600), now=NOW).notes == ()


@pytest.mark.parametrize("km, minutes, words", [
    (10.0, 20.0, "faster than the world record for that distance"),  # 30 km/h for 10 km
    (600.0, 47 * 60.0, "more than anyone has run in two days"),
    (8.0, None, "with no time"),
])
def test_a_run_no_one_can_run_is_not_counted_as_running(km: float, minutes: float | None, words: str) -> None:
    a = act(km=km, minutes=minutes)
    checked = check_activity(a, now=NOW)
    assert checked.activity is not None and checked.activity.sport is Sport.UNKNOWN
    assert any(words in n and "runload activity set-sport" in n for n in checked.notes)
    # relabel=False (a store reading its rows) keeps the person's word on the sport
    assert check_activity(a, now=NOW, relabel=False).activity.sport is Sport.RUNNING


def test_the_world_record_pace_with_its_margin_is_the_fastest_run_believed() -> None:
    speeds = [max_running_speed_mps(d) for d in (100, 400, 1500, 10_000, 42_195, 100_000, 473_495, 10**6)]
    assert speeds == sorted(speeds, reverse=True)  # longer is never believed faster
    assert max_running_speed_mps(42_195) == pytest.approx(42_195 / 7235.0 * bounds.RUN_RECORD_MARGIN)
    assert max_running_speed_mps(50) == max_running_speed_mps(100)
    # the marathon record pace itself is believed; a quarter faster than the margin is not
    record = act(km=42.195, minutes=7235.0 / 60)
    assert check_activity(record, now=NOW).activity.sport is Sport.RUNNING
    too_fast = act(km=42.195, minutes=7235.0 / 60 / bounds.RUN_RECORD_MARGIN / 1.01)
    assert check_activity(too_fast, now=NOW).activity.sport is Sport.UNKNOWN


@pytest.mark.parametrize("sport, km, minutes", [(Sport.CYCLING, 200.0, 60.0), (Sport.SWIMMING, 400.0, 47 * 60.0),
                                                (Sport.WALKING, 42.0, 60.0)])
def test_other_sports_beyond_their_records_lose_their_label(sport: Sport, km: float, minutes: float) -> None:
    checked = check_activity(act(km=km, minutes=minutes, sport=sport), now=NOW)
    assert checked.activity is not None and checked.activity.sport is Sport.UNKNOWN
    assert any(f"beyond what {sport.value} covers" in n for n in checked.notes)
    assert check_activity(act(km=30.0, minutes=60.0, sport=Sport.CYCLING), now=NOW).notes == ()


def test_bad_lap_values_and_too_many_laps_are_dropped() -> None:
    good = Lap(START, 1000.0, 300.0, 150.0)
    bad = Lap(datetime(1970, 1, 1, tzinfo=timezone.utc), -1.0, math.inf, 900.0, avg_speed_mps=500.0)
    checked = check_activity(act(laps=(good, bad)), now=NOW)
    assert checked.activity is not None
    assert checked.activity.laps == (good, Lap(None, None, None, None, avg_speed_mps=None))
    assert "some lap values were outside physical bounds: dropped" in checked.notes
    many = check_activity(act(laps=(good,) * (bounds.MAX_LAPS + 1)), now=NOW)
    assert many.activity is not None and len(many.activity.laps) == bounds.MAX_LAPS


def test_heart_rate_time_outside_the_bounds_is_dropped() -> None:
    checked = check_activity(act(hr_zone_s={150: 600.0, 400: 60.0, 160: -5.0}), now=NOW)
    assert checked.activity is not None and checked.activity.hr_zone_s == {150: 600.0}
    unknown_width = check_activity(act(hr_zone_s={150: 600.0}, hr_bin_bpm=7), now=NOW)
    assert unknown_width.activity is not None and unknown_width.activity.hr_zone_s == {}
    assert any("7-bpm bins cannot be read" in n for n in unknown_width.notes)


def test_text_from_a_file_is_cut_and_its_control_characters_shown() -> None:
    assert clean_text(None) is None
    assert clean_text("Morning run") == "Morning run"
    long = clean_text("x" * 500)
    assert long is not None and len(long) == bounds.MAX_NAME_CHARS and long.endswith("\u2026")
    shown = clean_text("evil\u202ename\x1b[31m")
    assert shown is not None and "\u202e" not in shown and "\x1b" not in shown
    checked = check_activity(act(name="a" * 1000, device="d" * 1000), now=NOW)
    assert checked.activity is not None and len(checked.activity.name or "") == bounds.MAX_NAME_CHARS
    assert len(checked.activity.device or "") == bounds.MAX_SHORT_TEXT_CHARS


def run_at(start: datetime, km: float, hours: float) -> Activity:
    return Activity(start_utc=start, sport=Sport.RUNNING, distance_m=km * 1000.0, timer_s=hours * 3600.0)


def test_a_day_holds_at_most_24_hours_of_running_counted_on_each_day_it_touches() -> None:
    day = datetime(2026, 10, 12, tzinfo=timezone.utc)
    runs = [run_at(day + timedelta(hours=h), 40.0, 5.0) for h in (0, 6, 12)] + [run_at(day + timedelta(hours=21), 40.0, 5.0)]
    assert period_problem(runs, timezone.utc) is None  # 18 h on the 12th, 2 h on the 13th
    doubled = runs + [run_at(day + timedelta(hours=1), 40.0, 7.0)]
    problem = period_problem(doubled, timezone.utc)
    assert problem == ("its runs on 2026-10-12 add up to 25.0 h of running, more than the day holds "
                       "(runs counted more than once?)")
    # the run past midnight counts its last 2 h on the 13th
    next_day = [run_at(day + timedelta(days=1, hours=h), 80.0, 11.25) for h in (0.5, 12)]  # 22.5 h
    assert period_problem(next_day, timezone.utc) is None
    problem = period_problem(runs + next_day, timezone.utc)
    assert problem is not None and "2026-10-13 add up to 24.5 h" in problem
    # the same runs seen from a zone where the days split otherwise
    assert period_problem(runs + next_day, ZoneInfo("Asia/Tokyo")) is None


def test_a_week_holds_at_most_the_distance_anyone_has_run_in_one() -> None:
    monday = datetime(2026, 10, 12, 6, tzinfo=timezone.utc)
    week = [run_at(monday + timedelta(days=d), 190.0, 16.0) for d in range(7)]  # 1,330 km
    assert period_problem(week, timezone.utc) is None
    heavy = week + [run_at(monday + timedelta(days=6, hours=17), 100.0, 6.0)]
    problem = period_problem(heavy, timezone.utc)
    assert problem is not None and "the week of 2026-10-12 add up to 1,430 km" in problem
    # only runs count: the same distance cycled is no problem
    assert period_problem([replace(a, sport=Sport.CYCLING) for a in heavy], timezone.utc) is None


def test_only_the_days_and_weeks_of_new_runs_are_judged_when_told() -> None:
    day = datetime(2026, 10, 12, tzinfo=timezone.utc)
    old = [run_at(day + timedelta(hours=h), 40.0, 6.0) for h in (0, 5, 10, 15, 20)]  # 30 h: an older store's fault
    new = [run_at(day + timedelta(days=3), 10.0, 1.0)]
    assert period_problem(old + new, timezone.utc) is not None
    assert period_problem(old + new, timezone.utc, new=new) is None
    assert period_problem(old + new, timezone.utc, new=old[:1]) is not None


# Values a damaged file may hold where a number belongs: edges of the bounds, NaN, infinities,
# bools, huge ints, text.
_ODD = st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=True), st.integers(-10**400, 10**400),
                 st.sampled_from([0, 0.0, -0.0, 1.0, 20.0, 24, 25.0, 250.0, 250, 251, 299.9, 300.0, 172_799.9,
                                  172_800.0, 1e7, 1e7 + 1, True, False, "150", math.nan, math.inf]))
_STARTS = st.one_of(st.none(), st.sampled_from([START, NOW + timedelta(days=2), datetime(1970, 1, 1, tzinfo=timezone.utc),
                                                 datetime(2024, 5, 1), bounds.EARLIEST_START_UTC]))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(_STARTS, _ODD, _ODD, _ODD, _ODD, _ODD, _ODD), max_size=6))
def test_the_column_check_of_laps_passes_only_laps_each_lap_check_passes(rows: list[tuple[object, ...]]) -> None:
    laps = tuple(Lap(*row) for row in rows)  # damaged values on purpose
    if bounds._laps_surely_ok(laps, NOW):
        assert all(bounds._lap_ok(lap, NOW) for lap in laps)
    plain = all(type(v) is int or (type(v) is float and math.isfinite(v)) for row in rows for v in row[1:]
                if v is not None)
    if plain and all(r[0] in (None, START) for r in rows) and all(bounds._lap_ok(lap, NOW) for lap in laps):
        assert bounds._laps_surely_ok(laps, NOW)  # the common case is judged by columns


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.one_of(st.integers(0, 300), st.booleans(), st.floats(0, 300), st.text(max_size=2)), _ODD,
                       max_size=8), st.sampled_from(bounds.HR_BIN_WIDTHS))
def test_the_column_check_of_heart_rate_bins_passes_only_bins_each_check_passes(
        zones: dict[object, object], width: int) -> None:
    a = act(hr_zone_s=zones, hr_bin_bpm=width)
    low = bounds.MIN_HR_BPM - width
    if bounds._zones_surely_ok(zones, low):  # damaged bins on purpose
        assert check_activity(a, now=NOW).activity == a
