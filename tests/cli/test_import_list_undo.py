"""Every import has an id: `runload import list` shows it, `runload import undo` removes exactly
what it added and puts back the duplicates it replaced; nothing is left orphaned."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from conftest import SAMPLES
from builders import fit_run, gpx_run, store_is_sound

pytestmark = pytest.mark.slow  # watch files imported end to end

MAYA = SAMPLES / "maya"


def _times(text: str) -> str:
    return re.sub(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC", "WHEN", text)


def _add(cli, *ids: str) -> None:
    for i in ids:
        assert cli("athlete", "add", i, "--name", i.title(), "--timezone", "Europe/Stockholm").exit_code == 0


def test_import_list_shows_each_import_with_its_id_and_counts(cli, tmp_path: Path) -> None:
    _add(cli, "ana")
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "run.fit").write_bytes(fit_run())
    (tmp_path / "a" / "bad.tcx").write_text("<TrainingCenterDatabase>", encoding="utf-8")
    r = cli("import", "--athlete", "ana", str(tmp_path / "a"), "--json")
    assert r.exit_code == 1 and json.loads(r.output)["import_id"] == 1
    r = cli("import", "--athlete", "ana", str(tmp_path / "a"))
    assert r.exit_code == 1
    r = cli("import", "list", "--athlete", "ana")
    assert r.exit_code == 0, r.output
    path = str(tmp_path / "a")
    lines = _times(r.output).splitlines()
    assert lines[0].split() == ["id", "started", "files", "activities", "duplicates", "known", "failed", "now", "paths"]
    assert lines[2].split() == ["1", "WHEN", "1", "1", "0", "0", "1", "1", "stored", path]
    assert lines[3].split() == ["2", "WHEN", "0", "0", "0", "1", "1", "0", "stored", path]
    listed = json.loads(cli("import", "list", "--athlete", "ana", "--format", "json").output)
    assert [(i["id"], i["files"], i["activities"], i["skipped"], i["failed"], i["paths"], i["activities_now"])
            for i in listed] == [(1, 1, 1, 0, 1, [path], 1), (2, 0, 0, 1, 1, [path], 0)]
    assert all(i["finished_utc"] and i["undone_utc"] is None for i in listed)
    r = cli("import", "list", "--athlete", "nobody")
    assert r.exit_code == 2 and "unknown athlete 'nobody'" in r.output


@pytest.mark.slow  # imports a sample athlete's whole history
def test_wrong_athlete_undo_right_athlete_equals_a_clean_import(cli, tmp_path: Path, store_path: Path) -> None:
    _add(cli, "maya", "ben", "clean")
    assert cli("import", "--athlete", "clean", str(MAYA)).exit_code == 0
    assert cli("import", "--athlete", "ben", str(MAYA)).exit_code == 0  # the wrong athlete: import 2
    r = cli("import", "undo", "2")
    assert r.exit_code == 0, r.output
    assert r.output == "Undid import 2 of ben: removed 103 activities; 103 files will be read again by the next import.\n"
    store_is_sound(store_path)
    assert cli("activity", "list", "--athlete", "ben", "--json").output.strip() == "[]"
    assert cli("weeks", "--athlete", "ben", "--format", "json").output.strip() == "[]"
    r = cli("import", "--athlete", "maya", str(MAYA))
    assert r.exit_code == 0 and r.output.startswith("Imported 103 files (103 activities); 0 duplicates; 0 already known")
    for fmt in ("csv", "json"):
        assert cli("weeks", "--athlete", "maya", "--format", fmt).output == \
            cli("weeks", "--athlete", "clean", "--format", fmt).output
    mine = json.loads(cli("activity", "list", "--athlete", "maya", "--json").output)
    clean = json.loads(cli("activity", "list", "--athlete", "clean", "--json").output)
    strip = ("id", "import_id")
    assert [{k: v for k, v in a.items() if k not in strip} for a in mine] == \
        [{k: v for k, v in a.items() if k not in strip} for a in clean]
    # the undone import is listed as undone; its folder can go into ben again (nothing is "known")
    listed = json.loads(cli("import", "list", "--athlete", "ben", "--json").output)
    assert listed[0]["undone_utc"] and listed[0]["activities_now"] == 0
    r = cli("import", "undo", "2")
    assert r.exit_code == 2 and "import 2 was already undone" in r.output
    assert cli("import", "--athlete", "ben", str(MAYA)).output.startswith("Imported 103 files")
    store_is_sound(store_path)


def test_undo_puts_back_the_duplicate_it_replaced(cli, tmp_path: Path, store_path: Path) -> None:
    _add(cli, "ana")
    (tmp_path / "copy.gpx").write_bytes(gpx_run())  # the poorer copy: distance from the track
    (tmp_path / "watch.fit").write_bytes(fit_run())  # the same run from the watch: a summary, laps
    assert cli("import", "--athlete", "ana", str(tmp_path / "copy.gpx")).exit_code == 0
    before = json.loads(cli("activity", "list", "--athlete", "ana", "--json").output)
    r = cli("import", "--athlete", "ana", str(tmp_path / "watch.fit"))
    assert r.exit_code == 0
    # (activities keep their file's name relative to what the import named: no local paths)
    assert f"duplicate: {tmp_path / 'watch.fit'} (kept {tmp_path / 'watch.fit'}, replacing copy.gpx)" \
        in r.output
    replaced = json.loads(cli("activity", "list", "--athlete", "ana", "--json").output)
    assert [a["source_file"] for a in replaced] == ["watch.fit"]
    assert json.loads(cli("import", "list", "--athlete", "ana", "--json").output)[1]["replaced"] == 1
    r = cli("import", "undo", "2")
    assert r.output == ("Undid import 2 of ana: removed 1 activity; put back 1 replaced copy; 1 file will be read "
                        "again by the next import.\n")
    after = json.loads(cli("activity", "list", "--athlete", "ana", "--json").output)
    assert after == before  # the GPX copy, exactly as it was (same id, same values)
    store_is_sound(store_path)
    # undoing the first import now leaves nothing, and the watch file imports again as new
    assert cli("import", "undo", "1").exit_code == 0
    assert json.loads(cli("activity", "list", "--athlete", "ana", "--json").output) == []
    assert cli("import", "--athlete", "ana", str(tmp_path / "watch.fit")).output.startswith("Imported 1 files")
    store_is_sound(store_path)


def test_undo_of_an_import_replaced_since_does_not_bring_its_row_back(cli, tmp_path: Path, store_path: Path) -> None:
    _add(cli, "ana")
    (tmp_path / "copy.gpx").write_bytes(gpx_run())
    (tmp_path / "watch.fit").write_bytes(fit_run())
    cli("import", "--athlete", "ana", str(tmp_path / "copy.gpx"))  # 1
    cli("import", "--athlete", "ana", str(tmp_path / "watch.fit"))  # 2 replaces 1's run
    assert cli("import", "undo", "1").output.startswith("Undid import 1 of ana: removed 0 activities;")
    assert cli("import", "undo", "2").output.startswith("Undid import 2 of ana: removed 1 activity;")  # nothing back
    assert json.loads(cli("activity", "list", "--athlete", "ana", "--json").output) == []
    store_is_sound(store_path)


def test_undo_of_corrected_activities_asks_and_needs_yes_in_scripts(cli, tmp_path: Path, store_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    _add(cli, "ana")
    (tmp_path / "watch.fit").write_bytes(fit_run())
    cli("import", "--athlete", "ana", str(tmp_path / "watch.fit"))
    act = json.loads(cli("activity", "list", "--athlete", "ana", "--json").output)[0]
    assert cli("activity", "set", str(act["id"]), "--rpe", "6").exit_code == 0
    r = cli("import", "undo", "1")  # no terminal under CliRunner
    assert r.exit_code == 2
    assert r.output == ("Error: not undoing import 1: 1 activity of import 1 was corrected since without --yes "
                        "(no terminal to ask on)\n")
    assert len(json.loads(cli("activity", "list", "--athlete", "ana", "--json").output)) == 1  # nothing changed
    monkeypatch.setattr("runload.cli._common.can_ask", lambda no_input=False: True)
    r = cli("import", "undo", "1", input="n\n")
    assert r.exit_code == 1 and "corrected since (runload activity show ID): undo it all the same? [y/N]" in r.output
    assert len(json.loads(cli("activity", "list", "--athlete", "ana", "--json").output)) == 1
    r = cli("import", "undo", "1", input="y\n")
    assert r.exit_code == 0 and "Undid import 1 of ana: removed 1 activity;" in r.output
    store_is_sound(store_path)


def test_undo_with_yes_and_unknown_ids(cli, tmp_path: Path) -> None:
    _add(cli, "ana")
    (tmp_path / "watch.fit").write_bytes(fit_run())
    cli("import", "--athlete", "ana", str(tmp_path / "watch.fit"))
    act = json.loads(cli("activity", "list", "--athlete", "ana", "--json").output)[0]
    cli("activity", "set", str(act["id"]), "--distance-km", "2")
    assert cli("import", "undo", "1", "--yes").exit_code == 0
    r = cli("import", "undo", "7")
    assert r.exit_code == 2 and r.output == "Error: no import with id 7 (see: runload import list --athlete ID)\n"
    r = cli("import", "undo", "x")
    assert r.exit_code == 2


def test_a_path_named_list_is_still_a_path(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _add(cli, "ana")
    (tmp_path / "list").mkdir()
    (tmp_path / "list" / "run.fit").write_bytes(fit_run())
    monkeypatch.chdir(tmp_path)
    r = cli("import", "--athlete", "ana", "./list")
    assert r.exit_code == 0 and r.output.startswith("Imported 1 files (1 activities)")


def test_a_correction_outlives_a_richer_copy_and_its_undo(cli, tmp_path: Path, store_path: Path) -> None:
    _add(cli, "ana")
    (tmp_path / "copy.gpx").write_bytes(gpx_run())
    (tmp_path / "watch.fit").write_bytes(fit_run())
    cli("import", "--athlete", "ana", str(tmp_path / "copy.gpx"))
    assert cli("activity", "set", "1", "--rpe", "5", "--distance-km", "1.7").exit_code == 0
    cli("import", "--athlete", "ana", str(tmp_path / "watch.fit"))  # replaces the GPX copy
    (now,) = json.loads(cli("activity", "list", "--athlete", "ana", "--json").output)
    assert now["source_file"] == "watch.fit"
    assert (now["rpe"], now["distance_m"]) == (5.0, 1700.0)  # the person's word carried to the watch's copy
    assert now["corrections"] == {"distance_m": 1800.0, "rpe": None}  # beside what the watch recorded
    assert cli("import", "undo", "2", "--yes").exit_code == 0
    (back,) = json.loads(cli("activity", "list", "--athlete", "ana", "--json").output)
    assert (back["id"], back["source_file"], back["rpe"], back["distance_m"]) == (1, "copy.gpx", 5.0, 1700.0)
    store_is_sound(store_path)


def test_an_archive_remembered_by_another_import_is_read_again_after_undo(cli, tmp_path: Path) -> None:
    import zipfile

    _add(cli, "ana")
    (tmp_path / "watch.fit").write_bytes(fit_run())
    with zipfile.ZipFile(tmp_path / "backup.zip", "w") as z:
        z.writestr("watch.fit", fit_run())
    cli("import", "--athlete", "ana", str(tmp_path / "watch.fit"))  # 1 stores the run
    assert "1 already known" in cli("import", "--athlete", "ana", str(tmp_path / "backup.zip")).output  # 2
    cli("import", "undo", "1")
    r = cli("import", "--athlete", "ana", str(tmp_path / "backup.zip"))
    assert r.output.startswith("Imported 1 files (1 activities)")  # not skipped as an archive seen before


def test_import_list_shows_a_hostile_path_on_its_line_never_obeyed(cli, tmp_path: Path) -> None:
    _add(cli, "ana")
    folder = tmp_path / "a\nb\x1b[2J"
    folder.mkdir()
    (folder / "run.fit").write_bytes(fit_run())
    assert cli("import", "--athlete", "ana", str(folder)).exit_code == 0
    out = cli("import", "list", "--athlete", "ana").output
    assert "\x1b" not in out and len(out.splitlines()) == 3
    assert out.splitlines()[2].endswith("a\\nb\\x1b[2J")
