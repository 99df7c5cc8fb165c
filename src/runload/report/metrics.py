"""What the charts draw, read from the assessment's own frames.

The report computes no load metric and builds no frame: the daily series, the single-run spike
references, the acute:chronic ratio, fitness/fatigue, the stretches without data and
cross-training are the ones :func:`runload.assess.assess` built for the rules, so a chart can
never disagree with a finding.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from runload.load.formulas import LOOKBACK_DAYS

SPIKE_COLUMNS = ("date", "distance_km", "ref_km", "spike_pct", "early")


def daily_runs(a: Any, lo: date, hi: date) -> list[tuple[date, float]]:
    """(day, running distance in km) of each day between ``lo`` and ``hi`` with a run, from the
    assessment's daily series."""
    first, columns = a.frames.daily_columns
    if first is None:
        return []
    distance = columns["distance_km"]
    start, stop = max(0, (lo - first).days), min(len(distance), (hi - first).days + 1)
    return [(first + timedelta(days=i), km) for i, km in zip(range(start, stop), distance[start:stop].tolist())
            if km > 0]


def run_spikes(a: Any, since: date | None = None) -> dict[str, list[Any]]:
    """Per run from ``since``, as columns of plain lists: ``date``, ``distance_km``, ``ref_km``
    (longest run of the 30 days before, NaN when none), ``spike_pct`` (NaN when no reference)
    and ``early`` (the first 30 days of the data, which the single-run-spike rule does not
    judge)."""
    first_day = a.frames.first_day
    cols: dict[str, list[Any]] = {c: [] for c in SPIKE_COLUMNS}
    for r in a.frames.spikes():
        if since is not None and r["date"] < since:
            continue
        early = first_day is not None and (r["date"] - first_day).days < LOOKBACK_DAYS
        cols["date"].append(r["date"])
        cols["distance_km"].append(r["km"])
        cols["ref_km"].append(float("nan") if r["ref_km"] is None else r["ref_km"])
        cols["spike_pct"].append(float("nan") if r["spike_pct"] is None or early else r["spike_pct"])
        cols["early"].append(early)
    return cols


def load_ratio(a: Any) -> Any | None:
    """Daily acute:chronic ratio (column ``acwr``), hidden while its window holds a gap."""
    return a.load_ratio()


def fitness_fatigue(a: Any) -> Any | None:
    """Daily ``ctl``, ``atl``, ``tsb`` on running distance (NaN on days without data), with
    ``known`` and ``settled`` (False for the first 42 days: provisional)."""
    return a.fitness_fatigue()


def gaps(a: Any) -> list[tuple[date, date]]:
    """The days without data, (first, last) day: stretches of 14+ days without any recorded
    activity and calendar weeks without any file (:func:`runload.load.series.gaps`)."""
    return list(a.frames.gaps)


def cross_training_minutes(a: Any) -> dict[tuple[date, str], float]:
    """Minutes of other sports per (week start, sport)."""
    frame = a.frames.cross_training
    return {(ws, str(sport)): float(v) for ws, row in frame.iterrows() for sport, v in row.items() if v}


def thresholds(a: Any, rule_id: str) -> tuple[float, float] | None:
    """The (caution, warning) thresholds of a progression rule for this athlete, after the
    profile (a previous injury makes them stricter): the numbers the findings use."""
    return (a.thresholds or {}).get(rule_id)
