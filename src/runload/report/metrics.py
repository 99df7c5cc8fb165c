"""Load metrics the charts show, taken from the rule engine's own metric code.

The report computes no load metric itself: the single-run spike reference, the acute:chronic
ratio, fitness/fatigue, the stretches without data and cross-training come from
``runload.load_metrics`` and ``runload.load`` (the code the rules use), so a chart can never
disagree with a finding.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

# The acute:chronic chart draws the rule's default: coupled rolling 7/28-day means of daily
# running distance (rules/acute-chronic-ratio.toml).
ACWR_METHOD, ACWR_ACUTE, ACWR_CHRONIC = "rac", 7, 28
SILENCE_DAYS = 14  # rules/data-gap.toml: a stretch this long without any activity is unknown


def run_spikes(analysis: Any, since: date | None = None) -> Any | None:
    """Per run from ``since``: ``date``, ``distance_km``, ``ref_km`` (longest run of the 30 days
    before, NaN when none) and ``spike_pct`` (NaN when no reference). Runs more than 31 days before ``since`` cannot be anyone's reference, so they are
    not passed in (the metric compares every pair of runs)."""
    import pandas as pd

    from runload.load import local_date
    from runload.load_metrics import run_spikes as spikes

    first_day = min((local_date(a) for a in analysis.activities), default=None)
    acts = analysis.activities
    if since is not None:
        acts = [a for a in acts if local_date(a) >= since - timedelta(days=31)]
    rows = []
    for r in spikes(acts):
        if since is not None and r["date"] < since:
            continue
        # As the single-run-spike rule: a run in the first 30 days of the data has an incomplete
        # reference, so it is not judged (``early``), whatever the earlier runs were.
        early = first_day is not None and (r["date"] - first_day).days < 30
        rows.append({"date": r["date"], "distance_km": r["km"],
                     "ref_km": float("nan") if r["ref_km"] is None else r["ref_km"],
                     "spike_pct": float("nan") if r["spike_pct"] is None or early else r["spike_pct"],
                     "early": early})
    return pd.DataFrame(rows, columns=["date", "distance_km", "ref_km", "spike_pct", "early"])


def _distance_load(analysis: Any) -> Any:
    from runload.load import daily_load

    return daily_load(analysis.activities, load="distance", end=analysis.data_end)


def load_ratio(analysis: Any) -> Any | None:
    """Daily acute:chronic ratio (column ``acwr``, date index); hidden (NaN) while its 28-day
    window holds a stretch without data, as the rule does."""
    from runload.load_metrics import acwr_series

    ratio = acwr_series(_distance_load(analysis), method=ACWR_METHOD, acute=ACWR_ACUTE, chronic=ACWR_CHRONIC)
    for first, last in gaps(analysis) or []:
        hide = (ratio.index.date >= first) & (ratio.index.date <= last + timedelta(days=ACWR_CHRONIC - 1))
        ratio[hide] = float("nan")
    return ratio.to_frame("acwr")


def fitness_fatigue(analysis: Any) -> Any | None:
    """Daily ``ctl``, ``atl``, ``tsb`` on running distance, seeded with the mean of the first 28
    days as the fitness-ramp rule does (a zero seed makes fitness climb for months)."""
    from runload.load_metrics import fitness_fatigue as ctl_atl

    load = _distance_load(analysis)
    seed = float(load.iloc[:28].mean()) if len(load) else 0.0
    return ctl_atl(load, seed=seed)


def gaps(analysis: Any, as_of: date | None = None) -> list[tuple[date, date]]:
    """Stretches of 14+ days without any recorded activity, (first, last) day, as the data-gap
    rule sees them."""
    from runload.load_metrics import silences

    return list(silences(analysis.activities, min_days=SILENCE_DAYS, as_of=as_of))


def cross_training_minutes(activities: Any, week_start: int = 0) -> dict[tuple[date, str], float]:
    """Minutes of other sports per (week start, sport), from ``runload.load.weekly_cross_training``."""
    from runload.load import weekly_cross_training

    frame = weekly_cross_training(activities, week_start=week_start)
    return {(ws, str(sport)): float(v) for ws, row in frame.iterrows() for sport, v in row.items() if v}
