"""runload user add|list|remove|passwd: the web app's logins (runload serve)."""

from __future__ import annotations

import sys

import click

from runload.cli._common import echo, open_store, store_option
from runload.cli.options import Output, athlete_option, output_options
from runload.cli.suggest import SuggestingGroup


def _password(confirm: bool) -> str:
    """The password: asked twice, hidden, on a terminal; else one line of standard input."""
    if sys.stdin.isatty():
        return click.prompt("Password", hide_input=True, confirmation_prompt=confirm)
    line = sys.stdin.readline()
    return line[:-1] if line.endswith("\n") else line


@click.group(cls=SuggestingGroup)
def user() -> None:
    """Logins for the web app (runload serve): one per athlete, one per coach.

    The password is asked on a terminal, or read as one line from standard input (a script:
    `printf '%s\\n' "$PW" | runload user add ana --athlete ana`). It is stored only as an Argon2
    hash.
    """


@user.command("add")
@click.argument("login")
@athlete_option("The athlete this login is (they see only their own pages).", required=False)
@click.option("--coach", "coach_id", help="The coach this login is (they see the athletes who follow them).")
@store_option
@click.pass_context
def add(ctx: click.Context, login: str, athlete_id: str | None, coach_id: str | None) -> None:
    """Add a login for an athlete or a coach."""
    from runload.errors import InputError
    from runload.web.accounts import add_user

    if (athlete_id is None) == (coach_id is None):
        raise InputError("give either --athlete ID or --coach ID")
    with open_store(ctx) as store:
        role, subject = ("athlete", athlete_id) if athlete_id is not None else ("coach", coach_id or "")
        add_user(store, login, _password(True), role=role, subject_id=subject)
    echo(f"Added login {login} ({role} {subject})")


@user.command("list")
@output_options(["text", "json"])
@store_option
@click.pass_context
def list_(ctx: click.Context, out: Output) -> None:
    """List the logins: login, role (athlete or coach) and whose it is."""
    from runload.cli.records import login_record
    from runload.web.accounts import list_users

    with open_store(ctx) as store:
        users = list_users(store)
    if out.is_json:
        out.json([login_record(u) for u in users])
        return
    if not users:
        out.line("No logins yet (runload user add LOGIN --athlete ID | --coach ID).")
    for u in users:
        out.line(f"{u.login}\t{u.role}\t{u.subject_id}")


@user.command("remove")
@click.argument("login")
@store_option
@click.pass_context
def remove(ctx: click.Context, login: str) -> None:
    """Remove a login and end its sessions (the athlete or coach stays)."""
    from runload.web.accounts import remove_user

    with open_store(ctx) as store:
        remove_user(store, login)
    echo(f"Removed login {login}")


@user.command("passwd")
@click.argument("login")
@store_option
@click.pass_context
def passwd(ctx: click.Context, login: str) -> None:
    """Change a login's password; its open sessions end."""
    from runload.web.accounts import set_password

    with open_store(ctx) as store:
        set_password(store, login, _password(True))
    echo(f"Changed the password of {login}")
