"""One colour per status level, the only place one is chosen.

Every HTML page runload writes (report, roster, site, the weekly mails) and the terminal's
coloured text take a level's colour from :data:`STATUS_COLOURS`, so a badge means the same
thing wherever it is read. The levels come in :data:`runload.models.LEVELS` and the
colours rise with them: grey for no data, green and blue for the calm levels, then amber,
orange, red and darker reds as the advice grows more urgent. A finding's severity is one of the
same levels and takes the same colour.

The rules are written out as plain CSS (no custom properties): several mail programs drop
``var()``, and a badge that lost its colour would read as nothing at all.
"""

from __future__ import annotations

from dataclasses import dataclass

from runload.models import LEVELS


@dataclass(frozen=True)
class LevelColour:
    """A level's colour (badges and borders, white text on it reads at 4.5:1 or better), the
    light tint behind its status block, and its ANSI style for a terminal."""

    colour: str
    tint: str
    ansi: str


#: Status level -> its colour, in :data:`runload.models.LEVELS`.
STATUS_COLOURS: dict[str, LevelColour] = {
    "no-data": LevelColour("#5f6368", "#f5f5f7", "2"),
    "ok": LevelColour("#0b7a52", "#f5f5f7", "1;32"),
    "info": LevelColour("#1f5f99", "#f5f5f7", "36"),
    "caution": LevelColour("#8a5a00", "#fdf8ec", "1;33"),
    "warning": LevelColour("#b3400a", "#fdf1ea", "33"),
    "clinician": LevelColour("#c41e1e", "#fdeded", "1;31"),
    "urgent": LevelColour("#a80018", "#fde8eb", "1;97;41"),
    "emergency": LevelColour("#7a000f", "#7a000f", "1;97;41"),
}

assert tuple(STATUS_COLOURS) == LEVELS, "one colour per status level, in the status order"


def colour(level: str) -> str:
    """A level's colour (``#rrggbb``)."""
    return STATUS_COLOURS[level].colour


def ansi(level: str) -> str:
    """A level's ANSI style (the SGR parameters)."""
    return STATUS_COLOURS[level].ansi


def css() -> str:
    """The stylesheet rules for every level: ``.tag-L`` (a badge), ``.lvl-L`` (the status
    block), ``.sev-L`` (a finding's card)."""
    rules = []
    for level, c in STATUS_COLOURS.items():
        text = " color: #fff;" if level == "emergency" else ""
        rules.append(f".tag-{level} {{ background: {c.colour}; }} "
                     f".lvl-{level} {{ border-color: {c.colour}; background: {c.tint};{text} }} "
                     f".card.sev-{level} {{ border-left-color: {c.colour}; }}")
    return "\n".join(rules) + "\n"
