"""Load metrics the charts show, taken from the rule engine's own metric code.

The report computes no load metric itself: the single-run spike reference, the acute:chronic
ratio, fitness/fatigue and the stretches without data come from ``runload.load_metrics`` and
``runload.load`` (the code the rules use), so a chart can never disagree with a finding. When
that code is missing, the chart is left out and the report says why.
"""

from __future__ import annotations

import importlib
from datetime import date, timedelta
from typing import Any

MISSING_NOTE = "this runload has no {what} metric in runload.load_metrics to draw it from"

#: chart name -> (functions it needs as "module:function", what to call it when missing)
NEEDS = {
    "run_spikes": (("runload.load_metrics:run_spikes",), "single-run spike"),
    "load_ratio": (("runload.load_metrics:acwr_series", "runload.load:daily_load"), "acute:chronic ratio"),
    "fitness_fatigue": (("runload.load_metrics:fitness_fatigue", "runload.load:daily_load"), "fitness/fatigue (CTL/ATL)"),
}

# The acute:chronic chart draws the rule's default: coupled rolling 7/28-day means of daily
# running distance (rules/acute-chronic-ratio.toml).
ACWR_METHOD, ACWR_ACUTE, ACWR_CHRONIC = "rac", 7, 28
SILENCE_DAYS = 14  # rules/data-gap.toml: a stretch this long without any activity is unknown


def _function(target: str) -> Any | None:
    module, name = target.split(":")
    try:
        mod = importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name != module:
            raise
        return None
    fn = getattr(mod, name, None)
    return fn if callable(fn) else None


def availability(name: str) -> str | None:
    """None when the code behind chart ``name`` is there, else a note saying why it is not."""
    targets, what = NEEDS[name]
    return None if all(_function(t) for t in targets) else MISSING_NOTE.format(what=what)


def run_spikes(analysis: Any, since: date | None = None) -> Any | None:
    """Per run from ``since``: ``date``, ``distance_km``, ``ref_km`` (longest run of the 30 days
    before, NaN when none) and ``spike_pct`` (NaN when no reference); None when the code is
    missing. Runs more than 31 days before ``since`` cannot be anyone's reference, so they are
    not passed in (the metric compares every pair of runs)."""
    import pandas as pd

    from runload.load import local_date

    fn = _function("runload.load_metrics:run_spikes")
    if fn is None:
        return None
    acts = analysis.activities
    if since is not None:
        acts = [a for a in acts if local_date(a) >= since - timedelta(days=31)]
    rows = [{"date": r["date"], "distance_km": r["km"],
             "ref_km": float("nan") if r["ref_km"] is None else r["ref_km"],
             "spike_pct": float("nan") if r["spike_pct"] is None else r["spike_pct"]}
            for r in fn(acts) if since is None or r["date"] >= since]
    return pd.DataFrame(rows, columns=["date", "distance_km", "ref_km", "spike_pct"])


def _distance_load(analysis: Any) -> Any | None:
    fn = _function("runload.load:daily_load")
    return None if fn is None else fn(analysis.activities, load="distance", end=analysis.data_end)


def load_ratio(analysis: Any) -> Any | None:
    """Daily acute:chronic ratio (column ``acwr``, date index); hidden (NaN) while its 28-day
    window holds a stretch without data, as the rule does. None when the code is missing."""
    fn = _function("runload.load_metrics:acwr_series")
    load = _distance_load(analysis)
    if fn is None or load is None:
        return None
    ratio = fn(load, method=ACWR_METHOD, acute=ACWR_ACUTE, chronic=ACWR_CHRONIC)
    for first, last in gaps(analysis) or []:
        hide = (ratio.index.date >= first) & (ratio.index.date <= last + timedelta(days=ACWR_CHRONIC - 1))
        ratio[hide] = float("nan")
    return ratio.to_frame("acwr")


def fitness_fatigue(analysis: Any) -> Any | None:
    """Daily ``ctl``, ``atl``, ``tsb`` on running distance, seeded with the mean of the first 28
    days as the fitness-ramp rule does (a zero seed makes fitness climb for months)."""
    fn = _function("runload.load_metrics:fitness_fatigue")
    load = _distance_load(analysis)
    if fn is None or load is None:
        return None
    seed = float(load.iloc[:28].mean()) if len(load) else 0.0
    return fn(load, seed=seed)


def gaps(analysis: Any, as_of: date | None = None) -> list[tuple[date, date]] | None:
    """Stretches of 14+ days without any recorded activity, (first, last) day, as the data-gap
    rule sees them; None when that code is missing (the charts then mark whole empty weeks)."""
    fn = _function("runload.load_metrics:silences")
    if fn is None:
        return None
    return list(fn(analysis.activities, min_days=SILENCE_DAYS, as_of=as_of))


def cross_training_minutes(activities: Any, week_start: int = 0) -> dict[tuple[date, str], float]:
    """Minutes of other sports per (week start, sport): ``runload.load.weekly_cross_training``
    when there is one; otherwise the same definition (every sport but running, driving and
    unknown) summed here."""
    fn = _function("runload.load:weekly_cross_training")
    if fn is not None:
        frame = fn(activities, week_start=week_start)
        return {(ws, str(sport)): float(v) for ws, row in frame.iterrows() for sport, v in row.items() if v}
    from runload.load import local_date, week_start_of
    from runload.models import Sport

    out: dict[tuple[date, str], float] = {}
    for a in activities:
        if a.is_run or a.sport in (Sport.DRIVING, Sport.UNKNOWN):
            continue
        dur = a.timer_s if a.timer_s is not None else a.elapsed_s
        key = (week_start_of(local_date(a), week_start), a.sport.value)
        out[key] = out.get(key, 0.0) + (dur or 0.0) / 60.0
    return out
