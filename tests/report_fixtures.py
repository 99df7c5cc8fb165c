"""Ana, a made-up athlete (by hand), for the report's tests and the goldens: her history, a store
holding it, and the ``ana`` fixture (registered for every test in conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from runload.models import Activity, Athlete, PainEntry, Sport
from runload.store import Store

# ---------------------------------------------------------------- a made-up athlete, by hand
# 14 weeks from Monday 2026-03-02: runs Mon/Wed/Fri/Sun growing slowly, a long run that doubles
# in week 9, a 17-day stretch with nothing recorded (weeks 5-6), a ride every Thursday, two shoes,
# and pain entries in the last fortnight, one with a warning sign and notes holding HTML.
START = datetime(2026, 3, 2, 6, 0, tzinfo=timezone.utc)


def ana_activities() -> list[Activity]:
    acts = []
    for day in range(0, 14 * 7):
        if 28 <= day < 45:  # nothing recorded: a gap, not rest
            continue
        t = START + timedelta(days=day)
        weekday = day % 7
        if weekday in (0, 2, 4, 6):
            km = 6.0 + day * 0.02 + (3.0 if weekday == 6 else 0.0)
            if day == 62:  # Sunday of week 9: a long run twice the usual
                km = 19.5
            if day >= 84 and weekday == 6:  # the report week jumps
                km = 16.0
            acts.append(Activity(t, Sport.RUNNING, round(km * 1000), timer_s=km * 330, utc_offset_s=7200,
                                 gear="Pegasus 40" if day < 50 else "Nova <b>5</b>", source_hash=f"r{day}"))
        if weekday == 3:
            acts.append(Activity(t, Sport.CYCLING, 25000, timer_s=3600, utc_offset_s=7200, source_hash=f"c{day}"))
    return acts


def ana_pain() -> list[PainEntry]:
    return [
        PainEntry(date(2026, 5, 14), side="right", pain_during=2, pain_after=3, pain_next_morning=1),
        PainEntry(date(2026, 5, 18), side="right", pain_during=3, pain_after=4, pain_next_morning=2,
                  notes='sore <img src=x onerror="alert(1)"> after hills'),
        PainEntry(date(2026, 5, 25), side="right", pain_during=5, pain_after=6, pain_next_morning=3, locking=True,
                  notes="knee caught once | then fine"),
    ]


def make_store(path: Path, name: str = "Ana Test", athlete_id: str = "ana") -> Store:
    store = Store.open(path)
    store.add_athlete(Athlete(athlete_id, name, timezone="Europe/Stockholm"))
    with store.atomic() as conn:
        for a in ana_activities():
            store.insert_activity(conn, athlete_id, a)
    store.add_pain_entries(athlete_id, ana_pain())
    return store


@pytest.fixture
def ana(store_path: Path) -> Iterator[Store]:
    store = make_store(store_path)
    yield store
    store.close()
