"""Athletes read together (``Store.athletes_data``, and a worker's ``ReadAhead`` a block at a
time) are the athletes read one by one (``Store.athlete_data``): every table, in its order."""

from __future__ import annotations

from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from builders import WEEK, roster_store
from runload.errors import NotFoundError
from runload.models import Activity, Athlete, Clearance, PainEntry, PlannedRun, Shoe, Sport
from runload.store import Store
from runload.store.read_ahead import ReadAhead


def varied_store(path: Path) -> Store:
    store = roster_store(path)  # ana, cara, dev, eli, fay (nothing imported)
    store.add_clearance("ana", Clearance(date(2026, 5, 20), "clinician", "ok"))
    store.add_clearance("cara", Clearance(date(2026, 5, 1)))
    store.set_plan("cara", [PlannedRun(WEEK, 6.0), PlannedRun(WEEK, 3.0, kind="recovery")])
    store.add_shoe("dev", Shoe("Zeta", 120.0, default=True))
    store.add_shoe("dev", Shoe("Alpha", retire_km=600.0))
    store.add_pain_entries("eli", [PainEntry(date(2026, 5, 3), pain_during=2), PainEntry(date(2026, 5, 1))])
    with store.atomic() as conn:  # no recorded offset (placed in the athlete's zone); legs starting together
        t = datetime(2026, 5, 10, 5, tzinfo=timezone.utc)
        store.insert_activity(conn, "ana", Activity(t, Sport.RUNNING, 4000.0, timer_s=1300.0, source_hash="z"))
        for leg in (1, 0):
            store.insert_activity(conn, "dev", Activity(t, Sport.CYCLING, 9000.0, timer_s=1400.0, source_hash="m",
                                                        leg_index=leg))
    run = store.activities("cara")[3]
    store.correct_activity(run.id or 0, {"distance_m": 4500.0})
    store.conn.execute("UPDATE pain_entries SET date = '9999-12-31' WHERE athlete_id = 'eli' AND date = '2026-05-01'")
    return store


def test_athletes_read_together_are_the_athletes_read_alone(tmp_path: Path) -> None:
    with varied_store(tmp_path / "s.sqlite") as store:
        ids = [a.id for a in store.list_athletes()]
        for laps in (False, True):
            together = store.athletes_data(list(reversed(ids)), laps=laps)
            assert list(together) == list(reversed(ids))
            for i in ids:
                alone = store.athlete_data(i, laps=laps)
                assert together[i] == alone
                assert [a.corrections for a in together[i].activities] == [a.corrections for a in alone.activities]
        assert [a.leg_index for a in store.athlete_data("dev").activities if a.source_hash == "m"] == [0, 1]
        assert [e.date for e in store.athlete_data("eli").pain_entries] == [date(2026, 5, 3)]
        with pytest.raises(NotFoundError, match="nobody"):
            store.athletes_data(["ana", "nobody"])


def test_a_worker_reading_ahead_reads_what_the_store_gives(tmp_path: Path) -> None:
    with varied_store(tmp_path / "s.sqlite") as store:
        store.add_athlete(Athlete("gus", "Gus"))
        ids = [a.id for a in store.list_athletes()]
        ahead = ReadAhead(store, ids, block=2)
        for i in ids:  # in order; one asked with laps, one out of order
            assert ahead.athlete_data(i, laps=i == "cara") == store.athlete_data(i, laps=i == "cara")
        assert ahead.athlete_data("ana", laps=False) == store.athlete_data("ana", laps=False)
        assert not ahead._ahead  # nothing held once every athlete was handed out
