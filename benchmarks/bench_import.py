"""Benchmark: import 1,000 realistic FIT runs (about 300 MB) and one 100,000-record file.

Prints files/s, MB/s, the ratio against decoding the same files fully with fitdecode, the
re-import time, and peak memory. Targets (2 cores): first import < 60 s and >= 20x faster than a
full fitdecode decode; re-import < 3 s; peak memory < 300 MB, also for the 100,000-record file.

The corpus is written with fit-tool. fit-tool encodes about 1,000 records a second, so writing
3.6 million records would take an hour: instead six distinct runs (70 to 110 minutes, one record
a second with the fields a current running watch writes) are encoded with fit-tool, and the 1,000
files are copies of them moved to a different day each (every time field shifted, CRC
recomputed), so each file is a distinct activity with its own content. The corpus is cached in
$RUNLOAD_BENCH_CACHE (default ~/.cache/runload-bench), outside the repository.

fitdecode is timed on an evenly spaced sample of 50 files, in one process, and extrapolated to the
1,000 files (said so in the output).

Usage: python benchmarks/bench_import.py [--files N]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import struct
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

CACHE = Path(os.environ.get("RUNLOAD_BENCH_CACHE", Path.home() / ".cache" / "runload-bench")) / "v1"
FIT_EPOCH_S = 631065600  # 1989-12-31T00:00:00Z in Unix seconds
T0_MS = 1_700_000_000_000  # 2023-11-14, the first template's start
TEMPLATE_MINUTES = (70, 80, 88, 95, 100, 110)
BIG_RECORDS = 100_000
SAMPLE = 50


# ---------------------------------------------------------------- writing FIT files with fit-tool
def make_run(minutes: int, seed: int, rich: bool = True) -> bytes:
    """A run as a watch writes it: file_id, device_info, timer events, 1 s records, 1 km laps,
    session and activity. ``rich`` adds running dynamics and power to each record (~60 bytes)."""
    from fit_tool.fit_file_builder import FitFileBuilder
    from fit_tool.profile.messages.activity_message import ActivityMessage
    from fit_tool.profile.messages.device_info_message import DeviceInfoMessage
    from fit_tool.profile.messages.event_message import EventMessage
    from fit_tool.profile.messages.file_id_message import FileIdMessage
    from fit_tool.profile.messages.lap_message import LapMessage
    from fit_tool.profile.messages.record_message import RecordMessage
    from fit_tool.profile.messages.session_message import SessionMessage
    from fit_tool.profile.profile_type import Event, EventType, FileType, Manufacturer, Sport, SubSport

    start = T0_MS + seed * 86_400_000
    b = FitFileBuilder(auto_define=True, min_string_size=50)
    fid = FileIdMessage()
    fid.type, fid.manufacturer, fid.product, fid.serial_number, fid.time_created = (
        FileType.ACTIVITY, Manufacturer.GARMIN.value, 3113, 3_900_000_000 + seed, start)
    b.add(fid)
    dev = DeviceInfoMessage()
    dev.timestamp, dev.manufacturer, dev.product, dev.software_version = start, Manufacturer.GARMIN.value, 3113, 19.2
    b.add(dev)
    ev = EventMessage()
    ev.event, ev.event_type, ev.timestamp = Event.TIMER, EventType.START, start
    b.add(ev)
    n = minutes * 60
    base_speed = 2.7 + 0.15 * seed  # 9.7 to 13.5 km/h
    dist = 0.0
    lap_start, lap_start_dist, laps = 0, 0.0, []
    hrs: list[int] = []
    for i in range(n):
        speed = base_speed * (1 + 0.06 * math.sin(i / 97.0 + seed)) + 0.05 * math.sin(i / 7.0)
        dist += speed
        hr = int(125 + 30 * (1 - math.exp(-i / 400.0)) + 6 * math.sin(i / 300.0 + seed))
        hrs.append(hr)
        r = RecordMessage()
        r.timestamp = start + i * 1000
        r.position_lat = 59.33 + dist / 111_000 * math.cos(i / 500.0)
        r.position_long = 18.06 + dist / 57_000 * math.sin(i / 500.0)
        r.distance = dist
        r.enhanced_speed = speed
        r.enhanced_altitude = 30 + 12 * math.sin(i / 250.0)
        r.heart_rate = hr
        r.cadence = 84 + (i // 13) % 4
        if rich:
            r.fractional_cadence = 0.5
            r.power = 240 + (i % 40)
            r.accumulated_power = 250 * i
            r.temperature = 18
            r.vertical_oscillation = 82.0 + (i % 9)
            r.stance_time_percent = 33.5
            r.stance_time = 246.0 + (i % 11)
            r.vertical_ratio = 7.8
            r.stance_time_balance = 50.2
            r.step_length = 1050.0 + (i % 30)
            r.grade = 0.5
            r.calories = i // 60
            r.gps_accuracy = 3
        b.add(r)
        if dist - lap_start_dist >= 1000 or i == n - 1:
            laps.append((lap_start, i + 1, lap_start_dist, dist, hrs[lap_start:i + 1]))
            lap_start, lap_start_dist = i + 1, dist
    ev = EventMessage()
    ev.event, ev.event_type, ev.timestamp = Event.TIMER, EventType.STOP_ALL, start + n * 1000
    b.add(ev)
    for s, e, d0, d1, lap_hr in laps:
        lap = LapMessage()
        lap.timestamp, lap.start_time = start + e * 1000, start + s * 1000
        lap.total_elapsed_time = lap.total_timer_time = float(e - s)
        lap.total_distance, lap.sport = d1 - d0, Sport.RUNNING
        lap.avg_heart_rate, lap.max_heart_rate, lap.avg_cadence = sum(lap_hr) // len(lap_hr), max(lap_hr), 85
        b.add(lap)
    ses = SessionMessage()
    ses.timestamp, ses.start_time = start + n * 1000, start
    ses.total_elapsed_time = ses.total_timer_time = float(n)
    ses.total_distance, ses.sport, ses.sub_sport = dist, Sport.RUNNING, SubSport.GENERIC
    ses.avg_heart_rate, ses.max_heart_rate, ses.avg_cadence = sum(hrs) // len(hrs), max(hrs), 85
    ses.total_ascent, ses.num_laps = 120, len(laps)
    b.add(ses)
    act = ActivityMessage()
    act.timestamp, act.total_timer_time, act.num_sessions = start + n * 1000, float(n), 1
    act.local_timestamp = (start + n * 1000) // 1000 - FIT_EPOCH_S + 3600  # raw FIT seconds, local
    b.add(act)
    return b.build().to_bytes()


def make_big(records: int) -> bytes:
    """One long file of lean records (timestamp, position, distance, speed, hr, cadence): ~24 B each."""
    from fit_tool.fit_file_builder import FitFileBuilder
    from fit_tool.profile.messages.file_id_message import FileIdMessage
    from fit_tool.profile.messages.record_message import RecordMessage
    from fit_tool.profile.messages.session_message import SessionMessage
    from fit_tool.profile.profile_type import FileType, Manufacturer, Sport

    b = FitFileBuilder(auto_define=True)
    fid = FileIdMessage()
    fid.type, fid.manufacturer, fid.product, fid.time_created = FileType.ACTIVITY, Manufacturer.GARMIN.value, 3113, T0_MS
    b.add(fid)
    for i in range(records):
        r = RecordMessage()
        r.timestamp, r.position_lat, r.position_long = T0_MS + i * 1000, 59.3 + i * 1e-6, 18.0
        r.distance, r.enhanced_speed, r.heart_rate, r.cadence = i * 2.9, 2.9, 120 + i % 50, 84
        b.add(r)
    ses = SessionMessage()
    ses.timestamp, ses.start_time, ses.total_elapsed_time, ses.total_timer_time = (
        T0_MS + records * 1000, T0_MS, float(records), float(records))
    ses.total_distance, ses.sport = records * 2.9, Sport.RUNNING
    b.add(ses)
    return b.build().to_bytes()


# ---------------------------------------------------------------- moving a file to another day
_CRC_TABLE = []
for _n in range(256):
    _c = _n
    for _ in range(8):
        _c = (_c >> 1) ^ 0xA001 if _c & 1 else _c >> 1
    _CRC_TABLE.append(_c)


def fit_crc(data: bytes | bytearray) -> int:
    """The FIT file CRC (CRC-16 with polynomial 0x8005, reflected, as the FIT SDK computes it)."""
    crc = 0
    table = _CRC_TABLE
    for byte in data:
        crc = (crc >> 8) ^ table[(crc ^ byte) & 0xFF]
    return crc


def shift_times(data: bytes, seconds: int) -> bytes:
    """A copy of a single FIT file (no compressed timestamps) with every date_time field moved."""
    from fitdecode import profile

    out = bytearray(data)
    hsize = data[0]
    end = hsize + struct.unpack_from("<I", data, 4)[0]
    defs: dict[int, tuple[int, list[int], str]] = {}
    p = hsize
    while p < end:
        h = data[p]
        if h & 0x40:
            endian = ">" if data[p + 2] == 1 else "<"
            gnum = struct.unpack_from(endian + "H", data, p + 3)[0]
            nf = data[p + 5]
            q, off, times = p + 6, 0, []
            mesg = profile.MESSAGE_TYPES.get(gnum)
            for _ in range(nf):
                num, size = data[q], data[q + 1]
                f = mesg.fields.get(num) if mesg else None
                if f is not None and size == 4 and getattr(f.type, "name", "") in ("date_time", "local_date_time"):
                    times.append(off)
                off += size
                q += 3
            if h & 0x20:
                nd = data[q]
                q += 1
                off += sum(data[q + 3 * k + 1] for k in range(nd))
                q += 3 * nd
            defs[h & 0x0F] = (off, times, endian)
            p = q
        else:
            size, times, endian = defs[h & 0x0F]
            for off in times:
                v = struct.unpack_from(endian + "I", data, p + 1 + off)[0]
                if v not in (0xFFFFFFFF,) and v >= 0x10000000:
                    struct.pack_into(endian + "I", out, p + 1 + off, v + seconds)
            p += 1 + size
    struct.pack_into("<H", out, end, fit_crc(out[:end]))
    return bytes(out)


def _write_variant(args: tuple[Path, Path, int]) -> int:
    template, target, days = args
    data = shift_times(template.read_bytes(), days * 86_400)
    target.write_bytes(data)
    return len(data)


def build_corpus(n_files: int) -> tuple[Path, Path]:
    """The cached corpus folder of ``n_files`` runs and the 100,000-record file."""
    corpus = CACHE / f"corpus-{n_files}"
    big = CACHE / f"big-{BIG_RECORDS}.fit"
    templates = [CACHE / f"template-{m}.fit" for m in TEMPLATE_MINUTES]
    done = corpus / ".complete"
    if done.exists() and big.exists():
        return corpus, big
    CACHE.mkdir(parents=True, exist_ok=True)
    t = time.perf_counter()
    print(f"writing the corpus with fit-tool into {CACHE} (once; cached) ...", flush=True)
    with ProcessPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        jobs = {}
        if not big.exists():
            jobs[big] = pool.submit(make_big, BIG_RECORDS)
        for i, (m, path) in enumerate(zip(TEMPLATE_MINUTES, templates)):
            if not path.exists():
                jobs[path] = pool.submit(make_run, m, i)
        for path, fut in jobs.items():
            path.write_bytes(fut.result())
        corpus.mkdir(parents=True, exist_ok=True)
        # template k starts on day k; copy i moves to day len(templates) + i: one run a day, no overlaps
        tasks = [(templates[i % len(templates)], corpus / f"{2024 + i // 365}" / f"run-{i:04d}.fit",
                  len(templates) + i - i % len(templates)) for i in range(n_files)]
        for _, target, _ in tasks:
            target.parent.mkdir(parents=True, exist_ok=True)
        list(pool.map(_write_variant, tasks, chunksize=20))
    done.touch()
    print(f"  written in {time.perf_counter() - t:.0f} s", flush=True)
    return corpus, big


# ---------------------------------------------------------------- measuring (in a fresh process)
def measure_import(paths: list[str], repeat: bool) -> dict[str, float]:
    """Import into a new temporary store, in this process; times and peak memory as JSON data."""
    from runload.ingest import import_paths
    from runload.models import Athlete
    from runload.store import Store

    with tempfile.TemporaryDirectory() as tmp:
        store = Store.open(Path(tmp) / "bench.sqlite")
        store.add_athlete(Athlete("bench", "Bench", timezone="Europe/Stockholm"))
        t = time.perf_counter()
        first = import_paths(store, "bench", [Path(p) for p in paths])
        first_s = time.perf_counter() - t
        out = {"first_s": first_s, "imported": len(first.imported), "failed": len(first.failed),
               "activities": first.activities, "duplicates": len(first.duplicates)}
        if repeat:
            t = time.perf_counter()
            again = import_paths(store, "bench", [Path(p) for p in paths])
            out["again_s"] = time.perf_counter() - t
            out["again_imported"] = len(again.imported)
            out["again_skipped"] = again.skipped
        store.close()
    out["peak_self_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out["peak_worker_mb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return out


def measure_parse_memory(path: str) -> dict[str, float]:
    """Parse one file in this process: time, tracemalloc peak, and peak RSS."""
    import tracemalloc

    from runload.ingest.fit import parse_fit

    data = Path(path).read_bytes()
    t = time.perf_counter()
    acts = parse_fit(data, path)
    parse_s = time.perf_counter() - t
    tracemalloc.start()  # slows allocation a lot: timed above, without it
    parse_fit(data, path)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {"parse_s": parse_s, "traced_peak_mb": peak / 2**20, "distance_km": acts[0].distance_m / 1000,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def time_fitdecode(files: list[Path]) -> float:
    """Seconds to decode these files fully with fitdecode (every frame, every field), one process."""
    import fitdecode

    t = time.perf_counter()
    for f in files:
        with fitdecode.FitReader(str(f)) as reader:
            for _ in reader:
                pass
    return time.perf_counter() - t


def _child(mode: str, *args: str) -> dict[str, float]:
    res = subprocess.run([sys.executable, __file__, mode, *args], capture_output=True, text=True, check=True)
    return json.loads(res.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=1000)
    args = parser.parse_args()
    corpus, big = build_corpus(args.files)
    files = sorted(corpus.rglob("*.fit"))
    total_mb = sum(f.stat().st_size for f in files) / 1e6
    big_mb = big.stat().st_size / 1e6
    print(f"corpus: {len(files)} FIT runs, {total_mb:.0f} MB ({total_mb / len(files) * 1000:.0f} KB each), "
          f"{os.cpu_count()} cores")

    r = _child("--measure-import", str(corpus))
    sample = files[:: max(1, len(files) // SAMPLE)][:SAMPLE]
    fd_s = time_fitdecode(sample)
    fd_mb = sum(f.stat().st_size for f in sample) / 1e6
    fd_total = fd_s / len(sample) * len(files)
    print(f"first import: {r['first_s']:.1f} s = {len(files) / r['first_s']:.0f} files/s, "
          f"{total_mb / r['first_s']:.1f} MB/s ({r['imported']} files, {r['activities']} activities, "
          f"{r['duplicates']} duplicates, {r['failed']} failed)")
    print(f"fitdecode full decode: {fd_mb / fd_s:.2f} MB/s on a sample of {len(sample)} files, one process "
          f"({fd_s:.1f} s); extrapolated to all {len(files)} files: {fd_total:.0f} s")
    print(f"ratio: first import is {fd_total / r['first_s']:.0f}x faster than a full fitdecode decode "
          f"({fd_total / 2 / r['first_s']:.0f}x against fitdecode on both cores)")
    print(f"re-import: {r['again_s']:.2f} s ({r['again_skipped']} skipped, {r['again_imported']} imported)")
    print(f"peak memory, import: {r['peak_self_mb']:.0f} MB main process, {r['peak_worker_mb']:.0f} MB largest worker")

    one = _child("--measure-import-once", str(big))
    mem = _child("--measure-parse", str(big))
    print(f"one {big_mb:.1f} MB file with {BIG_RECORDS:,} records: import {one['first_s']:.2f} s, "
          f"peak {one['peak_self_mb']:.0f} MB; parse alone {mem['parse_s']:.2f} s, "
          f"{mem['traced_peak_mb']:.0f} MB traced by tracemalloc, {mem['peak_rss_mb']:.0f} MB peak RSS")
    ok = (r["first_s"] < 60 and fd_total / r["first_s"] >= 20 and r["again_s"] < 3
          and max(r["peak_self_mb"], r["peak_worker_mb"], one["peak_self_mb"], mem["peak_rss_mb"]) < 300)
    print("targets (first < 60 s, >= 20x, re-import < 3 s, memory < 300 MB):", "met" if ok else "NOT met")


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--measure-import":
        print(json.dumps(measure_import(sys.argv[2:], repeat=True)))
    elif len(sys.argv) > 2 and sys.argv[1] == "--measure-import-once":
        print(json.dumps(measure_import(sys.argv[2:], repeat=False)))
    elif len(sys.argv) > 2 and sys.argv[1] == "--measure-parse":
        print(json.dumps(measure_parse_memory(sys.argv[2])))
    else:
        main()
