"""runload weeks"""

from __future__ import annotations

import click

from runload.cli._common import open_store, store_option
from runload.cli._period import assessor, today_for
from runload.cli.options import Output, athlete_option, output_options


@click.command()
@athlete_option("Whose weeks to print.")
@output_options(["text", "csv", "json"])
@store_option
@click.pass_context
def weeks(ctx: click.Context, athlete_id: str, out: Output) -> None:
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
    out.write(format_weeks(a.weekly, "table" if out.format == "text" else out.format, athlete.units, athlete.sex,
                           a.frames.coarse_hr_runs))
