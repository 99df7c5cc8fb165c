"""runload source add|list|remove"""

from __future__ import annotations

import json

import click

from runload.cli._common import echo, open_store, store_option
from runload.cli._period import chosen_format, format_option


@click.group()
def source() -> None:
    """Folders a watch or an app syncs to (or where exports land), imported by `runload sync`."""


@source.command("add")
@click.option("--athlete", "athlete_id", required=True, help="Whose activities land there.")
@click.argument("path", type=click.Path(path_type=str))
@store_option
@click.pass_context
def add(ctx: click.Context, athlete_id: str, path: str) -> None:
    """Add a folder (or an archive that is replaced as it is re-exported) for `runload sync`
    to import for the athlete. It must exist now; a folder that goes missing later is reported
    by `sync`, which still syncs the other sources."""
    from pathlib import Path

    from runload.errors import InputError
    from runload.ingest.sync import source_path
    from runload.textsafe import inline

    stored = source_path(path)
    if not Path(stored).exists():
        raise InputError("no such file or folder", path=stored)
    with open_store(ctx) as store:
        src = store.add_source(athlete_id, stored)
    echo(f"Source {src.id} of {athlete_id}: {inline(src.path)} (import it now: runload sync --athlete {athlete_id})")


@source.command("list")
@click.option("--athlete", "athlete_id", help="Only this athlete's sources.")
@format_option(["table", "json"], "table")
@store_option
@click.pass_context
def list_(ctx: click.Context, athlete_id: str | None, fmt: str, as_json: bool) -> None:
    """List sources with when each was last synced and what that sync did."""
    from runload.report.table import table
    from runload.textsafe import inline

    with open_store(ctx) as store:
        rows = store.sources(athlete_id)
    if chosen_format(fmt, as_json) == "json":
        echo(json.dumps([{"id": s.id, "athlete": s.athlete_id, "path": s.path, "added_utc": s.added_utc,
                          "last_sync_utc": s.last_sync_utc, "last_result": s.last_result} for s in rows], indent=2))
    elif not rows:
        echo("No sources yet: runload source add --athlete ID PATH")
    else:
        echo(table(["id", "athlete", "path", "last sync (UTC)", "last result"],
                   [[str(s.id), s.athlete_id, inline(s.path), (s.last_sync_utc or "never")[:16].replace("T", " "),
                     inline(s.last_result or "-")] for s in rows]))


@source.command("remove")
@click.option("--athlete", "athlete_id", required=True, help="Whose source it is.")
@click.argument("path", type=click.Path(path_type=str))
@store_option
@click.pass_context
def remove(ctx: click.Context, athlete_id: str, path: str) -> None:
    """Stop syncing a path for the athlete. What it imported stays in the store."""
    from runload.ingest.sync import source_path
    from runload.textsafe import inline

    with open_store(ctx) as store:
        src = store.remove_source(athlete_id, source_path(path))
    echo(f"Removed source {src.id} of {athlete_id}: {inline(src.path)} (its activities stay)")
