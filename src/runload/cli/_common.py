"""Pieces every command shares: the --store option, opening the store, parsing weeks."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Any, TypeVar

import click

from runload.errors import InputError

F = TypeVar("F", bound=Callable[..., Any])


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
    return Store.open(path, create=create)


_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")


def parse_week(text: str | None) -> date | None:
    """``2026-W33`` -> the Monday of that ISO week."""
    if not text:
        return None
    m = _WEEK.match(text.strip())
    if not m:
        raise InputError(f"week {text!r} is not in the form YYYY-Www (for example 2026-W33)")
    try:
        return date.fromisocalendar(int(m.group(1)), int(m.group(2)), 1)
    except ValueError:
        raise InputError(f"week {text!r} does not exist") from None


def not_built(name: str, what: str) -> Callable[[], None]:
    """A command that a later version fills in: says so plainly and exits 2."""

    def run() -> None:
        raise click.UsageError(f"'runload {name}' is not built yet: {what}")

    return run
