"""runload import"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from runload.cli._common import echo, open_store, store_option


@click.command("import")
@click.option("--athlete", "athlete_id", required=True, help="Whose activities these are.")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="Output format.")
@click.option("--json", "as_json", is_flag=True, help="Same as --format json.")
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="Processes reading files (default: one per core).")
@store_option
@click.pass_context
def import_cmd(ctx: click.Context, athlete_id: str, paths: tuple[Path, ...], fmt: str, as_json: bool,
               workers: int | None) -> None:
    """Import activity files: FIT, GPX, TCX (also .gz), folders, zip archives (zips in zips too)
    and Strava bulk exports (activities.csv gives each file its type, name and gear).

    What a file is comes from its bytes, not its name. Files already imported and unchanged are
    skipped; the same run from two sources is stored once (the richer copy) and listed as a
    duplicate. One broken file never stops the import; the summary lists it with the reason.
    Nothing a person cannot produce is stored: a start in 9019 refuses the file, a heart rate of
    900 is dropped, and 42 km in ten minutes is never counted as running. Exit code 1 when any
    file failed or a folder or archive held no activity file, 0 otherwise.
    """
    from runload.errors import InputError
    from runload.ingest import import_paths

    for p in paths:
        if not p.exists():
            raise InputError("no such file or folder", path=p)
    with open_store(ctx) as store:
        store.get_athlete(athlete_id)
        bar: Any = None

        def progress(done: int, total: int) -> None:
            nonlocal bar
            if bar is None:
                if not total:
                    return
                bar = click.progressbar(length=total, label="Importing", file=sys.stderr)
                bar.__enter__()
            bar.length = max(total, bar.length or 0)  # grows as nested archives are opened
            bar.update(done - bar.pos)

        on_terminal = sys.stderr.isatty() and not as_json  # silent under cron and in pipes
        try:
            summary = import_paths(store, athlete_id, list(paths), progress=progress if on_terminal else None,
                                   workers=workers)
        finally:
            if bar is not None:
                bar.__exit__(None, None, None)
    echo_summary(summary, as_json or fmt == "json")
    if summary.failed:
        ctx.exit(1)


def echo_summary(summary: Any, as_json: bool) -> None:
    """Print an import's summary as ``runload import`` does (text, or JSON with ``as_json``)."""
    if as_json:
        echo(json.dumps(summary.as_json(), indent=2, allow_nan=False))
    else:
        echo(f"Imported {len(summary.imported)} files ({summary.activities} activities); "
             f"{len(summary.duplicates)} duplicates; {summary.skipped} already known; "
             f"{len(summary.failed)} failed.")
        if getattr(summary, "refreshed", 0):
            echo(f"  heart rate read again at 1 bpm for {summary.refreshed} known file"
                 f"{'s' if summary.refreshed != 1 else ''} an older runload kept in 5-bpm bins")
        for line in detail_lines(summary):
            echo(line)


def detail_lines(summary: Any, *, empty_is_failure: bool = True) -> list[str]:
    """The summary's duplicates, warnings and failures, one line each, indented: every name and
    reason shown and never obeyed (a zip member named with a newline cannot print a line of its
    own, "Imported 99 files"). ``empty_is_failure`` False leaves out "no activity files found"."""
    from runload.textsafe import inline

    lines = []
    for d in summary.duplicates:
        extra = f", replacing {inline(d['replaced'])}" if d["replaced"] else ""
        lines.append(f"  duplicate: {inline(d['file'])} (kept {inline(d['kept'])}{extra})")
    for w in summary.warnings:
        lines.append(f"  warning: {inline(w['file'])}: {inline(w['warning'])}")
    empty = set(summary.empty)
    for f in summary.failed:
        if f["file"] in empty:
            if empty_is_failure:
                lines.append(f"  {inline(f['reason'])}")  # "no activity files found in PATH"
        else:
            lines.append(f"  failed: {inline(f['file'])}: {inline(f['reason'])}")
    return lines
