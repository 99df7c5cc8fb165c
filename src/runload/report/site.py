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
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from urllib.parse import quote

from runload.calendar import Period
from runload.errors import InputError
from runload.report.build import build_report, judged_day
from runload.report.model import Report, Roster
from runload.report.roster import roster_row, sort_key

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
    """The roster and each athlete's report it was built from (by athlete id)."""

    roster: Roster
    reports: dict[str, Report]
    heading: str | None = None


def build_site(assessor: object, period: Period, *, today: date, athlete_ids: Sequence[str] | None = None,
               heading: str | None = None) -> Site:
    """Each athlete's report for ``period`` (judged on its last day, or ``today`` for this
    week) and the roster made of those very reports, most at risk first. ``assessor`` is an
    :class:`runload.assessments.Assessor`."""
    store = assessor.store  # type: ignore[attr-defined]
    ids = list(athlete_ids) if athlete_ids is not None else [a.id for a in store.list_athletes()]
    day = judged_day(period, today)
    reports = {i: build_report(assessor.get(i, day), period) for i in ids}  # type: ignore[attr-defined]
    rows = sorted((roster_row(r, today) for r in reports.values()), key=sort_key)
    return Site(Roster(period, day, rows), reports, heading)


def render_site(site: Site) -> dict[str, str]:
    """{relative file path: HTML} of every page: ``index.html`` and ``athletes/<page>.html``."""
    from runload.report.html import render_html, render_roster_html

    links = {i: page_href(i) for i in site.reports}
    pages = {INDEX: render_roster_html(site.roster, links=links, heading=site.heading)}
    for athlete_id, report in site.reports.items():
        pages[f"{ATHLETES}/{page_name(athlete_id)}"] = render_html(report, back=(f"../{INDEX}", "Roster"))
    return pages


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
    pages = render_site(site)
    (root / ATHLETES).mkdir(parents=True, exist_ok=True)
    written = []
    for rel, html in pages.items():
        path = root / rel
        _replace(path, html)
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


def _replace(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".runload-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        mask = os.umask(0)
        os.umask(mask)
        os.chmod(tmp, 0o666 & ~mask)  # as open() would make it (mkstemp's 0600 would hide it from a web server)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
