"""The quicker GPX and TCX reader (runload.ingest.xmlpoints) reads every file exactly as the reader
before it did (frozen in tests/xml_reference.py): every real and sample file, and files hypothesis
writes with what devices, converters and damage put in them (namespaces or none, extension names
in any capitalisation and namespace, values missing, damaged or split by comments, CDATA and
elements, blank text or none, a point inside a point, stray extension values between points),
read whole and read a few bytes and points at a time, extension values found among every element or
among those lxml finds by name."""

from __future__ import annotations

import dataclasses
import gzip
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import xml_reference as before
from builders import TCX_NS
from conftest import REAL, SAMPLES, needs_real
from runload.ingest import xmlpoints
from runload.ingest.gpx import read_gpx
from runload.ingest.tcx import read_tcx

FILES = sorted(p for root in (REAL, SAMPLES) if root.is_dir() for p in root.glob("**/*")
               if p.name.endswith((".gpx", ".tcx", ".gpx.gz", ".tcx.gz")))


def outcome(read: Callable[[bytes, str], Any], data: bytes, name: str) -> Any:
    """What a reader makes of a file: its data, or the exception it raises (type and words)."""
    try:
        return read(data, name)
    except Exception as exc:  # noqa: BLE001 - a refusal is an outcome to compare too
        return (type(exc).__name__, str(exc))


def assert_same(new: Any, old: Any, where: str = "") -> None:
    """Equal value for value: arrays of the same type and length, NaN where the other has NaN."""
    if isinstance(new, np.ndarray):
        assert isinstance(old, np.ndarray) and new.dtype == old.dtype and new.shape == old.shape, where
        assert np.array_equal(new, old, equal_nan=True), (where, new, old)
    elif dataclasses.is_dataclass(new) and not isinstance(new, type):
        assert type(new) is type(old), where
        for f in dataclasses.fields(new):
            assert_same(getattr(new, f.name), getattr(old, f.name), f"{where}.{f.name}")
    elif isinstance(new, (list, tuple)):
        assert isinstance(old, (list, tuple)) and len(new) == len(old), (where, new, old)
        for i, (a, b) in enumerate(zip(new, old)):
            assert_same(a, b, f"{where}[{i}]")
    else:
        assert new == old, (where, new, old)


def assert_read_alike(data: bytes, name: str) -> None:
    new_read, old_read = (read_gpx, before.read_gpx) if ".gpx" in name else (read_tcx, before.read_tcx)
    assert_same(outcome(new_read, data, name), outcome(old_read, data, name), name)


@contextmanager
def in_small_rounds() -> Iterator[None]:
    """Both readers parse a few bytes at a time and take points out a few at a time."""
    with pytest.MonkeyPatch.context() as mp:
        for module in (xmlpoints, before):
            mp.setattr(module, "WHOLE_BYTES", 0)
            mp.setattr(module, "FEED_BYTES", 97)
            mp.setattr(module, "TAKE_POINTS", 3)
        yield


# ---------------------------------------------------------------- every real and sample file
@pytest.mark.slow  # every real and sample file
@needs_real
@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_real_and_sample_files_read_as_before(path: Path) -> None:
    data = path.read_bytes()
    if path.suffix == ".gz":
        data = gzip.decompress(data)
    assert_read_alike(data, path.name)


# ---------------------------------------------------------------- files hypothesis writes
GPX_NS = {"1.1": "http://www.topografix.com/GPX/1/1", "1.0": "http://www.topografix.com/GPX/1/0", "none": ""}
GARMIN = "http://www.garmin.com/xmlschemas/TrackPointExtension/v1"
OTHER = "http://example.com/ext"

numbers = st.sampled_from(["59.3", " 59.30001 ", "18.000000000000004", "-0.5", "0", "1e400", "NaN", "nan", "inf",
                           "abc", "", "   ", "1e15", "150", "300", "85", "-7"])
times = st.sampled_from(["2024-05-06T07:00:00Z", "2024-05-06T07:00:01.250Z", "2024-05-06T09:00:02+02:00",
                         "2024-05-06T07:00:03", "2024-05-06T07:00:04.123456789Z", "2024-05-06t07:00:05z",
                         " 2024-05-06T07:00:06Z ", "9999-01-01T00:00:00Z", "yesterday", ""])
blanks = st.sampled_from(["", "\n  ", " "])


@st.composite
def text_value(draw: st.DrawFn, value: st.SearchStrategy[str]) -> str:
    """A value as a file writes it: plain, or split by a comment, CDATA or an element."""
    text = draw(value)
    if draw(st.shared(st.booleans(), key="messy")):  # a file with comments and CDATA in its values
        way = draw(st.sampled_from(["plain"] * 6 + ["comment", "cdata", "element", "blank-element", "escaped"]))
    else:  # the usual file: a value with an element inside at most
        way = draw(st.sampled_from(["plain"] * 20 + ["element", "blank-element", "escaped"]))
    cut = draw(st.integers(0, len(text)))
    if way == "comment":
        return f"{text[:cut]}<!-- c -->{text[cut:]}"
    if way == "cdata":
        return f"{text[:cut]}<![CDATA[{text[cut:]}]]>"
    if way == "element":
        return f"{text[:cut]}<x/>{text[cut:]}"
    if way == "blank-element":
        return f" <x/>{text}"
    if way == "escaped":
        return text.replace("5", "&#53;")
    return text


@st.composite
def extension(draw: st.DrawFn, own: str) -> str:
    name = draw(st.sampled_from(["hr", "HR", "hR", "heartrate", "heartRate", "HeartRate", "cad", "Cad", "cadence",
                                 "CADENCE", "atemp", "hrv", "speed"]))
    prefix = draw(st.sampled_from(["gpxtpx:", "gpxtpx:", "o:", own]))
    value = draw(text_value(numbers))
    return f"<{prefix}{name}>{value}</{prefix}{name}>"


@st.composite
def gpx_point(draw: st.DrawFn, own: str, depth: int = 0) -> str:
    b = draw(blanks)
    attrs = []
    for key in draw(st.permutations(["lat", "lon"])):
        if draw(st.integers(0, 9)):
            attrs.append(f'{key}="{draw(numbers)}"')
    parts = []
    if draw(st.integers(0, 5)):
        parts.append(f"<{own}ele>{draw(text_value(numbers))}</{own}ele>")
    if draw(st.integers(0, 7)):
        parts.append(f"<{own}time>{draw(text_value(times))}</{own}time>")
    if draw(st.booleans()):
        parts.reverse()
    exts = draw(st.lists(extension(own), max_size=4))
    where = draw(st.sampled_from(["tpe", "tpe", "extensions", "point", "deep"]))
    if exts and where == "tpe":
        parts.append(f"<{own}extensions><gpxtpx:TrackPointExtension>{b.join(exts)}</gpxtpx:TrackPointExtension>"
                     f"</{own}extensions>")
    elif exts and where == "extensions":
        parts.append(f"<{own}extensions>{b.join(exts)}</{own}extensions>")
    elif exts and where == "deep":
        parts.append(f"<{own}extensions><o:a><o:b>{b.join(exts)}</o:b></o:a></{own}extensions>")
    elif exts:
        parts.extend(exts)  # directly in the point: not an extension value
    if depth == 0 and not draw(st.integers(0, 15)):
        parts.append(draw(gpx_point(own, depth=1)))  # a point inside a point
    return f"<{own}trkpt {' '.join(attrs)}>{b}{b.join(parts)}{b}</{own}trkpt>"


@st.composite
def gpx_file(draw: st.DrawFn) -> bytes:
    version = draw(st.sampled_from(["1.1", "1.1", "1.0", "none", "prefixed"]))
    ns = GPX_NS.get(version, GPX_NS["1.1"])
    own = "g:" if version == "prefixed" else ""
    b = draw(blanks)
    declare = f' xmlns:g="{ns}"' if own else (f' xmlns="{ns}"' if ns else "")
    tracks = []
    for _ in range(draw(st.integers(1, 2))):
        segs = []
        for _ in range(draw(st.integers(1, 2))):
            points = draw(st.lists(gpx_point(own), max_size=7))
            if points and not draw(st.integers(0, 7)):  # a stray extension value between points
                points.insert(draw(st.integers(0, len(points))), draw(extension(own)))
            tail = f"<{own}extensions>{draw(extension(own))}</{own}extensions>" if not draw(st.integers(0, 7)) else ""
            segs.append(f"<{own}trkseg>{b}{b.join(points)}{tail}{b}</{own}trkseg>")
        name = f"<{own}name>{draw(text_value(st.sampled_from(['Morning Run', ' Lap 5 ', ''])))}</{own}name>"
        kind = f"<{own}type>{draw(st.sampled_from(['running', '9', 'Ride', '']))}</{own}type>"
        tracks.append(f"<{own}trk>{b}{name}{b}{kind}{b}{b.join(segs)}{b}</{own}trk>")
    head = draw(st.sampled_from(['<?xml version="1.0" encoding="UTF-8"?>', "<?xml version='1.0'?>",
                                '<?xml version="1.0" encoding="ISO-8859-1"?>', "",
                                '<?xml version="1.0"?><!-- exported --><!DOCTYPE gpx>']))
    wpt = f'<{own}wpt lat="1" lon="1"><{own}time>2020-01-01T00:00:00Z</{own}time></{own}wpt>' if draw(st.booleans()) else ""
    meta = f"<{own}metadata><{own}name>{draw(text_value(st.sampled_from(['Meta', ''])))}</{own}name></{own}metadata>"
    return (f'{head}\n<{own}gpx version="1.1" creator="hypothesis"{declare} xmlns:gpxtpx="{GARMIN}" xmlns:o="{OTHER}">'
            f"{b}{meta}{b}{wpt}{b}{b.join(tracks)}{b}</{own}gpx>").encode("utf-8")


@st.composite
def tcx_point(draw: st.DrawFn) -> str:
    b = draw(blanks)
    parts = []
    if draw(st.integers(0, 7)):
        parts.append(f"<Time>{draw(text_value(times))}</Time>")
    if draw(st.integers(0, 4)):
        parts.append(f"<Position>{b}<LatitudeDegrees>{draw(text_value(numbers))}</LatitudeDegrees>{b}"
                     f"<LongitudeDegrees>{draw(numbers)}</LongitudeDegrees>{b}</Position>")
    for tag in ("AltitudeMeters", "DistanceMeters", "Cadence"):
        if draw(st.integers(0, 3)):
            parts.append(f"<{tag}>{draw(text_value(numbers))}</{tag}>")
    if draw(st.integers(0, 3)):
        parts.append(f"<HeartRateBpm>{b}<Value>{draw(text_value(numbers))}</Value>{b}</HeartRateBpm>")
    if draw(st.integers(0, 2)):
        name = draw(st.sampled_from(["RunCadence", "runcadence", "RUNCADENCE", "Speed"]))
        prefix = draw(st.sampled_from(["ns3:", "ns3:", "o:", ""]))
        parts.append(f"<Extensions><ns3:TPX><{prefix}{name}>{draw(text_value(numbers))}</{prefix}{name}>"
                     "</ns3:TPX></Extensions>")
    return f"<Trackpoint>{b}{b.join(parts)}{b}</Trackpoint>"


@st.composite
def tcx_file(draw: st.DrawFn) -> bytes:
    b = draw(blanks)
    laps = []
    for _ in range(draw(st.integers(1, 3))):
        tracks = [f"<Track>{b}{b.join(draw(st.lists(tcx_point(), max_size=6)))}{b}</Track>"
                  for _ in range(draw(st.integers(0, 2)))]
        summary = "".join(f"<{tag}>{draw(text_value(numbers))}</{tag}>" for tag in
                          draw(st.lists(st.sampled_from(["TotalTimeSeconds", "DistanceMeters", "MaximumSpeed"]),
                                        max_size=3)))
        avg = draw(st.sampled_from(["", "<Extensions><ns3:LX><ns3:AvgRunCadence>80</ns3:AvgRunCadence></ns3:LX>"
                                        "</Extensions>", "<ns3:AvgRunCadence>7<x/>9</ns3:AvgRunCadence>",
                                    "<Extensions><ns3:LX><ns3:avgruncadence>80</ns3:avgruncadence></ns3:LX>"
                                    "</Extensions>"]))
        hr = f"<AverageHeartRateBpm><Value>{draw(text_value(numbers))}</Value></AverageHeartRateBpm>"
        laps.append(f'<Lap StartTime="{draw(times)}">{b}{summary}{b}{hr}{b}{b.join(tracks)}{b}{avg}{b}</Lap>')
    ident = f"<Id>{draw(text_value(times))}</Id>"
    sport = draw(st.sampled_from(["Running", "Biking", "Other"]))
    creator = f"<Creator><Name>{draw(text_value(st.sampled_from(['Forerunner', ''])))}</Name></Creator>"
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<TrainingCenterDatabase '
            f'xmlns="{TCX_NS}" xmlns:ns3="http://www.garmin.com/xmlschemas/ActivityExtension/v2" '
            f'xmlns:o="{OTHER}">{b}<Activities>{b}<Activity Sport="{sport}">{b}{ident}{b}{b.join(laps)}{b}{creator}'
            f"{b}</Activity>{b}</Activities>{b}</TrainingCenterDatabase>").encode("utf-8")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(gpx_file(), st.booleans(), st.booleans())
def test_generated_gpx_reads_as_before(data: bytes, small: bool, walked: bool) -> None:
    read_alike_either_way(data, "h.gpx", small, walked)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tcx_file(), st.booleans(), st.booleans())
def test_generated_tcx_reads_as_before(data: bytes, small: bool, walked: bool) -> None:
    read_alike_either_way(data, "h.tcx", small, walked)


def read_alike_either_way(data: bytes, name: str, small: bool, walked: bool) -> None:
    """:func:`assert_read_alike` with every element walked or the names handed to lxml, in
    small rounds or whole."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(xmlpoints, "_FEW_WALKED", 10**6 if walked else 0)
        if small:
            with in_small_rounds():
                assert_read_alike(data, name)
        else:
            assert_read_alike(data, name)


# ---------------------------------------------------------------- the quick ways' edges, by hand
def test_extension_names_in_every_capitalisation_are_listed() -> None:
    spelled = xmlpoints._spellings(("hr", "cad"))
    assert spelled is not None and len(spelled) == 4 + 8 and "{*}hR" in spelled and "{*}CaD" in spelled
    assert "{*}\u212a" in (xmlpoints._spellings(("k",)) or ())  # the Kelvin sign lowers to k
    assert xmlpoints._spellings(("hé",)) is None  # not listed: every element is looked at


@pytest.mark.parametrize("data, lean", [
    (b'<?xml version="1.0" encoding="UTF-8"?>\n<gpx/>', True),
    (b"  <gpx>\n <trk/></gpx>", True),
    (b"<gpx><!-- c --></gpx>", False),
    (b"<gpx><name><![CDATA[x]]></name></gpx>", False),
    (b"<?xml version='1.0'?><!DOCTYPE gpx><gpx/>", False),
    (b"<gpx><?pi x?></gpx>", False),
    (b'<?xml version="1.0" encoding="UTF-16"?><gpx/>', False),
    ('<gpx/>'.encode("utf-16"), False),
    (b"<gpx><name>Hi!? Run</name></gpx>", True),
])
def test_a_file_is_parsed_without_blank_text_only_when_no_value_can_change(data: bytes, lean: bool) -> None:
    assert xmlpoints._lean(data) is lean


def test_a_value_with_elements_inside_reads_the_file_again_whole() -> None:
    # blank text between two elements of a value is part of the value: the lean tree has lost it
    data = (b'<gpx xmlns="http://www.topografix.com/GPX/1/1"><trk><name><b/>Lap<i/> <i/>5</name><trkseg>'
            b'<trkpt lat="1" lon="2"><ele><x/>1<y/> <z/>2</ele><time>2024-05-06T07:00:00Z</time></trkpt>'
            b'<trkpt lat="1" lon="2.001"><ele>3</ele><time>2024-05-06T07:00:05Z</time></trkpt>'
            b"</trkseg></trk></gpx>")
    assert xmlpoints._lean(data)
    gd = read_gpx(data, "mixed.gpx")
    assert gd.tracks[0].name == "Lap 5" and gd.dropped == {"ele": 1}
    assert_read_alike(data, "mixed.gpx")
