"""Benchmark: runload's GPX and TCX readers (runload.ingest.xmlpoints) against references, in one
process, on the real files in ../shared/real_activities and on larger synthetic runs.

- GPX: ``read_gpx`` (every point's time, position, elevation, heart rate and cadence, as arrays)
  against gpxpy's parse alone (``gpxpy.parse``: its objects, nothing computed) and against
  building an lxml tree of the same bytes (``lxml.etree.fromstring``: nothing read from it).
  Target: >= 10x gpxpy.
- TCX: ``read_tcx`` against python-tcxparser, TCX's counterpart of gpxpy (a library that reads
  the file into Python values: ``TCXParser`` over the bytes and, through its API, every
  trackpoint's time, position, altitude, distance, heart rate and cadence, which is what runload
  reads from a TCX file). Target: >= 10x tcxparser, as for GPX. Also against building an lxml
  tree and an ElementTree tree of the same bytes (nothing read from them: a floor no Python
  reader gets far below). ``pip install -e '.[bench]'`` installs tcxparser.
- Both: against runload's own reader with its quick way off (``lxml only``: every point taken
  out of lxml's tree, as before runload.ingest.xmlbytes read points from the text).
- TCX also: the floor of the regular expressions' way of reading (``floor``: the pass of each
  way of writing a point's regular expression that takes the points' values out of the text and
  Python's ``float()`` of each number, nothing else), and ``float()`` of each number alone.
  runload's reader takes the texts of a container whose points are all written alike (tags and
  blanks) out without the regular expression (``runload.ingest.xmlbytes.Split._literal``: numpy
  finds the tags, one string holds the texts) and reads a column of numbers as one JSON array
  with orjson (``runload.ingest.common.json_numbers``: exact, about 3x ``float()`` per column, the
  array made included), so it is not bound by ``floor``. Where the time goes now (py-spy over a
  one-hour Garmin file): about 30% taking the texts out and checking them (``_literal``, most of
  it numpy gathering the texts' characters and Python splitting them into strings, which the
  check that every point is written as the first one needs), 7% numpy finding the '<' of each
  container, 15% taking the file apart (decoding it, looking for characters XML does not allow,
  finding the containers), 13% the numbers (orjson and the arrays), 11% the times, the rest the
  outline (lxml), the laps' summaries and arrays. Small files (the real ones) spend theirs on
  what every file and lap costs, and a file whose points are written in several ways (a few
  without a position first, as MapMyRide writes them) is read by the regular expressions'
  alternation. Reading a column with ``float()`` is no longer the largest part, and the reader
  went from about 4-6x tcxparser to 5-8x (runs differ on a busy machine; 1.1-1.4x the reader
  before, ``--compare``, in the same runs); 10x
  tcxparser was not reached: what is left is spread over the parts above, none of them half.

Timings are CPU time of this process (``time.process_time``: a busy machine's other work does
not count), each reader run in turn on each file (interleaved, the order rotated every round),
and the median of ``--rounds`` (at least 5) runs is compared. A ratio above 1 is runload faster.
Synthetic runs are written by benchmarks/bench_import.py's writers (Garmin Connect and Strava
styles, one point a second; the Garmin one also with its times written ``+00:00`` instead of ``Z``).

With ``--compare SRC`` (the ``src`` folder of another runload checkout) that checkout's
``read_gpx`` and ``read_tcx`` are timed too, in the same rounds of this process (a copy of its
package under another name; column ``compared``: its time over this one's).

Usage: python benchmarks/bench_gpx.py [--rounds N] [--minutes 60,600] [--compare ../old/src]
"""

from __future__ import annotations

import argparse
import gzip
import functools
import importlib
import io
import re
import shutil
import statistics
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

import gpxpy
from lxml import etree

try:
    import tcxparser
except ImportError:  # the bench extra is not installed: TCX is compared with the trees alone
    tcxparser = None

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_import import make_gpx, make_tcx  # noqa: E402 - the corpus writers, beside this file

from runload.errors import IngestError  # noqa: E402
from runload.ingest.gpx import read_gpx  # noqa: E402
from runload.ingest.tcx import read_tcx  # noqa: E402
from runload.ingest import xmlbytes, xmlpoints  # noqa: E402
from runload.ingest.tcx import _LAYOUT as TCX_LAYOUT  # noqa: E402

REAL = Path(__file__).resolve().parents[1].parent / "shared" / "real_activities"
START = datetime(2024, 5, 6, 7, 0, tzinfo=timezone.utc)


def _lxml_tree(data: bytes) -> object:
    return etree.fromstring(data.lstrip(), etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True))


def _tcxparser(data: bytes) -> object:
    """python-tcxparser reading what runload reads of each trackpoint."""
    tcx = tcxparser.TCXParser(io.BytesIO(data))
    return (tcx.time_objects(), tcx.position_values(), tcx.altitude_points(),
            [float(x) for x in tcx.distance_values()], tcx.hr_values(), tcx.cadence_values())


def _floor(split: xmlbytes.Split, regex_too: bool = True) -> Callable[[], object]:
    """The regular-expression pass over a TCX file's points and ``float()`` of every number
    (times, the first column, left as text): the way runload read points before it took the
    texts of points written alike out at once. Without ``regex_too``, ``float()`` alone."""
    values = [cols[1:] for k in range(len(split.spans)) for cols in split.points(k)]  # (the ways found)
    templates = split.templates
    regex = templates[0].regex if len(templates) == 1 else xmlbytes._alternation(tuple(t.source for t in templates))

    def floor() -> object:
        if regex_too:
            for a, b in split.spans:
                regex.findall(split.text, a, b)
        return [[list(map(float, filter(None, col))) for col in cols] for cols in values]
    return floor


def _lxml_only(read: Callable[[bytes, str], object], data: bytes, name: str) -> object:
    """runload's reader with the quick way off (points taken out of lxml's tree)."""
    xmlpoints.BYTES_FIRST = False
    try:
        return read(data, name)
    finally:
        xmlpoints.BYTES_FIRST = True


def _cases(minutes: list[int]) -> list[tuple[str, str, bytes]]:
    """(kind, label, bytes): the real files runload reads, then the synthetic runs."""
    out: list[tuple[str, str, bytes]] = []
    for kind in ("gpx", "tcx"):
        for path in sorted(REAL.glob(f"**/*.{kind}")) + sorted(REAL.glob(f"**/*.{kind}.gz")):
            data = path.read_bytes()
            if path.suffix == ".gz":
                data = gzip.decompress(data)
            try:
                (read_gpx if kind == "gpx" else read_tcx)(data, path.name)
                if kind == "gpx":
                    gpxpy.parse(data.decode("utf-8", errors="replace"))
                elif tcxparser is not None:
                    _tcxparser(data)
            except (IngestError, gpxpy.gpx.GPXException, ValueError, AttributeError, etree.XMLSyntaxError):
                continue  # a file one of the readers refuses is no speed comparison
            out.append((kind, path.name, data))
    for m in minutes:
        for seed, style in ((0, "Garmin"), (1, "Strava")):
            out.append(("gpx", f"synthetic {m} min ({style})", make_gpx(m, seed, START)))
        # UTC written +00:00 rather than Z (as some converters write it)
        out.append(("gpx", f"synthetic {m} min (Garmin, +00:00)",
                    make_gpx(m, 0, START).replace(b"Z</time>", b"+00:00</time>")))
        out.append(("tcx", f"synthetic {m} min (Garmin)", make_tcx(m, 0, START)))
    return out


def _readers(kind: str, data: bytes) -> dict[str, Callable[[], object]]:
    if kind == "gpx":
        text = data.decode("utf-8", errors="replace")
        return {"runload": lambda: read_gpx(data, "x.gpx"), "gpxpy": lambda: gpxpy.parse(text),
                "lxml tree": lambda: _lxml_tree(data), "lxml only": lambda: _lxml_only(read_gpx, data, "x.gpx")}
    tcx = {"tcxparser": lambda: _tcxparser(data)} if tcxparser is not None else {}
    split = xmlbytes.split(data, TCX_LAYOUT)
    return {"runload": lambda: read_tcx(data, "x.tcx"), **tcx, "lxml tree": lambda: _lxml_tree(data),
            "ElementTree": lambda: ET.fromstring(data.lstrip()),
            "lxml only": lambda: _lxml_only(read_tcx, data, "x.tcx"),
            **({"floor": _floor(split), "float()": _floor(split, regex_too=False)} if split is not None else {})}


def _other_readers(src: Path) -> tuple[Callable[[bytes, str], object], Callable[[bytes, str], object]]:
    """``read_gpx`` and ``read_tcx`` of another runload checkout (``src``), in this process: a copy
    of its package under another name (``runload_compared``), its imports renamed alike."""
    folder = Path(tempfile.mkdtemp())
    shutil.copytree(src / "runload", folder / "runload_compared")
    for path in (folder / "runload_compared").rglob("*.py"):
        code = path.read_text(encoding="utf-8")
        path.write_text(re.sub(r"\b(from|import) runload\b", r"\1 runload_compared", code), encoding="utf-8")
    sys.path.insert(0, str(folder))
    gpx = importlib.import_module("runload_compared.ingest.gpx")
    tcx = importlib.import_module("runload_compared.ingest.tcx")
    return gpx.read_gpx, tcx.read_tcx


def measure(cases: list[tuple[str, str, bytes]], rounds: int,
            compare: Path | None = None) -> list[tuple[str, str, int, dict[str, float]]]:
    """Median CPU seconds of each reader on each case, interleaved round by round (with
    ``compare``, another runload checkout's reader too, in this process)."""
    times: list[dict[str, list[float]]] = [{} for _ in cases]
    other = _other_readers(compare) if compare is not None else None
    for r in range(rounds):
        for i, (kind, _label, data) in enumerate(cases):
            readers = list(_readers(kind, data).items())
            if other is not None:
                read_other = other[0] if kind == "gpx" else other[1]
                readers.append(("compared", functools.partial(read_other, data, "x." + kind)))
            shift = r % len(readers)
            for name, read in readers[shift:] + readers[:shift]:
                t0 = time.process_time()
                read()
                times[i].setdefault(name, []).append(time.process_time() - t0)
    return [(kind, label, len(data), {k: statistics.median(v) for k, v in t.items()})
            for (kind, label, data), t in zip(cases, times)]


def report(results: list[tuple[str, str, int, dict[str, float]]]) -> None:
    compared = ("compared",) if all("compared" in r[3] for r in results) else ()
    for kind, refs in (("gpx", ("gpxpy", "lxml tree", "lxml only") + compared),
                       ("tcx", ("tcxparser",) * (tcxparser is not None) + ("ElementTree", "lxml tree", "lxml only", "floor", "float()")
                        + compared)):
        rows = [r for r in results if r[0] == kind]
        if not rows:
            continue
        print(f"\n{kind.upper()}: runload's reader against {' and '.join(refs)} (ratio = reference time / runload's)")
        print(f"  {'file':44s} {'size':>9s} {'runload':>10s} " + " ".join(f"{'x ' + ref:>14s}" for ref in refs))
        for _kind, label, size, med in rows:
            ratios = " ".join(f"{med[ref] / med['runload']:14.2f}" if ref in med else f"{'-':>14s}"
                              for ref in refs)
            print(f"  {label[:44]:44s} {size / 2**20:7.2f}MB {med['runload'] * 1000:8.1f}ms {ratios}")
        for scope, pick in (("real files", lambda lb: not lb.startswith("synthetic")),
                            ("synthetic", lambda lb: lb.startswith("synthetic"))):
            chosen = [r for r in rows if pick(r[1])]
            if not chosen:
                continue
            ratios = ", ".join(f"{sum(r[3][ref] for r in chosen) / sum(r[3]['runload'] for r in chosen):.1f}x {ref}"
                               for ref in refs if all(ref in r[3] for r in chosen))
            print(f"  all {scope} together ({sum(r[2] for r in chosen) / 2**20:.1f} MB): {ratios}")
            if "tcxparser" in refs and all("floor" in r[3] for r in chosen):
                theirs = sum(r[3]["tcxparser"] for r in chosen)
                print(f"    the floor alone (regular expressions and float()) is {theirs / sum(r[3]['floor'] for r in chosen):.1f}x "
                      f"tcxparser, float() alone {theirs / sum(r[3]['float()'] for r in chosen):.1f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--minutes", default="60,600", help="lengths of the synthetic runs, in minutes")
    parser.add_argument("--compare", type=Path, default=None,
                        help="the src folder of another runload checkout: its readers timed too (column 'compared')")
    args = parser.parse_args()
    rounds = max(5, args.rounds)
    cases = _cases([int(m) for m in args.minutes.split(",") if m])
    print(f"{len(cases)} files, median of {rounds} interleaved runs each, CPU time")
    report(measure(cases, rounds, args.compare))


if __name__ == "__main__":
    main()
