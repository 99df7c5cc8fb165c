"""The text the store keeps for times and laps is what ``isoformat`` and ``json.dumps`` write, byte
for byte, whichever way it is written (directly for the laps readers give, through json for the
rest)."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from runload.models import Lap
from runload.store.rows import iso, lap_to_json, laps_json

UTC = timezone.utc


def _as_json(laps: list[Lap]) -> str:
    return json.dumps([lap_to_json(lap) for lap in laps])


@dataclass(frozen=True)
class _LongerLap(Lap):
    note: str = "a subclass writes its own fields too"


class _Later(datetime):
    """A datetime subclass (as pandas' Timestamp is): written as its own isoformat writes it."""

    def isoformat(self, sep: str = "T", timespec: str = "auto") -> str:
        return "later"


def test_times_are_written_as_isoformat_writes_them() -> None:
    for when in (datetime(1, 1, 1, tzinfo=UTC), datetime(999, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC),
                 datetime(2026, 3, 29, 1, 2, 3, 4_567, tzinfo=UTC),
                 datetime(2026, 3, 29, 3, 2, 3, 999, tzinfo=timezone(timedelta(hours=2))),
                 datetime(9999, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC)):
        assert iso(when) == when.astimezone(UTC).isoformat(timespec="milliseconds")
    assert iso(_Later(2026, 1, 1, tzinfo=UTC)) == "later"


def test_laps_are_written_as_json_writes_them() -> None:
    rng = random.Random(7)
    values: list[object] = [None, 0, 1, -3, 0.0, -0.0, 1.5, 1001.18, 1e16, 1e-7, 10**30, True, False,
                            float("nan"), float("inf"), -float("inf")]
    starts: list[datetime | None] = [None, datetime(2026, 5, 4, 6, 30, 0, 123_999, tzinfo=UTC),
                                     datetime(5, 1, 1, tzinfo=UTC),
                                     datetime(2026, 5, 4, 8, 30, tzinfo=timezone(timedelta(hours=2))),
                                     _Later(2026, 5, 4, tzinfo=UTC)]
    for _ in range(3000):
        laps = [Lap(rng.choice(starts), *(rng.choice(values) for _ in range(6)))
                for _ in range(rng.randint(1, 4))]
        assert laps_json(laps) == _as_json(laps)
    t = datetime(2026, 5, 4, 6, 30, tzinfo=UTC)
    plain = [Lap(t, 1000.0, 300.0, avg_hr_bpm=150, avg_speed_mps=3.33), Lap(None, None, None)]
    assert laps_json(plain) == _as_json(plain)
    assert laps_json([_LongerLap(t, 1000.0, 300.0)]) == _as_json([_LongerLap(t, 1000.0, 300.0)])
    assert laps_json([]) == laps_json(()) == "[]"


_ZONES = st.sampled_from([UTC, timezone(timedelta(0)), timezone(timedelta(hours=-3, minutes=-30)),
                          ZoneInfo("Europe/Stockholm")])
_TIMES = st.datetimes(min_value=datetime(2, 1, 1), max_value=datetime(9998, 12, 31), timezones=_ZONES)
_NUMBERS = st.one_of(st.none(), st.floats(), st.integers(min_value=-10**20, max_value=10**20), st.booleans())


@settings(max_examples=500, deadline=None)
@given(_TIMES)
def test_any_time_is_written_as_isoformat_writes_it(when: datetime) -> None:
    assert iso(when) == when.astimezone(UTC).isoformat(timespec="milliseconds")


@settings(max_examples=300, deadline=None)
@given(st.lists(st.builds(Lap, st.one_of(st.none(), _TIMES), _NUMBERS, _NUMBERS, _NUMBERS, _NUMBERS, _NUMBERS,
                          _NUMBERS), max_size=6))
def test_any_laps_are_written_as_json_writes_them(laps: list[Lap]) -> None:
    assert laps_json(laps) == _as_json(laps)
