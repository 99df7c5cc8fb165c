"""Numbers read at once as one JSON array (runload.ingest.common.json_numbers, orjson) are read
exactly as ``float()`` reads each text: every double bit for bit (``-0`` as -0.0), and every text
that JSON would read otherwise (``nan``, ``1_000``, ``-0``, blanks JSON does not know, a comma, a
bracket, a quote, ``true``, ``null``, a missing value) left to ``float()`` one text at a time.
:func:`runload.ingest.common.floats` keeps its values, NaN and count of dropped values."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from runload.ingest.common import floats, json_numbers

# decimals as devices and converters write them (up to 40 digits, so also past a double's 17)
_DECIMAL = st.from_regex(r"-?(0|[1-9][0-9]{0,20})(\.[0-9]{1,20})?([eE][+-]?[0-9]{1,3})?", fullmatch=True)
_FORMATTED = st.tuples(st.floats(allow_nan=False, allow_infinity=False), st.integers(0, 20)).flatmap(
    lambda xk: st.sampled_from([repr(xk[0]), f"{xk[0]:.{xk[1]}f}", f"{xk[0]:.{xk[1]}e}", f"{xk[0]:.{xk[1]}E}"]))
_INTEGER = st.integers(-(2**80), 2**80).map(str)  # past 64 bits too
_ODD = st.sampled_from([
    "-0", " -0 ", "-0.0", "-0e0", "-0E+0", "1e-05", "-1e-0", "1E-0", "-0.05", "0", "-00", "007", "nan", "NaN", "-nan", "inf", "-Infinity", "1e15",
    "1e308", "1.8e308", "1e400", "-1e400", "1e-400", "4.9e-324", "2.5e-324", "1_000", "1_0.5", "\u0661\u0662",
    "\uff11", " 1 ", "\t2\n", "\r3\r", "\x0c4", "\x0b5", "\xa06", "\u20037", "\x1c8", "1,2", ",", "]", "[1", "2]",
    "[]", "{}", '"1"', '"', "true", "false", "null", "", " ", "\t", "+1", ".5", "1.", "1e", "0x10", "1 2",
    "9007199254740993", "18446744073709551615", "18446744073709551616", "-9223372036854775809",
    "2.2250738585072011e-308", "0.1000000000000000055511151231257827021181583404541015625",
])
_NOISE = st.text(alphabet="0123456789-+.eE ,[]\"{}tnrufals_\t\n\r", max_size=8)
_TEXT = st.one_of(_DECIMAL, _FORMATTED, _INTEGER, _ODD, _NOISE, st.none())
_BLANK = st.sampled_from(["", " ", "\t", "\n ", "\r\n"])
_PADDED = st.tuples(_BLANK, st.one_of(_DECIMAL, _FORMATTED, _INTEGER, _ODD), _BLANK).map("".join)


def _bits(values: Sequence[float] | np.ndarray) -> bytes:
    return np.asarray(values, dtype=np.float64).tobytes()


def _floats_one_by_one(texts: Sequence[str | None], lo: float, hi: float) -> tuple[np.ndarray, int]:
    """What :func:`floats` means, one text at a time: NaN where no value is written (None or
    blank), NaN and counted where it is unreadable, not finite or outside [lo, hi]."""
    out, bad = [], 0
    for text in texts:
        if text is None or not text.strip():
            out.append(math.nan)
            continue
        try:
            v = float(text)
        except ValueError:
            v = math.inf
        if not math.isfinite(v) or v < lo or v > hi:
            out.append(math.nan)
            bad += 1
        else:
            out.append(v)
    return np.array(out, dtype=np.float64), bad


def _check(texts: list[str | None]) -> np.ndarray | None:
    fast = json_numbers(texts)
    if fast is not None:  # then every text is one a float() reads, to the same double
        assert all(isinstance(t, str) for t in texts)
        assert len(fast) == len(texts)
        assert _bits(fast) == _bits([float(t) for t in texts if t is not None])
    for lo, hi in ((-math.inf, math.inf), (-90.0, 90.0), (0.0, 255.0)):
        got, bad = floats(texts, lo, hi)
        want, want_bad = _floats_one_by_one(texts, lo, hi)
        assert (_bits(got), bad) == (_bits(want), want_bad)
    return fast


@settings(max_examples=600, deadline=None)
@given(st.lists(_TEXT, max_size=12))
def test_any_texts_read_as_float_reads_them(texts: list[str | None]) -> None:
    _check(texts)


@settings(max_examples=600, deadline=None)
@given(st.lists(st.one_of(_DECIMAL, _FORMATTED, _INTEGER, _PADDED), min_size=1, max_size=40))
def test_numbers_read_at_once_as_float_reads_them(texts: list[str]) -> None:
    _check(texts)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(_DECIMAL, _FORMATTED), min_size=1, max_size=40), st.data())
def test_one_odd_text_among_numbers(texts: list[str], data: st.DataObject) -> None:
    odd = data.draw(st.one_of(_ODD, _NOISE, st.none()))
    at = data.draw(st.integers(0, len(texts)))
    _check([*texts[:at], odd, *texts[at:]])


def test_plain_decimals_are_read_at_once() -> None:
    """(The quick way is taken where it should be: the tests above do not pass by never taking it.)"""
    rng = np.random.default_rng(0)
    texts = [f"{x:.7f}" for x in rng.uniform(-180, 180, 5000)] + ["125", "-0.0", " 3.5e2\n", "18446744073709551616"]
    fast = _check(texts)
    assert fast is not None


def test_what_json_reads_otherwise_is_left_to_float() -> None:
    for odd in ("-0", " -0\t", "nan", "inf", "1e400", "1_000", "\u0661", "\x0c1", "\xa01", "1,2", "[1", "2]",
                '"1"', "true", "null", "{}", "", " ", "+1", ".5", None):
        assert json_numbers(["1.5", odd, "2"]) is None, odd
    assert _bits(floats(["-0", "1"], -1.0, 1.0)[0]) == _bits([-0.0, 1.0])
    assert json_numbers(["[1", "2]"]) is None and json_numbers(["1,2"]) is None and json_numbers(["true"]) is None
