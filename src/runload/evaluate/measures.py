"""The measures of a warning against the injuries that followed, with intervals that respect
repeated measures of one athlete.

A judged day (or week) is flagged or not, and followed by an injury within the horizon or not.
The relative risk is the injury rate of flagged days over that of the others. Days of one
athlete are not independent (one injury-prone runner contributes many flagged days before many
injuries), so the 95% interval comes from a cluster bootstrap: athletes are drawn with
replacement, each bringing all their days (Field and Welsh 2007; the usual choice for repeated
measures when a model of the correlation is not wanted). One set of draws, made from the seed,
serves every row, so rows are compared on the same resamples and the result does not depend on
the order of the rows. :func:`naive_interval` is the Katz log interval that treats every day as
independent; it is here to show how much narrower it is, not to report.
"""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np
from numpy.typing import ArrayLike, NDArray

Floats = NDArray[np.float64]

BOOTSTRAP = 1000  # draws: enough for a 95% percentile interval to two significant figures


def draws(n_athletes: int, seed: int, n: int = BOOTSTRAP) -> Floats:
    """An ``n`` x ``n_athletes`` matrix: how often each athlete is drawn in each resample."""
    rng = np.random.default_rng(seed)
    if n_athletes == 0:
        return np.zeros((n, 0))
    return rng.multinomial(n_athletes, [1.0 / n_athletes] * n_athletes, size=n).astype(float)


def counts(cluster: NDArray[np.int64], flagged: NDArray[np.bool_], injured: NDArray[np.bool_], n_athletes: int
           ) -> Floats:
    """Per athlete: [flagged and injured, flagged, not flagged and injured, not flagged]."""
    f, y = flagged.astype(float), injured.astype(float)
    cols = [f * y, f, (1 - f) * y, 1 - f]
    return np.stack([np.bincount(cluster, weights=c, minlength=n_athletes) for c in cols], axis=1)


def relative_risk(a: ArrayLike, n1: ArrayLike, c: ArrayLike, n0: ArrayLike) -> Floats:
    """Injury rate when flagged over the rate when not (NaN when either group is empty or
    neither has an injury; inf when only the flagged days have injuries)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return (np.asarray(a) / np.asarray(n1)) / (np.asarray(c) / np.asarray(n0))


def cluster_interval(per_athlete: Floats, w: Floats, level: float = 0.95) -> tuple[float, float]:
    """The percentile interval of the relative risk over the resamples ``w`` (:func:`draws`)
    of the athletes' counts (:func:`counts`); NaN when no resample has a relative risk."""
    t = w @ per_athlete
    rr = relative_risk(t[:, 0], t[:, 1], t[:, 2], t[:, 3])
    rr = rr[~np.isnan(rr)]
    if rr.size == 0:
        return math.nan, math.nan
    tail = (1 - level) / 2
    # no interpolation: a resample with an infinite ratio stays infinite rather than NaN
    lo, hi = np.quantile(rr, [tail, 1 - tail], method="inverted_cdf")
    return float(lo), float(hi)


def naive_interval(a: float, n1: float, c: float, n0: float, level: float = 0.95) -> tuple[float, float]:
    """The Katz log interval, every day taken as independent (for comparison only)."""
    if min(a, c) <= 0 or n1 <= 0 or n0 <= 0:
        return math.nan, math.nan
    z = NormalDist().inv_cdf(1 - (1 - level) / 2)
    rr = (a / n1) / (c / n0)
    se = math.sqrt(1 / a - 1 / n1 + 1 / c - 1 / n0)
    return rr * math.exp(-z * se), rr * math.exp(z * se)


def auc_from_levels(pos: ArrayLike, neg: ArrayLike) -> Floats:
    """The area under the ROC curve of an ordered score given how many injured (``pos``) and
    uninjured (``neg``) days sit at each level (lowest first): the chance that an injured day
    has the higher level, ties counting half (the Mann-Whitney statistic)."""
    pos, neg = np.asarray(pos, dtype=float), np.asarray(neg, dtype=float)
    p, n = pos.sum(axis=-1), neg.sum(axis=-1)
    below = np.cumsum(neg, axis=-1) - neg  # uninjured days at a lower level
    wins = (pos * below).sum(axis=-1) + 0.5 * (pos * neg).sum(axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return wins / (p * n)


def auc_interval(pos_by_athlete: Floats, neg_by_athlete: Floats, w: Floats, level: float = 0.95) -> tuple[float, float]:
    """The cluster-bootstrap percentile interval of :func:`auc_from_levels` (athletes x levels
    counts, resamples ``w``)."""
    auc = auc_from_levels(w @ pos_by_athlete, w @ neg_by_athlete)
    auc = auc[~np.isnan(auc)]
    if auc.size == 0:
        return math.nan, math.nan
    tail = (1 - level) / 2
    lo, hi = np.quantile(auc, [tail, 1 - tail], method="inverted_cdf")
    return float(lo), float(hi)
