"""Pieces every command shares: the --store option, opening the store, parsing weeks, and
:func:`echo`, the one way text reaches the terminal."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Any, TypeVar

import click

from runload.errors import InputError

F = TypeVar("F", bound=Callable[..., Any])


def echo(message: object = "", *, err: bool = False, nl: bool = True, color: bool | None = None) -> None:
    """``click.echo`` for anything that may hold a name, a note or a file name: control
    characters (ESC, OSC, a lone CR, C1, bidi overrides) are shown escaped, never obeyed by the
    terminal; lines and tabs stay. With ``color`` the plain colour codes of runload's own text
    renderer pass. Put a value that must stay on its line through :func:`runload.textsafe.inline`
    first (a file name holding a newline would otherwise print a line of its own)."""
    from runload.textsafe import terminal

    click.echo(terminal(str(message), keep_color=bool(color)), err=err, nl=nl, color=color)


def store_option(func: F) -> F:
    """``--store PATH`` on a subcommand, overriding the group's option and RUNLOAD_STORE."""

    def remember(ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
        if value:
            ctx.ensure_object(dict)["store"] = value
        return value

    return click.option("--store", "store_override", type=click.Path(dir_okay=False), expose_value=False,
                        callback=remember, is_eager=True,
                        help="The store file (overrides RUNLOAD_STORE and the default).")(func)


def open_store(ctx: click.Context, *, create: bool = False) -> Any:
    """Open the store this invocation names. Read-only commands pass ``create=False`` so a typo
    in a path never leaves an empty store behind."""
    from runload.config import resolve_store_path
    from runload.store import Store

    root = ctx.find_root()
    obj = root.obj if isinstance(root.obj, dict) else {}
    own = ctx.obj.get("store") if isinstance(ctx.obj, dict) else None
    path = resolve_store_path(own or obj.get("store"))
    if isinstance(root.obj, dict):
        root.obj["store_path"] = str(path)  # named by the error message when a write fails
    store = Store.open(path, create=create)
    if store.was_empty:
        echo(f"Note: {path} was an empty file (0 bytes); it is now a new, empty store. If it held "
             f"your data, restore it from a backup.", err=True)
    return store


_WEEK = re.compile(r"([0-9]{4})-[Ww]([0-9]{2})")
# From the first week that can hold data (GPS watches count time from 1989-12-31, the FIT epoch)
# to a year far enough ahead for any plan: anything else is a typo, and weeks near year 9999
# overflow the date arithmetic of a report.
FIRST_WEEK_YEAR, LAST_WEEK_YEAR = 1989, 2100


def parse_week(text: str | None) -> date | None:
    """``2026-W33`` -> the Monday of that ISO week; InputError for text that is not a week, a
    week that does not exist (``2026-W54``), or a year outside 1989 to 2100."""
    if not text:
        return None
    m = _WEEK.fullmatch(text.strip())
    if not m:
        raise InputError(f"week {text!r} is not in the form YYYY-Www (for example 2026-W33)")
    year = int(m.group(1))
    if not FIRST_WEEK_YEAR <= year <= LAST_WEEK_YEAR:
        raise InputError(f"week {text.strip()!r} is outside the years runload handles "
                         f"({FIRST_WEEK_YEAR} to {LAST_WEEK_YEAR})")
    try:
        return date.fromisocalendar(year, int(m.group(2)), 1)
    except ValueError:
        raise InputError(f"week {text!r} does not exist") from None


def not_built(name: str, what: str) -> Callable[[], None]:
    """A command that a later version fills in: says so plainly and exits 2."""

    def run() -> None:
        raise click.UsageError(f"'runload {name}' is not built yet: {what}")

    return run
