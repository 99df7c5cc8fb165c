"""runload athlete add|list|show"""

from __future__ import annotations

import json

import click

from runload.cli._common import open_store, store_option


@click.group()
def athlete() -> None:
    """Add, list and show athletes."""


@athlete.command("add")
@click.argument("athlete_id")
@click.option("--name", required=True, help="Full name shown in reports.")
@click.option("--email", help="Where weekly summaries go.")
@click.option("--timezone", "tz", default="UTC", show_default=True, help="IANA time zone, e.g. Europe/Stockholm.")
@click.option("--sex", type=click.Choice(["female", "male"]), help="Used by heart-rate load (Banister TRIMP).")
@click.option("--birth-year", type=click.IntRange(1900, 2100))
@click.option("--hr-rest", type=click.IntRange(20, 120), help="Resting heart rate, bpm.")
@click.option("--hr-max", type=click.IntRange(100, 240), help="Maximum heart rate, bpm.")
@click.option("--injury", "injuries", multiple=True, help="A previous injury (repeatable).")
@click.option("--units", type=click.Choice(["km", "mi"]), default="km", show_default=True)
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
        click.echo(f"Added athlete {a.id} ({a.name}) to {store.path}")


@athlete.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@store_option
@click.pass_context
def list_(ctx: click.Context, as_json: bool) -> None:
    """List athletes."""
    from runload.textfmt import table

    with open_store(ctx) as store:
        athletes = store.list_athletes()
        counts = {a.id: store.activity_count(a.id) for a in athletes}
    if as_json:
        click.echo(json.dumps([{"id": a.id, "name": a.name, "email": a.email, "activities": counts[a.id]}
                               for a in athletes], indent=2))
        return
    if not athletes:
        click.echo("No athletes yet: runload athlete add ID --name NAME")
        return
    click.echo(table(["id", "name", "email", "time zone", "activities"],
                     [[a.id, a.name, a.email, a.timezone, counts[a.id]] for a in athletes]))


@athlete.command("show")
@click.argument("athlete_id")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@store_option
@click.pass_context
def show(ctx: click.Context, athlete_id: str, as_json: bool) -> None:
    """Show one athlete's profile."""
    from dataclasses import asdict

    with open_store(ctx) as store:
        a = store.get_athlete(athlete_id)
        n = store.activity_count(athlete_id)
    d = asdict(a)
    d["previous_injuries"] = list(a.previous_injuries)
    d["activities"] = n
    if as_json:
        click.echo(json.dumps(d, indent=2))
        return
    for key, value in d.items():
        if isinstance(value, list):
            value = "; ".join(value) or "-"
        click.echo(f"{key.replace('_', ' ')}: {'-' if value is None else value}")
