"""runload sync"""

from __future__ import annotations

import click

from runload.cli._common import echo, open_store, store_option
from runload.cli.exit_codes import ExitCode
from runload.cli.options import Output, athletes_option, output_options


@click.command("sync")
@athletes_option("Only these athletes' sources (repeatable).")
@output_options(["text", "json"])
@click.option("--verbose", "-v", is_flag=True, help="A line for every source, also when nothing is new.")
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="Processes reading files (default: one per core).")
@store_option
@click.pass_context
def sync(ctx: click.Context, athlete_ids: tuple[str, ...], out: Output, verbose: bool,
         workers: int | None) -> None:
    """Import every source of every athlete (see `runload source`), as `runload import` does:
    files already known are skipped without being read.

    Quiet for cron: nothing is printed unless something was imported or failed (--verbose
    prints a line per source; --format json a summary). A missing source is an error naming
    it, and the other sources are still synced. Exit code 2 when a source is missing, 1 when
    files failed, 0 otherwise."""
    from runload.cli.importing import detail_lines
    from runload.ingest.sync import IMPORTED, MISSING, REVOKED, STOPPED, sync as run_sync
    from runload.textsafe import inline

    with open_store(ctx) as store:  # an unknown athlete is an error before anything is synced
        result = run_sync(store, athlete_ids or None, workers=workers)
    if out.is_json:
        out.json(result.as_json(), allow_nan=False)
    else:
        if not result.results and verbose:
            out.line("No sources to sync: runload source add --athlete ID PATH")
        for r in result.results:
            where = f"{r.source.athlete_id}: {inline(r.source.path)}"
            if r.status == REVOKED:
                echo(f"Error: {r.source.athlete_id}: Strava refused runload's authorisation; re-authorise: "
                     f"runload source auth strava --athlete {r.source.athlete_id}", err=True)
                continue
            if r.status == STOPPED:
                echo(f"{where}: {r.words()}", err=True)
                continue
            if r.status == MISSING:
                echo(f"Error: {where}: source is missing (no such file or folder); the other sources were synced",
                     err=True)
                continue
            if verbose or r.status == IMPORTED or r.failures:
                out.line(f"{where}: {r.words()}")
                for line in detail_lines(r.summary, empty_is_failure=False):
                    out.line(line)
    ctx.exit(ExitCode(result.exit_code()))
