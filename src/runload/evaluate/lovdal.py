"""The Lövdal et al. 2021 layouts: each row a day, carrying the training of the days before it.

Lövdal, den Hartigh and Azzopardi 2021, Int J Sports Physiol Perform 16(10),
doi:10.1123/ijspp.2020-0518; data doi:10.34894/UWU9PV (CC0 1.0): 74 competitive Dutch middle-
and long-distance runners over 7 years. Two files, one row per athlete and day (``Date``, a day
number, and ``injury`` 0/1: an injury on that day):

- the day layout: the 7 days before, 10 features a day; the suffix-less columns are the oldest
  day, ``.1`` ... ``.6`` the days after it (``.6`` the day before the row's day);
- the week layout: the 3 weeks before, 22 aggregates a week; the suffix-less columns are the
  newest week (the 7 days before the row's day), ``.1`` and ``.2`` the weeks before it.

Each row is judged on its own window and nothing else. Rows are not stitched into one stream per
athlete: after every injury row the athlete's next row is 22 days or more later, so a stitched
history would show a gap before each injury (the gap itself predicts it). A row's day ``Date`` is
placed on the calendar at :data:`EPOCH` + ``Date`` days; the row is judged ``as_of`` the day
before (the last day its window holds), with weeks that end on that day (the row's own weeks),
and the outcome is an injury on the row's day or on a later row's within the horizon.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from runload.errors import InputError
from runload.evaluate.labelled import Case, Labelled, Variant, athlete, run
from runload.models import AthleteData

SDIST = "runningprojectmodule==0.0.1"
SDIST_SHA256 = "07d9564ca87ffc995aa7c98e80442a3c6dfd52b6619335e30aef5bdc973dd1f2"
# name -> (path inside the sdist, sha256 of the CSV as it ships there: Windows line ends)
FILES = {
    "day_approach": ("data/raw/day_approach.csv",
                     "9c06ecefae9caa4ca831c08c7ebe4d25b0b01e8aa285df526a4e6791c673b6e8"),
    "week_approach": ("data/raw/week_approach.csv",
                      "261ba3a481f3428611cc175eac2b67749ee3d97980d81168af13bd9f932d5a31"),
}
# the gzip copies kept with the source (scripts/fetch_lovdal.py writes them)
DATA_DIR = Path(__file__).resolve().parents[3] / "data" / "lovdal"
LAYOUTS = ("lovdal-day", "lovdal-week")
EPOCH = date(2016, 1, 4)  # day 0 of the calendar the rows are placed on (the data give day numbers only)

DAY_FEATURES = ("nr. sessions", "total km")
WEEK_FEATURES = ("nr. sessions", "nr. rest days", "total kms", "max km one day")

# the acute:chronic ratio a 3-week row can hold: 7 days against the 21 (the rule's own metric,
# bands and words; its 28-day default needs more than a row carries)
RATIO_7_21 = Variant("acute-chronic-ratio", "acute-chronic-ratio-7-21", {"chronic_days": 21}, 20,
                     "the acute:chronic ratio on 7 days against the 21 a row carries (the rule's default is "
                     "7 against 28)")


def default_path(layout: str) -> Path:
    """The gzip copy kept with the source for ``layout``."""
    return DATA_DIR / ("day_approach.csv.gz" if layout == "lovdal-day" else "week_approach.csv.gz")


def row_day(number: int) -> date:
    """The calendar day of a row's ``Date`` number."""
    return EPOCH + timedelta(days=int(number))


class Rows:
    """The rows of one layout as numbers, each turned into a :class:`Case` only when judged
    (a picklable slice is what an engine's worker receives)."""

    def __init__(self, layout: str, ids: NDArray[np.str_], numbers: NDArray[np.int64],
                 values: NDArray[np.float64]) -> None:
        self.layout, self.ids, self.numbers, self.values = layout, ids, numbers, values

    def __len__(self) -> int:
        return len(self.ids)

    def split(self, size: int) -> list[Rows]:
        return [Rows(self.layout, self.ids[i:i + size], self.numbers[i:i + size], self.values[i:i + size])
                for i in range(0, len(self.ids), size)]

    def __iter__(self) -> Iterator[Case]:
        build = _day_case if self.layout == "lovdal-day" else _week_case
        for a, n, v in zip(self.ids.tolist(), self.numbers.tolist(), self.values.tolist()):
            yield build(str(a), row_day(n), v)


def _day_case(athlete_id: str, day: date, v: list[float]) -> Case:
    """A row of the day layout: each of its 7 days as that day's sessions (the day's km shared
    equally among its sessions; one run when km are recorded without a session count). Only
    running is carried: no rule reads the cross-training hours or strength sessions."""
    acts = []
    k = len(DAY_FEATURES)
    for i in range(7):
        sessions, km = v[i * k:i * k + 2]
        d = day - timedelta(days=7 - i)
        n = max(1, int(round(sessions))) if km > 0 else 0
        for s in range(n):
            acts.append(run(athlete_id, d, km / n, slot=s))
    return Case(AthleteData(athlete(athlete_id), tuple(acts)), (day - timedelta(days=1),), day.weekday())


def training_days(training: int) -> list[int]:
    """The days of a week (0 its first, 6 its last) a week's ``training`` days are placed on:
    spread evenly from the first day to the last, so a week that trained on two days or more
    reaches its last day (the day a row is judged: days after the last activity are unknown to
    runload, not rest) and the oldest week starts the history on its first day."""
    if training <= 1:
        return [0] * training
    return sorted({round(i * 6 / (training - 1)) for i in range(training)})


def _week_case(athlete_id: str, day: date, v: list[float]) -> Case:
    """A row of the week layout: each of its 3 weeks as training days spread over the week
    (7 minus its rest days: :func:`training_days`), the longest day's km on the first of them and
    the rest of the week's km shared equally by the others (only running is carried: no rule
    reads the cross-training hours). Week totals, the longest day and the number of
    training days are the data's; the order of days within a week is not recorded."""
    acts = []
    k = len(WEEK_FEATURES)
    for w in range(3):  # w = 0 the newest week
        rest, total, longest = v[w * k + 1:w * k + 4]
        first = day - timedelta(days=7 * (w + 1))
        if total > 0:
            days = training_days(max(1, 7 - int(round(rest))))
            longest = min(max(longest, total / len(days)), total)
            acts.append(run(athlete_id, first + timedelta(days=days[0]), longest))
            others = days[1:]
            if others and total > longest:
                for d in others:
                    acts.append(run(athlete_id, first + timedelta(days=d), (total - longest) / len(others)))
    return Case(AthleteData(athlete(athlete_id), tuple(acts)), (day - timedelta(days=1),), day.weekday())


def _columns(layout: str) -> list[str]:
    if layout == "lovdal-day":
        return [f"{f}{'' if i == 0 else f'.{i}'}" for i in range(7) for f in DAY_FEATURES]
    return [f"{f}{'' if w == 0 else f'.{w}'}" for w in range(3) for f in WEEK_FEATURES]


def read(layout: str, path: str | Path, *, athletes: int | None = None) -> Labelled:
    """The rows of a Lövdal file (``.csv`` or ``.csv.gz``) in ``layout`` as labelled data;
    ``athletes`` keeps only the first that many athlete ids (a quick slice for tests)."""
    if layout not in LAYOUTS:
        raise InputError(f"unknown layout {layout!r} (expected one of: {', '.join(LAYOUTS)})")
    try:
        frame = pd.read_csv(path)
    except (OSError, ValueError, pd.errors.ParserError) as exc:
        raise InputError(f"cannot read {layout} data: {exc}", path=str(path)) from None
    wanted = [*_columns(layout), "Athlete ID", "injury", "Date"]
    missing = [c for c in wanted if c not in frame.columns]
    if missing:
        raise InputError(f"not the {layout} layout: no column {missing[0]!r}", path=str(path))
    frame = frame[wanted].sort_values(["Athlete ID", "Date"], kind="stable")
    if athletes is not None:
        keep = sorted(frame["Athlete ID"].unique())[:athletes]
        frame = frame[frame["Athlete ID"].isin(keep)]
    values = frame[_columns(layout)].to_numpy(dtype=float)
    values = np.where(values < 0, 0.0, values)  # -0.01 marks a missing perceived score; km are never negative
    ids = frame["Athlete ID"].astype(str).to_numpy()
    numbers = frame["Date"].to_numpy(dtype=int)
    injured = frame["injury"].to_numpy(dtype=int) == 1
    onsets: dict[str, list[date]] = {}
    for a, n in zip(ids[injured].tolist(), numbers[injured].tolist()):
        onsets.setdefault(a, []).append(row_day(n))
    last = frame.groupby("Athlete ID")["Date"].max()
    follow_up = {str(a): row_day(n) for a, n in last.items()}
    variants: tuple[Variant, ...]
    if layout == "lovdal-day":
        how = ("Each row of the day layout is one history: its 7 days, each day's km shared equally among "
               "its sessions (running only); judged as of the day before the row's "
               "day, with the row's 7 days as one calendar week.")
        window, variants = 7, ()
    else:
        how = ("Each row of the week layout is one history: its 3 weeks, each as its training days (7 minus "
               "its rest days) spread evenly from the week's first day to its last, the longest day's km on "
               "the first and the rest of the week's km shared equally (running only); judged as of the day "
               "before the row's day, with the row's weeks as calendar weeks.")
        window, variants = 21, (RATIO_7_21,)
    return Labelled(name=f"{layout} ({Path(path).name})", cases=Rows(layout, ids, numbers, values),
                    injuries={a: tuple(sorted(set(ds))) for a, ds in onsets.items()}, follow_up=follow_up,
                    how=how, window_days=window, variants=variants)
