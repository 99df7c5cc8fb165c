#!/usr/bin/env python3
"""Every assessment of a set of histories written out in full, to compare two runloads byte for byte.

For the generated histories of ``benchmarks/histories.py``, the athlete-years of
``benchmarks/bench_assess.py`` (with their pain logs), a pain log with red flags and a
clearance, and the real Strava export in ``../shared/real_histories`` (skipped when absent),
each assessed on several days, under two configs (the defaults; Sunday weeks with an athlete
whose profile makes the rules stricter, in miles, with heart rates), the script writes every
finding (all its fields, its words, supporting findings), the status, next week's limits, the
pain assessment and the series the rules judge. A change meant to keep behaviour leaves the
output identical:

    .venv/bin/python scripts/dump_assessments.py > before.txt
    ... change ...
    .venv/bin/python scripts/dump_assessments.py > after.txt && cmp before.txt after.txt
"""

from __future__ import annotations

import dataclasses
import enum
import math
import os
import sys
from collections.abc import Iterator, Mapping
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))

from bench_assess import athlete_data  # noqa: E402
from bench_noise import STRAVA_ZONE, csv_runs  # noqa: E402
from histories import elite, novice, three_one_build, with_spike  # noqa: E402

from runload.assess import Assessment, assess  # noqa: E402
from runload.load.series import Frames  # noqa: E402
from runload.models import Athlete, AthleteData, Clearance, Deferred, Finding, PainEntry  # noqa: E402
from runload.rules.book import Rulebook  # noqa: E402

SHARED = Path(os.environ.get("RUNLOAD_SHARED", REPO.parent / "shared"))
STRAVA_CSV = SHARED / "real_histories" / "strava-2016-2025" / "activities.csv"


def text(x: Any, depth: int = 0) -> str:
    """``x`` in full as one line: floats exactly (repr), words written, arrays as lists."""
    if depth > 8:
        return "..."
    if x is None or isinstance(x, (bool, int, str)):
        return repr(x)
    if isinstance(x, float):
        return "nan" if math.isnan(x) else repr(x)
    if isinstance(x, enum.Enum):
        return f"{type(x).__name__}.{x.name}"
    if isinstance(x, date):
        return x.isoformat()
    if isinstance(x, Deferred) or hasattr(x, "render"):
        return "w" + repr(x.render())
    if isinstance(x, np.ndarray):
        return f"{x.dtype}" + text(x.tolist(), depth + 1)
    if isinstance(x, np.generic):
        return text(x.item(), depth + 1)
    if isinstance(x, Finding):
        names = [f.name for f in dataclasses.fields(Finding)]
        return "Finding(" + ", ".join(f"{n}={text(getattr(x, n), depth + 1)}" for n in names) + ")"
    if isinstance(x, Frames):
        return "<frames>"
    if dataclasses.is_dataclass(x) and not isinstance(x, type):
        return type(x).__name__ + "(" + ", ".join(
            f"{f.name}={text(getattr(x, f.name), depth + 1)}" for f in dataclasses.fields(x)) + ")"
    if isinstance(x, Mapping):
        items = sorted(((text(k, depth + 1), text(v, depth + 1)) for k, v in x.items()))
        return "{" + ", ".join(f"{k}: {v}" for k, v in items) + "}"
    if isinstance(x, (list, tuple)):
        return "[" + ", ".join(text(v, depth + 1) for v in x) + "]"
    if isinstance(x, (set, frozenset)):
        return "{" + ", ".join(sorted(text(v, depth + 1) for v in x)) + "}"
    return f"<{type(x).__name__}>"


def dump(a: Assessment) -> Iterator[str]:
    """The lines of one assessment."""
    yield f"as_of {text(a.as_of)} data_end {text(a.data_end)} first_weekday {a.first_weekday}"
    yield f"status {text(a.status)}"
    yield f"limits {text(a.limits)}"
    yield f"limits.sentence {a.limits.sentence(a.athlete.units)!r}"
    yield f"rules {text(a.rules)}"
    yield f"thresholds {text(a.thresholds)} measures {text(a.measures)} acwr {text(a.acwr)}"
    yield f"activities {len(a.activities)} pain_entries {len(a.pain_entries)} clearances {text(a.clearances)}"
    yield f"pain {text(a.pain)}"
    yield f"findings {len(a.findings)} current {len(a.current)} red_flags {len(a.red_flags)}"
    for f in a.findings:
        yield "  " + text(f)
    fr = a.frames
    yield f"frames.days {len(fr.days)} end {text(fr.end)} gaps {text(fr.gaps)}"
    yield f"frames.daily_columns {text(fr.daily_columns)}"
    yield f"frames.weekly_lists {text(fr.weekly_lists)}"
    yield f"frames.rolling_columns {text(fr.rolling_columns(7, 10.0))}"
    yield f"frames.spike_columns {text(fr.spike_columns())}"
    yield f"frames.fitness_fatigue_columns {text(fr.fitness_fatigue_columns('distance'))}"
    for kind in ("duration", "session_load", "climb", "trimp"):
        yield f"frames.load_values {kind} {text(fr.load_values(kind))}"
        yield f"frames.weekly_load_lists {kind} {text(fr.weekly_load_lists(kind))}"
    if a.as_of is not None:
        yield f"frames.weeks_as_of {text(fr.weeks_as_of(a.as_of))}"


def pain_log(end: date) -> tuple[PainEntry, ...]:
    """Two episodes before ``end``: the first with rising pain and a locking knee, settled by an
    entry; the second with a calf red flag and rest that does not help."""
    d = end - timedelta(days=70)
    return (
        PainEntry(d, side="right", pain_during=2, pain_after=3, pain_next_morning=1, stiffness=2),
        PainEntry(d + timedelta(days=3), side="right", pain_during=3, pain_after=4, pain_next_morning=3, stiffness=3),
        PainEntry(d + timedelta(days=8), side="right", pain_during=5, pain_after=6, pain_next_morning=4, locking=True,
                  relieved_by_rest=False, notes="knee caught once"),
        PainEntry(d + timedelta(days=12), side="right", pain_during=4, pain_after=5, pain_next_morning=2,
                  relieved_by_rest=False, swelling="mild"),
        PainEntry(d + timedelta(days=20), side="right", pain_during=0, pain_after=0, pain_next_morning=0),
        PainEntry(end - timedelta(days=20), side="left", pain_during=3, pain_after=2, pain_next_morning=1),
        PainEntry(end - timedelta(days=16), side="left", pain_during=4, pain_after=5, pain_next_morning=5,
                  calf_swelling_redness_warmth=True, relieved_by_rest=False),
        PainEntry(end - timedelta(days=9), side="left", pain_during=6, pain_after=6, pain_next_morning=4,
                  relieved_by_rest=False, giving_way=True),
        PainEntry(end - timedelta(days=2), side="both", pain_during=2, pain_after=3, pain_next_morning=2,
                  numbness_tingling=True),
    )


def histories() -> Iterator[tuple[str, AthleteData]]:
    """(name, data) of every history dumped."""
    for hist in (three_one_build(), elite(), novice()):
        yield hist.name, hist.data
        spike = hist.weeks("build")[-2]
        yield f"{hist.name} with a spike", with_spike(hist, spike, 1.5).data
    yield "bench athlete-year", athlete_data(365, 1)
    yield "bench ten years", athlete_data(3650, 1)
    year = athlete_data(365, 7)
    end = max(a.start_utc.date() for a in year.activities)
    yield "bench year with red flags", replace(year, pain_entries=pain_log(end),
                                                clearances=(Clearance(end - timedelta(days=5), by="clinician"),))
    if STRAVA_CSV.exists():
        runs = tuple(csv_runs(STRAVA_CSV))
        real = AthleteData(Athlete("strava", "Strava runner", timezone=STRAVA_ZONE), runs)
        yield "real Strava 2016-2025", real
        end = max(a.start_utc.date() for a in runs)
        yield "real Strava 2016-2025 with pain", replace(real, pain_entries=pain_log(end))
    else:
        print(f"# real history skipped: {STRAVA_CSV} is absent", file=sys.stderr)


def as_of_days(data: AthleteData) -> list[date | None]:
    """The days each history is judged on: its last day (None), a few days before, mid-history,
    a Monday, and a week after the data ends."""
    days = sorted(a.start_utc.date() for a in data.activities)
    if not days:
        return [None]
    last, first = days[-1], days[0]
    mid = first + (last - first) / 2
    return [None, last - timedelta(days=3), mid, mid - timedelta(days=mid.weekday()),
            first + (last - first) / 5, last + timedelta(days=8)]


def stricter(athlete: Athlete) -> Athlete:
    """The athlete older, once injured, in miles, with heart rates (TRIMP, the intensity rule)."""
    return replace(athlete, birth_year=1960, previous_injuries=("knee",), units="mi", hr_rest_bpm=50, hr_max_bpm=190,
                   sex="female")


def main() -> int:
    books = {"defaults": Rulebook.load(config={}, paths=[REPO / "rules"]),
             "sunday": Rulebook.load(config={"week_start": "sunday"}, paths=[REPO / "rules"])}
    out = sys.stdout
    for name, data in histories():
        for config, book in books.items():
            judged = data if config == "defaults" else replace(data, athlete=stricter(data.athlete))
            for day in as_of_days(data):
                out.write(f"=== {name} | {config} | as of {text(day)}\n")
                for line in dump(assess(judged, book, day)):
                    out.write(line + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
