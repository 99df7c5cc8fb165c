"""runload athlete add|edit|list|show|delete"""

from __future__ import annotations

import click

from runload.cli._common import echo, open_store, open_store_if_any, store_option
from runload.cli.options import TIME_ZONE, Output, athlete_argument, output_options
from runload.cli.suggest import SuggestingGroup


@click.group(cls=SuggestingGroup)
def athlete() -> None:
    """Add, edit, list and show athletes."""


@athlete.command("add")
@click.argument("athlete_id")
@click.option("--name", required=True, help="Full name shown in reports.")
@click.option("--email", help="Where weekly summaries go.")
@click.option("--timezone", "tz", type=TIME_ZONE, default="UTC", show_default=True,
              help="IANA time zone, e.g. Europe/Stockholm.")
@click.option("--sex", type=click.Choice(["female", "male"]), help="Used by heart-rate load (Banister TRIMP).")
@click.option("--birth-year", type=click.IntRange(1900, 2100),
              help="Year of birth (the age rules judge by; some rules are stricter from 50).")
@click.option("--hr-rest", type=click.IntRange(20, 120), help="Resting heart rate, bpm.")
@click.option("--hr-max", type=click.IntRange(100, 240), help="Maximum heart rate, bpm.")
@click.option("--injury", "injuries", multiple=True, help="A previous injury (repeatable).")
@click.option("--units", type=click.Choice(["km", "mi"]), default="km", show_default=True,
              help="How distances read in reports, checks and mails (the store keeps metres).")
@store_option
@click.pass_context
def add(ctx: click.Context, athlete_id: str, name: str, email: str | None, tz: str, sex: str | None,
        birth_year: int | None, hr_rest: int | None, hr_max: int | None, injuries: tuple[str, ...],
        units: str) -> None:
    """Add an athlete with id ATHLETE_ID."""
    from runload.athletes import make_athlete

    a = make_athlete(athlete_id, name=name, email=email, timezone=tz, sex=sex, birth_year=birth_year,
                     hr_rest_bpm=hr_rest, hr_max_bpm=hr_max, previous_injuries=injuries, units=units)
    with open_store(ctx, create=True) as store:
        store.add_athlete(a)
        echo(f"Added athlete {a.id} ({a.name}) to {store.path}")


CLEARABLE = {"email": "email", "sex": "sex", "birth-year": "birth_year", "hr-rest": "hr_rest_bpm",
             "hr-max": "hr_max_bpm", "injuries": "previous_injuries"}


@athlete.command("edit")
@athlete_argument
@click.option("--name", help="Full name shown in reports.")
@click.option("--email", help="Where weekly summaries go.")
@click.option("--timezone", "tz", type=TIME_ZONE, help="IANA time zone, e.g. Europe/Stockholm.")
@click.option("--sex", type=click.Choice(["female", "male"]), help="Used by heart-rate load (Banister TRIMP).")
@click.option("--birth-year", type=click.IntRange(1900, 2100),
              help="Year of birth (the age rules judge by; some rules are stricter from 50).")
@click.option("--hr-rest", type=click.IntRange(20, 120), help="Resting heart rate, bpm.")
@click.option("--hr-max", type=click.IntRange(100, 240), help="Maximum heart rate, bpm.")
@click.option("--injury", "injuries", multiple=True, help="A previous injury (repeatable; replaces the list).")
@click.option("--units", type=click.Choice(["km", "mi"]), help="How distances read: km or mi.")
@click.option("--clear", "clear", multiple=True, type=click.Choice(sorted(CLEARABLE)),
              help="Remove a stored value (repeatable), e.g. --clear email.")
@store_option
@click.pass_context
def edit(ctx: click.Context, athlete_id: str, name: str | None, email: str | None, tz: str | None,
         sex: str | None, birth_year: int | None, hr_rest: int | None, hr_max: int | None,
         injuries: tuple[str, ...], units: str | None, clear: tuple[str, ...]) -> None:
    """Change the profile of athlete ATHLETE_ID: only the options given change."""
    from dataclasses import asdict

    from runload.athletes import make_athlete
    from runload.errors import InputError

    given: dict[str, object] = {"name": name, "email": email, "timezone": tz, "sex": sex, "birth_year": birth_year,
             "hr_rest_bpm": hr_rest, "hr_max_bpm": hr_max, "units": units,
             "previous_injuries": injuries or None}
    changes: dict[str, object] = {k: v for k, v in given.items() if v is not None}
    for c in clear:
        key = CLEARABLE[c]
        if key in changes:
            raise InputError(f"--clear {c} and a new value for it: give one of them")
        changes[key] = () if key == "previous_injuries" else None
    if not changes:
        raise InputError("nothing to change: give at least one option (see runload athlete edit --help)")
    with open_store(ctx) as store:
        before = store.get_athlete(athlete_id)
        fields = {**asdict(before), **changes}
        fields.pop("id")
        after = make_athlete(athlete_id, **fields)
        store.update_athlete(after)
    old, new = asdict(before), asdict(after)
    diff = [f"{k.replace('_', ' ')} {_shown(old[k])} -> {_shown(new[k])}" for k in new if old[k] != new[k]]
    echo(f"Updated athlete {athlete_id}: " + ("; ".join(diff) if diff else "no change") + ".")


def _shown(value: object) -> str:
    if value is None or value == ():
        return "-"
    if isinstance(value, tuple):
        return "; ".join(map(str, value))
    return str(value)


@athlete.command("list")
@output_options(["text", "json"])
@store_option
@click.pass_context
def list_(ctx: click.Context, out: Output) -> None:
    """List athletes (none yet on a new machine: an empty list, not an error)."""
    from runload.cli.records import athlete_record
    from runload.report.table import table

    athletes, counts = [], {}
    store = open_store_if_any(ctx)
    if store is not None:
        with store:
            athletes = store.list_athletes()
            counts = {a.id: store.activity_count(a.id) for a in athletes}
    if out.is_json:
        out.json([athlete_record(a, counts[a.id]) for a in athletes])
    elif not athletes:
        out.line("No athletes yet: runload athlete add ID --name NAME")
    else:
        out.line(table(["id", "name", "email", "time zone", "activities"],
                       [[a.id, a.name, a.email, a.timezone, counts[a.id]] for a in athletes]))


@athlete.command("show")
@athlete_argument
@output_options(["text", "json"])
@store_option
@click.pass_context
def show(ctx: click.Context, athlete_id: str, out: Output) -> None:
    """Show one athlete's profile."""
    from runload.cli.records import athlete_profile

    with open_store(ctx) as store:
        d = athlete_profile(store.get_athlete(athlete_id), store.activity_count(athlete_id))
    if out.is_json:
        out.json(d)
        return
    for key, value in d.items():
        if isinstance(value, list):
            value = "; ".join(value) or "-"
        out.line(f"{key.replace('_', ' ')}: {'-' if value is None else value}")


# What `athlete delete` says it removed, in the order it says it.
_DELETED_WORDS = {"activities": ("activity", "activities"), "pain_entries": ("pain entry", "pain entries"),
                  "pain_clearances": ("clearance", "clearances"), "planned_runs": ("planned run", "planned runs"),
                  "shoes": ("shoe", "shoes"), "imports": ("import", "imports"),
                  "imported_files": ("imported file", "imported files"), "seen_files": ("seen path", "seen paths"),
                  "coach_athletes": ("coach link", "coach links"), "sent_log": ("sent-log row", "sent-log rows")}


@athlete.command("delete")
@athlete_argument
@click.option("--yes", is_flag=True, help="Delete without asking (needed without a terminal).")
@store_option
@click.pass_context
def delete(ctx: click.Context, athlete_id: str, yes: bool) -> None:
    """Delete athlete ATHLETE_ID and everything stored about them: activities, pain entries and
    clearances, planned runs, shoes, the record of imports and files, coach links and the
    sent-log of their weekly mails. Asks on a terminal; needs --yes without one."""
    from runload.cli._common import confirm_or_refuse
    from runload.textsafe import inline

    with open_store(ctx) as store:
        a = store.get_athlete(athlete_id)
        n = store.activity_count(athlete_id)
        pain = len(store.pain_entries(athlete_id))
        confirm_or_refuse(f"Delete athlete {athlete_id} ({inline(a.name)}) with {n} activities and {pain} pain "
                          f"entries? This cannot be undone.", yes=yes,
                          refusal=f"not deleting athlete {athlete_id}")
        counts = store.delete_athlete(athlete_id)
    said = ", ".join(f"{counts[k]} {w[counts[k] != 1]}" for k, w in _DELETED_WORDS.items() if counts.get(k))
    echo(f"Deleted athlete {athlete_id} ({inline(a.name)})" + (f": {said}." if said else "."))
