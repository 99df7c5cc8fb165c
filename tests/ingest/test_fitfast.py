"""The fast FIT summary reader agrees with fitdecode's full decode on every real FIT file."""

from __future__ import annotations

import math
import struct
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import REAL, SAMPLES, needs_real
from runload.errors import IngestError
from runload.ingest.fit import activities_from_fit, parse_fit, read_fit_fitdecode
from runload.ingest.fitfast import FitFallback, read_fit_fast

pytestmark = pytest.mark.slow  # fitdecode's full decode of every real FIT file

FIT_FILES = sorted(REAL.glob("**/*.fit")) if REAL.is_dir() else []
FIELDS = ("start_utc", "sport", "sub_sport", "distance_m", "timer_s", "elapsed_s", "avg_hr_bpm", "max_hr_bpm",
          "avg_cadence_spm", "elevation_gain_m", "device", "utc_offset_s", "leg_index", "sport_inferred")


def _close(a: object, b: object) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
    return a == b


def _outcome(fd, name: str):
    try:
        return activities_from_fit(fd, name)
    except IngestError as err:
        return f"error: {err.message.split(':')[0]}"


@needs_real
@pytest.mark.parametrize("path", FIT_FILES, ids=lambda p: p.name)
def test_fast_reader_agrees_with_fitdecode(path: Path) -> None:
    data = path.read_bytes()
    try:
        fast_fd = read_fit_fast(data)
    except FitFallback:
        pytest.skip("the fast reader hands this file to fitdecode")
    slow_fd = read_fit_fitdecode(data)
    slow = _outcome(slow_fd, path.name)
    fast = _outcome(fast_fd, path.name)
    # the records located by the walk are the records fitdecode decodes
    assert len(fast_fd.rec_t) == len(slow_fd.rec_t)
    assert len(fast_fd.sessions) == len(slow_fd.sessions)
    if isinstance(slow, str) or isinstance(fast, str):
        assert slow == fast
        return
    assert len(fast) == len(slow), "same number of legs"
    for f, s in zip(fast, slow):
        for name in FIELDS:
            assert _close(getattr(f, name), getattr(s, name)), f"leg {s.leg_index} {name}: {getattr(f, name)!r} != {getattr(s, name)!r}"
        assert f.laps == s.laps
        assert f.hr_zone_s.keys() == s.hr_zone_s.keys()
        for k in s.hr_zone_s:
            assert math.isclose(f.hr_zone_s[k], s.hr_zone_s[k])


@needs_real
def test_every_real_fit_file_is_read_by_the_fast_path_or_falls_back() -> None:
    used_fast = 0
    for path in FIT_FILES:
        try:
            fd = read_fit_fast(path.read_bytes())
        except FitFallback:
            continue
        used_fast += bool(fd.sessions)
    assert used_fast >= 12  # most real files have a summary the fast reader can use


def test_fallback_for_bytes_that_are_not_fit() -> None:
    with pytest.raises(FitFallback):
        read_fit_fast(b"<?xml version='1.0'?><gpx/>" + b" " * 20)
    with pytest.raises(IngestError):
        parse_fit(b"not a fit file at all, just text....", "x.fit")


# ---------------------------------------------------------------- the bulk walk against the step walk
# ``read_fit_fast`` jumps over repeated runs of messages at once; ``bulk=False`` walks the same file
# one message at a time (the reader as it was before runs were taken at once). Both must give the
# same messages, the same record arrays bit for bit, and the same problem or the same error.
SAMPLE_FIT = sorted(SAMPLES.glob("**/*.fit")) if SAMPLES.is_dir() else []


def _result(data: bytes, bulk: bool) -> tuple[object, ...]:
    try:
        fd = read_fit_fast(data, bulk=bulk)
    except FitFallback as err:
        return ("fallback", str(err))
    except (struct.error, IndexError, ValueError) as err:
        return (type(err).__name__, str(err))
    arrays = tuple(a.tobytes() for a in (fd.rec_t, fd.rec_dist, fd.rec_speed, fd.rec_hr, fd.rec_cad))
    return (repr(fd.file_ids), repr(fd.sports), repr(fd.sessions), repr(fd.laps), repr(fd.activities), arrays,
            fd.problem)


def _same_both_ways(data: bytes) -> None:
    assert _result(data, bulk=True) == _result(data, bulk=False)


@pytest.mark.parametrize("path", FIT_FILES + SAMPLE_FIT, ids=lambda p: p.name)
def test_bulk_walk_reads_every_file_as_the_step_walk(path: Path) -> None:
    _same_both_ways(path.read_bytes())


# A small FIT writer: definition and data messages byte by byte, so every layout can be made.
RECORD_FIELDS = ((253, 4, 0x86), (5, 4, 0x86), (6, 2, 0x84), (3, 1, 0x02), (4, 1, 0x02))  # t, dist, speed, hr, cad
HRV_FIELDS = ((0, 2, 0x84),)  # hrv (message 78): one RR interval
LAP_FIELDS = ((253, 4, 0x86), (2, 4, 0x86), (9, 4, 0x86))  # lap: timestamp, start time, distance
EVENT_FIELDS = ((253, 4, 0x86), (0, 1, 0x00))  # event (message 21): timestamp, event
T_START = 1_000_000_000  # FIT seconds (2021)


def _definition(local: int, gnum: int, fields: tuple[tuple[int, int, int], ...], big: bool = False,
                dev: int = 0) -> bytes:
    out = bytes((0x40 | local | (0x20 if dev else 0), 0, int(big))) + struct.pack(">H" if big else "<H", gnum)
    out += bytes((len(fields),)) + b"".join(bytes(f) for f in fields)
    if dev:
        out += bytes((1, 0, dev, 0))  # one developer field of ``dev`` bytes
    return out


def _record(header: int, t: int, dist: int, speed: int, hr: int, cad: int, big: bool = False, dev: int = 0) -> bytes:
    return bytes((header,)) + struct.pack((">" if big else "<") + "IIHBB", t, dist, speed, hr, cad) + b"\x07" * dev


def _fit_file(body: bytes) -> bytes:
    header = struct.pack("<BBHI4sH", 14, 0x20, 2132, len(body), b".FIT", 0)
    return header + body + b"\x00\x00"  # CRC: the fast reader does not check it, as before


@st.composite
def _fit_bodies(draw: st.DrawFn) -> bytes:
    """A FIT file of runs of records (plain or compressed-timestamp headers, either byte order,
    with developer fields, invalid values), HRV messages between records, laps and layouts
    redefined mid-file."""
    body = bytearray()
    t = T_START
    for _ in range(draw(st.integers(1, 6))):
        local = draw(st.integers(0, 3))
        big = draw(st.booleans())
        dev = draw(st.sampled_from((0, 0, 3)))
        body += _definition(local, 20, RECORD_FIELDS, big, dev)
        pattern = draw(st.sampled_from(("plain", "compressed", "with hrv", "with event", "with lap")))
        if pattern == "with hrv":
            hrv_local = (local + 1) % 4
            body += _definition(hrv_local, 78, HRV_FIELDS)
        if pattern == "with event":  # a message with its own timestamp after each record
            event_local = (local + 3) % 4
            body += _definition(event_local, 21, EVENT_FIELDS)
        if pattern == "with lap":
            lap_local = (local + 2) % 4
            body += _definition(lap_local, 19, LAP_FIELDS)
        for i in range(draw(st.integers(0, 80))):
            t += draw(st.sampled_from((1, 1, 1, 2, 5, 40)))
            invalid = draw(st.sampled_from((False,) * 9 + (True,)))
            hr = 0xFF if invalid else 120 + i % 50
            stamp = 0xFFFFFFFF if invalid and i % 3 == 0 else t
            if pattern == "compressed" and i % 7:
                body += _record(0x80 | (local << 5) | (t & 0x1F), 0, 280 * i, 2800, hr, 85, big, dev)[:1]
                body += _record(0, 0xFFFFFFFF, 280 * i, 2800, hr, 85, big, dev)[1:]
            else:
                body += _record(local, stamp, 0xFFFFFFFF if invalid else 280 * i, 2800, hr, 85, big, dev)
            if pattern == "with hrv":
                body += bytes((hrv_local,)) + struct.pack("<H", 800 + i)
            if pattern == "with event":
                t += draw(st.sampled_from((0, 1, 33)))
                body += bytes((event_local,)) + struct.pack("<IB", 0xFFFFFFFF if invalid else t, 0)
            if pattern == "with lap" and i % 20 == 19:
                body += bytes((lap_local,)) + struct.pack("<III", t, t - 20, 5600)
        for _ in range(draw(st.integers(0, 8))):  # then compressed timestamps, from the last time written
            t += draw(st.sampled_from((1, 3, 31)))
            body += bytes((0x80 | (local << 5) | (t & 0x1F),))
            body += _record(0, 0xFFFFFFFF, 0, 2800, 130, 85, big, dev)[1:]
    return _fit_file(bytes(body))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_fit_bodies(), st.data())
def test_bulk_walk_agrees_on_made_and_damaged_files(data: bytes, draw: st.DataObject) -> None:
    _same_both_ways(data)
    damaged = bytearray(data)
    for _ in range(draw.draw(st.integers(1, 4))):
        i = draw.draw(st.integers(14, len(damaged) - 1))
        damaged[i] = draw.draw(st.sampled_from((0x00, 0x01, 0x40, 0x41, 0x80, 0xA0, 0xFF, damaged[i] ^ 0x10)))
    _same_both_ways(bytes(damaged))
    _same_both_ways(data[:draw.draw(st.integers(0, len(data)))])  # cut anywhere, even inside a run


@needs_real
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from([p for p in FIT_FILES if p.stat().st_size < 150_000] or [Path()]), st.data())
def test_bulk_walk_agrees_on_damaged_real_files(path: Path, draw: st.DataObject) -> None:
    damaged = bytearray(path.read_bytes())
    for _ in range(draw.draw(st.integers(1, 6))):
        i = draw.draw(st.integers(0, len(damaged) - 1))
        damaged[i] = draw.draw(st.integers(0, 255))
    if draw.draw(st.booleans()):
        start = draw.draw(st.integers(0, len(damaged) - 1))
        del damaged[start:start + draw.draw(st.integers(1, 40))]
    _same_both_ways(bytes(damaged))


def test_runs_read_as_written() -> None:
    """Plain and compressed-timestamp runs, big-endian, a developer field, an invalid timestamp
    and heart rate, and a file cut inside a run: the values and the place named."""
    body = _definition(0, 20, RECORD_FIELDS, big=True, dev=2)
    body += b"".join(_record(0, T_START + i, 300 * i, 3000, 0xFF if i == 5 else 140, 88, big=True, dev=2)
                     for i in range(50))
    body += _record(0, 0xFFFFFFFF, 0, 3000, 140, 88, big=True, dev=2)  # no time: left out of the arrays
    body += _definition(1, 20, RECORD_FIELDS)
    t = T_START + 49
    for i in range(40):  # compressed headers: the time's five low bits, rolling over every 32 s
        t += 3
        body += bytes((0x80 | (1 << 5) | (t & 0x1F),)) + struct.pack("<IIHBB", 0xFFFFFFFF, 15000 + 900 * i, 3000, 150, 88)
    fd = read_fit_fast(_fit_file(body))
    assert fd.problem is None
    assert list(fd.rec_t) == [T_START + i for i in range(50)] + [T_START + 49 + 3 * (i + 1) for i in range(40)]
    assert fd.rec_dist[1] == 3.0 and fd.rec_speed[0] == 3.0 and fd.rec_cad[-1] == 88
    assert math.isnan(fd.rec_hr[5]) and fd.rec_hr[6] == 140
    _same_both_ways(_fit_file(body))
    first = 14 + 6 + 3 * 5 + 4  # the file header, then the definition: 5 fields and a developer field
    cut = _fit_file(body)[:first + 9 * 15 + 4]  # inside the tenth record (15 bytes each)
    fd = read_fit_fast(cut)
    assert len(fd.rec_t) == 9
    assert fd.problem == f"the file ends in the middle of a message (at byte {first + 9 * 15})"
    _same_both_ways(cut)
