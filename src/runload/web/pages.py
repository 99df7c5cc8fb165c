"""What the app's pages show, read from the same assessments and reports as every other output.

An athlete's page is their report for the week holding today (as ``runload report`` makes it:
:func:`runload.report.build.build_report` on the assessment of today, with the check of their
stored plan); the roster is built from the same reports (:func:`runload.report.roster.roster_row`)
so a coach's line never says something the athlete's page does not.

Assessing a year of runs costs a tenth of a second and drawing a chart as much again, far too
much for every view of a page, so what a page shows is made once per change of the athlete's
data and kept:
- the assessment (and the stored plan's check), per athlete and day, until the athlete's data
  version changes: a fingerprint of their rows in the store (counts, latest ids and times),
  read on every view (one query); the app also forgets an athlete at once when it writes for them;
- each view's report (16 weeks, season, year) built from that one assessment when first asked;
- the report's parts of the page, rendered once per report (the per-session parts, the CSRF
  token and the notes, are rendered per request around them);
- the weekly chart, redrawn only when what it draws changes (:func:`chart_inputs`): a pain
  entry changes the assessment but not the weekly distances, so the chart stays;
- the activities read from the store, re-read only when the activities' part of the
  fingerprint changes (a pain entry does not touch them).

A change that keeps every count and time (an edit by ``runload pain edit`` on another machine)
shows at the latest after :data:`MAX_AGE_S`.
"""

from __future__ import annotations

import base64
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from runload.calendar import week_period
from runload.report import charts, metrics
from runload.report.build import build_report, judged_day
from runload.report.model import Report, Roster
from runload.report.roster import roster_row, sort_key
from runload.session import Assessor, reads_laps

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

# one chart is drawn at a time: a thread asking for a chart being drawn waits and takes it
_CHART_LOCK = threading.Lock()

#: the weekly chart's views: how many weeks each shows
VIEWS = {"16w": 16, "season": 26, "year": 52}


def chart_inputs(report: Report, name: str) -> tuple:
    """Everything chart ``name`` of ``report`` is drawn from (:mod:`runload.report.charts`):
    the same inputs draw the same bytes, so a chart is redrawn only when these change. The
    weekly distance chart reads the weekly rows, the window, the data's end and gaps, the
    units and the athlete's progression thresholds; a pain entry changes none of them. Any
    other chart is keyed by its whole report (redrawn with every new report)."""

    if name != "weekly_distance":
        return ("report", id(report))
    a = report.assessment
    return (tuple(report.weeks), report.period, report.data_end, report.athlete.units,
            metrics.thresholds(a, "weekly-progression") if a is not None else None,
            tuple(metrics.gaps(a)) if a is not None else None)


@dataclass
class _Entry:
    """What is kept for one athlete and day, for one version of their data."""

    fingerprint: tuple
    made: float
    assessment: Any
    plan: Any
    reports: dict[str, Report] = field(default_factory=dict)  # view -> report, built when first asked
    parts: dict[tuple[str, str], Any] = field(default_factory=dict)  # (view, what) -> rendered part


class _Judge(Assessor):
    """An :class:`runload.session.Assessor` that reads the athlete's data through
    ``read`` (which keeps their activities between pain entries)."""

    def __init__(self, store: Any, book: Any, read: Callable[[str], Any]) -> None:
        super().__init__(store, book)
        self._read = read

    def data(self, athlete_id: str) -> Any:
        if athlete_id not in self._data:
            self._data[athlete_id] = self._read(athlete_id)
        return self._data[athlete_id]


class Pages:
    """Reports of the athletes of one store, made with one rulebook and kept until their data
    changes. Safe to use from many threads, each with its own open store."""

    def __init__(self, book: Any, *, max_age_s: float = MAX_AGE_S, clock: Callable[[], float] = time.monotonic) -> None:
        self.book = book
        self.max_age_s = max_age_s
        self.clock = clock
        self._lock = threading.Lock()
        self._cache: dict[tuple[str, date], _Entry] = {}
        self._activities: dict[str, tuple[str, tuple]] = {}  # athlete -> (their fingerprint part, activities)
        self._charts: dict[tuple[str, str, str], tuple[tuple, bytes]] = {}  # (athlete, view, name) -> (inputs, SVG)
        self._building = threading.Lock()
        self.counts = {"assessed": 0, "charts drawn": 0}  # what was made (the tests and the benchmark read it)

    def _data(self, store: Any, athlete_id: str, activities_fp: str) -> Any:
        """The athlete's data; their activities read again only when they changed."""
        with self._lock:
            kept = self._activities.get(athlete_id)
        if kept is not None and kept[0] == activities_fp:
            return store.athlete_data(athlete_id, activities=kept[1])
        data = store.athlete_data(athlete_id, laps=reads_laps(self.book, athlete_id))
        with self._lock:
            self._activities[athlete_id] = (activities_fp, data.activities)
        return data

    def _entry(self, store: Any, athlete_id: str, today: date) -> _Entry:
        key = (athlete_id, today)
        fp = tuple(store.conn.execute(_FINGERPRINT, {"a": athlete_id}).fetchall()[0])

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
            judge = _Judge(store, self.book, lambda i: self._data(store, i, fp[0]))
            entry = _Entry(fp, self.clock(), judge.get(athlete_id, today), judge.plan(athlete_id, today))
            self.counts["assessed"] += 1
        with self._lock:
            # a server runs for months: days gone by go (the roster's day, UTC's, and the
            # athlete's own may differ by one, so both stay)
            for old in [k for k in self._cache if k[0] == athlete_id and abs((k[1] - today).days) > 1]:
                del self._cache[old]
            self._cache[key] = entry
        return entry

    def warm(self, store: Any, athlete_ids: list[str], today: Callable[[str | None], date]) -> int:
        """Make each athlete's report now (``today(tz)`` their day), so the first views after a
        start answer at once; returns how many were made."""
        for athlete_id in athlete_ids:
            self.report(store, athlete_id, today(store.get_athlete(athlete_id).timezone))
        return len(athlete_ids)

    def report(self, store: Any, athlete_id: str, today: date, *, view: str = "16w") -> Report:
        """The athlete's report for the week holding ``today``, judged on ``today`` (as
        ``runload report`` makes it); ``view`` (:data:`VIEWS`) sets how many weeks its weekly
        rows and chart cover."""
        return self._report(self._entry(store, athlete_id, today), today, view)

    def _report(self, entry: _Entry, today: date, view: str) -> Report:
        got = entry.reports.get(view)
        if got is None:
            got = build_report(entry.assessment, week_period(today, self.book.first_weekday), plan=entry.plan,
                               weeks_shown=VIEWS[view])
            entry.reports[view] = got  # two threads may both build it: the same report either way
        return got

    def part(self, store: Any, athlete_id: str, today: date, view: str, what: str,
             render: Callable[[Report], Any]) -> Any:
        """``render(report)`` of the view's report, made once per report and kept with it: the
        parts of a page that depend on the athlete's data only."""
        entry = self._entry(store, athlete_id, today)
        if (view, what) not in entry.parts:
            entry.parts[(view, what)] = render(self._report(entry, today, view))
        return entry.parts[(view, what)]

    def chart(self, store: Any, athlete_id: str, today: date, name: str, *, view: str = "16w") -> bytes | None:
        """Chart ``name`` of that report as SVG, or None when the report has no such chart.
        Drawn on first use and kept until what it draws changes (:func:`chart_inputs`): a page
        links to it rather than inlining it, so the page itself answers at once."""

        report = self.report(store, athlete_id, today, view=view)
        if not any(c.name == name and c.available for c in report.charts):
            return None
        key, inputs = (athlete_id, view, name), chart_inputs(report, name)
        with self._lock:
            kept = self._charts.get(key)
        if kept is not None and kept[0] == inputs:
            return kept[1]
        with _CHART_LOCK:
            with self._lock:
                kept = self._charts.get(key)
            if kept is not None and kept[0] == inputs:  # drawn by another thread while this one waited
                return kept[1]
            svg = charts.render(report, name, "svg")
            self.counts["charts drawn"] += 1
        with self._lock:
            self._charts[key] = (inputs, svg)
        return svg

    def roster(self, store: Any, athlete_ids: list[str], today: date) -> Roster:
        """The roster of ``athlete_ids`` for the week holding ``today``, most at risk first, each
        line taken from the athlete's report (the one their page shows)."""

        period = week_period(today, self.book.first_weekday)
        rows = [roster_row(self.report(store, i, today), today) for i in athlete_ids]
        rows.sort(key=sort_key)
        return Roster(period, judged_day(period, today), rows)

    def forget(self, athlete_id: str) -> None:
        """Drop the athlete's kept assessments (the app wrote for them). Their charts stay: each
        is checked against what it draws when next asked."""
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
