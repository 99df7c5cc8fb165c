"""`runload export`: activities, weeks, findings and pain entries as CSV and JSON, safe for a
spreadsheet; the activities CSV imports again and gives the same weeks."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from conftest import SAMPLES
from builders import gpx_run

MAYA = SAMPLES / "maya"


@pytest.mark.slow  # imports a sample athlete's whole history
def test_export_then_reimport_matches_the_weeks_table(cli, tmp_path: Path) -> None:
    for who in ("maya", "copy"):
        assert cli("athlete", "add", who, "--name", who.title(), "--timezone", "Europe/Stockholm").exit_code == 0
    assert cli("import", "--athlete", "maya", str(MAYA)).exit_code == 0
    assert cli("pain", "import", "--athlete", "maya", str(MAYA / "pain.csv")).exit_code == 0
    first = json.loads(cli("activity", "list", "--athlete", "maya", "--json").output)[0]
    assert cli("activity", "set", str(first["id"]), "--distance-km", "6").exit_code == 0  # a correction counts too
    out = tmp_path / "for-physio"
    r = cli("export", "--athlete", "maya", str(out))
    assert r.exit_code == 0, r.output
    assert r.output == (f"Exported maya to {out}: 103 activities, 20 weeks, 4 findings, 22 pain entries "
                        "(activities.csv, activities.json, weeks.csv, weeks.json, findings.csv, findings.json, "
                        "pain.csv, pain.json).\n")
    assert sorted(p.name for p in out.iterdir()) == ["activities.csv", "activities.json", "findings.csv",
                                                     "findings.json", "pain.csv", "pain.json", "weeks.csv",
                                                     "weeks.json"]
    assert (out / "weeks.csv").read_text(encoding="utf-8") == cli("weeks", "--athlete", "maya", "--format", "csv").output
    rows = list(csv.DictReader((out / "activities.csv").open(encoding="utf-8", newline="")))
    assert len(rows) == 103
    assert (rows[0]["distance_km"], rows[0]["recorded_distance_km"]) == ("6.0", "5.2")
    findings = json.loads((out / "findings.json").read_text(encoding="utf-8"))
    assert len(list(csv.DictReader((out / "findings.csv").open(encoding="utf-8", newline="")))) == len(findings) == 4
    r = cli("import", "--athlete", "copy", str(out / "activities.csv"))
    assert r.exit_code == 0 and r.output.startswith("Imported 1 files (103 activities); 0 duplicates")
    for fmt in ("csv", "json"):
        assert cli("weeks", "--athlete", "copy", "--format", fmt).output == \
            cli("weeks", "--athlete", "maya", "--format", fmt).output
    r = cli("pain", "import", "--athlete", "copy", str(out / "pain.csv"))
    assert r.exit_code == 0 and "added 22" in r.output
    copied = json.loads(cli("pain", "list", "--athlete", "copy", "--format", "json").output)
    mine = json.loads(cli("pain", "list", "--athlete", "maya", "--format", "json").output)
    assert [{k: v for k, v in e.items() if k != "id"} for e in copied] == \
        [{k: v for k, v in e.items() if k != "id"} for e in mine]
    # into the same athlete again: every run is a duplicate of itself, nothing added
    r = cli("import", "--athlete", "maya", str(out / "activities.csv"))
    assert r.output.startswith("Imported 0 files (0 activities); 103 duplicates")


def test_export_is_safe_in_a_spreadsheet_and_reads_back(cli, tmp_path: Path) -> None:
    for who in ("ana", "copy"):
        cli("athlete", "add", who, "--name", who.title())
    (tmp_path / "r.gpx").write_bytes(gpx_run().replace(b"<name>Morning</name>", b"<name>=HYPERLINK(\"x\")</name>"))
    cli("import", "--athlete", "ana", str(tmp_path / "r.gpx"))
    cli("shoe", "add", "--athlete", "ana", "@SUM(A1)")
    cli("activity", "set", "1", "--shoe", "@SUM(A1)")
    cli("export", "--athlete", "ana", str(tmp_path / "x"))
    row = next(csv.DictReader((tmp_path / "x" / "activities.csv").open(encoding="utf-8", newline="")))
    assert (row["name"], row["shoe"], row["recorded_shoe"]) == ("'=HYPERLINK(\"x\")", "'@SUM(A1)", "")
    assert cli("import", "--athlete", "copy", str(tmp_path / "x" / "activities.csv")).exit_code == 0
    back = json.loads(cli("activity", "list", "--athlete", "copy", "--json").output)[0]
    assert (back["name"], back["gear"]) == ("=HYPERLINK(\"x\")", "@SUM(A1)")


def test_a_damaged_activities_csv_fails_with_its_line(cli, tmp_path: Path) -> None:
    cli("athlete", "add", "ana", "--name", "Ana")
    (tmp_path / "r.gpx").write_bytes(gpx_run())
    cli("import", "--athlete", "ana", str(tmp_path / "r.gpx"))
    cli("export", "--athlete", "ana", str(tmp_path / "x"))
    text = (tmp_path / "x" / "activities.csv").read_text(encoding="utf-8")
    header, row = text.splitlines()[:2]
    for bad, reason in ((row.replace(",running,", ",flying,"), "column sport: 'flying' is not a sport runload knows"),
                        (row.replace("2024-05-06T07:00:00+00:00", "yesterday"), "column start_utc: 'yesterday' is not"),
                        (row.replace("2024-05-06T07:00:00+00:00", "9019-05-06T07:00:00+00:00"), "starts on 9019-05-06"),
                        (row + ",extra", "cells where the header has")):
        (tmp_path / "bad.csv").write_text(f"{header}\n{row}\n{bad}\n", encoding="utf-8")
        r = cli("import", "--athlete", "ana", str(tmp_path / "bad.csv"), "--json")
        assert r.exit_code == 1, r.output
        failed = json.loads(r.output)["failed"]
        assert failed[0]["file"] == str(tmp_path / "bad.csv") and reason in failed[0]["reason"], failed
        if "9019" not in bad:
            assert "line 3" in failed[0]["reason"]
    r = cli("export", "--athlete", "nobody", str(tmp_path / "y"))
    assert r.exit_code == 2 and not (tmp_path / "y").exists()
