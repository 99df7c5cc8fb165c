"""Generated training histories of healthy, sensible training, for measuring how often runload
warns (``bench_noise.py``) and for the test that keeps them quiet (``tests/rules/test_quiet_when_healthy.py``).

Each history is plain data (an :class:`~runload.models.AthleteData`) from a fixed seed, with the
weeks a coach would call build weeks marked, so a benchmark or a test can ask what runload says
on exactly those weeks. Easy runs wobble by a few percent, as real runs do; the long run
grows by the week's step at most (8% or less on the longest of the month before): nothing in
them is a spike.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from runload.models import Activity, Athlete, AthleteData, Sport

START = date(2024, 1, 1)  # a Monday: every generated week is a calendar week


@dataclass(frozen=True)
class History:
    """A generated history: its data and, per week start, what kind of week it was planned as
    ("build", "cutback", "step-up" (the first week after a cutback) or "steady")."""

    name: str
    data: AthleteData
    kinds: dict[date, str]

    def weeks(self, kind: str | None = None) -> list[date]:
        """Week starts (Mondays) of the given kind, or all."""
        return sorted(ws for ws, k in self.kinds.items() if kind is None or k == kind)


def _week(ws: date, km: float, days: list[int], long_share: float, rnd: random.Random, doubles: int = 0,
          wobble: float = 0.02) -> list[Activity]:
    """One week of ``km`` over the weekdays ``days`` (0 = Monday); the last day holds the long run
    (``long_share`` of the week), the others share the rest; ``doubles`` of the other days get a
    second, short run in the evening."""
    long_km = km * long_share
    others = [d for d in days if d != days[-1]]
    rest = km - long_km
    easy = rest / (len(others) + 0.5 * doubles) if others else 0.0
    out = []
    for d in days:
        day = ws + timedelta(days=d)
        # the easy runs wobble; the long run is the week's share (it grows by the week's step)
        dist = long_km if d == days[-1] else easy * (1 + rnd.uniform(-wobble, wobble))
        out.append(_run(day, 7, dist))
    for d in others[:doubles]:
        day = ws + timedelta(days=d)
        out.append(_run(day, 18, easy * 0.5 * (1 + rnd.uniform(-wobble, wobble))))
    return out


def _run(day: date, hour: int, km: float) -> Activity:
    start = datetime(day.year, day.month, day.day, hour, tzinfo=timezone.utc)
    return Activity(start, Sport.RUNNING, km * 1000, timer_s=km * 330, elapsed_s=km * 340, utc_offset_s=0,
                    source_hash=f"gen-{start.isoformat()}")


def three_one_build(years: int = 2, start_km: float = 30.0, top_km: float = 80.0, seed: int = 31) -> History:
    """A textbook 3:1 periodised build: three build weeks of about +8%, one cutback week of about
    -30%, then the step back up to the level of the block's second week (the next block starts
    8% above the last), until ``top_km``, where the blocks repeat at that level. Five runs a
    week, the long run a quarter of the week."""
    rnd = random.Random(seed)
    acts: list[Activity] = []
    kinds: dict[date, str] = {}
    base = start_km
    ws = START
    end = START + timedelta(days=365 * years)
    while ws < end:
        week_km = [base, base * 1.08, base * 1.08 ** 2, base * 1.08 ** 2 * 0.7]
        for i, km in enumerate(week_km):
            kinds[ws] = "cutback" if i == 3 else ("step-up" if i == 0 and ws != START else "build")
            acts += _week(ws, km, [1, 2, 3, 5, 6], 0.25, rnd)
            ws += timedelta(days=7)
        base = min(base * 1.08, top_km / 1.08 ** 2)
    return History("3:1 periodised build", AthleteData(Athlete("build31", "3:1 build"), tuple(acts)), kinds)


def elite(weeks: int = 52, seed: int = 120) -> History:
    """A 120-160 km a week athlete, steady: each week within about -12% to +15% of the one before,
    kept between 120 and 160 km (a week above the one before is a build week); seven runs a week
    plus one to three doubles (8-10 runs), the long run near 30 km whatever the week."""
    rnd = random.Random(seed)
    acts: list[Activity] = []
    kinds: dict[date, str] = {}
    km = 140.0
    for w in range(weeks):
        ws = START + timedelta(days=7 * w)
        prev, km = km, min(160.0, max(120.0, km * rnd.uniform(0.88, 1.15)))
        kinds[ws] = "build" if w and km > prev else "steady"
        acts += _week(ws, km, [0, 1, 2, 3, 4, 5, 6], 30.0 * rnd.uniform(0.96, 1.04) / km, rnd,
                      doubles=1 + w % 3)
    return History("120-160 km a week", AthleteData(Athlete("elite", "Elite"), tuple(acts)), kinds)


def novice(weeks: int = 52, seed: int = 10) -> History:
    """A novice from 10 km a week, building gently: about +6% a week with an easier week (-20%)
    every fourth, three runs a week, the long run 40% of the week, up to about 35 km a week."""
    rnd = random.Random(seed)
    acts: list[Activity] = []
    kinds: dict[date, str] = {}
    km = 10.0
    for w in range(weeks):
        ws = START + timedelta(days=7 * w)
        if w % 4 == 3:
            kinds[ws] = "cutback"
            acts += _week(ws, km * 0.8, [1, 3, 6], 0.4, rnd)
            continue
        kinds[ws] = "step-up" if w % 4 == 0 and w else "build"
        acts += _week(ws, km, [1, 3, 6], 0.4, rnd)
        km = min(km * 1.06, 35.0)
    return History("novice from 10 km", AthleteData(Athlete("novice", "Novice"), tuple(acts)), kinds)


def with_spike(history: History, week_start: date, factor: float = 1.5) -> History:
    """``history`` with the long run of the week of ``week_start`` made ``factor`` times as long
    (and the week with it): a spike a coach would want to hear about."""
    week_end = week_start + timedelta(days=6)
    runs = [a for a in history.data.activities if week_start <= a.start_utc.date() <= week_end]
    long_run = max(runs, key=lambda a: a.distance_m)
    acts = tuple(Activity(a.start_utc, a.sport, a.distance_m * factor, timer_s=(a.timer_s or 0) * factor,
                          elapsed_s=(a.elapsed_s or 0) * factor, utc_offset_s=a.utc_offset_s,
                          source_hash=a.source_hash) if a is long_run else a
                 for a in history.data.activities)
    data = AthleteData(history.data.athlete, acts)
    return History(f"{history.name}, a {factor - 1:.0%} longer long run in the week of {week_start}", data,
                   history.kinds)
