"""The shortcuts the readers' shared helpers take for the usual samples (one a second, heart rates
as recorded) give exactly what the general computation gives."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import numpy as np
import pytest

from runload.ingest.common import _window_ends, _window_kmh, hr_bins, hr_bins_array


@pytest.mark.parametrize("n", [2, 3, 5, 6, 7, 12, 600])
@pytest.mark.parametrize("t0", [0.0, 1_069_452_800.0, -7.0, 0.25])
def test_window_speeds_one_a_second_equal_the_searched_windows(n: int, t0: float) -> None:
    rng = np.random.default_rng(n)
    t = t0 + np.arange(n, dtype=float)
    d = np.cumsum(rng.choice([0.0, 0.3, 2.9, 3.1, 40.0], n))
    j = np.minimum(_window_ends(t), n - 1)
    searched = (d[j] - d[:-1]) / (t[j] - t[:-1]) * 3.6
    assert _window_kmh(t, d).tobytes() == searched.tobytes()


@pytest.mark.parametrize("seed", range(20))
def test_hr_bins_array_equals_the_sample_by_sample_bins(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 400))
    t = np.cumsum(rng.choice([0.0, 1.0, 1.0, 2.0, 45.0], n))
    hr = rng.choice([0.0, np.nan, 61.0, 140.4, 150.5, 151.0, 190.0, 5000.0 if seed % 3 == 0 else 170.0], n)
    start = datetime(2024, 5, 6, tzinfo=timezone.utc)
    samples = [(start + timedelta(seconds=float(s)), float(h)) for s, h in zip(t, hr) if not np.isnan(h)]
    assert hr_bins_array(t, hr) == hr_bins(samples)
