"""runload shoe add|list|retire|set-default"""

from __future__ import annotations

from datetime import date

import click

from runload.cli._common import echo, open_store, store_option
from runload.cli.options import Output, athlete_option, date_option, output_options
from runload.cli.suggest import SuggestingGroup


@click.group(cls=SuggestingGroup)
def shoe() -> None:
    """An athlete's shoes: kilometres per pair, a default for new runs, a retirement distance."""


@shoe.command("add")
@athlete_option("Whose shoe it is.")
@click.argument("name")
@click.option("--retire-km", type=float, help="The distance to retire it at (the shoe reminder's threshold).")
@click.option("--start-km", type=float, default=0.0, show_default=True,
              help="Kilometres it had run before runload.")
@click.option("--default", "is_default", is_flag=True, help="New runs whose file names no shoe get this one.")
@store_option
@click.pass_context
def add(ctx: click.Context, athlete_id: str, name: str, retire_km: float | None, start_km: float,
        is_default: bool) -> None:
    """Add shoe NAME (the name runs carry as their gear: the one Strava's CSV or the watch gives,
    to count those runs too)."""
    from runload.shoes import new_shoe
    from runload.textsafe import inline

    shoe_ = new_shoe(name, start_km=start_km, retire_km=retire_km, default=is_default)
    name, start, retire = shoe_.name, shoe_.start_km, shoe_.retire_km
    with open_store(ctx) as store:
        store.add_shoe(athlete_id, shoe_)
    extra = [f"{start:g} km before runload"] if start else []
    if retire is not None:
        extra.append(f"retire at {retire:g} km")
    if is_default:
        extra.append("the default for new runs")
    echo(f"Added shoe {inline(name)} for {athlete_id}" + (f" ({', '.join(extra)})" if extra else "") + ".")


@shoe.command("list")
@athlete_option("Whose shoes to list.")
@output_options(["text", "json"])
@store_option
@click.pass_context
def list_cmd(ctx: click.Context, athlete_id: str, out: Output) -> None:
    """Every shoe of the athlete (registered, or named by runs as their gear) with its running
    distance so far (with what it had before runload), runs, and what is left to its retirement
    distance."""
    from runload.cli.records import shoe_record
    from runload.report.table import table
    from runload.shoes import shoe_totals, state_words
    from runload.textsafe import inline
    from runload.units import from_km, label

    with open_store(ctx) as store:
        units = store.get_athlete(athlete_id).units
        totals = shoe_totals(store.activities(athlete_id), store.shoes(athlete_id))
    if out.is_json:
        out.json([shoe_record(t) for t in totals])
        return
    if not totals:
        out.line(f"No shoes for '{athlete_id}' yet (runload shoe add --athlete {athlete_id} NAME --default).")
        return
    u = label(units)

    def km(x: float | None) -> str:
        return "-" if x is None else f"{from_km(x, units):,.0f}"

    rows = []
    for t in totals:
        state = state_words(t)
        rows.append([inline(t.name), km(t.distance_km), t.runs, km(t.retire_km), km(t.left_km),
                     t.last_used.isoformat() if t.last_used else "-", state])
    out.line(table(["shoe", u, "runs", "retire at", "left", "last used", ""], rows, align="lrrrrll"))


@shoe.command("retire")
@athlete_option("Whose shoe it is.")
@click.argument("name")
@date_option("The day it was put away (default: today).")
@store_option
@click.pass_context
def retire(ctx: click.Context, athlete_id: str, name: str, day: date | None) -> None:
    """Retire shoe NAME: no more reminders for it; it is no longer the default."""
    from runload.cli._period import today_for
    from runload.textsafe import inline

    with open_store(ctx) as store:
        tz = store.get_athlete(athlete_id).timezone
        day = day or today_for(tz)
        store.retire_shoe(athlete_id, name, day)
    echo(f"Retired shoe {inline(name)} of {athlete_id} on {day.isoformat()}.")


@shoe.command("set-default")
@athlete_option("Whose shoe it is.")
@click.argument("name")
@store_option
@click.pass_context
def set_default(ctx: click.Context, athlete_id: str, name: str) -> None:
    """Make NAME the shoe new runs get when their file names none (runs already stored keep
    theirs: `runload activity set ID --shoe NAME` changes one)."""
    from runload.textsafe import inline

    with open_store(ctx) as store:
        store.set_default_shoe(athlete_id, name)
    echo(f"New runs of {athlete_id} get shoe {inline(name)}.")
