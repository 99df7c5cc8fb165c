#!/usr/bin/env python3
"""Report speed by format: one athlete with 3 years of runs (each format, and the PNG charts),
``runload --help`` (< 0.3 s), and two ratios against a reference measured in the same run:

- the HTML report (every chart inlined as SVG) against the text report of the same athlete and
  week, each built from a fresh assessment as ``runload report`` does (CPU seconds, the two
  interleaved, medians of 5; target at most 2x);
- the weekly email run (100 athletes + 10 coaches, written to an outbox: each athlete's summary
  with its PNG charts, each coach's roster) per athlete against the roster of the same 100
  athletes per athlete (CPU seconds of this process and its workers, interleaved, medians of 5;
  target at most 3x). Each email run starts cold, as a weekly run (a fresh process) does: the
  templates, fonts and drawn labels an earlier round left in this process are dropped first
  (:func:`forget`). The PNG charts are about half of what the email run adds to the roster,
  and much of that is per pixel in Pillow (the palette mapping and zlib take about as long
  as the painting itself).

benchmarks/bench_assess.py compares the assessment, rosters and the email run with the previous
approach.

    .venv/bin/python benchmarks/bench_report.py          # RUNLOAD_BENCH_ATHLETES=20 for a quick look
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path

from bench_assess import END, add_athlete, store_for  # the same made-up athletes as the assessment benchmark

from runload.calendar import week_period
from runload.mail.job import plan, run
from runload.report import html, raster, render
from runload.report.build import report_for
from runload.report.charts import write_pngs
from runload.report.roster import build_roster
from runload.report.text import render_roster_text
from runload.session import Assessor
from runload.store import Store

REPEAT = 5
ATHLETES = int(os.environ.get("RUNLOAD_BENCH_ATHLETES", "100"))
WEEK = END - timedelta(days=END.weekday())


def timed(label: str, fn: Callable[[], object], limit_s: float) -> float:
    t0 = time.perf_counter()
    fn()
    took = time.perf_counter() - t0
    print(f"{label}: {took:.2f} s (target < {limit_s} s) {'ok' if took < limit_s else 'TOO SLOW'}")
    return took


def cpu() -> float:
    """CPU seconds of this process and of its finished children (the mail run's workers)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def interleaved(fns: dict[str, Callable[[], object]], repeat: int = REPEAT) -> dict[str, float]:
    """Median CPU seconds of each function, run in turn ``repeat`` times."""
    runs: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(repeat):
        for name, fn in fns.items():
            c0 = cpu()
            fn()
            runs[name].append(cpu() - c0)
    return {name: statistics.median(v) for name, v in runs.items()}


def ratio_line(label: str, got: float, target: float) -> bool:
    ok = got <= target
    print(f"{label}: {got:.1f}x (target at most {target:g}x) {'ok' if ok else 'TOO SLOW'}")
    return not ok


def html_against_text(store: Store) -> bool:
    def report(fmt: str) -> Callable[[], object]:
        return lambda: render(report_for(Assessor(store), "three-years", week=END, today=END), fmt)

    med = interleaved({"text": report("text"), "html": report("html")})
    print(f"report of 3 years, CPU medians of {REPEAT}: text {med['text']:.3f} s, html {med['html']:.3f} s")
    return ratio_line("HTML report / text report (same athlete and week)", med["html"] / med["text"], 2.0)


def forget() -> None:
    """Drop what this process keeps from an earlier run (the report's templates, the chart fonts,
    drawn labels and markers): each timed email run pays for them as a weekly run, a fresh
    process, does. Imported modules stay, as for the roster (and pandas for both), and so do the
    compiled templates runload keeps on disk (a weekly run finds last week's run's)."""
    html._env.cache_clear()
    for name in ("_font", "_label", "_label_small", "_placed", "_marker", "_solid", "_opacities", "_palette"):
        cached = getattr(raster, name, None)
        if cached is not None:
            cached.cache_clear()


def email_against_roster(n: int) -> bool:
    def build(s: Store) -> None:
        for i in range(n):
            add_athlete(s, f"a{i:04d}", 365, 100 + i, email=True)
        for k in range(n // 10):
            s.add_coach(f"coach{k}", f"coach{k}@example.org", f"Coach {k}", [f"a{i:04d}" for i in range(k * 10, k * 10 + 10)])

    path = store_for("now", f"email{n}", build)

    def email() -> None:
        forget()
        with Store.open(path) as store, tempfile.TemporaryDirectory() as out:
            planned = plan(store, week=WEEK, now=datetime(2026, 6, 29, 6, tzinfo=timezone.utc))
            result = run(store, planned, mail_from="runload@example.net", outbox=Path(out))
            assert len(result.written) == n + n // 10, len(result.written)

    def roster() -> None:
        with Store.open(path) as store:
            render_roster_text(build_roster(Assessor(store), week_period(WEEK), today=END))

    med = interleaved({"roster": roster, "email": email})
    print(f"{n} athletes + {n // 10} coaches, CPU medians of {REPEAT}: roster {med['roster'] / n:.3f} s an athlete, "
          f"email run {med['email'] / n:.3f} s an athlete")
    return ratio_line("email run / roster, per athlete", med["email"] / med["roster"], 3.0)


def main() -> int:
    slow = False
    with tempfile.TemporaryDirectory() as tmp:
        store = Store.open(Path(tmp) / "one.sqlite")
        add_athlete(store, "three-years", 3 * 365, 1)

        def build_report() -> object:
            return report_for(Assessor(store), "three-years", week=END, today=END)

        print(f"one athlete: {store.activity_count('three-years')} activities over 3 years")
        # a first report pays for importing pandas and the rules once; measured apart
        timed("first report in a fresh process (imports included), text", lambda: render(build_report(), "text"), 10)
        for fmt in ("text", "json", "html"):
            slow |= timed(f"report {fmt}{' with 7 charts' if fmt == 'html' else ''}",
                          lambda fmt=fmt: render(build_report(), fmt), 2.0) >= 2.0
        slow |= timed("report + 7 PNG charts", lambda: write_pngs(build_report(), Path(tmp) / "charts"), 2.0) >= 2.0
        slow |= html_against_text(store)
        store.close()
    slow |= email_against_roster(ATHLETES)

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
