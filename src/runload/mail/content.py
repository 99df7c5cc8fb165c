"""What the weekly mails say: a runner's own report, and a coach's roster of their athletes.

Built from the same report code as ``runload report`` and ``runload roster``, so a mail never says
something the report does not.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import date

from runload.mail.compose import Content
from runload.store import Store


def _week_label(week_start: date) -> str:
    return f"{week_start:%G-W%V}"


def athlete_content(store: Store, athlete_id: str, week_start: date) -> Content:
    """The runner's weekly summary for the week starting ``week_start``."""
    from runload.report import build_report
    from runload.report.text import render_text

    rep = build_report(store, athlete_id, week=week_start)
    text = render_text(rep)
    status = rep.findings[0].severity.value if rep.findings else "ok"
    subject = f"runload {_week_label(week_start)}: {rep.athlete.name}: {status}"
    body = f"<!doctype html><html><body><pre>{html.escape(text)}</pre></body></html>"
    return Content(subject=subject, text=text, html=body)


def roster_content(store: Store, coach_name: str, athlete_ids: Sequence[str], week_start: date) -> Content:
    """A coach's roster: only the athletes in ``athlete_ids``, most at-risk first."""
    from runload.report import build_report

    lines = [f"runload roster for {coach_name}, week {_week_label(week_start)}", ""]
    reports = [build_report(store, a, week=week_start) for a in athlete_ids]
    reports.sort(key=lambda r: -(r.findings[0].severity.rank + 1 if r.findings else 0))
    for r in reports:
        top = f"{r.findings[0].severity.value}: {r.findings[0].message}" if r.findings else "ok"
        week = next((w for w in r.weeks if w.week_start == week_start), None)
        km = f"{week.distance_km:.1f} km" if week else "no data"
        lines.append(f"- {r.athlete.name} ({r.athlete.id}): {km}; {top}")
    text = "\n".join(lines) + "\n"
    body = f"<!doctype html><html><body><pre>{html.escape(text)}</pre></body></html>"
    return Content(subject=f"runload roster {_week_label(week_start)}", text=text, html=body)
