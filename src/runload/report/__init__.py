"""Reports: build one :class:`Report` as data from an assessment, then render it as text,
Markdown, HTML or JSON.

``build_report`` selects from a :class:`runload.assess.Assessment`; the renderers in
``runload.report.text``, ``.markdown``, ``.html`` and ``.jsonout`` turn the same object into each
format, and ``runload.report.charts`` draws its charts (SVG text, or PNG with Pillow: no plotting library).
The coach's roster (``runload.report.roster``) says what the same reports say, one line per athlete
(read from the same assessment by the report's own functions).
The other renderings of an assessment live here too: ``findings`` (check), ``weeks`` (the weekly
series), ``pain_status`` (pain status), ``table`` (plain-text tables).
"""

from __future__ import annotations

from runload.report.build import build_report, judged_day, resolve_period
from runload.report.html import render_html, render_roster_html
from runload.report.jsonout import render_json, render_roster_csv, render_roster_json
from runload.report.markdown import render_markdown, render_roster_markdown
from runload.report.model import DISCLAIMER, Period, Report, Roster, RosterRow
from runload.report.text import render_roster_text, render_text

FORMATS = ("text", "md", "html", "json")

__all__ = ["DISCLAIMER", "FORMATS", "Period", "Report", "Roster", "RosterRow", "build_report", "judged_day",
           "render", "render_roster", "resolve_period"]


def render(report: Report, fmt: str, *, color: bool = False) -> str:
    """The report in ``fmt`` (``text``, ``md``, ``html`` or ``json``)."""
    if fmt == "text":
        return render_text(report, color=color)
    if fmt == "md":
        return render_markdown(report)
    if fmt == "html":
        return render_html(report)
    if fmt == "json":
        return render_json(report)
    raise ValueError(f"unknown report format {fmt!r} (expected one of: {', '.join(FORMATS)})")


ROSTER_FORMATS = ("text", "md", "html", "json", "csv")


def render_roster(roster: Roster, fmt: str, *, color: bool = False) -> str:
    """The roster in ``fmt`` (``text``, ``md``, ``html``, ``json`` or ``csv``): one renderer per
    format, shared by ``runload roster`` and ``runload batch roster``."""
    if fmt == "text":
        return render_roster_text(roster, color=color)
    if fmt == "md":
        return render_roster_markdown(roster)
    if fmt == "html":
        return render_roster_html(roster)
    if fmt == "json":
        return render_roster_json(roster)
    if fmt == "csv":
        return render_roster_csv(roster)
    raise ValueError(f"unknown roster format {fmt!r} (expected one of: {', '.join(ROSTER_FORMATS)})")
