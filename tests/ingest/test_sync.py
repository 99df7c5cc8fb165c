"""Sources that sync: runload source add|list|remove and runload sync (quiet under cron, a missing
folder named and the other sources still synced, exit codes as the README's)."""

from __future__ import annotations

import json
import sqlite3

import pytest
from builders import gpx_folder


@pytest.fixture
def two(cli):
    for a, name in (("ana", "Ana Test"), ("ben", "Ben Test")):
        assert cli("athlete", "add", a, "--name", name).exit_code == 0
    return ("ana", "ben")


def test_source_add_list_remove(cli, two, tmp_path):
    watch = gpx_folder(tmp_path, "watch", {})
    r = cli("source", "add", "--athlete", "ana", str(watch))
    assert r.exit_code == 0
    assert r.output == f"Source 1 of ana: {watch} (import it now: runload sync --athlete ana)\n"
    # a relative path is stored absolute, the same for add and remove
    r = cli("source", "list")
    assert r.output.splitlines()[0].split() == ["id", "athlete", "path", "last", "sync", "(UTC)", "last", "result"]
    assert r.output.splitlines()[2].split() == ["1", "ana", str(watch), "never", "-"]
    listed = json.loads(cli("source", "list", "--format", "json").output)
    assert [(s["id"], s["athlete"], s["path"], s["last_sync_utc"], s["last_result"]) for s in listed] == \
        [(1, "ana", str(watch), None, None)]
    r = cli("source", "add", "--athlete", "ana", str(watch))
    assert r.exit_code == 2
    assert r.output == f"Error: {watch}: is already a source of this athlete (see: runload source list)\n"
    r = cli("source", "add", "--athlete", "ben", str(watch))
    assert r.exit_code == 2
    assert r.output == f"Error: {watch}: is already a source of athlete 'ana' (see: runload source list)\n"
    r = cli("source", "add", "--athlete", "ana", str(tmp_path / "nope"))
    assert r.exit_code == 2 and r.output == f"Error: {tmp_path / 'nope'}: no such file or folder\n"
    r = cli("source", "add", "--athlete", "zed", str(watch))
    assert r.exit_code == 2 and r.output == "Error: unknown athlete 'zed' (see: runload athlete list)\n"
    r = cli("source", "remove", "--athlete", "ben", str(watch))
    assert r.exit_code == 2 and r.output == f"Error: {watch}: is not a source of athlete 'ben' (see: runload source list)\n"
    r = cli("source", "remove", "--athlete", "ana", str(watch) + "/.")
    assert r.exit_code == 0 and r.output == f"Removed source 1 of ana: {watch} (its activities stay)\n"
    assert cli("source", "list").output == "No sources yet: runload source add --athlete ID PATH\n"


def test_relative_and_home_paths_are_stored_absolute(cli, two, tmp_path, monkeypatch):
    gpx_folder(tmp_path, "home/Downloads", {})
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)
    assert cli("source", "add", "--athlete", "ana", "~/Downloads").exit_code == 0
    assert cli("source", "add", "--athlete", "ben", "home/Downloads").exit_code == 2  # the same folder
    assert [s["path"] for s in json.loads(cli("source", "list", "--json").output)] == \
        [str(tmp_path / "home" / "Downloads")]


def test_sync_imports_new_files_and_is_quiet_when_nothing_is_new(cli, two, tmp_path, store_path):
    ana = gpx_folder(tmp_path, "ana-watch", {"2026-10-12": 5.0, "2026-10-14": 8.0})
    ben = gpx_folder(tmp_path, "ben-exports", {"2026-10-13": 10.0})
    assert cli("source", "add", "--athlete", "ana", str(ana)).exit_code == 0
    assert cli("source", "add", "--athlete", "ben", str(ben)).exit_code == 0
    r = cli("sync")
    assert r.exit_code == 0
    assert r.output == (f"ana: {ana}: imported 2 files (2 activities); 0 duplicates; 0 already known; 0 failed\n"
                        f"ben: {ben}: imported 1 files (1 activities); 0 duplicates; 0 already known; 0 failed\n")
    # what it stored is what `runload import` would have: 5 + 8 km for ana in the week of 10-12
    weeks = json.loads(cli("weeks", "--athlete", "ana", "--format", "json").output)
    assert [(w["week_start"], w["runs"], w["distance_km"]) for w in weeks] == [("2026-10-12", 2, 13.0)]
    # under cron, a sync with nothing new prints nothing at all
    r = cli("sync")
    assert r.exit_code == 0 and r.output == ""
    r = cli("sync", "--verbose")
    assert r.output == (f"ana: {ana}: nothing new (2 already known)\n"
                        f"ben: {ben}: nothing new (1 already known)\n")
    # the watch syncs one more run: only ana's new file is read and reported
    gpx_folder(tmp_path, "ana-watch", {"2026-10-16": 6.0})
    r = cli("sync")
    assert r.output == f"ana: {ana}: imported 1 files (1 activities); 0 duplicates; 2 already known; 0 failed\n"
    listed = {s["athlete"]: s for s in json.loads(cli("source", "list", "--json").output)}
    assert listed["ana"]["last_result"] == "imported 1 files (1 activities); 0 duplicates; 2 already known; 0 failed"
    assert listed["ben"]["last_result"] == "nothing new (1 already known)"
    assert listed["ana"]["last_sync_utc"] is not None


def test_sync_json_summary(cli, two, tmp_path):
    ana = gpx_folder(tmp_path, "ana-watch", {"2026-10-12": 5.0})
    (ana / "broken.fit").write_bytes(b"\x0e\x10garbage")
    empty = gpx_folder(tmp_path, "ben-new-folder", {})
    cli("source", "add", "--athlete", "ana", str(ana))
    cli("source", "add", "--athlete", "ben", str(empty))
    r = cli("sync", "--format", "json")
    assert r.exit_code == 1  # a file failed
    out = json.loads(r.output)
    assert (out["imported"], out["activities"], out["failed"], out["missing"]) == (1, 1, 1, 0)
    a, b = out["sources"]
    assert (a["athlete"], a["status"], a["imported"], a["skipped"], [f["file"] for f in a["failed"]]) == \
        ("ana", "imported", 1, 0, [str(ana / "broken.fit")])
    # a sync folder with nothing in it yet is not a failure
    assert (b["athlete"], b["status"], b["imported"], b["failed"]) == ("ben", "empty", 0, [])


def test_a_failed_file_is_reported_each_sync_and_exits_1(cli, two, tmp_path):
    ana = gpx_folder(tmp_path, "ana-watch", {})
    (ana / "broken.gpx").write_text("<gpx")
    cli("source", "add", "--athlete", "ana", str(ana))
    r = cli("sync")
    assert r.exit_code == 1
    lines = r.output.splitlines()
    assert lines[0] == f"ana: {ana}: imported 0 files (0 activities); 0 duplicates; 0 already known; 1 failed"
    assert lines[1].startswith(f"  failed: {ana / 'broken.gpx'}: ")
    assert len(lines) == 2


def test_a_missing_source_is_named_and_the_others_still_sync(cli, two, tmp_path):
    gone = gpx_folder(tmp_path, "usb-drive", {"2026-10-12": 5.0})
    ben = gpx_folder(tmp_path, "ben-exports", {"2026-10-13": 10.0})
    cli("source", "add", "--athlete", "ana", str(gone))
    cli("source", "add", "--athlete", "ben", str(ben))
    gone.rename(tmp_path / "unmounted")
    r = cli("sync")
    assert r.exit_code == 2
    assert r.stderr == f"Error: ana: {gone}: source is missing (no such file or folder); the other sources were synced\n"
    assert r.stdout == f"ben: {ben}: imported 1 files (1 activities); 0 duplicates; 0 already known; 0 failed\n"
    listed = {s["athlete"]: s["last_result"] for s in json.loads(cli("source", "list", "--json").output)}
    assert listed == {"ana": "missing: no such file or folder",
                      "ben": "imported 1 files (1 activities); 0 duplicates; 0 already known; 0 failed"}
    out = json.loads(cli("sync", "--json").output)
    assert out["missing"] == 1 and out["sources"][0]["status"] == "missing"


def test_sync_only_some_athletes(cli, two, tmp_path):
    ana = gpx_folder(tmp_path, "a", {"2026-10-12": 5.0})
    ben = gpx_folder(tmp_path, "b", {"2026-10-13": 10.0})
    cli("source", "add", "--athlete", "ana", str(ana))
    cli("source", "add", "--athlete", "ben", str(ben))
    r = cli("sync", "--athlete", "ben")
    assert r.output == f"ben: {ben}: imported 1 files (1 activities); 0 duplicates; 0 already known; 0 failed\n"
    r = cli("sync", "--athlete", "nobody")
    assert r.exit_code == 2 and r.output == "Error: unknown athlete 'nobody' (see: runload athlete list)\n"


def test_no_sources_is_quiet_unless_asked(cli, two):
    assert cli("sync").output == ""
    assert cli("sync", "--verbose").output == "No sources to sync: runload source add --athlete ID PATH\n"


def test_hostile_folder_names_are_shown_not_obeyed(cli, two, tmp_path):
    odd = gpx_folder(tmp_path, "watch\x1b]0;pwned\x07", {"2026-10-12": 5.0})
    r = cli("source", "add", "--athlete", "ana", str(odd))
    assert r.exit_code == 0 and "\x1b" not in r.output and "\\x1b]0;pwned\\x07" in r.output
    r = cli("sync")
    assert "\x1b" not in r.output and "\x07" not in r.output and len(r.output.splitlines()) == 1


def test_deleting_an_athlete_leaves_no_orphan_sources(cli, two, tmp_path, store_path):
    cli("source", "add", "--athlete", "ana", str(gpx_folder(tmp_path, "a", {})))
    conn = sqlite3.connect(store_path)
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("DELETE FROM athletes WHERE id = 'ana'")
    conn.commit()
    assert conn.execute("SELECT count(*) FROM sources").fetchone()[0] == 0
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
