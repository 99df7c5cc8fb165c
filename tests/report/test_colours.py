"""One colour per status level: defined once (runload.report.colours), in the status order, with
the colour's severity rising with the level, and the same rules in every HTML page."""

from __future__ import annotations

import re
from datetime import date

import pytest

from conftest import REPO
from runload.assess import Status
from runload.models import LEVELS, Severity
from runload.report import colours, render
from runload.report.build import build_report
from runload.report.html import render_roster_html
from runload.report.model import Roster, RosterRow
from runload.report.text import render_text
from runload.calendar import week_period
from builders import WEEK, fake_assessment

SRC = REPO / "src" / "runload"
CALM = ["no-data", "ok", "info"]  # grey, green, blue: nothing to act on
ALARM = LEVELS[LEVELS.index("caution"):]


def rgb(hex_colour: str) -> tuple[int, int, int]:
    h = hex_colour.lstrip("#")
    return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)


def redness(hex_colour: str) -> float:
    """How much of the colour is red: the share of red in r+g+b (amber < orange < red < deep red)."""
    r, g, b = rgb(hex_colour)
    return r / (r + g + b)


def contrast_with_white(hex_colour: str) -> float:
    def lin(c: int) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (lin(c) for c in rgb(hex_colour))
    return 1.05 / (0.2126 * r + 0.7152 * g + 0.0722 * b + 0.05)


def test_one_colour_per_level_in_status_order() -> None:
    assert tuple(colours.STATUS_COLOURS) == LEVELS
    assert {s.value for s in Severity} <= set(colours.STATUS_COLOURS)  # a finding's severity is a level
    values = [colours.colour(level) for level in LEVELS]
    assert len(set(values)) == len(values), "two levels share a colour"


def test_colour_severity_rises_with_the_status() -> None:
    alarm = [redness(colours.colour(level)) for level in ALARM]
    assert alarm == sorted(alarm) and len(set(alarm)) == len(alarm), list(zip(ALARM, alarm))
    # the calm levels are less red than the first level that asks for care
    assert max(redness(colours.colour(level)) for level in CALM) < alarm[0]
    # stale data ranks a roster line "caution" or "warning": never the colour of a clinician
    assert colours.colour("clinician") not in {colours.colour("caution"), colours.colour("warning")}


def test_white_badge_text_reads_on_every_colour() -> None:
    for level in LEVELS:
        assert contrast_with_white(colours.colour(level)) >= 4.5, level


def test_no_other_file_colours_a_level() -> None:
    """The tag, status-block and card rules of a level are written only by runload.report.colours."""
    levels = "|".join(map(re.escape, LEVELS))
    rule = re.compile(rf"\.(?:tag|lvl|sev)-(?:{levels})\b[^{{}}\n]*\{{")
    offenders = [str(p.relative_to(SRC)) for p in SRC.rglob("*")
                 if p.suffix in {".py", ".css", ".j2"} and p.name != "colours.py"
                 and rule.search(p.read_text(encoding="utf-8"))]
    assert offenders == []


def _roster_row(level: str, stale: str) -> RosterRow:
    return RosterRow("x", "X", level, level if stale == "ok" else "ok", 10.0, None, False, None, None, 0,
                     "none logged", date(2026, 5, 20), 11 if stale != "ok" else 0, stale)


@pytest.mark.slow  # every HTML page
def test_every_html_page_carries_the_same_rules(ana) -> None:  # noqa: F811
    """The report (also the mail's HTML and a site's page) and the roster have each level's rules,
    with the mapping's colours; a stale-data badge is the colour of its level, not a clinician's."""
    rep = build_report(fake_assessment(ana, []), week_period(WEEK))
    roster = render_roster_html(Roster(week_period(WEEK), WEEK, [_roster_row("caution", "caution")]))
    for page in (render(rep, "html"), roster):
        for level in LEVELS:
            assert f".tag-{level} {{ background: {colours.colour(level)}; }}" in page
    assert '<span class="tag tag-caution">stale data</span>' in roster


@pytest.mark.parametrize("level", LEVELS)
def test_terminal_colours_every_level(ana, level: str) -> None:  # noqa: F811
    from dataclasses import replace

    rep = replace(build_report(fake_assessment(ana, []), week_period(WEEK)), status=Status(level, level, "."))
    assert f"\x1b[{colours.ansi(level)}mStatus:" in render_text(rep, color=True)
