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


# ---------------------------------------------------------------- what a newcomer trips over

def test_mistyped_command_names_the_closest(cli):
    r = cli("atlete", "list")
    assert r.exit_code == 2 and "No such command 'atlete'" in r.output and "'athlete'" in r.output
    r = cli("athlete", "lst")
    assert r.exit_code == 2 and "No such command 'lst'" in r.output and "'list'" in r.output
    r = cli("pain", "stauts")
    assert r.exit_code == 2 and "'status'" in r.output
    r = cli("nothing-like-it")
    assert r.exit_code == 2 and "No such command 'nothing-like-it'." in r.output and "Did you mean" not in r.output
    r = cli("athlete", "list", "--jsno")  # options: click's own suggestion
    assert r.exit_code == 2 and "--json" in r.output


def test_mistyped_athlete_names_the_closest(cli, athlete, store_path):
    cli("athlete", "add", "maya", "--name", "Maya")
    before = store_path.read_bytes()
    for args in (["weeks", "--athlete", "mya"], ["athlete", "show", "mya"], ["pain", "list", "--athlete", "mya"],
                 ["roster", "--athlete", "ana", "--athlete", "mya"]):
        r = cli(*args)
        assert r.exit_code == 2, args
        assert r.output.strip() == "Error: unknown athlete 'mya': did you mean 'maya'? (see: runload athlete list)"
    assert store_path.read_bytes() == before


def test_mistyped_time_zone_names_the_closest(cli, athlete, store_path):
    r = cli("athlete", "add", "x", "--name", "X", "--timezone", "Europe/Stokholm")
    assert r.exit_code == 2
    assert r.output.strip() == ("Error: unknown time zone 'Europe/Stokholm' (use an IANA name such as "
                                "Europe/Stockholm): did you mean 'Europe/Stockholm'?")
    r = cli("athlete", "edit", "ana", "--timezone", "america/new york")
    assert r.exit_code == 2 and "did you mean 'America/New_York'?" in r.output
    assert "Europe/Stockholm" in cli("athlete", "show", "ana").output


def test_athlete_list_on_a_new_machine_is_empty(cli, store_path):
    r = cli("athlete", "list")
    assert r.exit_code == 0 and r.output == "No athletes yet: runload athlete add ID --name NAME\n"
    r = cli("athlete", "list", "--json")
    assert r.exit_code == 0 and json.loads(r.output) == []
    r = cli("coach", "list", "--format", "json")
    assert r.exit_code == 0 and json.loads(r.output) == []
    assert not store_path.exists()  # listing never creates a store


def test_coach_add_updates_without_email(cli, athlete):
    assert cli("athlete", "add", "ben", "--name", "Ben").exit_code == 0
    r = cli("coach", "add", "cora", "--email", "cora@example.org", "--athlete", "ana")
    assert r.exit_code == 0, r.output
    r = cli("coach", "add", "cora", "--athlete", "ben")
    assert r.exit_code == 0, r.output
    assert r.output.strip() == "Updated coach cora: now also follows ben. Follows: ana, ben"
    r = cli("coach", "add", "cora", "--name", "Cora Coach")
    assert r.exit_code == 0 and "name - -> Cora Coach" in r.output
    [coach] = json.loads(cli("coach", "list", "--json").output)
    assert coach == {"id": "cora", "name": "Cora Coach", "email": "cora@example.org", "athletes": ["ana", "ben"]}
    r = cli("coach", "add", "dan", "--athlete", "ana")
    assert r.exit_code == 2
    assert r.output.strip() == "Error: coach 'dan' is new: give their --email (where the weekly roster goes)"


def _a_run(folder, day: str, km: float = 8.0):
    """A GPX run on ``day`` (UTC noon), ``km`` long on a straight line north."""
    points = "".join(f'<trkpt lat="{59 + i * km / 111 / 20:.6f}" lon="18.0"><time>{day}T12:{i * 2:02d}:00Z</time>'
                     f"</trkpt>" for i in range(21))
    path = folder / f"{day}.gpx"
    path.write_text('<?xml version="1.0"?><gpx version="1.1" creator="t" xmlns="http://www.topografix.com/GPX/1/1">'
                    f"<trk><type>running</type><trkseg>{points}</trkseg></trk></gpx>")
    return path


def test_roster_and_site_on_a_monday_show_the_last_complete_week(cli, athlete, tmp_path, monkeypatch):
    runs = tmp_path / "runs"
    runs.mkdir()
    for day in ("2026-10-13", "2026-10-15", "2026-10-17"):
        _a_run(runs, day)
    assert cli("import", "--athlete", "ana", str(runs)).exit_code == 0
    monkeypatch.setenv("RUNLOAD_TODAY", "2026-10-19")  # a Monday: nobody has run in the new week yet
    r = cli("roster", "--json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.output)["period"]["label"] == "2026-W42"
    r = cli("site", str(tmp_path / "site"))
    assert r.exit_code == 0 and "the roster of week 2026-W42" in r.output
    r = cli("roster", "--week", "this", "--json")  # asked for: the new, empty week
    assert json.loads(r.output)["period"]["label"] == "2026-W43"
    _a_run(runs, "2026-10-19")  # Monday's run: the new week has data
    assert cli("import", "--athlete", "ana", str(runs)).exit_code == 0
    assert json.loads(cli("roster", "--json").output)["period"]["label"] == "2026-W43"


# ---------------------------------------------------------------- one grammar

def test_output_options_are_the_same_everywhere(cli, athlete, tmp_path):
    # --json is --format json; table, the old name of text, is still read; -o writes the file
    assert json.loads(cli("athlete", "list", "--json").output) == json.loads(
        cli("athlete", "list", "--format", "json").output)
    assert cli("athlete", "list", "--format", "table").output == cli("athlete", "list").output
    out = tmp_path / "athletes.json"
    r = cli("athlete", "list", "--json", "-o", str(out))
    assert r.exit_code == 0 and r.output == f"Wrote {out}\n"
    assert json.loads(out.read_text())[0]["id"] == "ana"
    assert oct(out.stat().st_mode & 0o777) == "0o600"


def test_exit_codes_keep_their_values():
    from runload.cli.exit_codes import ExitCode

    assert (ExitCode.OK, ExitCode.FINDINGS, ExitCode.FAILED, ExitCode.USAGE, ExitCode.INPUT_ERROR) == (0, 1, 1, 2, 2)
