"""Generated labelled data with a planted signal, for the evaluate tests and benchmark.

Every athlete runs 5 days a week; weekly volume varies at random (so the weekly rules fire now
and then, unrelated to injuries). Once a month a run is 1.8 times the longest of the 30 days
before it (more than 60% longer), and the rest of that week is cut so the week's total stays as
planned: the spike is the only signal. ``after=True`` puts an injury 3 days after each spike,
``after=False`` 3 days before it (a look-ahead check: a warning cannot predict the past).
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path

START = date(2025, 1, 6)  # a Monday


def planted(folder: Path, *, athletes: int = 5, weeks: int = 15, after: bool = True, seed: int = 3,
            base_injuries: int = 1, spike_every_weeks: int = 5) -> tuple[Path, Path]:
    """Write ``training.csv`` and ``injuries.csv`` into ``folder``; their paths."""
    rng = random.Random(seed)
    training = ["athlete,date,distance_km,duration_min"]
    injuries = ["athlete,date"]
    for n in range(athletes):
        a = f"a{n}"
        runs: list[tuple[date, float]] = []
        spikes: list[date] = []
        offset = rng.randrange(spike_every_weeks)
        for w in range(weeks):
            week_km = 40.0 * rng.uniform(0.8, 1.25)
            days = [START + timedelta(days=7 * w + d) for d in (0, 1, 3, 4, 6)]
            per = week_km / 5
            if w >= 5 and (w - offset) % spike_every_weeks == 0:
                longest = max((km for d, km in runs if (days[2] - d).days <= 30), default=per)
                spike = round(longest * 1.8, 1)
                rest = max(week_km - spike, 4 * 2.0) / 4
                plan = [rest, rest, spike, rest, rest]
                spikes.append(days[2])
            else:
                plan = [per * f for f in (0.9, 0.9, 1.3, 0.9, 1.0)]
            runs += list(zip(days, plan))
        for d, km in runs:
            training.append(f"{a},{d.isoformat()},{km:.1f},{km * 5.5:.0f}")
        for d in spikes:
            injuries.append(f"{a},{(d + timedelta(days=3 if after else -3)).isoformat()}")
        last = START + timedelta(days=7 * weeks - 1)
        for _ in range(base_injuries):
            injuries.append(f"{a},{(START + timedelta(days=rng.randrange((last - START).days))).isoformat()}")
    t, i = folder / "training.csv", folder / "injuries.csv"
    t.write_text("\n".join(training) + "\n", encoding="utf-8")
    i.write_text("\n".join(injuries) + "\n", encoding="utf-8")
    return t, i
