"""Labelled data, whatever its source: histories to judge and the injuries that followed.

Every reader (:mod:`runload.evaluate.generic`, :mod:`runload.evaluate.lovdal`,
:mod:`runload.evaluate.squad`) returns a :class:`Labelled`: cases, each an
:class:`~runload.models.AthleteData` and the days it is judged on, and the injury onsets per
athlete with the last day outcomes are known. The judging (:mod:`runload.evaluate.judge`) and
the measures (:mod:`runload.evaluate.measures`) never look at where the data came from.

No look-ahead: a case's day is judged by :func:`runload.assess.assess` ``as_of`` that day, which
keeps only what was recorded up to it; the injuries are read only when outcomes are counted.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import Protocol

from runload.models import Activity, Athlete, AthleteData, Sport


@dataclass(frozen=True)
class Case:
    """One history and the days judged on it (``as_of`` each, with only what was known then).

    ``first_weekday`` is the calendar this case is judged with (None: the rulebook's): a row
    that carries its own weeks (the Lövdal week layout) is judged with weeks that are its own.
    """

    data: AthleteData
    days: tuple[date, ...]
    first_weekday: int | None = None


class Cases(Protocol):
    """Cases to judge: how many, each in turn, and parts of about ``size`` judged days (the
    picklable work units an engine's workers receive)."""

    def __len__(self) -> int: ...

    def __iter__(self) -> Iterator[Case]: ...

    def split(self, size: int) -> Sequence[Cases]: ...


class CaseList:
    """Cases held as they are (a squad, a generic CSV); :class:`runload.evaluate.lovdal.Rows`
    is the other kind, which builds each case from its row only where it is judged."""

    def __init__(self, cases: Sequence[Case]) -> None:
        self.cases = tuple(cases)

    def __len__(self) -> int:
        return len(self.cases)

    def __iter__(self) -> Iterator[Case]:
        return iter(self.cases)

    def split(self, size: int) -> list[CaseList]:
        """Parts of about ``size`` judged days each (picklable work units for an engine)."""
        parts: list[CaseList] = []
        part: list[Case] = []
        n = 0
        for c in self.cases:
            part.append(c)
            n += len(c.days)
            if n >= size:
                parts.append(CaseList(part))
                part, n = [], 0
        if part:
            parts.append(CaseList(part))
        return parts


@dataclass(frozen=True)
class Variant:
    """A bundled rule judged with other parameters, under its own id (``acute-chronic-ratio-7-21``):
    the same metric, bands and words, with ``params`` replaced and the history it needs."""

    rule_id: str
    new_id: str
    params: Mapping[str, object]
    min_history_days: int
    why: str


@dataclass(frozen=True)
class Labelled:
    """Cases to judge, the injury onsets per athlete (``injuries``), the last day each athlete's
    outcomes are known (``follow_up``), and the days after an onset the athlete was out
    (``out``: judged days then are not at risk and are left out).

    ``window_days``: the days of history each case carries when that is all it has (a Lövdal
    row), else None; rules that need more are reported as not judged. ``how`` says in a sentence
    or two how the data were turned into histories (for the report).
    """

    name: str
    cases: Cases  # a CaseList or lovdal.Rows
    injuries: Mapping[str, tuple[date, ...]]
    follow_up: Mapping[str, date]
    how: str = ""
    window_days: int | None = None
    out: Mapping[str, tuple[tuple[date, date], ...]] = field(default_factory=dict)
    variants: tuple[Variant, ...] = ()
    inputs: tuple[str, ...] = ()  # what the histories hold beyond running distance (needs.py names them)

    @property
    def athletes(self) -> list[str]:
        return sorted(self.follow_up)


def run(athlete_id: str, day: date, km: float, *, minutes: float | None = None, rpe: float | None = None,
        hr: float | None = None, slot: int = 0, sport: Sport = Sport.RUNNING) -> Activity:
    """An activity on ``day`` (UTC, morning; ``slot`` orders several on one day)."""
    start = datetime.combine(day, time(7 + 2 * slot), tzinfo=timezone.utc)
    return Activity(start_utc=start, sport=sport, distance_m=km * 1000.0,
                    timer_s=None if minutes is None else minutes * 60.0,
                    elapsed_s=None if minutes is None else minutes * 60.0, utc_offset_s=0,
                    avg_hr_bpm=hr, rpe=rpe, distance_source="export")


def athlete(athlete_id: str) -> Athlete:
    """An athlete known by an id only (no profile: no rule is made stricter for them)."""
    return Athlete(id=athlete_id, name=athlete_id)


def days_between(first: date, last: date) -> tuple[date, ...]:
    """Every day from ``first`` to ``last``."""
    return tuple(first + timedelta(days=i) for i in range((last - first).days + 1))


def onsets(pairs: Sequence[tuple[str, date]]) -> dict[str, tuple[date, ...]]:
    """Injury onsets per athlete, sorted, each once."""
    out: dict[str, set[date]] = {}
    for a, d in pairs:
        out.setdefault(a, set()).add(d)
    return {a: tuple(sorted(ds)) for a, ds in out.items()}
