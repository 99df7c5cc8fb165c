#!/usr/bin/env python3
"""`runload evaluate` on the whole Lövdal data (both layouts), beside one assess() per row
computed naively.

Goal: both layouts in under 5 minutes on 2 cores. The evaluation judges each row on its own
window, with the rules the rows can judge (runload.evaluate.needs), on the local engine (one
process per core). The naive figure is one assess() per row with every rule, one process, timed
on a sample of rows and scaled to all of them. The machine is shared: CPU seconds are printed
beside wall seconds.

    .venv/bin/python benchmarks/bench_evaluate.py                   # everything (minutes)
    .venv/bin/python benchmarks/bench_evaluate.py --athletes 1 --rows 200 --workers 1   # a slice
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from dataclasses import replace


def cpu_seconds() -> float:
    """CPU seconds of this process and its finished children."""
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def main(argv: list[str] | None = None) -> dict[str, dict[str, float]]:
    from runload.assess import assess
    from runload.batch.engines import make_engine
    from runload.evaluate import lovdal
    from runload.evaluate.evaluation import evaluate
    from runload.evaluate.judge import books_by_weekday
    from runload.rules.book import Rulebook

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--athletes", type=int, help="only the first N athletes")
    ap.add_argument("--rows", type=int, help="only the first N rows (after --athletes)")
    ap.add_argument("--workers", type=int, help="local engine processes (default: one per core)")
    ap.add_argument("--naive-rows", type=int, default=300, help="rows the naive figure is timed on")
    args = ap.parse_args(argv)
    book = Rulebook.load(config={})
    out: dict[str, dict[str, float]] = {}
    total_wall = 0.0
    print(f"cores: {os.cpu_count()}; load average: {os.getloadavg()[0]:.1f}")
    for layout in lovdal.LAYOUTS:
        lab = lovdal.read(layout, lovdal.default_path(layout), athletes=args.athletes)
        if args.rows:
            lab = replace(lab, cases=lab.cases.split(args.rows)[0])
        engine = make_engine("local", workers=args.workers)
        wall, cpu = time.perf_counter(), cpu_seconds()
        try:
            ev = evaluate(lab, book, engine=engine)
        finally:
            engine.close()
        wall, cpu = time.perf_counter() - wall, cpu_seconds() - cpu
        total_wall += wall
        # naive: every rule, one process, one assess() per row
        books = books_by_weekday(book)
        sample = list(lab.cases.split(args.naive_rows)[0])
        t, c = time.perf_counter(), time.process_time()
        for case in sample:
            for day in case.days:
                assess(case.data, books[case.first_weekday], day)
        n = max(1, len(sample))
        per_row, cpu_row = (time.perf_counter() - t) / n, (time.process_time() - c) / n
        naive = per_row * ev.days
        out[layout] = {"rows": ev.days, "wall_s": wall, "cpu_s": cpu, "naive_s": naive,
                       "naive_ms_per_row": per_row * 1e3, "naive_cpu_ms_per_row": cpu_row * 1e3}
        print(f"{layout}: {ev.days:,} rows in {wall:.1f} s wall, {cpu:.1f} s CPU ({1e3 * cpu / ev.days:.2f} ms CPU "
              f"a row); naive (every rule, one process): {1e3 * per_row:.1f} ms wall, {1e3 * cpu_row:.1f} ms CPU a "
              f"row, {naive:.0f} s wall for these rows")
    print(f"both layouts: {total_wall:.1f} s wall (goal: under 300 s on 2 cores)")
    return out


if __name__ == "__main__":
    main(sys.argv[1:])
