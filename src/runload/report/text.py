"""Render a Report as plain text for a terminal or a cron mail.

Colour (ANSI) only when the caller asks for it, which the CLI does only on a terminal; tables
are never coloured so their columns stay aligned.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from datetime import timedelta
from functools import lru_cache

from runload.models import Finding
from runload.report import colours, fmt
from runload.report.model import STATUS_LABELS, Report, Roster
from runload.report.plan import plan_lines
from runload.report.roster import status_words
from runload.report.table import table

WIDTH = 100
_ANSI = {"bold": "1", "dim": "2"}  # a status level's style is its colour's (runload.report.colours)


def _table(headers: Sequence[str], rows: Sequence[Sequence[object]], align: str | None = None) -> str:
    return textwrap.indent(table(headers, rows, align), "  ")


def _paint(s: str, style: str, color: bool) -> str:
    code = _ANSI.get(style) or colours.ansi(style)
    return f"\x1b[{code}m{s}\x1b[0m" if color else s


def _wrap(s: str, indent: str, first: str = "") -> list[str]:
    return list(_wrapped(s, indent, first))


@lru_cache(maxsize=4096)
def _wrapped(s: str, indent: str, first: str) -> tuple[str, ...]:
    """:func:`_wrap`'s lines, worked out once for text that comes again (the rules' sources,
    advice and limits read the same in every athlete's report of a mail run)."""
    return tuple(textwrap.wrap(s, WIDTH, initial_indent=indent + first, subsequent_indent=indent + " " * len(first),
                               break_long_words=False, break_on_hyphens=False) or [indent + first])


def _finding(f: Finding, color: bool, units: str = "km") -> list[str]:
    """A finding as the reader acts on it: what happened, its numbers, what to do. Why it
    matters and the sources are in the report's "More" section (:func:`_evidence`)."""
    tag = _paint(f"[{f.severity.value.upper()}]", f.severity.value, color)
    when = fmt.finding_when(f)
    lines = [f"  {tag} {f.title}" + (f" ({when})" if when else "")]
    lines += _wrap(fmt.one_line(f.message), "      ")
    nums = fmt.finding_numbers(f, units)
    if nums:
        lines += _wrap(nums, "      ", "Numbers: ")
    for line in fmt.supporting_lines(f, units, brief=True):
        lines += _wrap(line, "      ", "Also: ")
    if f.advice:
        lines += _wrap(f.advice, "      ", "What to do: ")
    return lines


def _evidence(f: Finding) -> list[str]:
    """A finding's rule, how strong its evidence is, and its sources, for the "More" section:
    the evidence in full is in the HTML and JSON reports."""
    level = f"evidence {f.evidence_level}" if f.evidence_level else "evidence not stated"
    lines = _wrap(f"{f.title} (rule {f.rule_id}): {level}.", "  ", "- ")
    if f.citations:
        lines += _wrap("; ".join(fmt.citations(f)), "    ", "Sources: ")
    return lines


def render_text(report: Report, *, color: bool = False) -> str:
    """The report as plain text (``color``: ANSI colours for a terminal).

    What a runner acts on comes first and reads to its end in a minute: the status, red flags,
    next week's limits, the findings with their numbers, the period's runs and the pain log, then
    the not-a-diagnosis line. The rest (evidence and sources, the recent weeks, shoes) follows
    under "More"; charts, load beyond distance and how the measures are computed are in the
    HTML report, and everything is in the JSON.
    """
    a = report.athlete
    p = report.period
    units = a.units
    km = fmt.dist_label(units)
    lines = [_paint(f"runload report: {fmt.one_line(a.name)} ({a.id})", "bold", color)]
    span = f"{p.start.isoformat()} to {p.end.isoformat()}"
    head = f"Week {p.label}: {span}" if p.kind == "week" else f"Period {span}"
    if report.data_end:
        head += f" (data up to {report.data_end.isoformat()})"
    lines.append(head)
    st = report.status
    lines += ["", _paint(f"Status: {st.label.upper()}", st.level, color) + f" - {st.summary}"]

    if report.red_flags:
        lines += ["", _paint("RED FLAGS: act on these first", "urgent", color)]
        for f in report.red_flags:
            lines += _finding(f, color, units)

    lines += ["", "Next week's limits"]
    limits = [c for c in report.limits if c.value_km is not None]
    for c in limits:
        lines += _wrap(f"{c.label}: at most {fmt.limit(c.value_km, units)}"
                       + (f" ({c.basis})" if c.basis else ""), "  ")
    if report.limits_guidance:
        lines += _wrap(report.limits_guidance, "  ", fmt.guidance_label(report.limits_mode))
    if not limits and not report.limits_guidance:
        lines.append("  No limit: not enough data to set one.")

    lines += ["", "Findings"]
    if report.other_findings:
        for f in report.other_findings:
            lines += _finding(f, color, units)
    elif not report.red_flags:
        lines.append("  Nothing flagged in this period.")
    else:
        lines.append("  No other findings.")

    if report.runs:
        lines += ["", f"Runs in {report.period.label}"]
        rows = [[r.date.isoformat(), fmt.dist_number(r.distance_km, units, 1), fmt.duration(r.duration_s),
                 fmt.pace(r.pace_s_per_km, units), fmt.bpm(r.avg_hr_bpm)] for r in report.runs]
        lines.append(_table(["date", km, "time", f"pace /{km}", "avg HR"], rows, align="lrrrr"))

    lines += _pain(report)

    if report.plan is not None:
        lines += ["", "Your plan for next week"]
        for line in plan_lines(report.plan, units, heading=False):
            lines += _wrap(line.strip(), "    " if line.startswith("  ") else "  ") if line else [""]

    reminders = fmt.shoe_reminders(report.shoes, units)
    if report.notes or reminders:
        lines += ["", "Notes"]
        for n in [*reminders, *report.notes]:
            lines += _wrap(n, "  ", "- ")
    lines += [""] + textwrap.wrap(report.disclaimer, WIDTH)
    lines += _more(report, units)
    return "\n".join(lines) + "\n"


def _pain(report: Report) -> list[str]:
    """The pain log, its red flags and episodes, and the return-to-run plan."""
    pain = report.pain
    lines = ["", f"Pain log: {fmt.pain_trend_words(pain.trend, pain.last_7d_max, pain.prev_7d_max)}"]
    # the entries of the trend's 14 days; the older ones of the report's window are in the HTML and JSON
    recent = [e for e in pain.entries if e.date > report.period.end - timedelta(days=14)]
    if len(recent) < len(pain.entries):
        n = len(pain.entries) - len(recent)
        lines += _wrap(f"{n} earlier entr{'y' if n == 1 else 'ies'} since {pain.entries[0].date.isoformat()} "
                       "in the HTML and JSON report.", "  ")
    if recent:
        rows = [[e.date.isoformat(), fmt.pain_where(e), fmt.score(e.pain_during), fmt.score(e.pain_after),
                 fmt.score(e.pain_next_morning), fmt.score(e.stiffness), fmt.swelling(e.swelling),
                 fmt.relieved(e.relieved_by_rest), fmt.one_line(", ".join(e.flags), 40) or "-",
                 fmt.one_line(e.notes, 40) or "-"] for e in recent]
        lines.append(_table(["date", "where", "during", "after", "morning", "stiff", "swelling", "rest helps",
                             "warning signs", "notes"], rows, align="llrrrrllll"))

    story = report.pain_story
    if story and story.red_flags:
        lines += _wrap("; ".join(f"{d.isoformat()}: {what} ({level})" for d, what, level in story.red_flags),
                       "  ", "Red flags not yet resolved: ")
    if story and story.resolved:
        lines += _wrap("; ".join(f"{d.isoformat()}: {what}, {how}" for d, what, how in story.resolved[:5]),
                       "  ", "Red flags resolved: ")
    if story and story.episodes:
        lines += ["", "Pain episodes and the load before them"]
        for ep in story.episodes:
            lines += _wrap(f"{ep.headline} {ep.load_sentence}".strip(), "  ", "- ")
    if story and story.return_plan:
        lines += ["", "Return to running"]
        for line in story.return_plan:
            lines += _wrap(line.strip(), "    " if line.startswith("  ") else "  ")
    return lines


def _more(report: Report, units: str) -> list[str]:
    """What backs the report up, after its end: each finding's rule, evidence and sources, the
    recent weeks, the shoes, and where the charts and the rest are."""
    km = fmt.dist_label(units)
    lines = ["", "More"]
    if report.findings:
        lines += ["", "Evidence and sources"]
        for f in report.findings:
            lines += _evidence(f)
    recent = fmt.recent_weeks(report.weeks, units)
    if recent:
        lines += ["", f"Last {len(report.weeks[-fmt.RECENT_WEEKS:])} weeks (running)"]
        rows = [cells for cells, _gap in recent]
        lines.append(_table(["week", km, "runs", f"longest {km}", "change", "other sport min"], rows, align="lrrrrr"))
    if report.shoes:
        lines += ["", f"Shoes (running {km}, all time)"]
        shoe_heads, shoe_rows, align = fmt.shoe_columns(report.shoes, units)
        lines.append(_table(shoe_heads, shoe_rows, align=align))
    lines += [""] + _wrap(f"Charts, why each finding matters, load beyond distance and how the measures are "
                          f"computed: runload report --athlete {report.athlete.id} --format html --output report.html "
                          "(or --charts DIR for PNG files)", "")
    for c in report.charts:
        if not c.available:
            lines += _wrap(f"Left out: {c.title} ({c.note})", "  ", "- ")
    return lines


def roster_cells(roster: Roster, *, finding_limit: int | None = 70) -> tuple[list[str], list[list[str]]]:
    """Headers and rows of the roster table (shared by the text and Markdown renderers)."""

    # Each athlete in their own units: one unit for everyone goes in the heading ("week km",
    # "week mi"); a roster that mixes them names the unit in every cell.
    shared = {r.units for r in roster.rows}
    one = shared.pop() if len(shared) == 1 else None
    week_head = f"week {fmt.dist_label(one or 'km')}" if one or not roster.rows else "week distance"
    headers = ["#", "athlete", "status", week_head, "change", "top finding", "pain", "last data"]
    rows = []
    for i, r in enumerate(roster.rows, 1):
        status = status_words(r).upper()
        if r.week_km is None:
            km, change = "no data", "-"
        else:
            km = fmt.dist_number(r.week_km, r.units) if one else fmt.distance(r.week_km, r.units)
            change = "base too small" if r.base_too_small else fmt.number(r.change_pct, "%")
        if r.top_finding and not (r.top_rule_id == "data-gap" and r.stale_level != "ok"):
            top = fmt.one_line(r.top_finding, finding_limit)
        elif r.days_since_data is None:
            top = "no data yet: nothing to judge"
        elif r.stale_level != "ok":
            top = f"no data for {r.days_since_data} days: ask how they are"
        else:
            top = STATUS_LABELS["ok"].lower()
        if r.days_since_data is None:
            last = "never (no data)"
        else:
            last = f"{r.days_since_data} d ago" + (" (stale)" if r.stale_level != "ok" else "")
        rows.append([str(i), f"{fmt.one_line(r.name, 30)} ({r.athlete_id})", status, km, change, top,
                     r.pain_trend, last])
    if any(r.plan for r in roster.rows):  # a column only for a coach whose athletes keep plans
        headers.append("plan")
        for row, r in zip(rows, roster.rows):
            row.append({"breaks a limit": "BREAKS A LIMIT", None: "-"}.get(r.plan, r.plan or "-"))
    return headers, rows


def render_roster_text(roster: Roster, *, color: bool = False) -> str:
    """The coach's roster as a text table, most at risk first."""
    p = roster.period
    title = f"runload roster: week {p.label} ({p.start.isoformat()} to {p.end.isoformat()})" if p else "runload roster"
    lines = [_paint(title, "bold", color), f"As of {roster.as_of.isoformat()}; most at risk first.", ""]
    if not roster.rows:
        lines.append("No athletes yet: runload athlete add ID --name NAME")
    else:
        headers, rows = roster_cells(roster)
        lines.append(table(headers, rows, align="rllrllll" + "l" * (len(headers) - 8)))
        lines += ["", "Stale data is itself a warning: 7+ days without data is a caution, 14+ days a warning."]
    lines += [""] + textwrap.wrap(roster.disclaimer, WIDTH)
    return "\n".join(lines) + "\n"
