"""runload import"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from runload.cli._common import echo, open_store, store_option
from runload.cli.exit_codes import ExitCode
from runload.cli.options import Output, athlete_option, output_options


class ImportCommand(click.Command):
    """``runload import --athlete ID PATH...``, and its record: ``runload import list`` and
    ``runload import undo`` (a path named ``list`` or ``undo`` is given as ``./list``)."""

    subcommands: dict[str, click.Command] = {}

    def make_context(self, info_name: str | None, args: list[str], parent: click.Context | None = None,
                     **extra: Any) -> click.Context:
        if args and args[0] in self.subcommands:
            sub = self.subcommands[args[0]]
            return sub.make_context(f"{info_name} {args[0]}", list(args[1:]), parent=parent, **extra)
        return super().make_context(info_name, args, parent=parent, **extra)

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with formatter.section("The record of imports"):
            formatter.write_dl([("runload import list --athlete ID", "every import, with its id and counts"),
                                ("runload import undo IMPORT_ID", "take out what that import added")])


@click.command("import", cls=ImportCommand)
@athlete_option("Whose activities these are.")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@output_options(["text", "json"])
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="Processes reading files (default: one per core).")
@store_option
@click.pass_context
def import_cmd(ctx: click.Context, athlete_id: str, paths: tuple[Path, ...], out: Output,
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
    from runload.ingest import ImportStopped, import_paths

    for p in paths:
        if not p.exists():
            raise InputError("no such file or folder", path=p)
    with open_store(ctx) as store:
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

        on_terminal = sys.stderr.isatty() and not out.is_json  # silent under cron and in pipes
        try:
            summary = import_paths(store, athlete_id, list(paths), progress=progress if on_terminal else None,
                                   workers=workers)
        except ImportStopped as stopped:  # the store could not save (a full disk): what it did, then why
            stopped_out = Output(out.format)  # on standard output, even with --output: the file is not written
            echo_summary(stopped.summary, stopped_out)
            raise
        finally:
            if bar is not None:
                bar.__exit__(None, None, None)
    echo_summary(summary, out)
    if summary.failed:
        ctx.exit(ExitCode.FAILED)


def echo_summary(summary: Any, out: Output) -> None:
    """Print an import's summary as ``runload import`` does (text, or JSON)."""
    if out.is_json:
        out.json(summary.as_json(), allow_nan=False)
    else:
        out.line(f"Imported {len(summary.imported)} files ({summary.activities} activities); "
                 f"{len(summary.duplicates)} duplicates; {summary.skipped} already known; "
                 f"{len(summary.failed)} failed.")
        if getattr(summary, "refreshed", 0):
            out.line(f"  heart rate read again at 1 bpm for {summary.refreshed} known file"
                     f"{'s' if summary.refreshed != 1 else ''} an older runload kept in 5-bpm bins")
        for line in detail_lines(summary):
            out.line(line)


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


def _when(utc: str | None) -> str:
    """A stored UTC time as a person reads it: ``2026-10-18 07:12 UTC``."""
    from datetime import datetime

    if not utc:
        return "-"
    return datetime.fromisoformat(utc).strftime("%Y-%m-%d %H:%M UTC")


@click.command("list")
@athlete_option("Whose imports to list.")
@output_options(["text", "json"])
@store_option
@click.pass_context
def import_list(ctx: click.Context, athlete_id: str, out: Output) -> None:
    """Every import of the athlete, oldest first: its id, when, the paths named, and what it did
    (files imported, activities stored, duplicates, files already known, failures)."""
    from runload.cli.records import import_record
    from runload.report.table import table
    from runload.textsafe import inline

    with open_store(ctx) as store:
        records = store.imports(athlete_id)
    if out.is_json:
        out.json([import_record(r) for r in records])
        return
    if not records:
        out.line(f"No imports for '{athlete_id}' yet (runload import --athlete {athlete_id} PATH).")
        return
    rows = []
    for r in records:
        state = f"undone {_when(r.undone_utc)}" if r.undone_utc else (
            f"{r.stored_now} stored" + (f", {r.corrected_now} corrected" if r.corrected_now else "")
            if r.finished_utc else f"interrupted, {r.stored_now} stored")
        rows.append([r.id, _when(r.started_utc), r.files, r.activities, r.duplicates, r.skipped, r.failed, state,
                     inline(" ".join(r.paths))])
    out.line(table(["id", "started", "files", "activities", "duplicates", "known", "failed", "now", "paths"], rows))


@click.command("undo")
@click.argument("import_id", type=int)
@click.option("--yes", is_flag=True, help="Undo even when activities of it were corrected since (needed "
                                          "without a terminal).")
@store_option
@click.pass_context
def import_undo(ctx: click.Context, import_id: int, yes: bool) -> None:
    """Take out exactly what import IMPORT_ID added (see `runload import list`) and put back the
    copies it replaced as duplicates; its files are read again by a later import. A folder
    imported into the wrong athlete: undo, then import it into the right one."""
    from runload.cli._common import confirm_or_refuse

    with open_store(ctx) as store:
        rec = store.get_import(import_id)
        if rec.corrected_now and not rec.undone_utc:
            n = rec.corrected_now
            what = f"{n} {'activity' if n == 1 else 'activities'} of import {import_id} {'was' if n == 1 else 'were'}"
            confirm_or_refuse(f"{what} corrected since (runload activity show ID): undo it all the same?",
                              yes=yes, refusal=f"not undoing import {import_id}: {what} corrected since")
        done = store.undo_import(import_id)
    back = f"; put back {done.restored} replaced {'copy' if done.restored == 1 else 'copies'}" if done.restored else ""
    echo(f"Undid import {done.import_id} of {done.athlete_id}: removed {done.removed} "
         f"{'activity' if done.removed == 1 else 'activities'}{back}; {done.files} "
         f"{'file' if done.files == 1 else 'files'} will be read again by the next import.")


ImportCommand.subcommands = {"list": import_list, "undo": import_undo}
