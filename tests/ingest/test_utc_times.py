"""Times read at C speed (runload.ingest.common._utc_times: every time in UTC, ``Z`` or
``+00:00``) are read exactly as before: a file's times give the same seconds, zone, naive flag and
count of bad times as with the reader before (frozen below: only ``Z`` read by numpy, every other
time by ``datetime.fromisoformat`` one at a time)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from runload.ingest import common
from runload.ingest.common import Times, parse_times

pytestmark = pytest.mark.filterwarnings("ignore:no explicit representation of timezones")  # "+02:00Z", read so before too


def utc_times_before(texts: Sequence[str | None]) -> np.ndarray | None:
    """``_utc_times`` as it was: only times ending in ``Z``."""
    written = [x[:-1] for x in texts if isinstance(x, str) and x[-1:] == "Z" and x[10:11] == "T" and x[:1].isdigit()]
    if not texts or len(written) != len(texts):
        return None
    try:
        stamps = np.array(written, dtype="datetime64[us]")
    except ValueError:
        return None
    if np.isnat(stamps).any():
        return None
    return stamps.astype(np.int64) / 1e6


def times_before(texts: list[str | None]) -> Times:
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(common, "_utc_times", utc_times_before)
        return parse_times(texts)


def assert_same_times(texts: list[str | None]) -> None:
    new, old = parse_times(list(texts)), times_before(list(texts))
    assert np.array_equal(new.t_s, old.t_s, equal_nan=True), (texts, new.t_s, old.t_s)
    assert (new.offset_s, new.naive, new.bad) == (old.offset_s, old.naive, old.bad), texts


ZONES = ["Z", "+00:00", "-05:00", "+02:00", "z", "+00:00Z", "Z+00:00", "+02:00+00:00", "+0000", "", " "]
CLOCKS = ["07:00:00", "07:00:01.250", "07:00:04.123456789", "07:00:00.", "07:00", "07", "0700", "07:00:00:00",
          "07:00.5", "24:00:00", "23:59:60", "7:00:00", "07:00:00,5", "07:00:00 "]
DATES = ["2024-05-06", "2024-02-30", "2024-13-01", "9999-01-01", "1970-01-01", "2024-W19-1", "١٠٢٤-05-06", "20240506"]


@pytest.mark.parametrize("zone", ZONES)
@pytest.mark.parametrize("clock", CLOCKS)
def test_each_way_of_writing_a_time_reads_as_before(clock: str, zone: str) -> None:
    one = f"2024-05-06T{clock}{zone}"
    assert_same_times([one])
    assert_same_times(["2024-05-06T06:59:59Z", one, "2024-05-06T07:00:02+00:00"])
    assert_same_times(["2024-05-06T06:59:59+00:00", one])


@pytest.mark.parametrize("texts", [
    ["2024-05-06T07:00:00+00:00"] * 3,
    ["2024-05-06T07:00:00.5+00:00", "2024-05-06T07:00:01Z", "2024-05-06T07:00:02.000+00:00"],
    ["2024-05-06T07:00:00+00:00", None],
    ["2024-05-06T07:00:00+00:00", ""],
    ["2024-05-06T07:00:00+00:00\n", "2024-05-06T07:00:01Z"],  # a line break inside a time
    ["2024-05-06T07:00:00\nZ", "2024-05-06T07:00:01Z"],
    ["2024-05-06T07:00:00Z\n2024-05-06T07:00:01Z"],
    [" 2024-05-06T07:00:00+00:00", "2024-05-06T07:00:01+00:00 "],
    ["2024-05-06T07:00:00-05:00", "2024-05-06T07:00:01+00:00"],
    ["2024-05-06T07:00:00+00:00", "2024-05-06T07:00:01-00:00"],
    [],
])
def test_files_of_times_read_as_before(texts: list[str | None]) -> None:
    assert_same_times(texts)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(
    st.builds("{}T{}{}".format, st.sampled_from(DATES), st.sampled_from(CLOCKS), st.sampled_from(ZONES)),
    st.sampled_from(["2024-05-06T07:00:00Z", "2024-05-06T07:00:00+00:00", "", "yesterday"]),
    st.none(), st.text(max_size=30)), max_size=8))
def test_generated_times_read_as_before(texts: list[str | None]) -> None:
    assert_same_times(texts)


def _alike(first: str, n: int, changes: list[tuple[int, int, str]]) -> list[str]:
    """``n`` copies of ``first``, the given (copy, position, character) changed."""
    rows = [list(first) for _ in range(n)]
    for row, at, char in changes:
        rows[row % n][at % len(first)] = char
    return ["".join(r) for r in rows]


# (a way of finding many times written alike, the pattern that must match what it finds, first
# times to copy, how many, the characters changed in the copies)
_ALIKE = [
    (lambda joined, n: common._written_alike(joined, n), 1,
     ["2024-05-06T07:00:00Z", "2022-11-12T15:58:25.849800+00:00", "2024-05-06T07:00+00:00", "2024-05-06T07Z",
      "2024-05-06T07:00:00.+00:00", "2024-05-06T07:00:00+01:00"], 64, "0123456789-T:.Z+ a\u0661"),
    (lambda joined, n: common._z_written_alike(joined, n) is not None, 0,
     ["2024-05-06T07:00:00Z", "2024-05-06T07:00:00.000Z", "2024-05-06T07:00:00+00:00Z", "2024-05-06T07:00:00ZZ",
      "2024-05-06 07:00:00Z", "2024-05-06T07:00:00.123456789Z"], 60, "0123456789-T:.Z+ az\0\u0661"),
]


@pytest.mark.parametrize(("found", "pattern", "firsts", "least", "chars"), _ALIKE, ids=["plain", "z"])
@settings(max_examples=400, deadline=None)
@given(data=st.data())
def test_times_written_alike_are_times_the_pattern_matches(found: Any, pattern: int, firsts: list[str], least: int,
                                                          chars: str, data: st.DataObject) -> None:
    """Many times found written alike by numpy (``_written_alike``; ``_z_written_alike`` for
    times ending in ``Z``) are times the plain ISO (or the ``Z``) pattern matches, and read as before."""
    first = data.draw(st.sampled_from(firsts))
    n = data.draw(st.integers(least, 90))
    changes = data.draw(st.lists(st.tuples(st.integers(0, 99), st.integers(0, 40), st.sampled_from(chars)),
                                 max_size=4))
    texts = _alike(first, n, changes)
    joined = "\n".join(texts)
    if found(joined, n):
        assert common._UTC_FILES[pattern].fullmatch(joined)
    assert_same_times(list(texts))


def test_times_written_alike_are_found_so() -> None:
    texts = [f"2022-11-12T15:{m:02d}:{s:02d}.{s * 7:06d}+00:00" for m in range(10) for s in range(60)]
    assert common._written_alike("\n".join(texts), len(texts))
    assert not common._written_alike("\n".join(texts[:-1] + ["2022-11-12T15:59:59.000000+00:01"]), len(texts))
    assert_same_times(list(texts))




def test_z_times_written_alike_are_found_so() -> None:
    texts = [f"2024-05-06T07:{m:02d}:{s:02d}.000Z" for m in range(10) for s in range(60)]
    assert common._z_written_alike("\n".join(texts), len(texts)) is not None
    assert common._z_written_alike("\n".join(texts[:-1] + ["2024-05-06T07:59:59.00Z"]), len(texts)) is None
    assert common._z_written_alike("\n".join(texts[:-1] + ["2024-05-06T07:59:59.000+"]), len(texts)) is None
    assert_same_times(list(texts))
