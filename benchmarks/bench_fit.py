"""Benchmark: importing FIT files against hashing the same bytes (sha256 over each file).

Every figure is CPU seconds (user + system), measured in one run with the reference, interleaved
round by round; the medians of ``--rounds`` rounds (at least 5) are printed, and each ratio is a
median over the ratios of the rounds:

- hashing: ``hashlib.sha256`` over each file's bytes, the files already in memory (the reference);
- whole process: ``python -m runload import`` of the folder into a new store, the import's worker
  processes included (start-up, listing, parsing, the store's writes). runload's modules are
  compiled to bytecode first and read from it, as an installed runload's are (pip compiles them):
  with ``PYTHONDONTWRITEBYTECODE`` set, every run would compile them again;
- start-up: ``python -m runload import`` of an empty folder (the interpreter, the command line,
  the store and whatever the import loads before it finds a file);
- worker only: ``parse_fit`` over each file's bytes in this process (what a worker does per file),
  and the two parts of it: the fast reader (``read_fit_fast``) and building the activities;
- the workers' part: each file read from disk, recognised, hashed, parsed and its result pickled
  as a worker does (``runload.ingest.pool``; laps the store's door keeps as they are are written
  there as the store's text of them, ``runload.ingest.packing``), once, in a fresh process (after
  ten files to warm it, as a worker after its first files): the files are new to the process's
  caches, as to a worker's;
- the reader walking one message at a time (``read_fit_fast(bulk=False)``, as before runs of
  messages were taken at once), and ``parse_fit`` with it, for comparison.

The files are the FIT corpus of ``bench_import.py`` (runs of 70 to 110 minutes written by
fit-tool, 1 s records with running dynamics, 1 km laps; cached in $RUNLOAD_BENCH_CACHE).

With ``--compare SRC`` (the ``src`` folder of another runload checkout, an older commit say),
that runload's whole-process import and workers' part are timed in the same rounds, right after
or before this one's (the order alternates), and the ratios are printed: on a busy machine, two
runs of this script minutes apart differ more than the change being measured.

Usage: python benchmarks/bench_fit.py [--files 300] [--rounds 5] [--compare ../old/src]
"""

from __future__ import annotations

import argparse
import compileall
import hashlib
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_import import build_fit_corpus  # noqa: E402 - the corpus is bench_import's

import runload  # noqa: E402
from runload.ingest.fit import activities_from_fit, parse_fit  # noqa: E402
from runload.ingest.fitfast import read_fit_fast  # noqa: E402


def _cpu(fn: Callable[[], object]) -> float:
    t = time.process_time()
    fn()
    return time.process_time() - t


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def _children_faults() -> int:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_minflt


def whole_import(folder: Path, src: Path | None = None) -> tuple[float, float, int, int]:
    """CPU seconds (the import and its workers) and wall seconds of one import into a new store,
    how many activities it stored and the minor page faults it took (a forked worker whose
    allocator gives memory back after each file faults every file's pages in again); ``src``: the
    runload source folder to run instead of this one."""
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "RUNLOAD_STORE": str(Path(tmp) / "bench.sqlite")}
        if src is not None:
            env["PYTHONPATH"] = str(src)
        env.pop("PYTHONDONTWRITEBYTECODE", None)  # read the bytecode compiled in main(), as installed
        subprocess.run([sys.executable, "-m", "runload", "athlete", "add", "bench", "--name", "Bench",
                        "--timezone", "Europe/Stockholm"], env=env, check=True, capture_output=True)
        before, faults = _children_cpu(), _children_faults()
        t = time.perf_counter()
        res = subprocess.run([sys.executable, "-m", "runload", "import", "--athlete", "bench", str(folder), "--json"],
                             env=env, capture_output=True, text=True)
        wall = time.perf_counter() - t
        cpu = _children_cpu() - before
        if res.returncode not in (0, 1):
            sys.exit(f"import failed ({res.returncode}): {res.stderr[-2000:]}")
        return cpu, wall, int(json.loads(res.stdout)["activities"]), _children_faults() - faults


_WORKERS_PART = r"""
import gc, pickle, sys, time
from pathlib import Path
from runload.ingest import pool
pool.load_readers(["fit"])
pool._init_worker(frozenset())  # as a worker starts: its allocator keeps freed memory for the next file
files = sorted(Path(sys.argv[1]).rglob("*.fit"))
for path in files[:10]:
    pickle.dumps(pool._parse_task(path.name, "fit", path, None))
gc.freeze()
t = time.process_time()
for path in files[10:]:
    pickle.dumps(pool._parse_task(path.name, "fit", path, None))
print(time.process_time() - t)
"""


def workers_part(folder: Path, src: Path | None = None) -> float:
    """CPU seconds of what the import's workers do with each file after the first ten (see the
    module's docstring), in a fresh process; ``src``: the runload source folder to run instead."""
    env = dict(os.environ)
    if src is not None:
        env["PYTHONPATH"] = str(src)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    done = subprocess.run([sys.executable, "-c", _WORKERS_PART, str(folder)], env=env, capture_output=True,
                          text=True, check=True)
    return float(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--compare", type=Path, default=None,
                        help="the src folder of another runload checkout, imported in the same rounds")
    args = parser.parse_args()
    rounds = max(5, args.rounds)
    compileall.compile_dir(Path(runload.__file__).parent, quiet=1)  # as pip does for an installed runload
    if args.compare is not None:
        compileall.compile_dir(args.compare / "runload", quiet=1)
    corpus, _, _ = build_fit_corpus(args.files)
    files = sorted(corpus.rglob("*.fit"))
    datas = [(f.name, f.read_bytes()) for f in files]
    mb = sum(len(d) for _, d in datas) / 1e6
    print(f"{len(files)} FIT files, {mb:.0f} MB ({corpus}); {os.cpu_count()} cores; CPU seconds, "
          f"medians of {rounds} interleaved rounds")

    def hashing() -> None:
        for _, data in datas:
            hashlib.sha256(data).digest()

    def parse() -> None:
        for name, data in datas:
            parse_fit(data, name)

    def read() -> None:
        for _, data in datas:
            read_fit_fast(data)

    def build() -> None:
        for name, fd in read_all:
            activities_from_fit(fd, name)

    def read_step() -> None:
        for _, data in datas:
            read_fit_fast(data, bulk=False)

    def parse_step() -> None:
        for name, data in datas:
            activities_from_fit(read_fit_fast(data, bulk=False), name)

    read_all = [(name, read_fit_fast(data)) for name, data in datas]
    parse()  # warm: imports and the layout cache, as in a worker after its first file
    rows: dict[str, list[float]] = {k: [] for k in ("hash", "whole", "wall", "start-up", "parse", "read", "build",
                                                    "read step", "parse step", "compared", "faults", "workers",
                                                    "workers compared")}
    empty = Path(tempfile.mkdtemp(prefix="runload-bench-empty-"))
    activities = 0
    for i in range(rounds):
        rows["hash"].append(_cpu(hashing))
        if args.compare is not None and i % 2 == 0:
            rows["compared"].append(whole_import(corpus, args.compare)[0])
        cpu, wall, activities, faults = whole_import(corpus)
        rows["faults"].append(faults)
        rows["whole"].append(cpu)
        rows["wall"].append(wall)
        if args.compare is not None and i % 2 == 1:
            rows["compared"].append(whole_import(corpus, args.compare)[0])
        rows["start-up"].append(whole_import(empty)[0])
        for src in ((None, args.compare) if i % 2 == 0 else (args.compare, None)):
            if src is None or args.compare is not None:
                rows["workers" if src is None else "workers compared"].append(workers_part(corpus, src))
        for key, fn in (("parse", parse), ("read", read), ("build", build), ("read step", read_step),
                        ("parse step", parse_step)):
            rows[key].append(_cpu(fn))
    empty.rmdir()
    med = {k: statistics.median(v) for k, v in rows.items() if v}

    def ratio(key: str) -> float:
        return statistics.median(a / h for a, h in zip(rows[key], rows["hash"]))

    print(f"  hashing (sha256 over each file):          {med['hash']:.3f} s = {mb / med['hash']:.0f} MB/s (the reference)")
    print(f"  whole process `runload import`:           {med['whole']:.2f} s CPU ({med['wall']:.2f} s wall, "
          f"{activities} activities, {med['faults']:,.0f} minor page faults) = {ratio('whole'):.1f}x hashing "
          "(goal: within 20x)")
    if args.compare is not None:
        print(f"    the same import by {args.compare}: {statistics.median(rows['compared']):.2f} s CPU = "
              f"{ratio('compared'):.1f}x hashing; this one takes "
              f"{statistics.median(w / c for w, c in zip(rows['whole'], rows['compared'])):.2f} of its CPU time "
              "(median of the rounds' ratios)")
    rows["rest"] = [w - p for w, p in zip(rows["whole"], rows["parse"])]
    print(f"    the rest (start-up, listing, hashing, the main process's checks and writes): "
          f"{statistics.median(rows['rest']):.2f} s = {ratio('rest'):.1f}x hashing")
    print(f"    start-up (`runload import` of an empty folder): {med['start-up']:.2f} s = {ratio('start-up'):.1f}x "
          "hashing")
    print(f"  the workers' part (read, hash, parse, pickle; each file once, in a fresh process, after ten): "
          f"{med['workers']:.3f} s for {len(files) - 10} files")
    if args.compare is not None:
        print(f"    the same by {args.compare}: {statistics.median(rows['workers compared']):.3f} s; this one takes "
              f"{statistics.median(w / c for w, c in zip(rows['workers'], rows['workers compared'])):.2f} of its CPU "
              "time (median of the rounds' ratios)")
    print(f"  worker only, parse_fit per file:          {med['parse']:.3f} s = {ratio('parse'):.1f}x hashing")
    print(f"    of which the fast reader:               {med['read']:.3f} s = {ratio('read'):.1f}x hashing")
    print(f"    of which building the activities:       {med['build']:.3f} s = {ratio('build'):.1f}x hashing")
    print(f"  the reader one message at a time:         {med['read step']:.3f} s = {ratio('read step'):.1f}x hashing "
          f"(runs taken at once: {statistics.median(s / r for s, r in zip(rows['read step'], rows['read'])):.1f}x "
          "faster)")
    print(f"  parse_fit with it:                        {med['parse step']:.3f} s = {ratio('parse step'):.1f}x "
          "hashing")


if __name__ == "__main__":
    main()
