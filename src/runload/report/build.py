"""Assemble a :class:`~runload.report.model.Report` from an :class:`~runload.analysis.Analysis`.

The report selects and summarises; it never judges. Findings and caps are the analysis's own;
what is added here is bookkeeping a reader needs: which weeks are shown, which weeks have no data
at all (gaps, not rest), pain entries around the period, kilometres per shoe, cross-training time.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from runload.errors import InputError
from runload.models import Activity, Finding, PainEntry
from runload.report.model import (
    STATUS_LABELS,
    CapLine,
    EpisodeLine,
    PainStory,
    PainRow,
    PainSummary,
    Period,
    Report,
    ShoeRow,
    Status,
    WeekRow,
    is_red_flag,
    level_rank,
)
from runload.report.fmt import plain
from runload.store import Store

WEEKS_SHOWN = 16
PAIN_WINDOW_DAYS = 28

#: PainEntry flags in the words a report uses (evidence.md section 7).
PAIN_FLAGS = {
    "breathless_chest_pain": "breathless or chest pain",
    "calf_swelling_redness_warmth": "calf swelling, redness or warmth",
    "cannot_bear_weight": "cannot bear weight",
    "locking": "knee locks",
    "giving_way": "gives way",
    "popping": "popping at onset",
    "deformity": "visible deformity",
    "cannot_bend_straighten": "cannot bend or straighten fully",
    "numbness_tingling": "numbness or tingling",
    "fever": "fever",
}

#: Labels of the caps runload knows; caps the rules add later get a label from their field name.
CAP_LABELS = {
    "week_km": "Week's running distance",
    "longest_run_km": "Longest single run",
}


def period_for(*, week: date | None = None, start: date | None = None, end: date | None = None,
               default_day: date | None = None) -> Period | None:
    """The period a report covers: an ISO week (its Monday), a from/to range, or the week holding
    ``default_day``. None when nothing says which days (no data and no choice)."""
    if week is not None and (start is not None or end is not None):
        raise InputError("give either --week or --from/--to, not both")
    if (start is None) != (end is None):
        raise InputError("--from and --to go together: give both")
    if start is not None and end is not None:
        if start > end:
            raise InputError(f"--from {start.isoformat()} is after --to {end.isoformat()}")
        return Period("range", start, end)
    if week is not None:
        monday = week - timedelta(days=week.weekday())
        return Period("week", monday, monday + timedelta(days=6))
    if default_day is not None:
        monday = default_day - timedelta(days=default_day.weekday())
        return Period("week", monday, monday + timedelta(days=6))
    return None


def build_report(store: Store, athlete_id: str, *, week: date | None = None, start: date | None = None,
                 end: date | None = None, today: date | None = None) -> Report:
    """The report for ``athlete_id``: an ISO week (``week`` is any day of it), a ``start``-``end``
    range, or by default the latest week with data."""
    from runload.analysis import analyze

    chosen = period_for(week=week, start=start, end=end)
    # a period that runs into the future is judged as of today: days not yet lived are not rest
    as_of = min(chosen.end, today or date.today()) if chosen else None
    analysis = analyze(store, athlete_id, as_of=as_of)
    return report_from_analysis(analysis, chosen, today=today)


def report_from_analysis(analysis: Any, period: Period | None = None, *, today: date | None = None,
                         weeks_shown: int = WEEKS_SHOWN) -> Report:
    """Build the report from an analysis the caller already has (the notebook's what-if does)."""
    from runload.load import local_date
    from runload.report import charts as chart_catalog

    athlete = analysis.athlete
    data_end: date | None = analysis.data_end
    if period is None:
        period = period_for(default_day=data_end or today or date.today())
    assert period is not None
    as_of = analysis.as_of or data_end or period.end

    findings = [f for f in analysis.findings if _in_period(f, period)]
    findings.sort(key=lambda f: -f.severity.rank)  # stable: keeps the analysis's order within a level
    earlier = sum(1 for f in analysis.findings if _day_of(f) is not None and _day_of(f) < period.start)

    from runload.report.metrics import gaps

    week_start = int((analysis.extras or {}).get("week_start", 0) or 0)
    weeks = _weeks(analysis.weekly, analysis.activities, period, data_end, weeks_shown, gaps(analysis), week_start)
    pain = pain_summary(analysis.pain_entries, period)
    shoes = _shoes(analysis.activities, period.end)
    caps, caps_mode, caps_guidance, caps_basis = _caps(analysis.caps, athlete.units)
    recorded = (any(period.holds(local_date(a)) for a in analysis.activities)
                or any(period.holds(e.date) for e in analysis.pain_entries))
    status = _status(findings, period, recorded)

    notes: list[str] = []
    if not any(a.is_run for a in analysis.activities):
        notes.append(f"No runs imported yet: runload import --athlete {athlete.id} PATH")
    elif data_end is not None and data_end < period.end:
        notes.append(f"Data ends on {data_end.isoformat()}: the days after it are unknown, not rest days.")
    first_day = min((local_date(a) for a in analysis.activities), default=None)
    gap_weeks = [w for w in weeks if not w.has_data and first_day is not None
                 and first_day - timedelta(days=6) <= w.week_start and (data_end is None or w.week_start <= data_end)]
    if gap_weeks and any(w.has_data for w in weeks):
        n = len(gap_weeks)
        notes.append(f"{n} of the {len(weeks)} weeks shown {'has' if n == 1 else 'have'} no recorded activity "
                     "at all: shown as gaps, not as rest weeks.")
    if earlier:
        notes.append(f"{earlier} earlier finding{'s' if earlier != 1 else ''} before this period: "
                     f"runload check --athlete {athlete.id}")

    report = Report(
        athlete=athlete, period=period, as_of=as_of, data_end=data_end, status=status,
        findings=findings, earlier_findings=earlier, caps=caps, caps_mode=caps_mode,
        caps_guidance=caps_guidance, caps_basis=plain(caps_basis), weeks=weeks, pain=pain, shoes=shoes,
        charts=[], notes=notes, extras=dict(analysis.extras or {}),
        pain_story=pain_story((analysis.extras or {}).get("pain")), analysis=analysis,
    )
    return dataclasses.replace(report, charts=chart_catalog.catalog(report))


def _day_of(f: Finding) -> date | None:
    return f.date or f.week_start


def _in_period(f: Finding, period: Period) -> bool:
    """A finding belongs to the period when its day (or its week) falls inside it; undated
    findings (about the athlete rather than a day) always do."""
    if f.date is not None:
        return period.holds(f.date)
    if f.week_start is not None:
        # a week-level finding belongs to every period that overlaps its week
        return f.week_start <= period.end and f.week_start + timedelta(days=6) >= period.start
    return True


def _status(findings: Sequence[Finding], period: Period, recorded: bool = True) -> Status:
    if not findings and not recorded:
        # nothing flagged because nothing was recorded: that is not "on track"
        return Status("ok", STATUS_LABELS["no-data"], f"No activity or pain entry recorded in {period.label}: "
                                                      "nothing to judge.")
    if not findings:
        return Status("ok", STATUS_LABELS["ok"], f"Nothing flagged in {period.label}.")
    level = findings[0].severity.value
    counts: dict[str, int] = {}
    for f in findings:
        counts[f.severity.value] = counts.get(f.severity.value, 0) + 1
    parts = [f"{n} {lvl}{'s' if n != 1 and lvl in ('caution', 'warning') else ''}"
             for lvl, n in sorted(counts.items(), key=lambda kv: -level_rank(kv[0]))]
    label = STATUS_LABELS[level]
    if level == "warning" and any(is_red_flag(f) for f in findings):
        label = STATUS_LABELS["clinician"]  # a "see a clinician" red flag outranks load advice
    return Status(level, label, f"{', '.join(parts)} in {period.label}.")


def _weeks(weekly: Any, activities: Sequence[Activity], period: Period, data_end: date | None, n: int,
           silences: list[tuple[date, date]] | None, first_weekday: int = 0) -> list[WeekRow]:
    """The last ``n`` calendar weeks up to the period's last week, gaps included.

    A week has no data when it lies wholly inside a stretch without any recorded activity (the
    data-gap rule's 14+ days; without that code, any week with no activity at all) or after the
    last day with data.
    """
    from runload.load import local_date, week_start_of
    from runload.report.metrics import cross_training_minutes

    last = week_start_of(period.end, first_weekday)
    starts = [last - timedelta(weeks=i) for i in range(n - 1, -1, -1)]
    by_week = {}
    if weekly is not None and len(weekly):
        by_week = {r.week_start: r for r in weekly.itertuples(index=False)}
    active_weeks = {week_start_of(local_date(a), first_weekday) for a in activities}
    cross: dict[date, float] = {}
    for (ws, _sport), minutes in cross_training_minutes(activities, first_weekday).items():
        cross[ws] = cross.get(ws, 0.0) + minutes

    first_day = min((local_date(a) for a in activities), default=None)

    def known(ws: date) -> bool:
        if data_end is None or first_day is None or ws > data_end or ws + timedelta(days=6) < first_day:
            return False
        if silences is None:
            return ws in active_weeks
        return not any(a <= ws and ws + timedelta(days=6) <= b for a, b in silences)

    rows = []
    for ws in starts:
        partial = data_end is not None and ws <= data_end < ws + timedelta(days=6)
        r = by_week.get(ws)
        if not known(ws):
            rows.append(WeekRow(ws, 0.0, 0, 0.0, None, False, 0.0, False, partial))
            continue
        if r is None:  # before the first run, or cross-training only
            rows.append(WeekRow(ws, 0.0, 0, 0.0, None, False, round(cross.get(ws, 0.0), 1), True, partial))
            continue
        change = None if r.change_pct != r.change_pct else round(float(r.change_pct), 1)
        small = bool(r.base_too_small)
        if not known(ws - timedelta(weeks=1)):
            change, small = None, False  # against a week without data there is nothing to compare with
        rows.append(WeekRow(ws, round(float(r.distance_km), 2), int(r.runs), round(float(r.longest_run_km), 2),
                            change, small, round(cross.get(ws, 0.0), 1), True, partial))
    return rows


def pain_summary(entries: Sequence[PainEntry], period: Period, *, window_days: int = PAIN_WINDOW_DAYS) -> PainSummary:
    """Pain entries from ``window_days`` before the period's end (or the whole period if longer),
    and the trend of the worst score: last 7 days against the 7 before."""
    first = min(period.start, period.end - timedelta(days=window_days - 1))
    shown = [e for e in entries if first <= e.date <= period.end]
    rows = tuple(
        PainRow(e.date, e.side, e.location, e.pain_during, e.pain_after, e.pain_next_morning, e.stiffness,
                e.swelling, tuple(words for name, words in PAIN_FLAGS.items() if getattr(e, name)), e.notes)
        for e in shown
    )

    def worst(lo: date, hi: date) -> int | None:
        scores = [s for e in entries if lo <= e.date <= hi
                  for s in (e.pain_during, e.pain_after, e.pain_next_morning) if s is not None]
        return max(scores) if scores else None

    last7 = worst(period.end - timedelta(days=6), period.end)
    prev7 = worst(period.end - timedelta(days=13), period.end - timedelta(days=7))
    if last7 is None and prev7 is None:
        trend = "none logged"
    elif last7 is None:
        trend = "none in the last 7 days"
    elif prev7 is None:
        trend = "new"
    elif last7 > prev7:
        trend = "rising"
    elif last7 < prev7:
        trend = "falling"
    else:
        trend = "steady"
    return PainSummary(trend, last7, prev7, rows)


def pain_story(assessment: Any) -> PainStory | None:
    """The pain assessment an analysis carries (``extras["pain"]``: red flags, episodes with
    their load sentence, return plan), read by attribute so the report needs no pain code."""
    if assessment is None:
        return None
    flags = tuple((f.date, str(f.what), str(f.level)) for f in getattr(assessment, "red_flags", ()) or ())
    episodes = tuple(
        EpisodeLine(ep.onset, getattr(ep, "last", None), str(ep.status), getattr(ep, "peak", None),
                    str(getattr(getattr(ep, "load", None), "sentence", "") or ""))
        for ep in getattr(assessment, "episodes", ()) or ()
    )
    plan = getattr(assessment, "return_plan", None)
    lines = tuple(str(x) for x in plan.lines()) if plan is not None and hasattr(plan, "lines") else ()
    cites = tuple(str(c) for c in getattr(plan, "citations", ()) or ()) if plan is not None else ()
    return PainStory(flags, episodes, lines, cites)


def _shoes(activities: Sequence[Activity], end: date) -> list[ShoeRow]:
    from runload.load import local_date

    per: dict[str, list[Any]] = {}
    for a in activities:
        if not a.is_run or not a.gear:
            continue
        day = local_date(a)
        if day > end:
            continue
        row = per.setdefault(a.gear, [0.0, 0, day, day])
        row[0] += a.distance_m / 1000.0
        row[1] += 1
        row[2] = min(row[2], day)
        row[3] = max(row[3], day)
    return sorted((ShoeRow(g, round(v[0], 1), v[1], v[2], v[3]) for g, v in per.items()),
                  key=lambda s: (-s.distance_km, s.gear))


def _caps(caps: Any, units: str = "km") -> tuple[list[CapLine], str, str | None, dict[str, Any]]:
    """The analysis's caps: every ``*_km`` field with its ``*_rule`` beside it (``week_km`` /
    ``week_rule``, ``longest_run_km`` / ``longest_run_rule``, and any added later), the mode,
    the guidance and the numbers the caps come from."""
    if caps is None:
        return [], "normal", None, {}
    values = {f.name: getattr(caps, f.name) for f in dataclasses.fields(caps)}
    basis = dict(values.get("basis") or {})
    out = []
    for name, value in values.items():
        if not name.endswith("_km"):
            continue
        base = name[:-3]
        out.append(CapLine(name, CAP_LABELS.get(name, base.replace("_", " ").capitalize()),
                           None if value is None else round(float(value), 1), values.get(f"{base}_rule"),
                           _basis_words(name, value, basis, units)))
    mode = str(values.get("mode") or "normal")
    guidance = values.get("guidance")
    return out, mode, None if guidance is None else str(guidance), basis


def _basis_words(name: str, value: Any, basis: dict[str, Any], units: str = "km") -> str:
    """Where a cap comes from, in words (distances in the reader's ``units``), from the basis
    numbers the rules give."""
    from runload.units import distance

    if value is None:
        return ""
    if basis.get("held_for_pain"):
        since = basis.get("pain_episode_since", "")
        what = "the reference week" if name == "week_km" else "the longest run of the last 30 days"
        return f"held at {what}, no increase: a pain episode since {since} is still going on"
    if name == "week_km" and "reference_week_km" in basis:
        ref, pct = basis["reference_week_km"], basis.get("week_pct")
        if basis.get("min_base_km") is not None and ref < basis["min_base_km"]:
            return f"the minimum base: a week of {distance(ref, units)} is too small to add a percentage to"
        return f"{pct:g}% above a reference week of {distance(ref, units)}" if pct is not None else ""
    if name == "longest_run_km" and "longest_30d_km" in basis:
        pct = basis.get("longest_pct")
        return (f"{pct:g}% above {distance(basis['longest_30d_km'], units)}, the longest run of the last 30 days"
                if pct is not None else "")
    return ""
