"""runload export: an athlete's record as CSV and JSON files, for a physiotherapist or another tool."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import click

from runload.cli._common import echo, open_store, store_option
from runload.cli.options import athlete_option
from runload.cli.records import activity_record, pain_entry_record

# The findings CSV: the finding_record keys a person reads in a spreadsheet, one row per finding
# (its supporting findings are in findings.json).
FINDING_COLUMNS = ("rule_id", "severity", "title", "week_start", "date", "until", "value", "threshold", "unit",
                   "current", "message", "advice", "evidence_level")


def _csv(rows: Any) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    return buf.getvalue()


def export_files(store: Any, athlete_id: str, today: Any) -> tuple[dict[str, str], dict[str, int]]:
    """({file name: content}, {what: how many}) of an athlete's export: activities, weeks,
    findings (every finding of the history, judged today) and pain entries, each as CSV and JSON."""
    from runload.ingest.runcsv import to_csv as activities_csv
    from runload.pain.entries import to_csv as pain_csv
    from runload.report.findings import finding_record
    from runload.report.weeks import format_weeks
    from runload.session import Assessor
    from runload.textsafe import csv_row

    judge = Assessor(store)
    data = judge.data(athlete_id)
    a = judge.get(athlete_id, today)
    units = data.athlete.units
    findings = [finding_record(f) for f in a.findings]
    pain = [pain_entry_record(e) for e in data.pain_entries]
    counts = {"activities": len(data.activities), "weeks": len(a.weekly), "findings": len(findings),
              "pain entries": len(pain)}
    return {
        "activities.csv": activities_csv(data.activities),
        "activities.json": json.dumps([activity_record(x) for x in data.activities], indent=2) + "\n",
        "weeks.csv": format_weeks(a.weekly, "csv", units),
        "weeks.json": format_weeks(a.weekly, "json", units),
        "findings.csv": _csv([list(FINDING_COLUMNS)] + [csv_row(
            ["yes" if f[c] is True else "no" if f[c] is False else "" if f[c] is None else f[c]
             for c in FINDING_COLUMNS]) for f in findings]),
        "findings.json": json.dumps(findings, indent=2) + "\n",
        "pain.csv": pain_csv(data.pain_entries),
        "pain.json": json.dumps(pain, indent=2) + "\n",
    }, counts


@click.command("export")
@athlete_option("Whose record to export.")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@store_option
@click.pass_context
def export(ctx: click.Context, athlete_id: str, folder: Path) -> None:
    """Write the athlete's activities, weekly running, findings and pain log into FOLDER, each as
    CSV (safe to open in a spreadsheet) and JSON. activities.csv imports again (runload import
    --athlete ID FOLDER/activities.csv) and pain.csv with runload pain import."""
    from runload.cli._period import today_for
    from runload.textsafe import inline

    with open_store(ctx) as store:
        athlete = store.get_athlete(athlete_id)
        files, counts = export_files(store, athlete_id, today_for(athlete.timezone))
    from runload.outfile import private_folder, write_file

    private_folder(folder)
    for name, text in files.items():
        write_file(folder / name, text)
    said = ", ".join(f"{n} {what}" for what, n in counts.items())
    echo(f"Exported {athlete_id} to {inline(folder)}: {said} ({', '.join(files)}).")
