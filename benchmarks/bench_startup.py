"""Benchmark: what an import costs before and around its files: start-up, and listing a folder.

Every figure is CPU seconds (user + system), measured in one run with the reference, interleaved
round by round (the order alternates); the medians of ``--rounds`` rounds (at least 5) are
printed, and each ratio is a median over the rounds' ratios:

- start-up: ``python -m runload import`` of an empty folder into a store with one athlete (the
  interpreter, the command line, the store, and whatever the import loads before it finds that
  there is nothing to read), a fresh process each time;
- re-import: ``python -m runload import`` of the FIT corpus of ``bench_import.py`` (300 files)
  a second time, every file unchanged (start-up, the walk and the store's look-ups; no worker
  process starts): what a scheduled import of a watch folder costs on most days;
- the walk: :func:`runload.ingest.walk.walk` over the corpus in a process of its own, its modules
  already loaded (listing, one look at each file's head, the sources), per walk.

With ``--compare SRC`` (the ``src`` folder of another runload checkout, an older commit say),
each figure is also taken with that runload in the same rounds, and this one's share of its CPU
time is printed. runload's modules are compiled to bytecode first and read from it, as an
installed runload's are (pip compiles them).

Usage: python benchmarks/bench_startup.py [--files 300] [--rounds 5] [--compare ../old/src]
"""

from __future__ import annotations

import argparse
import compileall
import os
import resource
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_import import build_fit_corpus  # noqa: E402 - the corpus is bench_import's

import runload  # noqa: E402

WALKS = 5  # walks timed per process (after one to warm the file system's caches)

# run in a process of its own with the runload under test first on the path: CPU seconds per walk
_WALK_TIMER = f"""
import sys, time
from pathlib import Path
from runload.ingest.walk import walk
paths = [Path(sys.argv[1])]
for _ in walk(paths):
    pass
t = time.process_time()
for _ in range({WALKS}):
    for _ in walk(paths):
        pass
print((time.process_time() - t) / {WALKS})
"""


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def _env(src: Path, store: Path) -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(src), "RUNLOAD_STORE": str(store)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # read the bytecode compiled in main(), as installed
    return env


def _runload(env: dict[str, str], *args: str) -> float:
    """CPU seconds of one ``python -m runload ARGS`` (exit 0 or 1: a folder without files fails)."""
    before = _children_cpu()
    res = subprocess.run([sys.executable, "-m", "runload", *args], env=env, capture_output=True, text=True)
    cpu = _children_cpu() - before
    if res.returncode not in (0, 1):
        sys.exit(f"runload {' '.join(args)} failed ({res.returncode}): {res.stderr[-2000:]}")
    return cpu


class Subject:
    """One runload source folder and its store (the athlete added, the corpus imported once)."""

    def __init__(self, src: Path, work: Path, corpus: Path) -> None:
        self.src, self.corpus = src, corpus
        work.mkdir()
        self.env = _env(src, work / "store.sqlite")
        self.empty = work / "empty"
        self.empty.mkdir()
        _runload(self.env, "athlete", "add", "bench", "--name", "Bench", "--timezone", "Europe/Stockholm")
        _runload(self.env, "import", "--athlete", "bench", str(corpus), "--json")

    def start_up(self) -> float:
        return _runload(self.env, "import", "--athlete", "bench", str(self.empty), "--json")

    def reimport(self) -> float:
        return _runload(self.env, "import", "--athlete", "bench", str(self.corpus), "--json")

    def walk(self) -> float:
        res = subprocess.run([sys.executable, "-c", _WALK_TIMER, str(self.corpus)], env=self.env,
                             capture_output=True, text=True, check=True)
        return float(res.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--compare", type=Path, default=None,
                        help="the src folder of another runload checkout, timed in the same rounds")
    args = parser.parse_args()
    rounds = max(5, args.rounds)
    here = Path(runload.__file__).resolve().parents[1]
    compileall.compile_dir(here / "runload", quiet=1)  # as pip does for an installed runload
    if args.compare is not None:
        compileall.compile_dir(args.compare / "runload", quiet=1)
    corpus, _, _ = build_fit_corpus(args.files)
    n_files = sum(1 for _ in corpus.rglob("*.fit"))
    print(f"{n_files} FIT files ({corpus}); {os.cpu_count()} cores; CPU seconds, medians of {rounds} interleaved rounds")
    figures = (("start-up (`runload import` of an empty folder)", "start_up"),
               (f"re-import of the {n_files} unchanged files", "reimport"),
               (f"the walk over the {n_files} files, in process", "walk"))
    with tempfile.TemporaryDirectory(prefix="runload-bench-startup-") as tmp:
        subjects = [Subject(here, Path(tmp) / "this", corpus)]
        if args.compare is not None:
            subjects.append(Subject(args.compare, Path(tmp) / "compared", corpus))
        rows: dict[tuple[str, int], list[float]] = {(key, i): [] for _, key in figures for i in range(len(subjects))}
        for r in range(rounds):
            for _, key in figures:
                order = range(len(subjects)) if r % 2 == 0 else reversed(range(len(subjects)))
                for i in order:
                    rows[key, i].append(getattr(subjects[i], key)())
    for label, key in figures:
        this = rows[key, 0]
        line = f"  {label + ':':56s} {statistics.median(this) * 1000:7.1f} ms"
        if args.compare is not None:
            other = rows[key, 1]
            share = statistics.median(a / b for a, b in zip(this, other))
            line += f"; by {args.compare}: {statistics.median(other) * 1000:.1f} ms; this one takes {share:.2f} of it"
        print(line)


if __name__ == "__main__":
    main()
