"""Load beyond distance: session RPE read from FIT files and Strava exports, session load
(RPE x minutes) as a load measure, and a rule that finds a week of steady distance whose runs
felt twice as hard."""

from __future__ import annotations

import csv
import gzip
import io
from datetime import date, timedelta
from pathlib import Path

import pytest

from runload.assess import assess
from runload.ingest.fit import parse_fit
from runload.load.series import Frames, daily_load
from runload.models import Athlete, AthleteData
from builders import garmin_fit, BOOK, T0, run

def fit_with_rpe(rpe_x10: int | None, minutes: int = 10) -> bytes:
    """A 10-minute FIT run (1 s records) whose session carries ``workout_rpe`` (CR-10 x 10)."""
    from fit_tool.profile.messages.activity_message import ActivityMessage
    from fit_tool.profile.messages.record_message import RecordMessage
    from fit_tool.profile.messages.session_message import SessionMessage
    from fit_tool.profile.profile_type import Sport as FSport

    ms = int(T0.timestamp() * 1000)
    b = garmin_fit(ms)
    n = minutes * 60
    for i in range(n + 1):
        r = RecordMessage()
        r.timestamp, r.distance, r.enhanced_speed = ms + i * 1000, i * 3.0, 3.0
        b.add(r)
    s = SessionMessage()
    s.timestamp, s.start_time, s.total_elapsed_time, s.total_timer_time = ms + n * 1000, ms, n, n
    s.total_distance, s.sport = n * 3.0, FSport.RUNNING
    if rpe_x10 is not None:
        s.workout_rpe = rpe_x10
    b.add(s)
    a = ActivityMessage()
    a.timestamp, a.num_sessions = ms + n * 1000, 1
    b.add(a)
    return b.build().to_bytes()


@pytest.mark.slow  # FIT files built with fit-tool
def test_fit_session_rpe_is_read_on_the_cr10_scale() -> None:
    (act,) = parse_fit(fit_with_rpe(70), "rpe.fit")
    assert act.rpe == 7.0
    (fallback,) = parse_fit(fit_with_rpe(45), "rpe.fit", fast=False)  # fitdecode gives the same
    assert fallback.rpe == 4.5
    (none,) = parse_fit(fit_with_rpe(None), "none.fit")
    assert none.rpe is None


@pytest.mark.slow  # a Strava export imported
def test_strava_csv_perceived_exertion_is_imported(tmp_path: Path) -> None:
    from runload.ingest import import_paths
    from runload.store import Store

    export = tmp_path / "export"
    (export / "activities").mkdir(parents=True)
    (export / "activities" / "1.fit.gz").write_bytes(gzip.compress(fit_with_rpe(None), mtime=0))
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["Activity ID", "Activity Date", "Activity Name", "Activity Type", "Filename", "Perceived Exertion"])
    w.writerow(["1", "May 6, 2024, 7:00:00 AM", "Easy", "Run", "activities/1.fit.gz", "6"])
    (export / "activities.csv").write_text(buf.getvalue())
    with Store.open(tmp_path / "s.sqlite") as store:
        store.add_athlete(Athlete("ana", "Ana", timezone="UTC"))
        import_paths(store, "ana", [export])
        (act,) = store.activities("ana")
    assert act.rpe == 6.0


def test_session_load_is_rpe_times_minutes() -> None:
    acts = [run(date(2026, 6, 1), 10, minutes=60, rpe=4), run(date(2026, 6, 2), 8, minutes=45, rpe=None),
            run(date(2026, 6, 3), 10, minutes=50, rpe=7.5)]
    s = daily_load(acts, load="session_load")
    # 4 x 60 = 240; no RPE adds 0 (and is counted); 7.5 x 50 = 375
    assert s.tolist() == [240.0, 0.0, 375.0] and s.attrs["runs_without_rpe"] == 1


def test_steady_distance_with_doubled_rpe_is_found_by_the_session_load_rule() -> None:
    monday = date(2026, 6, 1)
    easy = [run(monday + timedelta(days=7 * w + d), 10, minutes=60, rpe=4) for w in range(4) for d in (0, 2, 4)]
    hard = [run(monday + timedelta(days=28 + d), 10, minutes=60, rpe=8) for d in (0, 2, 4)]
    data = AthleteData(Athlete("ana", "Ana", timezone="UTC"), tuple(easy + hard))
    a = assess(data, BOOK, monday + timedelta(days=34))
    # distance is the same 30 km every week: no distance rule fires
    assert not [f for f in a.findings if f.rule_id in ("weekly-progression", "two-week-progression")]
    found = [f for f in a.current if f.rule_id == "session-load-progression" or
             any(g.rule_id == "session-load-progression" for g in f.supporting)]
    assert found, [f.rule_id for f in a.current]
    f = next(g for top in found for g in (top, *top.supporting) if g.rule_id == "session-load-progression")
    assert f.severity.value == "info" and f.value == 100.0  # 3 x 8 x 60 = 1440 against 720
    assert "session load 1440 (RPE x minutes), +100% on the week before (720)" in f.message
    frames = Frames(data.activities)
    weeks = frames.weekly_load("session_load")
    assert weeks["value"].tolist() == [720.0, 720.0, 720.0, 720.0, 1440.0]
