"""Benchmark: peak memory of `runload import` for each kind of large or hostile input.

The kinds of issue 16 (item 9) and the largest files runload still reads:

- a 32 MB zip of zips three deep holding 400 FIT runs (every nested archive used to be held at once),
- a 120 MB GPX in a 13 MB zip, a loose 200 MB GPX, a GPX whose track name is 200 MB,
- a Strava export whose activities.csv is 145 MB (as a folder and as a zip),
- a zip at the member cap (200,000 members),
- a GPX with a 15 MB track name, GPX files of 16 and 60 MB, and a FIT of 32 MB (the caps are 64
  and 32 MB) with and without its session (without, the slow decoder reads every record); a
  reader that needs more than a worker's memory budget fails that file;
- a chained FIT of 200 copies of one 11 KB run (issue 25: 153 s and 291 MB, then a MemoryError).

Each import runs in a fresh process (``--workers 2``, as on a 2-core machine); peak RSS is the
importing process's high-water mark (VmHWM) and its largest worker's (``resource.getrusage``),
beside the peak of a process that only imports runload (the floor). Where a reference exists the same input is also
read the way a plain library reads it, in its own process: gpxpy parsing the GPX, Python's csv
module reading the whole CSV, zipfile holding every nested archive in memory. Target: every
runload figure under 300 MB.

The files a person names to ``runload pain import`` and ``runload plan check`` (issue 25, item
4) are measured the same way, each command in a fresh process: a pain log at its 32 MB cap (rows
of 2,000-character notes, past the 10,000-row cap), one line of 31 MB of commas (a row of 31
million fields, once 514 MB), files of 99 MB (over the caps), a plan at its 2 MB cap, and
``/dev/zero``, a named pipe and a symlink named ``.csv`` to ``/dev/zero`` (once 7 GB, or a wait
forever). Target: under 300 MB, every one answered within seconds.

Inputs are generated once into $RUNLOAD_BENCH_CACHE/memory-v1 (default ~/.cache/runload-bench),
outside the repository (about 1.2 GB; the 200 MB files are sparse-free text, so expect that on disk).

Usage: python benchmarks/bench_memory.py [--only KIND ...]
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import os
import random
import resource
import struct
import subprocess
import sys
import tempfile
import time
import zipfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bench_import import fit_crc  # noqa: E402  (the same FIT CRC the import benchmark writes)

CACHE = Path(os.environ.get("RUNLOAD_BENCH_CACHE", Path.home() / ".cache" / "runload-bench")) / "memory-v1"
FIT_EPOCH_S = 631065600  # 1989-12-31T00:00:00Z in Unix seconds
T0 = datetime(2024, 3, 4, 7, tzinfo=timezone.utc)
TARGET_MB = 300
MB = 2**20


# ---------------------------------------------------------------- writing inputs
def fit_file(start: datetime, records: int, session: bool = True, speed: float = 2.9, noise: int = 0) -> bytes:
    """A FIT activity written byte by byte (file_id, one-second records, a session), so files of
    millions of records take seconds to write (fit-tool writes about 1,000 records a second).
    ``noise`` adds that many random bytes to each record (a field no profile names, as a
    device's own data would be), so the file compresses as real ones do rather than 20 to 1."""
    t0 = int(start.timestamp()) - FIT_EPOCH_S
    body = bytearray()
    body += bytes([0x40, 0, 0]) + struct.pack("<H", 0) + bytes([3, 0, 1, 0x00, 1, 2, 0x84, 4, 4, 0x86])
    body += bytes([0x00, 4]) + struct.pack("<HI", 1, t0)  # type activity, Garmin, time created
    extra = bytes([250, noise, 0x0D]) if noise else b""
    body += bytes([0x41, 0, 0]) + struct.pack("<H", 20) + bytes(
        [4 + bool(noise), 253, 4, 0x86, 5, 4, 0x86, 6, 2, 0x84, 3, 1, 0x02]) + extra
    rec = struct.Struct("<BIIHB")
    rand = random.Random(start.toordinal())
    body += b"".join(rec.pack(0x01, t0 + i, int(i * speed * 100), int(speed * 1000), 120 + i % 50)
                     + (rand.randbytes(noise) if noise else b"") for i in range(records))
    if session:
        body += bytes([0x42, 0, 0]) + struct.pack("<H", 18) + bytes(
            [6, 253, 4, 0x86, 2, 4, 0x86, 7, 4, 0x86, 8, 4, 0x86, 9, 4, 0x86, 5, 1, 0x00])
        body += struct.pack("<BIIIIIB", 0x02, t0 + records, t0, records * 1000, records * 1000,
                            int(records * speed * 100), 1)
    header = struct.pack("<BBHI4s", 14, 0x20, 2132, len(body), b".FIT")
    header += struct.pack("<H", fit_crc(header))
    data = header + body
    return data + struct.pack("<H", fit_crc(data))


def write_gpx(path: Path, points: int, name: str = "Morning run", name_bytes: int = 0) -> None:
    """A GPX run, one point a second with heart rate and cadence, streamed to disk."""
    with open(path, "w", encoding="utf-8") as fh:
        fh.write('<?xml version="1.0" encoding="UTF-8"?>\n<gpx version="1.1" creator="bench" '
                 'xmlns="http://www.topografix.com/GPX/1/1" '
                 'xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v1"><trk><name>')
        fh.write(name)
        for _ in range(name_bytes // MB):
            fh.write("N" * MB)
        fh.write("</name><type>running</type><trkseg>\n")
        for i in range(points):
            t = (T0 + timedelta(seconds=i % 86_000)).strftime("%Y-%m-%dT%H:%M:%SZ")
            fh.write(f'<trkpt lat="{59.3 + (i % 86_000) * 2.6e-5:.7f}" lon="18.0000000"><ele>10.0</ele><time>{t}</time>'
                     f"<extensions><gpxtpx:TrackPointExtension><gpxtpx:hr>{150 + i % 10}</gpxtpx:hr>"
                     "<gpxtpx:cad>86</gpxtpx:cad></gpxtpx:TrackPointExtension></extensions></trkpt>\n")
        fh.write("</trkseg></trk></gpx>\n")


def zip_bytes(members: list[tuple[str, bytes]], compress: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compress) as z:
        for name, data in members:
            z.writestr(name, data)
    return buf.getvalue()


def build(kind: str) -> Path:
    """The cached input of one kind (written on first use)."""
    CACHE.mkdir(parents=True, exist_ok=True)
    out = CACHE / KINDS[kind][0]
    if out.exists():
        return out
    print(f"  writing {out.name} (once; cached) ...", flush=True)
    tmp = out.with_name(out.name + ".part")
    if kind == "nested-zips":
        # 4 x 4 x 25 runs of 75 min: zips stored in zips (as Garmin's export nests them), the runs deflated
        n = 0
        level1 = []
        for a in range(4):
            level2 = []
            for b in range(4):
                runs = []
                for _ in range(25):
                    runs.append((f"run-{n:03d}.fit", fit_file(T0 + timedelta(days=n), 4500, noise=12)))
                    n += 1
                level2.append((f"part-{a}-{b}.zip", zip_bytes(runs)))
            level1.append((f"UploadedFiles_Part{a}.zip", zip_bytes(level2, zipfile.ZIP_STORED)))
        tmp.write_bytes(zip_bytes(level1, zipfile.ZIP_STORED))
    elif kind == "gpx-120mb-zip":
        gpx = CACHE / "gpx-120mb.gpx"
        write_gpx(gpx, 520_000)
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
            z.write(gpx, "activities/big.gpx")
        gpx.unlink()
    elif kind == "gpx-200mb":
        write_gpx(tmp, 870_000)
    elif kind == "gpx-200mb-name":
        write_gpx(tmp, 300, name_bytes=200 * MB)
    elif kind in ("strava-csv-145mb", "strava-csv-145mb-zip"):
        folder = CACHE / "strava-export"
        if not (folder / "activities.csv").exists():
            (folder / "activities").mkdir(parents=True, exist_ok=True)
            for i in range(3):
                (folder / "activities" / f"{i}.fit.gz").write_bytes(gzip.compress(fit_file(T0 + timedelta(days=i), 1800)))
            with open(folder / "activities.csv.part", "w", encoding="utf-8") as fh:
                fh.write("Activity ID,Activity Date,Activity Name,Activity Type,Activity Description,Elapsed Time,"
                         "Distance,Activity Gear,Filename\n")
                desc = "A long description of the day, the weather and how the legs felt. " * 20
                i = 0
                while fh.tell() < 145 * MB:
                    fh.write(f'{i},"Mar 4, 2024",Run {i},Run,"{desc}",1800,5.2,Shoe,activities/{i}.fit.gz\n')
                    i += 1
            (folder / "activities.csv.part").rename(folder / "activities.csv")
        if kind == "strava-csv-145mb":
            return folder
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as z:
            for f in sorted(folder.rglob("*")):
                if f.is_file():
                    z.write(f, f.relative_to(folder).as_posix())
    elif kind == "zip-200k-members":
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_STORED) as z:
            for i in range(199_990):
                z.writestr(f"photos/{i // 1000:03d}/{i:06d}.json", b"{}")
            for i in range(10):
                z.writestr(f"activities/{i}.fit", fit_file(T0 + timedelta(days=i), 600))
    elif kind == "gpx-16mb":
        write_gpx(tmp, 66_500)
    elif kind == "gpx-60mb":
        write_gpx(tmp, 258_000)
    elif kind == "gpx-15mb-name":
        write_gpx(tmp, 300, name_bytes=15 * MB)
    elif kind in ("fit-32mb", "fit-32mb-cut"):
        tmp.write_bytes(fit_file(T0, 2_500_000, session=(kind == "fit-32mb")))
    elif kind == "fit-chained":
        # issue 25: a legal chained FIT of 200 copies took 153 s and 291 MB, then failed the whole import
        tmp.write_bytes(fit_file(T0, 900) * 200)
    tmp.rename(out)
    return out


def build_named(kind: str) -> Path:
    """The cached input of one kind a person names to a command (written on first use)."""
    name = NAMED[kind][0]
    if name.startswith("/"):
        return Path(name)
    CACHE.mkdir(parents=True, exist_ok=True)
    out = CACHE / name
    if out.exists() or out.is_symlink():
        return out
    print(f"  writing {out.name} (once; cached) ...", flush=True)
    if kind.endswith("fifo"):
        os.mkfifo(out)
    elif kind.endswith("zero-link"):
        out.symlink_to("/dev/zero")
    elif kind == "pain-csv-32mb":
        note = "sore after the hills " * 100  # under the 2,000-character note cap
        with open(out, "w", encoding="utf-8") as fh:
            fh.write("date,pain_after,notes\n")
            i = 0
            while fh.tell() < 31 * MB:
                fh.write(f"{(datetime(1990, 1, 1) + timedelta(days=i)).date()},{i % 10},{note[:1990]}\n")
                i += 1
    elif kind == "pain-csv-commas":
        with open(out, "w", encoding="utf-8") as fh:
            fh.write("date,pain_after\n" + "," * (31 * MB) + "\n")
    elif kind in ("pain-csv-99mb", "plan-csv-99mb"):
        with open(out, "w", encoding="utf-8") as fh:
            fh.write("date,distance_km\n")
            for _ in range(99):
                fh.write("2024-03-04,5\n" * (MB // 13))
    elif kind == "plan-csv-2mb":
        with open(out, "w", encoding="utf-8") as fh:
            fh.write("date,distance_km,kind,notes\n")
            for i in range(400):
                fh.write(f"{(T0 + timedelta(days=1 + i // 5)).date()},5,easy,{'steady ' * 700}\n")
    return out


# What each kind is: (cached file name, words, reference reader or None)
KINDS = {
    "nested-zips": ("nested-zips.zip", "zip of zips 3 deep, 400 FIT runs", "zip-in-memory"),
    "gpx-120mb-zip": ("gpx-120mb.zip", "120 MB GPX in a zip", None),
    "gpx-200mb": ("gpx-200mb.gpx", "loose 200 MB GPX", None),
    "gpx-200mb-name": ("gpx-200mb-name.gpx", "GPX with a 200 MB track name", None),
    "strava-csv-145mb": ("strava-export", "Strava export, 145 MB activities.csv", "csv-all-rows"),
    "strava-csv-145mb-zip": ("strava-export.zip", "the same export zipped", None),
    "zip-200k-members": ("zip-200k-members.zip", "zip of 200,000 members", None),
    "gpx-15mb-name": ("gpx-15mb-name.gpx", "GPX with a 15 MB track name", None),
    "gpx-16mb": ("gpx-16mb.gpx", "16 MB GPX (19 h of 1 s points)", "gpxpy"),
    "gpx-60mb": ("gpx-60mb.gpx", "60 MB GPX (under the 64 MB cap)", "gpxpy"),
    "fit-32mb": ("fit-32mb.fit", "32 MB FIT (2.5 million records)", None),
    "fit-32mb-cut": ("fit-32mb-cut.fit", "the same FIT without a session", None),
    "fit-chained": ("fit-chained.fit", "200 chained copies of an 11 KB FIT run (2.2 MB)", None),
}


# Files a person names to a command: (cached file name or a fixed path, words, the command)
PAIN, PLAN = ["pain", "import", "--athlete", "a"], ["plan", "check", "--athlete", "a", "--as-of", "2024-03-04"]
NAMED = {
    "pain-csv-32mb": ("pain-32mb.csv", "pain log at the 32 MB cap", PAIN),
    "pain-csv-commas": ("pain-commas.csv", "pain log: 31 MB of commas on one line", PAIN),
    "pain-csv-99mb": ("pain-99mb.csv", "99 MB pain log", PAIN),
    "pain-dev-zero": ("/dev/zero", "pain import /dev/zero", PAIN),
    "pain-fifo": ("pain-fifo.csv", "pain import of a named pipe", PAIN),
    "pain-zero-link": ("pain-zero.csv", "pain import zero.csv -> /dev/zero", PAIN),
    "plan-csv-2mb": ("plan-2mb.csv", "plan at the 2 MB cap (400 sessions)", PLAN),
    "plan-csv-99mb": ("plan-99mb.csv", "99 MB plan", PLAN),
    "plan-dev-zero": ("/dev/zero", "plan check /dev/zero", PLAN),
    "plan-fifo": ("plan-fifo.csv", "plan check of a named pipe", PLAN),
    "plan-zero-link": ("plan-zero.csv", "plan check zero.csv -> /dev/zero", PLAN),
}


# ---------------------------------------------------------------- measuring (in a fresh process)
def peaks() -> dict[str, float]:
    """Peak RSS of this process and of its largest (finished) child. This process's own peak is
    read from /proc (VmHWM): on Linux, ru_maxrss survives exec and would report the parent's."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            own = next(int(line.split()[1]) / 1024 for line in fh if line.startswith("VmHWM:"))
    except (OSError, StopIteration):
        pass
    return {"self_mb": own, "children_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}


def child_import(path: str) -> dict[str, object]:
    from runload.ingest import import_paths
    from runload.models import Athlete
    from runload.store import Store

    with tempfile.TemporaryDirectory() as d:
        store = Store.open(Path(d) / "s.sqlite")
        store.add_athlete(Athlete("a", "A"))
        t = time.perf_counter()
        summary = import_paths(store, "a", [Path(path)], workers=2)
        elapsed = time.perf_counter() - t
        names = [len(a.name or "") for a in store.activities("a")]
        store.close()
    reasons = sorted({f["reason"] for f in summary.failed})
    return {**peaks(), "s": elapsed, "imported": len(summary.imported), "failed": len(summary.failed),
            "reason": reasons[0] if reasons else "", "name_chars": max(names, default=0)}


def child_command(kind: str, path: str) -> dict[str, object]:
    """Run the command of a NAMED kind on ``path`` in this process, against a new store."""
    import contextlib

    from runload.cli import main
    from runload.models import Athlete
    from runload.store import Store

    with tempfile.TemporaryDirectory() as d:
        os.environ["RUNLOAD_STORE"] = str(Path(d) / "s.sqlite")
        with Store.open(os.environ["RUNLOAD_STORE"]) as store:
            store.add_athlete(Athlete("a", "A"))
        err = io.StringIO()
        t = time.perf_counter()
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            try:
                code = int(main([*NAMED[kind][2], path], standalone_mode=False) or 0)  # ctx.exit's code
            except SystemExit as exc:
                code = int(exc.code or 0)
        elapsed = time.perf_counter() - t
    said = (err.getvalue().strip().splitlines() or [""])[-1]
    return {**peaks(), "s": elapsed, "exit": code, "said": said}


def child_floor() -> dict[str, object]:
    import runload.ingest  # noqa: F401
    import runload.ingest.fit  # noqa: F401
    import runload.ingest.gpx  # noqa: F401
    import runload.store  # noqa: F401
    return peaks()


def child_reference(how: str, path: str) -> dict[str, object]:
    t = time.perf_counter()
    if how == "gpxpy":
        import gpxpy
        with open(path, encoding="utf-8") as fh:
            gpxpy.parse(fh)
    elif how == "csv-all-rows":
        import csv
        with open(Path(path) / "activities.csv", encoding="utf-8", newline="") as fh:
            rows = list(csv.reader(fh))
        assert rows
    elif how == "zip-in-memory":  # every nested archive opened from bytes and kept, as runload once did
        held = []

        def walk(zf: zipfile.ZipFile) -> None:
            for info in zf.infolist():
                data = zf.read(info)
                if info.filename.endswith(".zip"):
                    inner = zipfile.ZipFile(io.BytesIO(data))
                    held.append(inner)
                    walk(inner)
                else:
                    held.append(data)

        walk(zipfile.ZipFile(path))
    return {**peaks(), "s": time.perf_counter() - t}


def run_child(*args: str) -> dict[str, object]:
    res = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True)
    if res.returncode != 0:
        return {"error": (res.stderr.strip().splitlines() or ["?"])[-1]}
    return json.loads(res.stdout.strip().splitlines()[-1])


def size_of(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) if path.is_dir() else path.stat().st_size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", choices=[*KINDS, *NAMED], help="measure only these kinds")
    args = parser.parse_args()
    named = [k for k in args.only or list(NAMED) if k in NAMED]
    kinds = [k for k in args.only or list(KINDS) if k in KINDS]
    print(f"inputs in {CACHE}")
    paths = {}
    for k in kinds:  # written in a child process: this one stays small, and so do its children
        subprocess.run([sys.executable, __file__, "--child-build", k], check=True)
        paths[k] = build(k)
    floor = run_child("--child-floor")
    print(f"floor: a process that only imports runload's readers peaks at {floor['self_mb']:.0f} MB RSS\n")
    print(f"{'input':40} {'size':>8}  {'runload import':>22}  {'time':>6}  {'reference':>22}  outcome")
    print(f"{'':40} {'':>8}  {'main':>10} {'worker':>11}  {'':>6}  {'':>22}")
    worst = 0.0
    for k in kinds:
        path = paths[k]
        r = run_child("--child-import", str(path))
        if "error" in r:
            print(f"{KINDS[k][1]:40} {size_of(path) / MB:7.0f}M  FAILED: {r['error']}")
            worst = float("inf")
            continue
        ref_text = "-"
        if KINDS[k][2]:
            ref = run_child("--child-reference", KINDS[k][2], str(path))
            ref_text = (f"{KINDS[k][2]}: {ref['self_mb']:.0f} MB" if "error" not in ref
                        else f"{KINDS[k][2]}: {ref['error'][:20]}")
        outcome = f"{r['imported']} imported"
        if k.endswith("-name") and r["imported"]:
            outcome += f" (name stored as {r['name_chars']} characters)"
        if r["failed"]:
            outcome += f", {r['failed']} failed ({r['reason'][:70]})"
        peak = max(float(r["self_mb"]), float(r["children_mb"]))
        worst = max(worst, peak)
        print(f"{KINDS[k][1]:40} {size_of(path) / MB:7.0f}M  {r['self_mb']:7.0f} MB {r['children_mb']:8.0f} MB"
              f"  {r['s']:5.1f}s  {ref_text:>22}  {outcome}")
    if named:
        print(f"\n{'file a person names':40} {'size':>8}  {'peak':>10}  {'time':>6}  outcome")
    for k in named:
        path = build_named(k)
        r = run_child("--child-command", k, str(path))
        size = f"{path.stat().st_size / MB:7.0f}M" if path.is_file() else f"{'-':>8}"
        if "error" in r:
            print(f"{NAMED[k][1]:40} {size}  FAILED: {r['error']}")
            worst = float("inf")
            continue
        worst = max(worst, float(r["self_mb"]))
        print(f"{NAMED[k][1]:40} {size}  {r['self_mb']:7.0f} MB  {r['s']:5.1f}s  exit {r['exit']}: {r['said'][:90]}")
    print(f"\nlargest peak of any runload process: {worst:.0f} MB; target under {TARGET_MB} MB:",
          "met" if worst < TARGET_MB else "NOT met")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child-import":
        print(json.dumps(child_import(sys.argv[2])))
    elif len(sys.argv) > 1 and sys.argv[1] == "--child-build":
        build(sys.argv[2])
    elif len(sys.argv) > 1 and sys.argv[1] == "--child-command":
        print(json.dumps(child_command(sys.argv[2], sys.argv[3])))
    elif len(sys.argv) > 1 and sys.argv[1] == "--child-floor":
        print(json.dumps(child_floor()))
    elif len(sys.argv) > 1 and sys.argv[1] == "--child-reference":
        print(json.dumps(child_reference(sys.argv[2], sys.argv[3])))
    else:
        main()
