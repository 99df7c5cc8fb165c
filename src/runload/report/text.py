"""Render a Report as plain text for a terminal or a cron mail."""

from __future__ import annotations

from runload.report import Report, week_end
from runload.textfmt import table


def render_text(report: Report) -> str:
    """The report as plain text."""
    a = report.athlete
    lines = [f"runload report: {a.name} ({a.id})"]
    if report.week_start is None:
        lines += ["", *report.notes, "", report.disclaimer]
        return "\n".join(lines) + "\n"
    lines.append(f"Week {report.week_start:%G-W%V}: {report.week_start:%Y-%m-%d} to {week_end(report.week_start):%Y-%m-%d}")
    worst = report.findings[0].severity.value.upper() if report.findings else "OK"
    lines += ["", f"Status: {worst}", ""]
    if report.findings:
        for f in report.findings:
            lines.append(f"[{f.severity.value}] {f.title}: {f.message}")
            if f.advice:
                lines.append(f"    What to do: {f.advice}")
            if f.evidence:
                lines.append(f"    Evidence: {f.evidence}")
    else:
        lines.append("No weekly-progression warning this week.")
    lines += ["", "Recent weeks (running):"]
    rows = [
        [w.week_start.isoformat(), w.distance_km, w.runs, w.longest_run_km,
         "base too small" if w.base_too_small else (f"{w.change_pct:+.0f}%" if w.change_pct is not None else "-")]
        for w in report.weeks
    ]
    lines.append(table(["week", "km", "runs", "longest km", "change"], rows, align="lrrrr"))
    if report.next_week_cap_km is not None:
        lines += ["", f"Next week: keep running distance at or below {report.next_week_cap_km:.1f} km "
                      "(weekly progression rule)."]
    lines += ["", report.disclaimer]
    return "\n".join(lines) + "\n"
