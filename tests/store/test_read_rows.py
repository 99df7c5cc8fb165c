"""An activity read from a row is the activity ``Activity(...)`` would make: every field, in
order, with its default where the row gives none (the read skips the dataclass's ``__init__``)."""

from __future__ import annotations

from dataclasses import fields, replace
from datetime import datetime, timezone
from pathlib import Path

from runload.models import Activity, Athlete, Lap, Sport
from runload.store import Store


def test_a_stored_activity_reads_back_as_the_dataclass_makes_it(tmp_path: Path) -> None:
    t = datetime(2026, 5, 4, 6, 30, tzinfo=timezone.utc)
    stored = [
        Activity(t, Sport.RUNNING, 8000.0, timer_s=2400.0, utc_offset_s=7200, avg_hr_bpm=150.0, gear="Shoe A",
                 hr_zone_s={150: 2400.0}, source_hash="r1", rpe=5.0,
                 laps=(Lap(t, 4000.0, 1200.0, avg_hr_bpm=148.0), Lap(None, 4000.0, 1200.0))),
        Activity(t.replace(hour=17), Sport.CYCLING, 30000.0, timer_s=3600.0, source_hash="c1", name="Ride",
                 warnings=("odd",), device="watch"),
    ]
    with Store.open(tmp_path / "s.sqlite") as store:
        store.add_athlete(Athlete("ana", "Ana", timezone="Europe/Berlin"))
        with store.atomic() as conn:
            for a in stored:
                store.insert_activity(conn, "ana", a)
        run = store.activities("ana")[0]
        store.correct_activity(run.id, {"sport": "walking", "distance_m": 7000.0})  # a correction travels too
        for details in (True, False):
            for laps in (True, False):
                for got in store.activities("ana", details=details, laps=laps):
                    assert list(vars(got)) == [f.name for f in fields(Activity)]  # every field, in order
                    made = Activity(**vars(got))
                    assert vars(got) == vars(made) and got == made
                    assert replace(got) == got
        runs = store.activities("ana")
        assert runs[0].sport is Sport.WALKING and runs[0].distance_m == 7000.0
        assert runs[0].corrections == {"sport": "running", "distance_m": 8000.0}
        assert runs[0].laps == stored[0].laps and runs[0].hr_zone_s == {150: 2400.0}
        assert runs[1].warnings == ("odd",) and runs[1].start_utc.tzinfo is timezone.utc


def test_activities_read_by_start_then_leg(tmp_path: Path) -> None:
    """Oldest first; legs starting together by leg; the same start and leg in storing order."""
    t = datetime(2026, 5, 4, 6, 30, tzinfo=timezone.utc)
    stored = [  # (start hour, leg, file), in the order they are stored
        (9, 1, "m"), (7, 0, "a"), (9, 0, "m"), (8, 2, "x"), (8, 2, "y"), (8, 0, "x"), (6, 0, "b")]
    with Store.open(tmp_path / "s.sqlite") as store:
        store.add_athlete(Athlete("ana", "Ana"))
        with store.atomic() as conn:
            for hour, leg, f in stored:
                store.insert_activity(conn, "ana", Activity(t.replace(hour=hour), Sport.RUNNING, 5000.0,
                                                            timer_s=1500.0, source_hash=f, leg_index=leg))
        got = [(a.start_utc.hour, a.leg_index, a.source_hash) for a in store.activities("ana")]
    assert got == [(6, 0, "b"), (7, 0, "a"), (8, 0, "x"), (8, 2, "x"), (8, 2, "y"), (9, 0, "m"), (9, 1, "m")]
