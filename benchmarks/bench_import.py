"""Benchmark: whole-process `runload import` of FIT, GPX and TCX folders against each format's
reference library, and an import of 5,000 files oldest-first against newest-first.

Every import is a fresh `python -m runload import` process (start-up, listing, parsing in worker
processes and the store's writes included), the median of three runs into new stores. Each is
set beside its format's reference, timed in one process on an evenly spaced sample of the same
files and extrapolated by bytes to the whole folder (said so in the output):

- FIT: 1,000 runs (about 280 MB) and 10 copies cut at 60% (an interrupted sync: no session),
  against fitdecode's full decode (every frame, every field). Target: >= 50x.
- GPX: 150 one-hour runs at one point a second (about 190 MB) in the styles Garmin Connect and
  Strava write (elevation, heart rate, cadence, temperature), against gpxpy's parse alone.
  Target: >= 10x.
- TCX: 100 Garmin-style runs with 1 km laps (about 210 MB), against a plain ElementTree parse of
  the same bytes (building the tree, nothing read from it).
- Order: 5,000 short FIT runs imported oldest-first and newest-first: the duplicate search is
  bounded by an index, so both take the same time.

Also printed for FIT: the re-import time and peak memory, and one 100,000-record file. FIT files
are written with fit-tool; fit-tool encodes about 1,000 records a second, so six distinct runs
are encoded and the corpus is made of copies moved to other days (every time field shifted, CRC
recomputed). Corpora are cached in $RUNLOAD_BENCH_CACHE (default ~/.cache/runload-bench),
outside the repository; the first run writes them (about two minutes).

Usage: python benchmarks/bench_import.py [--only fit,gpx,tcx,order] [--fit-files N] [--gpx-files N]
       [--tcx-files N] [--order-files N]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import statistics
import struct
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime, timedelta, timezone
from pathlib import Path

CACHE = Path(os.environ.get("RUNLOAD_BENCH_CACHE", Path.home() / ".cache" / "runload-bench")) / "v1"
FIT_EPOCH_S = 631065600  # 1989-12-31T00:00:00Z in Unix seconds
T0_MS = 1_700_000_000_000  # 2023-11-14, the first template's start
TEMPLATE_MINUTES = (70, 80, 88, 95, 100, 110)
BIG_RECORDS = 100_000
SAMPLE = 50  # files timed with the reference library
RUNS = 3  # whole-process imports per corpus; the median is printed


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


def _write_cut(args: tuple[Path, Path, int, float]) -> int:
    """A copy moved by ``days`` and cut to ``share`` of its bytes: no session, no CRC."""
    template, target, days, share = args
    data = shift_times(template.read_bytes(), days * 86_400)
    target.write_bytes(data[: int(len(data) * share)])
    return len(data)


def _done(folder: Path) -> bool:
    return (folder / ".complete").exists()


def build_fit_corpus(n_files: int) -> tuple[Path, Path, Path]:
    """The cached folder of ``n_files`` FIT runs, a folder of 10 cut copies, and the big file."""
    corpus = CACHE / f"corpus-{n_files}"
    cut = CACHE / f"cut-10-after-{n_files}"
    big = CACHE / f"big-{BIG_RECORDS}.fit"
    templates = [CACHE / f"template-{m}.fit" for m in TEMPLATE_MINUTES]
    if _done(corpus) and _done(cut) and big.exists():
        return corpus, cut, big
    CACHE.mkdir(parents=True, exist_ok=True)
    t = time.perf_counter()
    print(f"writing the FIT corpus with fit-tool into {CACHE} (once; cached) ...", flush=True)
    with ProcessPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        jobs = {}
        if not big.exists():
            jobs[big] = pool.submit(make_big, BIG_RECORDS)
        for i, (m, path) in enumerate(zip(TEMPLATE_MINUTES, templates)):
            if not path.exists():
                jobs[path] = pool.submit(make_run, m, i)
        for path, fut in jobs.items():
            path.write_bytes(fut.result())
        if not _done(corpus):
            corpus.mkdir(parents=True, exist_ok=True)
            # template k starts on day k; copy i moves to day len(templates) + i: one run a day, no overlaps
            tasks = [(templates[i % len(templates)], corpus / f"{2024 + i // 365}" / f"run-{i:04d}.fit",
                      len(templates) + i - i % len(templates)) for i in range(n_files)]
            for _, target, _ in tasks:
                target.parent.mkdir(parents=True, exist_ok=True)
            list(pool.map(_write_variant, tasks, chunksize=20))
            (corpus / ".complete").touch()
        if not _done(cut):
            cut.mkdir(parents=True, exist_ok=True)
            base = len(templates) + n_files  # after the corpus: these days hold no other run
            cuts = [(templates[i % len(templates)], cut / f"cut-{i:02d}.fit", base + i - i % len(templates), 0.6)
                    for i in range(10)]
            list(pool.map(_write_cut, cuts))
            (cut / ".complete").touch()
    print(f"  written in {time.perf_counter() - t:.0f} s", flush=True)
    return corpus, cut, big


# ---------------------------------------------------------------- GPX and TCX runs, written as text
def _profile(minutes: int, seed: int) -> list[tuple[float, float, float, int, int]]:
    """One point a second: (metres north, metres east, elevation, heart rate, cadence per leg)."""
    out = []
    north = east = 0.0
    base = 2.6 + 0.1 * (seed % 7)  # 9.4 to 11.5 km/h
    for i in range(minutes * 60):
        v = base * (1 + 0.06 * math.sin(i / 97.0 + seed)) + 0.05 * math.sin(i / 7.0)
        heading = i / 500.0 + seed
        north += v * math.cos(heading)
        east += v * math.sin(heading)
        hr = int(125 + 30 * (1 - math.exp(-i / 400.0)) + 6 * math.sin(i / 300.0 + seed))
        out.append((north, east, 30 + 12 * math.sin(i / 250.0), hr, 84 + (i // 13) % 4))
    return out


def _lat_lon(north: float, east: float) -> tuple[float, float]:
    lat = 59.33 + north / 111_195.0
    return lat, 18.06 + east / (111_195.0 * math.cos(math.radians(lat)))


def make_gpx(minutes: int, seed: int, start: datetime) -> bytes:
    """A GPX run as Garmin Connect (even seeds) or Strava (odd seeds) exports it."""
    garmin = seed % 2 == 0
    ns = "ns3" if garmin else "gpxtpx"
    out = ['<?xml version="1.0" encoding="UTF-8"?>\n'
           f'<gpx creator="{"Garmin Connect" if garmin else "StravaGPX"}" version="1.1" '
           'xsi:schemaLocation="http://www.topografix.com/GPX/1/1 http://www.topografix.com/GPX/11.xsd" '
           f'xmlns:{ns}="http://www.garmin.com/xmlschemas/TrackPointExtension/v1" '
           'xmlns="http://www.topografix.com/GPX/1/1" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n'
           f' <metadata>\n  <time>{start:%Y-%m-%dT%H:%M:%S}Z</time>\n </metadata>\n'
           f' <trk>\n  <name>Morning Run</name>\n  <type>running</type>\n  <trkseg>\n']
    pad = "      " if garmin else "   "
    for i, (north, east, ele, hr, cad) in enumerate(_profile(minutes, seed)):
        lat, lon = _lat_lon(north, east)
        t = start + timedelta(seconds=i)
        stamp = f"{t:%Y-%m-%dT%H:%M:%S}.000Z" if garmin else f"{t:%Y-%m-%dT%H:%M:%S}Z"
        coords = f'lat="{lat:.15f}" lon="{lon:.15f}"' if garmin else f'lat="{lat:.7f}" lon="{lon:.7f}"'
        atemp = f"{pad}    <{ns}:atemp>21.0</{ns}:atemp>\n" if garmin else ""
        out.append(f"{pad}<trkpt {coords}>\n{pad} <ele>{ele:.1f}</ele>\n{pad} <time>{stamp}</time>\n"
                   f"{pad} <extensions>\n{pad}  <{ns}:TrackPointExtension>\n{atemp}"
                   f"{pad}   <{ns}:hr>{hr}</{ns}:hr>\n{pad}   <{ns}:cad>{cad}</{ns}:cad>\n"
                   f"{pad}  </{ns}:TrackPointExtension>\n{pad} </extensions>\n{pad}</trkpt>\n")
    out.append("  </trkseg>\n </trk>\n</gpx>\n")
    return "".join(out).encode()


def make_tcx(minutes: int, seed: int, start: datetime) -> bytes:
    """A TCX run as Garmin Connect exports it: a lap per kilometre, speed and run cadence."""
    pts = _profile(minutes, seed)
    laps: list[list[str]] = [[]]
    lap_starts = [0]
    dist = 0.0
    prev = (0.0, 0.0)
    for i, (north, east, ele, hr, cad) in enumerate(pts):
        step = math.hypot(north - prev[0], east - prev[1])
        dist += step
        prev = (north, east)
        if dist >= 1000 * len(laps):
            laps.append([])
            lap_starts.append(i)
        lat, lon = _lat_lon(north, east)
        t = start + timedelta(seconds=i)
        laps[-1].append(
            f"          <Trackpoint>\n            <Time>{t:%Y-%m-%dT%H:%M:%S}.000Z</Time>\n            <Position>\n"
            f"              <LatitudeDegrees>{lat:.15f}</LatitudeDegrees>\n"
            f"              <LongitudeDegrees>{lon:.15f}</LongitudeDegrees>\n            </Position>\n"
            f"            <AltitudeMeters>{ele:.1f}</AltitudeMeters>\n"
            f"            <DistanceMeters>{dist:.2f}</DistanceMeters>\n"
            f"            <HeartRateBpm>\n              <Value>{hr}</Value>\n            </HeartRateBpm>\n"
            f"            <Extensions>\n              <ns3:TPX>\n                <ns3:Speed>{step:.3f}</ns3:Speed>\n"
            f"                <ns3:RunCadence>{cad}</ns3:RunCadence>\n              </ns3:TPX>\n"
            f"            </Extensions>\n          </Trackpoint>\n")
    body = []
    for k, (lap, first) in enumerate(zip(laps, lap_starts)):
        t = start + timedelta(seconds=first)
        seconds = len(lap)
        body.append(
            f'      <Lap StartTime="{t:%Y-%m-%dT%H:%M:%S}.000Z">\n'
            f"        <TotalTimeSeconds>{seconds:.1f}</TotalTimeSeconds>\n"
            f"        <DistanceMeters>{min(1000.0, dist - 1000 * k):.2f}</DistanceMeters>\n"
            "        <Calories>70</Calories>\n        <AverageHeartRateBpm>\n          <Value>150</Value>\n"
            "        </AverageHeartRateBpm>\n        <Intensity>Active</Intensity>\n"
            "        <TriggerMethod>Distance</TriggerMethod>\n        <Track>\n" + "".join(lap)
            + "        </Track>\n      </Lap>\n")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<TrainingCenterDatabase '
            'xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2" '
            'xmlns:ns3="http://www.garmin.com/xmlschemas/ActivityExtension/v2">\n  <Activities>\n'
            f'    <Activity Sport="Running">\n      <Id>{start:%Y-%m-%dT%H:%M:%S}.000Z</Id>\n' + "".join(body)
            + "      <Creator><Name>Forerunner 265</Name></Creator>\n    </Activity>\n  </Activities>\n"
              "</TrainingCenterDatabase>\n").encode()


def _write_text_run(args: tuple[str, Path, int, int]) -> int:
    kind, target, minutes, seed = args
    start = datetime(2022, 1, 1, 7, 0, tzinfo=timezone.utc) + timedelta(days=seed)
    data = (make_gpx if kind == "gpx" else make_tcx)(minutes, seed, start)
    target.write_bytes(data)
    return len(data)


def build_text_corpus(kind: str, n_files: int) -> Path:
    """The cached folder of ``n_files`` GPX or TCX runs of 45 to 75 minutes, one a day."""
    corpus = CACHE / f"{kind}-{n_files}"
    if _done(corpus):
        return corpus
    corpus.mkdir(parents=True, exist_ok=True)
    t = time.perf_counter()
    print(f"writing {n_files} {kind.upper()} runs into {corpus} (once; cached) ...", flush=True)
    tasks = [(kind, corpus / f"run-{i:04d}.{kind}", 45 + (i * 7) % 31, i) for i in range(n_files)]
    with ProcessPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        list(pool.map(_write_text_run, tasks, chunksize=4))
    (corpus / ".complete").touch()
    print(f"  written in {time.perf_counter() - t:.0f} s", flush=True)
    return corpus


def build_order_corpus(n_files: int) -> tuple[Path, Path]:
    """Two folders of the same ``n_files`` short FIT runs (one a day): named oldest-first and
    newest-first, so a folder import reads them in that order."""
    old_first = CACHE / f"order-{n_files}-oldest-first"
    new_first = CACHE / f"order-{n_files}-newest-first"
    if _done(old_first) and _done(new_first):
        return old_first, new_first
    template = CACHE / "template-short.fit"
    if not template.exists():
        template.write_bytes(make_run(3, 0, rich=False))
    t = time.perf_counter()
    print(f"writing {n_files} short FIT runs twice into {CACHE} (once; cached) ...", flush=True)
    data = template.read_bytes()
    for folder in (old_first, new_first):
        folder.mkdir(parents=True, exist_ok=True)
    with ProcessPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        shifted = list(pool.map(shift_times, [data] * n_files, [(i + 1) * 86_400 for i in range(n_files)],
                                chunksize=100))
    for i, blob in enumerate(shifted):
        (old_first / f"{i:05d}.fit").write_bytes(blob)
        (new_first / f"{n_files - 1 - i:05d}.fit").write_bytes(blob)
    (old_first / ".complete").touch()
    (new_first / ".complete").touch()
    print(f"  written in {time.perf_counter() - t:.0f} s", flush=True)
    return old_first, new_first


# ---------------------------------------------------------------- measuring
def whole_import(paths: list[Path], runs: int = RUNS, again: bool = False) -> dict[str, float]:
    """`python -m runload import` of ``paths`` into new stores, ``runs`` times: median seconds,
    the summary, peak memory of the import and its workers, and optionally a re-import."""
    times, peaks = [], []
    out: dict[str, float] = {}
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as tmp:
            env = {**os.environ, "RUNLOAD_STORE": str(Path(tmp) / "bench.sqlite")}
            subprocess.run([sys.executable, "-m", "runload", "athlete", "add", "bench", "--name", "Bench",
                            "--timezone", "Europe/Stockholm"], env=env, check=True, capture_output=True)
            cmd = [sys.executable, "-m", "runload", "import", "--athlete", "bench", *map(str, paths), "--json"]
            res = _timed_child(cmd, env)
            times.append(res["seconds"])
            peaks.append(res["peak_mb"])
            summary = json.loads(res["stdout"])
            out.update(imported=summary["imported"], activities=summary["activities"],
                       duplicates=len(summary["duplicates"]), failed=len(summary["failed"]))
            if again:
                res = _timed_child(cmd, env)
                out["again_s"] = res["seconds"]
                out["again_skipped"] = json.loads(res["stdout"])["skipped"]
                again = False
    out["seconds"] = statistics.median(times)
    out["peak_mb"] = max(peaks)
    return out


def _timed_child(cmd: list[str], env: dict[str, str]) -> dict:
    """Run ``cmd`` from a small helper process so its peak memory (with its workers) is its own."""
    helper = [sys.executable, __file__, "--run-timed", json.dumps(cmd)]
    res = subprocess.run(helper, env=env, check=True, capture_output=True, text=True)
    return json.loads(res.stdout.strip().splitlines()[-1])


def run_timed(cmd: list[str]) -> None:
    t = time.perf_counter()
    res = subprocess.run(cmd, capture_output=True, text=True)
    seconds = time.perf_counter() - t
    if res.returncode not in (0, 1):
        sys.exit(f"import failed ({res.returncode}): {res.stderr[-2000:]}")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "peak_mb": peak, "stdout": res.stdout}))


def reference_rate(kind: str, files: list[Path]) -> dict[str, float]:
    """The reference library's MB/s on an evenly spaced sample, timed in a fresh process."""
    sample = files[:: max(1, len(files) // SAMPLE)][:SAMPLE]
    res = subprocess.run([sys.executable, __file__, "--reference", kind, *map(str, sample)],
                         check=True, capture_output=True, text=True)
    return json.loads(res.stdout.strip().splitlines()[-1])


def time_reference(kind: str, files: list[Path]) -> dict[str, float]:
    """Seconds for the reference library to read these files, in this process."""
    datas = [f.read_bytes() for f in files]
    t = time.perf_counter()
    if kind == "fit":
        import io

        import fitdecode

        for data in datas:
            with fitdecode.FitReader(io.BytesIO(data), error_handling=fitdecode.ErrorHandling.WARN) as reader:
                try:
                    for _ in reader:
                        pass
                except fitdecode.FitError:
                    pass  # a cut file ends early: everything before was decoded
    elif kind == "gpx":
        import gpxpy

        for data in datas:
            gpxpy.parse(data.decode("utf-8"))
    else:
        import xml.etree.ElementTree as ET

        for data in datas:
            ET.fromstring(data)
    seconds = time.perf_counter() - t
    return {"seconds": seconds, "mb": sum(map(len, datas)) / 1e6, "files": len(datas)}


def measure_parse_memory(path: str) -> dict[str, float]:
    """Parse one FIT file in this process: time, tracemalloc peak, and peak RSS."""
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


def _files(folders: list[Path], suffix: str) -> list[Path]:
    return sorted(f for folder in folders for f in folder.rglob(f"*{suffix}"))


def report_format(label: str, kind: str, folders: list[Path], target: float | None, extra: str = "") -> bool:
    files = _files(folders, f".{kind}")
    mb = sum(f.stat().st_size for f in files) / 1e6
    r = whole_import(folders, again=kind == "fit")
    ref = reference_rate(kind, files)
    ref_rate = ref["mb"] / ref["seconds"]
    ref_total = mb / ref_rate
    ratio = ref_total / r["seconds"]
    print(f"{label}: {len(files)} files, {mb:.0f} MB{extra}")
    print(f"  runload import (whole process, median of {RUNS}): {r['seconds']:.2f} s = "
          f"{len(files) / r['seconds']:.0f} files/s, {mb / r['seconds']:.1f} MB/s "
          f"({r['imported']} imported, {r['activities']} activities, {r['duplicates']} duplicates, "
          f"{r['failed']} failed); peak memory {r['peak_mb']:.0f} MB")
    names = {"fit": "fitdecode full decode", "gpx": "gpxpy parse", "tcx": "ElementTree parse"}
    print(f"  {names[kind]}: {ref_rate:.1f} MB/s on {ref['files']:.0f} of the files in one process "
          f"({ref['seconds']:.1f} s); extrapolated to all: {ref_total:.0f} s")
    met = "" if target is None else (" (target >= %gx: %s)" % (target, "met" if ratio >= target else "NOT met"))
    print(f"  ratio: {ratio:.1f}x faster than {names[kind]} alone{met}")
    if "again_s" in r:
        print(f"  re-import: {r['again_s']:.2f} s ({r['again_skipped']:.0f} skipped)")
    return target is None or ratio >= target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="fit,gpx,tcx,order")
    parser.add_argument("--fit-files", type=int, default=1000)
    parser.add_argument("--gpx-files", type=int, default=150)
    parser.add_argument("--tcx-files", type=int, default=100)
    parser.add_argument("--order-files", type=int, default=5000)
    args = parser.parse_args()
    only = set(args.only.split(","))
    print(f"{os.cpu_count()} cores; corpora in {CACHE}")
    ok = True
    if "fit" in only:
        corpus, cut, big = build_fit_corpus(args.fit_files)
        ok &= report_format("FIT", "fit", [corpus, cut], 50.0, extra=" (10 of them cut at 60%: no session)")
        one = whole_import([big], runs=1)
        mem = _child_json("--measure-parse", str(big))
        print(f"  one {big.stat().st_size / 1e6:.1f} MB file with {BIG_RECORDS:,} records: import (whole process) "
              f"{one['seconds']:.2f} s, peak {one['peak_mb']:.0f} MB; parse alone {mem['parse_s']:.2f} s, "
              f"{mem['traced_peak_mb']:.0f} MB traced by tracemalloc, {mem['peak_rss_mb']:.0f} MB peak RSS")
    if "gpx" in only:
        ok &= report_format("GPX", "gpx", [build_text_corpus("gpx", args.gpx_files)], 10.0)
    if "tcx" in only:
        ok &= report_format("TCX", "tcx", [build_text_corpus("tcx", args.tcx_files)], None)
    if "order" in only:
        old_first, new_first = build_order_corpus(args.order_files)
        a = whole_import([old_first], runs=1)
        b = whole_import([new_first], runs=1)
        print(f"Order: {args.order_files} short FIT runs: oldest-first {a['seconds']:.2f} s, newest-first "
              f"{b['seconds']:.2f} s (oldest-first / newest-first = {a['seconds'] / b['seconds']:.2f}; "
              f"{a['imported']} and {b['imported']} imported)")
        q = _child_json("--query", str(args.order_files))
        print(f"  the duplicate search with {args.order_files} activities stored: {q['bounded_ms']:.3f} ms bounded by "
              f"the index, {q['scan_ms']:.3f} ms scanning every older activity (the query before)")
        ok &= a["seconds"] <= 1.25 * b["seconds"]
    print("targets:", "met" if ok else "NOT all met")


def time_query(n: int) -> dict[str, float]:
    """The same-start duplicate query against ``n`` stored activities, bounded and unbounded."""
    from runload.models import Activity, Athlete, Sport
    from runload.store import Store

    t0 = datetime(2010, 1, 1, 7, tzinfo=timezone.utc)
    with tempfile.TemporaryDirectory() as tmp, Store.open(Path(tmp) / "q.sqlite") as st:
        st.add_athlete(Athlete("a", "A"))
        with st.atomic() as conn:
            for i in range(n):
                st.insert_activity(conn, "a", Activity(start_utc=t0 + timedelta(days=i), sport=Sport.RUNNING,
                                                       distance_m=5000.0, elapsed_s=1800.0, source_hash=str(i)))
        start = t0 + timedelta(days=n)  # the newest run: every stored one is older (oldest-first import)
        out = {}
        for key, bound in (("bounded_ms", start - timedelta(seconds=st.longest_activity_s("a") + 60)),
                           ("scan_ms", None)):
            t = time.perf_counter()
            for _ in range(200):
                st.activities("a", start_utc=start - timedelta(minutes=1), end_utc=start + timedelta(hours=1),
                              started_from=bound)
            out[key] = (time.perf_counter() - t) / 200 * 1000
    return out


def _child_json(mode: str, *args: str) -> dict[str, float]:
    res = subprocess.run([sys.executable, __file__, mode, *args], capture_output=True, text=True, check=True)
    return json.loads(res.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--run-timed":
        run_timed(json.loads(sys.argv[2]))
    elif len(sys.argv) > 2 and sys.argv[1] == "--reference":
        print(json.dumps(time_reference(sys.argv[2], [Path(p) for p in sys.argv[3:]])))
    elif len(sys.argv) > 2 and sys.argv[1] == "--query":
        print(json.dumps(time_query(int(sys.argv[2]))))
    elif len(sys.argv) > 2 and sys.argv[1] == "--measure-parse":
        print(json.dumps(measure_parse_memory(sys.argv[2])))
    else:
        main()
