"""runload activity: list an athlete's activities and correct a sport."""

from __future__ import annotations

import json

import click

from runload.cli._period import chosen_format, format_option
from runload.cli._common import open_store, store_option


@click.group("activity")
def activity() -> None:
    """List stored activities and correct what a file got wrong."""


@activity.command("list")
@click.option("--athlete", "athlete_id", required=True, help="Whose activities to list.")
@format_option(["table", "json"], "table")
@store_option
@click.pass_context
def list_cmd(ctx: click.Context, athlete_id: str, fmt: str, as_json: bool) -> None:
    """The athlete's activities, oldest first: id, local start, sport, distance, time, source file.

    A sport guessed from speed (the file named none) is marked with '?'.
    """
    from datetime import timedelta

    from runload.units import from_km, label

    as_json = chosen_format(fmt, as_json) == "json"
    with open_store(ctx) as store:
        units = store.get_athlete(athlete_id).units
        acts = store.activities(athlete_id)
    if as_json:
        click.echo(json.dumps([{
            "id": a.id, "start_utc": a.start_utc.isoformat(), "utc_offset_s": a.utc_offset_s,
            "sport": a.sport.value, "sub_sport": a.sub_sport, "sport_inferred": a.sport_inferred,
            "counts_as_running": a.is_run, "distance_m": round(a.distance_m, 1),
            "distance_source": a.distance_source, "timer_s": a.timer_s, "elapsed_s": a.elapsed_s,
            "avg_hr_bpm": a.avg_hr_bpm, "max_hr_bpm": a.max_hr_bpm, "avg_cadence_spm": a.avg_cadence_spm,
            "elevation_gain_m": a.elevation_gain_m, "device": a.device, "name": a.name, "gear": a.gear,
            "laps": len(a.laps), "leg_index": a.leg_index, "source_file": a.source_file,
            "warnings": list(a.warnings),
        } for a in acts], indent=2))
        return
    if not acts:
        click.echo(f"No activities for '{athlete_id}' yet (runload import --athlete {athlete_id} PATH).")
        return
    click.echo(f"{'id':>5}  {'start (local)':16}  {'sport':14}  {label(units):>7}  {'time':>8}  file")
    for a in acts:
        local = a.start_utc + timedelta(seconds=a.utc_offset_s or 0)
        sport = a.sport.value + (f"/{a.sub_sport}" if a.sub_sport else "") + ("?" if a.sport_inferred else "")
        secs = int(a.timer_s or a.elapsed_s or 0)
        click.echo(f"{a.id:>5}  {local:%Y-%m-%d %H:%M}  {sport:14}  {from_km(a.distance_m / 1000, units):7.2f}  "
                   f"{secs // 3600:d}:{secs // 60 % 60:02d}:{secs % 60:02d}  {a.source_file or ''}")


@activity.command("set-sport")
@click.argument("activity_id", type=int)
@click.argument("sport")
@click.option("--sub-sport", default=None, help="Also set the sub-sport (trail, treadmill, track...).")
@store_option
@click.pass_context
def set_sport(ctx: click.Context, activity_id: int, sport: str, sub_sport: str | None) -> None:
    """Correct the sport of activity ACTIVITY_ID (see `runload activity list`).

    SPORT is one of running, walking, hiking, cycling, swimming, rowing, driving, other.
    """
    from runload.ingest import activity_sport

    new = activity_sport(sport)
    with open_store(ctx) as store:
        _, before = store.get_activity(activity_id)
        store.set_activity_sport(activity_id, new, sub_sport)
    click.echo(f"Activity {activity_id}: sport {before.sport.value} -> {new.value}.")
