#!/usr/bin/env python3
"""The roster's cost beside one Polars query reading the same columns from the same store.

A store of made-up athletes (default 1,000), a year of training each (the athletes of
``bench_assess.py``: 4-5 runs a week, a weekly ride, two shoes, a two-week break, a pain log), is
built once and kept under ``/tmp/runload-bench``. Then, interleaved, ``--rounds`` times each:

- ``runload roster`` for the week ending on the last day of data, as a whole process (Python
  start, imports, rules, reading the store, every assessment, the text): its CPU seconds,
  worker processes included. Its modules' bytecode is cached, as it is for an installed
  runload (pip compiles it at install): under ``/tmp/runload-bench/pycache``, written before the
  first round even where ``PYTHONDONTWRITEBYTECODE`` is set (otherwise every round would compile
  runload's sources again, about 0.3 s of CPU); ``--compile-each-run`` keeps that setting;
- the reference: one Polars query (``polars.read_database_uri`` with the connectorx engine,
  which reads SQLite itself, without a server; with ``--reference sqlite3`` instead
  ``polars.read_database`` over a ``sqlite3`` connection) reading the activity columns the
  roster reads (:data:`runload.store.rows.LOAD_COLUMNS`) for every athlete: the CPU seconds
  of the query alone, in its own process.

It prints the median of each and their ratio (roster / query). Needs ``runload[bench]``.

    .venv/bin/python benchmarks/bench_roster.py [--athletes N] [--rounds R] [--reference connectorx|sqlite3]
        [--src OTHER_CHECKOUT/src] [--compile-each-run]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_assess import END, add_athlete  # noqa: E402  (the same made-up athletes)

CACHE = Path(os.environ.get("RUNLOAD_BENCH_TMP", "/tmp/runload-bench"))
REPO = Path(__file__).resolve().parents[1]
WEEK = (END - timedelta(days=END.weekday())).strftime("%G-W%V")  # the week ending on END


def store_for(n: int) -> Path:
    """The cached store of ``n`` athletes with a year each (built on first use; its name holds
    the schema version: rows an older runload stored would be checked again on every read)."""
    from runload.store import SCHEMA_VERSION, Store

    path = CACHE / f"roster-{n}-schema{SCHEMA_VERSION}.sqlite"
    if path.exists():
        return path

    CACHE.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.unlink(missing_ok=True)
    t0 = time.perf_counter()
    with Store.open(tmp) as store:
        for i in range(n):
            add_athlete(store, f"a{i:05d}", 365, 100 + i)
    tmp.rename(path)
    print(f"(built {path} in {time.perf_counter() - t0:.0f} s)")
    return path


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def bytecode_env(compile_each_run: bool) -> dict[str, str]:
    """The environment that runs runload with its bytecode cached under :data:`CACHE` (as an
    installed runload's is); the caller's own with ``compile_each_run``."""
    if compile_each_run:
        return dict(os.environ)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(CACHE / "pycache")
    return env


def roster_cpu(path: Path, src: Path, base_env: dict[str, str], *only: str) -> float:
    """CPU seconds of one whole ``runload roster`` process (and its workers), with the runload
    of ``src``, the bundled rules and no config file."""
    with tempfile.TemporaryDirectory() as home:
        env = {**base_env, "RUNLOAD_TODAY": END.isoformat(), "RUNLOAD_RULES": str(src.parent / "rules"),
               "XDG_CONFIG_HOME": home, "PYTHONPATH": str(src)}
        env.pop("RUNLOAD_CONFIG", None)
        before = _children_cpu()
        subprocess.run([sys.executable, "-m", "runload", "roster", "--store", str(path), "--week", WEEK,
                        "--format", "csv", "-o", os.devnull, *(x for a in only for x in ("--athlete", a))],
                       env=env, check=True, stdout=subprocess.DEVNULL)
        return _children_cpu() - before


def query_cpu(path: Path, reference: str) -> float:
    """CPU seconds of the reference query, measured in its own process."""
    out = subprocess.run([sys.executable, __file__, "--query", str(path), "--reference", reference],
                         check=True, capture_output=True, text=True).stdout
    return float(json.loads(out.strip().splitlines()[-1])["cpu"])


def run_query(path: Path, reference: str) -> None:
    """The reference query, printed as JSON: its CPU seconds and the rows it read."""
    import polars as pl

    from runload.store.rows import LOAD_COLUMNS

    sql = f"SELECT athlete_id, {', '.join(LOAD_COLUMNS)} FROM activities ORDER BY athlete_id, start_utc, leg_index"
    c0 = time.process_time()
    if reference == "connectorx":
        frame = pl.read_database_uri(sql, f"sqlite://{path}", engine="connectorx")
    else:
        import sqlite3

        with sqlite3.connect(path) as conn:
            frame = pl.read_database(sql, conn)
    cpu = time.process_time() - c0
    print(json.dumps({"cpu": cpu, "rows": frame.height}))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--athletes", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--reference", choices=("connectorx", "sqlite3"), default="connectorx")
    parser.add_argument("--src", type=Path, default=REPO / "src",
                        help="the runload to time (another checkout's src/; default: this one)")
    parser.add_argument("--compile-each-run", action="store_true",
                        help="keep PYTHONDONTWRITEBYTECODE if set: each round compiles runload's sources")
    parser.add_argument("--query", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.query:
        run_query(Path(args.query), args.reference)
        return 0
    try:
        import connectorx  # noqa: F401
        import polars  # noqa: F401
    except ImportError:
        print("bench_roster: skipped, the reference query needs polars and connectorx: pip install -e '.[bench]'")
        return 0
    path = store_for(args.athletes)
    env = bytecode_env(args.compile_each_run)
    roster_cpu(path, args.src, env, "a00000")  # untimed: what it imports is compiled and cached now
    roster, query = [], []
    for _ in range(args.rounds):  # interleaved: the machine's load falls on both alike
        roster.append(roster_cpu(path, args.src, env))
        query.append(query_cpu(path, args.reference))
    r, q = statistics.median(roster), statistics.median(query)
    cached = "compiled in each run" if args.compile_each_run and os.environ.get("PYTHONDONTWRITEBYTECODE") else "cached"
    print(f"{args.athletes} athletes x 1 year, week {WEEK}, {args.rounds} interleaved rounds (medians), "
          f"runload's bytecode {cached}:")
    print(f"  runload roster (whole process, CPU): {r:.2f} s   [{', '.join(f'{x:.2f}' for x in roster)}]")
    print(f"  one Polars query, same columns ({args.reference}): {q:.3f} s   [{', '.join(f'{x:.3f}' for x in query)}]")
    print(f"  ratio roster / query: {r / q:.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
