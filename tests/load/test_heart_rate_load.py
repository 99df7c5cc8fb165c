"""Heart-rate load from a file: Banister TRIMP for both sexes and hard-effort time at the zone edge,
from FIT files with 1 s records (written with fit-tool), through the importer and the store.

Worked check (evidence.md section 5): 45 min at 150 bpm, rest 60, max 190.
HRr = (150 - 60) / (190 - 60) = 0.6923.
Men:   45 x 0.6923 x 0.64 x e^(1.92 x 0.6923) = 45 x 0.6923 x 0.64 x 3.7780 = 75.3
Women: 45 x 0.6923 x 0.86 x e^(1.67 x 0.6923) = 45 x 0.6923 x 0.86 x 3.1776 = 85.1
Sex unknown: the mean of the two, 80.2. Read from a 5-bpm bin at its middle (152.5 bpm), the men's
figure was 80.3.
"""

from __future__ import annotations

import functools
import json
import sqlite3
from datetime import datetime, timezone
from pathlib import Path

import pytest

from runload.ingest.fit import parse_fit
from runload.load.formulas import activity_trimp, hard_seconds
from runload.store import MIGRATIONS, Store

pytestmark = pytest.mark.slow  # FIT files with 1 s records built with fit-tool

T0 = datetime(2026, 10, 13, 7, 0, tzinfo=timezone.utc)  # a Tuesday


@functools.lru_cache(maxsize=None)  # fit-tool takes seconds for 2,700 records: build each file once
def fit_hr_run(hr_bpm: int, minutes: int = 45, start: datetime = T0) -> bytes:
    """A FIT run with a record every second for ``minutes`` minutes at ``hr_bpm``, 3 m/s."""
    from fit_tool.fit_file_builder import FitFileBuilder
    from fit_tool.profile.messages.activity_message import ActivityMessage
    from fit_tool.profile.messages.file_id_message import FileIdMessage
    from fit_tool.profile.messages.record_message import RecordMessage
    from fit_tool.profile.messages.session_message import SessionMessage
    from fit_tool.profile.profile_type import FileType, Manufacturer, Sport as FSport

    ms = int(start.timestamp() * 1000)
    n = minutes * 60
    b = FitFileBuilder(auto_define=True, min_string_size=50)
    m = FileIdMessage()
    m.type, m.manufacturer, m.product, m.time_created, m.serial_number = (
        FileType.ACTIVITY, Manufacturer.GARMIN.value, 2691, ms, 4321)
    b.add(m)
    for i in range(n + 1):  # n + 1 records, one a second: n seconds at hr_bpm
        r = RecordMessage()
        r.timestamp, r.distance, r.enhanced_speed, r.heart_rate, r.cadence = ms + i * 1000, 3.0 * i, 3.0, hr_bpm, 85
        b.add(r)
    s = SessionMessage()
    s.timestamp, s.start_time, s.total_elapsed_time, s.total_timer_time = ms + n * 1000, ms, n, n
    s.total_distance, s.sport, s.avg_heart_rate, s.max_heart_rate = 3.0 * n, FSport.RUNNING, hr_bpm, hr_bpm
    b.add(s)
    a = ActivityMessage()
    a.timestamp, a.num_sessions = ms + n * 1000, 1
    b.add(a)
    return b.build().to_bytes()


@pytest.mark.parametrize("fast", [True, False])
def test_fit_file_keeps_each_bpm_and_gives_the_worked_trimp(fast: bool) -> None:
    (a,) = parse_fit(fit_hr_run(150), "hr150.fit", fast=fast)
    assert a.hr_bin_bpm == 1 and a.hr_zone_s == {150: 2700.0}
    assert activity_trimp(a, 60, 190, "male") == pytest.approx(75.3, abs=0.05)
    assert activity_trimp(a, 60, 190, "female") == pytest.approx(85.1, abs=0.05)
    assert activity_trimp(a, 60, 190, None) == pytest.approx(80.2, abs=0.05)


@pytest.mark.parametrize(("sex", "trimp", "formula"), [
    ("male", 75.3, "banister-male"), ("female", 85.1, "banister-female"), (None, 80.2, "banister-mean")])
def test_weeks_json_carries_the_weeks_trimp_from_an_imported_file(cli, tmp_path: Path, sex, trimp, formula) -> None:
    args = ["athlete", "add", "hr", "--name", "HR Test", "--hr-rest", "60", "--hr-max", "190"]
    assert cli(*args, *(["--sex", sex] if sex else [])).exit_code == 0
    (tmp_path / "run.fit").write_bytes(fit_hr_run(150))
    assert cli("import", "--athlete", "hr", str(tmp_path / "run.fit")).exit_code == 0
    (week,) = json.loads(cli("weeks", "--athlete", "hr", "--format", "json").output)
    assert week["week_start"] == "2026-10-12"
    assert week["trimp"] == pytest.approx(trimp, abs=0.05) and week["trimp_formula"] == formula
    table = cli("weeks", "--athlete", "hr").output
    assert f"{trimp:.1f}" in table.splitlines()[2] and "TRIMP" in table.splitlines()[0]
    said = {"male": "men's formula: minutes x HRr x 0.64 x e^(1.92 x HRr)",
            "female": "women's formula: minutes x HRr x 0.86 x e^(1.67 x HRr)",
            None: "the profile has no sex"}[sex]
    assert said in table


def test_weeks_trimp_is_null_without_profile_heart_rates_or_without_heart_rate(cli, tmp_path: Path) -> None:
    assert cli("athlete", "add", "nohr", "--name", "No HR", "--sex", "male").exit_code == 0
    (tmp_path / "run.fit").write_bytes(fit_hr_run(150))
    assert cli("import", "--athlete", "nohr", str(tmp_path / "run.fit")).exit_code == 0
    (week,) = json.loads(cli("weeks", "--athlete", "nohr", "--format", "json").output)
    assert week["trimp"] is None and week["trimp_formula"] is None
    assert "TRIMP" not in cli("weeks", "--athlete", "nohr").output
    # a profile with heart rates, a run without any: unknown, not 0
    from builders import fit_file

    assert cli("athlete", "add", "nobelt", "--name", "No Belt", "--hr-rest", "60", "--hr-max", "190").exit_code == 0
    data = fit_file(T0)
    with Store.open(Path(__import__("os").environ["RUNLOAD_STORE"])) as st:
        from runload.ingest import import_paths

        (tmp_path / "plain.fit").write_bytes(data)
        import_paths(st, "nobelt", [tmp_path / "plain.fit"], workers=0)
        with st.atomic() as conn:
            conn.execute("UPDATE activities SET hr_zone_json = '{}', avg_hr_bpm = NULL WHERE athlete_id = 'nobelt'")
    (week,) = json.loads(cli("weeks", "--athlete", "nobelt", "--format", "json").output)
    assert week["runs"] == 1 and week["trimp"] is None


@pytest.mark.parametrize(("bpm", "hr_max", "hard"), [
    (150, 190, False),  # 80% of 190 = 152 bpm: 150 is easy (its 5-bpm bin's middle, 152.5, counted hard)
    (148, 185, True),  # 80% of 185 = 148 bpm: 148 is hard (its 5-bpm bin's middle, 147.5, counted easy)
])
def test_hard_effort_from_a_file_at_the_zone_edge(bpm: int, hr_max: int, hard: bool) -> None:
    (a,) = parse_fit(fit_hr_run(bpm, minutes=30), "edge.fit")
    assert hard_seconds(a, hr_max_bpm=hr_max) == ((1800.0 if hard else 0.0), 1800.0, "heart rate")


def _schema5_store(path: Path) -> None:
    """A store as runload wrote it before schema 6: one run with its heart rate in 5-bpm bins."""
    conn = sqlite3.connect(path)
    for step in MIGRATIONS[:5]:
        conn.executescript(step.sql)
    conn.execute("PRAGMA user_version = 5")
    conn.execute("INSERT INTO athletes (id, name, timezone, sex, hr_rest_bpm, hr_max_bpm, created_utc) "
                 "VALUES ('old', 'Old Store', 'UTC', 'male', 60, 190, '2026-01-01T00:00:00+00:00')")
    conn.execute("INSERT INTO activities (athlete_id, start_utc, end_utc, utc_offset_s, sport, distance_m, timer_s, "
                 "elapsed_s, hr_zone_json, source_hash, imported_utc) VALUES ('old', '2026-10-13T07:00:00.000+00:00', "
                 "'2026-10-13T07:45:00.000+00:00', 0, 'running', 8100, 2700, 2700, '{\"150\": 2700.0}', 'h', "
                 "'2026-10-13T09:00:00+00:00')")
    conn.commit()
    conn.close()


def test_a_store_from_before_schema_6_reads_its_5_bpm_bins_at_their_middle_and_says_so(cli, store_path: Path) -> None:
    _schema5_store(store_path)
    with Store.open(store_path) as st:
        (a,) = st.activities("old")
    assert a.hr_bin_bpm == 5 and a.hr_zone_s == {150: 2700.0}
    assert activity_trimp(a, 60, 190, "male") == pytest.approx(80.3, abs=0.05)  # 152.5 bpm, as before
    (week,) = json.loads(cli("weeks", "--athlete", "old", "--format", "json").output)
    assert week["trimp"] == pytest.approx(80.3, abs=0.05)
    table = cli("weeks", "--athlete", "old").output
    assert ("1 run holds heart rate in 5-bpm bins from an older runload: TRIMP and hard-effort time from it are "
            "read at each bin's middle; import the files again for exact figures.") in table
    report = cli("report", "--athlete", "old", "--week", "2026-W42").output
    assert "5-bpm bins from an older runload" in report


def test_new_rows_store_their_bin_width(store_path: Path, tmp_path: Path, cli) -> None:
    assert cli("athlete", "add", "new", "--name", "New").exit_code == 0
    (tmp_path / "run.fit").write_bytes(fit_hr_run(150))
    assert cli("import", "--athlete", "new", str(tmp_path / "run.fit")).exit_code == 0
    conn = sqlite3.connect(store_path)
    assert conn.execute("SELECT hr_bin_bpm, hr_zone_json FROM activities").fetchall() == [(1, '{"150": 2700.0}')]
    conn.close()


def test_report_and_check_name_the_trimp_formula_where_trimp_is_quoted(cli, tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[rules.override.acute-chronic-ratio]\nparams = { load = "trimp" }\n')
    monkeypatch.setenv("RUNLOAD_CONFIG", str(config))
    assert cli("athlete", "add", "x", "--name", "X", "--hr-rest", "60", "--hr-max", "190").exit_code == 0
    from datetime import timedelta

    # 5 min every other day for five weeks up to the Sunday before, then a 1-minute jog: the last
    # 7 days' load is well below the 28 days' (the ratio's "well below" band, an info finding
    # quoting TRIMP a day), first in the week of the jog (2026-W42)
    for i in range(0, 34, 2):
        (tmp_path / f"r{i}.fit").write_bytes(fit_hr_run(150, minutes=5, start=T0 - timedelta(days=34 - i)))
    (tmp_path / "last.fit").write_bytes(fit_hr_run(150, minutes=1, start=T0 + timedelta(days=4)))
    assert cli("import", "--athlete", "x", str(tmp_path)).exit_code == 0
    check = cli("check", "--athlete", "x", "--all").output
    assert "TRIMP a day" in check
    assert ("Heart-rate load (TRIMP): Banister TRIMP, the mean of the men's (0.64 x e^(1.92 x HRr)) and women's "
            "(0.86 x e^(1.67 x HRr)) formulas: the profile has no sex") in check
    assert cli("athlete", "edit", "x", "--sex", "female").exit_code == 0
    check = cli("check", "--athlete", "x", "--all").output
    assert "Heart-rate load (TRIMP): Banister TRIMP, women's formula" in check
    report = cli("report", "--athlete", "x", "--week", "2026-W42").output
    assert "TRIMP a day" in report and "Heart-rate load (TRIMP): Banister TRIMP, women's formula" in report


def test_importing_a_file_again_re_reads_the_5_bpm_bins_of_an_older_store(cli, tmp_path: Path, store_path: Path
                                                                         ) -> None:
    assert cli("athlete", "add", "re", "--name", "Re", "--hr-rest", "60", "--hr-max", "190", "--sex", "male").exit_code == 0
    (tmp_path / "run.fit").write_bytes(fit_hr_run(150))
    assert cli("import", "--athlete", "re", str(tmp_path)).exit_code == 0
    # as an older runload stored it: 5-bpm bins (and a name changed since, which must stay)
    conn = sqlite3.connect(store_path)
    conn.execute("UPDATE activities SET hr_bin_bpm = 5, name = 'Tuesday tempo'")
    conn.commit()
    conn.close()
    assert json.loads(cli("weeks", "--athlete", "re", "--format", "json").output)[0]["trimp"] == pytest.approx(80.3, abs=0.05)
    r = cli("import", "--athlete", "re", str(tmp_path), "--json")
    out = json.loads(r.output)
    assert r.exit_code == 0 and (out["imported"], out["skipped"], out["refreshed"]) == (0, 1, 1)
    with Store.open(store_path) as st:
        (a,) = st.activities("re")
    assert a.hr_bin_bpm == 1 and a.hr_zone_s == {150: 2700.0} and a.name == "Tuesday tempo"
    (week,) = json.loads(cli("weeks", "--athlete", "re", "--format", "json").output)
    assert week["trimp"] == pytest.approx(75.3, abs=0.05)
    assert "5-bpm" not in cli("weeks", "--athlete", "re").output
    again = json.loads(cli("import", "--athlete", "re", str(tmp_path), "--json").output)
    assert (again["skipped"], again["refreshed"]) == (1, 0)
