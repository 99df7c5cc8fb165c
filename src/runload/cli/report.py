"""runload report"""

from __future__ import annotations

import click

from runload.cli._common import open_store, parse_week, store_option


@click.command()
@click.option("--athlete", "athlete_id", required=True)
@click.option("--week", help="ISO week, e.g. 2026-W33 (default: the latest week with data).")
@store_option
@click.pass_context
def report(ctx: click.Context, athlete_id: str, week: str | None) -> None:
    """Print the athlete's weekly report."""
    from runload.report import build_report
    from runload.report.text import render_text

    week_start = parse_week(week)
    with open_store(ctx) as store:
        rep = build_report(store, athlete_id, week=week_start)
    click.echo(render_text(rep), nl=False)
