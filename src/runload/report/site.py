"""A coach's site: the roster as ``index.html``, most at risk first, each name linking to that
athlete's report for the week in ``athletes/``, and each report linking back.

The pages are the same renderings as ``runload roster --format html`` and ``runload report
--format html`` (:mod:`runload.report.html`): self-contained, charts inlined, nothing loaded
from any host, readable on a phone. Every roster line is taken from the very report its link
opens, so the two can never disagree. The folder opens from disk or from any web server.

File names come from athlete ids through :func:`page_name`: only lower-case letters, digits,
``.``, ``_`` and ``-``, never a name a file system treats specially, and distinct for ids that
differ only in case (a case-insensitive disk would otherwise give two athletes one page).
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from urllib.parse import quote

from runload.calendar import Period
from runload.errors import InputError
from runload.outfile import private_folder, write_file
from runload.report.build import judged_day
from runload.report.html import render_html, render_roster_html
from runload.report.model import Roster, RosterRow
from runload.report.roster import Assessments, report_on, roster_row, sort_key

INDEX = "index.html"
ATHLETES = "athletes"
GENERATOR = '<meta name="generator" content="runload">'  # every page runload writes carries it

_PLAIN = re.compile(r"[a-z0-9][a-z0-9_-]*(\.[a-z0-9_-]+)*\Z", re.ASCII)
_WINDOWS_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}


def page_name(athlete_id: str) -> str:
    """The file name of an athlete's page: the id itself when it is plain lower-case ASCII,
    else a cleaned form and a hash of the id (``Maya`` and ``maya`` get different pages)."""
    stem = athlete_id
    if (not _PLAIN.match(stem) or len(stem) > 64 or stem.split(".")[0] in _WINDOWS_RESERVED):
        cleaned = re.sub(r"[^a-z0-9_-]+", "-", athlete_id.lower(), flags=re.ASCII).strip("-")[:40] or "athlete"
        digest = hashlib.sha256(athlete_id.encode("utf-8", "surrogatepass")).hexdigest()[:10]
        stem = f"{cleaned}-{digest}"
    return f"{stem}.html"


def page_href(athlete_id: str) -> str:
    """The link from the index to an athlete's page (relative, percent-encoded)."""
    return f"{ATHLETES}/{quote(page_name(athlete_id))}"


@dataclass(frozen=True)
class Site:
    """The roster and every page, rendered: {relative file path: HTML}."""

    roster: Roster
    pages: dict[str, str]

    @property
    def athletes(self) -> int:
        return len(self.pages) - 1


def _athlete_page(assessor: Assessments, athlete_id: str, period: Period, today: date) -> tuple[RosterRow, str]:
    """One athlete's roster line and report page, both from one report."""
    report = report_on(assessor, athlete_id, period, today)
    return roster_row(report, today), render_html(report, back=(f"../{INDEX}", "Roster"))


def build_site(assessor: Assessments, period: Period, *, today: date, athlete_ids: Sequence[str] | None = None,
               heading: str | None = None, workers: int | None = None) -> Site:
    """Each athlete's report page for ``period`` (judged on its last day, or ``today`` for this
    week) and the roster made of those very reports, most at risk first, linking to them.

    ``assessor`` is an :class:`runload.session.Assessor`. Drawing the charts is most of the
    work, so with ``workers`` > 1 (default: one per CPU for more than a few athletes) athletes are
    assessed and rendered in parallel processes (:meth:`~runload.session.Assessor.map`)."""
    ids = list(athlete_ids) if athlete_ids is not None else assessor.athlete_ids()
    done = dict(zip(ids, assessor.map(_athlete_page, ids, period, today, workers=workers)))
    rows = sorted((row for row, _html in done.values()), key=sort_key)
    roster = Roster(period, judged_day(period, today), rows)
    pages = {INDEX: render_roster_html(roster, links={i: page_href(i) for i in ids}, heading=heading)}
    for athlete_id in ids:
        pages[f"{ATHLETES}/{page_name(athlete_id)}"] = done[athlete_id][1]
    return Site(roster, pages)


def write_site(site: Site, folder: str | os.PathLike[str]) -> list[Path]:
    """Write the site into ``folder`` (created if need be); returns the files written.

    An ``index.html`` runload did not write is never overwritten (InputError: choose a new or
    empty folder). A page of an earlier site for an athlete no longer on it is removed, so a
    site served to a coach never keeps a report of someone taken off their roster. Each file is
    replaced whole (written beside it, then renamed), so a web server never serves half a page.
    """
    root = Path(folder)
    if root.exists() and not root.is_dir():
        raise InputError("is a file, not a folder", path=root)
    index = root / INDEX
    if index.exists() and not _ours(index):
        raise InputError("was not written by runload: choose a new or empty folder for the site", path=index)
    private_folder(root / ATHLETES)
    written = []
    for rel, html in site.pages.items():
        path = root / rel
        write_file(path, html)  # replaced whole: a web server never serves half a page
        written.append(path)
    keep = {p.name for p in written}
    for old in (root / ATHLETES).glob("*.html"):
        if old.name not in keep and _ours(old):
            old.unlink()
    return written


def _ours(path: Path) -> bool:
    try:
        with path.open("rb") as fh:
            return GENERATOR.encode() in fh.read(4096)
    except OSError:
        return False
