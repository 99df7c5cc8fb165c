"""What the weekly mails say: a runner's own report, and a coach's roster of their athletes.

Built with the same report code as ``runload report`` and ``runload roster`` (plain text and HTML
renderings of one report object), so a mail never says something the report does not. The HTML
part shows the report's charts as PNG images attached to the message (``cid:`` references):
Gmail and Outlook show neither inline SVG nor ``data:`` images. Each PNG is painted from the
same drawing as the report's SVG (:mod:`runload.report.raster`, a few milliseconds a chart), so
nothing is cached between runs: a week's mail is drawn once anyway.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from runload.calendar import iso_label, week_period
from runload.mail.compose import Content
from runload.report import build_report
from runload.report.build import judged_day
from runload.report.charts import render
from runload.report.html import render_html, render_roster_html
from runload.report.model import Roster
from runload.report.roster import row_for, sort_key
from runload.report.text import render_roster_text, render_text
from runload.textsafe import inline


def _week_label(week_start: date) -> str:
    return iso_label(week_start)


def sent_day(today: date) -> date:
    """The day a mail run reads the pain log on: the run's ``today`` is the machine's (UTC) date,
    and an athlete east of it may already be on the next day; runload takes entries and
    clearances up to tomorrow, so everything stored when the mail goes out is dated by then."""
    return today + timedelta(days=1)


def athlete_report(assessor: Any, athlete_id: str, week_start: date, *, today: date | None = None) -> Any:
    """The runner's report for the week starting ``week_start``, judged on its last day (or
    ``today`` if earlier): the report their mail carries and their coach's roster line reads.

    Every red flag standing when the mail is sent leads it, whatever week it reports (a flag
    logged after the week ended, or for an athlete whose week ended earlier in their zone)."""

    period = week_period(week_start, assessor.book.first_weekday)
    day = judged_day(period, today or date.max)
    read_on = sent_day(today) if today is not None else None
    return build_report(assessor.get(athlete_id, day, read_on=read_on), period,
                        plan=assessor.plan(athlete_id, day, read_on=read_on))


# The charts a runner acts on from a weekly mail; the load ratio, fitness/fatigue and cross-training
# are context, and stay in the full report (runload report --format html): a lighter mail, and a
# quicker Monday run for a club.
MAIL_CHARTS = ("weekly_distance", "run_spikes", "pain", "shoes")


def report_content(rep: Any, week_start: date) -> Content:
    """A runner's weekly mail from their report: text, HTML and its main charts as PNG parts."""

    shown = {c.name for c in rep.charts if c.available}
    pngs = {name: render(rep, name, "png") for name in MAIL_CHARTS if name in shown}
    cids = {name: f"chart-{name}" for name in pngs}
    html = render_html(rep, chart_urls={name: f"cid:{cid}" for name, cid in cids.items()})
    subject = f"runload {_week_label(week_start)}: {rep.athlete.name}: {rep.status.label}"
    return Content(subject=subject, text=render_text(rep), html=html,
                   images=tuple((cids[name], png) for name, png in pngs.items()))


def athlete_content(assessor: Any, athlete_id: str, week_start: date, *, today: date | None = None) -> Content:
    """The runner's weekly summary for the week starting ``week_start``, with its charts.

    ``assessor`` (a :class:`runload.session.Assessor`) keeps each athlete's assessment, so
    the roster of the athlete's coach in the same run reuses it."""
    return report_content(athlete_report(assessor, athlete_id, week_start, today=today), week_start)


def athlete_row(assessor: Any, athlete_id: str, week_start: date, *, today: date) -> Any:
    """The athlete's line in their coach's roster mail: the roster line of :func:`athlete_report`
    (the same assessment, read on the day the mail is sent), without building the rest of it."""
    return row_for(assessor, athlete_id, week_period(week_start, assessor.book.first_weekday), today,
                   read_on=sent_day(today))


def roster_content(assessor: Any, coach_name: str, athlete_ids: Sequence[str], week_start: date, *,
                   today: date) -> Content:
    """A coach's roster: only the athletes in ``athlete_ids``, most at-risk first."""

    rows = [athlete_row(assessor, a, week_start, today=today) for a in athlete_ids]
    return roster_from_rows(coach_name, rows, week_period(week_start, assessor.book.first_weekday), today=today)


def roster_from_rows(coach_name: str, rows: Sequence[Any], period: Any, *, today: date) -> Content:
    """A coach's roster mail from their athletes' roster lines (each from that athlete's report)."""

    roster = Roster(period, judged_day(period, today), sorted(rows, key=sort_key))
    text = f"Roster for {inline(coach_name)}\n\n" + render_roster_text(roster)
    return Content(subject=f"runload roster {_week_label(period.start)}: {len(rows)} athlete{'s' if len(rows) != 1 else ''}",
                   text=text, html=render_roster_html(roster))
