"""Benchmark: reading a column of decimal numbers exactly at once with numpy, against Python's
``float()`` of each (what runload's GPX and TCX readers do), on the numbers of TCX files.

The way (``bulk_floats``): a value written ``[+-]digits[.digits]`` with at most 19 digits is its
digits ``M`` (below 10**19: exact in 64 bits) over ``10**k`` (exact in a ``longdouble``); numpy's
``longdouble`` (x87's 64-bit significand, or IEEE quad) divides them correctly rounded, and
rounding that to a double gives the double nearest the decimal unless the first rounding landed
exactly halfway between two doubles (a midpoint of doubles has 54 significant bits, so it is a
``longdouble``: a quotient on either side of it is rounded onto it or stays on its side). Those,
and every value written otherwise (an exponent, blanks, ``nan``, ``1_000``, a digit outside ASCII,
more digits, no value), are read by ``float()``, which raises for a bad one as before. No value
this way is subnormal or overflows; the sign is applied after rounding (symmetric: ``-0.0`` stays).
No C library's ``strtod`` is involved, so no locale (numpy's own text-to-float paths,
``np.fromstring(sep=...)`` and the ``U``-to-``float64`` cast, end in CPython's ``dtoa.c`` as
``float()`` does, and were no quicker).

``--check`` proves the bits the same as ``float()``'s: random decimals of 1 to 19 digits (signs,
leading zeros, exponents), decimals written within a unit in the last place of a midpoint between
two doubles, integers that are midpoints (2**53 + 1...), malformed values among good ones (the
same exception and message), and every number in the GPX and TCX files of
../shared/real_activities, sample_activities and tests. Then the timing: CPU time, medians of
interleaved runs, per column of a TCX file's points and for all its columns at once.

Found so: exact, but hardly quicker than ``float()`` per column of a few thousand values (about
1.3x for 17-digit positions, 0.8x for short values such as heart rates: numpy's forty-odd calls
over the characters cost about what ``float()`` does), 1.5x with every column of a file at once.
runload's readers did not take it. They read a column as one JSON array with orjson
(``runload.ingest.common.json_numbers``, timed here as ``orjson``: the texts joined by commas,
read at once, exact where every text is a JSON number alone, else ``float()`` as before): about
3-3.7x ``float()`` and twice numpy's way on every column, the array of doubles made included
(``tests/ingest/test_json_numbers.py`` holds its bits to ``float()``'s).

Usage: python benchmarks/bench_decimals.py [--check N] [--rounds N]
"""

from __future__ import annotations

import argparse
import gzip
import random
import re
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from decimal import Decimal, getcontext
from pathlib import Path
from typing import cast

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_import import make_tcx  # noqa: E402 - the corpus writer, beside this file

from runload.ingest.common import json_numbers  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT.parent / "shared" / "real_activities"

DIGITS = 19  # significant digits read here at most (10**19 - 1 < 2**64)
WIDEST = 24  # a value written wider than this is read by float()
FEW = 64  # fewer values: float() (numpy's calls cost more)
EXACT = int(np.finfo(np.longdouble).nmant) in (63, 112)  # x87 extended or IEEE quad
_POW10 = np.array([10 ** i for i in range(DIGITS + 1)], dtype=np.uint64).astype(np.longdouble)  # exact


def _plain(texts: Sequence[str | None]) -> np.ndarray:
    return np.fromiter(map(float, texts), dtype=np.float64, count=len(texts))


def bulk_floats(texts: Sequence[str | None]) -> np.ndarray:
    """``np.fromiter(map(float, texts), np.float64)``: the same bits and the same exceptions
    (the way is the module docstring's)."""
    n = len(texts)
    if not EXACT or n < FEW:
        return _plain(texts)
    try:
        joined = "\n".join(cast("Sequence[str]", texts))
    except TypeError:  # a None (no value) or another type: float() says what it says of it
        return _plain(texts)
    if not joined.isascii():
        return _plain(texts)
    text = np.frombuffer(joined.encode("ascii") + b"\n" * (WIDEST + 1), dtype=np.uint8)
    ends = np.flatnonzero(text[:len(joined) + 1] == 10)
    if len(ends) != n:
        return _plain(texts)  # a line break inside a value
    starts = np.empty(n, dtype=np.int64)
    starts[0] = 0
    starts[1:] = ends[:-1] + 1
    lens = ends - starts
    width = min(int(lens.max()), WIDEST)  # (a wider value is read by float())
    if not width:
        return _plain(texts)  # no value written: float() says so
    # the characters as a (width, n) matrix, each value down a column, 0 after its end
    chars = np.ascontiguousarray(sliding_window_view(text, width)[starts].T)
    at = np.arange(width, dtype=np.uint8)[:, None]
    chars *= at < lens
    digit = chars - np.uint8(48)
    is_digit = digit < 10
    is_dot = chars == 46
    first = chars[0]
    signed = (first == 45) | (first == 43)
    fine = is_digit | is_dot | (chars == 0)
    fine[0] |= signed
    n_digits = is_digit.sum(axis=0, dtype=np.uint8)
    n_dots = is_dot.sum(axis=0, dtype=np.uint8)
    ok = fine.all(axis=0) & (lens <= width) & (n_dots <= 1) & (n_digits >= 1) & (n_digits <= DIGITS)
    # M by Horner's rule down the columns (a character that is not a digit leaves it as it is)
    times = is_digit * np.uint8(9) + np.uint8(1)
    digit *= is_digit
    m = np.zeros(n, dtype=np.uint64)
    for row in range(width):  # (wraps modulo 2**64 for a value with too many digits: not ok, unused)
        np.multiply(m, times[row], out=m)
        np.add(m, digit[row], out=m)
    # k: the digits after the point (before it stand only the sign and digits, in a value ok)
    dot_at = (is_dot * at).sum(axis=0, dtype=np.uint8)
    k = np.where(ok & (n_dots == 1), n_digits.astype(np.int64) - dot_at + signed, 0)
    exact = m.astype(np.longdouble) / _POW10[k]
    out = exact.astype(np.float64)
    beside = np.nextafter(out, np.where(exact > out, np.inf, -np.inf))
    halfway = (exact != out) & (exact == (out.astype(np.longdouble) + beside.astype(np.longdouble)) / 2)
    np.negative(out, out=out, where=first == 45)
    for i in np.flatnonzero(~ok | halfway).tolist():
        out[i] = float(cast(str, texts[i]))
    return out


def _plain_all(texts: Sequence[str | None]) -> np.ndarray:
    return np.fromiter(map(float, texts), dtype=np.float64, count=len(texts))


def _same(texts: Sequence[str | None]) -> int:
    """The bits of both ways, or the same exception and message; the values compared."""
    outcomes = []
    for read in (bulk_floats, _plain_all):
        try:
            outcomes.append(("bits", read(texts).tobytes()))
        except (TypeError, ValueError) as exc:
            outcomes.append((type(exc).__name__, str(exc)))
    if outcomes[0] != outcomes[1]:
        raise SystemExit(f"DIFFERENT: {outcomes[0][:2]} {outcomes[1][:2]} in {texts[:5]}...")
    return len(texts)


def _decimal(rng: random.Random) -> str:
    digits = "".join(rng.choice("0123456789") for _ in range(rng.randint(1, 19)))
    if rng.random() < 0.2:
        digits = "0" * rng.randint(1, 4) + digits[:15]
    if rng.random() < 0.85:
        at = rng.randint(0, len(digits))
        digits = digits[:at] + "." + digits[at:]
    sign = rng.random()
    text = ("-" if sign < 0.3 else "+" if sign < 0.35 else "") + digits
    if rng.random() < 0.05:
        text += rng.choice(["e", "E", "e-", "e+"]) + str(rng.randint(0, 30))
    return text


def _near_tie(rng: random.Random) -> str:
    """A midpoint between two adjacent doubles written with 15-19 digits, nudged a unit either way."""
    x = rng.uniform(1, 2) * 2.0 ** rng.randint(-60, 60)
    mid = (Decimal(x) + Decimal(float(np.nextafter(x, np.inf)))) / 2
    written = Decimal(f"{mid:.{rng.randint(15, 19)}e}")
    nudge = rng.choice([-1, 0, 0, 1]) * Decimal(1).scaleb(int(written.as_tuple().exponent))
    return ("-" if rng.random() < 0.3 else "") + format(written + nudge, "f")


def _midpoint(rng: random.Random) -> str:
    """An integer halfway between two doubles (2**53 + 1, ...), some with a fraction of zeros."""
    k = rng.randint(53, 63)
    ulp = 2 ** (k - 52)
    text = str(((2 ** k + rng.getrandbits(k - 1)) // ulp) * ulp + ulp // 2)
    if len(text) <= 19 and rng.random() < 0.5:
        text += "." + "0" * rng.randint(0, 19 - len(text))
    return text


BAD = ["", " ", "abc", "1.2.3", "--1", "1-", ".", "-", "+", "1e", "e5", "1_000", "\u0661\u0662", "nan", "inf",
       "-inf", " 12 ", "12 ", "\t5", "0x10", "1,5", "1e400", "1e-400", "12345678901234567890", "00000000000000000001.5"]


def check(n: int, seed: int = 0) -> None:
    getcontext().prec = 1200
    rng = random.Random(seed)
    makers: list[Callable[[random.Random], str]] = [_decimal, _near_tie, _midpoint]
    done = 0
    while done < n:
        done += _same([rng.choice(makers)(rng) for _ in range(5000)])
    print(f"{done:,} random decimals, near-ties and midpoints: the same bits")
    for _ in range(3000):
        texts: list[str | None] = [_decimal(rng) for _ in range(80)]
        texts[rng.randrange(80)] = rng.choice(BAD)
        _same(texts)
        texts.insert(rng.randrange(80), None)
        _same(texts)
    print("3,000 columns with a malformed value or no value: the same exception and message")
    count = 0
    files = [p for root in (REAL, ROOT / "sample_activities", ROOT / "tests") for p in root.rglob("*")
             if p.is_file() and re.search(r"\.(gpx|tcx)(\.gz)?$", p.name, re.IGNORECASE)]
    for path in files:
        data = path.read_bytes()
        if path.suffix == ".gz":
            data = gzip.decompress(data)
        text = data.decode("utf-8", "replace")
        numbers = []
        for value in re.findall(r">([^<]*)<", text) + re.findall(r"=\s*\"([^\"]*)\"", text):
            try:
                float(value)
            except ValueError:
                continue
            numbers.append(value)
        for at in range(0, len(numbers), 4096):
            count += _same(numbers[at:at + 4096])
    print(f"{count:,} numbers of {len(files)} GPX and TCX files: the same bits")


def measure(rounds: int) -> None:
    start = datetime(2024, 5, 6, 7, tzinfo=timezone.utc)
    files = [(p.name, p.read_text()) for p in sorted((REAL / "tcx").glob("*.tcx")) if p.name == "mapmyride_biking.tcx"]
    files.append(("synthetic 60 min", make_tcx(60, 0, start).decode()))
    for label, text in files:
        columns = []
        for tag in ("LatitudeDegrees", "LongitudeDegrees", "AltitudeMeters", "DistanceMeters", "Value", "ns3:RunCadence"):
            column = re.findall(rf"<{tag}>([^<]*)<", text)
            if column:
                columns.append((tag, column))
        columns.append(("every column at once", [v for _, c in columns for v in c]))
        for tag, column in columns:
            times: dict[str, list[float]] = {"numpy": [], "orjson": [], "float()": []}
            for r in range(rounds):
                order = [("numpy", bulk_floats), ("orjson", json_numbers), ("float()", _plain_all)]
                for name, read in order[r % 3:] + order[:r % 3]:
                    t0 = time.process_time()
                    read(column)
                    times[name].append(time.process_time() - t0)
            ours, theirs, ref = (statistics.median(times[k]) for k in ("numpy", "orjson", "float()"))
            print(f"  {label[:20]:20s} {tag:22s} {len(column):6d} values: numpy {ours * 1e3:6.2f} ms "
                  f"({ref / ours:.2f}x float()), orjson {theirs * 1e3:6.2f} ms ({ref / theirs:.2f}x), "
                  f"float() {ref * 1e3:6.2f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", type=int, default=0, help="random values to check (0: none)")
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    if not EXACT:
        raise SystemExit("numpy's longdouble is no wider than a double here: nothing to measure")
    if args.check:
        check(args.check)
    measure(max(5, args.rounds))


if __name__ == "__main__":
    main()
