"""The shortcuts the FIT reader and the helpers it shares with the other readers take for the usual
messages and samples give exactly what the general computation gives: summary messages decoded by
code made for their layout, laps' numbers read one after another, the running distance, heart-rate
bins and top speeds of samples without gaps or damage."""

from __future__ import annotations

import math
import struct
from datetime import datetime, timedelta, timezone
from typing import Any

import numpy as np
import pytest
from fitdecode import profile
from hypothesis import given, settings
from hypothesis import strategies as st

from runload.ingest.common import (
    MAX_SPEED_MPS, RIDE_FAST_KMH, _window_kmh, clean_cumulative, every_second, hr_bins, hr_bins_array, motion,
)
from runload.ingest.fit import _ABSOLUTE_MIN, _FOOT_SPORTS, _laps, _num, _time, _value
from runload.ingest.fitfast import _DECODES_BEFORE_CODE, SUMMARY_LISTS, _decode, _decoder, _Layout
from runload.models import Lap, Sport

# FIT base types as written in a definition (bit 7: multi-byte) and their sizes
BASE_TYPES = {0x00: 1, 0x01: 1, 0x02: 1, 0x83: 2, 0x84: 2, 0x85: 4, 0x86: 4, 0x07: 1, 0x88: 4, 0x89: 8, 0x0A: 1,
              0x8B: 2, 0x8C: 4, 0x0D: 1, 0x8E: 8, 0x8F: 8, 0x90: 8}


@st.composite
def _summary_layouts(draw: st.DrawFn) -> tuple[_Layout, bytes]:
    """A summary message's layout (profile fields and unknown ones, every base type, now and then
    an odd size or a field written twice) and bytes of one message, rich in invalid values and NaN."""
    big = draw(st.booleans())
    gnum = draw(st.sampled_from(sorted(SUMMARY_LISTS)))
    nums = sorted(profile.MESSAGE_TYPES[gnum].fields)
    fields = []
    for _ in range(draw(st.integers(0, 14))):
        num = draw(st.sampled_from([*nums, 250, 251]))
        base = draw(st.sampled_from(sorted(BASE_TYPES)))
        size = draw(st.sampled_from((BASE_TYPES[base],) * 6 + (1, 3, 4)))
        fields.append((num, size, base))
    key = bytes((int(big),)) + struct.pack(">H" if big else "<H", gnum) + bytes((len(fields),))
    key += b"".join(bytes(f) for f in fields)
    layout = _Layout(key)
    body = bytes(draw(st.lists(st.sampled_from((0x00, 0x01, 0x7F, 0x80, 0xC0, 0xFF)) | st.integers(0, 255),
                               min_size=layout.size, max_size=layout.size)))
    return layout, body


@settings(max_examples=400, deadline=None)
@given(_summary_layouts())
def test_summary_decoders_made_per_layout_decode_as_the_plan(case: tuple[_Layout, bytes]) -> None:
    layout, body = case
    data = b"\x00\x00" + body  # the message anywhere in the bytes
    planned = repr(list(_decode(layout, data, 2).items()))
    if layout.simple:
        assert repr(list(_decoder(layout.fields, layout.unpack)(data, 2).items())) == planned
    for _ in range(_DECODES_BEFORE_CODE + 2):  # by the plan, then by the code made for the layout
        assert repr(list(layout.decode(data, 2).items())) == planned


_LAP_VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(-5, 3_000_000), st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from((0, 0.0, 1, 255, 256, 2_000_000, 2_000_000.5, 172_800, 1e300, -0.0, "running", b"x",
                     np.float64(3.5), np.int64(140), np.nan)))
_LAP_KEYS = ("total_distance", "total_timer_time", "avg_heart_rate", "max_heart_rate", "avg_cadence",
             "avg_fractional_cadence", "enhanced_avg_speed", "avg_speed")


def _reference_lap(lap: dict[str, Any], sport: Sport) -> Lap:
    """A lap as :func:`runload.ingest.fit._value` and :func:`_num` read its values, one at a time."""
    cad = _value(lap, ("avg_cadence",), "cadence", None)
    if cad is not None:
        cad = (cad + (_num(lap, "avg_fractional_cadence") or 0.0)) * 2 if sport in _FOOT_SPORTS else None
    start = lap.get("start_time")
    return Lap(start_utc=_time(start) if isinstance(start, int) and start >= _ABSOLUTE_MIN else None,
               distance_m=_value(lap, ("total_distance",), "distance", None),
               timer_s=_value(lap, ("total_timer_time",), "time", None),
               avg_hr_bpm=_value(lap, ("avg_heart_rate",), "heart rate", None),
               max_hr_bpm=_value(lap, ("max_heart_rate",), "heart rate", None), avg_cadence_spm=cad,
               avg_speed_mps=_value(lap, ("enhanced_avg_speed", "avg_speed"), "speed", None))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.fixed_dictionaries({}, optional={key: _LAP_VALUES for key in _LAP_KEYS}
                                      | {"start_time": st.sampled_from((None, 5, True, 1_069_452_800, 1.0e9))}),
                max_size=4),
       st.sampled_from((Sport.RUNNING, Sport.CYCLING, Sport.WALKING)))
def test_laps_read_as_their_values_one_at_a_time(msgs: list[dict[str, Any]], sport: Sport) -> None:
    got = _laps(msgs, sport)
    want = tuple(_reference_lap(lap, sport) for lap in msgs)
    assert repr(got) == repr(want)


def _general_cumulative(t: np.ndarray, cum: np.ndarray) -> np.ndarray:
    """clean_cumulative's general computation, every step checked against its time."""
    ok = ~np.isnan(cum)
    if np.count_nonzero(ok) < 2:
        out = np.full(len(cum), np.nan)
        out[ok] = 0.0
        return out
    d, tt = cum[ok], t[ok]
    dd, dt = d[1:] - d[:-1], tt[1:] - tt[:-1]
    good = (dd >= 0) & (dd <= np.fmax(np.abs(dt), 1.0) * MAX_SPEED_MPS)
    out = np.full(len(cum), np.nan)
    out[ok] = np.concatenate(([0.0], np.cumsum(np.where(good, dd, 0.0))))
    return out


@pytest.mark.parametrize("seed", range(40))
def test_running_distance_shortcut_equals_the_general_computation(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(0, 300))
    t = 1_069_452_800.0 + np.cumsum(rng.choice([1.0] * 8 + [0.0, 3.0, 90.0], n) if seed % 2 else np.ones(n))
    steps = rng.choice([0.0, 2.8, 3.1, 99.9, 100.0] + ([100.5, -4.0, np.nan, 250.0] if seed % 4 == 3 else []), n)
    cum = np.cumsum(steps) / 7.0 + rng.choice([0.0, 1e6])
    if seed % 5 == 4 and n:
        t[int(rng.integers(0, n))] = np.nan
    assert clean_cumulative(t, cum).tobytes() == _general_cumulative(t, cum).tobytes()


@pytest.mark.parametrize("seed", range(20))
def test_hr_bins_of_clean_samples_equal_the_sample_by_sample_bins(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 400))
    t = np.cumsum(rng.choice([1.0, 1.0, 2.0, 45.0], n))  # every step forward, no heart rate missing or 0
    hr = rng.choice([61.0, 140.4, 150.5, 151.0, 190.0, 5000.0 if seed % 3 == 0 else 170.0], n)
    start = datetime(2024, 5, 6, tzinfo=timezone.utc)
    samples = [(start + timedelta(seconds=float(s)), float(h)) for s, h in zip(t, hr)]
    assert hr_bins_array(t, hr) == hr_bins(samples)


@pytest.mark.parametrize("seed", range(30))
def test_top_speed_fast_time_and_coasting_of_samples_one_a_second_equal_the_direct_ones(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 500))
    t = 1_069_452_800.0 + np.arange(n, dtype=float)  # one a second
    speeds = [0.0, 0.3, 2.9, 3.4] + ([7.5, 9.0, 12.0] * (seed % 4))  # a run, or a run with a ride's speeds
    d = np.concatenate(([0.0], np.cumsum(rng.choice(speeds, n - 1))))
    cad = rng.choice([0.0] * (seed % 5 > 0) + [85.0, 90.0] + [np.nan] * (seed % 3), n)  # now and then no 0
    m = motion(t, d, cadence=cad)
    moving = (d[1:] - d[:-1]) > 0.5
    v = _window_kmh(t, d)[moving]
    if len(v):
        assert m.max_kmh == float(v.max())
        assert m.fast_s == float(np.count_nonzero(v > RIDE_FAST_KMH))
    else:
        assert math.isnan(m.max_kmh) and m.fast_s == 0.0
    brisk = moving & ((d[1:] - d[:-1]) * 3.6 > 10) & ~np.isnan(cad[:-1])
    brisk_s = float(np.count_nonzero(brisk))
    assert m.coast_share == (float(np.count_nonzero(brisk & (cad[:-1] == 0)) / brisk_s) if brisk_s >= 60 else None)


@pytest.mark.parametrize("seed", range(40))
def test_motion_and_hr_bins_told_the_samples_are_one_a_second_equal_the_ones_that_find_it_out(seed: int) -> None:
    """A reader that found its records one a second tells motion and hr_bins_array; what they give
    is what they give finding it out themselves, NaN, heart rates of 0 and odd gaps allowed."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(0, 400))
    t = rng.choice([0.0, -30.0, 1_069_452_800.0, 1_069_452_800.5]) + np.arange(n, dtype=float)
    d = np.concatenate(([0.0], np.cumsum(rng.choice([0.0, 0.4, 2.9, 3.4, 8.0], max(n - 1, 0)))))[:n]
    hr = rng.choice([0.0] * (seed % 3 == 0) + [61.0, 140.4, 150.5, 190.0] + [np.nan] * (seed % 4 == 1)
                    + [4095.4, 4095.5, 9000.0] * (seed % 7 == 6), n)
    cad = rng.choice([0.0, 85.0] + [np.nan] * (seed % 5 == 2), n)
    if seed % 6 == 5 and n:
        d[int(rng.integers(0, n))] = np.nan
    assert every_second(t) == (n >= 2)
    gap = float(rng.choice([30.0, 1.0, 0.5]))
    for steady in (False, every_second(t)):
        assert repr(motion(t, d, cadence=cad, one_a_second=steady)) == repr(motion(t, d, cadence=cad))
        assert repr(hr_bins_array(t, hr, gap, one_a_second=steady)) == repr(hr_bins_array(t, hr, gap))
    if n >= 2:
        samples = [(datetime(2024, 5, 6, tzinfo=timezone.utc) + timedelta(seconds=float(s)), float(h))
                   for s, h in zip(t, hr) if not math.isnan(h)]
        assert hr_bins_array(t, hr, gap, one_a_second=True) == hr_bins(samples, gap)
