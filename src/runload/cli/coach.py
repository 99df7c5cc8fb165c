"""runload coach add|list|unfollow|remove"""

from __future__ import annotations

import click

from runload.cli._common import echo, open_store, open_store_if_any, store_option
from runload.cli.options import Output, athletes_option, output_options
from runload.cli.suggest import SuggestingGroup


@click.group(cls=SuggestingGroup)
def coach() -> None:
    """Coaches and the athletes whose roster they receive."""


@coach.command("add")
@click.argument("coach_id")
@click.option("--email", help="Where the weekly roster goes (needed for a new coach).")
@click.option("--name", help="Name shown in the roster mail.")
@athletes_option("An athlete this coach follows (repeatable).")
@store_option
@click.pass_context
def add(ctx: click.Context, coach_id: str, email: str | None, name: str | None, athlete_ids: tuple[str, ...]) -> None:
    """Add a coach, or update one: a new email or name, more athletes to follow (the options
    left out stay as they are)."""
    from runload.athletes import check_email, check_id
    from runload.errors import InputError
    from runload.textsafe import check_display_name, inline

    # checked here, when a person can fix them, rather than when the weekly mail goes out
    check_id(coach_id, what="coach id")
    if email is not None:
        check_email(email)
    if name is not None:
        name = check_display_name(name, what="coach name")
    with open_store(ctx) as store:
        before = {c: (n, e, ids) for c, n, e, ids in store.coaches()}.get(coach_id)
        if before is not None:
            email = email or before[1]  # an update: what is left out stays
        if email is None:
            raise InputError(f"coach '{coach_id}' is new: give their --email (where the weekly roster goes)")
        store.add_coach(coach_id, email, name, list(athlete_ids))
        after = {c: (n, e, ids) for c, n, e, ids in store.coaches()}[coach_id]
    follows = ", ".join(after[2]) or "nobody yet"
    if before is None:
        echo(f"Coach {coach_id} <{email}> follows: {follows}")
        return
    changed = []
    if before[1] != after[1]:
        changed.append(f"email {inline(before[1])} -> {inline(after[1])}")
    if before[0] != after[0]:
        changed.append(f"name {inline(before[0] or '-')} -> {inline(after[0] or '-')}")
    added = [a for a in after[2] if a not in before[2]]
    if added:
        changed.append(f"now also follows {', '.join(added)}")
    echo(f"Updated coach {coach_id}: " + ("; ".join(changed) if changed else "no change") + f". Follows: {follows}")


@coach.command("unfollow")
@click.argument("coach_id")
@click.argument("athlete_id")
@store_option
@click.pass_context
def unfollow(ctx: click.Context, coach_id: str, athlete_id: str) -> None:
    """Take athlete ATHLETE_ID off coach COACH_ID's roster (both stay)."""
    from runload.textsafe import inline

    with open_store(ctx) as store:
        store.unfollow(coach_id, athlete_id)
        ids = next((ids for c, _n, _e, ids in store.coaches() if c == coach_id), [])
    echo(f"Coach {inline(coach_id)} no longer follows {inline(athlete_id)}. Follows: {', '.join(ids) or 'nobody'}")


@coach.command("list")
@output_options(["text", "json"])
@store_option
@click.pass_context
def list_(ctx: click.Context, out: Output) -> None:
    """List coaches and their athletes."""
    from runload.cli.records import coach_record
    from runload.report.table import table
    from runload.textsafe import inline

    rows = []
    store = open_store_if_any(ctx)
    if store is not None:
        with store:
            rows = store.coaches()
    if out.is_json:
        out.json([coach_record(*row) for row in rows])
    elif not rows:
        out.line("No coaches yet: runload coach add ID --email ADDR --athlete A")
    else:
        out.line(table(["id", "name", "email", "athletes"],
                   [[inline(c), inline(n or "-"), inline(e), ", ".join(ids)] for c, n, e, ids in rows]))


@coach.command("remove")
@click.argument("coach_id")
@store_option
@click.pass_context
def remove(ctx: click.Context, coach_id: str) -> None:
    """Remove a coach (their athletes stay)."""
    from runload.textsafe import inline

    with open_store(ctx) as store:
        store.remove_coach(coach_id)
    echo(f"Removed coach {inline(coach_id)}")
