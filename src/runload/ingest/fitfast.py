"""A fast summary reader for FIT files, written by hand for speed.

fitdecode decodes every field of every message in Python (about 0.3-0.5 MB/s), which is most of an
import's time when all runload needs is the session summary. This reader walks the same binary
layout (file headers, definition messages, compressed-timestamp headers, developer fields, chained
files) but decodes fully only the few messages that carry a summary (file_id, sport, session, lap,
activity). Record messages are only located during the walk; their timestamp, distance, speed and
heart rate are then read for all records at once with numpy (used for heart-rate bins and for
checks), so no per-field Python work is done for them. A file without a session summary (an
interrupted sync) is read the same way: its distance and times come from these record arrays.

Field numbers, scales, offsets and enum names come from fitdecode's own profile, so both readers
agree by construction; ``tests/test_ingest_fitfast.py`` checks that they do on every real file.
Anything this reader is not sure about raises :class:`FitFallback`, and the caller decodes the
file with fitdecode instead (see ``runload.ingest.fit.parse_fit``).

Layout reference: FIT protocol, "FIT File Structure" (header, record headers, definition and data
messages) as published with the FIT SDK; fitdecode's reader implements the same description.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from fitdecode import profile

# Messages decoded in full (global message numbers from the FIT profile).
MESG_FILE_ID = 0
MESG_SPORT = 12
MESG_SESSION = 18
MESG_LAP = 19
MESG_RECORD = 20
MESG_ACTIVITY = 34
_SUMMARY_MESGS = {MESG_FILE_ID, MESG_SPORT, MESG_SESSION, MESG_LAP, MESG_ACTIVITY}

# Record fields read in bulk: timestamp, distance, speed, enhanced_speed, heart_rate, cadence,
# compressed_speed_distance (which this reader does not expand: its presence means fall back).
_REC_TIMESTAMP, _REC_DISTANCE, _REC_SPEED, _REC_ENH_SPEED, _REC_HR, _REC_CAD, _REC_COMPRESSED = (
    253, 5, 6, 73, 3, 4, 8)

# FIT base types: number -> (struct code, size, invalid raw value or None for strings/bytes)
# (keyed by the base type's number, its low five bits; bit 7 only says "multi-byte")
_BASE = {
    0x00: ("B", 1, 0xFF), 0x01: ("b", 1, 0x7F), 0x02: ("B", 1, 0xFF), 0x03: ("h", 2, 0x7FFF),
    0x04: ("H", 2, 0xFFFF), 0x05: ("i", 4, 0x7FFFFFFF), 0x06: ("I", 4, 0xFFFFFFFF),
    0x07: ("s", 1, None), 0x08: ("f", 4, None), 0x09: ("d", 8, None), 0x0A: ("B", 1, 0x00),
    0x0B: ("H", 2, 0x0000), 0x0C: ("I", 4, 0x00000000), 0x0D: ("B", 1, 0xFF),
    0x0E: ("q", 8, 0x7FFFFFFFFFFFFFFF), 0x0F: ("Q", 8, 0xFFFFFFFFFFFFFFFF), 0x10: ("Q", 8, 0),
}


class FitFallback(Exception):
    """The fast reader cannot vouch for this file; decode it with fitdecode instead."""


@dataclass
class FitData:
    """What runload needs from a FIT file, whichever reader produced it.

    Message dicts map profile field names (the main field's name, not a sub-field's) to values
    after scale and offset; enums are their profile names (or the raw number when unknown); time
    fields (``timestamp``, ``start_time``, ``local_timestamp``, ``time_created``) stay raw FIT
    seconds so a device-relative clock can be told from an absolute one. Record arrays hold one
    entry per record message that has a timestamp, in file order, NaN where a value is missing
    (cadence as written: per leg for running, crank turns for riding).
    """

    file_ids: list[dict[str, Any]] = field(default_factory=list)
    sports: list[dict[str, Any]] = field(default_factory=list)
    sessions: list[dict[str, Any]] = field(default_factory=list)
    laps: list[dict[str, Any]] = field(default_factory=list)
    activities: list[dict[str, Any]] = field(default_factory=list)
    rec_t: np.ndarray = field(default_factory=lambda: np.empty(0))
    rec_dist: np.ndarray = field(default_factory=lambda: np.empty(0))
    rec_speed: np.ndarray = field(default_factory=lambda: np.empty(0))
    rec_hr: np.ndarray = field(default_factory=lambda: np.empty(0))
    rec_cad: np.ndarray = field(default_factory=lambda: np.empty(0))
    problem: str | None = None  # why decoding stopped before the end, if it did
    reader: str = "fast"


_RAW_TIME_FIELDS = {"timestamp", "start_time", "local_timestamp", "time_created"}


class _FieldSpec:
    __slots__ = ("name", "offset", "fmt", "invalid", "scale", "add", "enum", "is_string", "size")

    def __init__(self, name: str, offset: int, fmt: str, size: int, invalid: int | None, scale: float | None,
                 add: float | None, enum: dict[int, str] | None, is_string: bool) -> None:
        self.name, self.offset, self.fmt, self.size, self.invalid = name, offset, fmt, size, invalid
        self.scale, self.add, self.enum, self.is_string = scale, add, enum, is_string


class _Def:
    __slots__ = ("gnum", "size", "endian", "fields", "ts_offset", "offsets", "stamps", "seq", "rec")

    def __init__(self, gnum: int, size: int, endian: str) -> None:
        self.gnum, self.size, self.endian = gnum, size, endian
        self.fields: list[_FieldSpec] = []
        self.ts_offset: int | None = None  # where field 253 (timestamp, uint32) sits, if it does
        self.offsets: list[int] = []  # record messages: where each one's body starts
        self.stamps: list[int] = []  # record messages: their timestamp (raw), -1 when none
        self.seq: list[int] = []  # record messages: position among all records (file order)
        self.rec: dict[int, tuple[int, int, int]] = {}  # record field num -> (offset, size, base)


def _field_spec(gnum: int, num: int, offset: int, size: int, base: int, endian: str) -> _FieldSpec | None:
    mesg = profile.MESSAGE_TYPES.get(gnum)
    prof = mesg.fields.get(num) if mesg else None
    base_info = _BASE.get(base & 0x1F)
    if prof is None or base_info is None:
        return None
    code, bsize, invalid = base_info
    is_string = code == "s"
    if not is_string and size != bsize:
        return None  # arrays and odd sizes: not needed for a summary
    ftype = prof.type
    enum = ftype.enum if isinstance(ftype, profile.FieldType) else None
    scale = prof.scale if prof.scale not in (None, 1) else None
    add = prof.offset if prof.offset not in (None, 0) else None
    if prof.name in _RAW_TIME_FIELDS:
        scale = add = enum = None
    return _FieldSpec(prof.name, offset, endian + (f"{size}s" if is_string else code), size, invalid, scale, add,
                      enum, is_string)


def _decode(d: _Def, data: bytes, body: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in d.fields:
        raw = struct.unpack_from(f.fmt, data, body + f.offset)[0]
        if f.is_string:
            text = raw.split(b"\x00", 1)[0]
            if not text:
                continue
            out.setdefault(f.name, text.decode("utf-8", errors="replace"))
            continue
        if raw == f.invalid or (isinstance(raw, float) and raw != raw):
            continue
        value: Any = raw
        if f.scale is not None:
            value = raw / f.scale
        if f.add is not None:
            value = value - f.add
        if f.enum is not None:
            value = f.enum.get(raw, raw)
        out.setdefault(f.name, value)
    return out


def read_fit_fast(data: bytes) -> FitData:
    """Summary messages and record arrays of a FIT file (chained files included).

    Raises :class:`FitFallback` when the bytes are not a FIT file this reader fully understands.
    A file that ends mid-message or uses an undefined local message keeps what came before, with
    ``problem`` saying where decoding stopped (as fitdecode does).
    """
    out = FitData()
    defs_all: list[_Def] = []
    n = len(data)
    pos = 0
    rec_count = [0]
    while pos + 12 <= n:
        hsize = data[pos]
        if hsize < 12 or data[pos + 8:pos + 12] != b".FIT":
            if pos == 0:
                raise FitFallback("no FIT header")
            break  # trailing bytes after the last chained file
        data_size = struct.unpack_from("<I", data, pos + 4)[0]
        start = pos + hsize
        end = min(start + data_size, n)
        problem = _scan(data, start, end, out, defs_all, rec_count)
        if problem:
            out.problem = problem
            break
        if start + data_size > n:
            out.problem = f"the file ends early ({n:,} of the {start + data_size:,} bytes its header announces)"
            break
        pos = start + data_size + 2  # skip the file's CRC
    _gather_records(data, defs_all, out, rec_count[0])
    return out


def _scan(data: bytes, start: int, end: int, out: FitData, defs_all: list[_Def], rec_count: list[int]) -> str | None:
    defs: dict[int, _Def] = {}
    accumulator = 0  # last timestamp seen, for compressed-timestamp headers (reset per chained file)
    unpack_u32 = struct.Struct("<I").unpack_from
    unpack_u32_be = struct.Struct(">I").unpack_from
    p = start
    nrec = rec_count[0]
    try:
        while p < end:
            h = data[p]
            if h & 0x80:  # compressed timestamp header: local type in bits 5-6, offset in bits 0-4
                d = defs.get((h >> 5) & 0x03)
                if d is None:
                    return f"a message at byte {p:,} uses a layout the file never defined (damaged data)"
                off = h & 0x1F
                ts = off + (accumulator & ~0x1F)
                if off < (accumulator & 0x1F):
                    ts += 0x20
                accumulator = ts
                body = p + 1
                if body + d.size > end:
                    return f"the file ends in the middle of a message (at byte {p:,})"
                if d.gnum == MESG_RECORD:
                    d.offsets.append(body)
                    d.stamps.append(ts)
                    d.seq.append(nrec)
                    nrec += 1
                elif d.gnum in _SUMMARY_MESGS:
                    msg = _decode(d, data, body)
                    msg.setdefault("timestamp", ts)
                    _keep(out, d.gnum, msg)
                p = body + d.size
            elif h & 0x40:  # definition message
                if p + 6 > end:
                    return f"the file ends in the middle of a message layout (at byte {p:,})"
                endian = ">" if data[p + 2] == 1 else "<"
                gnum = struct.unpack_from(endian + "H", data, p + 3)[0]
                nfields = data[p + 5]
                q = p + 6
                if q + 3 * nfields > end:
                    return f"the file ends in the middle of a message layout (at byte {p:,})"
                d = _Def(gnum, 0, endian)
                offset = 0
                for i in range(nfields):
                    num, size, base = data[q], data[q + 1], data[q + 2]
                    q += 3
                    if gnum == MESG_RECORD:
                        d.rec[num] = (offset, size, base)
                    elif gnum in _SUMMARY_MESGS:
                        spec = _field_spec(gnum, num, offset, size, base, endian)
                        if spec is not None:
                            d.fields.append(spec)
                    if num == 253 and size == 4:
                        d.ts_offset = offset
                    offset += size
                if h & 0x20:  # developer fields follow: only their sizes matter here
                    if q + 1 > end:
                        return f"the file ends in the middle of a message layout (at byte {p:,})"
                    ndev = data[q]
                    q += 1
                    if q + 3 * ndev > end:
                        return f"the file ends in the middle of a message layout (at byte {p:,})"
                    for i in range(ndev):
                        offset += data[q + 1]
                        q += 3
                d.size = offset
                defs[h & 0x0F] = d
                defs_all.append(d)
                p = q
            else:  # data message
                d = defs.get(h & 0x0F)
                if d is None:
                    return f"a message at byte {p:,} uses a layout the file never defined (damaged data)"
                body = p + 1
                if body + d.size > end:
                    return f"the file ends in the middle of a message (at byte {p:,})"
                ts = -1
                if d.ts_offset is not None:
                    raw = (unpack_u32 if d.endian == "<" else unpack_u32_be)(data, body + d.ts_offset)[0]
                    if raw != 0xFFFFFFFF:
                        accumulator = ts = raw
                if d.gnum == MESG_RECORD:
                    d.offsets.append(body)
                    d.stamps.append(ts)
                    d.seq.append(nrec)
                    nrec += 1
                elif d.gnum in _SUMMARY_MESGS:
                    _keep(out, d.gnum, _decode(d, data, body))
                p = body + d.size
    finally:
        rec_count[0] = nrec  # records located so far are kept, even when the walk stops early
    return None


def _keep(out: FitData, gnum: int, msg: dict[str, Any]) -> None:
    {MESG_FILE_ID: out.file_ids, MESG_SPORT: out.sports, MESG_SESSION: out.sessions, MESG_LAP: out.laps,
     MESG_ACTIVITY: out.activities}[gnum].append(msg)


def _gather_records(data: bytes, defs_all: list[_Def], out: FitData, total: int) -> None:
    """Read timestamp, distance, speed and heart rate of every located record with numpy."""
    buf = np.frombuffer(data, dtype=np.uint8)
    t = np.full(total, np.nan)
    dist = np.full(total, np.nan)
    speed = np.full(total, np.nan)
    hr = np.full(total, np.nan)
    cad = np.full(total, np.nan)
    for d in defs_all:
        if d.gnum != MESG_RECORD or not d.offsets:
            continue
        if _REC_COMPRESSED in d.rec and _REC_DISTANCE not in d.rec:
            raise FitFallback("records use compressed speed/distance")
        seq = np.asarray(d.seq)
        stamps = np.asarray(d.stamps, dtype=np.float64)
        stamps[stamps < 0] = np.nan
        t[seq] = stamps
        offsets = np.asarray(d.offsets)
        dist[seq] = _column(buf, offsets, d.rec.get(_REC_DISTANCE), d.endian, 4, "u4", 100.0)
        enh = _column(buf, offsets, d.rec.get(_REC_ENH_SPEED), d.endian, 4, "u4", 1000.0)
        plain = _column(buf, offsets, d.rec.get(_REC_SPEED), d.endian, 2, "u2", 1000.0)
        speed[seq] = np.where(np.isnan(enh), plain, enh)
        hr[seq] = _column(buf, offsets, d.rec.get(_REC_HR), d.endian, 1, "u1", 1.0)
        cad[seq] = _column(buf, offsets, d.rec.get(_REC_CAD), d.endian, 1, "u1", 1.0)
    keep = ~np.isnan(t)
    out.rec_t, out.rec_dist, out.rec_speed, out.rec_hr, out.rec_cad = (
        t[keep], dist[keep], speed[keep], hr[keep], cad[keep])


def _column(buf: np.ndarray, offsets: np.ndarray, spec: tuple[int, int, int] | None, endian: str, size: int,
            kind: str, scale: float) -> np.ndarray:
    if spec is None or spec[1] != size:
        return np.full(len(offsets), np.nan)
    idx = (offsets + spec[0])[:, None] + np.arange(size)
    raw = buf[idx].copy().view(np.dtype(endian + kind)).ravel()
    invalid = np.iinfo(np.dtype(kind)).max
    values = raw.astype(np.float64) / scale
    values[raw == invalid] = np.nan
    return values
