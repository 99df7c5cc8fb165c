"""The session reads of each athlete what an assessment reads: the laps only where a rule judges
lap pace, no file details; a full read of the store still gives everything."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from runload.models import Activity, Athlete, Lap, Sport
from runload.rules.book import Rulebook
from runload.session import Assessor
from runload.store import Store

START = datetime(2026, 10, 12, 7, tzinfo=timezone.utc)


def _store(tmp_path: Path) -> Store:
    store = Store.open(tmp_path / "s.sqlite")
    store.add_athlete(Athlete("ana", "Ana"))
    with store.atomic() as conn:
        store.insert_activity(conn, "ana", Activity(
            START, Sport.RUNNING, 10000, timer_s=3000, elapsed_s=3100, utc_offset_s=0, device="Watch 9",
            source_file="run.fit", source_hash="h", warnings=("a gap in the record",),
            laps=(Lap(START, 5000, 1500), Lap(None, 5000, 1500))))
    return store


def test_no_lap_and_no_file_detail_is_read_for_an_assessment_without_lap_pace(tmp_path: Path) -> None:
    with _store(tmp_path) as store:
        (run,) = Assessor(store, Rulebook.of([])).data("ana").activities
        assert (run.laps, run.device, run.source_file, run.warnings, run.import_id) == ((), None, None, (), None)
        assert run.distance_m == 10000 and run.timer_s == 3000 and run.source_hash == "h"
        (full,) = store.activities("ana")
        assert len(full.laps) == 2 and full.device == "Watch 9" and full.warnings == ("a gap in the record",)


def test_the_laps_are_read_where_a_threshold_pace_judges_hard_effort(tmp_path: Path) -> None:
    book = Rulebook.of([], {"athletes": {"ana": {"threshold_pace_s_per_km": 290}}})
    with _store(tmp_path) as store:
        (run,) = Assessor(store, book).data("ana").activities
        assert run.laps == store.activities("ana")[0].laps and len(run.laps) == 2
