"""What the app's pages show, read from the same assessments and reports as every other output.

An athlete's page is their report for the week holding today (as ``runload report`` makes it:
:func:`runload.report.build.build_report` on the assessment of today, with the check of their
stored plan); the roster is built from the same reports (:func:`runload.report.roster.roster_row`)
so a coach's line never says something the athlete's page does not.

Assessing a year of runs and drawing its charts costs tens of milliseconds, far too much for every
page view of a roster, so each athlete's report (and its charts) is kept until their data
changes: a fingerprint of the athlete's rows in the store (counts, latest ids and times) is
compared on every view, and the app forgets an athlete at once when it writes for them. A change
that keeps every count and time (an edit by ``runload pain edit`` on another machine) shows at the
latest after :data:`MAX_AGE_S`.
"""

from __future__ import annotations

import base64
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from runload.report.model import Report, Roster

MAX_AGE_S = 60.0

# one query: what changes when anything about the athlete is added, removed or corrected
_FINGERPRINT = """
SELECT (SELECT count(*) || ':' || coalesce(max(id), 0) || ':' || coalesce(max(imported_utc), '')
               || ':' || coalesce(max(corrected_utc), '') FROM activities WHERE athlete_id = :a),
       (SELECT count(*) || ':' || coalesce(max(id), 0) FROM pain_entries WHERE athlete_id = :a),
       (SELECT count(*) || ':' || coalesce(max(id), 0) FROM pain_clearances WHERE athlete_id = :a),
       (SELECT count(*) || ':' || coalesce(max(created_utc), '') FROM planned_runs WHERE athlete_id = :a),
       (SELECT count(*) || ':' || coalesce(max(created_utc), '') || ':' || coalesce(max(retired_on), '')
               || ':' || coalesce(sum(is_default), 0) FROM shoes WHERE athlete_id = :a),
       (SELECT name || timezone || units || coalesce(hr_rest_bpm, '') || coalesce(hr_max_bpm, '')
               FROM athletes WHERE id = :a)
"""

# matplotlib's style settings (rc_context) are process-wide: one chart is drawn at a time
_CHART_LOCK = threading.Lock()

#: the weekly chart's views: how many weeks each shows
VIEWS = {"16w": 16, "season": 26, "year": 52}


@dataclass
class _Entry:
    fingerprint: tuple
    made: float
    report: Report
    charts: dict[tuple[str, str], bytes] = field(default_factory=dict)  # (view, name) -> SVG


class Pages:
    """Reports of the athletes of one store, made with one rulebook and kept until their data
    changes. Safe to use from many threads, each with its own open store."""

    def __init__(self, book: Any, *, max_age_s: float = MAX_AGE_S, clock: Callable[[], float] = time.monotonic) -> None:
        self.book = book
        self.max_age_s = max_age_s
        self.clock = clock
        self._lock = threading.Lock()
        self._cache: dict[tuple[str, date, str], _Entry] = {}
        self._building = threading.Lock()

    def _entry(self, store: Any, athlete_id: str, today: date, view: str = "16w") -> _Entry:
        from runload.assessments import Assessor
        from runload.calendar import week_period
        from runload.report.build import build_report, judged_day

        key = (athlete_id, today, view)
        fp = tuple(store.conn.execute(_FINGERPRINT, {"a": athlete_id}).fetchone())

        def kept() -> _Entry | None:
            with self._lock:
                got = self._cache.get(key)
            if got is not None and got.fingerprint == fp and self.clock() - got.made < self.max_age_s:
                return got
            return None

        got = kept()
        if got is not None:
            return got
        # One assessment at a time: Python runs one thread at a time anyway, and forty threads
        # assessing at once would each take forty times as long and hold up every page that is
        # already kept behind them.
        with self._building:
            got = kept()  # made by another thread while this one waited
            if got is not None:
                return got
            judge = Assessor(store, self.book)
            period = week_period(today, self.book.first_weekday)
            day = judged_day(period, today)
            report = build_report(judge.get(athlete_id, day), period, plan=judge.plan(athlete_id, day),
                                  weeks_shown=VIEWS[view])
            entry = _Entry(fp, self.clock(), report)
        with self._lock:
            self._cache[key] = entry
        return entry

    def warm(self, store: Any, athlete_ids: list[str], today: Callable[[str | None], date]) -> int:
        """Make each athlete's report now (``today(tz)`` their day), so the first views after a
        start answer at once; returns how many were made."""
        for athlete_id in athlete_ids:
            self._entry(store, athlete_id, today(store.get_athlete(athlete_id).timezone))
        return len(athlete_ids)

    def report(self, store: Any, athlete_id: str, today: date, *, view: str = "16w") -> Report:
        """The athlete's report for the week holding ``today``, judged on ``today``; ``view``
        (:data:`VIEWS`) sets how many weeks its weekly rows and chart cover."""
        return self._entry(store, athlete_id, today, view).report

    def chart(self, store: Any, athlete_id: str, today: date, name: str, *, view: str = "16w") -> bytes | None:
        """Chart ``name`` of that report as SVG, or None when the report has no such chart.
        Drawn on first use and kept with the report: a page links to it rather than inlining
        it, so the page itself answers at once."""
        from runload.report import charts

        entry = self._entry(store, athlete_id, today, view)
        if (view, name) not in entry.charts:
            if not any(c.name == name and c.available for c in entry.report.charts):
                return None
            with _CHART_LOCK:
                entry.charts[(view, name)] = charts.render(entry.report, name, "svg")
        return entry.charts[(view, name)]

    def roster(self, store: Any, athlete_ids: list[str], today: date) -> Roster:
        """The roster of ``athlete_ids`` for the week holding ``today``, most at risk first, each
        line taken from the athlete's report (the one their page shows)."""
        from runload.calendar import week_period
        from runload.report.build import judged_day
        from runload.report.roster import roster_row, sort_key

        period = week_period(today, self.book.first_weekday)
        rows = [roster_row(self.report(store, i, today), today) for i in athlete_ids]
        rows.sort(key=sort_key)
        return Roster(period, judged_day(period, today), rows)

    def forget(self, athlete_id: str) -> None:
        """Drop what is kept for the athlete (the app wrote for them)."""
        with self._lock:
            for key in [k for k in self._cache if k[0] == athlete_id]:
                del self._cache[key]


    def spark(self, store: Any, athlete_id: str, today: date, weeks: int = 12) -> str:
        """The athlete's last ``weeks`` weeks of running distance as a tiny bar chart (an SVG
        ``data:`` URI) for the roster: weeks without any recorded activity are grey stubs, not
        zero bars. Drawn by hand: a dozen rectangles need no matplotlib."""
        rows = self.report(store, athlete_id, today).weeks[-weeks:]
        top = max((w.distance_km for w in rows if w.has_data), default=0.0) or 1.0
        bars = []
        for i, w in enumerate(rows):
            x = i * 10
            if not w.has_data:
                bars.append(f'<rect x="{x}" y="24" width="8" height="4" fill="#d0d0d0"/>')
                continue
            h = max(1.0, 26 * w.distance_km / top)
            bars.append(f'<rect x="{x}" y="{28 - h:.1f}" width="8" height="{h:.1f}" fill="#0072B2"/>')
        svg = (f'<svg xmlns="http://www.w3.org/2000/svg" width="120" height="28" viewBox="0 0 120 28">'
               f'{"".join(bars)}</svg>')
        return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode("ascii")
