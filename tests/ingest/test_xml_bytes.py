"""The quick way through GPX and TCX files (runload.ingest.xmlbytes: points read from the text by
regular expressions) reads exactly what lxml's reader reads (runload.ingest.xmlpoints with the quick
way turned off): every real and sample file, and files hypothesis writes in the layouts devices and
converters use (attribute order, quotes, blanks inside and between tags, line ends, namespaces and
prefixes declared on the root or on a point, values missing or empty, extensions of every kind, points
written in several ways in one container) and with what the quick way leaves to lxml (comments,
CDATA, escaped characters, a DTD and entities, processing instructions, other encodings, characters
XML does not allow, tags that are not well-formed, a point inside a point). Those usual layouts are
read the quick way (not handed back to lxml), and hostile files never are."""

from __future__ import annotations

import gzip
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from builders import TCX_NS
from conftest import REAL, SAMPLES, needs_real
from runload.errors import IngestError
from runload.ingest import xmlbytes, xmlpoints
from runload.ingest.gpx import _LAYOUT as GPX_LAYOUT
from runload.ingest.gpx import read_gpx
from runload.ingest.tcx import _LAYOUT as TCX_LAYOUT
from runload.ingest.tcx import read_tcx
from test_xml_points_unchanged import assert_same, outcome

FILES = sorted(p for root in (REAL, SAMPLES) if root.is_dir() for p in root.glob("**/*")
               if p.name.endswith((".gpx", ".tcx", ".gpx.gz", ".tcx.gz")))
GPX_NS = "http://www.topografix.com/GPX/1/1"
GARMIN = "http://www.garmin.com/xmlschemas/TrackPointExtension/v1"
OTHER = "http://example.com/ext"


def _reader(name: str) -> tuple[Callable[[bytes, str], Any], xmlbytes.Layout]:
    return (read_gpx, GPX_LAYOUT) if ".gpx" in name else (read_tcx, TCX_LAYOUT)


def quick(data: bytes, name: str) -> bool:
    """Whether the file is read the quick way through (not handed back to lxml)."""
    read, layout = _reader(name)
    taken = xmlbytes.split(data, layout)
    if taken is None:
        return False
    try:
        for lean in (True, False):
            for _ in xmlpoints._events(taken.outline, name, layout, lean, taken):
                pass
    except (xmlbytes.Unsure, IngestError, xmlpoints._Refused, xmlpoints._Mixed):
        return False
    return True


def assert_quick_reads_as_lxml(data: bytes, name: str) -> None:
    read, _ = _reader(name)
    fast = outcome(read, data, name)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(xmlpoints, "BYTES_FIRST", False)
        slow = outcome(read, data, name)
    assert_same(fast, slow, name)


# ---------------------------------------------------------------- every real and sample file
@pytest.mark.slow  # every real and sample file
@needs_real
@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_real_and_sample_files_read_the_quick_way_as_lxml_reads_them(path: Path) -> None:
    data = path.read_bytes()
    if path.suffix == ".gz":
        data = gzip.decompress(data)
    assert_quick_reads_as_lxml(data, path.name)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(xmlbytes, "CHUNK_CHARS", 500)  # a container's points taken out a few at a time
        assert_quick_reads_as_lxml(data, path.name)
    if path.name != "malformed.tcx":  # (not well-formed: lxml's to say where)
        assert quick(data, path.name), "a real file in a usual layout is read the quick way"


# ---------------------------------------------------------------- files hypothesis writes
blank = st.sampled_from(["", " ", "\n", "\n    ", "\t"])
inner = st.sampled_from(["", "", "", " ", "\n  "])  # blanks inside a tag, before its end
numbers = st.sampled_from(["59.3", " 59.30001 ", "18.000000000000004", "-0.5", "0", "1e400", "nan", "inf", "abc",
                           "", "   ", "1e15", "150", "85", "-7", "1 2", "5>4"])
times = st.sampled_from(["2024-05-06T07:00:00Z", "2024-05-06T07:00:01.250Z", "2024-05-06T09:00:02+02:00",
                         "2024-05-06T07:00:03", "2024-05-06T07:00:04.123456789Z", " 2024-05-06T07:00:06Z ",
                         "9999-01-01T00:00:00Z", "yesterday", ""])
# what the quick way leaves to lxml, put in one value of a file now and then
odd = st.sampled_from(["<!-- c -->", "<![CDATA[7]]>", "&#53;", "&amp;", "&lt;", "<?pi x?>", "<x/>", "\x01", "\ufffe",
                       "</bad>", "<b>", "&undefined;", "]]>"])


@st.composite
def value(draw: st.DrawFn, values: st.SearchStrategy[str]) -> str:
    text = draw(values)
    if not draw(st.integers(0, 120)):
        cut = draw(st.integers(0, len(text)))
        text = text[:cut] + draw(odd) + text[cut:]
    return text


@st.composite
def element(draw: st.DrawFn, name: str, text: str) -> str:
    """<name>text</name>, or empty, with blanks where XML allows them."""
    if not text and draw(st.booleans()):
        return f"<{name}{draw(inner)}/>"
    return f"<{name}{draw(inner)}>{text}</{name}{draw(inner)}>"


@st.composite
def attribute(draw: st.DrawFn, name: str, text: str) -> str:
    quote = draw(st.sampled_from(['"', '"', "'"]))
    if quote in text:
        quote = '"' if quote == "'" else "'"
    eq = draw(st.sampled_from(["=", "=", " = ", "=\n"]))
    if not draw(st.integers(0, 30)):
        text += draw(st.sampled_from(["\t", "\n", "\r\n"]))  # read as a space
    return f"{name}{eq}{quote}{text}{quote}"


@st.composite
def extensions(draw: st.DrawFn, own: str, style: str) -> str:
    """A point's extensions: Garmin's TrackPointExtension under a prefix, declared on the root or on
    the point's own elements, power and temperature beside, names in any capitalisation."""
    names = draw(st.lists(st.sampled_from(["hr", "HR", "heartrate", "heartRate", "cad", "Cadence", "atemp",
                                           "power", "PowerInWatts", "speed", "hr"]), max_size=4))
    b = draw(blank)
    if style == "default":  # the extension's namespace as the default one, declared inside the point
        body = b.join([draw(element(n, draw(value(numbers)))) for n in names])
        return (f"<{own}extensions>{b}<TrackPointExtension xmlns=\"{GARMIN}\">{body}</TrackPointExtension>{b}"
                f"</{own}extensions>")
    prefix = {"gpxtpx": "gpxtpx:", "ns3": "ns3:", "o": "o:", "own": own, "none": ""}[style]
    declare = f' xmlns:ns3="{GARMIN}"' if style == "ns3" and draw(st.booleans()) else ""
    body = b.join([draw(element(prefix + n, draw(value(numbers)))) for n in names])
    where = draw(st.sampled_from(["tpe", "tpe", "flat", "deep"]))
    if where == "tpe":
        return (f"<{own}extensions{declare}>{b}<{prefix}TrackPointExtension>{body}</{prefix}TrackPointExtension>"
                f"{b}</{own}extensions>")
    if where == "deep":
        return f"<{own}extensions{declare}><o:a><o:b>{body}</o:b></o:a></{own}extensions>"
    return f"<{own}extensions{declare}>{body}</{own}extensions>"


@st.composite
def gpx_point(draw: st.DrawFn, own: str, style: str) -> str:
    b = draw(blank)
    attrs = [draw(attribute(k, draw(value(numbers)))) for k in draw(st.permutations(["lat", "lon"]))
             if draw(st.integers(0, 12))]
    if draw(st.integers(0, 8)) == 0:
        attrs.append(draw(attribute("o:x", "1")))
    parts = []
    if draw(st.integers(0, 6)):
        parts.append(draw(element(f"{own}ele", draw(value(numbers)))))
    if draw(st.integers(0, 8)):
        parts.append(draw(element(f"{own}time", draw(value(times)))))
    if draw(st.integers(0, 4)) == 0:
        parts.append(draw(element(f"{own}sat", "7")))
    if draw(st.booleans()):
        parts.reverse()
    if draw(st.integers(0, 5)):
        parts.append(draw(extensions(own, style)))
    if not draw(st.integers(0, 60)):
        parts.append(f"<{own}trkpt lat=\"1\" lon=\"2\"/>")  # a point inside a point
    space = draw(st.sampled_from([" ", " ", "\n  ", "  "]))
    if not parts and draw(st.booleans()):
        return f"<{own}trkpt{space if attrs else ''}{space.join(attrs)}{draw(inner)}/>"
    return f"<{own}trkpt{space if attrs else ''}{space.join(attrs)}{draw(inner)}>{b}{b.join(parts)}{b}</{own}trkpt>"


@st.composite
def gpx_file(draw: st.DrawFn) -> bytes:
    own = draw(st.sampled_from(["", "", "", "g:"]))
    style = draw(st.sampled_from(["gpxtpx", "gpxtpx", "ns3", "o", "own", "none", "default"]))
    b = draw(blank)
    declare = f' xmlns:g="{GPX_NS}"' if own else draw(st.sampled_from([f' xmlns="{GPX_NS}"', ""]))
    alike = draw(st.booleans())  # every point of a track written alike (the usual file)
    tracks = []
    for _ in range(draw(st.integers(1, 2))):
        segs = []
        for _ in range(draw(st.integers(1, 3))):
            if alike:
                one = draw(gpx_point(own, style))
                points = [one] * draw(st.integers(0, 30))
            else:
                points = draw(st.lists(gpx_point(own, style), max_size=8))
            if points and not draw(st.integers(0, 10)):
                points.insert(draw(st.integers(0, len(points))), draw(st.sampled_from(
                    ["stray text", "<o:hr>99</o:hr>", f"<{own}extensions/>", "5 > 4"])))
            if draw(st.integers(0, 8)) == 0:
                segs.append(f"<{own}trkseg{draw(inner)}/>")
            else:
                segs.append(f"<{own}trkseg{draw(inner)}>{b}{b.join(points)}{b}</{own}trkseg{draw(inner)}>")
        name = draw(element(f"{own}name", draw(value(st.sampled_from(["Morning Run", " Lap 5 ", ""])))))
        kind = draw(element(f"{own}type", draw(st.sampled_from(["running", "9", "Ride", ""]))))
        ext = (f'<{own}extensions><x:TrackExtension xmlns:x="{OTHER}"><x:c>Red</x:c></x:TrackExtension>'
               f"</{own}extensions>" if not draw(st.integers(0, 6)) else "")
        tracks.append(f"<{own}trk>{b}{name}{b}{kind}{ext}{b}{b.join(segs)}{b}</{own}trk>")
    head = draw(st.sampled_from(['<?xml version="1.0" encoding="UTF-8"?>', "<?xml version='1.0'?>",
                                 '<?xml version="1.0" encoding="utf-8" standalone="no" ?>', "",
                                 '<?xml version="1.0" encoding="ISO-8859-1"?>', '<?xml version="1.0" encoding="US-ASCII"?>',
                                 '<?xml version="1.0"?><!DOCTYPE gpx>', '<?xml version="1.0"?><!-- exported -->']))
    lead = draw(st.sampled_from(["", "", "\ufeff", "  \n"]))
    wpt = f'<{own}wpt lat="1" lon="1"><{own}time>2020-01-01T00:00:00Z</{own}time></{own}wpt>' if draw(st.booleans()) else ""
    meta = f"<{own}metadata>{draw(element(f'{own}name', 'Meta'))}</{own}metadata>"
    text = (f'{lead}{head}\n<{own}gpx version="1.1" creator="hypothesis"{declare} xmlns:gpxtpx="{GARMIN}" '
            f'xmlns:o="{OTHER}">{b}{meta}{b}{wpt}{b}{b.join(tracks)}{b}</{own}gpx>')
    if draw(st.integers(0, 6)) == 0:
        text = text.replace("\n", "\r\n")
    data = text.encode("utf-8")
    if draw(st.integers(0, 30)) == 0:
        data = data.replace(b"Run", b"R\xe9n")  # not UTF-8
    return data


@st.composite
def tcx_point(draw: st.DrawFn) -> str:
    b = draw(blank)
    parts = []
    if draw(st.integers(0, 7)):
        parts.append(draw(element("Time", draw(value(times)))))
    if draw(st.integers(0, 4)):
        pos = [draw(element("LatitudeDegrees", draw(value(numbers)))),
               draw(element("LongitudeDegrees", draw(value(numbers))))]
        parts.append(f"<Position>{b}{b.join(draw(st.permutations(pos)))}{b}</Position>")
    for tag in ("AltitudeMeters", "DistanceMeters", "Cadence"):
        if draw(st.integers(0, 3)):
            parts.append(draw(element(tag, draw(value(numbers)))))
    if draw(st.integers(0, 3)):
        attr = draw(st.sampled_from(["", ' xsi:type="HeartRateInBeatsPerMinute_t"']))
        parts.append(f"<HeartRateBpm{attr}>{b}{draw(element('Value', draw(value(numbers))))}{b}</HeartRateBpm>")
    if draw(st.integers(0, 2)):
        name = draw(st.sampled_from(["RunCadence", "runcadence", "Speed", "Watts"]))
        how = draw(st.sampled_from(["ns3", "ns3", "declared", "own"]))
        tpx = {"ns3": "<ns3:TPX>", "declared": f'<TPX xmlns="{GARMIN}">', "own": "<TPX>"}[how]
        prefix = "ns3:" if how == "ns3" else ""
        inside = draw(element(prefix + name, draw(value(numbers))))
        parts.append(f"<Extensions>{tpx}{inside}</{prefix}TPX></Extensions>")
    if not draw(st.integers(0, 40)):
        parts.append("<ns3:AvgRunCadence>80</ns3:AvgRunCadence>")  # what a lap's reading reaches
    if draw(st.booleans()):
        parts.reverse()
    return f"<Trackpoint{draw(inner)}>{b}{b.join(parts)}{b}</Trackpoint>"


@st.composite
def tcx_file(draw: st.DrawFn) -> bytes:
    b = draw(blank)
    alike = draw(st.booleans())
    laps = []
    for _ in range(draw(st.integers(1, 3))):
        tracks = []
        for _ in range(draw(st.integers(0, 2))):
            points = [draw(tcx_point())] * draw(st.integers(0, 20)) if alike else draw(st.lists(tcx_point(), max_size=6))
            tracks.append(f"<Track>{b}{b.join(points)}{b}</Track>")
        summary = "".join(draw(element(tag, draw(value(numbers)))) for tag in
                          draw(st.lists(st.sampled_from(["TotalTimeSeconds", "DistanceMeters", "MaximumSpeed"]),
                                        max_size=3)))
        avg = draw(st.sampled_from(["", "<Extensions><ns3:LX><ns3:AvgRunCadence>80</ns3:AvgRunCadence></ns3:LX>"
                                        "</Extensions>"]))
        laps.append(f'<Lap StartTime="{draw(times)}">{b}{summary}{b}{b.join(tracks)}{b}{avg}{b}</Lap>')
    ident = draw(element("Id", draw(value(times))))
    sport = draw(st.sampled_from(["Running", "Biking", "Other"]))
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<TrainingCenterDatabase '
            f'xmlns="{TCX_NS}" xmlns:ns3="http://www.garmin.com/xmlschemas/ActivityExtension/v2" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
            f'xmlns:o="{OTHER}">{b}<Activities>{b}<Activity Sport="{sport}">{b}{ident}{b}{b.join(laps)}{b}'
            f"</Activity>{b}</Activities>{b}</TrainingCenterDatabase>").encode("utf-8")


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(gpx_file(), st.booleans())
def test_generated_gpx_reads_the_quick_way_as_lxml_reads_it(data: bytes, chunks: bool) -> None:
    with pytest.MonkeyPatch.context() as mp:
        if chunks:
            mp.setattr(xmlbytes, "CHUNK_CHARS", 300)
        assert_quick_reads_as_lxml(data, "h.gpx")


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tcx_file(), st.booleans(), st.booleans())
def test_generated_tcx_reads_the_quick_way_as_lxml_reads_it(data: bytes, chunks: bool, literal: bool) -> None:
    with pytest.MonkeyPatch.context() as mp:
        if chunks:
            mp.setattr(xmlbytes, "CHUNK_CHARS", 300)
        if literal:  # points written alike read without the regular expression, however few
            mp.setattr(xmlbytes, "_LITERAL_CHARS", 0)
        assert_quick_reads_as_lxml(data, "h.tcx")


def _tcx_track(points: list[str]) -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<TrainingCenterDatabase xmlns="{TCX_NS}" '
            'xmlns:ns3="http://www.garmin.com/xmlschemas/ActivityExtension/v2"><Activities><Activity Sport="Running">'
            '<Id>2024-05-06T07:00:00Z</Id><Lap StartTime="2024-05-06T07:00:00Z"><Track>\n  '
            + "\n  ".join(points) + "\n</Track></Lap></Activity></Activities></TrainingCenterDatabase>").encode()


def _tcx_point(i: int) -> str:
    return (f"<Trackpoint>\n    <Time>2024-05-06T07:{i // 60 % 60:02d}:{i % 60:02d}Z</Time>\n    <Position>"
            f"<LatitudeDegrees>59.{i:05d}1</LatitudeDegrees><LongitudeDegrees>18.{i * 7:06d}</LongitudeDegrees>"
            f"</Position>\n    <HeartRateBpm><Value>{120 + i % 40}</Value></HeartRateBpm><Extensions><ns3:TPX>"
            f"<ns3:Speed>{i % 9}.5</ns3:Speed><ns3:RunCadence>{80 + i % 7}</ns3:RunCadence></ns3:TPX></Extensions>\n"
            "</Trackpoint>")


ALIKE = [_tcx_point(i) for i in range(300)]


@pytest.mark.parametrize(("odd", "alike"), [
    (None, True),
    (("<Value>1", "<Value> 1"), True), (("<Value>1", "<Value>"), True), (("<Value>", "<Value>>"), True),
    (("<LatitudeDegrees>59.0", "<LatitudeDegrees>nan"), True), (("<ns3:Speed>", "<ns3:Speed>x>y"), True),
    (("<Time>", " <Time>"), False), (("</Position>", "</Position> "), False), (("</Value>", "</Value >"), False),
    (("</Time>", "</Time>x"), False), (("<Trackpoint>", '<Trackpoint a="1">'), False),
    (("<HeartRateBpm>", "<Cadence>9</Cadence><HeartRateBpm>"), False),
])
@pytest.mark.parametrize("where", [0, 150, 299])
def test_points_written_alike_are_read_without_the_regular_expression_as_with_it(
        odd: tuple[str, str] | None, alike: bool, where: int) -> None:
    """A container's points written as its first one, tags and blanks (their values aside), are
    read at once from the '<' (Split._literal): the same values as the regular expression's; a
    point written otherwise anywhere sends the container to the regular expression."""
    points = list(ALIKE)
    if odd is not None:
        points[where] = points[where].replace(*odd, 1)
    data = _tcx_track(points)
    read = []
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(xmlbytes, "_LITERAL_CHARS", 0)
        mp.setattr(xmlbytes, "_LAST", {})  # (no ways remembered from the cases before)
        method = xmlbytes.Split._literal

        def spied(self: xmlbytes.Split, *args: Any) -> Any:
            got = method(self, *args)
            read.append(got is not None)
            return got
        mp.setattr(xmlbytes.Split, "_literal", spied)
        assert_quick_reads_as_lxml(data, "a.tcx")
    assert (bool(read) and all(read)) == alike


# ---------------------------------------------------------------- which files go which way, by hand
def _gpx(points: str, head: str = '<?xml version="1.0" encoding="UTF-8"?>', root: str = "") -> bytes:
    return (f'{head}<gpx version="1.1" xmlns="{GPX_NS}" xmlns:gpxtpx="{GARMIN}"{root}><trk><name>R</name><trkseg>'
            f"{points}</trkseg></trk></gpx>").encode("utf-8")


GARMIN_POINT = ('<trkpt lat="59.3" lon="18.0"><ele>30.0</ele><time>2024-05-06T07:00:{s:02d}Z</time>'
                "<extensions><gpxtpx:TrackPointExtension><gpxtpx:hr>125</gpxtpx:hr><gpxtpx:cad>84</gpxtpx:cad>"
                "</gpxtpx:TrackPointExtension></extensions></trkpt>\n")
USUAL = "".join(GARMIN_POINT.format(s=s) for s in range(30))


@pytest.mark.parametrize("data", [
    _gpx(USUAL),
    _gpx(USUAL.replace("<gpxtpx:hr>125</gpxtpx:hr>", "", 7)),  # some points without heart rate
    _gpx(USUAL.replace('"', "'")),
    _gpx(USUAL, head="\ufeff  "),
    _gpx(USUAL.replace("\n", "\r\n")),
    _gpx(USUAL.replace("<extensions>", f'<extensions xmlns:q="{OTHER}">')),  # a namespace declared in a point
], ids=["garmin", "some-without-hr", "single-quotes", "bom", "crlf", "declared-in-point"])
def test_usual_layouts_are_read_the_quick_way(data: bytes) -> None:
    assert quick(data, "u.gpx")
    assert_quick_reads_as_lxml(data, "u.gpx")


BILLION_LAUGHS = (b'<?xml version="1.0"?><!DOCTYPE gpx [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>'
                  b'<gpx xmlns="http://www.topografix.com/GPX/1/1"><trk><trkseg><trkpt lat="1" lon="2"><ele>&b;</ele>'
                  b"</trkpt></trkseg></trk></gpx>")
XXE = (b'<?xml version="1.0"?><!DOCTYPE gpx [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
       b'<gpx xmlns="http://www.topografix.com/GPX/1/1"><trk><name>&x;</name></trk></gpx>')


@pytest.mark.parametrize("data", [
    BILLION_LAUGHS, XXE,
    _gpx(USUAL.replace("30.0", "3&#48;.0", 1)),  # an escaped character: lxml reads it
    _gpx(USUAL.replace("30.0", "30<!-- c -->.0", 1)),
    _gpx(USUAL.replace("30.0", "<![CDATA[30.0]]>", 1)),
    _gpx(USUAL, head='<?xml version="1.0" encoding="ISO-8859-1"?>'),
    _gpx(USUAL).replace(b"<trk>", b"<?pi x?><trk>"),
    _gpx(USUAL.replace("<trkpt", f'<trkpt xmlns="{OTHER}"', 1)),  # a point in another namespace
    _gpx(USUAL, root=f' xmlns:x="{OTHER}"').replace(b"<trk>", b'<trk xmlns="http://example.com/other">'),
    _gpx(USUAL.replace("<gpxtpx:hr>", "<gpxtpx:hr><b/>", 1)),
], ids=["billion-laughs", "xxe", "escaped", "comment", "cdata", "latin-1", "pi", "point-in-other-namespace",
        "default-namespace-below-root", "element-in-extension-value"])
def test_what_the_quick_way_does_not_fully_understand_is_left_to_lxml(data: bytes) -> None:
    assert not quick(data, "l.gpx")
    assert_quick_reads_as_lxml(data, "l.gpx")


def test_hostile_files_are_never_taken_apart() -> None:
    for data in (BILLION_LAUGHS, XXE):
        assert xmlbytes.split(data, GPX_LAYOUT) is None
        with pytest.raises(IngestError, match="unsafe XML|entity"):
            read_gpx(data, "hostile.gpx")


@pytest.mark.parametrize("broken", [
    USUAL.replace("</ele>", "</elf>", 3),  # an end tag that closes another element
    USUAL.replace('lon="18.0"', 'lon="18.0" lon="18.1"', 2),  # an attribute written twice
    USUAL.replace("<gpxtpx:hr>", "<zz:hr>", 4).replace("</gpxtpx:hr>", "</zz:hr>", 4),  # a prefix never declared
    USUAL.replace("125", "1\x0225", 5),  # a character XML does not allow
])
def test_a_point_that_is_not_well_formed_is_named_by_line_as_lxml_names_it(broken: str) -> None:
    data = _gpx(broken)
    assert not quick(data, "b.gpx")
    assert_quick_reads_as_lxml(data, "b.gpx")
    with pytest.raises(IngestError, match="line") as raised:
        read_gpx(data, "b.gpx")
    assert "b.gpx" in str(raised.value)


def test_the_ways_of_the_last_file_are_used_only_where_they_match() -> None:
    with_temperature = USUAL.replace("<gpxtpx:hr>", "<gpxtpx:atemp>21</gpxtpx:atemp><gpxtpx:hr>")
    files = [
        _gpx(with_temperature),
        _gpx(USUAL),  # the same namespaces, another way of writing a point
        _gpx(with_temperature.replace("<gpxtpx:hr>125</gpxtpx:hr>", "", 3)),  # the first ways, and one more
        _gpx(USUAL.replace("<ele>30.0</ele>", "", 25)),  # the commonest way found second
        _gpx(USUAL.replace("<ele>30.0</ele>", "", 25)),
        _gpx(USUAL.replace("<gpxtpx:", "<gpxtpx:x").replace("</gpxtpx:", "</gpxtpx:x")),
    ]
    for data in files * 2:
        assert quick(data, "m.gpx")
        assert_quick_reads_as_lxml(data, "m.gpx")


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(["<", "</", ">", "/>", " ", "\t", "\n", "/", "Track", "Trackpoint", "trkseg", "ns:",
                                  "k", "kk", "ab", "a", "Trk", "é", "T", "x"]), max_size=30).map("".join),
       st.sampled_from(["Track", "trkseg", "Trk", "kk", "aba"]),
       st.integers(0, 10))
def test_names_found_by_numpy_are_the_regular_expressions(text: str, name: str, pos: int) -> None:
    """A container's name found in an ASCII text by numpy (``_named_at``) stands where the regular
    expression finds it, and the tags read back from it are the same."""
    pos = min(pos, len(text))
    found = [m.start() for m in re.compile(re.escape(name) + xmlbytes._NAME_ENDS).finditer(text, pos)]
    if text.isascii() and not xmlbytes._bordered(name):
        codes = np.frombuffer(text.encode("ascii"), dtype=np.uint8)
        assert xmlbytes._named_at(codes, pos, name.encode("ascii")).tolist() == found
        assert list(xmlbytes._containers(text, pos, name, codes)) == list(xmlbytes._containers(text, pos, name))
    assert xmlbytes._bordered("aba") and xmlbytes._bordered("kk") and not xmlbytes._bordered("Track")
