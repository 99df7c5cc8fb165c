"""Days on the command line: every --as-of, --date, --from and --to is read by one type
(runload.cli.options.DAY), takes the same forms, and refuses a bad one in one line naming the
option, the value and the form (exit 2); --from after --to is refused before anything runs."""

from __future__ import annotations

import importlib
from datetime import date

import click
import pytest

from runload.cli import COMMANDS
from runload.cli.options import DAY, Day
from runload.errors import InputError

DAY_OPTIONS = {"--as-of", "--date", "--from", "--to", "--on", "--since", "--until", "--day"}


def one_error_line(r) -> str:
    lines = r.output.strip().splitlines()
    assert r.exit_code == 2, r.output
    assert len(lines) == 1 and lines[0].startswith("Error: ") and "Traceback" not in r.output, r.output
    return lines[0]


def _commands():
    """(path, command) of every runload command, subcommands of groups included."""
    def walk(path, cmd):
        if isinstance(cmd, click.Group):
            for name, sub in cmd.commands.items():
                yield from walk(f"{path} {name}", sub)
        else:
            yield path, cmd

    for name, target in sorted(COMMANDS.items()):
        module, attr = target.split(":")
        yield from walk(name, getattr(importlib.import_module(module), attr))


def test_every_day_option_is_the_shared_day():
    found = []
    for path, cmd in _commands():
        for p in cmd.params:
            if isinstance(p, click.Option) and DAY_OPTIONS & set(p.opts):
                assert p.type is DAY, f"{path} {p.opts[0]} is not read by runload.cli.options.DAY"
                assert p.metavar is None and p.make_metavar(click.Context(cmd)) == "YYYY-MM-DD", (path, p.opts)
                found.append(f"{path} {p.opts[0]}")
    assert {"check --as-of", "report --from", "report --to", "pain add --date", "pain list --from",
            "pain edit --date", "pain status --as-of", "pain clear --date", "plan check --as-of",
            "plan clear --from", "plan clear --to", "shoe retire --date"} <= set(found), found


# ---------------------------------------------------------------- the type itself

def _option(name: str = "--as-of") -> click.Option:
    return click.Option([name], type=DAY)


@pytest.mark.parametrize("text, day", [
    ("2026-05-01", date(2026, 5, 1)),
    (" 2026-05-01\t", date(2026, 5, 1)),  # spaces around are ignored
    ("1989-12-31", date(1989, 12, 31)),  # runload's first day
    ("2100-12-31", date(2100, 12, 31)),  # the end of its last year
    ("2028-02-29", date(2028, 2, 29)),
])
def test_good_forms(text, day):
    assert DAY.convert(text, _option(), None) == day


def test_blank_is_not_given_and_a_date_passes():
    assert DAY.convert("", _option(), None) is None
    assert DAY.convert("   ", _option(), None) is None
    assert DAY.convert(date(2026, 5, 1), _option(), None) == date(2026, 5, 1)
    assert isinstance(DAY, Day) and DAY.name == "YYYY-MM-DD"


@pytest.mark.parametrize("text, message", [
    ("20261101", "--from: '20261101' is not a date in the form YYYY-MM-DD"),  # the basic form
    ("2026-5-1", "--from: '2026-5-1' is not a date in the form YYYY-MM-DD"),
    ("2026-13-01", "--from: '2026-13-01' is not a date in the form YYYY-MM-DD"),
    ("2026-02-30", "--from: '2026-02-30' is not a date in the form YYYY-MM-DD"),
    ("２０２６-０５-０１", "is not a date in the form YYYY-MM-DD"),  # digits of another script
    ("2026-05-01T10:00", "--from: '2026-05-01T10:00' is not a date in the form YYYY-MM-DD"),
    ("May 2", "--from: 'May 2' is not a date in the form YYYY-MM-DD"),
    ("yesterday", "--from: 'yesterday' is not a date in the form YYYY-MM-DD"),
    ("0001-01-01", "--from: 0001-01-01 is before 1989-12-31, the earliest day runload takes"),
    ("1989-12-30", "--from: 1989-12-30 is before 1989-12-31"),
    ("2101-01-01", "--from: 2101-01-01 is after 2100, the last year runload works with"),
])
def test_bad_forms_name_the_option_the_value_and_the_form(text, message):
    with pytest.raises(InputError) as err:
        DAY.convert(text, _option("--from"), None)
    assert message in str(err.value) and err.value.exit_code == 2


# ---------------------------------------------------------------- on every command

COMMANDS_WITH_A_DAY = [
    ("check", "--athlete", "ana", "--as-of", "{}"),
    ("report", "--athlete", "ana", "--from", "{}", "--to", "2026-05-31"),
    ("report", "--athlete", "ana", "--from", "2026-05-01", "--to", "{}"),
    ("pain", "add", "--athlete", "ana", "--date", "{}", "--pain-after", "3", "--no-input"),
    ("pain", "list", "--athlete", "ana", "--from", "{}"),
    ("pain", "list", "--athlete", "ana", "--to", "{}"),
    ("pain", "edit", "1", "--date", "{}"),
    ("pain", "status", "--athlete", "ana", "--as-of", "{}"),
    ("pain", "clear", "--athlete", "ana", "--date", "{}"),
    ("plan", "check", "--athlete", "ana", "--as-of", "{}", "--run", "2026-05-02:5"),
    ("plan", "clear", "--athlete", "ana", "--from", "{}"),
    ("plan", "clear", "--athlete", "ana", "--to", "{}"),
    ("shoe", "retire", "--athlete", "ana", "Pegasus", "--date", "{}"),
]


@pytest.mark.parametrize("args", COMMANDS_WITH_A_DAY, ids=lambda a: " ".join(a[:2]) + " " + a[a.index("{}") - 1])
@pytest.mark.parametrize("text", ["20261101", "2026-13-01", "May 2"])
def test_every_command_refuses_a_bad_day_in_one_line(cli, athlete, args, text):
    option = args[args.index("{}") - 1]
    r = cli(*[text if a == "{}" else a for a in args])
    line = one_error_line(r)
    assert line == f"Error: {option}: {text!r} is not a date in the form YYYY-MM-DD", line


@pytest.mark.parametrize("args", COMMANDS_WITH_A_DAY, ids=lambda a: " ".join(a[:2]) + " " + a[a.index("{}") - 1])
def test_every_command_refuses_a_year_out_of_range(cli, athlete, args):
    option = args[args.index("{}") - 1]
    line = one_error_line(cli(*["0001-01-01" if a == "{}" else a for a in args]))
    assert line.startswith(f"Error: {option}: 0001-01-01 is before 1989-12-31"), line


# ---------------------------------------------------------------- --from after --to

FROM_TO = [("report", "--athlete", "ana"), ("pain", "list", "--athlete", "ana"), ("plan", "clear", "--athlete", "ana")]


@pytest.mark.parametrize("args", FROM_TO, ids=lambda a: " ".join(a[:2]))
@pytest.mark.parametrize("order", ["from-first", "to-first"])
def test_from_after_to_is_refused(cli, athlete, store_path, args, order):
    cli("plan", "set", "--athlete", "ana", "--run", "2026-05-02:5", "--run", "2026-05-05:8")
    span = ["--from", "2026-05-09", "--to", "2026-05-01"]
    if order == "to-first":
        span = span[2:] + span[:2]
    line = one_error_line(cli(*args, *span))
    assert line == "Error: --from 2026-05-09 is after --to 2026-05-01", line
    from runload.store import Store

    with Store.open(store_path) as s:  # refused before anything ran: the plan is all there
        assert len(s.planned_runs("ana")) == 2


@pytest.mark.parametrize("args", FROM_TO, ids=lambda a: " ".join(a[:2]))
def test_one_day_span_is_taken(cli, athlete, args):
    r = cli(*args, "--from", "2026-05-01", "--to", "2026-05-01")
    assert r.exit_code == 0, r.output


def test_the_day_reaches_the_command(cli, athlete):
    cli("pain", "add", "--athlete", "ana", "--date", " 2026-05-02 ", "--pain-after", "3", "--no-input")
    cli("pain", "add", "--athlete", "ana", "--date", "2026-05-04", "--pain-after", "2", "--no-input")
    r = cli("pain", "list", "--athlete", "ana", "--from", "2026-05-03", "--to", "", "--format", "csv")
    assert r.exit_code == 0 and "2026-05-04" in r.output and "2026-05-02" not in r.output, r.output
    r = cli("shoe", "add", "--athlete", "ana", "Pegasus")
    r = cli("shoe", "retire", "--athlete", "ana", "Pegasus", "--date", "2026-05-03")
    assert r.exit_code == 0 and "on 2026-05-03" in r.output, r.output
