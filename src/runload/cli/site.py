"""runload site"""

from __future__ import annotations

from pathlib import Path

import click

from runload.cli._common import echo, open_store, store_option
from runload.cli._period import assessor, squad_period, today_for
from runload.cli.options import squad_week_option


@click.command("site")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@squad_week_option
@click.option("--coach", "coach_id", help="Only this coach's athletes (default: every athlete).")
@store_option
@click.pass_context
def site(ctx: click.Context, directory: Path, week: str | None, coach_id: str | None) -> None:
    """Write a static site into DIRECTORY: the roster as index.html, most at risk first, each
    athlete's name linking to their report for the week (athletes/ID.html), and back.

    The same pages as `runload roster --format html` and `runload report --format html`:
    self-contained (charts inlined, nothing loaded from any host), readable on a phone. Open
    index.html from disk or serve the folder with any web server. Running it again replaces the
    pages; a page of an athlete no longer on the roster is removed."""
    from runload.cli.suggest import did_you_mean
    from runload.errors import NotFoundError
    from runload.report.site import INDEX, build_site, write_site
    from runload.textsafe import inline

    today = today_for("UTC")  # one day for every athlete, as the roster judges
    with open_store(ctx) as store:
        judge = assessor(store)
        ids = heading = None
        if coach_id is not None:
            coaches = store.coaches()
            coach = next((c for c in coaches if c[0] == coach_id), None)
            if coach is None:
                hint = did_you_mean(coach_id, [c[0] for c in coaches])
                raise NotFoundError(f"unknown coach '{inline(coach_id)}'{hint} (see: runload coach list)")
            ids, heading = coach[3], f"Athletes of {coach[1] or coach[0]}"
        period = squad_period(store, week=week, today=today, first_weekday=judge.book.first_weekday,
                              athlete_ids=ids)
        built = build_site(judge, period, today=today, athlete_ids=ids, heading=heading)
    write_site(built, directory)
    n = built.athletes
    echo(f"Wrote {inline(directory / INDEX)}: the roster of week {period.label} with {n} athlete "
         f"page{'s' if n != 1 else ''} in {inline(directory / 'athletes')}")
