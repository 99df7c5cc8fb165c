"""TCX: the streaming reader against an independent ElementTree reading of every real TCX file, and
files of each odd kind (laps longer than their track, Sport="Other", damaged values, offsets,
multisport sessions, skis without a sport)."""

from __future__ import annotations

import gzip
import math
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from conftest import REAL, needs_real
from runload.errors import IngestError
from runload.ingest.tcx import parse_tcx, read_tcx
from runload.models import Sport
from builders import T0, TCX_NS as NS, lap, tcx

TCX_FILES = sorted(p for p in REAL.glob("**/*.tcx*") if p.name != "malformed.tcx") if REAL.is_dir() else []
# ---------------------------------------------------------------- against ElementTree
def _etree_points(data: bytes) -> list[list[tuple[str | None, ...]]]:
    """Each activity's track points, read independently: (time, lat, lon, alt, dist, hr) texts."""
    root = ET.fromstring(data.lstrip())
    q = f"{{{NS}}}"
    out = []
    for act in root.iter(q + "Activity"):
        pts = []
        for tp in act.iter(q + "Trackpoint"):
            def text(path: str, tp: ET.Element = tp) -> str | None:
                el = tp.find(path)
                return el.text.strip() if el is not None and el.text else None
            pts.append((text(q + "Time"), text(f"{q}Position/{q}LatitudeDegrees"),
                        text(f"{q}Position/{q}LongitudeDegrees"), text(q + "AltitudeMeters"),
                        text(q + "DistanceMeters"), text(f"{q}HeartRateBpm/{q}Value")))
        out.append(pts)
    return out


def _num(text: str | None) -> float:
    return float(text) if text else math.nan


@pytest.mark.slow  # every real file
@needs_real
@pytest.mark.parametrize("path", TCX_FILES, ids=lambda p: p.name)
def test_streaming_reader_agrees_with_elementtree(path: Path) -> None:
    data = path.read_bytes()
    if path.name.endswith(".gz"):
        data = gzip.decompress(data)
    td = read_tcx(data, path.name)
    ref = _etree_points(data)
    assert len(td.activities) == len(ref)
    for act, pts in zip(td.activities, ref):
        t = np.concatenate([lp.t for lp in act.laps])
        assert len(t) == len(pts)
        expect_t = [datetime.fromisoformat(p[0]).timestamp() if p[0] else math.nan for p in pts]
        np.testing.assert_allclose(t, expect_t, atol=1e-6)
        for col, i in (("lat", 1), ("lon", 2), ("alt", 3), ("dist", 4), ("hr", 5)):
            got = np.concatenate([getattr(lp, col) for lp in act.laps])
            np.testing.assert_allclose(got, [_num(p[i]) for p in pts], atol=1e-9, err_msg=col)


# ---------------------------------------------------------------- odd files
def test_lap_time_longer_than_the_track_is_elapsed_time() -> None:
    # a real file: the laps say 2,325 s, the track spans 1,431 s
    (a,) = parse_tcx(tcx(("Running", lap(T0, [10.0] * 1432, total_s=2325))), "laps.tcx")
    assert a.timer_s == 2325 and a.elapsed_s >= a.timer_s
    assert any("is longer than the track's (1431 s)" in w for w in a.warnings)


def test_several_laps_and_tracks() -> None:
    laps = lap(T0, [10.0] * 600) + lap(T0 + timedelta(seconds=600), [11.0] * 600)
    (a,) = parse_tcx(tcx(("Running", laps)), "two.tcx")
    assert len(a.laps) == 2 and a.distance_source == "laps"
    assert a.distance_m == pytest.approx((599 * 10 + 599 * 11) / 3.6)
    assert a.timer_s == 1198 and a.elapsed_s == pytest.approx(1199)
    assert a.avg_cadence_spm == 170 and a.avg_hr_bpm == 150 and a.max_hr_bpm == 160
    assert a.device == "Forerunner 245" and a.warnings == ()


def test_sport_other_is_not_running_and_says_how_to_correct_it() -> None:
    (a,) = parse_tcx(tcx(("Other", lap(T0, [10.0] * 600))), "other.tcx")
    assert a.sport is Sport.OTHER and not a.sport_inferred and not a.is_run
    assert any('calls the sport "Other"' in w and "runload activity set-sport" in w for w in a.warnings)


def test_cross_country_ski_without_a_sport_is_not_a_run() -> None:
    # a real ski: 8.5 km/h on average with a 22 km/h maximum
    kmh = ([10.0] * 90 + [5.0] * 90 + [21.0] * 45) * 16
    (a,) = parse_tcx(tcx((None, lap(T0, kmh, run_cad=None))), "ski.tcx")
    assert a.sport is not Sport.RUNNING and a.sport_inferred


def test_labelled_run_at_bike_speed_gets_a_warning() -> None:
    (a,) = parse_tcx(tcx(("Running", lap(T0, [30.0] * 1800))), "fast.tcx")
    assert a.sport is Sport.RUNNING
    assert any(w.startswith("labelled running, but moves at the speed of a ride") for w in a.warnings)


@pytest.mark.parametrize("bad", ["inf", "nan", "1e15", "-5"])
def test_impossible_lap_time_is_dropped(bad: str) -> None:
    (a,) = parse_tcx(tcx(("Running", lap(T0, [10.0] * 600, total_s=bad))), "bad.tcx")
    assert a.timer_s is None and a.elapsed_s == pytest.approx(599)
    assert any("impossible lap time value ignored" in w for w in a.warnings)
    assert math.isfinite(a.distance_m)


def test_impossible_times_and_positions_are_dropped() -> None:
    pts_lap = lap(T0, [10.0] * 600).replace("<Time>2024-05-06T07:00:30Z", "<Time>9999-05-06T07:00:30Z", 1)
    pts_lap = pts_lap.replace("<LatitudeDegrees>59.30", "<LatitudeDegrees>NaN<!-- -->", 1)
    (a,) = parse_tcx(tcx(("Running", pts_lap)), "bad.tcx")
    assert a.elapsed_s == pytest.approx(599) and a.start_utc == T0
    text = " | ".join(a.warnings)
    assert "1 impossible time value ignored" in text and "1 impossible position value ignored" in text


def test_offset_is_kept_and_naive_times_warned() -> None:
    (a,) = parse_tcx(tcx(("Running", lap(T0, [10.0] * 60, zone="-07:00")), ident="2024-05-06T07:00:00-07:00"),
                     "denver.tcx")
    assert a.utc_offset_s == -7 * 3600 and a.start_utc == T0 + timedelta(hours=7)
    (b,) = parse_tcx(tcx(("Running", lap(T0, [10.0] * 60, zone="")), ident="2024-05-06T07:00:00"), "naive.tcx")
    assert b.utc_offset_s is None and b.start_utc == T0
    assert any("no time zone: read as UTC" in w for w in b.warnings)


def test_multisport_session_gives_one_activity_per_leg() -> None:
    data = tcx(("Running", lap(T0, [10.0] * 600))).replace(
        b"<Activities>", b"<Activities><MultiSportSession><Id>2024-05-06T07:00:00Z</Id><FirstSport>").replace(
        b"</Activity></Activities>", b"</Activity></FirstSport><NextSport><Activity Sport=\"Biking\"><Id>"
        b"2024-05-06T08:00:00Z</Id>" + lap(T0 + timedelta(hours=1), [30.0] * 600, run_cad=None).encode()
        + b"</Activity></NextSport></MultiSportSession></Activities>")
    run, ride = parse_tcx(data, "tri.tcx")
    assert (run.sport, ride.sport) == (Sport.RUNNING, Sport.CYCLING) and (run.leg_index, ride.leg_index) == (0, 1)
    assert ride.start_utc == T0 + timedelta(hours=1)


def test_not_a_tcx_file_and_unsafe_xml_are_refused() -> None:
    with pytest.raises(IngestError, match="not a TCX file: its root element is <gpx>"):
        parse_tcx(b'<gpx xmlns="http://www.topografix.com/GPX/1/1"/>', "x.tcx")
    with pytest.raises(IngestError, match="unsafe XML refused"):
        parse_tcx(b'<?xml version="1.0"?><!DOCTYPE t [<!ENTITY a "x">]><TrainingCenterDatabase>&a;'
                  b"</TrainingCenterDatabase>", "x.tcx")
    with pytest.raises(IngestError, match="no <Activity>"):
        parse_tcx(b'<TrainingCenterDatabase xmlns="' + NS.encode() + b'"><Activities/></TrainingCenterDatabase>',
                  "empty.tcx")


def test_deep_nesting_reads_without_recursion() -> None:
    deep = "<x:e>" * 150_000 + "</x:e>" * 150_000
    data = tcx(("Running", lap(T0, [10.0] * 60).replace("</Trackpoint>", f'<x:w xmlns:x="urn:x">{deep}</x:w>'
                                                        "</Trackpoint>", 1)))
    (a,) = parse_tcx(data, "deep.tcx")
    assert a.elapsed_s == pytest.approx(59)
