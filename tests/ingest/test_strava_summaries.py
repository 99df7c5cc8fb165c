"""A Strava export's activities.csv is a record of its own: rows whose file is absent (manual
entries, files the export left out) are imported as summary activities, alone or inside an export
folder or zip, and a row whose file is imported is not doubled."""

from __future__ import annotations

import gzip
import zipfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from runload.ingest import import_paths
from runload.models import Sport
from runload.store import Store
from conftest import SHARED
from builders import T0, fit_run

pytestmark = pytest.mark.slow  # Strava exports imported end to end

REAL_CSV = SHARED / "real_histories" / "strava-2016-2025" / "activities.csv"
# the modern layout's repeated columns: Distance in km then in metres, Elapsed Time twice
HEADER = ("Activity ID,Activity Date,Activity Name,Activity Type,Elapsed Time,Distance,Max Heart Rate,"
          "Activity Gear,Filename,Elapsed Time,Moving Time,Distance,Elevation Gain,Average Heart Rate,"
          "Perceived Exertion\n")


def _rows(*rows: str) -> str:
    return HEADER + "".join(r + "\n" for r in rows)


# 101 has its file in the export; 102 is a treadmill run typed in; 103's file was left out
ROWS = _rows(
    '101,"May 6, 2024, 7:00:00 AM",Easy loop,Run,600,1.80,150.0,Pegasus 40,activities/101.fit.gz,600.0,600.0,1800.0,'
    '5.0,140.0,',
    '102,"May 7, 2024, 6:30:00 PM",Treadmill intervals,Run,2700,8.02,171.0,Clifton 9,,2700.0,2650.0,8020.5,0,'
    '152.0,7',
    '103,"May 9, 2024, 5:00:00 AM",Morning Ride,Ride,3600,25.10,,,activities/103.gpx.gz,3600.0,3400.0,25100.0,'
    '180.0,,',
)


def _export(root: Path, rows: str = ROWS) -> Path:
    (root / "activities").mkdir(parents=True)
    (root / "activities" / "101.fit.gz").write_bytes(gzip.compress(fit_run(T0, minutes=10)))
    (root / "activities.csv").write_text(rows, encoding="utf-8")
    return root


def _import(store_path: Path, athlete: str, *paths: Path, workers: int = 1):
    with Store.open(store_path) as store:
        summary = import_paths(store, athlete, list(paths), workers=workers)
        return summary, store.activities(athlete)


def test_rows_without_files_become_summary_activities(tmp_path: Path, athlete: str, store_path: Path) -> None:
    summary, acts = _import(store_path, athlete, _export(tmp_path / "export"))
    assert not summary.failed, summary.failed
    assert [a.distance_source for a in acts] == ["summary", "strava", "strava"]
    run, treadmill, ride = acts
    assert run.gear == "Pegasus 40" and run.name == "Easy loop"  # the file, with its row joined
    assert treadmill.start_utc == datetime(2024, 5, 7, 18, 30, tzinfo=timezone.utc)
    assert (treadmill.sport, treadmill.distance_m, treadmill.elapsed_s, treadmill.timer_s) == (
        Sport.RUNNING, 8020.5, 2700.0, 2650.0)
    assert (treadmill.avg_hr_bpm, treadmill.max_hr_bpm, treadmill.rpe, treadmill.gear) == (152.0, 171.0, 7.0,
                                                                                            "Clifton 9")
    # the UTC time of the row, placed on a day by the athlete's zone (Stockholm, summer time)
    assert treadmill.name == "Treadmill intervals" and treadmill.utc_offset_s == 7200
    assert (ride.sport, ride.distance_m, ride.elevation_gain_m) == (Sport.CYCLING, 25100.0, 180.0)
    assert "activities.csv" in (ride.source_file or "")


def test_the_csv_alone_then_the_export_keeps_the_file_copy(tmp_path: Path, athlete: str, store_path: Path) -> None:
    export = _export(tmp_path / "export")
    summary, acts = _import(store_path, athlete, export / "activities.csv")
    assert not summary.failed and len(acts) == 3 and {a.distance_source for a in acts} == {"strava"}
    summary, acts = _import(store_path, athlete, export)
    # the file of 101 is richer than its row: it replaces it, and nothing is doubled
    assert len(acts) == 3 and [a.distance_source for a in acts] == ["summary", "strava", "strava"]
    assert len(summary.duplicates) == 1 and summary.duplicates[0]["kept"].endswith("101.fit.gz")


def test_the_export_then_the_csv_alone_adds_nothing(tmp_path: Path, athlete: str, store_path: Path) -> None:
    export = _export(tmp_path / "export")
    _import(store_path, athlete, export)
    summary, acts = _import(store_path, athlete, export / "activities.csv", tmp_path / "export")
    assert len(acts) == 3 and not summary.failed


def test_export_zip_with_files_missing(tmp_path: Path, athlete: str, store_path: Path) -> None:
    export = _export(tmp_path / "export")
    with zipfile.ZipFile(tmp_path / "export_1.zip", "w") as z:
        for f in sorted(export.rglob("*")):
            if f.is_file():
                z.write(f, f.relative_to(export).as_posix())
    summary, acts = _import(store_path, athlete, tmp_path / "export_1.zip", workers=2)
    assert not summary.failed
    assert [(a.sport, a.distance_source) for a in acts] == [
        (Sport.RUNNING, "summary"), (Sport.RUNNING, "strava"), (Sport.CYCLING, "strava")]
    assert acts[1].source_file and acts[1].source_file.endswith("export_1.zip!activities.csv")


def test_a_folder_with_only_the_csv_is_not_empty(tmp_path: Path, athlete: str, store_path: Path) -> None:
    (tmp_path / "export").mkdir()
    (tmp_path / "export" / "activities.csv").write_text(ROWS, encoding="utf-8")
    summary, acts = _import(store_path, athlete, tmp_path / "export")
    assert not summary.failed and len(acts) == 3  # before: "no activity files found"


def test_a_malformed_row_names_its_line(tmp_path: Path, athlete: str, store_path: Path, cli) -> None:
    bad = _rows('7,"May 6, 2024, 7:00:00 AM",Run,Run,600,1.8,,,,600,600,1800,,,',
                '8,"yesterday",Run,Run,600,1.8,,,,600,600,1800,,,')
    (tmp_path / "activities.csv").write_text(bad, encoding="utf-8")
    r = cli("import", str(tmp_path / "activities.csv"), "--athlete", athlete)
    assert "line 3" in r.output and "'yesterday' is not a date" in r.output, r.output
    bad = _rows('7,"May 6, 2024, 7:00:00 AM",Run,Run,600,1.8,,,,600,600,"1.8 km",,,')
    (tmp_path / "activities.csv").write_text(bad, encoding="utf-8")
    r = cli("import", str(tmp_path / "activities.csv"), "--athlete", athlete)
    assert "line 2" in r.output and "'1.8 km' is not a number" in r.output, r.output


def test_one_impossible_row_is_refused_alone(tmp_path: Path, athlete: str, store_path: Path) -> None:
    rows = _rows('7,"May 6, 2024, 7:00:00 AM",Fine,Run,600,1.8,,,,600,600,1800,,,',
                 '8,"May 7, 2024, 7:00:00 AM",Glitch,Ride,118,53.2,,,,7253684,118,53209.9,,,')
    (tmp_path / "activities.csv").write_text(rows, encoding="utf-8")
    summary, acts = _import(store_path, athlete, tmp_path / "activities.csv")
    assert [a.name for a in acts] == ["Fine"]
    assert any("2024-05-07 07:00 UTC (Glitch)" in w["warning"] and "not imported" in w["warning"]
               for w in summary.warnings)


@pytest.mark.skipif(not REAL_CSV.is_file(), reason="../shared/real_histories is not here")
def test_real_strava_activities_csv_imports_its_643_runs(tmp_path: Path, store_path: Path, cli) -> None:
    cli("athlete", "add", "jb", "--name", "JB", "--timezone", "America/Toronto")
    summary, acts = _import(store_path, "jb", REAL_CSV, workers=2)
    assert not summary.failed and summary.imported == [str(REAL_CSV)]
    runs = [a for a in acts if a.sport is Sport.RUNNING]
    assert len(runs) == 643
    assert sum(a.distance_m for a in runs) / 1000 == pytest.approx(3816, abs=10)  # the README's "about 3,816 km"
    assert max(a.distance_m for a in runs) == pytest.approx(29_075, abs=5)  # "longest 29.1 km"
    assert sum(a.sport is Sport.CYCLING for a in acts) >= 940 and sum(a.sport is Sport.HIKING for a in acts) == 110
    assert min(a.start_utc for a in runs).date() == datetime(2016, 10, 10).date()
    # one ride records 53 km in 118 s of moving time: it alone is refused, with its date
    assert len(acts) == 1844
    assert any("2020-05-30" in w["warning"] and "not imported" in w["warning"] for w in summary.warnings)
    again, _ = _import(store_path, "jb", REAL_CSV)
    assert again.skipped == 1 and not again.imported
    assert timedelta(0) <= max(a.start_utc for a in runs) - datetime(2025, 8, 1, tzinfo=timezone.utc)


def test_an_activities_csv_too_large_to_read_whole_still_joins_its_files(tmp_path, athlete, store_path, monkeypatch):
    import runload.ingest.walk as walk

    export = _export(tmp_path / "export")
    monkeypatch.setattr(walk, "MAX_SUMMARY_CSV_BYTES", 200)  # the CSV is larger than a file runload reads whole
    summary, acts = _import(store_path, athlete, export)
    assert not summary.failed and [a.name for a in acts] == ["Easy loop"]  # streamed for its file's row
    assert any("not imported as summary activities" in w["warning"] for w in summary.warnings)
