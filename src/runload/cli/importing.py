"""runload import"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from runload.cli._common import open_store, store_option


@click.command("import")
@click.option("--athlete", "athlete_id", required=True, help="Whose activities these are.")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@store_option
@click.pass_context
def import_cmd(ctx: click.Context, athlete_id: str, paths: tuple[Path, ...], as_json: bool) -> None:
    """Import activity files: FIT, GPX, TCX (also .gz), folders and zip archives.

    One broken file never stops the import; the summary lists it with the reason. Exit code 1
    when any file failed, 0 otherwise.
    """
    from runload.errors import InputError
    from runload.ingest import import_paths

    for p in paths:
        if not p.exists():
            raise InputError("no such file or folder", path=p)
    with open_store(ctx) as store:
        store.get_athlete(athlete_id)
        progress = None
        if sys.stderr.isatty() and not as_json:
            def progress(n: int, name: str) -> None:
                click.echo(f"\r{n} files read", nl=False, err=True)
        summary = import_paths(store, athlete_id, list(paths), progress=progress)
        if progress:
            click.echo("", err=True)
    if as_json:
        click.echo(json.dumps(summary.as_json(), indent=2))
    else:
        click.echo(f"Imported {len(summary.imported)} files ({summary.activities} activities); "
                   f"{len(summary.duplicates)} duplicates; {len(summary.skipped)} already known; "
                   f"{len(summary.failed)} failed.")
        for d in summary.duplicates:
            click.echo(f"  duplicate: {d['file']} (kept {d['kept']})")
        for w in summary.warnings:
            click.echo(f"  warning: {w['file']}: {w['warning']}")
        for f in summary.failed:
            click.echo(f"  failed: {f['file']}: {f['reason']}")
    if summary.failed:
        ctx.exit(1)
