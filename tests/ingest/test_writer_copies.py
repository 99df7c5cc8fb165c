"""The activity an import stores is the copy ``dataclasses.replace`` makes of the one it read, its
file, offset and default shoe set, whichever way the copy is made (fields given as one dict for
an Activity; replace itself for a subclass)."""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from builders import run

from runload.ingest.summary import ImportSummary
from runload.ingest.walk import Source
from runload.ingest.writer import Writer
from runload.models import Activity, Athlete, Shoe, Sport
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
