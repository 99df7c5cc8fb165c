"""Validating athlete profiles before they reach the store."""

from __future__ import annotations

import re
from collections.abc import Iterable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from runload.errors import InputError
from runload.models import Athlete
from runload.textsafe import check_address, check_display_name, inline, unsafe_char
from runload.units import UNITS

_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}\Z", re.ASCII)


def make_athlete(athlete_id: str, *, name: str, timezone: str = "UTC", email: str | None = None,
                 sex: str | None = None, birth_year: int | None = None, hr_rest_bpm: int | None = None,
                 hr_max_bpm: int | None = None, previous_injuries: Iterable[str] = (),
                 units: str = "km") -> Athlete:
    """A checked Athlete: id of letters, digits, ``.``, ``_``, ``-``; a real time zone; HR sane."""
    check_id(athlete_id)
    name = check_display_name(name, what="athlete name")
    previous_injuries = tuple(previous_injuries)
    for injury in previous_injuries:
        if unsafe_char(injury):
            raise InputError(f"injury {inline(injury)!r} holds a control character ({unsafe_char(injury)})")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise InputError(f"unknown time zone {timezone!r} (use an IANA name such as Europe/Stockholm)") from None
    if email is not None:
        check_email(email)
    if hr_rest_bpm and hr_max_bpm and hr_rest_bpm >= hr_max_bpm:
        raise InputError("resting heart rate must be below maximum heart rate")
    if units not in UNITS:
        raise InputError(f"units must be km or mi, not {units!r}")
    return Athlete(id=athlete_id, name=name, timezone=timezone, email=email, sex=sex,
                   birth_year=birth_year, hr_rest_bpm=hr_rest_bpm, hr_max_bpm=hr_max_bpm,
                   previous_injuries=tuple(i.strip() for i in previous_injuries if i.strip()), units=units)


def check_email(email: str) -> str:
    """``email`` if it is one plain address (ASCII, no control characters, no quotes, commas or
    angle brackets), else InputError."""
    return check_address(email)


def check_id(value: str, *, what: str = "athlete id") -> str:
    """``value`` if it is an id of letters, digits, ``.``, ``_``, ``-`` (at most 64), else InputError."""
    if not _ID.match(value):
        raise InputError(f"{what} {inline(value)!r} must be letters, digits, '.', '_' or '-' (at most 64)")
    return value
