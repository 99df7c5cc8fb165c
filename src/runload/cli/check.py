"""runload check"""

from __future__ import annotations

import json

import click

from runload.cli._common import open_store, parse_week, store_option


@click.command()
@click.option("--athlete", "athlete_id", required=True)
@click.option("--week", help="Only this ISO week, e.g. 2026-W33 (default: every week).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--fail-on", type=click.Choice(["info", "caution", "warning", "urgent", "emergency"]),
              help="Exit 1 when a finding reaches this severity.")
@store_option
@click.pass_context
def check(ctx: click.Context, athlete_id: str, week: str | None, fmt: str, fail_on: str | None) -> None:
    """Check the athlete's training against the risk rules; most severe findings first."""
    from runload.findings_output import findings_json, findings_text
    from runload.load import weekly_running
    from runload.models import Severity
    from runload.rules import weekly_progression

    week_start = parse_week(week)
    with open_store(ctx) as store:
        store.get_athlete(athlete_id)
        weekly = weekly_running(store.activities(athlete_id))
    findings = weekly_progression(weekly)
    if week_start:
        findings = [f for f in findings if f.week_start == week_start]
    findings.sort(key=lambda f: (-f.severity.rank, f.week_start or f.date))
    click.echo(findings_json(findings) if fmt == "json" else findings_text(findings), nl=False)
    if fail_on and any(f.severity.rank >= Severity(fail_on).rank for f in findings):
        ctx.exit(1)
