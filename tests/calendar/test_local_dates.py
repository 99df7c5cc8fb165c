"""The local days of many activities at once are the start plus its offset, whatever the offset:
none, whole hours, half hours, a day or more either way, across midnight and year ends."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

from runload.calendar import local_date, local_dates
from runload.models import Activity, Sport


def test_local_dates_are_the_start_plus_its_offset() -> None:
    rnd = random.Random(26)
    acts = []
    for _ in range(3000):
        start = datetime(2019, 12, 25, tzinfo=timezone.utc) + timedelta(
            seconds=rnd.randrange(0, 10**8), microseconds=rnd.randrange(10**6))
        off = rnd.choice([None, 0, 3600, -3600, 50400, -43200, 19800, -12600, 86399, -86400,
                          rnd.randrange(-2 * 86400, 2 * 86400)])
        acts.append(Activity(start, Sport.RUNNING, 1000.0, utc_offset_s=off))
    want = [(a.start_utc + timedelta(seconds=a.utc_offset_s or 0)).date() for a in acts]
    assert local_dates(acts) == want
    assert local_dates(acts) == want  # the second time from what the first kept
    assert [local_date(a) for a in acts] == want
