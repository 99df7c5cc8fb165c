"""What the weekly mails say: a runner's own report, and a coach's roster of their athletes.

Built with the same report code as ``runload report`` and ``runload roster`` (plain text and HTML
renderings of one report object), so a mail never says something the report does not. The HTML
part shows the report's charts as PNG images attached to the message (``cid:`` references):
mail programs do not show SVG or ``data:`` images reliably.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from runload.calendar import iso_label, week_period
from runload.mail.compose import Content


def _week_label(week_start: date) -> str:
    return iso_label(week_start)


def athlete_content(assessor: Any, athlete_id: str, week_start: date, *, today: date | None = None) -> Content:
    """The runner's weekly summary for the week starting ``week_start``, with its charts.

    ``assessor`` (a :class:`runload.assessments.Assessor`) keeps each athlete's assessment, so
    the roster of the athlete's coach in the same run reuses it."""
    from runload.report import build_report
    from runload.report.build import judged_day
    from runload.report.charts import render_available
    from runload.report.html import render_html
    from runload.report.text import render_text

    period = week_period(week_start, assessor.book.first_weekday)
    rep = build_report(assessor.get(athlete_id, judged_day(period, today or date.max)), period)
    pngs = render_available(rep, "png")
    cids = {name: f"chart-{name}" for name in pngs}
    html = render_html(rep, chart_urls={name: f"cid:{cid}" for name, cid in cids.items()})
    subject = f"runload {_week_label(week_start)}: {rep.athlete.name}: {rep.status.label}"
    return Content(subject=subject, text=render_text(rep), html=html,
                   images=tuple((cids[name], png) for name, png in pngs.items()))


def roster_content(assessor: Any, coach_name: str, athlete_ids: Sequence[str], week_start: date, *,
                   today: date | None = None) -> Content:
    """A coach's roster: only the athletes in ``athlete_ids``, most at-risk first."""
    from runload.report.html import render_roster_html
    from runload.report.roster import build_roster
    from runload.report.text import render_roster_text

    period = week_period(week_start, assessor.book.first_weekday)
    roster = build_roster(assessor, period, athlete_ids=list(athlete_ids), today=today or date.max, workers=1)
    text = f"Roster for {coach_name}\n\n" + render_roster_text(roster)
    return Content(subject=f"runload roster {_week_label(week_start)}: {len(athlete_ids)} athletes",
                   text=text, html=render_roster_html(roster))
