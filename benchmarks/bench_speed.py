"""Benchmark: how close runload runs to the arithmetic, every ratio in one table.

Each measure is taken by its own script, which times runload and its reference in the same run
(CPU time, interleaved, medians of at least 5) and prints the details; this script runs them one
after another and gathers their ratios:

| measure | reference | script | goal |
| --- | --- | --- | --- |
| ``assess()`` of one athlete-year | the same series in plain numpy | bench_assess.py | <= 8x |
| ``assess()`` of ten years | the same, ten years | bench_assess.py | (reported) |
| roster of N athletes x 1 year, whole process | one Polars query, same store and columns | bench_roster.py | <= 10x |
| weekly email run, per athlete | the roster, per athlete | bench_report.py | <= 3x |
| HTML report of a 3-year athlete | the text report of the same assessment | bench_report.py | <= 2x |
| FIT import of 300 files, whole process | sha256 over the same bytes | bench_fit.py | <= 20x |
| FIT parse alone (the worker) | sha256 over the same bytes | bench_fit.py | (reported) |
| GPX parse | gpxpy's parse of the same files | bench_gpx.py | >= 10x faster |
| TCX read | python-tcxparser reading the same values of the same files | bench_gpx.py | >= 10x faster |
| TCX read | an ElementTree tree of the same bytes (nothing read) | bench_gpx.py | (reported) |

Usage: python benchmarks/bench_speed.py [--athletes 1000] [--rounds 5]

The roster needs the ``bench`` extra (polars, connectorx: ``pip install -e '.[bench]'``); without
it that line says so. Exit status 1 when a goal is missed.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Measure:
    label: str
    script: str
    pattern: str  # one group: the ratio as printed by the script
    goal: float | None  # the ratio's bound (None: reported only)
    faster: bool = False  # the ratio says how many times faster runload is (goal is a minimum)


MEASURES = [
    Measure("assess() of one athlete-year / numpy", "bench_assess.py", r"one athlete-year: .*?: ([\d.]+)x", 8.0),
    Measure("assess() of ten years / numpy", "bench_assess.py", r"ten years: .*?: ([\d.]+)x", None),
    Measure("roster, whole process / one Polars query", "bench_roster.py", r"ratio roster / query: ([\d.]+)x", 10.0),
    Measure("email run / roster, per athlete", "bench_report.py", r"email run / roster, per athlete: ([\d.]+)x", 3.0),
    Measure("HTML report / text report", "bench_report.py", r"HTML report / text report.*?: ([\d.]+)x", 2.0),
    Measure("FIT import, whole process / hashing", "bench_fit.py",
            r"whole process `runload import`:.*?= ([\d.]+)x hashing", 20.0),
    Measure("FIT parse, worker only / hashing", "bench_fit.py", r"worker only, parse_fit per file:.*?= ([\d.]+)x", None),
    Measure("GPX: gpxpy's parse / runload's (times faster)", "bench_gpx.py",
            r"GPX: .*?all real files together \([^)]*\): ([\d.]+)x gpxpy", 10.0, faster=True),
    Measure("GPX, synthetic 1 h run: times faster than gpxpy", "bench_gpx.py",
            r"GPX: .*?all synthetic together \([^)]*\): ([\d.]+)x gpxpy", None, faster=True),
    Measure("TCX: tcxparser's read / runload's (times faster)", "bench_gpx.py",
            r"TCX: .*?all real files together \([^)]*\): ([\d.]+)x tcxparser", 10.0, faster=True),
    Measure("TCX: an ElementTree tree / runload's read (times faster)", "bench_gpx.py",
            r"TCX: .*?all real files together \([^)]*\): [\d.]+x tcxparser, ([\d.]+)x ElementTree", None,
            faster=True),
]


def run(script: str, args: list[str], env: dict[str, str]) -> str:
    print(f"== {script} {' '.join(args)}", flush=True)
    done = subprocess.run([sys.executable, str(HERE / script), *args], capture_output=True, text=True, env=env,
                          check=False)
    print(done.stdout + done.stderr[-3000:], flush=True)
    return done.stdout


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--athletes", type=int, default=1000, help="athletes on the roster (1 year each)")
    parser.add_argument("--email-athletes", type=int, default=100, help="athletes of the email run (a coach per 10)")
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds of each measure (at least 5)")
    args = parser.parse_args()
    rounds = str(max(5, args.rounds))
    env = {**os.environ, "RUNLOAD_BENCH_RATIOS_ONLY": "1", "RUNLOAD_BENCH_ATHLETES": str(args.email_athletes)}
    scripts = {
        "bench_assess.py": [],
        "bench_roster.py": ["--athletes", str(args.athletes), "--rounds", rounds],
        "bench_report.py": [],
        "bench_fit.py": ["--rounds", rounds],
        "bench_gpx.py": ["--rounds", rounds, "--minutes", "60"],
    }
    out = {script: run(script, a, env) for script, a in scripts.items()}

    missed = False
    print("\nmeasure" + " " * 42 + "ratio   goal")
    for m in MEASURES:
        found = re.search(m.pattern, out[m.script], re.S)
        if found is None:
            print(f"{m.label:48s}   (not measured: see {m.script}'s output above)")
            missed |= m.goal is not None
            continue
        ratio = float(found.group(1))
        if m.goal is None:
            verdict, goal = "", ""
        else:
            ok = ratio >= m.goal if m.faster else ratio <= m.goal
            missed |= not ok
            goal = f"{'>=' if m.faster else '<='} {m.goal:g}x"
            verdict = "ok" if ok else "MISSED"
        print(f"{m.label:48s} {ratio:6.1f}x  {goal:8s} {verdict}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
