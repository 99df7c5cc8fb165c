"""runload check"""

from __future__ import annotations

import click

from runload.cli._common import echo, open_store, parse_week, store_option


@click.command()
@click.option("--athlete", "athlete_id", required=True)
@click.option("--week", help="Only findings of this ISO week, e.g. 2026-W33 (default: every week).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--fail-on", type=click.Choice(["info", "caution", "warning", "urgent", "emergency"]),
              help="Exit 1 when a finding reaches this severity.")
@store_option
@click.pass_context
def check(ctx: click.Context, athlete_id: str, week: str | None, fmt: str, fail_on: str | None) -> None:
    """Check the athlete's training against the risk rules; most severe findings first.

    Text output ends with next week's caps. Exit codes: 0 fine, 1 a finding at or above
    --fail-on, 2 bad input.
    """
    from runload.analysis import analyze
    from runload.findings_output import caps_text, findings_json, findings_text
    from runload.load import week_start_of
    from runload.models import Severity

    week_start = parse_week(week)
    with open_store(ctx) as store:
        analysis = analyze(store, athlete_id)
    findings = analysis.findings
    if week_start:
        ws = analysis.extras.get("week_start", 0)
        findings = [f for f in findings
                    if (f.week_start or (week_start_of(f.date, ws) if f.date else None)) == week_start]
    if fmt == "json":
        echo(findings_json(findings), nl=False)
    else:
        echo(findings_text(findings), nl=False)
        echo(caps_text(analysis.caps, analysis.athlete.units), nl=False)
    if fail_on and any(f.severity.rank >= Severity(fail_on).rank for f in findings):
        ctx.exit(1)
