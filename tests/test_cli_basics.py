"""The command line: help, athletes, bad input gives one line, exit 2 and writes nothing."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from conftest import REAL, needs_real

from runload.cli import COMMANDS


def test_every_command_has_help(cli):
    r = cli("--help")
    assert r.exit_code == 0
    for name in COMMANDS:
        assert name in r.output
        sub = cli(name, "--help")
        assert sub.exit_code == 0, name
        assert "Usage:" in sub.output


def test_help_does_not_import_pandas_or_matplotlib():
    code = "import sys, runload.cli as c; c.main(['--help'], standalone_mode=False); " \
           "print(sorted(m for m in ('pandas', 'matplotlib') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().endswith("[]")


def test_python_dash_m_runs():
    r = subprocess.run([sys.executable, "-m", "runload", "--version"], capture_output=True, text=True)
    assert r.returncode == 0 and "runload" in r.stdout


def test_add_list_show_athlete(cli, athlete):
    r = cli("athlete", "list")
    assert r.exit_code == 0
    assert "ana" in r.output and "Ana Test" in r.output and "Europe/Stockholm" in r.output
    r = cli("athlete", "show", "ana", "--json")
    data = json.loads(r.output)
    assert data["timezone"] == "Europe/Stockholm" and data["activities"] == 0


def test_duplicate_athlete_is_an_error(cli, athlete):
    r = cli("athlete", "add", "ana", "--name", "Again")
    assert r.exit_code == 2
    assert r.output.strip() == "Error: athlete 'ana' already exists"


def test_bad_timezone_rejected_and_nothing_written(cli, store_path):
    r = cli("athlete", "add", "x", "--name", "X", "--timezone", "Mars/Olympus")
    assert r.exit_code == 2
    assert "unknown time zone 'Mars/Olympus'" in r.output
    assert "Traceback" not in r.output
    assert not store_path.exists()


def test_unknown_athlete_one_line_exit_2_nothing_written(cli, store_path, athlete):
    before = store_path.read_bytes()
    for args in (["weeks", "--athlete", "nobody"], ["check", "--athlete", "nobody"],
                 ["report", "--athlete", "nobody"], ["athlete", "show", "nobody"]):
        r = cli(*args)
        assert r.exit_code == 2, args
        assert r.output.strip() == "Error: unknown athlete 'nobody' (see: runload athlete list)"
    assert store_path.read_bytes() == before


def test_missing_file_exit_2_nothing_written(cli, store_path, athlete, tmp_path):
    before = store_path.read_bytes()
    r = cli("import", "--athlete", "ana", str(tmp_path / "nope.fit"))
    assert r.exit_code == 2
    assert r.output.strip() == f"Error: {tmp_path / 'nope.fit'}: no such file or folder"
    assert store_path.read_bytes() == before


def test_no_store_yet_is_a_clear_error(cli, store_path):
    r = cli("weeks", "--athlete", "ana")
    assert r.exit_code == 2
    assert r.output.strip().startswith(f"Error: {store_path}: no store here yet")
    assert not store_path.exists()


def test_unreadable_store_path(cli, tmp_path):
    not_a_store = tmp_path / "notes.txt"
    not_a_store.write_text("hello, this is not SQLite " * 50)
    r = cli("--store", str(not_a_store), "athlete", "list")
    assert r.exit_code == 2
    assert str(not_a_store) in r.output and "Traceback" not in r.output
    assert len(r.output.strip().splitlines()) == 1
    folder = tmp_path / "a-folder"
    folder.mkdir()
    r = cli("athlete", "list", "--store", str(folder))
    assert r.exit_code == 2 and "is a directory" in r.output
    from runload.store import Store
    from runload.errors import StoreError
    import pytest
    with pytest.raises(StoreError, match="is a folder"):
        Store.open(folder)


def test_store_option_and_env(cli, tmp_path, monkeypatch):
    other = tmp_path / "other.sqlite"
    r = cli("athlete", "add", "bo", "--name", "Bo", "--store", str(other))
    assert r.exit_code == 0 and other.exists()
    assert "bo" in cli("--store", str(other), "athlete", "list").output
    monkeypatch.setenv("RUNLOAD_STORE", str(other))
    assert "bo" in cli("athlete", "list").output


def test_bad_week(cli, athlete):
    r = cli("check", "--athlete", "ana", "--week", "2026-33")
    assert r.exit_code == 2 and "YYYY-Www" in r.output


@pytest.mark.slow  # every real file
@needs_real
def test_import_real_files_and_report(cli, athlete):
    r = cli("import", "--athlete", "ana", str(REAL / "tcx" / "test.tcx"), str(REAL / "tcx" / "malformed.tcx"),
            "--json")
    assert r.exit_code == 1  # one file failed
    summary = json.loads(r.output)
    assert summary["imported"] == 1
    assert [f["file"] for f in summary["failed"]] == [str(REAL / "tcx" / "malformed.tcx")]
    weeks = json.loads(cli("weeks", "--athlete", "ana", "--format", "json").output)
    assert weeks == [{"week_start": "2012-12-24", "distance_km": 4.69, "duration_s": weeks[0]["duration_s"],
                      "runs": 1, "longest_run_km": 4.69, "change_pct": None, "base_too_small": False,
                      "no_data": False, "complete": False,  # one day of a week: not complete
                      "trimp": None, "trimp_formula": None}]
    r = cli("report", "--athlete", "ana", "--week", "2012-W52")
    assert r.exit_code == 0 and "2012-W52" in r.output and "not a diagnosis" in r.output


def test_missing_config_named_by_env_is_an_error(cli, athlete, tmp_path, monkeypatch):
    monkeypatch.setenv("RUNLOAD_CONFIG", str(tmp_path / "nope.toml"))
    r = cli("check", "--athlete", "ana")
    assert r.exit_code == 2
    assert r.output.strip() == f"Error: {tmp_path / 'nope.toml'}: no such config file (set by RUNLOAD_CONFIG)"
    (tmp_path / "bad.toml").write_text("[rules\n")
    monkeypatch.setenv("RUNLOAD_CONFIG", str(tmp_path / "bad.toml"))
    r = cli("check", "--athlete", "ana")
    assert r.exit_code == 2 and "not valid TOML" in r.output and "bad.toml" in r.output
