"""The local day of a run, end to end (import, store, weeks): a night run across a daylight-saving
change takes the offset of its start, not the one its FIT file records at the end; a GPX or TCX
time written with an offset keeps it; a GPX time without any zone is read as UTC with a warning on
the activity and placed by the athlete's time zone at its start."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from builders import fit_file, gpx, lap, point, tcx

from runload.calendar import local_date
from runload.store import Store

pytestmark = pytest.mark.slow  # watch files imported end to end


def _stored(store_path: Path, athlete: str):
    with Store.open(store_path) as st:
        (a,) = st.activities(athlete)
    return a


def test_night_run_across_the_autumn_change_is_placed_by_its_start(cli, tmp_path: Path, store_path: Path,
                                                                   monkeypatch) -> None:
    # New York fell back at 06:00 UTC on Sunday 2025-11-02 (02:00 EDT -> 01:00 EST). The run starts
    # 04:30 UTC = 00:30 EDT on Sunday the 2nd and ends 07:00 UTC = 02:00 EST; the FIT file records its
    # local time at the end (-05:00). With the end's offset the start would read 23:30 on Saturday the 1st.
    assert cli("athlete", "add", "ny", "--name", "NY", "--timezone", "America/New_York").exit_code == 0
    start = datetime(2025, 11, 2, 4, 30, tzinfo=timezone.utc)
    (tmp_path / "night.fit").write_bytes(fit_file(start, kmh=[10.0] * 901, local_offset_s=-5 * 3600, step_s=10))
    assert cli("import", "--athlete", "ny", str(tmp_path)).exit_code == 0
    a = _stored(store_path, "ny")
    assert a.utc_offset_s == -4 * 3600 and local_date(a).isoformat() == "2025-11-02"
    # weeks starting on Sunday: Sunday the 2nd begins a new week, which the end's offset would miss
    config = tmp_path / "config.toml"
    config.write_text('week_start = "sunday"\n')
    monkeypatch.setenv("RUNLOAD_CONFIG", str(config))
    weeks = json.loads(cli("weeks", "--athlete", "ny", "--format", "json").output)
    assert [w["week_start"] for w in weeks] == ["2025-11-02"]


def test_night_run_across_the_spring_change_is_placed_by_its_start(cli, tmp_path: Path, store_path: Path) -> None:
    # Stockholm sprang forward at 01:00 UTC on Sunday 2026-03-29 (+01:00 -> +02:00). Start 22:30 UTC on
    # Saturday the 28th = 23:30 CET; the file's end offset (+02:00) would make it 00:30 on Sunday.
    assert cli("athlete", "add", "sthlm", "--name", "S", "--timezone", "Europe/Stockholm").exit_code == 0
    start = datetime(2026, 3, 28, 22, 30, tzinfo=timezone.utc)
    data = fit_file(start, kmh=[10.0] * 1081, local_offset_s=2 * 3600, step_s=10)  # 3 h, ends 01:30 UTC
    (tmp_path / "night.fit").write_bytes(data)
    assert cli("import", "--athlete", "sthlm", str(tmp_path)).exit_code == 0
    a = _stored(store_path, "sthlm")
    assert a.utc_offset_s == 3600 and local_date(a).isoformat() == "2026-03-28"
    listed = json.loads(cli("activity", "list", "--athlete", "sthlm", "--format", "json").output)
    assert listed[0]["utc_offset_s"] == 3600


def test_fit_offset_is_kept_when_it_is_not_the_athletes_zone(cli, tmp_path: Path, store_path: Path) -> None:
    # a runner from Stockholm racing in New York: the file's own offset (-04:00) decides the day
    assert cli("athlete", "add", "trip", "--name", "T", "--timezone", "Europe/Stockholm").exit_code == 0
    start = datetime(2026, 5, 3, 2, 0, tzinfo=timezone.utc)  # 22:00 EDT on Saturday the 2nd, 04:00 in Stockholm
    (tmp_path / "trip.fit").write_bytes(fit_file(start, kmh=[10.0] * 361, local_offset_s=-4 * 3600, step_s=10))
    assert cli("import", "--athlete", "trip", str(tmp_path)).exit_code == 0
    a = _stored(store_path, "trip")
    assert a.utc_offset_s == -4 * 3600 and local_date(a).isoformat() == "2026-05-02"


def _gpx_points(first_local: datetime, zone: str, n: int = 600) -> list[str]:
    return [point((first_local + timedelta(seconds=i)).strftime("%Y-%m-%dT%H:%M:%S") + zone,
                  f"{59.3 + i * 2.7e-5:.7f}", hr=150) for i in range(n)]


def test_gpx_time_with_an_offset_keeps_it(cli, tmp_path: Path, store_path: Path) -> None:
    # 21:30 on Sunday 2026-05-03 written -05:00 (Chicago in summer) is 02:30 UTC on Monday the 4th
    # and 04:30 on Monday in Stockholm, the athlete's zone: the run's own offset keeps it on Sunday
    assert cli("athlete", "add", "g", "--name", "G", "--timezone", "Europe/Stockholm").exit_code == 0
    (tmp_path / "evening.gpx").write_bytes(gpx([_gpx_points(datetime(2026, 5, 3, 21, 30), "-05:00")],
                                               types=("running",)))
    assert cli("import", "--athlete", "g", str(tmp_path)).exit_code == 0
    a = _stored(store_path, "g")
    assert a.start_utc == datetime(2026, 5, 4, 2, 30, tzinfo=timezone.utc)
    assert a.utc_offset_s == -5 * 3600 and local_date(a).isoformat() == "2026-05-03"
    assert not any("time zone" in w for w in a.warnings)
    weeks = json.loads(cli("weeks", "--athlete", "g", "--format", "json").output)
    assert [w["week_start"] for w in weeks] == ["2026-04-27"]  # Sunday's week, not Monday's


def test_tcx_time_with_an_offset_keeps_it(cli, tmp_path: Path, store_path: Path) -> None:
    assert cli("athlete", "add", "t", "--name", "T", "--timezone", "Europe/Stockholm").exit_code == 0
    local = datetime(2026, 5, 3, 21, 30)
    data = tcx(("Running", lap(local, [10.0] * 600, zone="-05:00")), ident="2026-05-03T21:30:00-05:00")
    (tmp_path / "evening.tcx").write_bytes(data)
    assert cli("import", "--athlete", "t", str(tmp_path)).exit_code == 0
    a = _stored(store_path, "t")
    assert a.start_utc == datetime(2026, 5, 4, 2, 30, tzinfo=timezone.utc)
    assert a.utc_offset_s == -5 * 3600 and local_date(a).isoformat() == "2026-05-03"
    weeks = json.loads(cli("weeks", "--athlete", "t", "--format", "json").output)
    assert [w["week_start"] for w in weeks] == ["2026-04-27"]


def test_naive_gpx_time_is_read_as_utc_with_a_warning_and_placed_by_the_athletes_zone(
        cli, tmp_path: Path, store_path: Path) -> None:
    # 23:30 written without a zone: read as 23:30 UTC on Sunday the 3rd, which is 01:30 on Monday the
    # 4th in Stockholm (CEST, +02:00 at the start): the athlete's zone decides the day
    assert cli("athlete", "add", "n", "--name", "N", "--timezone", "Europe/Stockholm").exit_code == 0
    (tmp_path / "naive.gpx").write_bytes(gpx([_gpx_points(datetime(2026, 5, 3, 23, 30), "")], types=("running",)))
    r = cli("import", "--athlete", "n", str(tmp_path))
    assert r.exit_code == 0 and "no time zone: read as UTC" in r.output
    a = _stored(store_path, "n")
    assert a.start_utc == datetime(2026, 5, 3, 23, 30, tzinfo=timezone.utc)
    assert any("no time zone: read as UTC" in w for w in a.warnings)  # kept on the activity
    assert a.utc_offset_s == 2 * 3600 and local_date(a).isoformat() == "2026-05-04"


def test_a_zone_set_after_the_import_places_runs_whose_files_record_no_offset(cli, tmp_path: Path,
                                                                              store_path: Path) -> None:
    # 23:30 UTC on Sunday 2026-05-03 (written Z: no local offset) and a run written -05:00
    assert cli("athlete", "add", "z", "--name", "Z").exit_code == 0  # time zone UTC to begin with
    (tmp_path / "z.gpx").write_bytes(gpx([_gpx_points(datetime(2026, 5, 3, 23, 30), "Z")], types=("running",)))
    (tmp_path / "chicago.gpx").write_bytes(gpx([_gpx_points(datetime(2026, 5, 3, 21, 30), "-05:00")],
                                               types=("running",)))
    assert cli("import", "--athlete", "z", str(tmp_path)).exit_code == 0
    conn = __import__("sqlite3").connect(store_path)
    stored = dict(conn.execute("SELECT source_file, utc_offset_s FROM activities").fetchall())
    conn.close()
    assert {Path(k).name: v for k, v in stored.items()} == {"z.gpx": None, "chicago.gpx": -5 * 3600}
    days = sorted(local_date(a).isoformat() for a in _all(store_path, "z"))
    assert days == ["2026-05-03", "2026-05-03"]
    assert cli("athlete", "edit", "z", "--timezone", "Europe/Stockholm").exit_code == 0
    # now 01:30 CEST on Monday the 4th; the Chicago run keeps its own offset (Sunday the 3rd)
    days = sorted(local_date(a).isoformat() for a in _all(store_path, "z"))
    assert days == ["2026-05-03", "2026-05-04"]
    weeks = json.loads(cli("weeks", "--athlete", "z", "--format", "json").output)
    assert [(w["week_start"], w["runs"]) for w in weeks] == [("2026-04-27", 1), ("2026-05-04", 1)]


def _all(store_path: Path, athlete: str):
    with Store.open(store_path) as st:
        return st.activities(athlete)


def test_assessment_places_plain_data_without_an_offset_by_the_athletes_zone_at_its_start() -> None:
    from runload.assess import assess
    from runload.models import Activity, Athlete, AthleteData, Sport
    from runload.rules.book import Rulebook

    # 22:30 UTC on Saturday 2026-03-28 is 23:30 CET (Saturday); 23:30 UTC on Saturday 2026-10-24 is
    # 01:30 CEST on Sunday the 25th (the zone's offset at each start, daylight saving as it was then)
    runs = tuple(Activity(start, Sport.RUNNING, 5000.0, timer_s=1800.0) for start in (
        datetime(2026, 3, 28, 22, 30, tzinfo=timezone.utc), datetime(2026, 10, 24, 23, 30, tzinfo=timezone.utc)))
    a = assess(AthleteData(Athlete("p", "P", timezone="Europe/Stockholm"), runs), Rulebook.load())
    assert [local_date(x).isoformat() for x in a.activities] == ["2026-03-28", "2026-10-25"]
    assert [x.utc_offset_s for x in a.activities] == [3600, 7200]
