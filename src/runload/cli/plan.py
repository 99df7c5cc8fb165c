"""runload plan: check a planned week before it is run; keep a plan with the athlete."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import click

from runload.cli._common import echo, open_store, store_option
from runload.cli._period import assessor, today_for
from runload.cli.exit_codes import ExitCode
from runload.cli.options import Output, as_of_option, athlete_option, day_range_options, output_options
from runload.cli.suggest import SuggestingGroup

PLAN_HELP = ("A CSV with a header: date,distance_km[,duration_min,kind,rpe,notes]; kind is one of easy, long, "
             "tempo, intervals, race, rest.")
# (help given to click as text: a docstring is a plain literal, and one built with + is none)
CHECK_HELP = f"""Check PLAN_FILE (or --run options, or the stored plan) against the same rules and limits
    as the athlete's history: what would fire on each planned day and why, with the numbers,
    and a proposed plan on the same days that keeps every limit.

    PLAN_FILE: {PLAN_HELP}

    Exit codes: 0 the plan keeps every limit, 1 it breaks one (or a red flag stands), 2 bad input.
    """
SET_HELP = f"""Keep a plan with the athlete: its sessions replace the stored ones on the days from its
    first to its last day. The report, the weekly email and the roster check it.

    PLAN_FILE: {PLAN_HELP}
    """


def _planned(plan_file: str | None, runs: Sequence[str]) -> list[Any]:
    from runload.plan import parse_run_option, read_plan_csv
    from runload.plan.model import sort_plan

    out = list(read_plan_csv(plan_file)) if plan_file else []
    out += [parse_run_option(r) for r in runs]
    return sort_plan(out)


@click.group(cls=SuggestingGroup)
def plan() -> None:
    """Check a planned week against the rules before it is run (plan check), and keep a plan
    with the athlete (plan set/show/clear) for the report, the email and the roster."""


@plan.command("check", help=CHECK_HELP)
@athlete_option("Whose plan it is.")
@click.argument("plan_file", required=False, type=click.Path(dir_okay=False))
@click.option("--run", "runs", multiple=True, metavar="YYYY-MM-DD:KM[:kind]",
              help="A planned run (repeat the option); with or instead of PLAN_FILE.")
@as_of_option("The day the plan is made (default today); history after it is ignored.")
@output_options(["text", "md", "html", "json"])
@click.option("--proposed", "proposed_csv", type=click.Path(dir_okay=False, writable=True),
              help="Write the proposed plan (every limit kept) to this CSV file.")
@store_option
@click.pass_context
def check_cmd(ctx: click.Context, athlete_id: str, plan_file: str | None, runs: tuple[str, ...], as_of: date | None,
              out: Output, proposed_csv: str | None) -> None:
    """``runload plan check`` (its help: CHECK_HELP)."""
    from runload.errors import InputError
    from runload.plan import check_plan, plan_csv
    from runload.report.html import render_plan_html
    from runload.report.markdown import render_plan_markdown
    from runload.report.plan import render_plan_json, render_plan_text

    with open_store(ctx) as store:
        judge = assessor(store)
        data = judge.data(athlete_id)
        day = as_of or today_for(data.athlete.timezone)
        planned = _planned(plan_file, runs)
        if not planned:
            planned = [p for p in data.planned if p.date > day]
            if not planned:
                raise InputError(f"no plan to check: give a PLAN file or --run options, or store one first "
                                 f"(runload plan set --athlete {athlete_id} PLAN)")
        result = check_plan(data, judge.book, planned, day, baseline=judge.get(athlete_id, day))
    units = data.athlete.units
    render = {"text": render_plan_text, "md": render_plan_markdown, "html": render_plan_html,
              "json": render_plan_json}[out.format]
    out.write(render(result, units))
    if proposed_csv:
        from runload.outfile import write_file

        write_file(proposed_csv, plan_csv(result.proposed))
        echo(f"Proposed plan written to {proposed_csv}", err=True)
    if not result.keeps_limits:
        ctx.exit(ExitCode.FINDINGS)


@plan.command("set", help=SET_HELP)
@athlete_option("Whose plan it is.")
@click.argument("plan_file", required=False, type=click.Path(dir_okay=False))
@click.option("--run", "runs", multiple=True, metavar="YYYY-MM-DD:KM[:kind]", help="A planned run (repeatable).")
@store_option
@click.pass_context
def set_cmd(ctx: click.Context, athlete_id: str, plan_file: str | None, runs: tuple[str, ...]) -> None:
    """``runload plan set`` (its help: SET_HELP)."""
    from runload.errors import InputError

    planned = _planned(plan_file, runs)
    if not planned:
        raise InputError("no plan given: a PLAN file or --run options")
    with open_store(ctx) as store:
        replaced = store.set_plan(athlete_id, planned)
    first, last = planned[0].date, planned[-1].date
    n = len(planned)
    echo(f"Stored {n} planned session{'s' if n != 1 else ''} for {athlete_id}, {first.isoformat()} to "
         f"{last.isoformat()}" + (f" (replacing {replaced})." if replaced else ".") +
         f" Check it: runload plan check --athlete {athlete_id}")


@plan.command("show")
@athlete_option("Whose plan it is.")
@click.option("--all", "show_all", is_flag=True, help="Past days too (default: from today on).")
@output_options(["text", "csv", "json"])
@store_option
@click.pass_context
def show_cmd(ctx: click.Context, athlete_id: str, show_all: bool, out: Output) -> None:
    """The athlete's stored plan (from today on, or --all)."""
    from runload.cli.records import planned_run_record
    from runload.plan import plan_csv

    with open_store(ctx) as store:
        athlete = store.get_athlete(athlete_id)
        start = None if show_all else today_for(athlete.timezone)
        planned = store.planned_runs(athlete_id, start=start)
    if out.is_json:
        out.json({"athlete": athlete_id, "planned": [planned_run_record(p) for p in planned]}, ensure_ascii=False)
    elif out.format == "csv":
        out.write(plan_csv(planned))
    elif not planned:
        out.line(f"No plan stored for {athlete_id}" + ("." if show_all else " from today on."))
    else:
        for p in planned:
            line = p.describe(athlete.units)
            if p.duration_min:
                line += f", {p.duration_min:g} min"
            if p.rpe is not None:
                line += f", RPE {p.rpe:g}"
            if p.notes:
                line += f"  ({p.notes})"
            out.line(line)


@plan.command("clear")
@athlete_option("Whose plan it is.")
@day_range_options("First day to clear (default: the whole plan).", "Last day to clear.")
@store_option
@click.pass_context
def clear_cmd(ctx: click.Context, athlete_id: str, start: date | None, end: date | None) -> None:
    """Remove the athlete's stored plan (or the days from --from to --to)."""
    with open_store(ctx) as store:
        n = store.clear_plan(athlete_id, start=start, end=end)
    echo(f"Removed {n} planned session{'s' if n != 1 else ''} for {athlete_id}.")
