"""runload pain add|list|edit|delete|import|status"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any, TypeVar

import click

from runload.cli._common import can_ask, echo, open_store, store_option
from runload.cli.options import Output, as_of_option, athlete_option, date_option, day_range_options, output_options
from runload.cli.suggest import SuggestingGroup
from runload.models import PAIN_LOCATIONS, PAIN_SCORE_FIELDS, PAIN_SIDES, PAIN_SIGNS, PAIN_SWELLING

F = TypeVar("F", bound=Callable[..., Any])

SIDES, LOCATIONS, SWELLING, SCORES, SIGNS = PAIN_SIDES, PAIN_LOCATIONS, PAIN_SWELLING, PAIN_SCORE_FIELDS, PAIN_SIGNS


class _Score(click.ParamType):
    """A 0-10 score read as the CSV import reads it: ASCII digits only (click's int would also
    take ``1_0`` for 10, and digits of other scripts)."""

    name = "0-10"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        from runload.pain.entries import FieldError, parse_score

        try:
            return parse_score(param.name if param else "score", value)
        except FieldError as exc:
            self.fail(str(exc), param, ctx)


SCORE = _Score()


def _entry_options(func: F) -> F:
    """Options for every field of a pain entry except the date (add and edit share them)."""
    opts = [
        click.option("--side", type=click.Choice(SIDES), help="Which knee."),
        click.option("--location", type=click.Choice(LOCATIONS), help="Where it hurts (default: back of the knee)."),
        click.option("--pain-during", type=SCORE, help="Pain during the run, 0-10."),
        click.option("--pain-after", type=SCORE, help="Pain after the run, 0-10."),
        click.option("--pain-next-morning", type=SCORE, help="Pain the next morning, 0-10."),
        click.option("--stiffness", type=SCORE, help="Stiffness, 0-10."),
        click.option("--swelling", type=click.Choice(SWELLING), help="Swelling (default: none)."),
    ]
    for name, words in SIGNS.items():
        flag = name.replace("_", "-")
        opts.append(click.option(f"--{flag}/--no-{flag}", name, default=None, help=f"Yes: {words}."))
    opts += [
        click.option("--relieved-by-rest/--not-relieved-by-rest", "relieved_by_rest", default=None,
                     help="Whether rest relieves the pain."),
        click.option("--notes", help="Free notes."),
    ]
    for opt in reversed(opts):
        func = opt(func)
    return func


def _ask_missing(values: dict[str, Any]) -> None:
    """Ask on the terminal for the fields not given as options (Enter leaves one blank)."""
    from runload.pain.entries import FieldError, make_entry

    def ask(name: str, text: str) -> None:
        while values.get(name) is None:
            answer = click.prompt(text, default="", show_default=False)
            if not answer.strip():
                return
            try:
                make_entry({"date": "2000-01-01", name: answer})
            except FieldError as exc:
                echo(f"  {exc}")
                continue
            values[name] = answer

    ask("side", "Which knee (left, right, both; Enter to skip)")
    for name, text in (("pain_during", "Pain during the run, 0-10"), ("pain_after", "Pain after the run, 0-10"),
                       ("pain_next_morning", "Pain the next morning, 0-10"), ("stiffness", "Stiffness, 0-10")):
        ask(name, f"{text} (Enter to skip)")
    ask("swelling", "Swelling (none, mild, moderate, severe)")
    ask("relieved_by_rest", "Does rest relieve it (yes/no; Enter to skip)")
    missing = [n for n in SIGNS if values.get(n) is None]
    if missing:
        echo("Any of these? Type their numbers separated by spaces, or Enter for none:")
        for i, n in enumerate(missing, 1):
            echo(f"  {i}. {SIGNS[n]}")
        while True:
            answer = click.prompt("Signs", default="", show_default=False)
            try:
                picked = {int(x) for x in answer.replace(",", " ").split()}
            except ValueError:
                echo("  type numbers from the list, e.g. 1 3")
                continue
            if not picked <= set(range(1, len(missing) + 1)):
                echo(f"  type numbers from 1 to {len(missing)}")
                continue
            break
        for i, n in enumerate(missing, 1):
            values[n] = i in picked


def _field_values(kwargs: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in kwargs.items() if v is not None}


def _describe(e: Any) -> str:
    from runload.pain.entries import signs

    parts = [e.date.isoformat()]
    if e.side:
        parts.append(e.side)
    parts.append(f"{e.location} of knee" if e.location in ("back", "front", "inner", "outer") else e.location)
    scores = [f"{label} {getattr(e, f)}" for f, label in
              zip(SCORES, ("during", "after", "next morning", "stiffness")) if getattr(e, f) is not None]
    if scores:
        parts.append(", ".join(scores))
    found = signs(e)
    if found:
        parts.append("signs: " + ", ".join(s.replace("_", " ") for s in found))
    return "; ".join(parts)


# A new entry's red flags depend on the earlier entries of its episode (a pop, then giving way):
# 90 days before it are enough, and reading only those keeps `pain add` quick on a long log.
RED_FLAG_LOOKBACK_DAYS = 90


def _warn_red_flags(store: Any, athlete_id: str, entry_id: int, day: date) -> None:
    from datetime import timedelta

    from runload.limits import red_flag_line
    from runload.pain.episodes import find_episodes

    entries = store.pain_entries(athlete_id, start=day - timedelta(days=RED_FLAG_LOOKBACK_DAYS), end=day)
    timezone = store.get_athlete(athlete_id).timezone
    for ep in find_episodes(entries):
        for f in ep.red_flags:
            if f.entry_id == entry_id:
                echo(red_flag_line(f.level, f.what, timezone))


@click.group(cls=SuggestingGroup)
def pain() -> None:
    """Log knee pain (back of the knee by default) and see what the log says.

    Scores are 0-10. Red flags (calf swelling, breathlessness, a knee that locks, ...) are named as
    soon as they are logged; runload gives training information, not a diagnosis.
    """


@pain.command("add")
@athlete_option()
@date_option("Day of the entry (default: today).")
@_entry_options
@click.option("--no-input", is_flag=True, help="Never ask questions, even on a terminal.")
@store_option
@click.pass_context
def add(ctx: click.Context, athlete_id: str, day: date | None, no_input: bool, **fields: Any) -> None:
    """Add a pain entry. On a terminal, asks for what the options leave out; in scripts (no
    terminal, or CI=true) it never waits for input."""
    from runload.cli._period import today_for
    from runload.errors import InputError
    from runload.pain.entries import FieldError, is_empty, make_entry
    from runload.pain.log import add_entry

    values = _field_values(fields)
    with open_store(ctx) as store:
        athlete = store.get_athlete(athlete_id)
        # "today" is the runner's own day (their time zone), not the machine's
        values["date"] = day or today_for(athlete.timezone)
        if can_ask(no_input):
            _ask_missing(values)
        try:
            entry = make_entry(values)
        except FieldError as exc:
            raise InputError(f"--{exc.field.replace('_', '-')}: {exc}") from None
        if is_empty(entry):
            raise InputError("nothing to log: give at least one score (0 counts), a sign, swelling, "
                             "--relieved-by-rest/--not-relieved-by-rest or --notes")
        entry_id = add_entry(store, athlete_id, entry)
        echo(f"Added pain entry {entry_id} for {athlete_id}: {_describe(entry)}")
        _warn_red_flags(store, athlete_id, entry_id, entry.date)


@pain.command("list")
@athlete_option()
@day_range_options("First day.", "Last day.")
@output_options(["text", "csv", "json"])
@store_option
@click.pass_context
def list_(ctx: click.Context, athlete_id: str, start: date | None, end: date | None, out: Output) -> None:
    """List an athlete's pain entries, oldest first. --format csv writes the import format, so
    the output can be imported again (runload pain import)."""
    from runload.cli.records import pain_entry_record
    from runload.pain.entries import signs, to_csv
    from runload.report.table import table
    from runload.textsafe import inline

    with open_store(ctx) as store:
        entries = store.pain_entries(athlete_id, start=start, end=end)
    if out.format == "csv":
        out.write(to_csv(entries))
        return
    if out.is_json:
        out.json([pain_entry_record(e) for e in entries])
        return
    if not entries:
        out.line(f"No pain entries for {athlete_id}.")
        return

    def note(text: str) -> str:
        text = inline(" ".join(text.split()))  # one table line per entry, whatever the note holds
        return text[:30] + "..." if len(text) > 33 else text

    rows = [[e.id, e.date.isoformat(), e.side, e.location, e.pain_during, e.pain_after, e.pain_next_morning,
             e.stiffness, e.swelling, ", ".join(s.replace("_", " ") for s in signs(e) if s != "swelling") or "-",
             {True: "yes", False: "no", None: "-"}[e.relieved_by_rest], note(e.notes)] for e in entries]
    out.line(table(["id", "date", "side", "where", "during", "after", "morning", "stiff", "swelling", "signs",
                    "rest helps", "notes"], rows, align="rlllrrrrlllll"))


@pain.command("edit")
@click.argument("entry_id", type=int)
@date_option("Move the entry to another day.")
@_entry_options
@store_option
@click.pass_context
def edit(ctx: click.Context, entry_id: int, day: date | None, **fields: Any) -> None:
    """Change fields of pain entry ENTRY_ID (see: runload pain list); other fields stay."""
    from runload.errors import InputError
    from runload.pain.log import edit_entry

    values = _field_values(fields)
    if day is not None:
        values["date"] = day
    if not values:
        raise InputError("nothing to change: give at least one option (see: runload pain edit --help)")
    with open_store(ctx) as store:
        entry = edit_entry(store, entry_id, values)
    echo(f"Changed pain entry {entry_id}: {_describe(entry)}")


@pain.command("delete")
@click.argument("entry_id", type=int)
@click.option("--yes", is_flag=True, help="Delete without asking (needed without a terminal).")
@store_option
@click.pass_context
def delete(ctx: click.Context, entry_id: int, yes: bool) -> None:
    """Delete pain entry ENTRY_ID."""
    from runload.errors import InputError
    from runload.pain.log import delete_entry

    with open_store(ctx) as store:
        _athlete, entry = store.get_pain_entry(entry_id)
        if not yes:
            if not can_ask():
                raise InputError(f"not deleting entry {entry_id} without --yes (no terminal to ask on)")
            click.confirm(f"Delete pain entry {entry_id} ({_describe(entry)})?", abort=True)
        athlete_id, entry = delete_entry(store, entry_id)
    echo(f"Deleted pain entry {entry_id} of {athlete_id}: {_describe(entry)}")


@pain.command("import")
@athlete_option()
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Check the file and say what would be added; store nothing.")
@store_option
@click.pass_context
def import_(ctx: click.Context, athlete_id: str, file: str, dry_run: bool) -> None:
    """Import pain entries from a CSV file whose columns are the entry's field names.

    date is required; side, location, pain_during, pain_after, pain_next_morning, stiffness (0-10),
    swelling (none/mild/moderate/severe), the yes/no signs, relieved_by_rest and notes may be left
    out or blank. A bad value stops the import with its line and column, and nothing from the file
    is stored. Rows already stored are skipped, so importing a file twice adds nothing.
    """
    from runload.pain.log import import_csv
    from runload.textsafe import inline

    with open_store(ctx) as store:
        result = import_csv(store, athlete_id, file, dry_run=dry_run)
    verb = "would add" if dry_run else "added"
    echo(f"{inline(result.path)}: {result.rows} row{'s' if result.rows != 1 else ''}, {verb} {len(result.added)}, "
               f"{len(result.skipped_lines)} already stored.")


@pain.command("status")
@athlete_option()
@as_of_option("Judge the log as on this day (default: today).")
@output_options(["text", "json"])
@store_option
@click.pass_context
def status(ctx: click.Context, athlete_id: str, as_of: date | None, out: Output) -> None:
    """Red flags that stand (and those resolved), pain episodes with the load before each, and
    the return-to-run plan."""
    from runload.cli._period import assessor, today_for
    from runload.report.pain_status import assessment_record, assessment_text

    with open_store(ctx) as store:
        judge = assessor(store)
        athlete = judge.data(athlete_id).athlete
        today = today_for(athlete.timezone)
        day = _by_tomorrow("--as-of", as_of, today) if as_of else today
        result = judge.get(athlete_id, day).pain
    if out.is_json:
        out.json(assessment_record(result))
    else:
        out.write(assessment_text(result, athlete.timezone))


@pain.command("clear")
@athlete_option()
@date_option("Day of the clearance (default: today): every red flag dated on or before it is resolved.")
@click.option("--by", "by", type=click.Choice(["clinician", "self"]), default="clinician", show_default=True,
              help="Who cleared it: a clinician who examined you, or the runner.")
@click.option("--note", default="", help="What the clinician said, for the record.")
@store_option
@click.pass_context
def clear(ctx: click.Context, athlete_id: str, day: date | None, by: str, note: str) -> None:
    """Log that the red flags in the pain log were checked and cleared."""
    from runload.cli._period import today_for
    from runload.errors import InputError
    from runload.models import Clearance
    from runload.pain.entries import FieldError, parse_notes

    try:
        note = parse_notes("note", note)
    except FieldError as exc:
        raise InputError(f"--note: {exc}") from None
    with open_store(ctx, create=False) as store:
        athlete = store.get_athlete(athlete_id)
        today = today_for(athlete.timezone)
        when = _by_tomorrow("--date", day, today) if day else today
        if when > today:
            raise InputError(f"--date {when.isoformat()} is in the future")
        store.add_clearance(athlete_id, Clearance(when, by, " ".join(note.split())))
    who = "a clinician" if by == "clinician" else "you"
    echo(f"Logged: red flags up to {when.isoformat()} cleared by {who}. Return with the walk-run plan: "
         f"runload pain status --athlete {athlete_id}")


def _by_tomorrow(option: str, day: date, today: date) -> date:
    """``day`` (an option read by :data:`runload.cli.options.DAY`) if the pain log takes it: no
    later than tomorrow (the athlete's calendar may run ahead of this machine's)."""
    from runload.errors import InputError
    from runload.pain.entries import FieldError, check_day

    try:
        return check_day(option, day, today=today)
    except FieldError as exc:
        raise InputError(f"{option}: {exc}") from None
