"""Benchmark: `pain add` and `pain import` on a pain log as large as the limits allow.

A store gets one athlete with a log near the largest runload accepts over its whole date range:
three entries a day for each of three legs (left, right, both) from 1990 to today, about 120,000
entries, written straight into the store (the limit is four a day for each leg; the fourth is
left free for the import below). Then, timed (median of several runs):

- adding one entry the way `runload pain add` does now (checks and red flags read only the days
  they concern), against the way it did before (fingerprinting every stored entry and finding
  episodes over the whole log, as it did when a 1,000,000-row log made `pain add` take 233 s);
- importing a 10,000-row CSV (the most one file may hold) into that store, as a dry run.

The reference is runload's own earlier method, measured in the same run on the same store (there
is no outside library that does this). Prints medians and the ratio.

Usage: python benchmarks/bench_pain_log.py [--years N]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path


def build_store(path: Path, years: int) -> tuple[int, date]:
    from runload.athletes import make_athlete
    from runload.models import PainEntry
    from runload.store import Store

    today = date.today()
    first = max(date(1990, 1, 1), today - timedelta(days=365 * years))
    n = 0
    with Store.open(path) as store:
        store.add_athlete(make_athlete("big", name="Big Log"))
        with store.atomic() as conn:
            day = first
            while day < today - timedelta(days=2):
                for side in ("left", "right", "both"):
                    for k in range(3):
                        store.insert_pain_entry(conn, "big", PainEntry(date=day, side=side, pain_after=(n + k) % 6,
                                                                      notes=f"entry {n}"), "bench")
                        n += 1
                day += timedelta(days=1)
    return n, first


def old_add(store, entry) -> None:
    """How `pain add` checked and warned before: every stored entry fingerprinted, episodes over
    the whole log."""
    from runload.pain.entries import entry_key
    from runload.pain.episodes import find_episodes

    keys = {entry_key(e): e.id for e in store.pain_entries("big")}
    assert entry_key(entry) not in keys
    find_episodes(store.pain_entries("big"))


def new_add(store, entry) -> None:
    """What `pain add` does now, without storing (so every run sees the same log)."""
    from runload.cli.pain import RED_FLAG_LOOKBACK_DAYS
    from runload.pain.entries import entry_key
    from runload.pain.episodes import find_episodes

    same_day = store.pain_entries("big", start=entry.date, end=entry.date)
    assert all(entry_key(e) != entry_key(entry) for e in same_day)
    find_episodes(store.pain_entries("big", start=entry.date - timedelta(days=RED_FLAG_LOOKBACK_DAYS), end=entry.date))


def timed(fn, runs: int) -> float:
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return statistics.median(out)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--years", type=int, default=36, help="years of log (default: 1990 to today)")
    args = parser.parse_args()
    from runload.models import PainEntry
    from runload.pain.log import import_csv
    from runload.store import Store

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "store.sqlite"
        t = time.perf_counter()
        n, first = build_store(path, args.years)
        print(f"store: {n:,} pain entries from {first} (built in {time.perf_counter() - t:.1f} s)")
        entry = PainEntry(date=date.today(), side="left", pain_after=3, notes="new")
        with Store.open(path) as store:
            new_s = timed(lambda: new_add(store, entry), 7)
            old_s = timed(lambda: old_add(store, entry), 3)
            print(f"pain add, checks and red flags: now {new_s * 1000:.1f} ms, before {old_s * 1000:.0f} ms "
                  f"(median; {old_s / new_s:.0f}x faster)")
            csv_path = Path(tmp) / "pain.csv"
            lines = ["date,side,pain_after,notes"]
            day = date.today() - timedelta(days=2)
            for i in range(10_000):
                lines.append(f"{day - timedelta(days=i // 3)},{('left', 'right', 'both')[i % 3]},{i % 11},import {i}")
            csv_path.write_text("\n".join(lines) + "\n", encoding="utf-8")
            imp_s = timed(lambda: import_csv(store, "big", csv_path, dry_run=True), 3)
            print(f"pain import of 10,000 rows into that store (dry run): {imp_s:.2f} s (median)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
