"""Render a Report (or a Roster) as Markdown (CommonMark with GitHub-style tables).

Every piece of user text (names, notes, shoe names) is escaped: Markdown passes raw HTML
through, so an athlete named ``<script>`` must arrive as text, and a ``|`` must not break a table.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from runload.models import Finding
from runload.plan.check import PlanCheck
from runload.report import fmt
from runload.report.model import Report, Roster
from runload.report.plan import limit_lines, session_row, verdict
from runload.report.text import roster_cells

# characters with inline meaning anywhere in a line (GitHub-flavoured Markdown)
_INLINE = re.compile(r"([\\`*_\[\]|~])")
# what starts a block (heading, list, quote, numbered list) when it opens a line
_BLOCK_START = re.compile(r"^(?:([#+\-=>])(?=\s|$)|(\d+)([.)])(?=\s|$))")


def esc(s: object, *, cell: bool = False) -> str:
    """Markdown-escaped text on one line: ``& < >`` as entities (raw HTML passes through Markdown),
    inline markup characters backslashed, and a block marker at the start neutralised."""
    text = fmt.one_line(str(s))
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _INLINE.sub(r"\\\1", text)
    if cell:  # inside a table cell no block can start
        return text
    return _BLOCK_START.sub(lambda m: "\\" + m.group(1) if m.group(1) else m.group(2) + "\\" + m.group(3), text)


def _table(headers: Sequence[str], rows: Sequence[Sequence[object]], align: str) -> list[str]:
    marks = {"l": ":--", "r": "--:"}
    out = ["| " + " | ".join(esc(h) for h in headers) + " |",
           "| " + " | ".join(marks[a] for a in align) + " |"]
    out += ["| " + " | ".join(esc(c, cell=True) for c in row) + " |" for row in rows]
    return out


def _finding(f: Finding, units: str = "km") -> list[str]:
    """A finding as the reader acts on it; why it matters and its sources are under "More"."""
    when = fmt.finding_when(f)
    lines = [f"### {esc(f.severity.value.upper())}: {esc(f.title)}" + (f" ({esc(when)})" if when else ""), "",
             esc(f.message), ""]
    nums = fmt.finding_numbers(f, units)
    if nums:
        lines.append(f"- **Numbers:** {esc(nums)}")
    for line in fmt.supporting_lines(f, units):
        lines.append(f"- **Also:** {esc(line)}")
    if f.advice:
        lines.append(f"- **What to do:** {esc(f.advice)}")
    return lines + [""]


def _evidence(f: Finding) -> list[str]:
    """Why a finding matters, its sources and its rule, for the "More" section."""
    lines = [f"- **{esc(f.title)}** (rule `{f.rule_id.replace('`', '')}`)"]
    if fmt.why(f):
        lines.append(f"  - **Why it matters:** {esc(fmt.why(f))}")
    if fmt.citations(f):
        lines.append(f"  - **Sources:** {esc('; '.join(fmt.citations(f)))}")
    return lines


def render_markdown(report: Report) -> str:
    """The report as Markdown, in the order of the text report: status, red flags, next week's
    limits, findings, the period's runs, the pain log, the not-a-diagnosis line; then "More"."""
    a, p = report.athlete, report.period
    units = a.units
    km = fmt.dist_label(units)
    lines = [f"# runload report: {esc(a.name)} ({esc(a.id)})", ""]
    span = f"{p.start.isoformat()} to {p.end.isoformat()}"
    head = f"Week {p.label}: {span}" if p.kind == "week" else f"Period {span}"
    if report.data_end:
        head += f" (data up to {report.data_end.isoformat()})"
    lines += [esc(head), "", f"**Status: {esc(report.status.label)}** — {esc(report.status.summary)}", ""]
    if report.red_flags:
        lines += ["## Red flags: act on these first", ""]
        for f in report.red_flags:
            lines += _finding(f, units)

    lines += ["## Next week's limits", ""]
    limits = [c for c in report.limits if c.value_km is not None]
    for c in limits:
        lines.append(f"- **{esc(c.label)}: at most {fmt.limit(c.value_km, units)}**"
                     + (" " + esc(f"({c.basis})") if c.basis else ""))
    if report.limits_guidance:
        label = fmt.guidance_label(report.limits_mode).strip()
        lines.append((f"- **{esc(label)}** " if label else "- ") + esc(report.limits_guidance))
    if not limits and not report.limits_guidance:
        lines.append("No limit: not enough data to set one.")
    lines.append("")

    lines += ["## Findings", ""]
    if report.other_findings:
        for f in report.other_findings:
            lines += _finding(f, units)
    else:
        lines += ["No other findings." if report.red_flags else "Nothing flagged in this period.", ""]

    if report.runs:
        lines += [f"## Runs in {esc(report.period.label)}", ""]
        lines += _table(["date", km, "time", f"pace /{km}", "avg HR"],
                        [[r.date.isoformat(), fmt.dist_number(r.distance_km, units, 1), fmt.duration(r.duration_s),
                          fmt.pace(r.pace_s_per_km, units), fmt.bpm(r.avg_hr_bpm)]
                         for r in report.runs], "lrrrr")
        lines.append("")

    pain = report.pain
    lines += ["## Pain log", "", esc("Trend: " + fmt.pain_trend_words(pain.trend, pain.last_7d_max, pain.prev_7d_max)), ""]
    if pain.entries:
        lines += _table(["date", "where", "during", "after", "morning", "stiff", "swelling", "rest helps",
                         "warning signs", "notes"],
                        [[e.date.isoformat(), fmt.pain_where(e), fmt.score(e.pain_during), fmt.score(e.pain_after),
                          fmt.score(e.pain_next_morning), fmt.score(e.stiffness), fmt.swelling(e.swelling),
                          fmt.relieved(e.relieved_by_rest), ", ".join(e.flags) or "-", e.notes or "-"]
                         for e in pain.entries], "llrrrrllll")
        lines.append("")

    story = report.pain_story
    if story and story.red_flags:
        lines += ["**Red flags not yet resolved:** " + esc("; ".join(f"{d.isoformat()}: {w} ({lvl})"
                                                                     for d, w, lvl in story.red_flags)), ""]
    if story and story.resolved:
        lines += ["**Red flags resolved:** " + esc("; ".join(f"{d.isoformat()}: {w}, {how}"
                                                            for d, w, how in story.resolved[:5])), ""]
    if story and story.episodes:
        lines += ["### Pain episodes and the load before them", ""]
        for ep in story.episodes:
            lines.append("- " + esc(f"{ep.headline} {ep.load_sentence}".strip()))
        lines.append("")
    if story and story.return_plan:
        lines += ["### Return to running", ""]
        lines += [("  " if line.startswith("  ") else "") + "- " + esc(line.strip()) for line in story.return_plan]
        lines.append("")

    if report.plan is not None:

        body = render_plan_markdown(report.plan, units).split("\n", 3)[3]  # without its own title
        lines += ["## Your plan for next week", "", body.strip(), ""]

    reminders = fmt.shoe_reminders(report.shoes, units)
    if report.notes or reminders:
        lines += ["## Notes", ""] + [f"- {esc(n)}" for n in [*reminders, *report.notes]] + [""]
    lines += [f"*{esc(report.disclaimer)}*", "", "## More", ""]
    if report.findings:
        lines += ["### Why each finding matters", ""]
        for f in report.findings:
            lines += _evidence(f)
        lines.append("")
    recent = fmt.recent_weeks(report.weeks, units)
    if recent:
        lines += [f"### Last {len(report.weeks[-fmt.RECENT_WEEKS:])} weeks (running)", ""]
        lines += _table(["week", km, "runs", f"longest {km}", "change", "other sport min"],
                        [cells for cells, _gap in recent], "lrrrrr")
        lines.append("")
    if report.load_weeks:
        lines += ["### Load beyond distance", ""]
        heads, rows = fmt.load_table(report.load_weeks[-8:])
        lines += _table(heads, rows, "l" + "r" * (len(heads) - 1))
        lines.append("")
    if report.load_note:
        lines += [esc(report.load_note), ""]
    if report.shoes:
        lines += [f"### Shoes (running {km}, all time)", ""]
        shoe_heads, shoe_rows, align = fmt.shoe_columns(report.shoes, units)
        lines += _table(shoe_heads, shoe_rows, align)
        lines.append("")
    left_out = [c for c in report.charts if not c.available]
    if left_out:
        lines += ["### Charts left out", ""]
        lines += [f"- {esc(c.title)} ({esc(c.note)})" for c in left_out]
        lines.append("")
    if report.method_notes:
        lines += ["### How the measures are computed", ""] + [f"- {esc(n)}" for n in report.method_notes] + [""]
    return "\n".join(lines).rstrip("\n") + "\n"


def render_roster_markdown(roster: Roster) -> str:
    """The coach's roster as a Markdown table, most at risk first."""
    p = roster.period
    lines = [f"# runload roster: week {esc(p.label)}" if p else "# runload roster", "",
             esc(f"As of {roster.as_of.isoformat()}; most at risk first."), ""]
    if roster.rows:
        headers, rows = roster_cells(roster, finding_limit=None)
        lines += _table(headers, rows, "rllrllll" + "l" * (len(headers) - 8))
        lines += ["", esc("Stale data is itself a warning: 7+ days without data is a caution, 14+ days a warning.")]
    else:
        lines.append("No athletes yet.")
    lines += ["", f"*{esc(roster.disclaimer)}*"]
    return "\n".join(lines) + "\n"


def render_plan_markdown(check: PlanCheck, units: str = "km") -> str:
    out = [f"# Plan check: {esc(check.athlete_id)}", "",
           f"Checked as of {check.as_of.isoformat()}.", ""]
    out += [f"- {esc(s)}" for s in limit_lines(check, units)]
    out += ["", f"**{esc(verdict(check))}**", ""]
    if check.findings:
        out += ["| Day | Session | Severity | What would fire | Rule |", "|---|---|---|---|---|"]
        for f in check.findings:
            out.append(f"| {f.date.isoformat()} | {esc(f.session, cell=True)} | {f.severity.value} | "
                       f"{esc(f.sentence(units), cell=True)} | {esc(f.rule_id, cell=True)} |")
        out.append("")
    if not check.keeps_limits:
        out += ["## Proposed plan", "", "| Day | Session |", "|---|---|"]
        for p, was in zip(check.proposed, check.planned):
            row = session_row(p, was, units)
            out.append(f"| {p.date:%a} {p.date.isoformat()} | {esc(row.split('  ', 1)[1], cell=True)} |")
        out.append("")
    out += [esc(n) for n in check.notes]
    return "\n".join(out).rstrip() + "\n"
