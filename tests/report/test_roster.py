"""runload roster: every athlete on one line, most at risk first (golden files: see test_report)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

from runload.session import Assessor
from runload.calendar import week_period
from runload.report.roster import build_roster as _build_roster
from runload.report.roster import stale_level
from runload.store import Store
from builders import WEEK, make_store, roster_store
from checks import check_golden, validate


def build_roster(store: Store, *, week: date, today: date, **kw):
    return _build_roster(Assessor(store), week_period(week), today=today, **kw)


def cli_free_text(ro) -> str:
    from runload.report.text import render_roster_text

    return render_roster_text(ro)


def test_stale_levels() -> None:
    assert [stale_level(d) for d in (0, 6, 7, 13, 14, None)] == ["ok", "ok", "caution", "caution", "warning", "warning"]


def test_roster_order_and_lines(store_path: Path) -> None:
    store = roster_store(store_path)
    ro = build_roster(store, week=WEEK, today=date(2026, 9, 1))
    ids = [r.athlete_id for r in ro.rows]
    by = {r.athlete_id: r for r in ro.rows}
    assert ro.as_of == WEEK + timedelta(days=6)  # a past week: staleness counted to its end
    assert by["dev"].days_since_data == 26 and by["dev"].stale_level == "warning" and by["dev"].week_km is None
    assert by["eli"].days_since_data == 8 and by["eli"].stale_level == "caution"
    assert by["fay"].days_since_data is None and by["fay"].level == "warning"
    assert by["cara"].level in ("ok", "info") and by["cara"].week_km == 35.0 and by["cara"].stale_level == "ok"
    assert by["ana"].pain_trend == "rising"
    text = cli_free_text(ro)
    assert "no data for 26 days: ask how they are" in text and "no data yet" in text
    # stale data is itself a warning: the quiet athletes rank above the one who is fine
    assert ids.index("cara") == len(ids) - 1
    assert ids.index("dev") < ids.index("eli")
    for r in ro.rows:
        assert r.level == max(r.findings_level, r.stale_level,
                              key=["no-data", "ok", "info", "caution", "warning", "clinician", "urgent",
                                   "emergency"].index)


def test_roster_golden_and_schema(cli, store_path: Path) -> None:
    roster_store(store_path).close()
    r = cli("roster", "--week", "2026-W22")
    assert r.exit_code == 0, r.output
    check_golden("roster.txt", r.output)
    assert len([line for line in r.output.splitlines() if line[:1].isdigit()]) == 5  # one line each
    r = cli("roster", "--week", "2026-W22", "--format", "json")
    data = json.loads(r.output)
    validate(data, "roster.schema.json")
    check_golden("roster.json", r.output)
    r = cli("roster", "--week", "2026-W22", "--athlete", "cara", "--athlete", "dev", "--format", "md")
    assert r.exit_code == 0 and "Cara Steady" in r.output and "Ana Test" not in r.output


def test_roster_html_escapes(cli, store_path: Path) -> None:
    make_store(store_path, name="<script>alert(1)</script>").close()
    r = cli("roster", "--week", "2026-W22", "--format", "html")
    assert r.exit_code == 0 and "<script" not in r.output and "&lt;script&gt;" in r.output


def test_roster_without_athletes(cli, store_path: Path) -> None:
    Store.open(store_path).close()
    r = cli("roster", "--week", "2026-W22")
    assert r.exit_code == 0 and "No athletes yet" in r.output


def test_a_roster_line_says_what_the_full_report_says(store_path: Path) -> None:
    """The roster reads each line from the assessment without building the whole report: the
    line is the one the athlete's report gives, for every athlete, week and day read, with a
    standing red flag, and with its rule switched off (the red flag still leads the line)."""
    from runload.models import PainEntry
    from runload.report.roster import report_on, roster_row, row_for
    from runload.rules.book import Rulebook

    store = roster_store(store_path)
    for athlete_id in ("cara", "fay"):  # fay has no data: with the rule off, the red flag is all there is
        store.add_pain_entries(athlete_id, [PainEntry(WEEK + timedelta(days=5), side="left", pain_during=3,
                                                      calf_swelling_redness_warmth=True)])
    books = [Rulebook.load({}), Rulebook.load({"rules": {"disable": ["pain-red-flag-calf"]}})]
    lines = []
    for book in books:
        for week in (WEEK - timedelta(weeks=3), WEEK, WEEK + timedelta(weeks=1)):
            for today in (week + timedelta(days=3), week + timedelta(days=6), week + timedelta(days=30)):
                judge = Assessor(store, book)
                period = week_period(week)
                for athlete_id in judge.athlete_ids():
                    line = row_for(judge, athlete_id, period, today)
                    assert line == roster_row(report_on(judge, athlete_id, period, today), today)
                    lines.append(line)
    # the switched-off rule's red flag, said by the roster line itself
    assert any(r.level == "urgent" and (r.top_finding or "").startswith("Red flag: calf") for r in lines)


def test_a_roster_built_in_worker_processes_is_the_same(store_path: Path) -> None:
    """Each worker assesses its athletes one by one, each with an assessor of its own: the lines
    are those of one process; the garbage collector's freeze for the workers is lifted after."""
    import gc

    store = roster_store(store_path)
    one = build_roster(store, week=WEEK, today=date(2026, 9, 1), workers=1)
    two = build_roster(store, week=WEEK, today=date(2026, 9, 1), workers=2)
    assert one == two and len(two.rows) == 5
    assert gc.get_freeze_count() == 0
