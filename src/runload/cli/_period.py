"""What every command that reads an assessment shares: the day it is judged on, the period,
and the athlete's assessment from the store (config and rules loaded once per command)."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import date
from typing import Any, TypeVar

import click

from runload.errors import InputError

F = TypeVar("F", bound=Callable[..., Any])

TODAY_ENV = "RUNLOAD_TODAY"  # pins "today" (YYYY-MM-DD) for reproducible runs and tests
WEEK_HELP = "this (default: this week so far), last (the last complete week) or an ISO week such as 2026-W33."


def today_for(tz: str | None) -> date:
    """Today in time zone ``tz`` (``RUNLOAD_TODAY`` pins it)."""
    from runload.calendar import today_in

    pinned = os.environ.get(TODAY_ENV, "").strip()
    if pinned:
        try:
            return date.fromisoformat(pinned)
        except ValueError:
            raise InputError(f"{TODAY_ENV}={pinned!r} is not a date like 2026-10-21") from None
    return today_in(tz)


def week_option(func: F) -> F:
    """``--week this|last|YYYY-Www``."""
    return click.option("--week", help="Week: " + WEEK_HELP)(func)


def format_option(choices: list[str], default: str) -> Callable[[F], F]:
    """``--format`` with the same names everywhere (``table``/``text``, ``csv``, ``json``, ...);
    ``--json`` stays as an alias of ``--format json``."""

    def deco(func: F) -> F:
        func = click.option("--json", "as_json", is_flag=True, help="Same as --format json.")(func)
        return click.option("--format", "fmt", type=click.Choice(choices), default=default, show_default=True,
                            help="Output format.")(func)

    return deco


def chosen_format(fmt: str, as_json: bool) -> str:
    return "json" if as_json else fmt


def assessor(store: Any) -> Any:
    """An :class:`runload.session.Assessor` over ``store`` with the config and rules loaded now."""
    from runload.session import Assessor

    return Assessor(store)


def parse_day(option: str, text: str | None) -> date | None:
    """A ``YYYY-MM-DD`` option value, or None."""
    import re

    from runload.calendar import FIRST_DAY, LAST_YEAR

    if text is None:
        return None
    if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text.strip(), flags=re.ASCII):
        raise InputError(f"{option}: {text!r} is not a date like 2026-10-21")
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise InputError(f"{option}: {text!r} is not a date like 2026-10-21") from None
    if day < FIRST_DAY or day.year > LAST_YEAR:
        raise InputError(f"{option}: {day.isoformat()} is outside the years runload works with "
                         f"({FIRST_DAY.year} to {LAST_YEAR})")
    return day
