"""The contract between metrics and rule files.

A rule file (``rules/*.toml``) names a metric; a metric is a Python function registered here
under that name. It receives the :class:`Context` (everything known about one athlete up to a
day) and the rule's ``params`` table, and returns :class:`MetricValue` items: one per week, day,
run or pain entry it judges. The rule engine (``runload.rules``) compares each value with the
rule's threshold bands and turns matches into :class:`runload.models.Finding` objects.

Metric modules register themselves with ``@metric("name")``; ``METRIC_MODULES`` lists them so the
engine can import them on demand.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from runload.models import Activity, Athlete, PainEntry

# Modules whose import registers metrics.
METRIC_MODULES = ["runload.load_metrics", "runload.pain"]


@dataclass(frozen=True)
class Context:
    """What a metric may look at: one athlete's profile, activities and pain log up to ``as_of``.

    ``data_end`` is the last day runload has data for (days after it are unknown, not rest).
    ``week_start`` is the first weekday (0 Monday .. 6 Sunday).
    """

    athlete: Athlete
    activities: Sequence[Activity]
    pain_entries: Sequence[PainEntry] = ()
    as_of: date | None = None
    data_end: date | None = None
    week_start: int = 0
    settings: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class MetricValue:
    """One judged value. ``facts`` feed the rule's message template (``{distance_km:.1f}``)."""

    value: float | None
    week_start: date | None = None
    date: date | None = None
    facts: Mapping[str, Any] = field(default_factory=dict)


MetricFn = Callable[[Context, Mapping[str, Any]], list[MetricValue]]
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
