#!/usr/bin/env python3
"""runload batch on a simulated roster: a Dask LocalCluster(2) beside the serial path.

A roster of made-up athletes (default 1,000; ``--athletes 10000`` for the full run), a year of
training each (4-5 runs a week, a weekly ride, a two-week break, a pain log: the made-up athletes
of ``bench_assess.py``), is written straight into a dataset (kept in ``~/.cache/runload-bench``
and reused). Then:

- per-athlete CPU in this process: reading the athlete's rows, :func:`runload.assess.assess`
  (target < 20 ms for a year), and the roster line;
- ``compute`` with the serial engine over a few buckets (its figure scaled to the roster);
- ``compute`` on a Dask LocalCluster of 2 single-threaded workers over every bucket; the
  cluster's roster lines for the serial buckets must equal the serial ones;
- ``compute --dirty`` with nothing changed (what a weekly re-run costs when inputs are still);
- the extrapolation to 100,000 athletes on N machines from the measured CPU per athlete.

    .venv/bin/python benchmarks/bench_batch.py [--athletes N] [--buckets B] [--workers W]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_assess import END, add_athlete  # noqa: E402  (the same made-up athletes)

CACHE = Path(os.environ.get("RUNLOAD_BENCH_CACHE", Path.home() / ".cache" / "runload-bench"))


def _generate(shared: tuple, unit: tuple) -> int:
    """Write one bucket of made-up athletes straight into the dataset (the store's row
    mapping, through an in-memory store: no files are parsed)."""
    from runload.batch.rows import STORE_TABLES, columns, select_rows
    from runload.store import Store

    ds, days = shared
    bucket, ids = unit
    with Store.open(":memory:") as st:
        for aid, seed in ids:
            add_athlete(st, aid, days, seed)
        for t in ("athletes", "pain", "activities"):
            ds.write_rows(ds.table_path(t, bucket), select_rows(st.conn, STORE_TABLES[t], [a for a, _ in ids]),
                          columns(st.conn, STORE_TABLES[t]))
    return len(ids)


def dataset_for(n: int, buckets: int, workers: int) -> tuple[object, float | None]:
    from runload.batch.engines import ProcessEngine
    from runload.batch.layout import Dataset, bucket_of

    path = CACHE / f"batch-{n}-{buckets}"
    if (path / "complete").exists():
        return Dataset.open(str(path)), None
    import shutil

    shutil.rmtree(path, ignore_errors=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    ds = Dataset.create(str(path), buckets)
    per: dict[int, list[tuple[str, int]]] = {}
    for i in range(n):
        aid = f"a{i:06d}"
        per.setdefault(bucket_of(aid, buckets), []).append((aid, 100 + i))
    t0 = time.perf_counter()
    ProcessEngine(workers).map(_generate, sorted(per.items()), (ds, 365))
    took = time.perf_counter() - t0
    (path / "complete").write_text("ok\n")
    return ds, took


def per_athlete_cpu(ds, book, period, sample: int = 40) -> dict[str, float]:
    """Median CPU ms per athlete in this process: rows to plain data, assess, roster line."""
    from runload.assess import assess
    from runload.batch.rows import athlete_data
    from runload.report.build import build_report, judged_day
    from runload.report.roster import roster_row

    day = judged_day(period, END)
    tables = {t: ds.bucket_rows(t, 0) for t in ("athletes", "activities", "pain")}
    ids = [r["id"] for r in tables["athletes"]][:sample]
    by = {t: {} for t in ("activities", "pain")}
    for t in by:
        for r in tables[t]:
            by[t].setdefault(r["athlete_id"], []).append(r)
    athletes = {r["id"]: r for r in tables["athletes"]}
    read, judge, line, acts = [], [], [], []
    assess(athlete_data(athletes[ids[0]], by["activities"][ids[0]], by["pain"].get(ids[0], []), [], day), book, day)
    for aid in ids:
        c0 = time.process_time()
        data = athlete_data(athletes[aid], by["activities"].get(aid, []), by["pain"].get(aid, []), [], day)
        c1 = time.process_time()
        a = assess(data, book, day)
        c2 = time.process_time()
        roster_row(build_report(a, period), END)
        c3 = time.process_time()
        read.append(c1 - c0)
        judge.append(c2 - c1)
        line.append(c3 - c2)
        acts.append(len(data.activities))
    return {"read_ms": 1000 * statistics.median(read), "assess_ms": 1000 * statistics.median(judge),
            "roster_line_ms": 1000 * statistics.median(line), "activities": statistics.median(acts)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--athletes", type=int, default=int(os.environ.get("RUNLOAD_BENCH_ATHLETES", "1000")))
    ap.add_argument("--buckets", type=int, default=32)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--serial-buckets", type=int, default=2, help="buckets the serial engine computes")
    args = ap.parse_args()

    from runload.batch import jobs
    from runload.batch.engines import DaskEngine, SerialEngine
    from runload.batch.tasks import roster_row_of
    from runload.calendar import week_period
    from runload.rules.book import Rulebook

    book = Rulebook.load()
    period = week_period(END - timedelta(days=END.weekday()))
    ds, gen_s = dataset_for(args.athletes, args.buckets, args.workers)
    st = jobs.status(ds)
    n = st["rows"]["athletes"]
    print(f"dataset: {n:,} athletes x 1 year, {st['rows']['activities']:,} activities, {ds.buckets} buckets "
          f"({'generated in %.0f s' % gen_s if gen_s is not None else 'cached'}: {ds.url})")
    print(f"machine: {os.cpu_count()} cores (shared); week {period.label}, judged on {END}")

    cpu = per_athlete_cpu(ds, book, period)
    total = cpu["read_ms"] + cpu["assess_ms"] + cpu["roster_line_ms"]
    print(f"per athlete ({cpu['activities']:.0f} activities, a year), median CPU: rows to data "
          f"{cpu['read_ms']:.1f} ms + assess {cpu['assess_ms']:.1f} ms + roster line {cpu['roster_line_ms']:.1f} ms "
          f"= {total:.1f} ms; assess target < 20 ms {'ok' if cpu['assess_ms'] < 20 else 'NOT MET'}")

    # serial: a few buckets, scaled to the roster
    from runload.batch.tasks import ComputeJob, compute_bucket

    job = ComputeJob(ds, book, jobs.rules_digest(book), period, END, "bench")
    serial_buckets = list(range(min(args.serial_buckets, ds.buckets)))
    t0, c0 = time.perf_counter(), time.process_time()
    parts = SerialEngine().map(compute_bucket, serial_buckets, job)
    s_wall, s_cpu = time.perf_counter() - t0, time.process_time() - c0
    s_n = sum(p["athletes"] for p in parts)
    serial_rows = {b: ds.read_rows(f"{ds.results_dir(period.start.isoformat(), b)}/roster.parquet")
                   for b in serial_buckets}
    print(f"serial engine: {s_n} athletes ({len(serial_buckets)} buckets) in {s_wall:.1f} s wall, {s_cpu:.1f} s CPU "
          f"= {1000 * s_wall / s_n:.1f} ms per athlete; the whole roster would take {s_wall / s_n * n:.0f} s")

    t0 = time.perf_counter()
    eng = DaskEngine(workers=args.workers)
    start_s = time.perf_counter() - t0
    try:
        before = eng.client.run(time.process_time)
        t0 = time.perf_counter()
        out = jobs.compute(ds, eng, book, period, END)
        d_wall = time.perf_counter() - t0
        d_cpu = sum(eng.client.run(time.process_time).values()) - sum(before.values())
        t0 = time.perf_counter()
        idle = jobs.compute(ds, eng, book, period, END, dirty=True)
        i_wall = time.perf_counter() - t0
    finally:
        eng.close()
    assert out["athletes"] == n and out["errors"] == 0, out
    assert idle["buckets_computed"] == 0, idle
    same = all([roster_row_of(r["row"]) for r in rows] == [roster_row_of(r["row"]) for r in ds.read_rows(
        f"{ds.results_dir(period.start.isoformat(), b)}/roster.parquet")] for b, rows in serial_rows.items())
    per = d_cpu / n  # worker CPU seconds per athlete on the cluster (reading, assessing, writing)
    print(f"dask LocalCluster({args.workers}) (started in {start_s:.1f} s): {n:,} athletes in {d_wall:.1f} s wall, "
          f"{d_cpu:.1f} s worker CPU = {1000 * per:.1f} CPU ms per athlete; {n / d_wall:.0f} athletes/s "
          f"(the serial engine: {s_n / s_wall:.0f} athletes/s)")
    print(f"compute --dirty with nothing changed: {i_wall:.1f} s ({idle['buckets_unchanged']} buckets unchanged)")
    print(f"roster lines of the serial buckets equal the cluster's: {'yes' if same else 'NO'}")
    print("extrapolated from the CPU per athlete, on dedicated cores (wall figures here are of a shared machine):")
    for machines, cores in ((1, 2), (1, 16), (10, 16), (50, 16)):
        minutes = 100_000 * per / (machines * cores) / 60
        print(f"  100,000 athletes x 1 year on {machines} machine(s) x {cores} cores: {minutes:.1f} min "
              f"({100_000 * per / 3600:.1f} CPU-hours in all)")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
