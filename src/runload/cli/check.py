"""runload check"""

from __future__ import annotations

from datetime import date

import click

from runload.cli._common import open_store, store_option
from runload.cli._period import assessor, today_for
from runload.cli.exit_codes import ExitCode
from runload.cli.options import Output, as_of_option, athlete_option, output_options, week_option
from runload.models import Severity


@click.command()
@athlete_option("Whose history to check.")
@week_option
@as_of_option("Judge as on this day (instead of --week).")
@click.option("--all", "show_all", is_flag=True, help="Every finding of the history, not only the current ones.")
@output_options(["text", "json"])
@click.option("--fail-on", type=click.Choice([s.value for s in Severity]),
              help="Exit 1 when a finding shown reaches this severity.")
@store_option
@click.pass_context
def check(ctx: click.Context, athlete_id: str, week: str | None, as_of: date | None, show_all: bool, out: Output,
          fail_on: str | None) -> None:
    """What the risk rules find now: red flags first, then the current findings, most severe
    first, and next week's limits. --week judges a week as on its last day; --all lists every
    finding of the history.

    Exit codes: 0 fine, 1 a finding at or above --fail-on, 2 bad input.
    """
    from runload.errors import InputError
    from runload.report.build import heart_rate_notes, judged_day, resolve_period
    from runload.report.findings import findings_json, findings_text, limits_text

    if week and as_of:
        raise InputError("give either --week or --as-of, not both")
    with open_store(ctx) as store:
        judge = assessor(store)
        athlete = judge.data(athlete_id).athlete
        today = today_for(athlete.timezone)
        day = as_of
        if day is None:
            day = judged_day(resolve_period(week=week, today=today, first_weekday=judge.book.first_weekday), today)
        # a week read today carries every red flag standing today (as the report does); --as-of
        # asks what runload said on that day
        a = judge.get(athlete_id, day, read_on=None if as_of else today)
    findings = list(a.findings if show_all else a.current)
    if out.is_json:
        out.write(findings_json(findings))
    elif not a.activities and not a.pain_entries:
        out.line(f"No data for {athlete_id} up to {day.isoformat()}: nothing to check. "
                 f"Import activities first: runload import --athlete {athlete_id} PATH")
    else:
        out.line(f"Status: {a.status.label} - {a.status.summary}\n")
        empty = "Nothing in the history is flagged." if show_all else "Nothing current is flagged."
        out.write(findings_text(findings, athlete.units, empty=empty))
        if not show_all and len(a.findings) > len(findings):
            n = len(a.findings) - len(findings)
            out.line(f"\n{n} earlier finding{'s' if n != 1 else ''}: runload check --athlete {athlete_id} --all")
        out.write(limits_text(a))
        for note in heart_rate_notes(a, findings):  # which TRIMP formula, where TRIMP is quoted
            out.line(f"\n{note}")
    if fail_on and any(f.severity.rank >= Severity(fail_on).rank for f in findings):
        ctx.exit(ExitCode.FINDINGS)
