"""FIT files of each odd kind real devices write, built with fit-tool: truncated (no session),
across a daylight-saving change, Zwift's local time of 0, a session whose end equals its start,
impossible values, rides without a sport and runs at a ride's speed."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from runload.ingest import fit as fitmod
from runload.ingest import local_offset
from runload.ingest.fit import activities_from_fit, parse_fit, read_fit_fitdecode
from runload.ingest.fitfast import read_fit_fast
from runload.models import Sport
from runload.store import Store
from builders import fit_file

pytestmark = pytest.mark.slow  # FIT files built with fit-tool

# ---------------------------------------------------------------- truncated files
def test_truncated_file_is_read_by_the_fast_reader_from_its_records(monkeypatch: pytest.MonkeyPatch) -> None:
    whole = fit_file(kmh=[12.0] * 1800)
    cut = whole[: int(len(whole) * 0.6)]

    def no_fitdecode(data: bytes):
        raise AssertionError("fitdecode was used")

    monkeypatch.setattr(fitmod, "read_fit_fitdecode", no_fitdecode)
    (a,) = parse_fit(cut, "cut.fit")
    assert a.distance_source == "records" and a.sport is Sport.RUNNING and a.sport_inferred
    n = len(read_fit_fast(cut).rec_t)
    assert 900 < n < 1800
    assert a.distance_m == pytest.approx((n - 1) * 12 / 3.6, rel=1e-6)
    assert a.elapsed_s == n - 1 and a.timer_s == n - 1
    assert any("no session summary" in w for w in a.warnings)
    assert any("decoding stopped early" in w for w in a.warnings)


@pytest.mark.parametrize("share", [0.2, 0.45, 0.7, 0.93])
def test_fast_reader_and_fitdecode_agree_on_truncated_files(share: float) -> None:
    whole = fit_file(kmh=list(np.linspace(8, 14, 1200)))
    cut = whole[: int(len(whole) * share)]
    fast = activities_from_fit(read_fit_fast(cut), "cut.fit")
    slow = activities_from_fit(read_fit_fitdecode(cut), "cut.fit")
    assert len(fast) == len(slow) == 1
    f, s = fast[0], slow[0]
    for name in ("start_utc", "sport", "distance_m", "timer_s", "elapsed_s", "avg_hr_bpm", "max_hr_bpm",
                 "laps", "hr_zone_s", "distance_source"):
        assert getattr(f, name) == pytest.approx(getattr(s, name)) if isinstance(getattr(s, name), float) \
            else getattr(f, name) == getattr(s, name), name


# ---------------------------------------------------------------- local time
def test_offset_recorded_at_the_end_is_carried_back_across_a_dst_change() -> None:
    # Stockholm moved from +01:00 to +02:00 at 01:00 UTC on 2024-03-31; the run is 00:30-02:00 UTC
    start = datetime(2024, 3, 31, 0, 30, tzinfo=timezone.utc)
    (a,) = parse_fit(fit_file(start, kmh=[10.0] * 541, local_offset_s=7200, step_s=10), "dst.fit")
    assert a.utc_offset_s == 7200 and a.offset_recorded_utc == start + timedelta(seconds=5400)
    stockholm = ZoneInfo("Europe/Stockholm")
    assert local_offset(a, stockholm) == 3600  # 01:30 local at the start, on the 31st
    # a runner abroad (the device six hours behind the athlete's zone) keeps the file's offset
    (b,) = parse_fit(fit_file(start, kmh=[10.0] * 600, local_offset_s=-6 * 3600), "abroad.fit")
    assert local_offset(b, stockholm) == -6 * 3600
    # no offset in the file: the athlete's zone at the start
    (c,) = parse_fit(fit_file(start, kmh=[10.0] * 600), "plain.fit")
    assert c.utc_offset_s is None and local_offset(c, stockholm) == 3600


def test_import_stores_the_start_offset(tmp_path: Path, athlete: str, store_path: Path) -> None:
    start = datetime(2024, 10, 26, 23, 30, tzinfo=timezone.utc)  # 01:30 CEST; at 01:00 UTC it is CET again
    (tmp_path / "dst.fit").write_bytes(fit_file(start, kmh=[10.0] * 721, local_offset_s=3600, step_s=10))
    from runload.ingest import import_paths
    with Store.open(store_path) as st:
        import_paths(st, athlete, [tmp_path], workers=1)
        (a,) = st.activities(athlete)
    assert a.utc_offset_s == 7200  # the Sunday morning run stays on Sunday the 27th


def test_zwift_local_time_of_zero_is_no_offset() -> None:
    (a,) = parse_fit(fit_file(local_raw=0), "zwift.fit")
    assert a.utc_offset_s is None and a.offset_recorded_utc is None
    (b,) = parse_fit(fit_file(local_raw=0), "zwift.fit", fast=False)
    assert b.utc_offset_s is None


# ---------------------------------------------------------------- damaged sessions
def test_session_whose_end_equals_its_start_is_timed_from_its_records() -> None:
    (a,) = parse_fit(fit_file(kmh=[10.8] * 1200, elapsed=0), "zero.fit")
    assert a.elapsed_s == 1199 and a.timer_s == 1199
    assert a.distance_m == pytest.approx(1199 * 3.0)
    assert any("end equals its start" in w for w in a.warnings)
    assert sum(a.hr_zone_s.values()) == pytest.approx(1199)


def test_impossible_session_distance_is_dropped() -> None:
    (a,) = parse_fit(fit_file(kmh=[10.8] * 600, distance=42_949_672.0), "huge.fit")
    assert a.distance_source == "records" and a.distance_m == pytest.approx(599 * 3.0)
    assert any("impossible total distance" in w for w in a.warnings)


# ---------------------------------------------------------------- sport from speed
def test_ride_without_a_sport_is_cycling_and_says_why() -> None:
    kmh = list(17.6 + 7.6 * np.sin(np.arange(1800) / 30.0))
    (a,) = parse_fit(fit_file(kmh=kmh, sport="generic"), "ride.fit")
    assert a.sport is Sport.CYCLING and a.sport_inferred
    assert any("not running (speed of a ride" in w for w in a.warnings)


def test_labelled_run_at_bike_speed_gets_a_warning() -> None:
    (a,) = parse_fit(fit_file(kmh=[30.0] * 600), "fast.fit")
    assert a.sport is Sport.RUNNING and not a.sport_inferred
    assert any(w.startswith("labelled running, but moves at the speed of a ride") for w in a.warnings)
    (b,) = parse_fit(fit_file(kmh=[12.0] * 600), "ok.fit")
    assert b.warnings == ()
