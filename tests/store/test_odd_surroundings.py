"""Odd surroundings: stores that cannot be written, outputs that cannot be created, odd files and
names, two imports at once. Every failure is one `Error: ...` line and nothing stored is lost."""

from __future__ import annotations

import gzip
import json
import os
import sqlite3
from pathlib import Path

import pytest

from conftest import SAMPLES

MAYA = SAMPLES / "maya" / "activities"


def _one_error_line(result) -> str:
    lines = [ln for ln in result.output.splitlines() if ln.strip()]
    assert "Traceback" not in result.output
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.output
    return lines[0]


@pytest.fixture
def read_only_store(monkeypatch: pytest.MonkeyPatch) -> None:
    """Open every store read-only, as SQLite does for a file or folder the user may not write
    (chmod 444 has no effect when the tests run as root, so the mode is forced here)."""
    import runload.store.base as store_module

    real_connect = sqlite3.connect

    def connect(path, *args, **kwargs):  # type: ignore[no-untyped-def]
        return real_connect(f"file:{Path(path).as_posix()}?mode=ro", *args, uri=True, **kwargs)

    monkeypatch.setattr(store_module.sqlite3, "connect", connect)


def test_read_only_store_is_one_line_exit_2_and_keeps_data(cli, athlete, store_path, read_only_store, tmp_path):
    gpx = sorted(MAYA.glob("*.gpx"))[0]
    for args in (["athlete", "add", "bo", "--name", "Bo"],
                 ["import", "--athlete", athlete, str(gpx)],
                 ["pain", "add", "--athlete", athlete, "--date", "2026-05-01", "--pain-after", "3", "--no-input"],
                 ["coach", "add", "kim", "--email", "kim@example.org", "--athlete", athlete]):
        r = cli(*args)
        assert r.exit_code == 2, (args, r.output)
        line = _one_error_line(r)
        assert str(store_path) in line and "readonly" in line, line
    r = cli("athlete", "list")  # reading still works, and the athlete is still there
    assert r.exit_code == 0 and "ana" in r.output


def test_output_that_cannot_be_written_is_one_line(cli, athlete, tmp_path):
    cli("import", "--athlete", athlete, str(sorted(MAYA.glob("*.gpx"))[0]))
    missing = tmp_path / "no" / "such" / "folder" / "r.txt"
    for args in (["report", "--athlete", athlete, "--output", str(missing)],
                 ["roster", "--output", str(missing)]):
        r = cli(*args)
        assert r.exit_code == 2, r.output
        line = _one_error_line(r)
        assert str(missing) in line and "No such file" in line
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    r = cli("report", "--athlete", athlete, "--charts", str(blocker / "charts"))  # the report prints first
    assert r.exit_code == 2 and "Traceback" not in r.output, r.output
    last = r.output.strip().splitlines()[-1]
    assert last.startswith("Error: ") and str(blocker) in last, last


def test_two_imports_of_the_same_files_at_once(cli, athlete, store_path):
    """The second import lists the store's files before the first commits: it must still store
    each file once, report the rest as known, and not fail."""
    from runload.ingest import import_paths
    from runload.store import Store

    files = sorted(MAYA.glob("*.gpx"))[:3]
    with Store.open(store_path) as mine, Store.open(store_path) as other:
        def progress(done: int, total: int) -> None:
            if done == 0:  # ours has read what the store knows; the other import runs now
                import_paths(other, athlete, files, workers=1)

        summary = import_paths(mine, athlete, files, workers=1, progress=progress)
        assert summary.failed == [] and summary.activities == 0
        assert summary.skipped == len(files)
        assert mine.activity_count(athlete) == len(files)


def test_file_names_that_are_not_utf8_import(cli, athlete, tmp_path):
    folder = tmp_path / "watch"
    folder.mkdir()
    src = sorted(MAYA.glob("*.gpx"))[0]
    odd = os.fsdecode(os.fsencode(str(folder)) + b"/caf\xe9-run.gpx")  # Latin-1 name on a UTF-8 system
    Path(odd).write_bytes(src.read_bytes())
    for target in (str(folder), odd):
        r = cli("import", "--athlete", athlete, target)
        assert r.exit_code == 0 and "Traceback" not in r.output, r.output
    r = cli("activity", "list", "--athlete", athlete)
    assert r.exit_code == 0 and "caf\\xe9-run.gpx" in r.output, r.output


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_named_pipe_and_dangling_link_are_listed_not_waited_for(cli, athlete, tmp_path):
    folder = tmp_path / "odd"
    folder.mkdir()
    os.mkfifo(folder / "pipe.fit")  # reading it would wait for a writer forever
    (folder / "gone.fit").symlink_to(folder / "nowhere.fit")  # (a link out of the folder is not followed at all)
    (folder / "x.fit").mkdir()  # a folder with an activity-like name is just a folder
    (folder / "x.fit" / "run.gpx").write_bytes(sorted(MAYA.glob("*.gpx"))[0].read_bytes())
    r = cli("import", "--athlete", athlete, "--json", str(folder))
    assert r.exit_code == 1, r.output
    out = json.loads(r.output)
    reasons = {Path(f["file"]).name: f["reason"] for f in out["failed"]}
    assert "not a regular file" in reasons["pipe.fit"]
    assert "No such file" in reasons["gone.fit"]
    assert out["activities"] == 1


def test_pain_csv_with_a_name_that_is_not_utf8(cli, athlete, tmp_path):
    odd = os.fsdecode(os.fsencode(str(tmp_path)) + b"/schmerz-\xe4.csv")
    Path(odd).write_text("date,pain_after\n2026-05-01,3\n", encoding="utf-8")
    r = cli("pain", "import", "--athlete", athlete, odd)
    assert r.exit_code == 0 and "schmerz-\\xe4.csv: 1 row, added 1" in r.output, r.output
    Path(odd).write_text("date,pain_after\n2026-05-02,11\n", encoding="utf-8")
    r = cli("pain", "import", "--athlete", athlete, odd)
    assert r.exit_code == 2 and "schmerz-\\xe4.csv:2 (column pain_after)" in _one_error_line(r)


def test_empty_and_malformed_files_say_so_once(cli, athlete, tmp_path):
    folder = tmp_path / "bad"
    folder.mkdir()
    for name in ("a.fit", "b.gpx", "c.tcx"):
        (folder / name).write_bytes(b"")
    with gzip.open(folder / "d.fit.gz", "wb"):
        pass  # an empty file, gzipped
    (folder / "e.gpx").write_text("<gpx><trk></gpx>", encoding="utf-8")
    r = cli("import", "--athlete", athlete, "--json", str(folder))
    assert r.exit_code == 1, r.output
    reasons = {Path(f["file"]).name: f["reason"] for f in json.loads(r.output)["failed"]}
    for name in ("a.fit", "b.gpx", "c.tcx", "d.fit.gz"):
        assert reasons[name] == "empty file (0 bytes): nothing to import", reasons
    assert reasons["e.gpx"] == "not well-formed XML at line 1, column 12: mismatched tag", reasons


def test_report_of_a_period_without_data_does_not_say_on_track(cli, athlete):
    cli("import", "--athlete", athlete, str(sorted(MAYA.glob("*.gpx"))[0]))
    for args in (["--week", "2020-W10"], ["--week", "2040-W10"], ["--from", "2020-01-01", "--to", "2020-02-01"]):
        r = cli("report", "--athlete", athlete, "--format", "json", *args)
        assert r.exit_code == 0, r.output
        status = json.loads(r.output)["status"]
        assert status["level"] == "no-data" and status["label"] == "No data", status
        assert "nothing to judge" in status["summary"]
    r = cli("report", "--athlete", "ana", "--week", "2026-W25")  # the week with data is judged as before
    assert "Status: " in r.output and "NO DATA" not in r.output, r.output
    r = cli("athlete", "add", "nobody", "--name", "No Runs")
    r = cli("report", "--athlete", "nobody")
    assert "Status: NO DATA - Nothing recorded in" in r.output, r.output


def test_pain_in_the_future_is_refused(cli, athlete, tmp_path):
    from datetime import date, timedelta

    ahead = (date.today() + timedelta(days=30)).isoformat()
    r = cli("pain", "add", "--athlete", athlete, "--date", ahead, "--pain-after", "3", "--no-input")
    assert r.exit_code == 2 and "is in the future" in _one_error_line(r)
    csv_file = tmp_path / "pain.csv"
    csv_file.write_text(f"date,pain_after\n2026-05-01,2\n{ahead},3\n", encoding="utf-8")
    r = cli("pain", "import", "--athlete", athlete, str(csv_file))
    assert r.exit_code == 2 and f"pain.csv:3 (column date): {ahead} is in the future" in _one_error_line(r)
    tomorrow = (date.today() + timedelta(days=1)).isoformat()  # a time zone ahead of this machine
    r = cli("pain", "add", "--athlete", athlete, "--date", tomorrow, "--pain-after", "3", "--no-input")
    assert r.exit_code == 0, r.output
    assert cli("pain", "list", "--athlete", athlete, "--format", "json").output.count('"date"') == 1
