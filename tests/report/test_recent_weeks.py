"""The table of recent weeks: weeks in a row without any recorded activity are one line (a runner
back from six weeks off reads one line saying so, not six saying "no data"), in every output."""

from __future__ import annotations

from datetime import date, timedelta

from runload.report import fmt
from runload.report.model import WeekRow

MONDAY = date(2026, 9, 7)


def week(i: int, km: float | None) -> WeekRow:
    """Week ``i`` after MONDAY: ``km`` run in it, or None for a week without any data."""
    has = km is not None
    return WeekRow(MONDAY + timedelta(weeks=i), km or 0.0, 3 if has else 0, (km or 0.0) / 2, None, False,
                   0.0, has, False)


def test_a_run_of_weeks_without_data_is_one_row_from_its_monday_to_its_sunday() -> None:
    weeks = [week(0, 30.0), week(1, None), week(2, None), week(3, None), week(4, 12.0), week(5, None), week(6, 14.0)]
    rows = fmt.recent_weeks(weeks)
    assert [cells[0] for cells, _ in rows] == ["2026-09-07", "2026-09-14 to 2026-10-04", "2026-10-05",
                                                "2026-10-12", "2026-10-19"]
    assert [gap for _, gap in rows] == [False, True, False, True, False]
    gap_cells = rows[1][0]
    assert gap_cells[1:] == ["no data", "-", "-", "no data", "-"]
    assert rows[2][0][1:3] == ["12.0", "3"]


def test_latest_first_and_only_the_last_weeks() -> None:
    weeks = [week(i, 10.0 + i) for i in range(12)] + [week(12, None), week(13, None)]
    rows = fmt.recent_weeks(weeks, latest_first=True)
    assert rows[0] == (["2026-11-30 to 2026-12-13", "no data", "-", "-", "no data", "-"], True)
    assert len(rows) == 1 + fmt.RECENT_WEEKS - 2  # eight weeks shown, the last two as one row
    assert rows[-1][0][0] == (MONDAY + timedelta(weeks=6)).isoformat()


def test_miles_and_every_week_with_data_as_before() -> None:
    weeks = [week(0, 16.09344), week(1, 32.18688)]
    rows = fmt.recent_weeks(weeks, "mi")
    assert [cells[1] for cells, _ in rows] == ["10.0", "20.0"]
    assert not any(gap for _, gap in rows)


def test_no_table_when_none_of_the_last_weeks_has_data() -> None:
    weeks = [week(0, 30.0)] + [week(i, None) for i in range(1, 1 + fmt.RECENT_WEEKS)]
    assert fmt.recent_weeks(weeks) == []
    assert fmt.recent_weeks(weeks[:-1]) != []
