"""A fast summary reader for FIT files, written by hand for speed.

fitdecode decodes every field of every message in Python (about 0.3-0.5 MB/s), which is most of an
import's time when all runload needs is the session summary. This reader walks the same binary
layout (file headers, definition messages, compressed-timestamp headers, developer fields, chained
files) but decodes fully only the few messages that carry a summary (file_id, sport, session, lap,
activity). Record messages are only located during the walk; their timestamp, distance, speed,
heart rate and cadence are then read for all records at once with numpy (used for heart-rate bins
and for checks), so no per-field Python work is done for them. A file without a session summary (an
interrupted sync) is read the same way: its distance and times come from these record arrays.

Nor is a Python step taken per record: a watch writes records back to back (alone, or each followed
by the same other messages: HRV, events), so once a message's header byte comes round again the
walk checks at once, on every ``stride``-th byte, how many times the same sequence of headers
repeats, and takes all those messages in one step (their positions and timestamps as arrays, read
through strided views of the bytes; compressed-timestamp headers likewise). Only header bytes the
message-by-message walk would read are compared, so both walks agree on every file, damaged ones
included: ``read_fit_fast(data, bulk=False)`` is that walk, and the tests compare the two.

Field numbers, scales, offsets and enum names come from fitdecode's own profile, so both readers
agree by construction; ``tests/ingest/test_fitfast.py`` checks that they do on every real file.
Anything this reader is not sure about raises :class:`FitFallback`, and the caller decodes the
file with fitdecode instead (see ``runload.ingest.fit.parse_fit``).

Layout reference: FIT protocol, "FIT File Structure" (header, record headers, definition and data
messages) as published with the FIT SDK; fitdecode's reader implements the same description.
"""

from __future__ import annotations

import math
import struct
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from itertools import accumulate
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
# FitData's list of each message decoded in full
SUMMARY_LISTS = {MESG_FILE_ID: "file_ids", MESG_SPORT: "sports", MESG_SESSION: "sessions", MESG_LAP: "laps",
                 MESG_ACTIVITY: "activities"}
_SUMMARY_MESGS = set(SUMMARY_LISTS)

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
    __slots__ = ("name", "offset", "code", "invalid", "scale", "add", "enum", "is_string")

    def __init__(self, name: str, offset: int, code: str, invalid: int | None, scale: float | None,
                 add: float | None, enum: dict[int, str] | None, is_string: bool) -> None:
        self.name, self.offset, self.code, self.invalid = name, offset, code, invalid
        self.scale, self.add, self.enum, self.is_string = scale, add, enum, is_string


class _Layout:
    """What a definition message says, worked out once for every definition with the same bytes:
    the message's size, where its timestamp sits, its record fields, or the summary fields it
    decodes (with one ``struct`` reading them all)."""

    __slots__ = ("gnum", "size", "endian", "fields", "plan", "unpack", "decode", "simple", "decoded", "ts_offset",
                 "rec", "rec_dtype")

    def __init__(self, key: bytes) -> None:
        """``key``: the definition's bytes after its header and reserved byte (architecture, global
        message number, field count, fields, and developer fields when it has them)."""
        endian = ">" if key[0] == 1 else "<"
        gnum = struct.unpack_from(endian + "H", key, 1)[0]
        nfields = key[3]
        self.gnum, self.endian = gnum, endian
        self.fields: list[_FieldSpec] = []
        self.ts_offset: int | None = None  # where field 253 (timestamp, uint32) sits, if it does
        self.rec: dict[int, tuple[int, int, int]] = {}  # record field num -> (offset, size, base)
        offset = 0
        q = 4
        fmt = endian
        for _ in range(nfields):
            num, size, base = key[q], key[q + 1], key[q + 2]
            q += 3
            if gnum == MESG_RECORD:
                self.rec[num] = (offset, size, base)
            elif gnum in _SUMMARY_MESGS:
                spec = _field_spec(gnum, num, offset, size, base)
                if spec is not None:
                    fmt += "x" * (offset - struct.calcsize(fmt)) + spec.code
                    self.fields.append(spec)
            if num == 253 and size == 4:
                self.ts_offset = offset
            offset += size
        if q < len(key):  # developer fields follow: only their sizes matter here
            ndev = key[q]
            q += 1
            for _ in range(ndev):
                offset += key[q + 1]
                q += 3
        self.size = offset
        # each field's name, invalid value, scale, offset, enum and kind, as one tuple (read per message)
        self.plan = tuple((f.name, f.invalid, f.scale, f.add, f.enum, f.is_string) for f in self.fields)
        self.unpack = struct.Struct(fmt).unpack_from
        # one message's fields as a dict (see _first_decodes): by the plan, then, once the layout has
        # been met often and when no field is a string, has an offset or is written twice (most
        # summaries), by code made for it
        names = [f.name for f in self.fields]
        self.simple = len(set(names)) == len(names) and not any(f.is_string or f.add is not None for f in self.fields)
        self.decoded = 0
        self.decode: Callable[[bytes, int], dict[str, Any]] = self._first_decodes
        self.rec_dtype = _record_dtype(self.rec, endian, offset) if gnum == MESG_RECORD else None

    def _first_decodes(self, data: bytes, body: int) -> dict[str, Any]:
        """:func:`_decode` by the plan for a layout's first :data:`_DECODES_BEFORE_CODE` messages,
        then by code made for it (:func:`_decoder`) when it can be: making the code costs a few
        hundred decodes by the plan, so only a layout met often (a device's laps, its sessions
        over many files) gets it, never each of the thousands a damaged or hostile file defines."""
        self.decoded += 1
        if self.decoded >= _DECODES_BEFORE_CODE:
            self.decode = _decoder(self.fields, self.unpack) if self.simple else partial(_decode, self)
        return _decode(self, data, body)


# Record fields read into the arrays: number -> (name, size, unsigned numpy kind, scale).
_REC_FIELDS = {_REC_DISTANCE: ("distance", 4, "u4", 100.0), _REC_ENH_SPEED: ("enhanced_speed", 4, "u4", 1000.0),
               _REC_SPEED: ("speed", 2, "u2", 1000.0), _REC_HR: ("heart_rate", 1, "u1", 1.0),
               _REC_CAD: ("cadence", 1, "u1", 1.0)}
_REC_NAMES = tuple(name for name, _, _, _ in _REC_FIELDS.values())
_REC_SCALE = {name: scale for name, _, _, scale in _REC_FIELDS.values()}
# the value a record field has when not written: all bits set (unsigned), scaled
_REC_INVALID = {name: float(np.iinfo(kind).max) / scale for name, _, kind, scale in _REC_FIELDS.values()}


def _record_dtype(rec: dict[int, tuple[int, int, int]], endian: str, size: int) -> np.dtype | None:
    """A record message as a numpy structured type holding the fields read into the arrays (a
    field written with another size is not read: it stays NaN); None when it has none of them."""
    names, formats, offsets = [], [], []
    for num, (name, want, kind, _) in _REC_FIELDS.items():
        spec = rec.get(num)
        if spec is not None and spec[1] == want:
            names.append(name)
            formats.append(endian + kind)
            offsets.append(spec[0])
    if not names:
        return None
    return np.dtype({"names": names, "formats": formats, "offsets": offsets, "itemsize": size})


_DECODES_BEFORE_CODE = 32  # messages of a layout decoded by its plan before code is made for it
_LAYOUTS: dict[bytes, _Layout] = {}  # by definition bytes: files of one device repeat theirs
_MAX_LAYOUTS = 4096


def _layout(key: bytes) -> _Layout:
    layout = _LAYOUTS.get(key)
    if layout is None:
        if len(_LAYOUTS) >= _MAX_LAYOUTS:
            _LAYOUTS.clear()
        layout = _LAYOUTS[key] = _Layout(key)
    return layout


class _Def:
    """One definition message of a file: its layout and, for records, the messages located."""

    __slots__ = ("layout", "gnum", "size", "endian", "ts_offset", "rec", "offsets", "stamps", "seq", "parts")

    def __init__(self, layout: _Layout) -> None:
        self.layout = layout
        self.gnum, self.size, self.endian = layout.gnum, layout.size, layout.endian
        self.ts_offset, self.rec = layout.ts_offset, layout.rec
        self.offsets: list[int] = []  # record messages: where each one's body starts
        self.stamps: list[int] = []  # record messages: their timestamp (raw), -1 when none
        self.seq: list[int] = []  # record messages: position among all records (file order)
        # runs of record messages taken at once: (first body, stride, count, stamps, first seq, seq step);
        # their stamps -1 where a record has no time, or as written (uint32, the invalid value there)
        self.parts: list[tuple[int, int, int, np.ndarray, int, int]] = []


def _field_spec(gnum: int, num: int, offset: int, size: int, base: int) -> _FieldSpec | None:
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
    return _FieldSpec(prof.name, offset, f"{size}s" if is_string else code, invalid, scale, add, enum, is_string)


def _decoder(fields: list[_FieldSpec], unpack: Callable[[bytes, int], tuple[Any, ...]]
             ) -> Callable[[bytes, int], dict[str, Any]]:
    """:func:`_decode` for a layout of numbers alone, none written twice or with an offset, as
    straight-line code made once for the layout: its fields unpacked at once, then per field one
    comparison and one store, without a loop, the kind of each field looked up per message or a
    call per field (summary messages are a file's most numerous decoded ones: its laps). Each
    field is left out when invalid (a number) or NaN (a float, whose invalid value is a NaN), else
    kept as it is, divided by its scale or as its enum's name (which wins over a scale). The code
    is source text compiled once, as ``collections.namedtuple`` makes its classes: the profile's
    names written as literals, the scales, enums and ``unpack`` held by name."""
    env: dict[str, Any] = {"unpack": unpack}
    raw = [f"v{i}" for i in range(len(fields))]
    lines = ["def decode(data, body):",
             f"    {''.join(v + ', ' for v in raw)}= unpack(data, body)" if raw else "    unpack(data, body)",
             "    out = {}"]
    for i, (v, f) in enumerate(zip(raw, fields)):
        keep = f"{v} != {f.invalid!r}" if f.invalid is not None else f"{v} == {v}"
        if f.enum is not None:
            env[f"how{i}"], value = f.enum, f"how{i}.get({v}, {v})"
        elif f.scale is not None:
            env[f"how{i}"], value = f.scale, f"{v} / how{i}"
        else:
            value = v
        lines += [f"    if {keep}:", f"        out[{f.name!r}] = {value}"]
    lines.append("    return out")
    exec("\n".join(lines), env)  # (source text made above from the profile, see the docstring)
    decode: Callable[[bytes, int], dict[str, Any]] = env["decode"]
    return decode


def _decode(layout: _Layout, data: bytes, body: int) -> dict[str, Any]:
    """One message's fields as a dict, by the layout's plan (see :class:`FitData` for the values)."""
    out: dict[str, Any] = {}
    for (name, invalid, scale, add, enum, is_string), raw in zip(layout.plan, layout.unpack(data, body)):
        if name in out:  # a field written twice: the first one counts
            continue
        if is_string:
            text = raw.split(b"\x00", 1)[0]
            if text:
                out[name] = text.decode("utf-8", errors="replace")
            continue
        if raw == invalid or raw != raw:  # invalid, or NaN
            continue
        value: Any = raw
        if scale is not None:
            value = raw / scale
        if add is not None:
            value = value - add
        if enum is not None:
            value = enum.get(raw, raw)
        out[name] = value
    return out


def read_fit_fast(data: bytes, *, bulk: bool = True) -> FitData:
    """Summary messages and record arrays of a FIT file (chained files included).

    Raises :class:`FitFallback` when the bytes are not a FIT file this reader fully understands.
    A file that ends mid-message or uses an undefined local message keeps what came before, with
    ``problem`` saying where decoding stopped (as fitdecode does). ``bulk`` jumps over repeated
    runs of messages at once (see :class:`_Walk`); without it every message takes one step of the
    walk, the reference the bulk path is tested against: both give the same result.
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
        problem = _scan(data, start, end, out, defs_all, rec_count, bulk)
        if problem:
            out.problem = problem
            break
        if start + data_size > n:
            out.problem = f"the file ends early ({n:,} of the {start + data_size:,} bytes its header announces)"
            break
        pos = start + data_size + 2  # skip the file's CRC
    _gather_records(data, defs_all, out, rec_count[0])
    return out


def _scan(data: bytes, start: int, end: int, out: FitData, defs_all: list[_Def], rec_count: list[int],
          bulk: bool = True) -> str | None:
    """Walk the messages of one FIT file in ``data[start:end]``; why it stopped early, if it did.

    With ``bulk``, after each data message that is neither a summary nor compressed-timestamp one
    the walk looks back for the same header byte among the last few messages: the messages since
    then (a cycle of one to :data:`_MAX_CYCLE` messages: records alone, or records and HRV, ...) are
    checked for repeating at once (:func:`_repeats`), and every whole repetition is taken in one
    step with numpy (:func:`_take_cycle`). A run of compressed-timestamp messages of one layout is
    taken the same way. A repetition is only taken when every header byte in it is the byte the
    step-by-step walk would read there and the repetition ends inside the file, so the walk
    continues exactly where the step-by-step walk would be, with the same timestamp accumulator.
    """
    defs: dict[int, _Def] = {}
    accumulator = 0  # last timestamp seen, for compressed-timestamp headers (reset per chained file)
    unpack_u32 = struct.Struct("<I").unpack_from
    unpack_u32_be = struct.Struct(">I").unpack_from
    p = start
    nrec = rec_count[0]
    # the data messages since the last definition, summary or compressed message: (start, def),
    # and the position in that list where each header byte was last seen
    recent: list[tuple[int, _Def]] = []
    seen: dict[int, int] = {}
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
                    msg = d.layout.decode(data, body)
                    msg.setdefault("timestamp", ts)
                    _keep(out, d.gnum, msg)
                p = body + d.size
                if recent:
                    recent.clear()
                    seen.clear()
                if bulk and d.gnum not in _SUMMARY_MESGS and p < end and data[p] & 0xE0 == h & 0xE0:
                    k = _repeats(data, p, end, [(0, h & 0xE0)], 1 + d.size, _COMPRESSED_CLASS)
                    if k >= _MIN_BULK:
                        accumulator, nrec = _take_compressed(data, p, k, d, accumulator, nrec)
                        p += k * (1 + d.size)
            elif h & 0x40:  # definition message
                if p + 6 > end:
                    return f"the file ends in the middle of a message layout (at byte {p:,})"
                q = p + 6 + 3 * data[p + 5]
                if q > end:
                    return f"the file ends in the middle of a message layout (at byte {p:,})"
                if h & 0x20:  # developer fields follow
                    if q + 1 > end:
                        return f"the file ends in the middle of a message layout (at byte {p:,})"
                    q += 1 + 3 * data[q]
                    if q > end:
                        return f"the file ends in the middle of a message layout (at byte {p:,})"
                d = _Def(_layout(data[p + 2:q]))
                defs[h & 0x0F] = d
                defs_all.append(d)
                p = q
                if recent:
                    recent.clear()
                    seen.clear()
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
                    _keep(out, d.gnum, d.layout.decode(data, body))
                    if recent:
                        recent.clear()
                        seen.clear()
                    p = body + d.size
                    continue
                if not bulk:
                    p = body + d.size
                    continue
                last = seen.get(h)
                seen[h] = len(recent)
                recent.append((p, d))
                p = body + d.size
                if last is None or len(recent) - 1 - last > _MAX_CYCLE or p >= end:
                    continue
                cycle = recent[last + 1:]
                first = cycle[0][0]
                stride = p - first
                members = [(q - first, data[q]) for q, _ in cycle]
                if data[p] != members[0][1]:
                    continue
                k = _repeats(data, p, end, members, stride, None)
                if k >= _MIN_BULK:
                    accumulator, nrec = _take_cycle(data, p, k, stride, cycle, accumulator, nrec)
                    p += k * stride
                    recent.clear()  # what is remembered stays one stretch of neighbouring messages
                    seen.clear()
    finally:
        rec_count[0] = nrec  # records located so far are kept, even when the walk stops early
    return None


_MAX_CYCLE = 4  # the longest repeating pattern of data messages looked for
_MIN_BULK = 4  # fewer repetitions than this are cheaper to walk one by one
_FIRST_CHUNK = 64  # repetitions checked first; each further check looks at eight times as many
_COMPRESSED_CLASS = bytes((b & 0xE0) for b in range(256))  # a compressed header's kind and local type


def _repeats(data: bytes, p: int, end: int, members: list[tuple[int, int]], stride: int,
             table: bytes | None) -> int:
    """How many whole repetitions of a message cycle start at ``p``: each one ``stride`` bytes
    long, ending by ``end``, with header byte ``h`` at ``p + offset`` for each ``(offset, h)`` of
    ``members`` (after ``table``, which maps a compressed header to its kind and local type)."""
    most = (end - p) // stride
    k = 0
    chunk = _FIRST_CHUNK
    while k < most:
        upto = min(most, k + chunk)
        found = upto - k
        for offset, h in members:
            column = data[p + k * stride + offset:p + upto * stride:stride]
            if table is not None:
                column = column.translate(table)
            byte = bytes((h,))
            if column != byte * len(column):  # (compared at once; stripping looks at each byte in turn)
                found = min(found, len(column) - len(column.lstrip(byte)))
                if not found:
                    break
        k += found
        if k < upto:
            break
        chunk *= 8
    return k


def _u32(data: bytes, first: int, stride: int, count: int, endian: str) -> np.ndarray:
    """``count`` uint32 values, the first at byte ``first``, each ``stride`` bytes after the last."""
    return np.ndarray((count,), dtype=np.dtype(endian + "u4"), buffer=data, offset=first, strides=(stride,))


def _take_cycle(data: bytes, p: int, k: int, stride: int, cycle: list[tuple[int, _Def]], accumulator: int,
                nrec: int) -> tuple[int, int]:
    """Take ``k`` repetitions of ``cycle`` (data messages with plain headers, no summary among
    them) starting at ``p``: their records located, the timestamp accumulator carried on.
    Returns the accumulator and the record count after them."""
    first = cycle[0][0]
    n_rec = sum(d.gnum == MESG_RECORD for _, d in cycle)
    stamps_by_member: list[np.ndarray] = []
    i_rec = 0
    for q, d in cycle:
        body = p + (q - first) + 1
        stamps = None
        if d.ts_offset is not None:
            # read in place, as written: the invalid value where a message has no time (the
            # records' times are read from it once, see _layout_records)
            stamps = _u32(data, body + d.ts_offset, stride, k, d.endian)
            stamps_by_member.append(stamps)
        if d.gnum == MESG_RECORD:
            d.parts.append((body, stride, k, stamps if stamps is not None else np.full(k, -1, dtype=np.int64),
                            nrec + i_rec, n_rec))
            i_rec += 1
    if stamps_by_member:
        last = int(stamps_by_member[-1][-1])  # the last message with a timestamp field, in file order
        if last != 0xFFFFFFFF:
            accumulator = last
        else:  # its timestamp is invalid: the last valid one before it
            valid = np.column_stack(stamps_by_member).ravel()  # in file order
            valid = valid[valid != 0xFFFFFFFF]
            if len(valid):
                accumulator = int(valid[-1])
    return accumulator, nrec + k * n_rec


def _take_compressed(data: bytes, p: int, k: int, d: _Def, accumulator: int, nrec: int) -> tuple[int, int]:
    """Take ``k`` compressed-timestamp messages of layout ``d`` (not a summary) starting at ``p``.
    Each header's five low bits are the time's low bits: the time moves on by their difference
    from the last time's low bits, modulo 32. Returns the accumulator and the record count."""
    stride = 1 + d.size
    low = np.frombuffer(data[p:p + k * stride:stride], dtype=np.uint8).astype(np.int64) & 0x1F
    steps = np.diff(low, prepend=accumulator & 0x1F) % 0x20
    stamps = accumulator + np.cumsum(steps)
    if d.gnum == MESG_RECORD:
        d.parts.append((p + 1, stride, k, stamps, nrec, 1))
        nrec += k
    return int(stamps[-1]), nrec


def _keep(out: FitData, gnum: int, msg: dict[str, Any]) -> None:
    getattr(out, SUMMARY_LISTS[gnum]).append(msg)


def _gather_records(data: bytes, defs_all: list[_Def], out: FitData, total: int) -> None:
    """Read timestamp, distance, speed, heart rate and cadence of every located record with numpy:
    each layout's records as a structured type (those located one by one gathered through their
    offsets, each run read in place through a strided view of the bytes), field by field into the
    columns. When one layout holds every record in file order (most files), its fields are the
    columns themselves; else each layout's are placed at their positions among all records."""
    read = [_layout_records(data, d) for d in defs_all if d.gnum == MESG_RECORD and (d.offsets or d.parts)]
    columns: dict[str, np.ndarray]
    if len(read) == 1 and isinstance(read[0][0], slice) and read[0][0] == slice(0, total, 1):
        columns = read[0][1]
    else:
        columns = {}
        for where, values in read:
            for name, column in values.items():
                if name not in columns:
                    columns[name] = np.full(total, np.nan)
                columns[name][where] = column
    get = columns.get
    enh, plain = get("enhanced_speed"), get("speed")
    # speed: the enhanced one where written, else the plain one (one of them alone: that one)
    speed = plain if enh is None else enh if plain is None else np.where(np.isnan(enh), plain, enh)
    t = get("t")
    if t is None:
        t = np.full(total, np.nan)
    arrays = [t, get("distance"), speed, get("heart_rate"), get("cadence")]
    if total and math.isnan(t.min()):  # records without a time are left out (NaN: a minimum of NaN)
        keep = ~np.isnan(t)
        arrays = [a if a is None else a[keep] for a in arrays]
        total = int(np.count_nonzero(keep))
    # a field no record has: NaN throughout, an array of its own
    out.rec_t, out.rec_dist, out.rec_speed, out.rec_hr, out.rec_cad = (
        np.full(total, np.nan) if a is None else a for a in arrays)


def _layout_records(data: bytes, d: _Def) -> tuple[np.ndarray | slice, dict[str, np.ndarray]]:
    """The records of one record layout: their positions among all records (a slice when they
    follow each other) and their time ("t") and other fields as arrays (NaN where not written)."""
    if _REC_COMPRESSED in d.rec and _REC_DISTANCE not in d.rec:
        raise FitFallback("records use compressed speed/distance")
    rec_dtype = d.layout.rec_dtype
    pieces: list[tuple[int, int, int]] = []  # (first position, step, count) of each chunk, in order
    stamps: list[Any] = []
    chunks: list[np.ndarray] = []  # the records as the structured type, chunk by chunk
    offsets, parts = d.offsets, d.parts
    if offsets:
        seq = d.seq
        step = 1 if seq[-1] - seq[0] == len(seq) - 1 else 0  # 0: not evenly spaced
        pieces.append((seq[0], step, len(seq)))
        stamps.append(d.stamps)
    for _, _, count, part_stamps, seq0, step in parts:
        pieces.append((seq0, step, count))
        stamps.append(part_stamps)
    if rec_dtype is not None:
        size = d.size
        runs = [(first, stride, count) for first, stride, count, _, _, _ in parts]
        if offsets:
            m = len(offsets)
            stride = runs[0][1] if runs else offsets[1] - offsets[0] if m > 1 else size
            if (not runs or offsets[-1] + stride == runs[0][0]) and offsets == list(range(offsets[0], offsets[0] + m * stride, stride)):
                # the records met one by one lead into the first run (or are one run themselves): one chunk
                runs[:1] = [(offsets[0], stride, m + (runs[0][2] if runs else 0))]
            else:
                chunks.append(np.frombuffer(b"".join([data[o:o + size] for o in offsets]), dtype=rec_dtype))
        chunks += [np.ndarray((count,), dtype=rec_dtype, buffer=data, offset=first, strides=(stride,))
                   for first, stride, count in runs]  # read in place
    where: np.ndarray | slice
    following = all(step == 1 or count == 1 for _, step, count in pieces) and all(
        a[0] + a[2] == b[0] for a, b in zip(pieces, pieces[1:]))
    if following:
        where = slice(pieces[0][0], pieces[-1][0] + pieces[-1][2], 1)
    elif len(pieces) == 1 and parts:
        seq0, step, count = pieces[0]
        where = slice(seq0, seq0 + step * count, step)
    else:
        seqs = [np.asarray(d.seq, dtype=np.int64)] if offsets else []
        seqs += [np.arange(seq0, seq0 + step * count, step, dtype=np.int64) for _, _, count, _, seq0, step in parts]
        where = np.concatenate(seqs) if len(seqs) > 1 else seqs[0]
    # each chunk's values go straight to their place in the columns (no copies joined after)
    ends = list(accumulate(count for _, _, count in pieces))
    n = ends[-1]
    t = np.empty(n)
    for a, b, chunk_stamps in zip([0, *ends[:-1]], ends, stamps):
        t[a:b] = chunk_stamps
        if chunk_stamps.__class__ is np.ndarray and chunk_stamps.dtype.kind == "u":  # a run's times as written:
            span = t[a:b]
            if span.max() == 0xFFFFFFFF:  # the invalid value where a record has no time
                span[span == 0xFFFFFFFF] = -1
    if t.min() < 0:  # (no timestamp: -1)
        t[t < 0] = np.nan
    values = {"t": t}
    for name in (rec_dtype.names if rec_dtype is not None else None) or ():
        scale = _REC_SCALE[name]
        if len(chunks) == 1:
            column = chunks[0][name].astype(np.float64) if scale == 1.0 else np.divide(chunks[0][name], scale)
        else:
            column = np.empty(n)
            a = 0
            for chunk in chunks:
                b = a + len(chunk)
                if scale == 1.0:
                    column[a:b] = chunk[name]
                else:
                    np.divide(chunk[name], scale, out=column[a:b])
                a = b
        invalid = _REC_INVALID[name]  # the largest value a field takes, so only an invalid one reaches it
        if column.max() == invalid:  # (distinct raw numbers stay distinct when scaled)
            column[column == invalid] = np.nan
        values[name] = column
    return where, values
