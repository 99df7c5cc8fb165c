"""Load metrics the charts show as context, taken from the rule engine's own metric code.

The report computes no load metric itself: the single-run spike reference, the acute:chronic
ratio and fitness/fatigue come from ``runload.load_metrics`` (the module the rules use), so a
chart can never disagree with a finding. When that module (or a function in it) is missing, the
chart is left out and the report says why.
"""

from __future__ import annotations

import importlib
from typing import Any

MISSING_NOTE = "this runload has no {what} metric in runload.load_metrics to draw it from"


def _module() -> Any | None:
    try:
        return importlib.import_module("runload.load_metrics")
    except ModuleNotFoundError as exc:
        if exc.name != "runload.load_metrics":
            raise
        return None


def _function(*names: str) -> Any | None:
    mod = _module()
    if mod is None:
        return None
    for name in names:
        fn = getattr(mod, name, None)
        if callable(fn):
            return fn
    return None


def run_spikes(analysis: Any) -> Any | None:
    """Per run: ``date``, ``distance_km``, ``ref_km`` (longest run of the 30 days before, NaN when
    none) and ``spike_pct``; None when the metric code is not available."""
    fn = _function("run_spike_frame", "run_spikes")
    return None if fn is None else fn(analysis.activities)


def load_ratio(analysis: Any) -> Any | None:
    """Daily acute:chronic ratio (column ``acwr``, index date); None when not available."""
    fn = _function("acwr_frame", "acwr_series")
    return None if fn is None else fn(analysis.activities, end=analysis.data_end)


def fitness_fatigue(analysis: Any) -> Any | None:
    """Daily ``ctl``, ``atl`` and ``tsb`` (index date); None when not available."""
    fn = _function("fitness_fatigue_frame", "ctl_atl_tsb")
    return None if fn is None else fn(analysis.activities, end=analysis.data_end)


def availability(name: str) -> str | None:
    """None when the metric behind chart ``name`` is available, else the note saying why not."""
    wanted = {
        "run_spikes": (("run_spike_frame", "run_spikes"), "single-run spike"),
        "load_ratio": (("acwr_frame", "acwr_series"), "acute:chronic ratio"),
        "fitness_fatigue": (("fitness_fatigue_frame", "ctl_atl_tsb"), "fitness/fatigue (CTL/ATL)"),
    }
    names, what = wanted[name]
    return None if _function(*names) is not None else MISSING_NOTE.format(what=what)
