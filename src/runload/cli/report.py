"""runload report"""

from __future__ import annotations

import os
import sys

import click

from runload.cli._common import echo, open_store, store_option
from runload.cli._period import assessor, parse_day, today_for, week_option
from runload.textsafe import inline

FORMATS = ["text", "md", "html", "json"]


def use_color(flag: bool | None, output: str | None) -> bool:
    """Colour only for text going to a terminal, unless asked; NO_COLOR (no-color.org) wins."""
    if flag is not None:
        return flag
    return output is None and "NO_COLOR" not in os.environ and sys.stdout.isatty()


def write_output(text: str, output: str | None, color: bool) -> None:
    """Write ``text`` to the ``--output`` file (UTF-8), or to standard output."""
    if output:
        from runload.outfile import write_file

        write_file(output, text)
        echo(f"Wrote {inline(output)}", err=True)
    else:
        echo(text, nl=False, color=color)


@click.command()
@click.option("--athlete", "athlete_id", required=True, help="The athlete's id.")
@week_option
@click.option("--from", "start", help="First day of a period, YYYY-MM-DD (with --to).")
@click.option("--to", "end", help="Last day of a period, YYYY-MM-DD (with --from).")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), help="Write to this file instead.")
@click.option("--charts", "charts_dir", type=click.Path(file_okay=False),
              help="Also write each chart as a PNG file into this folder.")
@click.option("--color/--no-color", default=None, help="Colour text output (default: only on a terminal).")
@store_option
@click.pass_context
def report(ctx: click.Context, athlete_id: str, week: str | None, start: str | None, end: str | None, fmt: str,
           output: str | None, charts_dir: str | None, color: bool | None) -> None:
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
        period = resolve_period(week=week, start=parse_day("--from", start), end=parse_day("--to", end), today=today,
                                first_weekday=judge.book.first_weekday)
        day = judged_day(period, today)
        # read today: a red flag standing now leads a report of any earlier week
        rep = build_report(judge.get(athlete_id, day, read_on=today), period,
                           plan=judge.plan(athlete_id, day, read_on=today))
    write_output(render(rep, fmt, color=use_color(color, output) and fmt == "text"), output,
                 use_color(color, output))
    if charts_dir:
        from runload.report.charts import write_pngs

        paths = write_pngs(rep, charts_dir)
        echo(f"Wrote {len(paths)} chart{'s' if len(paths) != 1 else ''} to {inline(charts_dir)}", err=True)


