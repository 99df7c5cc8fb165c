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
    """Print the athlete's weekly running series (weeks start on Monday unless the config's
    week_start says otherwise). Change is not judged when the week before ran under 10 km.

    The table is in the athlete's units (runload athlete edit ID --units mi); CSV and JSON always
    carry the kilometre columns and, for an athlete who reads miles, distance_mi and longest_run_mi."""
    from runload.config import load_config
    from runload.load import weekly_running
    from runload.load_metrics import silences
    from runload.rules import week_start_setting
    from runload.weekly_output import format_weeks

    week_start = week_start_setting(load_config())
    with open_store(ctx) as store:
        athlete = store.get_athlete(athlete_id)
        activities = store.activities(athlete_id)
    weekly = weekly_running(activities, week_start=week_start)
    click.echo(format_weeks(weekly, fmt, athlete.units, silences(activities)), nl=False)
