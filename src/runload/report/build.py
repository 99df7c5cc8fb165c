"""Assemble a :class:`~runload.report.model.Report` from an :class:`~runload.assess.Assessment`.

The report selects and summarises; it never judges and never builds a frame. Status, findings and
limits are the assessment's own; what is added here is bookkeeping a reader needs: which weeks
are shown (gaps as gaps, not rest), the period's runs, pain entries around the period,
kilometres per shoe.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from runload.assess import Assessment, recorded_between
from runload.calendar import Period, local_dates, parse_week, range_period, week_period, week_start_of
from runload.errors import InputError
from runload.limits import basis_words
from runload.load.formulas import CTL_DAYS, trimp_formula
from runload.load.series import LOAD_WORDS, days_known, duration_s
from runload.models import PAIN_SIGN_SHORT, Activity, Finding, PainEntry
from runload.report import charts as chart_catalog
from runload.report.model import (
    EpisodeLine,
    LimitLine,
    LoadWeek,
    PainRow,
    PainStory,
    PainSummary,
    Report,
    RunRow,
    ShoeRow,
    WeekRow,
)
from runload.report.weeks import coarse_hr_note
from runload.shoes import NEAR_RETIREMENT, shoe_totals

WEEKS_SHOWN = 16
PAIN_WINDOW_DAYS = 28

LIMIT_LABELS = {
    "week": "Week's running distance",
    "longest_run": "Longest single run",
    "per_run": "Each run, while the pain lasts",
}


def resolve_period(*, week: str | None = None, start: date | None = None, end: date | None = None,
                   today: date, first_weekday: int = 0) -> Period:
    """The period a command covers: ``--week this|last|YYYY-Www`` or ``--from``/``--to``;
    by default this week so far (the week holding ``today``)."""

    if week is not None and (start is not None or end is not None):
        raise InputError("give either --week or --from/--to, not both")
    if (start is None) != (end is None):
        raise InputError("--from and --to go together: give both")
    if start is not None and end is not None:
        return range_period(start, end)
    if week is not None:
        return parse_week(week, today, first_weekday)
    return week_period(today, first_weekday)


def judged_day(period: Period, today: date) -> date:
    """The day a period is judged on: its last day, or today for a period that runs into the
    future (days not yet lived are not rest)."""
    return min(period.end, today)


def build_report(a: Assessment, period: Period | None = None, *, weeks_shown: int = WEEKS_SHOWN,
                 plan: Any = None) -> Report:
    """The report of assessment ``a`` for ``period`` (default: the week holding its day), with
    ``plan`` (a :class:`runload.plan.PlanCheck` of the stored plan for the days ahead) if given.

    ``a`` should be the assessment on :func:`judged_day` of the period; the findings shown are
    those current on that day, and for a longer period every event inside it.
    """
    athlete = a.athlete
    if period is None:
        period = week_period(a.as_of or date.today(), a.first_weekday)
    as_of = a.as_of or period.end
    shown = shown_findings(a, period)
    earlier = sum(1 for f in a.findings if not f.current and f.day is not None and f.day < period.start)

    weeks = _weeks(a, period, weeks_shown)
    pain = pain_summary(a.pain_entries, period, a.pain.trend)
    notes: list[str] = []
    if not a.frames.runs:
        notes.append(f"No runs imported yet: runload import --athlete {athlete.id} PATH")
    elif a.data_end is not None and a.data_end < as_of:
        notes.append(f"Data ends on {a.data_end.isoformat()}: the days after it are unknown, not rest days.")
    first_day = a.frames.first_day
    gap_weeks = [w for w in weeks if not w.has_data and first_day is not None
                 and first_day - timedelta(days=6) <= w.week_start and (a.data_end is None or w.week_start <= a.data_end)]
    if gap_weeks and any(w.has_data for w in weeks):
        n = len(gap_weeks)
        notes.append(f"{n} of the {len(weeks)} weeks shown {'has' if n == 1 else 'have'} no recorded activity "
                     "at all: shown as gaps, not as rest weeks.")
    notes.extend(heart_rate_notes(a, shown))  # how to read a finding's heart-rate figure
    # how the fitness chart is computed: the full report's, not the headline's
    method_notes: list[str] = []
    if any(w.runs for w in weeks):
        method_notes.append(fitness_note(a, weeks[0].week_start, min(period.end, as_of)))
    if earlier:
        notes.append(f"{earlier} earlier finding{'s' if earlier != 1 else ''} before this period: "
                     f"runload check --athlete {athlete.id} --all")
    if not recorded_between(a, period.start, period.end) and a.status.level != "no-data":
        notes.append(f"Nothing was recorded in {period.label}; the status is what stands on {as_of.isoformat()}.")
    lim = a.limits
    report = Report(
        athlete=athlete, period=period, as_of=as_of, data_end=a.data_end, status=a.status,
        findings=shown, earlier_findings=earlier, limits=_limit_lines(lim, athlete.units),
        limits_mode=lim.mode, limits_sentence=lim.sentence(athlete.units), limits_guidance=lim.guidance,
        limits_basis=dict(lim.basis), weeks=weeks, runs=_runs(a.activities, period), pain=pain,
        shoes=_shoes(a, period.end), charts=[], notes=notes, method_notes=method_notes,
        pain_story=pain_story(a.pain),
        assessment=a, plan=plan, load_weeks=load_weeks(a, weeks), load_note=load_note(a),
    )

    return dataclasses.replace(report, charts=chart_catalog.catalog(report))


def shown_findings(a: Assessment, period: Period) -> list[Finding]:
    """The findings a report for ``period`` shows: those current on its day, and for a range
    every event inside it; most serious first."""
    if period.kind == "range":
        return [f for f in a.findings if f.current or _in_period(f, period)]
    return [f for f in a.findings if f.current]


def current_week(a: Assessment, period: Period) -> WeekRow:
    """The period's last calendar week as the report's series shows it (its last row)."""
    return _weeks(a, period, 1)[-1]


def fitness_note(a: Assessment, lo: date, hi: date) -> str:
    """What the fitness/fatigue/form chart rests on, in words: runload's seed and form convention
    (and the common tools' one), whether the series is still settling (its first 42 days) on
    ``hi``, and the days without data between ``lo`` and ``hi`` it does not draw."""

    text = (f"Fitness (CTL, {CTL_DAYS}-day) and fatigue (ATL, 7-day) start from the mean of your first 28 days "
            "of running (TrainingPeaks and GoldenCheetah start them at 0), and form (TSB) is the same day's "
            "fitness minus fatigue (those tools show yesterday's).")
    first = a.frames.fitness_first_day()
    if first is not None:
        settled_from = first + timedelta(days=CTL_DAYS)
        if hi < settled_from:
            n = (hi - first).days + 1
            text += (f" With {n} day{'s' if n != 1 else ''} of data they are still settling until "
                     f"{(settled_from - timedelta(days=1)).isoformat()}: provisional, not yet a measure of fitness.")
    spans = [(max(x, lo), min(y, hi)) for x, y in a.frames.gaps if y >= lo and x <= hi]
    if spans:
        when = ", ".join(f"{x.isoformat()} to {y.isoformat()}" for x, y in spans)
        text += (f" Through the days without data ({when}) they are computed as if you rested and are not "
                 "drawn: runload does not know those days.")
    return text


def _in_period(f: Finding, period: Period) -> bool:
    """A finding belongs to the period when the days it covers overlap it."""
    first = f.date or f.week_start
    last = f.day
    if first is None or last is None:
        return True
    return first <= period.end and last >= period.start


def _weeks(a: Assessment, period: Period, n: int) -> list[WeekRow]:
    """The last ``n`` calendar weeks up to the period's last week, gaps included.

    A week has no data when runload knows none of its days (it lies in a gap: a stretch of 14+
    days without any recorded activity or a week without any file; see
    :func:`runload.load.series.gaps`), before the first data or after the last day with data.
    The change is the weekly frame's: judged only against a complete week.
    """
    weekly = a.frames.weekly_lists  # the weekly series' columns as lists: no frame is built for a few rows
    first_weekday = a.first_weekday
    data_end = a.data_end
    last = week_start_of(period.end, first_weekday)
    starts = [last - timedelta(weeks=i) for i in range(n - 1, -1, -1)]
    shown = set(starts)
    at = {ws: i for i, ws in enumerate(weekly["week_start"]) if ws in shown}
    cross_min = {ws: float(m) for ws, m in a.frames.cross_training_totals.items() if ws in shown}
    first_day = a.frames.first_day

    def known(ws: date) -> bool:
        if data_end is None or first_day is None or ws > data_end or ws + timedelta(days=6) < first_day:
            return False
        return days_known(ws, ws + timedelta(days=6), history_start=first_day, end=data_end, gaps=a.frames.gaps) > 0

    rows = []
    for ws in starts:
        partial = data_end is not None and ws <= data_end < ws + timedelta(days=6)
        i = at.get(ws)
        reference = a.frames.week_complete(ws - timedelta(weeks=1))
        if not known(ws):
            rows.append(WeekRow(ws, 0.0, 0, 0.0, None, False, 0.0, False, partial, reference))
            continue
        if i is None:  # before the first run, or cross-training only
            rows.append(WeekRow(ws, 0.0, 0, 0.0, None, False, round(cross_min.get(ws, 0.0), 1), True, partial,
                                reference))
            continue
        pct = weekly["change_pct"][i]
        change = None if pct is None or pct != pct else round(float(pct), 1)
        rows.append(WeekRow(ws, round(float(weekly["distance_km"][i]), 2), int(weekly["runs"][i]),
                            round(float(weekly["longest_run_km"][i]), 2), change, bool(weekly["base_too_small"][i]),
                            round(cross_min.get(ws, 0.0), 1), True, partial, reference))
    return rows


def _runs(activities: Sequence[Activity], period: Period) -> list[RunRow]:
    out = []
    start, end = period.start, period.end
    for a, day in zip(activities, local_dates(activities)):  # every day in one pass
        if not start <= day <= end or not a.is_run:
            continue
        dur = duration_s(a)
        km = a.distance_m / 1000.0
        pace = dur / km if dur and km > 0 else None
        out.append(RunRow(day, round(km, 2), dur, pace, a.avg_hr_bpm, a.name))
    return out


def pain_summary(entries: Sequence[PainEntry], period: Period, trend: Any, *,
                 window_days: int = PAIN_WINDOW_DAYS) -> PainSummary:
    """Pain entries from ``window_days`` before the period's end (or the whole period if longer),
    and ``trend`` (the assessment's :class:`runload.pain.PainTrend`: the worst score of the 7 days
    up to the day judged against the 7 before, the one trend every output says)."""
    first = min(period.start, period.end - timedelta(days=window_days - 1))
    shown = [e for e in entries if first <= e.date <= period.end]
    rows = tuple(
        PainRow(e.date, e.side, e.location, e.pain_during, e.pain_after, e.pain_next_morning, e.stiffness,
                e.swelling, tuple(words for name, words in PAIN_SIGN_SHORT.items() if getattr(e, name)), e.notes,
                e.relieved_by_rest)
        for e in shown
    )
    return PainSummary(trend.word, trend.last_7d_max, trend.prev_7d_max, rows)


def pain_story(pain: Any) -> PainStory | None:
    """What the pain assessment says beyond findings, as report data."""
    if pain is None:
        return None
    flags = tuple((f.date, str(f.what), str(f.level)) for f in pain.red_flags)
    episodes = tuple(
        EpisodeLine(ep.onset, ep.last, str(ep.status), ep.peak, str(ep.load.sentence if ep.load else ""), ep.state)
        for ep in pain.episodes
    )
    plan = pain.return_plan
    lines = tuple(str(x) for x in plan.lines()) if plan is not None else ()
    cites = tuple(str(c) for c in plan.citations) if plan is not None else ()
    resolved = tuple((f.date, str(f.what), how) for f, how in pain.resolved)
    clearances = tuple((c.date, c.by, c.note) for c in pain.clearances)
    return PainStory(flags, episodes, lines, cites, resolved, clearances)


def _shoes(a: Assessment, end: date) -> list[ShoeRow]:
    """Kilometres per shoe up to ``end`` (:func:`runload.shoes.shoe_totals` of the runs the
    series holds, the count the shoe rule judges): shoes with runs in runload, most kilometres
    first."""

    rows = []
    for t in shoe_totals(a.activities, a.shoes, end, per=a.frames.shoe_runs(end)):
        if not t.runs or t.first_used is None or t.last_used is None:
            continue
        retired = t.retired(end)
        near = (not retired and t.retire_km is not None and t.distance_km >= NEAR_RETIREMENT * t.retire_km)
        rows.append(ShoeRow(t.name, round(t.distance_km, 1), t.runs, t.first_used, t.last_used,
                            start_km=round(t.start_km, 1), retire_km=t.retire_km,
                            left_km=None if t.left_km is None else round(t.left_km, 1),
                            retired_on=t.retired_on if retired else None, near_retirement=near))
    return sorted(rows, key=lambda s: (-s.distance_km, s.gear))


def _limit_lines(lim: Any, units: str = "km") -> list[LimitLine]:
    """Next week's limits as report lines, each with where its number comes from in words
    (:func:`runload.limits.basis_words`)."""

    out = []
    for key, km, rule in lim.items():
        if km is None and key == "per_run":
            continue
        out.append(LimitLine(key, LIMIT_LABELS[key], None if km is None else round(float(km), 1), rule,
                             basis_words(lim, key, units)))
    return out


def report_for(assessor: Any, athlete_id: str, *, week: str | date | None = None, start: date | None = None,
               end: date | None = None, today: date | None = None) -> Report:
    """The report of one athlete from an :class:`runload.session.Assessor`, as the command
    does it: ``week`` as ``this``/``last``/``YYYY-Www`` or any day of the week, or a
    ``start``-``end`` range; judged on the period's last day, or ``today`` if that is earlier
    (default: the period's last day; with no period, the last day with data)."""
    first_weekday = assessor.book.first_weekday
    if isinstance(week, date):
        period = week_period(week, first_weekday)
    elif week is None and start is None and today is None:
        a = assessor.get(athlete_id, None)
        day = a.as_of or date.today()
        return build_report(a, week_period(day, first_weekday), plan=assessor.plan(athlete_id, day))
    else:
        period = resolve_period(week=week, start=start, end=end, today=today or date.max, first_weekday=first_weekday)
    day = judged_day(period, today or period.end)
    return build_report(assessor.get(athlete_id, day), period, plan=assessor.plan(athlete_id, day))


def load_weeks(a: Assessment, weeks: Sequence[WeekRow]) -> list[LoadWeek]:
    """Climbing, session load and TRIMP of the weeks shown (the frames' weekly sums); empty when
    no run of those weeks carries any of them."""
    shown = {w.week_start for w in weeks if w.has_data}
    by: dict[str, dict[date, tuple[float, int, int]]] = {}  # kind -> {week: (value, runs, runs missing it)}
    for kind in ("climb", "session_load", "trimp"):
        t = a.frames.weekly_load_lists(kind)  # the weekly sums' columns: no frame for a few rows
        by[kind] = {} if t is None else {ws: (v, r, m) for ws, v, r, m in
                                          zip(t["week_start"], t["value"], t["runs"], t["runs_missing"]) if ws in shown}
    out = []
    for w in weeks:
        if not w.has_data:
            continue
        cells: dict[str, Any] = {}
        for kind, rows in by.items():
            r = rows.get(w.week_start)
            cells[kind] = None if r is None or r[1] == 0 or r[2] >= r[1] else round(float(r[0]), 1)
        rated = by["session_load"].get(w.week_start)
        out.append(LoadWeek(w.week_start, cells["climb"], cells["session_load"],
                            0 if rated is None else int(rated[1] - rated[2]), cells["trimp"], w.runs))
    if not any(x.climb_m is not None or x.session_load is not None or x.trimp is not None for x in out):
        return []
    return out


def load_note(a: Assessment) -> str:
    """Which load measure the load rules in force judge, in words ("running distance:
    weekly-progression, ...; session load (RPE x minutes): session-load-progression")."""

    measures: dict[str, list[str]] = {}
    for rid, kind in a.measures.items():
        measures.setdefault(kind, []).append(rid)
    if not measures:
        return ""
    return "Load measures the rules judge: " + "; ".join(
        f"{LOAD_WORDS.get(k, k)}: {', '.join(v)}" for k, v in measures.items()) + "."




def heart_rate_notes(a: Any, findings: Sequence[Finding]) -> list[str]:
    """Where the report shows heart-rate load (a finding on TRIMP), which formula gave it (the
    profile's sex decides; without it, say so); and runs whose heart rate an older runload
    kept only in 5-bpm bins, when heart-rate figures are judged at all."""

    out = []
    every = [g for f in findings for g in (f, *f.supporting)]
    if any("trimp" in f"{g.message} {g.unit}".lower() for g in every):
        out.append(f"Heart-rate load (TRIMP): {trimp_formula(a.athlete.sex)}.")
    if a.frames.coarse_hr_runs and (a.athlete.hr_max_bpm or out):
        out.append(coarse_hr_note(a.frames.coarse_hr_runs))
    return out

