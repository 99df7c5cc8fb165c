"""Render a Report (or a Roster) as one self-contained HTML file.

Jinja2 with autoescaping on for everything: names, notes, shoe names and rule texts are user or
rule-file text and always arrive as text. Charts are inlined as base64 ``data:`` SVG images; the
page carries a Content-Security-Policy that allows no request to any host and no script, so it
reads the same offline, in a mail attachment, or printed.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from runload import __version__
from runload.report import colours, fmt
from runload.report.charts import render_available
from runload.report.model import Report, Roster
from runload.report.plan import plan_view
from runload.report.roster import status_words
from runload.report.text import roster_cells
from runload.textsafe import terminal


def _visible(value: Any) -> Any:
    # control characters in user text are shown escaped, as in every other rendering


    return terminal(value) if isinstance(value, str) and not isinstance(value, Markup) else value


class _Compiled(jinja2.FileSystemBytecodeCache):
    """The templates compiled once and kept between runs (compiling them is about a tenth of a
    second: as much as building ten reports), in Jinja's own folder for this user under the
    system's temporary folder (made readable by the user only; Jinja refuses one that another
    user owns or others can open). Each file is named for this runload, this Jinja and this
    module's text (the environment's options: a change to them compiles anew), and Jinja checks
    each template's text against the one compiled. A file that cannot be read or written is
    compiled in this process, as without the folder."""

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except Exception:  # noqa: BLE001 - a damaged file (cut short, garbled) fails in many ways
            bucket.reset()  # compiled anew, and the file written again

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        with contextlib.suppress(OSError):
            super().dump_bytecode(bucket)


def _compiled() -> _Compiled | None:
    """The folder of compiled templates, or None where there is no safe one."""
    try:
        key = hashlib.sha256(f"{__version__} {jinja2.__version__} ".encode() + Path(__file__).read_bytes())
        return _Compiled(pattern=f"runload-{key.hexdigest()[:16]}-%s.cache")
    except (OSError, RuntimeError):  # no temporary folder, one runload must not trust, or no module text
        return None


@cache
def _env() -> Any:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("runload.report", "templates"),
        bytecode_cache=_compiled(),
        autoescape=True,  # every template, whatever its extension
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=_visible,
    )
    env.globals.update(
        when=fmt.finding_when, numbers=fmt.finding_numbers, why=fmt.why, recent_weeks=fmt.recent_weeks,
        distance=fmt.distance, limit=fmt.limit, dist_number=fmt.dist_number, shoe_reminders=fmt.shoe_reminders, dist_label=fmt.dist_label,
        score=fmt.score, where=fmt.pain_where, supporting_lines=fmt.supporting_lines,
        citations=fmt.citations, guidance_label=fmt.guidance_label, duration=fmt.duration, pace=fmt.pace,
        number=fmt.number, bpm=fmt.bpm, load_table=fmt.load_table, swelling=fmt.swelling, relieved=fmt.relieved,
        # runload's own stylesheet, not text to escape: escaped, the quotes around "Segoe UI"
        # and the like became &#34; inside <style> and the browser dropped the whole font list
        css=Markup(resources.files("runload.report").joinpath("templates/style.css").read_text(encoding="utf-8")
                   + colours.css()),
    )
    return env


def render_html(report: Report, *, charts: dict[str, bytes] | None = None,
                chart_urls: dict[str, str] | None = None, back: tuple[str, str] | None = None) -> str:
    """The report as a self-contained HTML page. ``charts`` maps chart names to SVG bytes; by
    default every available chart is drawn. For an email, ``chart_urls`` maps chart names to
    ``cid:`` references of images attached to the same message instead. ``back`` is a link
    (relative address, words) shown above the name: a site's way back to its roster."""
    titles = {c.name: c.title for c in report.charts}
    if chart_urls is not None:
        inline = [{"name": n, "title": titles.get(n, n), "src": url} for n, url in chart_urls.items()]
        img_src = "cid:"
    else:
        if charts is None:
            charts = render_available(report, "svg")
        inline = [{"name": n, "title": titles.get(n, n),
                   "src": "data:image/svg+xml;base64," + base64.b64encode(data).decode("ascii")}
                  for n, data in charts.items()]
        img_src = "data:"
    pain = report.pain

    return _env().get_template("report.html.j2").render(
        r=report, charts=inline, img_src=img_src,
        pv=plan_view(report.plan, report.athlete.units) if report.plan is not None else None,
        back={"href": back[0], "label": back[1]} if back else None,
        left_out=[c for c in report.charts if not c.available],
        pain_trend=fmt.pain_trend_words(pain.trend, pain.last_7d_max, pain.prev_7d_max),
    )


def render_roster_html(roster: Roster, *, links: dict[str, str] | None = None, heading: str | None = None) -> str:
    """The coach's roster as a self-contained HTML page. ``links`` maps athlete ids to the
    relative address of their report (a site's roster); ``heading`` is a line under the title."""


    headers, cells = roster_cells(roster, finding_limit=None)
    return _env().get_template("roster.html.j2").render(ro=roster, headers=headers, rows=list(zip(cells, roster.rows)),
                                                         status_words=status_words, links=links or {},
                                                         heading=heading)


def render_plan_html(check: Any, units: str = "km") -> str:
    return _env().get_template("plan.html.j2").render(pv=plan_view(check, units))
