"""runload weeks"""

from __future__ import annotations

import click

from runload.cli._common import open_store, store_option


@click.command()
@click.option("--athlete", "athlete_id", required=True)
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@store_option
@click.pass_context
def weeks(ctx: click.Context, athlete_id: str, fmt: str) -> None:
    """Print the athlete's weekly running series (weeks start on Monday)."""
    from runload.load import weekly_running
    from runload.weekly_output import format_weeks

    with open_store(ctx) as store:
        store.get_athlete(athlete_id)
        weekly = weekly_running(store.activities(athlete_id))
    click.echo(format_weeks(weekly, fmt), nl=False)
