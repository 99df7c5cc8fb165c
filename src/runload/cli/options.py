"""The options every command spells the same way, each defined once: ``--athlete``, ``--week``,
``--timezone``, the days (``--as-of``, ``--date``, ``--from``/``--to``, read by :data:`DAY`), and
the output options (``--format``, ``--json``, ``-o/--output``) of every
command that prints data, with :class:`Output`, the one way that data reaches the terminal or a
file.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any, TypeVar, cast

import click

from runload.cli._common import NAMED_ATHLETES, echo
from runload.errors import InputError

F = TypeVar("F", bound=Callable[..., Any])

# ---------------------------------------------------------------- athletes


class AthleteId(click.ParamType):
    """An athlete id the command line names. Each one is remembered, and
    :func:`runload.cli._common.open_store` checks that the store holds it (an unknown id is an
    error naming the closest ones) before the command reads or writes anything."""

    name = "ID"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if ctx is not None:
            ctx.meta.setdefault(NAMED_ATHLETES, []).append(value)
        return value


ATHLETE_ID = AthleteId()


def athlete_option(help: str = "The athlete's id.", *, required: bool = True) -> Callable[[F], F]:
    """``--athlete ID``: the one athlete a command is about (passed as ``athlete_id``)."""
    return click.option("--athlete", "athlete_id", type=ATHLETE_ID, required=required, help=help)


def athletes_option(help: str = "Only these athletes (repeatable; default: all).", *,
                    required: bool = False) -> Callable[[F], F]:
    """``--athlete ID`` given any number of times (passed as ``athlete_ids``, a tuple)."""
    return click.option("--athlete", "athlete_ids", type=ATHLETE_ID, multiple=True, required=required, help=help)


def athlete_argument(func: F) -> F:
    """``ATHLETE_ID``: an existing athlete named as an argument (``athlete show ID``)."""
    return click.argument("athlete_id", type=ATHLETE_ID)(func)


# ---------------------------------------------------------------- time zones

class TimeZoneName(click.ParamType):
    """An IANA time zone name; a mistyped one is an error naming the closest real ones."""

    name = "ZONE"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

        from runload.cli.suggest import did_you_mean

        try:
            ZoneInfo(value)
            return value
        except (ZoneInfoNotFoundError, ValueError):
            pass
        hint = did_you_mean(str(value).replace(" ", "_"), available_timezones())
        raise InputError(f"unknown time zone {value!r} (use an IANA name such as Europe/Stockholm){hint}")


TIME_ZONE = TimeZoneName()

# ---------------------------------------------------------------- weeks

WEEK_HELP = "this (default: this week so far), last (the last complete week) or an ISO week such as 2026-W33."


def week_option(func: F) -> F:
    """``--week this|last|YYYY-Www`` of a command about one athlete (default: this week)."""
    return click.option("--week", metavar="WEEK", help="Week: " + WEEK_HELP)(func)


def squad_week_option(func: F) -> F:
    """``--week`` of a roster (see :func:`runload.cli._period.squad_period` for the default)."""
    return click.option("--week", metavar="WEEK",
                        help="Week: this, last (the last complete week) or an ISO week such as 2026-W33 "
                             "(default: this week, or the last complete week while nobody has data in "
                             "the new one yet).")(func)


# ---------------------------------------------------------------- days

class Day(click.ParamType):
    """A calendar day as every command takes it: ``YYYY-MM-DD`` (ASCII digits, as the pain log's
    CSV reads its dates; not the basic form 20261021), surrounding spaces ignored, from
    :data:`runload.calendar.FIRST_DAY` to the end of :data:`runload.calendar.LAST_YEAR`. A blank
    value is the same as leaving the option out (None). A bad one is an error (exit 2) naming the
    option, the value and the form."""

    name = "YYYY-MM-DD"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        from runload.calendar import FIRST_DAY, LAST_YEAR
        from runload.pain.entries import FieldError, parse_date

        if isinstance(value, date) or value is None:
            return value
        text = str(value).strip()
        if not text:
            return None
        option = param.opts[0] if param is not None and param.opts else "date"
        try:
            day = parse_date(option, text)
        except FieldError as exc:
            raise InputError(f"{option}: {exc}") from None
        if day < FIRST_DAY:
            raise InputError(f"{option}: {day.isoformat()} is before {FIRST_DAY.isoformat()}, the earliest day "
                             f"runload takes (a typo in the year?)")
        if day.year > LAST_YEAR:
            raise InputError(f"{option}: {day.isoformat()} is after {LAST_YEAR}, the last year runload works with "
                             f"(a typo in the year?)")
        return day


DAY = Day()


def as_of_option(help: str) -> Callable[[F], F]:
    """``--as-of YYYY-MM-DD``: the day a command judges as on (passed as ``as_of``, a date or None)."""
    return click.option("--as-of", "as_of", type=DAY, help=help)


def date_option(help: str) -> Callable[[F], F]:
    """``--date YYYY-MM-DD``: the day a command records something on (passed as ``day``, a date or
    None)."""
    return click.option("--date", "day", type=DAY, help=help)


def day_range_options(from_help: str, to_help: str) -> Callable[[F], F]:
    """``--from YYYY-MM-DD`` and ``--to YYYY-MM-DD``, the first and last day of a span (passed as
    ``start`` and ``end``, dates or None). ``--from`` after ``--to`` is refused (exit 2) before
    the command runs."""

    def deco(func: F) -> F:
        @functools.wraps(func)
        def run(*args: Any, **kwargs: Any) -> Any:
            start, end = kwargs.get("start"), kwargs.get("end")
            if start is not None and end is not None and start > end:
                raise InputError(f"--from {start.isoformat()} is after --to {end.isoformat()}")
            return func(*args, **kwargs)

        wrapped: Callable[..., Any] = click.option("--to", "end", type=DAY, help=to_help)(run)
        return cast(F, click.option("--from", "start", type=DAY, help=from_help)(wrapped))

    return deco


# ---------------------------------------------------------------- output

TEXT = "text"  # the format a person reads, the default of every command
OLD_FORMAT_NAMES = {"table": TEXT}  # what a list's text format was called: scripts may still say it


class FormatChoice(click.Choice):
    """``--format``'s choices; an old name of one (``table`` for ``text``) is still read."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, str) and value.lower() in OLD_FORMAT_NAMES:
            value = OLD_FORMAT_NAMES[value.lower()]
        return super().convert(value, param, ctx)


def use_color(flag: bool | None, output: str | None) -> bool:
    """Colour only for text going to a terminal, unless asked; NO_COLOR (no-color.org) wins."""
    if flag is not None:
        return flag
    return output is None and "NO_COLOR" not in os.environ and sys.stdout.isatty()


def color_option(func: F) -> F:
    """``--color/--no-color`` of a command whose text may be coloured (see :meth:`Output.color`)."""
    return click.option("--color/--no-color", default=None,
                        help="Colour text output (default: only on a terminal, and never with NO_COLOR set).")(func)


class Output:
    """Where a command's data goes, in which format: standard output as it is printed, or the
    ``--output`` file, written whole (private, under a temporary name, then renamed) when the
    command ends, with a note on standard error. (A plain class: nothing compares or prints it,
    and a dataclass costs every command's start-up a compilation of its methods.)"""

    __slots__ = ("format", "path", "_parts")

    def __init__(self, format: str = TEXT, path: str | None = None) -> None:
        self.format = format
        self.path = path
        self._parts: list[str] = []

    @property
    def is_json(self) -> bool:
        return self.format == "json"

    def color(self, flag: bool | None = None) -> bool:
        """Whether text should be coloured (``--color/--no-color``, else a terminal)."""
        return self.format == TEXT and use_color(flag, self.path)

    def write(self, text: str, *, color: bool = False) -> None:
        """``text`` as it is (add the newline yourself)."""
        if self.path is None:
            echo(text, nl=False, color=color)
        else:
            self._parts.append(text)

    def line(self, text: object = "") -> None:
        """One line (or several) of text."""
        self.write(f"{text}\n")

    def json(self, data: object, **dumps: Any) -> None:
        """``data`` as indented JSON."""
        import json  # only for --json: text output starts without it

        self.write(json.dumps(data, indent=2, **dumps) + "\n")

    def finish(self) -> None:
        """Write the ``--output`` file (nothing to do for standard output)."""
        if self.path is None:
            return
        from runload.outfile import write_file
        from runload.textsafe import inline

        write_file(self.path, "".join(self._parts))
        echo(f"Wrote {inline(self.path)}", err=True)


def output_options(formats: Sequence[str], default: str = TEXT) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``--format FORMATS`` (default ``text``, the one a person reads), ``--json`` (the same as
    ``--format json``) and ``-o/--output FILE``, the same on every command that prints data.
    The command gets them as one :class:`Output`, ``out``; the file is written when it ends
    (also when it ends with an exit code such as FINDINGS), not when it fails."""
    choices = list(formats)
    if default not in choices or "json" not in choices:
        raise ValueError(f"formats {choices} must hold json and the default {default!r}")

    def deco(func: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(func)
        def run(*args: Any, fmt: str, as_json: bool, output_path: str | None, **kwargs: Any) -> Any:
            out = Output("json" if as_json else fmt, output_path)
            try:
                result = func(*args, out=out, **kwargs)
            except click.exceptions.Exit:
                out.finish()
                raise
            out.finish()
            return result

        opts = [click.option("--format", "fmt", type=FormatChoice(choices), default=default, show_default=True,
                             help="Output format."),
                click.option("--json", "as_json", is_flag=True, help="Same as --format json."),
                click.option("--output", "-o", "output_path", type=click.Path(dir_okay=False),
                             help="Write to this file instead of standard output.")]
        wrapped: Callable[..., Any] = run
        for opt in reversed(opts):
            wrapped = opt(wrapped)
        return wrapped

    return deco
