"""`runload athlete delete`, `runload coach unfollow`, and `coach add` on an existing coach."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from runload.store import Store
from builders import fit_run, store_is_sound

pytestmark = pytest.mark.slow  # watch files imported end to end


def _count(store_path: Path, table: str, athlete: str) -> int:
    conn = sqlite3.connect(store_path)
    try:
        col = "subject_id" if table == "sent_log" else "athlete_id"
        return conn.execute(f"SELECT count(*) FROM {table} WHERE {col} = ?", (athlete,)).fetchone()[0]
    finally:
        conn.close()


TABLES = ("activities", "pain_entries", "pain_clearances", "planned_runs", "shoes", "imports", "imported_files",
          "seen_files", "coach_athletes", "sent_log", "replaced_activities")


def test_athlete_delete_removes_everything_about_them_and_nothing_else(cli, tmp_path: Path, store_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    for who in ("ana", "bo"):
        assert cli("athlete", "add", who, "--name", who.title(), "--email", f"{who}@example.org").exit_code == 0
        (tmp_path / f"{who}.fit").write_bytes(fit_run())
        assert cli("import", "--athlete", who, str(tmp_path / f"{who}.fit")).exit_code == 0
        assert cli("pain", "add", "--athlete", who, "--date", "2024-05-07", "--side", "left", "--pain-after", "3",
                   "--no-input").exit_code == 0
        assert cli("pain", "clear", "--athlete", who, "--date", "2024-05-08").exit_code == 0
        assert cli("shoe", "add", "--athlete", who, "Road pair").exit_code == 0
    assert cli("coach", "add", "kim", "--email", "kim@example.org", "--athlete", "ana", "--athlete", "bo").exit_code == 0
    with Store.open(store_path) as st:
        with st.atomic() as conn:
            conn.execute("INSERT INTO planned_runs (athlete_id, date, distance_km, created_utc) VALUES "
                         "('ana', '2026-10-20', 5, 'x'), ('bo', '2026-10-20', 5, 'x')")
        for who in ("ana", "bo"):
            st.claim_send((f"{who}@example.org", "athlete", who, "2026-W41"), message_id=f"<{who}@x>")
            st.finish_send((f"{who}@example.org", "athlete", who, "2026-W41"), "sent")
        st.claim_send(("kim@example.org", "roster", "kim", "2026-W41"), message_id="<kim@x>")
    assert all(_count(store_path, t, "ana") for t in TABLES if t != "replaced_activities")
    r = cli("athlete", "delete", "ana")
    assert r.exit_code == 2 and r.output == "Error: not deleting athlete ana without --yes (no terminal to ask on)\n"
    monkeypatch.setattr("runload.cli._common.can_ask", lambda no_input=False: True)
    r = cli("athlete", "delete", "ana", input="n\n")
    assert r.exit_code == 1 and r.output.startswith(
        "Delete athlete ana (Ana) with 1 activities and 1 pain entries? This cannot be undone. [y/N]: n\nAborted!")
    assert _count(store_path, "activities", "ana") == 1
    r = cli("athlete", "delete", "ana", "--yes")
    assert r.exit_code == 0
    assert r.output == ("Deleted athlete ana (Ana): 1 activity, 1 pain entry, 1 clearance, 1 planned run, 1 shoe, "
                        "1 import, 1 imported file, 1 seen path, 1 coach link, 1 sent-log row.\n")
    assert [t for t in TABLES if _count(store_path, t, "ana")] == []
    assert all(_count(store_path, t, "bo") for t in TABLES if t != "replaced_activities")  # bo keeps everything
    assert _count(store_path, "sent_log", "bo") == 1 and _count(store_path, "sent_log", "kim") == 1
    store_is_sound(store_path)
    r = cli("athlete", "show", "ana")
    assert r.exit_code == 2 and "unknown athlete 'ana'" in r.output
    assert json.loads(cli("coach", "list", "--json").output) == [
        {"id": "kim", "name": None, "email": "kim@example.org", "athletes": ["bo"]}]
    r = cli("athlete", "delete", "ana", "--yes")
    assert r.exit_code == 2 and r.output == "Error: unknown athlete 'ana' (see: runload athlete list)\n"
    # the id can be used again, for someone new, starting empty
    assert cli("athlete", "add", "ana", "--name", "Another Ana").exit_code == 0
    assert cli("import", "--athlete", "ana", str(tmp_path / "ana.fit")).output.startswith("Imported 1 files")


def test_coach_unfollow_and_add_again(cli) -> None:
    for who in ("ana", "bo"):
        cli("athlete", "add", who, "--name", who.title())
    assert cli("coach", "add", "kim", "--email", "kim@example.org", "--athlete", "ana").output == \
        "Coach kim <kim@example.org> follows: ana\n"
    r = cli("coach", "add", "kim", "--email", "kim@club.example", "--name", "Kim", "--athlete", "bo")
    assert r.output == ("Updated coach kim: email kim@example.org -> kim@club.example; name - -> Kim; now also "
                        "follows bo. Follows: ana, bo\n")
    assert cli("coach", "add", "kim", "--email", "kim@club.example").output == \
        "Updated coach kim: no change. Follows: ana, bo\n"  # keeps whom the coach follows
    assert cli("coach", "unfollow", "kim", "ana").output == "Coach kim no longer follows ana. Follows: bo\n"
    r = cli("coach", "unfollow", "kim", "ana")
    assert r.exit_code == 2 and r.output == "Error: coach 'kim' does not follow 'ana' (see: runload coach list)\n"
    r = cli("coach", "unfollow", "lee", "ana")
    assert r.exit_code == 2 and r.output == "Error: unknown coach 'lee' (see: runload coach list)\n"
    assert cli("athlete", "show", "ana").exit_code == 0  # the athlete stays
