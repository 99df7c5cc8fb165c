"""runload report"""

from __future__ import annotations

from datetime import date

import click

from runload.cli._common import echo, open_store, store_option
from runload.cli._period import assessor, today_for
from runload.cli.options import Output, athlete_option, color_option, day_range_options, output_options, week_option
from runload.textsafe import inline

FORMATS = ["text", "md", "html", "json"]


@click.command()
@athlete_option()
@week_option
@day_range_options("First day of a period (with --to).", "Last day of a period (with --from).")
@output_options(FORMATS)
@click.option("--charts", "charts_dir", type=click.Path(file_okay=False),
              help="Also write each chart as a PNG file into this folder.")
@color_option
@store_option
@click.pass_context
def report(ctx: click.Context, athlete_id: str, week: str | None, start: date | None, end: date | None, out: Output,
           charts_dir: str | None, color: bool | None) -> None:
    """The athlete's report: status, red flags first, findings with their numbers, next week's
    limits, the period's runs, recent weeks, pain log, shoes; charts in HTML (and as PNG with
    --charts). By default this week so far, judged as of today.

    runload gives training information, not a diagnosis."""
    from runload.report import build_report, render
    from runload.report.build import judged_day, resolve_period

    with open_store(ctx) as store:
        judge = assessor(store)
        athlete = judge.data(athlete_id).athlete
        today = today_for(athlete.timezone)
        period = resolve_period(week=week, start=start, end=end, today=today,
                                first_weekday=judge.book.first_weekday)
        day = judged_day(period, today)
        # read today: a red flag standing now leads a report of any earlier week
        rep = build_report(judge.get(athlete_id, day, read_on=today), period,
                           plan=judge.plan(athlete_id, day, read_on=today))
    paint = out.color(color)
    out.write(render(rep, out.format, color=paint), color=paint)
    if charts_dir:
        from runload.report.charts import write_pngs

        paths = write_pngs(rep, charts_dir)
        echo(f"Wrote {len(paths)} chart{'s' if len(paths) != 1 else ''} to {inline(charts_dir)}", err=True)
