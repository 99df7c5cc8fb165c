"""The pain log's weekly means, on integer arithmetic, against statistics.mean."""

from __future__ import annotations

import random
import statistics

from runload.pain.signs import _mean


def test_the_weekly_mean_of_scores_is_statistics_mean() -> None:
    """The weeks' mean scores are statistics.mean's, value and type (a whole mean is an int)."""
    rnd = random.Random(5)
    for _ in range(2000):
        xs = [rnd.randrange(0, 11) for _ in range(rnd.randrange(1, 9))]
        assert (_mean(xs), type(_mean(xs))) == (statistics.mean(xs), type(statistics.mean(xs)))
    assert _mean([1.5, 2]) == statistics.mean([1.5, 2])  # not all whole: statistics.mean itself
