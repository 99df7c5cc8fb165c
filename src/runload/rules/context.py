"""The contract between metrics and rule files.

A rule file (``rules/*.toml``) names a metric; a metric is a Python function registered here
under that name. It receives the :class:`Context` (everything known about one athlete up to a
day, with the series already built once in ``Context.frames`` and the pain log's episodes in
``Context.pain_log``) and the rule's ``params`` table, and returns :class:`MetricValue` items:
one per week, day, run or pain entry it judges. The rule engine (:mod:`runload.rules.engine`)
compares each value with the rule's threshold bands and turns matches into
:class:`runload.models.Finding` objects.

Metric modules register themselves with ``@metric("name")``; ``METRIC_MODULES`` lists them so the
engine can import them on demand.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np

from runload.calendar import local_date
from runload.load.series import MIN_BASE_KM, Frames
from runload.models import Activity, Athlete, PainEntry, Shoe
from runload.pain.history import PainLog

# Modules whose import registers metrics.
METRIC_MODULES = ["runload.rules.load_metrics", "runload.rules.pain_metrics"]


@dataclass(frozen=True)
class Context:
    """What a metric may look at: one athlete's profile, activities and pain log up to ``as_of``.

    ``data_end`` is the last day runload has data for (days after it are unknown, not rest).
    ``week_start`` is the first weekday (0 Monday .. 6 Sunday). ``frames`` (the daily and weekly
    series, built once) and ``pain_log`` (entries, episodes) are made from the activities and
    entries up to ``as_of`` when not given.
    """

    athlete: Athlete
    activities: Sequence[Activity]
    pain_entries: Sequence[PainEntry] = ()
    as_of: date | None = None
    data_end: date | None = None
    week_start: int = 0
    settings: Mapping[str, Any] = field(default_factory=dict)
    shoes: Sequence[Shoe] = ()  # the athlete's registered shoes (start and retirement distances)
    clearances: Sequence[Any] = ()  # the pain log's clearances (runload.models.Clearance): they settle episodes
    frames: Any = field(default=None, repr=False, compare=False)
    pain_log: Any = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        # the local days of the activities: the frames' when they hold these activities (computed once)
        given = self.frames is not None and len(self.frames.activities) == len(self.activities)
        last = max(self.frames.days, default=None) if given else None
        if self.as_of is not None:
            if last is None or last > self.as_of:
                acts = [a for a in self.activities if local_date(a) <= self.as_of]
                if len(acts) != len(self.activities):
                    object.__setattr__(self, "activities", tuple(acts))
                    last = None
            entries = [e for e in self.pain_entries if e.date <= self.as_of]
            if len(entries) != len(self.pain_entries):
                object.__setattr__(self, "pain_entries", tuple(entries))
        if self.data_end is None and self.activities:
            object.__setattr__(self, "data_end", last if last is not None
                               else max(local_date(a) for a in self.activities))
        if self.frames is None:
            object.__setattr__(self, "frames", Frames(
                self.activities, end=self.data_end, first_weekday=self.week_start,
                min_base_km=float(self.settings.get("min_base_km", MIN_BASE_KM)), athlete=self.athlete))
        if self.pain_log is None:
            object.__setattr__(self, "pain_log", PainLog(self.pain_entries, self.frames, athlete=self.athlete,
                                                         week_start=self.week_start, as_of=self.judged_day,
                                                         clearances=self.clearances))

    @property
    def judged_day(self) -> date | None:
        """The day judged: ``as_of``, else the last day with data or a pain entry."""
        if self.as_of is not None:
            return self.as_of
        days = [e.date for e in self.pain_entries]
        if self.data_end is not None:
            days.append(self.data_end)
        return max(days, default=None)


@dataclass(frozen=True, init=False)
class MetricValue:
    """One judged value. ``facts`` feed the rule's message template (``{distance_km:.1f}``)."""

    value: float | None
    week_start: date | None = None
    date: date | None = None
    facts: Mapping[str, Any] = field(default_factory=dict)

    def __init__(self, value: float | None, week_start: Day | None = None, date: Day | None = None,
                 facts: Mapping[str, Any] | None = None) -> None:
        # set at once (a frozen dataclass sets its fields one by one): metrics write many of these
        self.__dict__.update(value=value, week_start=week_start, date=date, facts={} if facts is None else facts)


Day = date  # the type, beside MetricValue's field named ``date``


@dataclass(frozen=True)
class MetricColumns:
    """A metric's values over the whole history as columns, for the engine to judge at once.

    ``values`` holds one float per row (NaN where the metric gives no value), ``days`` the
    ordinal (:meth:`datetime.date.toordinal`) of the day each row is about (its date, else its
    week's last day; 0 for none), and ``row(i)`` the full :class:`MetricValue` of row ``i``, with
    its facts: written only for the rows a band may keep (:func:`runload.rules.engine.candidates`),
    and equal to what a metric giving a list would give (its value NaN or None where ``values``
    is NaN; ``values`` may differ from it by float noise under the 9th decimal, which the
    engine's judgement rounds away). A threshold set per value (``threshold_factor``) needs a list. ``weeks``, when
    given, holds the ordinal of each row's ``week_start``: a rule judged once per week
    (``one_per = "week"``) then writes only each week's lead row
    (:func:`runload.rules.engine.week_leads`)."""

    values: np.ndarray
    days: np.ndarray
    row: Callable[[int], MetricValue]
    weeks: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.values)

    def rows(self) -> list[MetricValue]:
        """Every row as a :class:`MetricValue`."""
        return [self.row(i) for i in range(len(self.values))]


def week_ordinals(days: np.ndarray, first_weekday: int = 0) -> np.ndarray:
    """:func:`runload.calendar.week_start_of` of each day ordinal (0001-01-01, ordinal 1, was a
    Monday), as ordinals."""
    return days - ((days - 1) % 7 - first_weekday) % 7


def no_columns() -> MetricColumns:
    """No rows."""
    return MetricColumns(np.zeros(0), np.zeros(0, dtype=np.int64), lambda i: MetricValue(None))


MetricFn = Callable[[Context, Mapping[str, Any]], "list[MetricValue] | MetricColumns"]
REGISTRY: dict[str, MetricFn] = {}


def metric(name: str) -> Callable[[MetricFn], MetricFn]:
    """Register a metric function under ``name`` (the ``metric`` key of a rule file)."""

    def register(fn: MetricFn) -> MetricFn:
        if name in REGISTRY and REGISTRY[name] is not fn:
            raise ValueError(f"metric {name!r} registered twice")
        REGISTRY[name] = fn
        return fn

    return register


def get_metric(name: str) -> MetricFn | None:
    """The metric registered under ``name``, importing the metric modules on first use."""
    if name not in REGISTRY:
        for module in METRIC_MODULES:
            try:
                importlib.import_module(module)
            except ModuleNotFoundError as exc:
                if exc.name != module:
                    raise
    return REGISTRY.get(name)
