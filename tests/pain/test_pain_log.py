"""The pain log on the command line: add (scripted and on a terminal), list, edit, delete, CSV
import (bad rows name line and column and store nothing; twice adds nothing), status."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import SAMPLES
from runload.pain.entries import FIELD_NAMES, parse_csv_text
from runload.store import Store

HEADER = ("date,side,location,pain_during,pain_after,pain_next_morning,stiffness,swelling,popping,giving_way,locking,"
          "numbness_tingling,deformity,cannot_bend_straighten,cannot_bear_weight,calf_swelling_redness_warmth,"
          "breathless_chest_pain,fever,relieved_by_rest,notes")
ROWS = [
    "2026-05-01,right,back,2,4,3,2,none,no,no,no,no,no,no,no,no,no,no,yes,first twinge",
    "2026-05-03,right,back,4,6,,3,mild,no,no,no,no,no,no,no,no,no,no,no,",
    '2026-05-10,right,back,3,5,3,4,mild,no,no,no,no,no,no,no,yes,no,no,no,"warm calf, sore"',
]


def write(tmp_path: Path, rows: list[str], name: str = "pain.csv", header: str = HEADER) -> Path:
    p = tmp_path / name
    p.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return p


def stored(store_path: Path) -> list:
    with Store.open(store_path, create=False) as s:
        return s.pain_entries("ana")


def test_sample_header_is_exactly_the_entry_fields():
    assert tuple(HEADER.split(",")) == FIELD_NAMES


def test_import_then_import_again_adds_nothing(cli, athlete, tmp_path, store_path):
    p = write(tmp_path, ROWS)
    r = cli("pain", "import", "--athlete", "ana", str(p))
    assert r.exit_code == 0, r.output
    assert r.output == f"{p}: 3 rows, added 3, 0 already stored.\n"
    r = cli("pain", "import", "--athlete", "ana", str(p))
    assert r.output == f"{p}: 3 rows, added 0, 3 already stored.\n"
    es = stored(store_path)
    assert len(es) == 3
    e = es[1]
    assert (e.side, e.pain_during, e.pain_after, e.pain_next_morning, e.swelling, e.relieved_by_rest) == (
        "right", 4, 6, None, "mild", False)
    assert es[2].calf_swelling_redness_warmth and es[2].notes == "warm calf, sore"
    # one more row in the file: only that one is added
    p2 = write(tmp_path, [*ROWS, "2026-05-12,right,back,1,2,1,1,none,no,no,no,no,no,no,no,no,no,no,yes,"], "more.csv")
    r = cli("pain", "import", "--athlete", "ana", str(p2))
    assert r.output == f"{p2}: 4 rows, added 1, 3 already stored.\n"


@pytest.mark.parametrize("bad, line, column, message", [
    ("2026-05-03,right,back,4,11,,3,mild,no,no,no,no,no,no,no,no,no,no,no,", 3, "pain_after",
     "11 is not a score from 0 to 10"),
    ("2026-05-03,right,back,4,6.5,,3,mild,no,no,no,no,no,no,no,no,no,no,no,", 3, "pain_after",
     "'6.5' is not a whole-number score from 0 to 10"),
    ("2026-05-03,right,back,4,6,,3,huge,no,no,no,no,no,no,no,no,no,no,no,", 3, "swelling",
     "'huge' is not one of: none, mild, moderate, severe"),
    ("2026-05-03,right,back,4,6,,3,mild,no,maybe,no,no,no,no,no,no,no,no,no,", 3, "giving_way",
     "'maybe' is not yes or no"),
    ("03/05/2026,right,back,4,6,,3,mild,no,no,no,no,no,no,no,no,no,no,no,", 3, "date",
     "'03/05/2026' is not a date in the form YYYY-MM-DD"),
    ("2026-05-03,middle,back,4,6,,3,mild,no,no,no,no,no,no,no,no,no,no,no,", 3, "side",
     "'middle' is not one of: left, right, both"),
    (",right,back,4,6,,3,mild,no,no,no,no,no,no,no,no,no,no,no,", 3, "date", "a date is required (YYYY-MM-DD)"),
])
def test_a_bad_row_names_line_and_column_and_stores_nothing(cli, athlete, tmp_path, store_path, bad, line, column,
                                                            message):
    p = write(tmp_path, [ROWS[0], bad, ROWS[2]])
    r = cli("pain", "import", "--athlete", "ana", str(p))
    assert r.exit_code == 2
    assert r.output == f"Error: {p}:{line} (column {column}): {message}\n"
    assert stored(store_path) == []


def test_bad_header_and_too_many_values(cli, athlete, tmp_path, store_path):
    p = write(tmp_path, ["2026-05-01,3"], header="date,pain_latr")
    r = cli("pain", "import", "--athlete", "ana", str(p))
    assert r.exit_code == 2 and r.output.startswith(f"Error: {p}:1 (column 2): unknown column 'pain_latr'")
    p = write(tmp_path, ["2026-05-01,3", "2026-05-02,3,4"], header="date,pain_after")
    r = cli("pain", "import", "--athlete", "ana", str(p))
    assert r.output == f"Error: {p}:3: has 3 values but the header names 2 columns\n"
    p = write(tmp_path, ["3"], header="pain_after")
    assert cli("pain", "import", "--athlete", "ana", str(p)).output == f"Error: {p}:1: has no 'date' column\n"
    missing = tmp_path / "nope.csv"
    assert cli("pain", "import", "--athlete", "ana", str(missing)).output == f"Error: {missing}: no such file\n"
    assert stored(store_path) == []


def test_csv_line_numbers_count_quoted_newlines_and_blank_lines():
    text = HEADER + "\n" + ROWS[0] + ',\n'.replace(",", "") + "\n" + \
        '2026-05-02,left,back,1,1,1,1,none,no,no,no,no,no,no,no,no,no,no,yes,"two\nlines"\n' + \
        "2026-05-04,left,back,1,x\n"
    with pytest.raises(Exception) as err:
        parse_csv_text(text, path="p.csv")
    assert str(err.value) == "p.csv:6 (column pain_after): 'x' is not a whole-number score from 0 to 10"


def test_csv_with_few_columns_and_a_byte_order_mark(tmp_path):
    from runload.pain.entries import read_csv

    p = tmp_path / "p.csv"
    p.write_bytes("\ufeffDate,Pain_After,Locking\n2026-05-01,3,YES\n".encode())
    ((line, e),) = read_csv(p)
    assert line == 2 and e.pain_after == 3 and e.locking and e.location == "back" and e.swelling == "none"
    assert e.relieved_by_rest is None and e.pain_during is None


def test_list_csv_round_trips_through_import(cli, athlete, tmp_path):
    cli("pain", "import", "--athlete", "ana", str(write(tmp_path, ROWS)))
    out = cli("pain", "list", "--athlete", "ana", "--format", "csv").output
    assert out.splitlines()[0] == HEADER
    p = tmp_path / "again.csv"
    p.write_text(out)
    assert cli("pain", "import", "--athlete", "ana", str(p)).output == f"{p}: 3 rows, added 0, 3 already stored.\n"
    data = json.loads(cli("pain", "list", "--athlete", "ana", "--format", "json", "--from", "2026-05-02").output)
    assert [d["date"] for d in data] == ["2026-05-03", "2026-05-10"] and data[0]["relieved_by_rest"] is False
    table = cli("pain", "list", "--athlete", "ana").output.splitlines()
    assert table[0].split() == ["id", "date", "side", "where", "during", "after", "morning", "stiff", "swelling",
                                "signs", "rest", "helps", "notes"]
    assert "calf swelling redness warmth" in table[4]


def test_add_in_a_script_never_asks_and_warns_of_red_flags(cli, athlete, store_path, monkeypatch):
    monkeypatch.setenv("CI", "true")
    r = cli("pain", "add", "--athlete", "ana", "--date", "2026-05-03", "--side", "left", "--pain-after", "4",
            "--calf-swelling-redness-warmth", "--not-relieved-by-rest", "--notes", "after long run")
    assert r.exit_code == 0, r.output
    assert r.output == ("Added pain entry 1 for ana: 2026-05-03; left; back of knee; after 4; "
                        "signs: calf swelling redness warmth\n"
                        "SEE A CLINICIAN TODAY: calf swelling, redness or warmth. Get medical care today: same-day "
                        "urgent care (your doctor's same-day appointments, an urgent care centre, or an emergency "
                        "department). No running until the knee and leg have been checked.\n")
    (e,) = stored(store_path)
    assert e.relieved_by_rest is False and e.notes == "after long run" and e.pain_during is None
    r = cli("pain", "add", "--athlete", "ana", "--date", "2026-05-03", "--side", "left", "--pain-after", "4",
            "--calf-swelling-redness-warmth", "--not-relieved-by-rest", "--notes", "after long run")
    assert r.exit_code == 2 and r.output == "Error: the same entry is already stored (id 1)\n"
    r = cli("pain", "add", "--athlete", "ana", "--pain-after", "12")
    assert r.exit_code == 2 and "12 is not a score from 0 to 10" in r.output
    r = cli("pain", "add", "--athlete", "bob", "--pain-after", "2")
    assert r.exit_code == 2 and r.output.startswith("Error: unknown athlete 'bob'")


def test_add_on_a_terminal_asks_for_what_is_missing(cli, athlete, store_path, monkeypatch):
    monkeypatch.setattr("runload.cli.pain.can_ask", lambda no_input=False: not no_input)
    # side, during (bad then good), after, morning, stiffness, swelling, relieved, signs (bad, then 1: popping
    # was given, so giving way heads the list)
    answers = "right\n11\n3\n5\n\n2\nmild\nno\n9 x\n1\n"
    r = cli("pain", "add", "--athlete", "ana", "--date", "2026-05-04", "--popping", input=answers)
    assert r.exit_code == 0, r.output
    assert "11 is not a score from 0 to 10" in r.output
    (e,) = stored(store_path)
    assert (e.side, e.pain_during, e.pain_after, e.pain_next_morning, e.stiffness, e.swelling) == (
        "right", 3, 5, None, 2, "mild")
    assert e.popping and e.giving_way and not e.locking and e.relieved_by_rest is False
    assert ("SEE A CLINICIAN ABOUT THE KNEE: a popping feeling at onset, then the knee giving way. Get the knee "
            "examined promptly by") in r.output and "before you run again" in r.output
    r = cli("pain", "add", "--athlete", "ana", "--date", "2026-05-05", "--pain-after", "1", "--no-input")
    assert r.exit_code == 0 and "Pain during" not in r.output


def test_edit_and_delete(cli, athlete, store_path, monkeypatch):
    cli("pain", "add", "--athlete", "ana", "--date", "2026-05-03", "--pain-after", "4", "--locking")
    r = cli("pain", "edit", "1", "--no-locking", "--pain-after", "5", "--date", "2026-05-02")
    assert r.exit_code == 0 and r.output == "Changed pain entry 1: 2026-05-02; back of knee; after 5\n"
    (e,) = stored(store_path)
    assert not e.locking and e.pain_after == 5 and e.date.isoformat() == "2026-05-02"
    assert cli("pain", "edit", "1").output == "Error: nothing to change: give at least one option " \
                                              "(see: runload pain edit --help)\n"
    assert cli("pain", "edit", "1", "--date", "May 2").output == \
        "Error: --date: 'May 2' is not a date in the form YYYY-MM-DD\n"
    assert cli("pain", "edit", "7", "--pain-after", "1").output == \
        "Error: no pain entry with id 7 (see: runload pain list)\n"
    r = cli("pain", "delete", "1")
    assert r.exit_code == 2 and r.output == "Error: not deleting entry 1 without --yes (no terminal to ask on)\n"
    assert len(stored(store_path)) == 1
    r = cli("pain", "delete", "1", "--yes")
    assert r.output == "Deleted pain entry 1 of ana: 2026-05-02; back of knee; after 5\n"
    assert stored(store_path) == []


def test_status_shows_red_flags_episodes_and_plan(cli, athlete, tmp_path):
    cli("pain", "import", "--athlete", "ana", str(write(tmp_path, ROWS)))
    r = cli("pain", "status", "--athlete", "ana", "--as-of", "2026-05-12")
    assert r.exit_code == 0, r.output
    lines = r.output.splitlines()
    assert lines[:2] == ["Red flags not yet resolved (these come before any training advice):",
                         "  2026-05-10: SEE A CLINICIAN TODAY: calf swelling, redness or warmth. Get medical care "
                         "today: same-day urgent care (your doctor's same-day appointments, an urgent care centre, or "
                         "an emergency department). No running until the knee and leg have been checked."]
    assert "  2026-05-01: 3 entries, worst 6/10, still going on." in lines
    # while the red flag stands there is no running advice at all: no walk-run plan, no stages
    assert "Return to running:" not in lines and "Stage 1" not in r.output and "walk" not in r.output
    data = json.loads(cli("pain", "status", "--athlete", "ana", "--as-of", "2026-05-12", "--json").output)
    assert data["overrides_load"] is True and data["red_flags"][0]["flag"] == "calf"
    assert data["return_plan"] is None
    assert data["episodes"][0]["load"]["sentence"] == \
        "No runs were recorded in the 14 days before pain began on 2026-05-01."
    # cleared: the flag is resolved, the episode settled by the clearance, and the return plan appears
    assert cli("pain", "clear", "--athlete", "ana", "--date", "2026-05-11").exit_code == 0
    r = cli("pain", "status", "--athlete", "ana", "--as-of", "2026-05-12")
    assert "No red flag stands." in r.output and "Return to running:" in r.output
    assert "  2026-05-01: 3 entries, worst 6/10, settled on 2026-05-11 (clearance logged)." in r.output
    data = json.loads(cli("pain", "status", "--athlete", "ana", "--as-of", "2026-05-12", "--json").output)
    assert data["return_plan"]["reason"] == "red flag" and len(data["return_plan"]["stages"]) == 7
    assert (data["episodes"][0]["status"], data["episodes"][0]["end"]) == ("settled", "2026-05-11")


SAMPLE_PAIN = sorted(SAMPLES.glob("*/pain.csv"))


@pytest.mark.skipif(not SAMPLE_PAIN, reason="sample_activities/*/pain.csv is not on this branch yet")
@pytest.mark.parametrize("path", SAMPLE_PAIN, ids=[p.parent.name for p in SAMPLE_PAIN])
def test_sample_pain_csv_imports_once(cli, athlete, path, store_path):
    r = cli("pain", "import", "--athlete", "ana", str(path))
    assert r.exit_code == 0, r.output
    n = len(stored(store_path))
    assert n > 0
    r = cli("pain", "import", "--athlete", "ana", str(path))
    assert r.output.endswith(f"added 0, {n} already stored.\n")


def test_pain_add_with_nothing_to_log_is_refused(cli, athlete):
    r = cli("pain", "add", "--athlete", athlete, "--date", "2026-05-03", "--no-input")
    assert r.exit_code == 2
    assert r.output.startswith("Error: nothing to log:")
    assert cli("pain", "list", "--athlete", athlete, "--format", "json").output.strip() == "[]"
    ok = cli("pain", "add", "--athlete", athlete, "--date", "2026-05-03", "--pain-after", "0", "--no-input")
    assert ok.exit_code == 0  # an explicit 0/10 is worth logging


def test_semicolon_csv_gets_a_hint(cli, athlete, tmp_path):
    f = tmp_path / "pain.csv"
    f.write_text("date;pain_after;notes\n2026-05-03;4;tight\n", encoding="utf-8")
    r = cli("pain", "import", "--athlete", athlete, str(f))
    assert r.exit_code == 2
    assert r.output.strip() == (f"Error: {f}:1: the header is separated by semicolons; runload reads "
                                "comma-separated CSV (in a spreadsheet, export as 'CSV UTF-8 (comma delimited)')")
