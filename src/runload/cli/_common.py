"""Pieces every command shares: the --store option, opening the store, and :func:`echo`, the
one way text reaches the terminal."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:
    from runload.store import Store

F = TypeVar("F", bound=Callable[..., Any])

NAMED_ATHLETES = "runload.named_athletes"  # ctx.meta: the athlete ids the command line names


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


def store_path(ctx: click.Context) -> str:
    """The store file this invocation names (--store, RUNLOAD_STORE, or the per-user one)."""
    root = ctx.find_root()
    obj = root.obj if isinstance(root.obj, dict) else {}
    own = ctx.obj.get("store") if isinstance(ctx.obj, dict) else None
    named = own or obj.get("store")  # --store, or RUNLOAD_STORE (the group's option reads it)
    if named:  # as runload.places.resolve_store_path takes it, without loading platformdirs
        path = str(Path(named).expanduser())
    else:
        from runload.places import resolve_store_path

        path = str(resolve_store_path())
    if isinstance(root.obj, dict):
        root.obj["store_path"] = path  # named by the error message when a write fails
    return path


def open_store(ctx: click.Context, *, create: bool = False) -> Store:
    """Open the store this invocation names. Read-only commands pass ``create=False`` so a typo
    in a path never leaves an empty store behind. Every athlete the command line names (see
    :class:`runload.cli.options.AthleteId`) must be in it: an unknown one is an error naming the
    closest ids, before anything is read or written."""
    from runload.store import Store

    path = store_path(ctx)
    store = Store.open(path, create=create)
    if store.was_empty:
        echo(f"Note: {path} was an empty file (0 bytes); it is now a new, empty store. If it held "
             f"your data, restore it from a backup.", err=True)
    try:
        check_named_athletes(ctx, store)
    except BaseException:
        store.close()
        raise
    return store


def open_store_if_any(ctx: click.Context) -> Store | None:
    """The store, or None when there is none yet (a list on a new machine is empty, not an
    error). A file that is there but is no store is still an error."""
    if not Path(store_path(ctx)).exists():
        return None
    return open_store(ctx)


def check_named_athletes(ctx: click.Context, store: Store) -> None:
    """NotFoundError for the first athlete id the command line names that ``store`` lacks:
    "unknown athlete 'mya': did you mean 'maya'? (see: runload athlete list)"."""
    from runload.cli.suggest import did_you_mean
    from runload.errors import NotFoundError

    for athlete_id in dict.fromkeys(ctx.meta.get(NAMED_ATHLETES, [])):
        try:
            store.get_athlete(athlete_id)
        except NotFoundError:
            known = [a.id for a in store.list_athletes()]
            raise NotFoundError(f"unknown athlete '{athlete_id}'{did_you_mean(athlete_id, known)} "
                                f"(see: runload athlete list)") from None


def can_ask(no_input: bool = False) -> bool:
    """Whether a question may wait for an answer: a terminal on stdin, and not ``CI=true``
    (scripts and CI never wait for input)."""
    import os
    import sys

    if no_input or os.environ.get("CI", "").strip().lower() in ("true", "1", "yes"):
        return False
    try:
        return sys.stdin.isatty()
    except (AttributeError, ValueError):
        return False


def confirm_or_refuse(question: str, *, yes: bool, refusal: str) -> None:
    """Go on when ``yes`` (``--yes``), else ask on a terminal (no: "Aborted!", exit 1, as
    ``pain delete``); with no terminal to ask on, refuse with ``refusal`` (exit 2, bad usage)."""
    from runload.errors import InputError

    if yes:
        return
    if not can_ask():
        raise InputError(f"{refusal} without --yes (no terminal to ask on)")
    click.confirm(question, default=False, abort=True)
