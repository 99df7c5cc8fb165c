"""The fast FIT summary reader agrees with fitdecode's full decode on every real FIT file."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from conftest import REAL, needs_real
from runload.errors import IngestError
from runload.ingest.fit import activities_from_fit, parse_fit, read_fit_fitdecode
from runload.ingest.fitfast import FitFallback, read_fit_fast

pytestmark = pytest.mark.slow  # fitdecode's full decode of every real FIT file

FIT_FILES = sorted(REAL.glob("**/*.fit")) if REAL.is_dir() else []
FIELDS = ("start_utc", "sport", "sub_sport", "distance_m", "timer_s", "elapsed_s", "avg_hr_bpm", "max_hr_bpm",
          "avg_cadence_spm", "elevation_gain_m", "device", "utc_offset_s", "leg_index", "sport_inferred")


def _close(a: object, b: object) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
    return a == b


def _outcome(fd, name: str):
    try:
        return activities_from_fit(fd, name)
    except IngestError as err:
        return f"error: {err.message.split(':')[0]}"


@needs_real
@pytest.mark.parametrize("path", FIT_FILES, ids=lambda p: p.name)
def test_fast_reader_agrees_with_fitdecode(path: Path) -> None:
    data = path.read_bytes()
    try:
        fast_fd = read_fit_fast(data)
    except FitFallback:
        pytest.skip("the fast reader hands this file to fitdecode")
    slow_fd = read_fit_fitdecode(data)
    slow = _outcome(slow_fd, path.name)
    fast = _outcome(fast_fd, path.name)
    # the records located by the walk are the records fitdecode decodes
    assert len(fast_fd.rec_t) == len(slow_fd.rec_t)
    assert len(fast_fd.sessions) == len(slow_fd.sessions)
    if isinstance(slow, str) or isinstance(fast, str):
        assert slow == fast
        return
    assert len(fast) == len(slow), "same number of legs"
    for f, s in zip(fast, slow):
        for name in FIELDS:
            assert _close(getattr(f, name), getattr(s, name)), f"leg {s.leg_index} {name}: {getattr(f, name)!r} != {getattr(s, name)!r}"
        assert f.laps == s.laps
        assert f.hr_zone_s.keys() == s.hr_zone_s.keys()
        for k in s.hr_zone_s:
            assert math.isclose(f.hr_zone_s[k], s.hr_zone_s[k])


@needs_real
def test_every_real_fit_file_is_read_by_the_fast_path_or_falls_back() -> None:
    used_fast = 0
    for path in FIT_FILES:
        try:
            fd = read_fit_fast(path.read_bytes())
        except FitFallback:
            continue
        used_fast += bool(fd.sessions)
    assert used_fast >= 12  # most real files have a summary the fast reader can use


def test_fallback_for_bytes_that_are_not_fit() -> None:
    with pytest.raises(FitFallback):
        read_fit_fast(b"<?xml version='1.0'?><gpx/>" + b" " * 20)
    with pytest.raises(IngestError):
        parse_fit(b"not a fit file at all, just text....", "x.fit")
