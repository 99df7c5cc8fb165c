#!/usr/bin/env python3
"""Report speed by format: one athlete with 3 years of runs (each format, and the PNG charts),
and ``runload --help`` (< 0.3 s). benchmarks/bench_assess.py compares the assessment, rosters and
the email run with the previous approach.

    .venv/bin/python benchmarks/bench_report.py
"""

from __future__ import annotations

import random
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from runload.models import Activity, Athlete, PainEntry, Sport
from runload.store import Store

END = date(2026, 6, 28)


def add_athlete(store: Store, athlete_id: str, days: int, seed: int) -> None:
    """``days`` of training up to END: 4-5 runs a week with some variety, a weekly ride, two
    shoes, a two-week break, and a pain log in the last month."""
    rnd = random.Random(seed)
    store.add_athlete(Athlete(athlete_id, f"Runner {athlete_id}", timezone="Europe/Berlin"))
    start = END - timedelta(days=days - 1)
    with store.atomic() as conn:
        for i in range(days):
            day = start + timedelta(days=i)
            if days - 200 <= i < days - 186:
                continue  # a break with nothing recorded
            t = datetime(day.year, day.month, day.day, 6, tzinfo=timezone.utc)
            if rnd.random() < 0.65:
                km = rnd.uniform(5, 12) * (1.8 if day.weekday() == 6 else 1.0)
                store.insert_activity(conn, athlete_id, Activity(
                    t, Sport.RUNNING, km * 1000, timer_s=km * rnd.uniform(290, 360), utc_offset_s=7200,
                    avg_hr_bpm=rnd.uniform(135, 165), gear="Shoe A" if i % 2 else "Shoe B",
                    source_hash=f"{athlete_id}-r{i}"))
            if day.weekday() == 3:
                store.insert_activity(conn, athlete_id, Activity(
                    t + timedelta(hours=10), Sport.CYCLING, 30000, timer_s=3600, utc_offset_s=7200,
                    source_hash=f"{athlete_id}-c{i}"))
    store.add_pain_entries(athlete_id, [
        PainEntry(END - timedelta(days=d), side="left", pain_during=rnd.randint(0, 5), pain_after=rnd.randint(0, 5),
                  pain_next_morning=rnd.randint(0, 3)) for d in range(0, 28, 3)])


def timed(label: str, fn, limit_s: float) -> float:
    t0 = time.perf_counter()
    fn()
    took = time.perf_counter() - t0
    print(f"{label}: {took:.2f} s (target < {limit_s} s) {'ok' if took < limit_s else 'TOO SLOW'}")
    return took


def main() -> int:
    from runload.assessments import Assessor
    from runload.report import render
    from runload.report.build import report_for

    def build_report(store, athlete_id):
        return report_for(Assessor(store), athlete_id, week=END, today=END)

    slow = False
    with tempfile.TemporaryDirectory() as tmp:
        store = Store.open(Path(tmp) / "one.sqlite")
        add_athlete(store, "three-years", 3 * 365, 1)
        print(f"one athlete: {store.activity_count('three-years')} activities over 3 years")
        # a first report pays for importing pandas, matplotlib and the rules once; measured apart
        timed("first report in a fresh process (imports included), text", lambda: render(
            build_report(store, "three-years"), "text"), 10)
        for fmt in ("text", "json", "html"):
            slow |= timed(f"report {fmt}{' with 7 charts' if fmt == 'html' else ''}",
                          lambda: render(build_report(store, "three-years"), fmt), 2.0) >= 2.0
        slow |= timed("report + 7 PNG charts", lambda: __import__("runload.report.charts", fromlist=["x"]).write_pngs(
            build_report(store, "three-years"), Path(tmp) / "charts"), 2.0) >= 2.0
        store.close()

    runs = []
    for _ in range(5):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "runload", "--help"], check=True, capture_output=True)
        runs.append(time.perf_counter() - t0)
    best = min(runs)
    print(f"runload --help: best of 5 {best:.3f} s, median {sorted(runs)[2]:.3f} s (target < 0.3 s) "
          f"{'ok' if best < 0.3 else 'TOO SLOW'}")
    slow |= best >= 0.3
    return 1 if slow else 0


if __name__ == "__main__":
    sys.exit(main())
