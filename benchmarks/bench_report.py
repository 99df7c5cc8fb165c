#!/usr/bin/env python3
"""Report speed by format: one athlete with 3 years of runs (each format, and the PNG charts),
and ``runload --help`` (< 0.3 s). benchmarks/bench_assess.py compares the assessment, rosters and
the email run with the previous approach.

    .venv/bin/python benchmarks/bench_report.py
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_assess import END, add_athlete  # the same made-up athletes as the assessment benchmark
from runload.store import Store



def timed(label: str, fn, limit_s: float) -> float:
    t0 = time.perf_counter()
    fn()
    took = time.perf_counter() - t0
    print(f"{label}: {took:.2f} s (target < {limit_s} s) {'ok' if took < limit_s else 'TOO SLOW'}")
    return took


def main() -> int:
    from runload.session import Assessor
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
