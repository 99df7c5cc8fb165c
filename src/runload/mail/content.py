"""What the weekly mails say: a runner's own report, and a coach's roster of their athletes.

Built with the same report code as ``runload report`` and ``runload roster`` (plain text and HTML
renderings of one report object), so a mail never says something the report does not. The HTML
part shows the report's charts as PNG images attached to the message (``cid:`` references):
mail programs do not show SVG or ``data:`` images reliably.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from runload.mail.compose import Content
from runload.store import Store
from runload.textsafe import inline


def _week_label(week_start: date) -> str:
    return f"{week_start:%G-W%V}"


def athlete_content(store: Store, athlete_id: str, week_start: date, *, today: date | None = None) -> Content:
    """The runner's weekly summary for the week starting ``week_start``, with its charts."""
    from runload.report import build_report
    from runload.report.charts import render_available
    from runload.report.html import render_html
    from runload.report.text import render_text

    rep = build_report(store, athlete_id, week=week_start, today=today)
    pngs = render_available(rep, "png")
    cids = {name: f"chart-{name}" for name in pngs}
    html = render_html(rep, chart_urls={name: f"cid:{cid}" for name, cid in cids.items()})
    subject = f"runload {_week_label(week_start)}: {rep.athlete.name}: {rep.status.label}"
    return Content(subject=subject, text=render_text(rep), html=html,
                   images=tuple((cids[name], png) for name, png in pngs.items()))


def roster_content(store: Store, coach_name: str, athlete_ids: Sequence[str], week_start: date, *,
                   today: date | None = None) -> Content:
    """A coach's roster: only the athletes in ``athlete_ids``, most at-risk first."""
    from runload.report.html import render_roster_html
    from runload.report.roster import build_roster
    from runload.report.text import render_roster_text

    roster = build_roster(store, week=week_start, athlete_ids=list(athlete_ids), today=today)
    text = f"Roster for {inline(coach_name)}\n\n" + render_roster_text(roster)
    return Content(subject=f"runload roster {_week_label(week_start)}: {len(athlete_ids)} athletes",
                   text=text, html=render_roster_html(roster))
