"""The import judges the days and weeks a file's runs fall on: a quick bound on everything stored
around them (any sport) lets most files through without reading the runs back, and when the bound
is reached the runs themselves are judged, so hours of riding never refuse a run and 24 hours of
running on a day still does."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from runload.ingest import RecordImport
from runload.models import Activity, Sport
from runload.store import Store
from builders import T0


def _add(imp: RecordImport, i: int, act: Activity) -> None:
    imp.add(f"record {i}", f"key-{i}", f"fp-{i}", f"digest-{i}", [act])


def test_long_rides_around_a_run_do_not_refuse_it(store_path: Path, athlete: str) -> None:
    with Store.open(store_path) as store:
        imp = RecordImport(store, athlete, "records")
        for i in range(4):  # 40 h of riding in the days around: more than a day holds, but not running
            _add(imp, i, Activity(start_utc=T0 + timedelta(days=i - 2, hours=2), sport=Sport.CYCLING,
                                  distance_m=250_000.0, timer_s=36_000.0, elapsed_s=36_000.0))
        _add(imp, 9, Activity(start_utc=T0 + timedelta(hours=14), sport=Sport.RUNNING, distance_m=10_000.0,
                              timer_s=3_000.0))
        summary = imp.finish()
        assert summary.failed == [] and summary.activities == 5


def test_a_day_of_more_than_24_hours_of_running_is_refused_at_import(store_path: Path, athlete: str) -> None:
    with Store.open(store_path) as store:
        imp = RecordImport(store, athlete, "records")
        for i in range(13):  # runs half an hour apart whose timers say two hours each: the 13th makes 26 h
            _add(imp, i, Activity(start_utc=T0 + timedelta(minutes=30 * i), sport=Sport.RUNNING,
                                  distance_m=5_000.0, timer_s=7_200.0, elapsed_s=1_500.0))
        summary = imp.finish()
        assert [f["file"] for f in summary.failed] == ["record 12"]
        assert "add up to" in summary.failed[0]["reason"] and "more than the day holds" in summary.failed[0]["reason"]
        assert summary.activities == 12
