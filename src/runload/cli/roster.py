"""runload roster"""

from __future__ import annotations

import click

from runload.cli._common import open_store, store_option
from runload.cli._period import assessor, squad_period, today_for
from runload.cli.options import Output, athletes_option, color_option, output_options, squad_week_option
from runload.cli.report import FORMATS


@click.command("roster")
@squad_week_option
@athletes_option()
@output_options([*FORMATS, "csv"])
@color_option
@store_option
@click.pass_context
def roster(ctx: click.Context, week: str | None, athlete_ids: tuple[str, ...], out: Output,
           color: bool | None) -> None:
    """Every athlete on one line, most at risk first: status, the week's distance and change,
    the top finding, pain trend, and days since the last data (stale data is a warning)."""
    from runload.report import render_roster
    from runload.report.roster import build_roster

    today = today_for("UTC")
    with open_store(ctx) as store:  # an unknown athlete is an error now, not in a worker
        judge = assessor(store)
        period = squad_period(store, week=week, today=today, first_weekday=judge.book.first_weekday,
                              athlete_ids=athlete_ids or None)
        ro = build_roster(judge, period, today=today, athlete_ids=athlete_ids or None)
    paint = out.color(color)
    out.write(render_roster(ro, out.format, color=paint), color=paint)
