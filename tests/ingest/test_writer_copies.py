"""The activity an import stores is the copy ``dataclasses.replace`` makes of the one it read, its
file, offset and default shoe set, whichever way the copy is made (fields given as one dict for
an Activity; replace itself for a subclass); laps a worker sent as the store's text count as laps
when copies of a run are compared."""

from __future__ import annotations

import pickle
import random
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta, timezone
from multiprocessing.reduction import ForkingPickler
from zoneinfo import ZoneInfo

from builders import run

from runload.ingest.pool import Parsed
from runload.ingest.summary import ImportSummary
from runload.ingest.walk import Source
from runload.ingest.writer import Writer
from runload.models import Activity, Athlete, Lap, Shoe, Sport
from runload.store import Store


@dataclass(frozen=True)
class _Subclass(Activity):
    """An Activity of another class: copied by dataclasses.replace."""


def test_the_stored_copy_is_the_copy_replace_makes() -> None:
    rng = random.Random(5)
    with Store.open(":memory:") as store:
        store.add_athlete(Athlete("a", "A"))
        for shoe in (None, "Pegasus"):
            if shoe:
                store.add_shoe("a", Shoe(shoe, 0.0, None, True, None))
            writer = Writer(store, "a", ZoneInfo("Europe/Stockholm"), ImportSummary(), {}, {})
            for i in range(200):
                a = run(date(2024, rng.randrange(1, 13), rng.randrange(1, 29)), rng.choice([3, 10.5]),
                        sport=rng.choice([Sport.RUNNING, Sport.CYCLING]), gear=rng.choice([None, "Old"]))
                a = replace(a, utc_offset_s=rng.choice([None, 3600, 7200]), gear_default=rng.random() < 0.2,
                            offset_recorded_utc=rng.choice([None, datetime(2024, 3, 31, 3, tzinfo=timezone.utc)]))
                src = Source(f"run {i}.fit", "fit", bytes, stored_name=rng.choice([None, f"stored/run {i}.fit"]))
                fast = writer._complete(a, src, f"digest {i}")
                slow = writer._complete(_Subclass(**vars(a)), src, f"digest {i}")
                assert type(fast) is Activity and type(slow) is _Subclass
                assert vars(fast) == vars(slow) and list(vars(fast)) == list(vars(slow))
                assert fast == replace(a, **{k: getattr(slow, k) for k in ("source_hash", "source_file", "utc_offset_s",
                                                                            "gear", "gear_default")})


def _from_a_worker(digest: str, acts: list[Activity]) -> Parsed:
    """What a worker's result is once it crossed the pipe: laps the door keeps come as text."""
    parsed = pickle.loads(ForkingPickler.dumps(Parsed(digest, acts)))
    assert parsed.laps_json and all(parsed.laps_json)  # (the case under test)
    return parsed


def _laps(start: datetime, n: int) -> tuple[Lap, ...]:
    return tuple(Lap(start + timedelta(minutes=30 * i / n), 5000.0 / n, 1800.0 / n, 150.0) for i in range(n))


def test_laps_that_came_as_text_count_when_copies_of_a_run_are_compared() -> None:
    start = datetime(2024, 5, 6, 7, tzinfo=timezone.utc)
    one = Activity(start, Sport.RUNNING, 5000.0, timer_s=1800.0, elapsed_s=1800.0, avg_hr_bpm=150.0,
                   laps=_laps(start, 1))
    five = replace(one, laps=_laps(start, 5))  # the same run, richer by its laps
    with Store.open(":memory:") as store:
        store.add_athlete(Athlete("a", "A"))
        summary = ImportSummary(import_id=store.start_import("a", ["x"]))
        writer = Writer(store, "a", ZoneInfo("Europe/Stockholm"), summary, {}, {})
        # across files: the copy with more laps replaces the one stored; the one with fewer does not
        for name, act in (("one.fit", one), ("five.fit", five), ("one again.fit", replace(one, name="again"))):
            writer.handle(Source(name, "fit", bytes), _from_a_worker(name, [act]))
        # in one file: the copy with more laps is kept
        later = start + timedelta(days=1)
        in_one = [replace(one, start_utc=later, laps=_laps(later, 2)), replace(one, start_utc=later, laps=_laps(later, 4))]
        writer.handle(Source("both.fit", "fit", bytes), _from_a_worker("both", in_one))
        writer.commit()
        stored = store.activities("a")
    assert [(a.source_file, len(a.laps)) for a in stored] == [("five.fit", 5), ("both.fit", 4)]
    assert [d["kept"] for d in summary.duplicates] == ["five.fit", "five.fit"]
    assert [lap.distance_m for lap in stored[0].laps] == [1000.0] * 5
