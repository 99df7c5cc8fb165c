"""GPX: the streaming reader against gpxpy on every real file, and files of each odd kind that real
devices and converters write (several tracks, overlapping logs, offsets, damaged values, UTF-16,
deep nesting, rides and skis without a sport)."""

from __future__ import annotations

import json
import math
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pytest

from conftest import REAL, needs_real
from runload.errors import IngestError
from runload.ingest.gpx import activities_from_gpx, parse_gpx, read_gpx, read_gpx_gpxpy
from runload.models import Sport
from runload.store import Store
from builders import M_PER_DEG, T0, gpx, point

GPX_FILES = sorted(REAL.glob("**/*.gpx")) if REAL.is_dir() else []


# ---------------------------------------------------------------- writing GPX by hand
def moving(start: datetime, kmh: list[float] | np.ndarray, lat0: float = 59.3, ele: list[float] | None = None,
           hr: int | None = 150, cad: list[int] | None = None, step_s: int = 1) -> list[str]:
    """Points every ``step_s`` seconds moving north at the given speeds (one per step)."""
    pts, lat = [], lat0
    for i, v in enumerate(kmh):
        pts.append(point(start + timedelta(seconds=i * step_s), f"{lat:.8f}", ele=ele[i] if ele else 10.0, hr=hr,
                         cad=cad[i] if cad else None))
        lat += v / 3.6 * step_s / M_PER_DEG
    return pts


def steady(start: datetime, kmh: float, minutes: float, **kw) -> list[str]:
    return moving(start, [kmh] * int(minutes * 60), **kw)


# ---------------------------------------------------------------- against gpxpy
@pytest.mark.slow  # every real file
@needs_real
@pytest.mark.parametrize("path", GPX_FILES, ids=lambda p: p.name)
def test_streaming_reader_agrees_with_gpxpy(path: Path) -> None:
    data = path.read_bytes()
    fast, ref = read_gpx(data, path.name), read_gpx_gpxpy(data, path.name)
    assert (fast.creator, fast.name, fast.offset_s, fast.naive, fast.dropped) == (
        ref.creator, ref.name, ref.offset_s, ref.naive, ref.dropped)
    assert [(t.name, t.type) for t in fast.tracks] == [(t.name, t.type) for t in ref.tracks]
    assert len(fast.segments) == len(ref.segments)
    for a, b in zip(fast.segments, ref.segments):
        assert a.track == b.track
        for col in ("t", "lat", "lon", "ele", "hr", "cad"):
            np.testing.assert_allclose(getattr(a, col), getattr(b, col), rtol=0, atol=1e-9, err_msg=col)
    try:
        acts = activities_from_gpx(fast, path.name)
    except IngestError as err:
        with pytest.raises(IngestError) as again:
            activities_from_gpx(ref, path.name)
        assert again.value.message == err.message
        return
    assert acts == activities_from_gpx(ref, path.name)


def test_streaming_reader_agrees_with_gpxpy_on_odd_shapes() -> None:
    odd = [
        gpx([steady(T0, 10, 2, hr=140, cad=[85] * 120)], [steady(T0 + timedelta(days=1), 10, 2, hr=None)]),
        # GPX 1.0 without extensions, lon before lat, times with offsets and fractions
        b'<?xml version="1.0"?><gpx version="1.0" creator="x" xmlns="http://www.topografix.com/GPX/1/0">'
        b'<name>old</name><trk><name>t</name><trkseg>'
        b'<trkpt lon="18.0" lat="59.3"><ele>1.5</ele><time>2024-05-06T09:00:00.250+02:00</time></trkpt>'
        b'<trkpt lon="18.0" lat="59.301"><time>2024-05-06T09:00:30.5+02:00</time><ele>2</ele></trkpt>'
        b"</trkseg></trk></gpx>",
        # no namespace at all, a waypoint with a time, a comment and CDATA inside a point
        b'<gpx version="1.1" creator="y"><wpt lat="1" lon="1"><time>2020-01-01T00:00:00Z</time></wpt>'
        b'<trk><trkseg><trkpt lat="59.3" lon="18"><!-- c --><ele><![CDATA[12]]></ele>'
        b"<time>2024-05-06T07:00:00Z</time></trkpt>"
        b'<trkpt lat="59.31" lon="18"><ele>13</ele><time>2024-05-06T07:05:00Z</time></trkpt></trkseg></trk></gpx>',
    ]
    for data in odd:
        fast, ref = read_gpx(data, "odd.gpx"), read_gpx_gpxpy(data, "odd.gpx")
        assert activities_from_gpx(fast, "odd.gpx") == activities_from_gpx(ref, "odd.gpx")


def test_a_point_inside_a_point_is_read_exactly() -> None:
    # not GPX, but well-formed: the quick pass notices and reads the file again exactly
    nested = gpx([[point(T0, 59.3).replace("</trkpt>", point(T0 + timedelta(seconds=5), 59.4) + "</trkpt>"),
                   point(T0 + timedelta(seconds=10), 59.3001)]])
    gd = read_gpx(nested, "n.gpx")
    assert len(gd.segments) == 1 and len(gd.segments[0].t) == 2
    assert gd.segments[0].t[0] == T0.timestamp()


# ---------------------------------------------------------------- several tracks and segments
def test_tracks_days_apart_are_separate_activities_in_time_order() -> None:
    day2, day1 = T0 + timedelta(days=1), T0
    data = gpx([steady(day2, 5, 30)], [steady(day1, 5, 20)], names=("second", "first"))  # file order: day 2 first
    acts = parse_gpx(data, "multi.gpx")
    assert [a.start_utc for a in acts] == [day1, day2] and [a.name for a in acts] == ["first", "second"]
    assert [a.leg_index for a in acts] == [0, 1]
    for a, minutes in zip(acts, (20, 30)):
        assert a.elapsed_s == pytest.approx(minutes * 60 - 1) and 0 < a.timer_s <= a.elapsed_s
        assert a.distance_m == pytest.approx(5 / 3.6 * (minutes * 60 - 1), rel=1e-3)
        assert any("activity" in w and "of 2 in the file" in w for w in a.warnings)


def test_segments_of_one_run_with_a_short_stop_stay_one_activity() -> None:
    data = gpx([steady(T0, 10, 10), steady(T0 + timedelta(minutes=25), 10, 10)])
    (a,) = parse_gpx(data, "stop.gpx")
    assert a.elapsed_s == pytest.approx(35 * 60 - 1)
    assert a.timer_s == pytest.approx(2 * (10 * 60 - 1))  # the 15-minute stop is not moving time
    assert a.distance_m == pytest.approx(2 * 10 / 3.6 * 599, rel=1e-3)  # never bridged across the stop


def test_two_logs_of_the_same_hike_are_counted_once() -> None:
    watch = steady(T0, 5, 60)
    phone = steady(T0 + timedelta(minutes=5), 5, 60, lat0=59.30001)  # the same walk, 5 minutes later
    (a,) = parse_gpx(gpx([watch], [phone]), "two-logs.gpx")
    # the watch's hour, then only the phone's last 5 minutes: 65 minutes, never 120
    assert a.elapsed_s == pytest.approx(65 * 60 - 1, abs=2)
    assert a.timer_s <= a.elapsed_s
    assert a.distance_m == pytest.approx(5 / 3.6 * 65 * 60, rel=0.01)
    assert any("cover the same 55 minutes" in w for w in a.warnings)


def test_points_out_of_order_are_sorted_and_elapsed_is_never_negative() -> None:
    pts = steady(T0, 10, 5)
    (a,) = parse_gpx(gpx([list(reversed(pts))]), "reversed.gpx")
    assert a.start_utc == T0 and a.elapsed_s == pytest.approx(299)
    assert a.distance_m == pytest.approx(10 / 3.6 * 299, rel=1e-3)


# ---------------------------------------------------------------- time zones
def test_explicit_offset_is_kept_and_decides_the_local_day(cli, athlete: str, tmp_path: Path,
                                                           store_path: Path) -> None:
    # 22:30 on the 5th in Denver is 04:30 UTC on the 6th, 06:30 on the 6th in Stockholm (the athlete's zone)
    pts = [point(f"2024-05-05T22:{30 + i // 60:02d}:{i % 60:02d}-06:00", f"{59.3 + i * 2.7e-5:.7f}")
           for i in range(600)]
    (tmp_path / "denver.gpx").write_bytes(gpx([pts], types=("running",)))
    (a,) = parse_gpx((tmp_path / "denver.gpx").read_bytes(), "denver.gpx")
    assert a.utc_offset_s == -6 * 3600 and a.start_utc == datetime(2024, 5, 6, 4, 30, tzinfo=timezone.utc)
    assert not any("time zone" in w for w in a.warnings)
    assert cli("import", "--athlete", athlete, str(tmp_path)).exit_code == 0
    with Store.open(store_path) as st:
        (stored,) = st.activities(athlete)
    assert stored.utc_offset_s == -6 * 3600
    weeks = json.loads(cli("weeks", "--athlete", athlete, "--format", "json").output)
    assert weeks[-1]["week_start"] == "2024-04-29"  # Sunday the 5th, local to the run: not Monday's week


def test_naive_times_are_read_as_utc_with_a_warning() -> None:
    pts = [point(f"2024-05-06T07:{i // 60:02d}:{i % 60:02d}", f"{59.3 + i * 2.7e-5:.7f}") for i in range(300)]
    (a,) = parse_gpx(gpx([pts], types=("running",)), "naive.gpx")
    assert a.start_utc == T0 and a.utc_offset_s is None
    assert any("no time zone: read as UTC" in w for w in a.warnings)


def test_z_times_record_no_local_offset() -> None:
    (a,) = parse_gpx(gpx([steady(T0, 10, 5)], types=("running",)), "z.gpx")
    assert a.utc_offset_s is None and not any("time zone" in w for w in a.warnings)


# ---------------------------------------------------------------- damaged values
def test_impossible_values_are_dropped_with_a_warning() -> None:
    pts = steady(T0, 10, 5, hr=150)
    pts[10] = pts[10].replace('lat="', 'lat="NaN" x="')
    pts[20] = pts[20].replace("<ele>10.0</ele>", "<ele>nan</ele>")
    pts[30] = pts[30].replace("<ele>10.0</ele>", "<ele>1e15</ele>")
    pts[40] = pts[40].replace("2024-05-06", "9999-05-06")
    pts[50] = pts[50].replace("2024-05-06", "0001-05-06")
    pts[60] = pts[60].replace("<gpxtpx:hr>150", "<gpxtpx:hr>inf")
    (a,) = parse_gpx(gpx([pts], types=("running",)), "damaged.gpx")
    values = [a.distance_m, a.timer_s, a.elapsed_s, a.avg_hr_bpm, a.max_hr_bpm, a.elevation_gain_m]
    assert all(v is not None and math.isfinite(v) for v in values)
    assert a.elapsed_s == pytest.approx(299) and a.elevation_gain_m == pytest.approx(0)
    assert a.distance_m == pytest.approx(10 / 3.6 * 299, rel=1e-3)
    text = " | ".join(a.warnings)
    assert "1 impossible position value ignored" in text and "2 impossible elevation values ignored" in text
    assert "2 impossible time values ignored" in text and "1 impossible heart rate value ignored" in text


def test_only_impossible_times_cannot_be_placed_on_a_day() -> None:
    pts = [point(f"9999-05-06T07:00:{i:02d}Z", 59.3 + i * 1e-4) for i in range(30)]
    with pytest.raises(IngestError, match="no usable timestamps"):
        parse_gpx(gpx([pts]), "future.gpx")


def test_utf16_with_a_byte_order_mark_reads() -> None:
    text = gpx([steady(T0, 10, 5)], types=("running",)).decode().replace('encoding="UTF-8"', 'encoding="UTF-16"')
    for codec in ("utf-16", "utf-16-be"):
        data = (b"\xfe\xff" if codec == "utf-16-be" else b"") + text.encode(codec)
        (a,) = parse_gpx(data, "utf16.gpx")
        assert a.start_utc == T0 and a.distance_m == pytest.approx(10 / 3.6 * 299, rel=1e-3)
        assert read_gpx_gpxpy(data, "utf16.gpx").segments[0].t[0] == T0.timestamp()


def test_latin1_names_read() -> None:
    data = gpx([steady(T0, 10, 2)], names=("Lauf um den Baldeneysee \u00e4",)).decode().replace(
        'encoding="UTF-8"', 'encoding="ISO-8859-1"').encode("latin-1")
    (a,) = parse_gpx(data, "latin1.gpx")
    assert a.name == "Lauf um den Baldeneysee \u00e4"


def test_deep_nesting_in_extensions_reads_without_recursion() -> None:
    deep = "<x:e>" * 150_000 + "</x:e>" * 150_000
    pts = steady(T0, 10, 2)
    pts[3] = pts[3].replace("</trkpt>", f'<extensions xmlns:x="urn:x">{deep}</extensions></trkpt>')
    (a,) = parse_gpx(gpx([pts], types=("running",)), "deep.gpx")
    assert a.distance_m == pytest.approx(10 / 3.6 * 119, rel=1e-3)
    with pytest.raises(IngestError, match="nested more than"):
        read_gpx_gpxpy(gpx([pts]), "deep.gpx")  # the tree-building reference refuses, it does not crash


@pytest.mark.slow  # 150,000 nested elements through the importer
def test_deep_file_beside_a_good_one_never_stops_an_import(cli, athlete: str, tmp_path: Path) -> None:
    deep = b'<?xml version="1.0"?><gpx xmlns="http://www.topografix.com/GPX/1/1"><metadata>' + (
        b"<extensions>" + b"<e>" * 200_000 + b"</e>" * 200_000 + b"</extensions>") + b"</metadata></gpx>"
    for i in range(6):
        (tmp_path / f"deep{i}.gpx").write_bytes(deep)
    (tmp_path / "good.gpx").write_bytes(gpx([steady(T0, 10, 5)], types=("running",)))
    for j in range(3):
        (tmp_path / f"good{j}.gpx").write_bytes(gpx([steady(T0 + timedelta(days=j + 1), 10, 5)], types=("running",)))
    r = cli("import", "--athlete", athlete, str(tmp_path), "--json", "--workers", "2")
    out = json.loads(r.output)
    assert r.exit_code == 1 and out["imported"] == 4
    assert sorted(Path(f["file"]).name for f in out["failed"]) == [f"deep{i}.gpx" for i in range(6)]
    assert {f["reason"] for f in out["failed"]} == {"no track points"}


def test_entities_and_external_references_are_refused() -> None:
    for data in (
        b'<?xml version="1.0"?><!DOCTYPE gpx [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><gpx>&b;</gpx>',
        b'<?xml version="1.0"?><!DOCTYPE gpx [<!ENTITY x SYSTEM "file:///etc/passwd">]><gpx>&x;</gpx>',
        b'<?xml version="1.0"?><!DOCTYPE gpx [<!ENTITY % p SYSTEM "http://example.org/x.dtd"> %p;]><gpx/>',
        b'<?xml version="1.0"?><!DOCTYPE gpx [<!ENTITY n SYSTEM "x" NDATA png>]><gpx/>',
    ):
        with pytest.raises(IngestError, match="unsafe XML refused"):
            parse_gpx(data, "evil.gpx")


def test_an_external_dtd_is_never_read(tmp_path: Path) -> None:
    dtd = tmp_path / "evil.dtd"
    dtd.write_text('<!ENTITY x "FETCHED">', encoding="utf-8")
    data = (f'<?xml version="1.0"?><!DOCTYPE gpx SYSTEM "{dtd.as_uri()}">'
            '<gpx xmlns="http://www.topografix.com/GPX/1/1"><trk><name>&x;</name><trkseg>'
            + "".join(steady(T0, 10, 1, hr=None)) + "</trkseg></trk></gpx>").encode()
    (a,) = parse_gpx(data, "ext-dtd.gpx")
    assert a.name is None  # the reference stays unexpanded: nothing was read from the DTD


def test_not_a_gpx_file_says_so() -> None:
    with pytest.raises(IngestError, match=r"not a GPX file: its root element is <kml>"):
        parse_gpx(b'<?xml version="1.0"?><kml xmlns="http://www.opengis.net/kml/2.2"/>', "x.gpx")


# ---------------------------------------------------------------- sport from speed
def test_ride_at_17_6_kmh_is_not_a_run() -> None:
    # a real ride: 17.6 km/h average, 25 km/h at the 95th percentile, no <type> (over the
    # 9.5 waves of an hour the average is 17.8 km/h)
    i = np.arange(3600)
    kmh = 17.6 + 7.6 * np.sin(i / 60.0)
    (a,) = parse_gpx(gpx([moving(T0, kmh)]), "ride.gpx")
    assert a.sport is Sport.CYCLING and a.sport_inferred
    (w,) = [w for w in a.warnings if w.startswith("no sport in the file")]
    assert "not running (speed of a ride: average 17.8 km/h, 95th percentile 25.1 km/h)" in w
    assert "runload activity set-sport" in w


def test_cross_country_ski_is_not_a_run() -> None:
    # 8.5 km/h on average: flats at 10, climbs at 5, descents at 20-22 km/h for a fifth of the time
    kmh = ([10.0] * 90 + [5.0] * 90 + [21.0] * 45) * 16
    (a,) = parse_gpx(gpx([moving(T0, kmh)]), "ski.gpx")
    assert a.sport is not Sport.RUNNING
    assert any("not running (speeds swing like a ride's or on skis" in w for w in a.warnings)


def test_interval_run_and_mountain_run_stay_runs() -> None:
    intervals = [9.0] * 600 + ([16.0] * 120 + [8.0] * 120) * 8 + [9.0] * 600
    (a,) = parse_gpx(gpx([moving(T0, intervals)]), "intervals.gpx")
    assert a.sport is Sport.RUNNING and any("inferred running" in w for w in a.warnings)
    # up at 5 km/h, down at 14 km/h, climbing 60 m per km
    up, down = [5.0] * 600, [14.0] * 240
    ele = list(np.concatenate([np.linspace(0, 50, 600), np.linspace(50, 0, 240)] * 4))
    (b,) = parse_gpx(gpx([moving(T0, (up + down) * 4, ele=ele)]), "mountain.gpx")
    assert b.sport is Sport.RUNNING


def test_coasting_cadence_says_ride() -> None:
    # 16 km/h is a fast run's speed, but the cadence stops for a third of the time: coasting
    cad = ([85] * 40 + [0] * 20) * 40
    (a,) = parse_gpx(gpx([moving(T0, [16.0] * 2400, cad=cad)]), "commute.gpx")
    assert a.sport is Sport.CYCLING
    assert any("as when coasting on a bike" in w for w in a.warnings)


def test_walk_and_hike() -> None:
    (walk,) = parse_gpx(gpx([steady(T0, 5, 30)]), "walk.gpx")
    assert walk.sport is Sport.WALKING
    ele = list(np.linspace(0, 400, 30 * 60))  # 400 m up in 2.5 km
    (hike,) = parse_gpx(gpx([steady(T0, 5, 30, ele=ele)]), "hike.gpx")
    assert hike.sport is Sport.HIKING


def test_labelled_run_at_bike_speed_keeps_its_label_with_a_warning() -> None:
    (a,) = parse_gpx(gpx([steady(T0, 28, 30)], types=("running",)), "fast.gpx")
    assert a.sport is Sport.RUNNING and not a.sport_inferred
    assert any(w.startswith("labelled running, but moves at the speed of a ride (average 28.0 km/h")
               for w in a.warnings)
    (b,) = parse_gpx(gpx([steady(T0, 11, 30)], types=("running",)), "ok.gpx")
    assert b.warnings == ()


def test_extension_names_in_any_capitalisation():
    """Heart rate and cadence are found by name in any capitalisation and namespace, as apps
    spell them (hr, HR, heartRate, hEartRaTe...), the same as the reference reader finds them."""
    points = "".join(
        f'<trkpt lat="1.{i:03d}" lon="2"><time>2026-01-01T10:00:{i * 10:02d}Z</time><extensions><e:TPX>'
        f"<e:{hr}>{140 + i}</e:{hr}><e:{cad}>{88 + i}</e:{cad}></e:TPX></extensions></trkpt>"
        for i, (hr, cad) in enumerate([("hr", "cad"), ("HeartRate", "Cadence"), ("hEartRaTe", "CaDence")]))
    data = ('<?xml version="1.0"?><gpx xmlns="http://www.topografix.com/GPX/1/1" xmlns:e="urn:x" '
            f'version="1.1"><trk><trkseg>{points}</trkseg></trk></gpx>').encode()
    seg = read_gpx(data, "case.gpx").segments[0]
    assert list(seg.hr) == [140.0, 141.0, 142.0]
    assert list(seg.cad) == [88.0, 89.0, 90.0]
    assert list(read_gpx_gpxpy(data, "case.gpx").segments[0].hr) == list(seg.hr)
