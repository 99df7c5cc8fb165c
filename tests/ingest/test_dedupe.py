"""Duplicate detection searches a bounded window of start times and still finds every twin."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from runload.ingest import import_paths
from runload.models import Activity, Athlete, Sport
from runload.store import Store

pytestmark = pytest.mark.slow  # thousands of activities against a store

T0 = datetime(2024, 1, 1, tzinfo=timezone.utc)


def _act(start: datetime, seconds: float, tag: str) -> Activity:
    return Activity(start_utc=start, sport=Sport.RUNNING, distance_m=1000.0, timer_s=seconds, elapsed_s=seconds,
                    source_hash=tag, source_file=tag)


def test_bounded_window_returns_the_same_rows_as_a_full_scan(tmp_path: Path) -> None:
    rng = random.Random(11)
    with Store.open(tmp_path / "s.sqlite") as st:
        st.add_athlete(Athlete("a", "A"))
        with st.atomic() as conn:
            for i in range(400):
                start = T0 + timedelta(minutes=rng.randrange(0, 60 * 24 * 60))
                seconds = rng.choice([600, 3600, 5400, 30 * 3600])  # some walks over a day and more
                st.insert_activity(conn, "a", _act(start, seconds, f"h{i}"))
        longest = st.longest_activity_s("a")
        assert longest == 30 * 3600
        for _ in range(200):
            start = T0 + timedelta(minutes=rng.randrange(0, 60 * 24 * 60))
            end = start + timedelta(seconds=rng.choice([60, 3600, 7200]))
            full = st.activities("a", start_utc=start, end_utc=end)
            bounded = st.activities("a", start_utc=start, end_utc=end,
                                    started_from=start - timedelta(seconds=longest))
            assert [a.id for a in bounded] == [a.id for a in full]


def _gpx(start: datetime, minutes: int, lat0: float) -> bytes:
    pts = "".join(
        f'<trkpt lat="{lat0 + i * 2.7e-5:.7f}" lon="18.0"><time>{start + timedelta(seconds=i):%Y-%m-%dT%H:%M:%SZ}'
        "</time></trkpt>" for i in range(minutes * 60))
    return (f'<gpx version="1.1" creator="t" xmlns="http://www.topografix.com/GPX/1/1"><trk><type>running</type>'
            f"<trkseg>{pts}</trkseg></trk></gpx>").encode()


def test_oldest_first_and_newest_first_find_the_same_duplicates(tmp_path: Path) -> None:
    days = [T0 + timedelta(days=3 * i, hours=7) for i in range(12)]
    files = []
    for i, day in enumerate(days):
        for copy in ("a", "b"):  # the same run recorded twice: a second log starting 20 s later
            f = tmp_path / f"{i:02d}{copy}.gpx"
            f.write_bytes(_gpx(day + timedelta(seconds=20 if copy == "b" else 0), 10, 59.3 + (copy == "b") * 1e-5))
            files.append(f)
    # a two-day walk that the second-to-last run lies inside
    walk = tmp_path / "walk.gpx"
    walk.write_bytes(_gpx(days[-2] - timedelta(hours=20), 40 * 60 // 60 * 60, 60.0).replace(
        b"<type>running</type>", b"<type>walking</type>"))
    results = []
    for order in (files + [walk], [walk] + files[::-1]):
        with Store.open(tmp_path / f"{len(results)}.sqlite") as st:
            st.add_athlete(Athlete("a", "A"))
            summary = import_paths(st, "a", order, workers=1)
            stored = st.activities("a")
        results.append((len(summary.duplicates), len(stored),
                        sorted(a.start_utc.replace(second=0) for a in stored if a.start_utc.hour == 7)))
    # twelve second logs, and the run inside the walk (which of the two is kept depends on the order)
    assert results[0][:2] == results[1][:2] == (13, 12)
    assert results[0][2][:10] == results[1][2][:10] == days[:10]
