"""Hostile input and faults at import: one bad file (or one that is not what its name says) never
stops an import, a dead worker fails one file, nothing outside the physical bounds is stored, and
no series stretches across millennia."""

from __future__ import annotations

import faulthandler
import gzip
import io
import math
import multiprocessing
import os
import signal
import sqlite3
import tempfile
import zipfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from runload import bounds
from runload.ingest import import_paths
from runload.models import Activity, Lap, Sport
from runload.store import Store
from builders import T0, fit_run, gpx_run, raw_zip
from checks import DEAD, assert_all_within_bounds, stored_rows, strict_json

pytestmark = pytest.mark.slow  # hostile files through the importer and its workers

# ---------------------------------------------------------------- files to feed it
def tcx(start: str = "2024-05-06T07:00:00Z", total_time: str = "1800", distance: str = "5000",
        points: int = 30, point_start: datetime | None = None, sport: str = "Running") -> bytes:
    """A TCX run: one lap with the given TotalTimeSeconds and DistanceMeters (as text), and
    ``points`` track points a minute apart from ``point_start`` (default: the start)."""
    t = point_start or datetime.fromisoformat(start.replace("Z", "+00:00"))
    tps = "".join(
        f"<Trackpoint><Time>{(t + timedelta(minutes=i)).strftime('%Y-%m-%dT%H:%M:%SZ')}</Time>"
        f"<DistanceMeters>{i * 166}</DistanceMeters><HeartRateBpm><Value>150</Value></HeartRateBpm></Trackpoint>"
        for i in range(points))
    track = f"<Track>{tps}</Track>" if points else ""
    return (f'<?xml version="1.0" encoding="UTF-8"?><TrainingCenterDatabase '
            f'xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2"><Activities>'
            f'<Activity Sport="{sport}"><Id>{start}</Id><Lap StartTime="{start}">'
            f'<TotalTimeSeconds>{total_time}</TotalTimeSeconds><DistanceMeters>{distance}</DistanceMeters>'
            f'{track}</Lap></Activity></Activities></TrainingCenterDatabase>').encode()


def fit_session(start: datetime, distance_m: float, elapsed_s: float, sport: str = "running") -> bytes:
    """A FIT file whose session says ``distance_m`` in ``elapsed_s`` (a few records, no more)."""
    from fit_tool.fit_file_builder import FitFileBuilder
    from fit_tool.profile.messages.file_id_message import FileIdMessage
    from fit_tool.profile.messages.record_message import RecordMessage
    from fit_tool.profile.messages.session_message import SessionMessage
    from fit_tool.profile.profile_type import FileType, Manufacturer, Sport as FSport

    ms = int(start.timestamp() * 1000)
    b = FitFileBuilder(auto_define=True)
    m = FileIdMessage()
    m.type, m.manufacturer, m.product, m.time_created = FileType.ACTIVITY, Manufacturer.GARMIN.value, 2691, ms
    b.add(m)
    for i in range(5):
        r = RecordMessage()
        r.timestamp, r.distance, r.heart_rate = ms + i * 1000, i * 3.0, 140
        b.add(r)
    s = SessionMessage()
    s.timestamp, s.start_time, s.total_elapsed_time, s.total_timer_time = ms + int(elapsed_s * 1000), ms, elapsed_s, elapsed_s
    s.total_distance, s.sport = distance_m, getattr(FSport, sport.upper())
    b.add(s)
    return b.build().to_bytes()


def import_json(cli, athlete: str, *paths: Path, workers: str | None = None) -> tuple[int, dict]:
    args = ["import", "--athlete", athlete, *map(str, paths), "--json"]
    if workers:
        args += ["--workers", workers]
    r = cli(*args)
    assert "Traceback" not in r.output
    return r.exit_code, strict_json(r.output)  # type: ignore[return-value]


def reasons(out: dict) -> dict[str, str]:
    return {Path(f["file"]).name: f["reason"] for f in out["failed"]}


# ---------------------------------------------------------------- overflowing numbers and years
@pytest.mark.parametrize("value", ["inf", "nan", "1e15", "-1e15", "1e308"])
def test_tcx_total_time_that_is_not_a_duration_is_dropped_not_fatal(cli, athlete, tmp_path, value):
    """With no track points the lap time is the elapsed time too: 1e15 s used to overflow the
    writer's end time and stop the import with a traceback."""
    for week, points in enumerate((0, 30)):
        folder = tmp_path / f"p{points}"
        folder.mkdir()
        start = T0 + timedelta(weeks=week)
        (folder / "a-bad.tcx").write_bytes(tcx(start=start.strftime("%Y-%m-%dT%H:%M:%SZ"), total_time=value,
                                               points=points))
        (folder / "b-good.gpx").write_bytes(gpx_run(start + timedelta(days=1), sport="running"))
        code, out = import_json(cli, athlete, folder)
        assert code == 0, out  # the value is dropped with a warning; the run itself is fine
        assert out["imported"] == 2
        # the reader ignores the impossible lap time (or the store's door drops it), with a warning
        assert any(("dropped" in w["warning"] or "ignored" in w["warning"]) and w["file"].endswith("a-bad.tcx")
                   for w in out["warnings"]), out
        again = import_json(cli, athlete, folder)  # and again: nothing new, no traceback
        assert again == (0, {**out, "import_id": out["import_id"] + 1, "imported": 0, "activities": 0, "skipped": 2, "warnings": []})
    assert_all_within_bounds(tmp_path / "store.sqlite")
    weeks = strict_json(cli("weeks", "--athlete", athlete, "--format", "json").output)
    assert weeks and all(math.isfinite(w["duration_s"]) for w in weeks)


@pytest.mark.parametrize("year", ["9999", "0001", "1900", "2117"])
def test_gpx_and_tcx_dated_outside_the_bounds_fail_alone(cli, athlete, tmp_path, year):
    (tmp_path / "a-odd.tcx").write_bytes(tcx(start=f"{year}-05-06T07:00:00Z"))
    gpx = gpx_run(T0).replace(b"2024-05-06T", f"{year}-05-06T".encode())
    (tmp_path / "b-odd.gpx").write_bytes(gpx)
    (tmp_path / "c-good.fit").write_bytes(fit_run(T0 + timedelta(days=2)))
    code, out = import_json(cli, athlete, tmp_path)
    assert code == 1 and out["imported"] == 1, out
    why = reasons(out)
    assert set(why) == {"a-odd.tcx", "b-odd.gpx"}
    # either the reader finds no usable time in it, or the store's door refuses the date
    word = "before 1990" if int(year) < 1990 else "in the future"
    assert all(f"starts on {year}-05-06, {word}" in r or "are impossible, such as year" in r
               for r in why.values()), why
    assert all("Error" not in r for r in why.values())
    assert [a.source_file.rsplit("/", 1)[-1] for a in assert_all_within_bounds(tmp_path / "store.sqlite")] == ["c-good.fit"]


def test_one_point_dated_9999_inside_a_normal_track_never_overflows(cli, athlete, tmp_path):
    gpx = gpx_run(T0).replace(b"2024-05-06T07:05:00Z", b"9999-05-06T07:05:00Z")
    (tmp_path / "a.gpx").write_bytes(gpx)
    (tmp_path / "b.fit").write_bytes(fit_run(T0 + timedelta(days=1)))
    code, out = import_json(cli, athlete, tmp_path)
    assert code in (0, 1) and out["activities"] >= 1
    assert "b.fit" not in reasons(out)
    assert_all_within_bounds(tmp_path / "store.sqlite")


# ---------------------------------------------------------------- NaN coordinates
def test_nan_latitude_fails_the_file_not_the_store(cli, athlete, tmp_path, store_path):
    gpx = gpx_run(T0, sport="running").replace(b'lat="59.3000270"', b'lat="NaN"', 1)
    assert b'lat="NaN"' in gpx
    (tmp_path / "a-nan.gpx").write_bytes(gpx)
    (tmp_path / "b-good.fit").write_bytes(fit_run(T0 + timedelta(days=1)))
    code, out = import_json(cli, athlete, tmp_path)
    assert code in (0, 1), out  # a reader that skips the point imports it; else the file fails alone
    assert "b-good.fit" not in reasons(out) and out["activities"] >= 1
    if code == 1:
        assert reasons(out) == {"a-nan.gpx": "its distance is not a number: the file is damaged; not imported"}
    r = cli("athlete", "list")
    assert r.exit_code == 0  # the store is fine
    assert_all_within_bounds(store_path)


# ---------------------------------------------------------------- zip directories zipfile refuses
ZIP_CASES = {
    "empty name": ([(b"", b"x", 0, 20)], "!", "an archive member without a name: not read"),
    "version 8.4": ([(b"v84.fit", b"x", 0, 84)], "!v84.fit", "needs zip version 8.4 to unpack"),
    "UTF-8 flag on Latin-1": ([(b"caf\xe9.fit", b"x", 0x800, 20)], "!caf\\xe9.fit", "marked as UTF-8 but is not"),
}


@pytest.mark.parametrize("case", list(ZIP_CASES))
@pytest.mark.parametrize("nested", [False, True], ids=["loose", "nested"])
def test_odd_zip_members_fail_alone(cli, athlete, tmp_path, case, nested):
    bad, suffix, why = ZIP_CASES[case]
    good = fit_run(T0)
    archive = raw_zip([*bad, (b"good.fit", good, 0, 20)])
    if nested:
        archive = raw_zip([(b"inner.zip", archive, 0, 20), (b"other.gpx", gpx_run(T0 + timedelta(days=1)), 0, 20)])
    (tmp_path / "export.zip").write_bytes(archive)
    code, out = import_json(cli, athlete, tmp_path / "export.zip")
    assert code == 1, out
    (failed,) = out["failed"]
    label = str(tmp_path / "export.zip") + ("!inner.zip" if nested else "")
    assert failed["file"] == label + suffix and why in failed["reason"], failed
    assert out["imported"] == (2 if nested else 1)
    again = import_json(cli, athlete, tmp_path / "export.zip")[1]  # the archive is not remembered as done
    assert again["failed"] == out["failed"] and again["skipped"] == out["imported"]


def test_damaged_archives_and_members_say_why_in_words(cli, athlete, tmp_path):
    good = fit_run(T0)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("a.fit", good)
        z.writestr("b.gpx", gpx_run(T0 + timedelta(days=1)))
    data = bytearray(buf.getvalue())
    (tmp_path / "cut.zip").write_bytes(bytes(data[: len(data) // 2]))  # no directory at all
    i = data.find(b"PK\x03\x04", 10)  # the second member's data, corrupted
    data[i + 60:i + 80] = b"\0" * 20
    (tmp_path / "crc.zip").write_bytes(bytes(data))
    code, out = import_json(cli, athlete, tmp_path / "cut.zip", tmp_path / "crc.zip")
    assert code == 1
    why = {f["file"].replace(str(tmp_path) + "/", ""): f["reason"] for f in out["failed"]}
    assert why["cut.zip"] == "not a readable zip archive (damaged, cut short, or not a zip)"
    assert why["crc.zip!b.gpx"].startswith("the archive member is damaged"), why
    assert all("Error" not in r and "Bad" not in r for r in why.values()), why
    assert out["imported"] == 1


# ---------------------------------------------------------------- a dead worker fails one file
@pytest.mark.slow  # worker processes
@pytest.mark.skipif(multiprocessing.get_start_method() != "fork", reason="needs forked workers to patch the reader")
@pytest.mark.parametrize("workers", [1, 2])
def test_a_worker_that_dies_fails_one_file_and_the_import_goes_on(tmp_path, athlete, store_path, monkeypatch, workers):
    import runload.ingest.pool as ingest

    real = ingest.parse_source

    def crashing(kind: str, data: bytes, name: str, *rest):  # a reader segfaulting on one file
        if "crash" in name:
            faulthandler.disable()  # the worker dies quietly: no dump of its threads in the test output
            os.kill(os.getpid(), signal.SIGSEGV)
        return real(kind, data, name, *rest)

    monkeypatch.setattr(ingest, "parse_source", crashing)
    for i in range(12):
        (tmp_path / f"{i:02d}.fit").write_bytes(fit_run(T0 + timedelta(days=i), minutes=2))
    (tmp_path / "05-crash.fit").write_bytes(fit_run(T0 + timedelta(days=30), minutes=2))
    (tmp_path / "09-crash.gpx").write_bytes(gpx_run(T0 + timedelta(days=31)))
    with Store.open(store_path) as store:
        summary = import_paths(store, athlete, [tmp_path], workers=workers)
        assert {Path(f["file"]).name for f in summary.failed} == {"05-crash.fit", "09-crash.gpx"}
        assert all(f["reason"].startswith(DEAD) for f in summary.failed)
        assert len(summary.imported) == 12 and store.activity_count(athlete) == 12


@pytest.mark.slow  # worker processes
@pytest.mark.skipif(multiprocessing.get_start_method() != "fork", reason="needs forked workers to patch the reader")
def test_files_read_several_to_a_task_come_back_in_order_and_a_crash_names_its_file(tmp_path, athlete, store_path,
                                                                                   monkeypatch):
    """Files on disk go to the workers a few to a task (here three, a window of twelve): an
    archive's members between them go alone, a file the walk cannot read fails in its place, and
    a worker dying on one file of a task fails that file alone; the rest are stored, in order."""
    import runload.ingest.pool as ingest

    real = ingest.parse_source

    def crashing(kind: str, data: bytes, name: str, *rest):
        if "crash" in name:
            faulthandler.disable()
            os.kill(os.getpid(), signal.SIGSEGV)
        return real(kind, data, name, *rest)

    monkeypatch.setattr(ingest, "parse_source", crashing)
    monkeypatch.setattr(ingest, "_FILES_PER_TASK", 3)
    for i in range(20):
        (tmp_path / f"{i:02d}.fit").write_bytes(fit_run(T0 + timedelta(days=i), minutes=2))
    (tmp_path / "13-crash.fit").write_bytes(fit_run(T0 + timedelta(days=40), minutes=2))
    with zipfile.ZipFile(tmp_path / "07-members.zip", "w") as zf:
        for k in range(3):
            zf.writestr(f"m{k}.gpx", gpx_run(T0 + timedelta(days=50 + k)))
    os.mkfifo(tmp_path / "11-pipe.fit")
    with Store.open(store_path) as store:
        summary = import_paths(store, athlete, [tmp_path], workers=2)
        assert [Path(f["file"]).name for f in summary.failed] == ["11-pipe.fit", "13-crash.fit"]
        assert summary.failed[1]["reason"].startswith(DEAD)
        names = [Path(n).name for n in summary.imported]
        assert names == sorted(names) and len(names) == 23, names
        assert store.activity_count(athlete) == 23


@pytest.mark.skipif(multiprocessing.get_start_method() != "fork" or not Path("/proc/self/status").exists(),
                    reason="the worker memory budget is Linux's RLIMIT_DATA; the patch needs forked workers")
@pytest.mark.slow  # worker processes
def test_a_reader_that_needs_too_much_memory_fails_that_file(tmp_path, athlete, store_path, monkeypatch):
    import runload.ingest.pool as ingest

    real = ingest.parse_source

    def hungry(kind: str, data: bytes, name: str, *rest):
        if "hog" in name:
            bytearray(ingest.WORKER_MEMORY_BYTES + 64 * 2**20)  # a reader holding far too much
        return real(kind, data, name, *rest)

    monkeypatch.setattr(ingest, "parse_source", hungry)
    (tmp_path / "a-hog.fit").write_bytes(fit_run(T0 + timedelta(days=1), minutes=2))
    (tmp_path / "b.fit").write_bytes(fit_run(T0, minutes=2))
    with Store.open(store_path) as store:
        summary = import_paths(store, athlete, [tmp_path], workers=1)
    assert summary.failed == [{"file": str(tmp_path / "a-hog.fit"),
                               "reason": "needs more memory than runload gives one file (256 MB) to read: not read"}]
    assert len(summary.imported) == 1


@pytest.mark.slow  # worker processes
def test_deeply_nested_gpx_never_stops_the_import(cli, athlete, tmp_path):
    """150,000 nested elements in <extensions> crashed the reader's process (a C stack overflow):
    now the worker's death fails that file, or a reader without recursion reads it."""
    n = 150_000
    deep = (b'<?xml version="1.0"?><gpx version="1.1" creator="x" xmlns="http://www.topografix.com/GPX/1/1">'
            b'<trk><trkseg><trkpt lat="59.3" lon="18.0"><time>2024-05-06T07:00:00Z</time><extensions>'
            + b"<a>" * n + b"</a>" * n +
            b'</extensions></trkpt><trkpt lat="59.31" lon="18.0"><time>2024-05-06T07:05:00Z</time></trkpt>'
            b"</trkseg></trk></gpx>")
    (tmp_path / "a-deep.gpx").write_bytes(deep)
    (tmp_path / "b-good.fit").write_bytes(fit_run(T0 + timedelta(days=1)))
    code, out = import_json(cli, athlete, tmp_path)
    assert code in (0, 1) and "b-good.fit" not in reasons(out) and out["activities"] >= 1, out
    if code == 1:
        assert list(reasons(out)) == ["a-deep.gpx"] and "Error" not in reasons(out)["a-deep.gpx"]


# ---------------------------------------------------------------- nothing impossible stored
def test_impossible_fit_runs_are_refused_or_not_counted(cli, athlete, tmp_path, store_path):
    files = {
        "a-42949km-57s.fit": fit_session(T0, 42_949_000.0, 57.0),  # refused: beyond anything
        "b-2117.fit": fit_session(datetime(2117, 5, 6, tzinfo=timezone.utc), 10_000.0, 3000.0),  # refused
        "c-42km-1min.fit": fit_session(T0 + timedelta(days=1), 42_195.0, 60.0),  # 2,531 km/h: refused
        "c-42km-10min.fit": fit_session(T0 + timedelta(days=6), 42_195.0, 600.0),  # 253 km/h: a train, not a run
        "d-marathon-1h.fit": fit_session(T0 + timedelta(days=2), 42_195.0, 3600.0),  # 42 km/h: no runner
        "e-good.fit": fit_session(T0 + timedelta(days=3), 10_000.0, 3000.0),
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    (tmp_path / "f-negative-elapsed.tcx").write_bytes(  # points 34 years before the start: elapsed < 0
        tcx(start="2024-05-10T07:00:00Z", point_start=datetime(1990, 5, 10, tzinfo=timezone.utc)))
    (tmp_path / "g-infinite.tcx").write_bytes(tcx(start="2024-05-11T07:00:00Z", distance="inf", points=0))
    code, out = import_json(cli, athlete, tmp_path)
    assert code == 1
    why = reasons(out)
    assert {"b-2117.fit", "c-42km-1min.fit"} <= set(why), why
    assert set(why) <= {"a-42949km-57s.fit", "b-2117.fit", "c-42km-1min.fit", "g-infinite.tcx"}, why
    warn = {Path(w["file"]).name: w["warning"] for w in out["warnings"]}
    # an impossible total distance is refused at the store's door, or ignored by the reader
    assert ("42,949 km is more than anything covers" in why.get("a-42949km-57s.fit", "")
            or "impossible total distance" in warn.get("a-42949km-57s.fit", ""))
    assert (why.get("g-infinite.tcx", "").startswith("its distance is infinite")
            or "impossible lap distance" in warn.get("g-infinite.tcx", ""))
    assert "2117" in why["b-2117.fit"]
    assert "faster than any vehicle" in why["c-42km-1min.fit"]
    assert "faster than the world record for that distance: not counted as running" in warn["d-marathon-1h.fit"]
    assert "not counted as running" in warn["c-42km-10min.fit"]
    # points 34 years before the file's own start: the reader dates the run by its track, so no
    # elapsed time is negative (assert_all_within_bounds below checks every stored row)
    rows = assert_all_within_bounds(store_path)
    runs = {Path(a.source_file).name for a in rows if a.is_run and a.distance_m > 0}
    assert "e-good.fit" in runs and not runs & {"c-42km-10min.fit", "d-marathon-1h.fit", "g-infinite.tcx"}
    assert all(a.elapsed_s is None or a.elapsed_s >= 0 for a in rows)
    assert {a.sport for a in rows if "42km" in a.source_file or "marathon" in a.source_file} == {Sport.UNKNOWN}
    weeks = strict_json(cli("weeks", "--athlete", athlete, "--format", "json").output)
    assert all(math.isfinite(w["distance_km"]) for w in weeks)


def test_impossible_heart_rate_and_cadence_are_dropped_with_a_warning(tmp_path, athlete, store_path, monkeypatch):
    from runload.ingest import fit as fitmod

    real = fitmod.parse_fit

    def odd(data: bytes, name: str, **kw):
        from dataclasses import replace
        (a,) = real(data, name, **kw)
        lap = Lap(a.start_utc, float("nan"), -3.0, avg_hr_bpm=900.0)
        return [replace(a, avg_hr_bpm=900.0, max_hr_bpm=float("inf"), avg_cadence_spm=0.0, elevation_gain_m=-5.0,
                        laps=(lap,), hr_zone_s={140: 100.0, 900: 5.0}, name="x" * 100_000, device="d" * 5000)]

    monkeypatch.setattr(fitmod, "parse_fit", odd)
    (tmp_path / "odd.fit").write_bytes(fit_run(T0))
    with Store.open(store_path) as store:
        summary = import_paths(store, athlete, [tmp_path / "odd.fit"], workers=0)
        (a,) = store.activities(athlete)
    assert not summary.failed and a.is_run
    assert (a.avg_hr_bpm, a.max_hr_bpm, a.avg_cadence_spm, a.elevation_gain_m) == (None, None, None, None)
    assert a.laps == (Lap(a.start_utc, None, None),) and a.hr_zone_s == {140: 100.0}
    assert len(a.name) == bounds.MAX_NAME_CHARS and a.name.endswith("\u2026") and len(a.device) == 100
    text = " | ".join(w["warning"] for w in summary.warnings)
    assert "average heart rate (900) is outside what a body or a watch records: dropped" in text
    assert "some lap values were outside physical bounds" in text and "heart-rate time" in text


def test_the_store_refuses_what_the_bounds_refuse(store_path, athlete):
    with Store.open(store_path) as store, store.atomic() as conn:
        for bad in (Activity(datetime(9019, 1, 1, tzinfo=timezone.utc), Sport.RUNNING, 5000.0, timer_s=1500),
                    Activity(T0, Sport.RUNNING, float("inf"), timer_s=1500),
                    Activity(T0, Sport.RUNNING, 5000.0, timer_s=-1.0)):
            with pytest.raises(Exception, match="activity not stored"):
                store.insert_activity(conn, athlete, bad)
        store.insert_activity(conn, athlete, Activity(T0, Sport.RUNNING, 5000.0, timer_s=1500))


# ---------------------------------------------------------------- a store already holding such rows
def test_rows_an_older_runload_stored_outside_the_bounds_are_ignored(cli, athlete, store_path, tmp_path):
    (tmp_path / "run.fit").write_bytes(fit_run(T0, minutes=30))
    assert cli("import", "--athlete", athlete, str(tmp_path / "run.fit")).exit_code == 0
    with sqlite3.connect(store_path) as conn:
        for start, dist, timer in (("9019-05-06T07:00:00.000+00:00", 5000.0, 1500.0),
                                   ("0001-01-01T07:00:00.000+00:00", 5000.0, 1500.0),
                                   ("2024-05-07T07:00:00.000+00:00", float("inf"), 1500.0),
                                   ("2024-05-08T07:00:00.000+00:00", 42195.0, 60.0)):
            conn.execute("INSERT INTO activities (athlete_id, start_utc, end_utc, sport, distance_m, timer_s, "
                         "imported_utc) VALUES (?, ?, ?, 'running', ?, ?, '2024-01-01')", (athlete, start, start, dist, timer))
    weeks = strict_json(cli("weeks", "--athlete", athlete, "--format", "json").output)
    assert [w["week_start"] for w in weeks] == ["2024-05-06"] and weeks[0]["distance_km"] == pytest.approx(5.4)
    listed = strict_json(cli("activity", "list", "--athlete", athlete, "--json").output)
    assert len(listed) == 1
    for args in (["check", "--athlete", athlete, "--format", "json"],
                 ["report", "--athlete", athlete, "--format", "json"]):
        r = cli(*args)
        assert r.exit_code == 0, r.output
        strict_json(r.output)
    assert len(stored_rows(store_path)) == 5  # nothing stored is lost: the rows are only not used


def test_plausible_activity_is_what_readers_call():
    ok = Activity(T0, Sport.RUNNING, 10_000.0, timer_s=3000.0)
    assert bounds.plausible_activity(ok) is None and bounds.within_bounds(ok)
    assert "in the future" in bounds.plausible_activity(ok.__class__(datetime(9019, 1, 1, tzinfo=timezone.utc),
                                                                       Sport.RUNNING, 1.0))
    assert bounds.plausible_activity(Activity(T0, Sport.RUNNING, float("nan"))) is not None
    # a "run" at 42 km/h can be used, but is not stored as running (unless a person says so)
    fast = Activity(T0, Sport.RUNNING, 42_195.0, timer_s=3600.0)
    assert bounds.plausible_activity(fast) is None and not bounds.within_bounds(fast)
    assert bounds.check_activity(fast).activity.sport is Sport.UNKNOWN
    assert bounds.check_activity(fast, relabel=False).activity.sport is Sport.RUNNING


# ---------------------------------------------------------------- the bounds themselves
def test_running_speed_bound_follows_the_world_records():
    """Hand-worked: the record pace for the distance (log-distance interpolation between records)
    times 1.25 for GPS error."""
    assert bounds.max_running_speed_mps(42_195) == pytest.approx(42_195 / 7235 * 1.25)  # 7.29 m/s
    assert bounds.max_running_speed_mps(50) == pytest.approx(100 / 9.58 * 1.25)  # sprints: Bolt's 100 m
    # 3000 m between 1500 m (7.282 m/s) and 5000 m (6.620 m/s): f = ln 2 / ln(10/3) = 0.5757
    v1500, v5000 = 1500 / 206.0, 5000 / 755.36
    f = math.log(2) / math.log(5000 / 1500)
    assert bounds.max_running_speed_mps(3000) == pytest.approx((v1500 + f * (v5000 - v1500)) * 1.25)
    assert 8.5 < bounds.max_running_speed_mps(3000) < 8.7  # the 3000 m record is 6.81 m/s
    now = datetime(2026, 12, 2, 12, tzinfo=timezone.utc)
    at = lambda km, minutes: bounds.check_activity(  # noqa: E731
        Activity(T0, Sport.RUNNING, km * 1000, timer_s=minutes * 60.0), now=now).activity
    assert at(10, 27).sport is Sport.RUNNING  # a world-class 10 km (the record is 26:11)
    assert at(10, 20).sport is Sport.UNKNOWN  # 30 km/h for 10 km: nobody
    assert at(0.158, 0.95).sport is Sport.RUNNING  # the real 158 m in 57 s
    assert at(600, 2800).sport is Sport.UNKNOWN  # 600 km is beyond two days of running


def test_dates_and_durations_at_the_edges():
    now = datetime(2026, 12, 2, 12, tzinfo=timezone.utc)
    check = lambda **kw: bounds.check_activity(Activity(**{"sport": Sport.RUNNING, "distance_m": 5000.0,  # noqa: E731
                                                           "start_utc": T0, **kw}), now=now)
    assert check(start_utc=datetime(1989, 12, 31, tzinfo=timezone.utc)).problem  # the FIT epoch: a zeroed clock
    assert check(start_utc=datetime(1990, 1, 1, tzinfo=timezone.utc)).problem is None
    assert check(start_utc=now + timedelta(hours=20)).problem is None  # tomorrow, in a zone ahead
    assert check(start_utc=now + timedelta(days=2)).problem
    kept = check(timer_s=1500.0, elapsed_s=2 * 86_400.0)
    assert kept.activity.elapsed_s is None and kept.activity.timer_s == 1500.0
    assert kept.notes == ("the elapsed time of 48.0 h is longer than two days: dropped",)
    dropped = check(timer_s=-5.0)  # and with its only time dropped, 5 km is not counted as running
    assert dropped.notes[0] == "the moving time of -5 s is negative: dropped"
    assert dropped.activity.sport is Sport.UNKNOWN and "5.00 km with no time" in dropped.notes[1]
    assert check(utc_offset_s=20 * 3600).activity.utc_offset_s is None


def test_checked_activities_pass_the_door_unchanged():
    odd = Activity(T0, Sport.CYCLING, 250_000.0, timer_s=3600.0, avg_hr_bpm=20.0, name="n" * 300,
                   warnings=tuple(f"w{i}" for i in range(80)))
    checked = bounds.check_activity(odd)
    assert checked.activity.sport is Sport.UNKNOWN  # 250 km/h is no bicycle
    assert bounds.within_bounds(checked.activity)
    assert bounds.check_activity(checked.activity).activity == checked.activity


# ---------------------------------------------------------------- content, not names
def test_files_are_read_by_their_content_not_their_names(cli, athlete, tmp_path):
    folder = tmp_path / "odd-names"
    folder.mkdir()
    (folder / "a-gzip-named.fit").write_bytes(gzip.compress(fit_run(T0)))
    (folder / "b-gpx-named.tcx").write_bytes(gpx_run(T0 + timedelta(days=1), sport="running"))
    (folder / "c-twice.tcx.gz.gz").write_bytes(gzip.compress(gzip.compress(tcx(start="2024-05-08T07:00:00Z"))))
    (folder / "d-plain-named.gpx.gz").write_bytes(gpx_run(T0 + timedelta(days=3), sport="running"))  # a browser unpacked it
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("inner.fit", fit_run(T0 + timedelta(days=4)))
    (folder / "e-zip-named.fit").write_bytes(buf.getvalue())
    (folder / "f-12345.gz").write_bytes(gzip.compress(fit_run(T0 + timedelta(days=5))))
    (folder / "g-log.gz").write_bytes(gzip.compress(b"not an activity\n"))
    (folder / "h-notes.json").write_text("{}", encoding="utf-8")
    code, out = import_json(cli, athlete, folder)
    assert code == 0, out
    assert out["imported"] == 6 and out["failed"] == []
    warn = {Path(w["file"]).name: w["warning"] for w in out["warnings"]}
    assert warn["b-gpx-named.tcx"] == "its name says TCX but it holds a GPX file: read as GPX"
    assert warn["g-log.gz"] == "not an activity file: its content is not FIT, GPX or TCX; not imported"
    with Store.open(tmp_path / "store.sqlite") as store:
        days = [a.start_utc.day for a in store.activities(athlete)]
    assert days == [6, 7, 8, 9, 10, 11]


def test_gzip_cut_short_keeps_what_it_holds(cli, athlete, tmp_path):
    packed = gzip.compress(fit_run(T0, minutes=20))
    (tmp_path / "cut.fit.gz").write_bytes(packed[: int(len(packed) * 0.7)])
    code, out = import_json(cli, athlete, tmp_path / "cut.fit.gz")
    assert code == 0 and out["activities"] == 1, out
    assert any(w["warning"].startswith("the gzip data is cut short: read the") for w in out["warnings"])
    (tmp_path / "nothing.fit.gz").write_bytes(packed[:12])
    code, out = import_json(cli, athlete, tmp_path / "nothing.fit.gz")
    assert code == 1 and out["failed"][0]["reason"] == "the gzip data is cut short: nothing could be unpacked"


def test_nothing_to_import_says_so_and_exits_1(cli, athlete, tmp_path):
    (tmp_path / "empty").mkdir()
    (tmp_path / "photos").mkdir()
    (tmp_path / "photos" / "a.jpg").write_bytes(b"\xff\xd8\xff")
    with zipfile.ZipFile(tmp_path / "json-only.zip", "w") as z:
        z.writestr("summary.json", "{}")
    for target in ("empty", "photos", "json-only.zip"):
        path = tmp_path / target
        r = cli("import", "--athlete", athlete, str(path))
        assert r.exit_code == 1, r.output
        assert r.output.splitlines()[-1] == f"  no activity files found in {path}", r.output
        out = strict_json(cli("import", "--athlete", athlete, str(path), "--json").output)
        assert out["failed"] == [{"file": str(path), "reason": f"no activity files found in {path}"}]
    (tmp_path / "notes.txt").write_text("hello", encoding="utf-8")
    code, out = import_json(cli, athlete, tmp_path / "notes.txt")
    assert code == 1 and reasons(out) == {"notes.txt": "not an activity file: its content is not FIT, GPX or TCX"}
    (tmp_path / "photos" / "run.fit").write_bytes(fit_run(T0))
    assert import_json(cli, athlete, tmp_path / "photos")[0] == 0
    assert import_json(cli, athlete, tmp_path / "photos")[0] == 0  # known files are not "nothing"


def test_a_file_named_twice_is_imported_once(cli, athlete, tmp_path):
    (tmp_path / "2024").mkdir()
    (tmp_path / "2024" / "run.fit").write_bytes(fit_run(T0))
    code, out = import_json(cli, athlete, tmp_path, tmp_path / "2024" / "run.fit", tmp_path / "2024", tmp_path)
    assert code == 0 and out["imported"] == 1 and out["duplicates"] == [] and out["failed"] == [], out


# ---------------------------------------------------------------- bounded memory (by construction)
def test_oversized_files_are_refused_before_they_are_read(cli, athlete, tmp_path):
    from runload.ingest.sniff import MAX_FIT_BYTES, MAX_MEMBER_BYTES

    huge = tmp_path / "huge.gpx"
    with open(huge, "wb") as fh:  # sparse: costs no disk and, if it were read, a lot of memory
        fh.truncate(MAX_MEMBER_BYTES + 1)
    big_fit = tmp_path / "big.fit"  # under the file cap, over the cap for FIT
    with open(big_fit, "wb") as fh:
        fh.write(fit_run(T0)[:14])
        fh.truncate(MAX_FIT_BYTES + 1)
    (tmp_path / "ok.fit").write_bytes(fit_run(T0 + timedelta(days=1)))
    code, out = import_json(cli, athlete, tmp_path)
    why = reasons(out)
    assert code == 1 and out["imported"] == 1
    assert why["huge.gpx"] == "is 64 MB, larger than any activity file (runload reads up to 64 MB); not read"
    assert why["big.fit"] == "is 32 MB of FIT, more than any activity file (runload reads up to 32 MB); not read"


def test_strava_csv_is_streamed_and_keeps_only_rows_for_its_files(tmp_path, athlete, store_path):
    from runload.ingest.stravacsv import strava_csv

    root = tmp_path / "export"
    (root / "activities").mkdir(parents=True)
    (root / "activities" / "7.fit.gz").write_bytes(gzip.compress(fit_run(T0, sport="generic")))
    rows = [f'{i},x,Run {i},Run,,{"y" * 200},activities/{i}.fit.gz\n' for i in range(50_000)]
    (root / "activities.csv").write_text("Activity ID,Date,Activity Name,Activity Type,Activity Gear,Description,"
                                         "Filename\n" + "".join(rows), encoding="utf-8")
    with open(root / "activities.csv", "rb") as fh:
        table = strava_csv(fh, "activities.csv", {"activities/7.fit.gz"})
    assert table == {"activities/7.fit.gz": table["activities/7.fit.gz"]} and table["activities/7.fit.gz"].name == "Run 7"
    with Store.open(store_path) as store:
        summary = import_paths(store, athlete, [root], workers=0)
        (a,) = store.activities(athlete)
    assert not summary.failed and a.name == "Run 7" and a.sport is Sport.RUNNING
    (root / "activities.csv").write_text('Filename,Activity Name\nactivities/7.fit.gz,"never closed\n' + "z\n" * 20_000,
                                         encoding="utf-8")
    with open(root / "activities.csv", "rb") as fh, pytest.raises(Exception, match="never ends"):
        strava_csv(fh, "activities.csv")


def test_nested_zips_are_read_one_at_a_time(tmp_path):
    """A nested archive is spooled to a temporary file and closed before the next one opens."""
    from runload.ingest import walk

    outer = io.BytesIO()
    with zipfile.ZipFile(outer, "w") as z:
        for i in range(3):
            inner = io.BytesIO()
            with zipfile.ZipFile(inner, "w") as zi:
                zi.writestr(f"run{i}.fit", fit_run(T0 + timedelta(days=i), minutes=1))
            z.writestr(f"part{i}.zip", inner.getvalue())
    (tmp_path / "export.zip").write_bytes(outer.getvalue())
    open_now: list[int] = []
    real = tempfile.TemporaryFile  # the walk imports tempfile when a zip in a zip is met
    alive: set[int] = set()

    def tracked(*a, **kw):
        fh = real(*a, **kw)
        alive.add(id(fh))
        close = fh.close

        def closing() -> None:
            alive.discard(id(fh))
            close()
        fh.close = closing
        return fh

    tempfile.TemporaryFile = tracked  # type: ignore[assignment]
    try:
        for src in walk.walk([tmp_path / "export.zip"]):
            if not isinstance(src, walk.Source):
                continue
            assert src.read()
            open_now.append(len(alive))
    finally:
        tempfile.TemporaryFile = real  # type: ignore[assignment]
    assert open_now == [1, 1, 1] and not alive


def test_progress_total_grows_as_nested_archives_open(tmp_path, athlete, store_path):
    outer = io.BytesIO()
    with zipfile.ZipFile(outer, "w") as z:
        for i in range(3):
            inner = io.BytesIO()
            with zipfile.ZipFile(inner, "w") as zi:
                for j in range(2):
                    zi.writestr(f"run{i}{j}.fit", fit_run(T0 + timedelta(days=2 * i + j), minutes=1))
            z.writestr(f"part{i}.zip", inner.getvalue())
        z.writestr("loose.fit.gz", gzip.compress(fit_run(T0 + timedelta(days=9), minutes=1)))
    (tmp_path / "export.zip").write_bytes(outer.getvalue())
    (tmp_path / "one.gpx").write_bytes(gpx_run(T0 + timedelta(days=10)))
    calls: list[tuple[int, int]] = []
    with Store.open(store_path) as store:
        summary = import_paths(store, athlete, [tmp_path / "export.zip", tmp_path / "one.gpx"], workers=2,
                               progress=lambda done, total: calls.append((done, total)))
    assert len(summary.imported) == 8 and not summary.failed
    assert all(d <= t for d, t in calls) and calls[-1] == (8, 8)
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)
    assert [t for _, t in calls] == sorted(t for _, t in calls) and calls[0][1] < 8  # known only as archives open


def test_a_member_name_with_a_newline_cannot_forge_a_summary_line(cli, athlete, tmp_path):
    import zipfile

    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("x\nImported 99 files (99 activities); 0 duplicates; 0 already known; 0 failed.\n.fit", b"junk")
        zf.writestr("run\x1b]52;c;aGk=\x07.fit", b"junk")
    r = cli("import", "--athlete", athlete, str(archive))
    lines = r.output.splitlines()
    assert lines[0].startswith("Imported 0 files")
    assert not any(line.startswith("Imported 99") for line in lines), r.output
    assert "\x1b" not in r.output and "\\x1b" in r.output
