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

T0 = datetime(2024, 5, 6, 7, 0, tzinfo=timezone.utc)
FIT_EPOCH_S = 631065600


def fit_file(start: datetime = T0, kmh: list[float] | None = None, sport: str = "running", session: bool = True,
             elapsed: float | None = None, distance: float | None = None, local_offset_s: int | None = None,
             local_raw: int | None = None, step_s: int = 1) -> bytes:
    """A FIT activity with records every ``step_s`` seconds at the given speeds, a lap, a session and an
    activity message."""
    from fit_tool.fit_file_builder import FitFileBuilder
    from fit_tool.profile.messages.activity_message import ActivityMessage
    from fit_tool.profile.messages.file_id_message import FileIdMessage
    from fit_tool.profile.messages.lap_message import LapMessage
    from fit_tool.profile.messages.record_message import RecordMessage
    from fit_tool.profile.messages.session_message import SessionMessage
    from fit_tool.profile.profile_type import FileType, Manufacturer, Sport as FSport

    kmh = kmh if kmh is not None else [10.8] * 600
    ms = int(start.timestamp() * 1000)
    b = FitFileBuilder(auto_define=True, min_string_size=50)
    m = FileIdMessage()
    m.type, m.manufacturer, m.product, m.time_created, m.serial_number = (
        FileType.ACTIVITY, Manufacturer.GARMIN.value, 2691, ms, 1234)
    b.add(m)
    dist = 0.0
    for i, v in enumerate(kmh):
        r = RecordMessage()
        r.timestamp = ms + i * 1000 * step_s
        r.distance = dist
        r.enhanced_speed = v / 3.6
        r.heart_rate = 150
        r.cadence = 85
        b.add(r)
        dist += v / 3.6 * step_s
    n = (len(kmh) - 1) * step_s
    end_ms = ms + n * 1000
    if session:
        fs = getattr(FSport, sport.upper())
        lap = LapMessage()
        lap.timestamp, lap.start_time, lap.total_elapsed_time, lap.total_timer_time = end_ms, ms, n, n
        lap.total_distance, lap.sport = dist - kmh[-1] / 3.6 * step_s, fs
        b.add(lap)
        s = SessionMessage()
        span = n if elapsed is None else elapsed
        s.timestamp, s.start_time, s.total_elapsed_time, s.total_timer_time = ms + int(span * 1000), ms, span, span
        s.total_distance = dist - kmh[-1] / 3.6 * step_s if distance is None else distance
        s.sport, s.avg_heart_rate, s.max_heart_rate, s.avg_cadence = fs, 150, 160, 85
        b.add(s)
        a = ActivityMessage()
        a.timestamp, a.num_sessions = end_ms, 1
        if local_raw is not None:
            a.local_timestamp = local_raw
        elif local_offset_s is not None:
            a.local_timestamp = end_ms // 1000 - FIT_EPOCH_S + local_offset_s
        b.add(a)
    return b.build().to_bytes()


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
