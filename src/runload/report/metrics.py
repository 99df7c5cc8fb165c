"""What the charts draw, read from the assessment's own frames.

The report computes no load metric and builds no frame: the daily series, the single-run spike
references, the acute:chronic ratio, fitness/fatigue, the stretches without data and
cross-training are the ones :func:`runload.assess.assess` built for the rules, so a chart can
never disagree with a finding.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from runload.load.formulas import LOOKBACK_DAYS


def daily(a: Any, lo: date, hi: date) -> Any:
    """The daily running frame between ``lo`` and ``hi``."""
    frame = a.frames.daily
    if frame.empty:
        return frame
    return frame[(frame.index >= str(lo)) & (frame.index <= str(hi))]


def run_spikes(a: Any, since: date | None = None) -> Any:
    """Per run from ``since``: ``date``, ``distance_km``, ``ref_km`` (longest run of the 30 days
    before, NaN when none), ``spike_pct`` (NaN when no reference) and ``early`` (the first 30 days
    of the data, which the single-run-spike rule does not judge)."""
    import pandas as pd  # noqa: PLC0415 - pandas only when a frame is read (keeps the command line fast)


    first_day = a.frames.first_day
    rows = []
    for r in a.frames.spikes():
        if since is not None and r["date"] < since:
            continue
        early = first_day is not None and (r["date"] - first_day).days < LOOKBACK_DAYS
        rows.append({"date": r["date"], "distance_km": r["km"],
                     "ref_km": float("nan") if r["ref_km"] is None else r["ref_km"],
                     "spike_pct": float("nan") if r["spike_pct"] is None or early else r["spike_pct"],
                     "early": early})
    return pd.DataFrame(rows, columns=["date", "distance_km", "ref_km", "spike_pct", "early"])


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
