"""runload roster"""

from __future__ import annotations

import click

from runload.cli._common import open_store, store_option
from runload.cli._period import assessor, today_for, week_option
from runload.cli.report import FORMATS, use_color, write_output


@click.command("roster")
@week_option
@click.option("--athlete", "athlete_ids", multiple=True, help="Only these athletes (repeatable; default: all).")
@click.option("--format", "fmt", type=click.Choice([*FORMATS, "csv"]), default="text", show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), help="Write to this file instead.")
@click.option("--color/--no-color", default=None, help="Colour text output (default: only on a terminal).")
@store_option
@click.pass_context
def roster(ctx: click.Context, week: str | None, athlete_ids: tuple[str, ...], fmt: str, output: str | None,
           color: bool | None) -> None:
    """Every athlete on one line, most at risk first: status, the week's distance and change,
    the top finding, pain trend, and days since the last data (stale data is a warning)."""
    from runload.report.build import resolve_period
    from runload.report.roster import build_roster

    today = today_for("UTC")
    with open_store(ctx) as store:
        judge = assessor(store)
        for a in athlete_ids:
            judge.data(a)  # an unknown athlete is an error now, not in a worker
        period = resolve_period(week=week, today=today, first_weekday=judge.book.first_weekday)
        ro = build_roster(judge, period, today=today, athlete_ids=athlete_ids or None)
    paint = use_color(color, output) and fmt == "text"
    from runload.report import render_roster

    text = render_roster(ro, fmt, color=paint)
    write_output(text, output, paint)
