"""runload activity: list, show, correct and delete an athlete's activities."""

from __future__ import annotations

import math
from typing import Any

import click

from runload.cli._common import confirm_or_refuse, echo, open_store, store_option
from runload.cli.options import Output, athlete_option, output_options
from runload.cli.records import activity_record
from runload.cli.suggest import SuggestingGroup

# The fields `activity set` corrects, by their command-line names (for --clear).
_FIELDS = {"sport": "sport", "sub-sport": "sub_sport", "distance": "distance_m", "shoe": "gear", "rpe": "rpe"}


@click.group("activity", cls=SuggestingGroup)
def activity() -> None:
    """List stored activities, correct what a file got wrong, delete what should not be there."""


@activity.command("list")
@athlete_option("Whose activities to list.")
@output_options(["text", "json"])
@store_option
@click.pass_context
def list_cmd(ctx: click.Context, athlete_id: str, out: Output) -> None:
    """The athlete's activities, oldest first: id, local start, sport, distance, time, source file.

    A sport guessed from speed (the file named none) is marked with '?', a value a person
    corrected with '*' (`runload activity show ID` shows the recorded one beside it).
    """
    from datetime import timedelta

    from runload.textsafe import inline
    from runload.units import from_km, label

    with open_store(ctx) as store:
        units = store.get_athlete(athlete_id).units
        acts = store.activities(athlete_id)
    if out.is_json:
        out.json([activity_record(a) for a in acts])
        return
    if not acts:
        out.line(f"No activities for '{athlete_id}' yet (runload import --athlete {athlete_id} PATH).")
        return
    out.line(f"{'id':>5}  {'start (local)':16}  {'sport':14}  {label(units):>8}  {'time':>8}  file")
    for a in acts:
        local = a.start_utc + timedelta(seconds=a.utc_offset_s or 0)
        mark = "*" if ("sport" in a.corrections or "sub_sport" in a.corrections) else ""
        sport = a.sport.value + (f"/{a.sub_sport}" if a.sub_sport else "") + ("?" if a.sport_inferred else mark)
        dist = f"{from_km(a.distance_m / 1000, units):7.2f}" + ("*" if "distance_m" in a.corrections else " ")
        secs = int(a.timer_s or a.elapsed_s or 0)
        out.line(f"{a.id:>5}  {local:%Y-%m-%d %H:%M}  {sport:14}  {dist:>8}  "
             f"{secs // 3600:d}:{secs // 60 % 60:02d}:{secs % 60:02d}  {inline(a.source_file or '')}")


def _value_words(field: str, value: object, units: str) -> str:
    from runload.textsafe import inline
    from runload.units import distance

    if value is None:
        return "-"
    if field == "distance_m":
        return distance(float(value) / 1000, units, 2)  # type: ignore[arg-type]
    if field == "rpe":
        return f"{float(value):g}/10"  # type: ignore[arg-type]
    return inline(getattr(value, "value", value))


_LABELS = {"sport": "sport", "sub_sport": "sub-sport", "distance_m": "distance", "gear": "shoe", "rpe": "session RPE"}


def _show_lines(a: Any, units: str) -> list[str]:
    from datetime import timedelta

    from runload.textsafe import inline

    local = a.start_utc + timedelta(seconds=a.utc_offset_s or 0)
    secs = int(a.timer_s or a.elapsed_s or 0)
    lines = [f"Activity {a.id}: {local:%Y-%m-%d %H:%M} (local), {secs // 3600:d}:{secs // 60 % 60:02d}:{secs % 60:02d}"]
    for field in ("sport", "sub_sport", "distance_m", "gear", "rpe"):
        value = getattr(a, field)
        text = _value_words(field, value, units)
        if field == "sport" and a.sport_inferred:
            text += " (inferred from speed: the file named none)"
        if field == "gear" and a.gear_default:
            text += " (the default shoe when imported: the file named none)"
        if field in a.corrections:
            text += f" (corrected; recorded: {_value_words(field, a.corrections[field], units)})"
        lines.append(f"  {_LABELS[field] + ':':13} {text}")
    lines.append(f"  {'file:':13} {inline(a.source_file or '-')}")
    if a.import_id is not None:
        lines.append(f"  {'import:':13} {a.import_id}")
    return lines


@activity.command("show")
@click.argument("activity_id", type=int)
@output_options(["text", "json"])
@store_option
@click.pass_context
def show(ctx: click.Context, activity_id: int, out: Output) -> None:
    """One activity: the values runload uses and, for each one corrected, the recorded value."""
    with open_store(ctx) as store:
        athlete_id, a = store.get_activity(activity_id)
        units = store.get_athlete(athlete_id).units
    if out.is_json:
        out.json({"athlete": athlete_id, **activity_record(a)})
        return
    out.line("\n".join(_show_lines(a, units)))


def _sport_values(sport: str | None, sub_sport: str | None) -> dict[str, object]:
    from runload.ingest import activity_sport

    values: dict[str, object] = {}
    if sport is not None:
        values["sport"] = activity_sport(sport)
    if sub_sport is not None:
        from runload.textsafe import check_display_name

        values["sub_sport"] = check_display_name(sub_sport, what="sub-sport", max_length=100)
    return values


def _apply(ctx: click.Context, activity_id: int, values: dict[str, object], clear: tuple[str, ...]) -> tuple[Any, Any, str]:
    with open_store(ctx) as store:
        athlete_id, before = store.get_activity(activity_id)
        if "gear" in values:
            name = str(values["gear"])
            known = {s.name for s in store.shoes(athlete_id)} | store.gear_names(athlete_id)
            if name not in known:
                from runload.errors import InputError

                raise InputError(f"'{athlete_id}' has no shoe named '{name}' (add it first: runload shoe add "
                                 f"--athlete {athlete_id} NAME)")
        after = store.correct_activity(activity_id, values, [_FIELDS[c] for c in clear])
        units = store.get_athlete(athlete_id).units
    return before, after, units


@activity.command("set")
@click.argument("activity_id", type=int)
@click.option("--sport", help="The sport: running, walking, hiking, cycling, swimming, rowing, driving, other.")
@click.option("--sub-sport", help="The sub-sport: trail, treadmill, track...")
@click.option("--distance-km", type=float, help="The distance in kilometres.")
@click.option("--shoe", help="The shoe it was run in (see: runload shoe list).")
@click.option("--rpe", type=float, help="Session RPE, 0 (rest) to 10 (maximal).")
@click.option("--clear", "clear", multiple=True, type=click.Choice(sorted(_FIELDS)),
              help="Drop a correction: back to the recorded value (repeatable).")
@store_option
@click.pass_context
def set_cmd(ctx: click.Context, activity_id: int, sport: str | None, sub_sport: str | None,
            distance_km: float | None, shoe: str | None, rpe: float | None, clear: tuple[str, ...]) -> None:
    """Correct activity ACTIVITY_ID (see `runload activity list`). The recorded value is kept
    beside the correction (`runload activity show`); every calculation uses the correction."""
    from runload import bounds
    from runload.errors import InputError
    from runload.textsafe import check_display_name

    values = _sport_values(sport, sub_sport)
    if distance_km is not None:
        if not math.isfinite(distance_km) or not 0 <= distance_km * 1000 <= bounds.MAX_DISTANCE_M:
            raise InputError(f"--distance-km: {distance_km:g} is not a distance from 0 to "
                             f"{bounds.MAX_DISTANCE_M / 1000:,.0f} km")
        values["distance_m"] = distance_km * 1000.0
    if shoe is not None:
        values["gear"] = check_display_name(shoe, what="shoe name", max_length=bounds.MAX_NAME_CHARS)
    if rpe is not None:
        if not math.isfinite(rpe) or not bounds.MIN_RPE <= rpe <= bounds.MAX_RPE:
            raise InputError(f"--rpe: {rpe:g} is not a session RPE from {bounds.MIN_RPE:g} to {bounds.MAX_RPE:g}")
        values["rpe"] = float(rpe)
    both = [c for c in clear if _FIELDS[c] in values]
    if both:
        raise click.UsageError(f"--clear {both[0]} and a new value for it: choose one")
    if not values and not clear:
        raise click.UsageError("nothing to correct: give --sport, --sub-sport, --distance-km, --shoe, --rpe or --clear")
    before, after, units = _apply(ctx, activity_id, values, clear)
    echo(f"Activity {activity_id}:")
    for field in ("sport", "sub_sport", "distance_m", "gear", "rpe"):
        old, new = getattr(before, field), getattr(after, field)
        if field in values or (field in {_FIELDS[c] for c in clear}):
            note = ""
            if field in after.corrections:
                note = f" (recorded: {_value_words(field, after.corrections[field], units)})"
            elif field in before.corrections:
                note = " (as recorded)"
            echo(f"  {_LABELS[field]}: {_value_words(field, old, units)} -> {_value_words(field, new, units)}{note}")


@activity.command("set-sport")
@click.argument("activity_id", type=int)
@click.argument("sport")
@click.option("--sub-sport", default=None, help="Also set the sub-sport (trail, treadmill, track...).")
@store_option
@click.pass_context
def set_sport(ctx: click.Context, activity_id: int, sport: str, sub_sport: str | None) -> None:
    """Correct the sport of activity ACTIVITY_ID: the same as `runload activity set ID --sport SPORT`.

    SPORT is one of running, walking, hiking, cycling, swimming, rowing, driving, other.
    """
    before, after, _units = _apply(ctx, activity_id, _sport_values(sport, sub_sport), ())
    echo(f"Activity {activity_id}: sport {before.sport.value} -> {after.sport.value}.")


@activity.command("delete")
@click.argument("activity_ids", type=int, nargs=-1, required=True)
@click.option("--yes", is_flag=True, help="Delete without asking (needed without a terminal).")
@store_option
@click.pass_context
def delete(ctx: click.Context, activity_ids: tuple[int, ...], yes: bool) -> None:
    """Delete activities (all or none). Their files stay known: importing them again does not
    bring them back (`runload import undo` takes out a whole import instead)."""
    from datetime import timedelta

    from runload.textsafe import inline

    ids = list(dict.fromkeys(activity_ids))
    with open_store(ctx) as store:
        found = [store.get_activity(i) for i in ids]  # an unknown id stops here, nothing deleted
        words = "; ".join(
            f"{a.id} ({a.start_utc + timedelta(seconds=a.utc_offset_s or 0):%Y-%m-%d} {a.sport.value} "
            f"{a.distance_m / 1000:.2f} km, {athlete})" for athlete, a in found)
        confirm_or_refuse(f"Delete activity {words}?", yes=yes,
                          refusal=f"not deleting {len(ids)} {'activity' if len(ids) == 1 else 'activities'}")
        store.delete_activities(ids)
    echo(f"Deleted {len(ids)} {'activity' if len(ids) == 1 else 'activities'}: {inline(', '.join(map(str, ids)))}")
