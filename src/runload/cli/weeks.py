"""runload weeks"""

from __future__ import annotations

import click

from runload.cli._common import open_store, store_option
from runload.cli._period import assessor, chosen_format, format_option, today_for


@click.command()
@click.option("--athlete", "athlete_id", required=True)
@format_option(["table", "csv", "json"], "table")
@store_option
@click.pass_context
def weeks(ctx: click.Context, athlete_id: str, fmt: str, as_json: bool) -> None:
    """Print the athlete's weekly running series (weeks start on Monday unless the config's
    week_start says otherwise). Change is not judged when the week before ran under 10 km.

    The table is in the athlete's units (runload athlete edit ID --units mi); CSV and JSON always
    carry the kilometre columns and, for an athlete who reads miles, distance_mi and longest_run_mi.
    With the profile's resting and maximum heart rate, each week's Banister TRIMP too (trimp; the
    table says which formula, which depends on the profile's sex)."""
    from runload.report.weeks import format_weeks

    with open_store(ctx) as store:
        judge = assessor(store)
        athlete = judge.data(athlete_id).athlete
        a = judge.get(athlete_id, today_for(athlete.timezone))
    click.echo(format_weeks(a.weekly, chosen_format(fmt, as_json), athlete.units, athlete.sex,
                            a.frames.coarse_hr_runs), nl=False)
