"""Benchmark: what an import's main process spends storing the files its workers read.

Every figure is CPU seconds of this process (``time.process_time``), medians of ``--rounds``
rounds (at least 5); with ``--compare SRC`` (the ``src`` folder of another runload checkout) the
same is measured for that runload in the same rounds, the order alternating, and the ratios
printed:

- whole: ``import_paths(store, athlete, [folder], workers=0)`` into a new store (listing,
  hashing, parsing and storing, all in this process);
- storing: the same import with the files' parsed results replayed (read once beforehand, as
  the workers would send them), so only what happens after a worker's result arrives is
  timed: the physical bounds, the duplicate search, the day and week checks and the store's
  writes (one savepoint per file).

The files are the FIT corpus of ``bench_import.py`` (cached in $RUNLOAD_BENCH_CACHE).

Usage: python benchmarks/bench_store_import.py [--files 300] [--rounds 5] [--compare ../old/src]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_import import build_fit_corpus  # noqa: E402 - the corpus is bench_import's


def _measure(folder: Path, repeats: int) -> dict[str, float]:
    """Run in a child process whose runload is the one on its path: the medians of ``repeats``."""
    from runload.ingest import importer  # noqa: PLC0415 - the runload of the child's path
    from runload.models import Athlete  # noqa: PLC0415
    from runload.store import Store  # noqa: PLC0415

    with tempfile.TemporaryDirectory() as tmp:
        stores = iter(range(1_000))

        def fresh() -> Store:
            store = Store.open(Path(tmp) / f"s{next(stores)}.sqlite")
            store.add_athlete(Athlete("a", "A", timezone="Europe/Stockholm"))
            return store

        def timed() -> float:
            store = fresh()
            try:
                t = time.process_time()
                importer.import_paths(store, "a", [folder], workers=0)
                return time.process_time() - t
            finally:
                store.close()

        whole = [timed() for _ in range(repeats)]
        parse_all = importer.parse_all
        results: list[object] = []

        def capture(*args: object, **kwargs: object) -> Iterator[object]:
            for pair in parse_all(*args, **kwargs):
                results.append(pair)
                yield pair

        importer.parse_all = capture
        timed()
        importer.parse_all = lambda *args, **kwargs: iter(results)
        storing = [timed() for _ in range(repeats)]
        importer.parse_all = parse_all
    return {"whole": statistics.median(whole), "storing": statistics.median(storing)}


def _child(src: Path, folder: Path, repeats: int) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": str(src)}
    out = subprocess.run([sys.executable, __file__, "--child", str(folder), "--repeats", str(repeats)], env=env,
                         capture_output=True, text=True, check=True).stdout
    result: dict[str, float] = json.loads(out)
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--files", type=int, default=300)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--repeats", type=int, default=3, help="imports timed in each round (their median)")
    ap.add_argument("--compare", type=Path, help="the src folder of another runload checkout")
    ap.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(_measure(args.child, args.repeats)))
        return
    rounds = max(5, args.rounds)
    folder = build_fit_corpus(args.files)[0]
    this = Path(__file__).resolve().parent.parent / "src"
    ours: list[dict[str, float]] = []
    theirs: list[dict[str, float]] = []
    for r in range(rounds):
        order = [("this", this), ("compare", args.compare)] if r % 2 == 0 else [("compare", args.compare),
                                                                                 ("this", this)]
        for who, src in order:
            if src is None:
                continue
            (ours if who == "this" else theirs).append(_child(src, folder, args.repeats))
    print(f"{args.files} FIT files, {rounds} rounds, CPU seconds of the importing process (medians)")
    for key in ("whole", "storing"):
        line = f"  {key:8s} this {statistics.median(o[key] for o in ours):.3f} s"
        if theirs:
            ratio = statistics.median(o[key] / t[key] for o, t in zip(ours, theirs, strict=True))
            line += f"   compare {statistics.median(t[key] for t in theirs):.3f} s   this/compare {ratio:.2f}"
        print(line)


if __name__ == "__main__":
    main()
