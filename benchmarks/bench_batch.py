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

``--per-athlete`` measures only the per-athlete CPU (in ``--rounds`` fresh processes; the figure
is the median of their medians); ``--compare REV`` runs the same measurement with the runload of
git revision REV in alternating processes of the same invocation and prints the ratio:

    .venv/bin/python benchmarks/bench_batch.py --athletes 200 --buckets 4 --per-athlete --compare 034c504
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


def _tree_of(rev: str) -> Path:
    """The source of git revision ``rev`` (``src`` and ``rules``), unpacked once into the cache."""
    import subprocess
    import tarfile

    repo = Path(__file__).resolve().parents[1]
    commit = subprocess.run(["git", "-C", str(repo), "rev-parse", "--verify", f"{rev}^{{commit}}"], check=True,
                            capture_output=True, text=True).stdout.strip()
    tree = CACHE / f"tree-{commit[:12]}"
    if not (tree / "src" / "runload").is_dir():
        tree.mkdir(parents=True, exist_ok=True)
        archive = tree.with_suffix(".tar")
        subprocess.run(["git", "-C", str(repo), "archive", "-o", str(archive), commit, "src", "rules"], check=True)
        with tarfile.open(archive) as tar:
            tar.extractall(tree, filter="data")
        archive.unlink()
    return tree


def _per_athlete_in(tree: Path, ds_url: str) -> dict[str, float]:
    """:func:`per_athlete_cpu` in a fresh process with the runload of ``tree``."""
    import json
    import subprocess
    import tempfile

    env = dict(os.environ)
    env.pop("RUNLOAD_CONFIG", None)
    env["PYTHONPATH"] = str(tree / "src")
    env["RUNLOAD_RULES"] = str(tree / "rules")
    with tempfile.TemporaryDirectory() as home:
        env["XDG_CONFIG_HOME"] = home
        r = subprocess.run([sys.executable, __file__, "--driver", ds_url], env=env, capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit(f"per-athlete run with {tree} failed:\n{r.stderr[-2000:]}")
    return json.loads(r.stdout.strip().splitlines()[-1])


def per_athlete_report(ds, rounds: int, compare: str | None) -> int:
    """The per-athlete CPU in ``rounds`` fresh processes (with ``compare``: alternating with the
    runload of that revision), medians and the ratio."""
    here = Path(__file__).resolve().parents[1]
    sides = [("now", here)] + ([(compare, _tree_of(compare))] if compare else [])
    got: dict[str, list[dict[str, float]]] = {name: [] for name, _ in sides}
    for _ in range(rounds):
        for name, tree in sides:
            got[name].append(_per_athlete_in(tree, ds.url))
    med = {name: {k: statistics.median(r[k] for r in runs) for k in runs[0]} for name, runs in got.items()}
    for name, m in med.items():
        print(f"{name}: per athlete ({m['activities']:.0f} activities, a year), median CPU over {rounds} processes: "
              f"rows to data {m['read_ms']:.1f} ms + assess {m['assess_ms']:.1f} ms + roster line "
              f"{m['roster_line_ms']:.1f} ms; assess target < 20 ms {'ok' if m['assess_ms'] < 20 else 'NOT MET'}")
    if compare:
        print(f"assess CPU {compare} / now = {med[compare]['assess_ms'] / med['now']['assess_ms']:.2f}x "
              f"({med[compare]['assess_ms']:.1f} ms -> {med['now']['assess_ms']:.1f} ms)")
    return 0 if med["now"]["assess_ms"] < 20 else 1


def _driver(ds_url: str) -> None:
    import json

    from runload.batch.layout import Dataset
    from runload.calendar import week_period
    from runload.rules.book import Rulebook

    period = week_period(END - timedelta(days=END.weekday()))
    print(json.dumps(per_athlete_cpu(Dataset.open(ds_url), Rulebook.load(), period)))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--athletes", type=int, default=int(os.environ.get("RUNLOAD_BENCH_ATHLETES", "1000")))
    ap.add_argument("--buckets", type=int, default=32)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--serial-buckets", type=int, default=2, help="buckets the serial engine computes")
    ap.add_argument("--per-athlete", action="store_true", help="only the per-athlete CPU, in fresh processes")
    ap.add_argument("--rounds", type=int, default=5, help="processes per side with --per-athlete")
    ap.add_argument("--compare", metavar="REV", help="with --per-athlete: beside the runload of git revision REV")
    args = ap.parse_args()
    if args.per_athlete:
        ds, _ = dataset_for(args.athletes, args.buckets, args.workers)
        return per_athlete_report(ds, args.rounds, args.compare)

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
    if len(sys.argv) == 3 and sys.argv[1] == "--driver":
        _driver(sys.argv[2])
        sys.exit(0)
    sys.exit(main())
