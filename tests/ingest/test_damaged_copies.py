"""The readers on damaged copies of the real files (fixed seed, a few seconds): each copy is read or
refused with a reason, never a traceback, and nothing read is NaN, infinite or impossible."""

from __future__ import annotations

import gzip
import math
import random
import re

import pytest

from conftest import REAL, needs_real
from runload.errors import IngestError
from runload.ingest import parse_source

pytestmark = pytest.mark.slow  # damaged copies of every real file

FILES = sorted(p for p in REAL.rglob("*") if p.suffix in (".fit", ".gpx", ".tcx", ".gz")) if REAL.is_dir() else []
NUMBER = re.compile(rb">-?\d+(?:\.\d+)?<|\"-?\d+\.\d+\"")
YEAR = re.compile(rb"(?:19|20)\d\d-")


def _mutant(rng: random.Random, data: bytes, kind: str) -> bytes:
    op = rng.randrange(4)
    b = bytearray(data)
    if op == 0 or kind == "fit":  # flipped bits, or bytes replaced
        for _ in range(rng.randrange(1, 20)):
            i = rng.randrange(len(b))
            b[i] = b[i] ^ (1 << rng.randrange(8)) if op == 0 else rng.randrange(256)
        return bytes(b)
    if op == 1:  # an interrupted copy
        return bytes(b[: rng.randrange(len(b))])
    if op == 2:  # numbers replaced by what converters write
        text = data
        for m in rng.sample(list(NUMBER.finditer(data)), min(30, len(NUMBER.findall(data)))):
            s = m.group()
            text = text.replace(s, s[:1] + rng.choice([b"nan", b"inf", b"1e15", b"-1e15", b"NaN"]) + s[-1:], 1)
        return text
    year = rng.choice([b"0001-", b"9999-", b"2031-", b"1995-"])  # times in impossible or far-away years
    return YEAR.sub(year, data, count=rng.randrange(1, 50))


@needs_real
def test_damaged_real_files_are_read_or_refused_never_a_traceback() -> None:
    rng = random.Random(20261202)
    for _ in range(250):
        path = rng.choice(FILES)
        data = path.read_bytes()
        if path.name.endswith(".gz"):
            data = gzip.decompress(data)
        kind = next(k for k in ("fit", "gpx", "tcx") if f".{k}" in path.name)
        mutant = _mutant(rng, data, kind)
        try:
            acts = parse_source(kind, mutant, path.name)
        except IngestError as err:
            assert err.message and "Error" not in err.message, err.message
            continue
        for a in acts:
            values = [a.distance_m, a.timer_s, a.elapsed_s, a.elevation_gain_m, a.avg_hr_bpm, a.max_hr_bpm,
                      a.avg_cadence_spm, *a.hr_zone_s.values()]
            values += [v for lap in a.laps for v in (lap.distance_m, lap.timer_s, lap.avg_hr_bpm, lap.avg_speed_mps)]
            assert all(v is None or math.isfinite(v) for v in values), (path.name, values)
            assert a.elapsed_s is None or 0 <= a.elapsed_s <= 2 * 86400, (path.name, a.elapsed_s)
            assert a.timer_s is None or a.timer_s <= (a.elapsed_s or 0) + 1, (path.name, a.timer_s, a.elapsed_s)
            assert 1980 <= a.start_utc.year < 2100, (path.name, a.start_utc)
            assert 0 <= a.distance_m <= 2_000_000, (path.name, a.distance_m)
            assert a.utc_offset_s is None or abs(a.utc_offset_s) <= 14 * 3600
