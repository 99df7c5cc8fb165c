"""Weekly series against numbers worked out by hand."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from runload.calendar import local_date
from runload.load.series import weekly_running
from runload.models import Activity, Sport
from runload.config import default_rules_dir
from runload.rules.context import Context
from runload.models import Athlete
from runload.rules import evaluate, load_rule
from builders import run


def weekly_progression(acts):
    """The bundled weekly-progression rule file's findings for these runs."""
    rule = load_rule(default_rules_dir() / "weekly-progression.toml")
    return evaluate(rule, Context(athlete=Athlete("t", "T"), activities=acts))


def test_local_day_uses_the_recorded_offset():
    # 23:30 UTC on Sunday is 01:30 Monday in Stockholm summer time (+2): it belongs to Monday.
    a = Activity(start_utc=datetime(2026, 6, 7, 23, 30, tzinfo=timezone.utc), sport=Sport.RUNNING,
                 distance_m=5000, utc_offset_s=7200)
    assert local_date(a) == date(2026, 6, 8)


def test_weekly_series_by_hand():
    acts = [
        run("2026-06-01", 10), run("2026-06-03", 5), run("2026-06-07", 15),      # week 1: 30 km
        run("2026-06-09", 8), run("2026-06-11", 8), run("2026-06-14", 18),       # week 2: 34 km (+13.3%)
        run("2026-06-13", 40, sport=Sport.CYCLING),                              # not running
        # week 3 (2026-06-15): no file at all: unknown, not a rest week
        run("2026-06-23", 4),                                                    # week 4: 4 km, after a gap
        run("2026-06-30", 6),                                                    # week 5: base 4 km < 10
    ]
    w = weekly_running(acts)
    assert [d.isoformat() for d in w["week_start"]] == [
        "2026-06-01", "2026-06-08", "2026-06-15", "2026-06-22", "2026-06-29"]
    assert list(w["distance_km"]) == pytest.approx([30, 34, 0, 4, 6])
    assert list(w["runs"]) == [3, 3, 0, 1, 1]
    assert list(w["longest_run_km"]) == pytest.approx([15, 18, 0, 4, 6])
    assert w["change_pct"].iloc[1] == pytest.approx(400 / 30)
    # a week without any file is unknown: not -100%, and no reference for the week after it
    assert list(w["no_data"]) == [False, False, True, False, False]
    assert list(w["complete"]) == [True, True, False, True, False]
    assert w["change_pct"].iloc[2:4].isna().all()
    assert list(w["base_too_small"]) == [False, False, False, False, True]
    findings = weekly_progression(acts)
    assert [(f.week_start.isoformat(), f.severity.value) for f in findings] == [("2026-06-08", "info")]
    assert findings[0].value == pytest.approx(400 / 30, abs=0.01)


def test_big_jump_is_the_over_30_band_and_sunday_week_start():
    acts = [run("2026-06-01", 20), run("2026-06-09", 27)]
    f = weekly_progression(acts)
    # the >30% band: stronger words, still context (Nielsen 2014's trend was not significant, and
    # no outcome data links a week-to-week rise with injury)
    assert [(x.severity.value, x.value, x.threshold) for x in f] == [("info", 35.0, 30.0)]
    sunday = weekly_running([run("2026-06-07", 5), run("2026-06-08", 5)], week_start=6)
    assert [d.isoformat() for d in sunday["week_start"]] == ["2026-06-07"]
    assert list(sunday["distance_km"]) == [10]


def test_weeks_table_folds_stretches_without_data():
    from runload.report.weeks import format_weeks, weekly_records

    acts = [run("2026-01-05", 10), run("2026-01-07", 10), run("2026-03-02", 12)]  # 7 silent weeks between
    weekly = weekly_running(acts)
    recs = weekly_records(weekly)
    assert [r["no_data"] for r in recs] == [False] + [True] * 7 + [False]
    # a week without any data is unknown: no change is judged against it (not -100%, not +inf)
    assert all(r["change_pct"] is None for r in recs)
    text = format_weeks(weekly, "table")
    assert "no data for 7 weeks (unknown, not rest)" in text
    assert len(text.strip().splitlines()) == 2 + 3  # header, rule, first week, the gap, last week
    assert "after a gap" in text.splitlines()[-1]
