"""The rolling sum and mean the assessment reads, against pandas' ``rolling`` to the last bit.

runload walks the windows itself (so an assessment needs no pandas); the walk must give exactly
what ``Series.rolling(window, min_periods=window)`` gives, rest days, gaps (NaN), infinities,
negative zero and long runs of one value included.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from runload.load.formulas import rolling_mean, rolling_sum

WINDOWS = (1, 2, 7, 21, 28)


def _cases() -> list[np.ndarray]:
    rng = np.random.default_rng(26)
    cases = [np.array([]), np.array([5.0]), np.zeros(40), np.full(40, 7.3), np.array([-0.0] * 10 + [1.0] * 10)]
    for k in range(120):
        n = int(rng.integers(1, 130))
        kind = k % 5
        if kind == 0:
            v = rng.random(n) * 30
        elif kind == 1:  # km to two decimals, rest days between
            v = np.round(rng.random(n) * 30, 2) * (rng.random(n) < 0.5)
        elif kind == 2:
            v = rng.normal(size=n) * 1e3
        elif kind == 3:
            v = rng.choice([0.0, -0.0, 5.0, 5.0, 1e-300, -3.3, np.nan, np.inf, -np.inf, 1e16, 0.1], size=n)
        else:  # the same value day after day
            v = np.repeat(rng.random(n // 7 + 1) * 10, 7)[:n]
        cases.append(v)
    return cases


def _same_bits(got: np.ndarray, want: np.ndarray) -> bool:
    return got.shape == want.shape and bool(np.array_equal(got, want, equal_nan=True)) and bool(
        np.array_equal(np.signbit(got), np.signbit(want)))


@pytest.mark.parametrize("window", WINDOWS)
def test_rolling_sum_and_mean_are_pandas_to_the_last_bit(window: int) -> None:
    for values in _cases():
        series = pd.Series(values, dtype=float).replace([np.inf, -np.inf], np.nan)
        want_sum = series.rolling(window, min_periods=window).sum().to_numpy(dtype=float)
        want_mean = series.rolling(window, min_periods=window).mean().to_numpy(dtype=float)
        assert _same_bits(rolling_sum(values, window), want_sum), (window, values.tolist())
        assert _same_bits(rolling_mean(values, window), want_mean), (window, values.tolist())
