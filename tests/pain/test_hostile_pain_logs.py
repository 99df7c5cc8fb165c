"""Hostile pain logs, names and weeks: nothing impossible is stored, nothing reaches a terminal,
a spreadsheet or a page raw, and every refusal is one line a runner can act on."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from runload.pain.entries import MAX_CSV_ROWS
from runload.pain.log import MAX_ENTRIES_PER_DAY
from runload.store import Store
from builders import ESCAPES
from checks import raw_controls


def one_error_line(r) -> str:
    lines = r.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and "Traceback" not in r.output, r.output
    return lines[0]


def write_csv(tmp_path: Path, body: str, name: str = "pain.csv") -> Path:
    p = tmp_path / name
    p.write_text(body, encoding="utf-8")
    return p


# ---------------------------------------------------------------- values a runner cannot produce
@pytest.mark.parametrize("cell, column, message", [
    ("0001-01-01,3", "date", "0001-01-01 is before 1989-12-31, the earliest day runload takes"),
    ("1989-12-30,3", "date", "1989-12-30 is before 1989-12-31"),
    ("20261101,3", "date", "'20261101' is not a date in the form YYYY-MM-DD"),
    ("２０２６-０５-０１,3", "date", "is not a date in the form YYYY-MM-DD"),
    ("2026-05-01,1_0", "pain_after", "'1_0' is not a whole-number score from 0 to 10"),
    ("2026-05-01,\u0661\u0660", "pain_after", "is not a whole-number score from 0 to 10"),  # Arabic-Indic 10
    ("2026-05-01,+3", "pain_after", "'+3' is not a whole-number score"),
])
def test_pain_csv_takes_plain_digits_and_days_in_bounds(cli, athlete, tmp_path, store_path, cell, column, message):
    p = write_csv(tmp_path, f"date,pain_after\n2026-05-02,2\n{cell}\n")
    r = cli("pain", "import", "--athlete", athlete, str(p))
    assert r.exit_code == 2
    line = one_error_line(r)
    assert line.startswith(f"Error: {p}:3 (column {column}): ") and message in line, line
    with Store.open(store_path) as s:
        assert s.pain_entries(athlete) == []


def test_earliest_day_is_taken(cli, athlete, tmp_path):
    p = write_csv(tmp_path, "date,pain_after\n1989-12-31,2\n")
    assert cli("pain", "import", "--athlete", athlete, str(p)).exit_code == 0


@pytest.mark.parametrize("args, message", [
    (["--date", "0001-01-01", "--pain-after", "3"], "--date: 0001-01-01 is before 1989-12-31"),
    (["--date", "20261101", "--pain-after", "3"], "--date: '20261101' is not a date in the form YYYY-MM-DD"),
])
def test_pain_add_has_the_same_bounds(cli, athlete, args, message):
    r = cli("pain", "add", "--athlete", athlete, "--no-input", *args)
    assert r.exit_code == 2 and message in one_error_line(r)


def test_pain_add_and_edit_take_plain_digits_only(cli, athlete):
    for bad in ("1_0", "\u0661\u0660", "+3"):
        r = cli("pain", "add", "--athlete", athlete, "--no-input", "--pain-after", bad)
        assert r.exit_code == 2 and "is not a whole-number score from 0 to 10" in r.output, r.output
    assert cli("pain", "add", "--athlete", athlete, "--no-input", "--date", "2026-05-01", "--pain-after", "3").exit_code == 0
    r = cli("pain", "edit", "1", "--date", "0001-01-01")
    assert r.exit_code == 2 and "0001-01-01 is before 1989-12-31" in one_error_line(r)
    r = cli("pain", "edit", "1", "--stiffness", "1_0")
    assert r.exit_code == 2 and "'1_0' is not a whole-number score" in r.output


def test_pain_status_as_of_is_bounded(cli, athlete):
    r = cli("pain", "status", "--athlete", athlete, "--as-of", "0001-01-01")
    assert r.exit_code == 2 and "--as-of: 0001-01-01 is before 1989-12-31" in one_error_line(r)


def test_unterminated_quote_is_an_error_not_a_swallowed_file(cli, athlete, tmp_path, store_path):
    p = write_csv(tmp_path, 'date,pain_after,notes\n2026-05-01,2,"sore\n2026-05-02,3,fine\n2026-05-03,4,ok\n')
    r = cli("pain", "import", "--athlete", athlete, str(p))
    assert r.exit_code == 2
    assert one_error_line(r) == f'Error: {p}:2: a quoted value starts here but its closing " is missing'
    p = write_csv(tmp_path, 'date,pain_after,notes\n2026-05-01,2,"sore"x\n', "b.csv")
    r = cli("pain", "import", "--athlete", athlete, str(p))
    assert "a quoted value has more text after its closing" in one_error_line(r)
    with Store.open(store_path) as s:
        assert s.pain_entries(athlete) == []


def test_notes_with_control_characters_are_refused_and_line_breaks_kept(cli, athlete, tmp_path, store_path):
    p = write_csv(tmp_path, f'date,pain_after,notes\n2026-05-01,2,"ok\r\nthen sore"\n2026-05-02,3,"x{ESCAPES}"\n')
    r = cli("pain", "import", "--athlete", athlete, str(p))
    assert r.exit_code == 2
    line = one_error_line(r)
    assert line == f"Error: {p}:4 (column notes): holds a control character (\\x1b); notes are plain text"
    r = cli("pain", "add", "--athlete", athlete, "--no-input", "--pain-after", "2", "--notes", "a\x1b]0;x\x07")
    assert r.exit_code == 2 and "--notes: holds a control character (\\x1b)" in one_error_line(r)
    p = write_csv(tmp_path, 'date,pain_after,notes\n2026-05-01,2,"ok\r\nthen sore"\n', "ok.csv")
    assert cli("pain", "import", "--athlete", athlete, str(p)).exit_code == 0
    with Store.open(store_path) as s:
        assert s.pain_entries(athlete)[0].notes == "ok\nthen sore"
    r = cli("pain", "add", "--athlete", athlete, "--no-input", "--pain-after", "2", "--notes", "x" * 2001)
    assert r.exit_code == 2 and "--notes: is 2,001 characters long; at most 2,000" in one_error_line(r)


# ---------------------------------------------------------------- limits
@pytest.mark.slow  # a pain log past the row limit
def test_a_pain_csv_over_the_row_limit_is_refused(cli, athlete, tmp_path, store_path):
    start = date(1995, 1, 1)
    rows = [f"{start + timedelta(days=i)},{i % 11}" for i in range(MAX_CSV_ROWS + 1)]
    p = write_csv(tmp_path, "date,pain_after\n" + "\n".join(rows) + "\n")
    r = cli("pain", "import", "--athlete", athlete, str(p))
    assert r.exit_code == 2
    assert one_error_line(r) == (f"Error: {p}:{MAX_CSV_ROWS + 2}: has more than 10,000 rows; split it into files of "
                                 f"at most 10,000")
    with Store.open(store_path) as s:
        assert s.pain_entries(athlete) == []
    p = write_csv(tmp_path, "date,pain_after\n" + "\n".join(rows[:MAX_CSV_ROWS]) + "\n", "ok.csv")
    r = cli("pain", "import", "--athlete", athlete, str(p))
    assert r.exit_code == 0 and f"{MAX_CSV_ROWS:,}".replace(",", "") in r.output


def test_entries_per_day_and_leg_are_limited(cli, athlete, tmp_path, store_path):
    day = "2026-05-01"
    for score in range(MAX_ENTRIES_PER_DAY):
        r = cli("pain", "add", "--athlete", athlete, "--no-input", "--date", day, "--side", "left",
                "--pain-after", str(score))
        assert r.exit_code == 0, r.output
    r = cli("pain", "add", "--athlete", athlete, "--no-input", "--date", day, "--side", "left", "--pain-after", "9")
    assert r.exit_code == 2
    assert one_error_line(r) == ("Error: 2026-05-01 already has 4 entries for the left leg; at most 4 a day for each "
                                 "leg (change one instead: runload pain edit ID)")
    # the other leg still has room, and an edit cannot move a fifth entry onto the full day
    assert cli("pain", "add", "--athlete", athlete, "--no-input", "--date", day, "--side", "right",
               "--pain-after", "1").exit_code == 0
    assert cli("pain", "add", "--athlete", athlete, "--no-input", "--date", "2026-05-02", "--side", "left",
               "--pain-after", "8").exit_code == 0
    r = cli("pain", "edit", "6", "--date", day)
    assert r.exit_code == 2 and "already has 4 entries for the left leg" in one_error_line(r)
    p = write_csv(tmp_path, "date,side,pain_after\n2026-05-01,right,5\n2026-05-01,right,6\n2026-05-01,right,7\n"
                            "2026-05-01,right,8\n2026-05-03,left,1\n")
    r = cli("pain", "import", "--athlete", athlete, str(p))
    assert r.exit_code == 2
    assert one_error_line(r) == (f"Error: {p}:5 (column date): 2026-05-01 would have more than 4 entries for the right "
                                 f"leg (with those stored); at most 4 a day for each leg")
    with Store.open(store_path) as s:
        assert len(s.pain_entries(athlete)) == 6


def test_a_huge_pain_file_is_refused_before_it_is_read(cli, athlete, tmp_path, monkeypatch):
    import runload.pain.entries as entries

    monkeypatch.setattr(entries, "MAX_CSV_BYTES", 100)
    p = write_csv(tmp_path, "date,pain_after\n" + "2026-05-01,2\n" * 20)
    r = cli("pain", "import", "--athlete", athlete, str(p))
    assert r.exit_code == 2 and "a pain log file can be at most" in one_error_line(r)


# ---------------------------------------------------------------- nothing injects
@pytest.fixture
def hostile_store(cli, athlete, store_path):
    """An older store that already holds hostile text (checks at add time cannot have run)."""
    assert cli("pain", "add", "--athlete", athlete, "--no-input", "--date", "2026-05-01", "--pain-after", "4",
               "--notes", "placeholder").exit_code == 0
    with Store.open(store_path) as s:
        s.conn.execute("UPDATE pain_entries SET notes = ?", (f"sore{ESCAPES}\nImported 99 files",))
        s.conn.execute("UPDATE athletes SET name = ?", (f"Ana{ESCAPES}",))
    return store_path


@pytest.mark.parametrize("args", [
    ["pain", "list", "--athlete", "ana"],
    ["pain", "list", "--athlete", "ana", "--format", "csv"],
    ["pain", "list", "--athlete", "ana", "--format", "json"],
    ["athlete", "list"], ["athlete", "show", "ana"],
    ["report", "--athlete", "ana", "--week", "2026-W18"],
    ["report", "--athlete", "ana", "--week", "2026-W18", "--color"],
    ["report", "--athlete", "ana", "--week", "2026-W18", "--format", "md"],
    ["report", "--athlete", "ana", "--week", "2026-W18", "--format", "html"],
    ["roster", "--week", "2026-W18"],
])
def test_no_escape_sequence_reaches_the_terminal(cli, hostile_store, args):
    r = cli(*args)
    assert r.exit_code == 0, r.output
    out = r.output
    if "--color" in args:
        import re

        out = re.sub(r"\x1b\[[0-9;]*m", "", out)  # runload's own colours
    assert raw_controls(out) == [], (args, [hex(ord(c)) for c in raw_controls(out)])
    if "json" in args:
        json.loads(r.output)  # escaping kept the JSON valid


def test_markdown_and_html_files_hold_no_raw_escape(cli, hostile_store, tmp_path):
    for fmt in ("md", "html", "text"):
        out = tmp_path / f"r.{fmt}"
        r = cli("report", "--athlete", "ana", "--week", "2026-W18", "--format", fmt, "--output", str(out))
        assert r.exit_code == 0, r.output
        assert raw_controls(out.read_text(encoding="utf-8")) == [], fmt


def test_a_note_cannot_forge_a_line_in_tables(cli, hostile_store):
    r = cli("pain", "list", "--athlete", "ana")
    assert not any(line.startswith("Imported 99") for line in r.output.splitlines())


def test_csv_export_cells_are_neutralised_and_round_trip(cli, athlete, tmp_path, store_path):
    notes = ['=HYPERLINK("http://evil.example","click")', "+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0",
             "@SUM(1+1)*cmd|' /C calc'!A0"]
    for i, n in enumerate(notes):
        assert cli("pain", "add", "--athlete", athlete, "--no-input", "--date", f"2026-05-0{i + 1}",
                   "--pain-after", "2", "--notes", n).exit_code == 0
    r = cli("pain", "list", "--athlete", athlete, "--format", "csv")
    import csv
    import io

    cells = [row[-1] for row in csv.reader(io.StringIO(r.output))][1:]
    assert cells == ["'" + n for n in notes]
    out = write_csv(tmp_path, r.output, "export.csv")
    with Store.open(store_path) as s:  # importing the export into a fresh athlete gives the same notes
        s.conn.execute("DELETE FROM pain_entries")
    r = cli("pain", "import", "--athlete", athlete, str(out))
    assert r.exit_code == 0 and "added 4" in r.output
    with Store.open(store_path) as s:
        assert [e.notes for e in s.pain_entries(athlete)] == notes


def test_weeks_csv_goes_through_the_same_cell_rule():
    import pandas as pd

    from runload.report.weeks import format_weeks

    weekly = pd.DataFrame([{"week_start": date(2026, 5, 4), "distance_km": 10.0, "duration_s": 3600.0, "runs": 2,
                            "longest_run_km": 6.0, "change_pct": -12.5, "base_too_small": False,
                            "no_data": False, "complete": True}])
    assert format_weeks(weekly, "csv").splitlines()[1] == "2026-05-04,10.0,3600,2,6.0,-12.5,False,False,True,,"


@pytest.mark.parametrize("args, message", [
    (["athlete", "add", "eve", "--name", "Eve\x1b]0;owned\x07"], "athlete name 'Eve\\\\x1b]0;owned\\\\x07' holds a control "
                                                                "character (\\x1b)"),
    (["athlete", "add", "eve", "--name", "Eve\u202eevE"], "holds a control character (\\u202e)"),
    (["athlete", "add", "eve", "--name", "Eve", "--email", "eve@example.org\x1b[2J"], "holds a control character"),
    (["athlete", "add", "eve\n", "--name", "Eve"], "athlete id 'eve\\\\n' must be letters"),
    (["coach", "add", "kim", "--email", "kim@example.org", "--name", "Kim\nBcc: x@evil.example"],
     "coach name"),
    (["coach", "add", "kim\x1b[2J", "--email", "kim@example.org"], "coach id"),
    (["coach", "add", "kim", "--email", "kim@example.org, attacker@evil.example"], "does not look like an address"),
    (["coach", "add", "kim", "--email", "Kim <kim@example.org>"], "does not look like an address"),
])
def test_names_and_addresses_with_controls_are_refused_at_add_time(cli, athlete, args, message):
    r = cli(*args)
    assert r.exit_code == 2
    line = one_error_line(r)
    assert message in line, line
    assert raw_controls(line) == []


# ---------------------------------------------------------------- smaller
@pytest.mark.parametrize("week, message", [
    ("9999-W52", "week '9999-W52' is outside the years runload works with (1989 to 2100)"),
    ("0001-W01", "outside the years runload works with"),
    ("2026-W54", "week '2026-W54' does not exist"),
    ("２０２６-W10", "is not one of this, last or YYYY-Www"),
])
def test_impossible_weeks_are_one_line_exit_2(cli, athlete, week, message):
    for cmd in (["report", "--athlete", athlete], ["check", "--athlete", athlete], ["roster"], ["email", "--dry-run"]):
        r = cli(*cmd, "--week", week)
        assert r.exit_code == 2, (cmd, r.output)
        assert message in one_error_line(r)


def test_an_empty_store_file_is_named_not_silently_reset(cli, store_path):
    store_path.write_bytes(b"")
    r = cli("athlete", "list")
    assert r.exit_code == 2
    assert one_error_line(r) == (f"Error: {store_path}: is an empty file (0 bytes), not a store: if it held your data, "
                                 f"restore it from a backup; runload athlete add starts a new store there")
    assert store_path.stat().st_size == 0  # a command that only reads wrote nothing
    r = cli("athlete", "add", "ana", "--name", "Ana")
    assert r.exit_code == 0
    assert (f"Note: {store_path} was an empty file (0 bytes); it is now a new, empty store. If it held your data, "
            f"restore it from a backup.") in r.output
    r = cli("athlete", "add", "ben", "--name", "Ben")
    assert "Note:" not in r.output  # said once, when it happened
