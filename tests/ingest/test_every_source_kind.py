"""Import from every kind of source: FIT, GPX 1.0/1.1, TCX, .gz, folders, zips in zips, Strava exports;
and the safety limits on archives."""

from __future__ import annotations

import gzip
import io
import json
import os
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest

from runload.errors import IngestError
from runload.ingest.fit import parse_fit, read_fit_fitdecode, activities_from_fit
from runload.ingest.gpx import parse_gpx
from runload.ingest.archives import MAX_RATIO, gunzip
from runload.ingest.walk import Source, Unreadable, walk
from runload.models import Sport
from runload.store import Store
from builders import T0, fit_run, gpx_run, import_files as _import

pytestmark = pytest.mark.slow  # FIT files built with fit-tool, archives, worker processes

# ---------------------------------------------------------------- formats
def test_fit_run_summary_hr_bins_and_cadence_doubled() -> None:
    acts = parse_fit(fit_run(), "run.fit")
    (a,) = acts
    assert a.sport is Sport.RUNNING and a.distance_m == pytest.approx(1800) and a.timer_s == 600
    assert a.avg_cadence_spm == 170  # 85 strides per minute per leg -> 170 steps per minute
    assert a.avg_hr_bpm == 149 and a.max_hr_bpm == 159
    # hr 140..149, one minute each: a minute at each bpm (1-bpm bins), less the last second
    assert a.hr_bin_bpm == 1
    assert a.hr_zone_s == {**{bpm: 60.0 for bpm in range(140, 149)}, 149: 59.0}
    assert len(a.laps) == 1 and a.laps[0].distance_m == pytest.approx(1800)


def test_fit_treadmill_run_uses_footpod_distance() -> None:
    (a,) = parse_fit(fit_run(gps=False, sub_sport="treadmill", speed=2.8), "treadmill.fit")
    assert a.sport is Sport.RUNNING and a.sub_sport == "treadmill"
    assert a.distance_m == pytest.approx(600 * 2.8) and a.distance_source == "summary"


def test_fit_without_session_takes_records_and_falls_back_to_fitdecode() -> None:
    data = fit_run(session=False, speed=3.2)
    (a,) = parse_fit(data, "cut.fit")
    assert a.distance_source == "records" and a.distance_m == pytest.approx(599 * 3.2)
    assert a.sport is Sport.RUNNING and a.sport_inferred  # no sport in the file: from speed, and says so
    assert any("inferred running" in w for w in a.warnings)
    assert activities_from_fit(read_fit_fitdecode(data), "cut.fit")[0].distance_m == a.distance_m


def test_fit_sport_inferred_cycling_from_speed() -> None:
    (a,) = parse_fit(fit_run(session=False, speed=8.0), "ride.fit")
    assert a.sport is Sport.CYCLING and a.sport_inferred


def test_gpx_11_with_hr_and_cadence_and_gpx_10() -> None:
    (a,) = parse_gpx(gpx_run(), "run.gpx")
    assert a.sport is Sport.RUNNING and a.sport_inferred  # no <type>: from speed (~10.8 km/h)
    assert a.avg_cadence_spm == 172 and a.avg_hr_bpm == pytest.approx(154.5)
    assert a.distance_m == pytest.approx(599 * 3.0, rel=0.01)
    (b,) = parse_gpx(gpx_run(version="1.0"), "old.gpx")  # GPX 1.0 tracks have no <type>
    assert b.sport is Sport.RUNNING and b.avg_hr_bpm is None and b.distance_m == pytest.approx(a.distance_m)
    (c,) = parse_gpx(gpx_run(sport="9"), "strava.gpx")  # Strava's numeric type 9 is a run
    assert c.sport is Sport.RUNNING and not c.sport_inferred


def test_gpx_with_entities_is_refused() -> None:
    bomb = b'<?xml version="1.0"?><!DOCTYPE gpx [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><gpx>&b;</gpx>'
    with pytest.raises(IngestError, match="unsafe XML"):
        parse_gpx(bomb, "bomb.gpx")
    external = b'<?xml version="1.0"?><!DOCTYPE gpx [<!ENTITY x SYSTEM "file:///etc/passwd">]><gpx>&x;</gpx>'
    with pytest.raises(IngestError, match="unsafe XML"):
        parse_gpx(external, "ext.gpx")


# ---------------------------------------------------------------- sources
def test_folder_gz_and_nested_zip(tmp_path: Path, athlete: str, store_path: Path) -> None:
    folder = tmp_path / "watch" / "2024" / "05"
    folder.mkdir(parents=True)
    (folder / "a.fit").write_bytes(fit_run(T0))
    (folder / "b.gpx.gz").write_bytes(gzip.compress(gpx_run(T0 + timedelta(days=1), sport="running")))
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("deep/c.fit", fit_run(T0 + timedelta(days=2)))
    with zipfile.ZipFile(tmp_path / "export.zip", "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("UploadedFiles_Part1.zip", inner.getvalue())
        z.writestr("d.fit.gz", gzip.compress(fit_run(T0 + timedelta(days=3))))
        z.writestr("notes.json", "{}")
    summary, acts = _import(store_path, athlete, tmp_path / "watch", tmp_path / "export.zip")
    assert len(summary.imported) == 4 and not summary.failed
    assert [a.start_utc.date().isoformat() for a in acts] == ["2024-05-06", "2024-05-07", "2024-05-08", "2024-05-09"]
    assert any(a.source_file.endswith("export.zip!UploadedFiles_Part1.zip!deep/c.fit") for a in acts)
    again, _ = _import(store_path, athlete, tmp_path / "watch", tmp_path / "export.zip")
    assert again.skipped == 4 and not again.imported


def test_zip_member_names_never_reach_the_disk(tmp_path: Path) -> None:
    with zipfile.ZipFile(tmp_path / "evil.zip", "w") as z:
        z.writestr("../../escaped.fit", fit_run())
        z.writestr("/abs/escaped2.gpx", gpx_run())
    found = [e for e in walk([tmp_path / "evil.zip"]) if isinstance(e, Source)]
    assert len(found) == 2 and all(s.read() for s in found)
    assert not (tmp_path.parent.parent / "escaped.fit").exists() and not Path("/abs").exists()


def test_zip_bomb_member_is_refused(tmp_path: Path) -> None:
    with zipfile.ZipFile(tmp_path / "bomb.zip", "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("huge.gpx", b"<" + b" " * (50 * 1024 * 1024))
        z.writestr("ok.fit", fit_run())
    events = list(walk([tmp_path / "bomb.zip"]))
    found = [e for e in events if isinstance(e, Source)]
    errors = [e for e in events if isinstance(e, Unreadable)]
    assert [s.name.split("!")[-1] for s in found] == ["ok.fit"]
    assert "zip bomb" in errors[0].reason and errors[0].name.endswith("bomb.zip!huge.gpx")


def test_gzip_bomb_is_refused_before_it_fills_memory() -> None:
    bomb = gzip.compress(b"\0" * (64 * 1024 * 1024))
    assert len(bomb) * MAX_RATIO < 64 * 1024 * 1024
    with pytest.raises(IngestError, match="zip bomb"):
        gunzip(bomb, "x.fit.gz")


def _strava_export(root: Path) -> None:
    (root / "activities").mkdir(parents=True)
    (root / "activities" / "101.fit.gz").write_bytes(gzip.compress(fit_run(T0, sport="generic", session=False)))
    (root / "activities" / "102.gpx.gz").write_bytes(gzip.compress(gpx_run(T0 + timedelta(days=1))))
    (root / "activities.csv").write_text(
        "Activity ID,Activity Date,Activity Name,Activity Type,Activity Description,Elapsed Time,Distance,"
        "Activity Gear,Filename,Elapsed Time,Distance\n"
        '101,"May 6, 2024, 7:00:00 AM",Easy loop,Run,,1800,5.4,Pegasus 40,activities/101.fit.gz,1800,5400\n'
        '102,"May 7, 2024, 7:00:00 AM",Dog walk,Walk,,600,1.8,,activities/102.gpx.gz,600,1800\n'
        '103,"May 8, 2024, 7:00:00 AM",Gym,Weight Training,,3600,0,,,3600,0\n', encoding="utf-8")


def test_strava_export_folder_joins_type_name_and_gear(tmp_path: Path, athlete: str, store_path: Path) -> None:
    _strava_export(tmp_path / "export")
    summary, acts = _import(store_path, athlete, tmp_path / "export")
    assert not summary.failed and len(acts) == 3
    run, walk, gym = acts  # the gym session has no file: its row is the record (tests/ingest/test_strava_summaries.py)
    assert (gym.sport, gym.distance_source, gym.elapsed_s) == (Sport.OTHER, "strava", 3600)
    assert (run.sport, run.name, run.gear, run.sport_inferred) == (Sport.RUNNING, "Easy loop", "Pegasus 40", False)
    assert (walk.sport, walk.name) == (Sport.WALKING, "Dog walk")  # the CSV's type beats the speed guess
    assert any("activities.csv" in w for w in walk.warnings)


def test_strava_export_zip(tmp_path: Path, athlete: str, store_path: Path) -> None:
    _strava_export(tmp_path / "export")
    with zipfile.ZipFile(tmp_path / "export_123.zip", "w") as z:
        for f in sorted((tmp_path / "export").rglob("*")):
            if f.is_file():
                z.write(f, f.relative_to(tmp_path / "export").as_posix())
    summary, acts = _import(store_path, athlete, tmp_path / "export_123.zip")
    assert [a.gear for a in acts] == ["Pegasus 40", None, None] and acts[1].sport is Sport.WALKING


# ---------------------------------------------------------------- the import itself
def test_parallel_and_serial_imports_store_the_same(tmp_path: Path, athlete: str, store_path: Path) -> None:
    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(10):
        (folder / f"{i:02d}.fit").write_bytes(fit_run(T0 + timedelta(days=i), minutes=2, hr0=120 + i))
    (folder / "broken.fit").write_bytes(b"\x0e\x10garbage")
    (folder / "copy.gpx").write_bytes(gpx_run(T0 + timedelta(days=3), points=300, sport="running"))
    s1, a1 = _import(store_path, athlete, folder, workers=2)
    other = tmp_path / "other.sqlite"
    with Store.open(other) as st:
        from runload.models import Athlete
        st.add_athlete(Athlete("bo", "Bo"))
    s2, a2 = _import(other, "bo", folder, workers=1)
    strip = lambda acts: [(a.start_utc, a.distance_m, a.avg_hr_bpm, a.source_file) for a in acts]  # noqa: E731
    assert strip(a1) == strip(a2) and len(a1) == 10
    assert s1.failed == s2.failed and [f["file"] for f in s1.failed] == [str(folder / "broken.fit")]
    assert [d["file"] for d in s1.duplicates] == [str(folder / "copy.gpx")]  # the FIT (richer) is kept


def test_changed_file_is_read_again(tmp_path: Path, athlete: str, store_path: Path) -> None:
    f = tmp_path / "run.fit"
    f.write_bytes(fit_run())
    _import(store_path, athlete, f)
    os.utime(f, ns=(1, 1))  # touched, same content: hashed again, then skipped as known content
    s, acts = _import(store_path, athlete, f)
    assert s.skipped == 1 and len(acts) == 1
    s, _ = _import(store_path, athlete, f)
    assert s.skipped == 1


def test_a_file_is_stored_whole_or_not_at_all(tmp_path: Path, athlete: str, store_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from runload.ingest import fit as fitmod

    (tmp_path / "a.fit").write_bytes(fit_run(T0))
    (tmp_path / "b.fit").write_bytes(fit_run(T0 + timedelta(days=1)))
    real = fitmod.parse_fit

    def two_legs(data: bytes, name: str, **kw):  # b.fit becomes a two-leg file
        acts = real(data, name, **kw)
        if name.endswith("b.fit"):
            from dataclasses import replace
            acts = [acts[0], replace(acts[0], leg_index=1, start_utc=acts[0].start_utc + timedelta(hours=2))]
        return acts

    calls = {"n": 0}
    original = Store.insert_activity

    def failing_insert(self, conn, athlete_id, act, *rest, **kw):
        calls["n"] += 1
        if act.leg_index == 1:
            raise RuntimeError("disk full")
        return original(self, conn, athlete_id, act, *rest, **kw)

    monkeypatch.setattr(fitmod, "parse_fit", two_legs)
    monkeypatch.setattr(Store, "insert_activity", failing_insert)
    with pytest.raises(RuntimeError):
        _import(store_path, athlete, tmp_path)
    with Store.open(store_path) as st:
        acts = st.activities(athlete)
    assert [a.source_file for a in acts] == [f"{tmp_path.name}/a.fit"]  # b.fit's first leg rolled back


# ---------------------------------------------------------------- the CLI
def test_cli_import_json_summary_and_exit_codes(cli, athlete: str, tmp_path: Path) -> None:
    (tmp_path / "ok.fit").write_bytes(fit_run())
    r = cli("import", "--athlete", athlete, str(tmp_path / "ok.fit"), "--json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.output) == {"import_id": 1, "imported": 1, "activities": 1, "duplicates": [],
                                    "skipped": 0, "refreshed": 0, "failed": [], "warnings": []}
    (tmp_path / "bad.tcx").write_text("<TrainingCenterDatabase><Activities>", encoding="utf-8")
    r = cli("import", "--athlete", athlete, str(tmp_path), "--json")
    assert r.exit_code == 1
    out = json.loads(r.output)
    assert out["skipped"] == 1 and out["failed"][0]["file"] == str(tmp_path / "bad.tcx")
    assert "not well-formed XML" in out["failed"][0]["reason"]
    r = cli("import", "--athlete", athlete, str(tmp_path / "ok.fit"))
    assert r.exit_code == 0 and r.output.startswith("Imported 0 files (0 activities); 0 duplicates; 1 already known")


def test_cli_activity_list_and_set_sport(cli, athlete: str, tmp_path: Path) -> None:
    (tmp_path / "r.gpx").write_bytes(gpx_run(step_deg=8e-5))  # ~9 m/s, 32 km/h: inferred cycling
    assert cli("import", "--athlete", athlete, str(tmp_path)).exit_code == 0
    listed = json.loads(cli("activity", "list", "--athlete", athlete, "--json").output)
    assert listed[0]["sport"] == "cycling" and listed[0]["sport_inferred"] and not listed[0]["counts_as_running"]
    text = cli("activity", "list", "--athlete", athlete).output
    assert "cycling?" in text
    r = cli("activity", "set-sport", str(listed[0]["id"]), "running")
    assert r.exit_code == 0 and r.output == f"Activity {listed[0]['id']}: sport cycling -> running.\n"
    listed = json.loads(cli("activity", "list", "--athlete", athlete, "--json").output)
    assert listed[0]["sport"] == "running" and not listed[0]["sport_inferred"] and listed[0]["counts_as_running"]
    r = cli("activity", "set-sport", str(listed[0]["id"]), "flying")
    assert r.exit_code == 2 and "unknown sport 'flying'" in r.output
    r = cli("activity", "set-sport", "999", "running")
    assert r.exit_code == 2 and "no activity with id 999" in r.output


def test_strava_csv_that_says_ride_drops_the_ride_speed_warning():
    from datetime import datetime, timezone

    from runload.ingest.stravacsv import StravaMeta
    from runload.ingest.writer import apply_meta
    from runload.models import Activity, Sport

    run = Activity(datetime(2026, 5, 1, 7, tzinfo=timezone.utc), Sport.RUNNING, 30000, timer_s=3600,
                   warnings=("labelled running, but moves at the speed of a ride (average 30.0 km/h)",))
    [ride] = apply_meta([run], StravaMeta(activity_type="Ride", name="Morning ride", gear=None))
    assert ride.sport is Sport.CYCLING
    assert not any(w.startswith("labelled running") for w in ride.warnings)
    assert "sport from activities.csv (Ride)" in ride.warnings
