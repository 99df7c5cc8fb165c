"""The GPX and TCX point reader as it was before it was made quicker (runload.ingest.xmlpoints,
gpx and tcx's reading parts, frozen): the reference that tests/ingest/test_xml_points_unchanged.py
holds the quicker reader to, value for value, on real, sample and generated files.

Keep it as it is: it is not runload's code, only what runload's reader must still agree with.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np
from lxml import etree

from runload.errors import IngestError
from runload.ingest.common import MAX_ACTIVITY_S, Times, finite, floats, parse_times
from runload.ingest.gpx import GpxData, GpxSegment, GpxTrack
from runload.ingest.tcx import TcxActivity, TcxData, TcxLap
from runload.ingest.xmlsafe import check_xml, document_start, tame

WHOLE_BYTES = 8 << 20  # a file up to this size is parsed whole (its tree is about ten times as large)
FEED_BYTES = 1 << 20  # a larger one is parsed this many bytes at a time
_FEW = 64  # points without a value that are found one by one (more: each point is read on its own)
TAKE_POINTS = 16_384  # points an open container may hold before they are taken out (memory stays small)
T = TypeVar("T")


@dataclass(frozen=True)
class Layout:
    """How a format's file is laid out. Names are local names in the namespace of the root.

    ``columns`` are XPath paths from a point to each value (``@lat``, ``p:time[1]``, ``p:`` being
    the file's namespace), each naming at most one node per point; ``extras`` are values found
    by name anywhere below a point in another namespace (extensions: ``hr``, ``heartRate``), the
    first one in the file's order; ``extras_below`` keeps out a point's direct children (GPX
    puts extensions one level down).
    """

    what: str  # the format's name in messages
    root: str
    point: str
    container: str
    outline: tuple[str, ...]
    columns: tuple[str, ...]
    extras: tuple[tuple[str, ...], ...] = ()
    extras_below: bool = False


class Node:
    """An outline element as a format sees it: its name, its parent's and its ancestors', its
    attributes, and the text of elements below it."""

    __slots__ = ("_el", "_ns", "name", "parent")

    def __init__(self, el: Any, ns: str) -> None:
        self._el, self._ns = el, ns
        self.name = _local(el.tag, ns)
        up = el.getparent()
        self.parent = _local(up.tag, ns) if up is not None else None

    def attr(self, key: str) -> str | None:
        value = self._el.get(key)
        return None if value is None else str(value)

    def ancestors(self, n: int) -> tuple[str, ...]:
        """The names of up to ``n`` elements above this one, nearest first."""
        out: list[str] = []
        for up in self._el.iterancestors():
            if len(out) >= n:
                break
            out.append(_local(up.tag, self._ns))
        return tuple(out)

    def texts(self, path: str) -> list[str]:
        """The text of each element ``path`` (XPath from this element, ``p:`` the file's
        namespace) names, in the file's order."""
        found = _xpath(f"{path}", self._ns)(self._el)
        return [str(_xpath("string()", self._ns)(e)) for e in found]


@dataclass(frozen=True)
class Start:
    node: Node


@dataclass(frozen=True)
class End:
    node: Node


@dataclass(frozen=True)
class Points:
    """Values of points in one container, as text (``""`` or None: no value written), one list per
    column of the layout (its ``columns``, then its ``extras``)."""

    container: Node
    columns: list[list[str | None]]


Event = Start | End | Points


class _Refused(Exception):
    """libxml2 refused the file (not well-formed, or beyond one of its limits)."""


def read_points(data: bytes, name: str, layout: Layout, build: Callable[[Iterator[Event]], T]) -> T:
    """What ``build`` makes of the events of the file ``data`` (see the module docstring).

    :class:`IngestError` names ``name`` for a file that is unsafe, not well-formed or of another
    format; exceptions raised by ``build`` pass through.
    """
    try:
        return build(_events(data, name, layout))
    except _Refused:
        pass
    check_xml(data, name)  # not well-formed: expat says where, in its words
    try:
        return build(_events(tame(data, name), name, layout))
    except _Refused as refused:
        raise IngestError(f"not a {layout.what} file runload can read: {refused}", path=name) from None


def _local(tag: Any, ns: str) -> str:
    text = str(tag)
    if text.startswith("{"):
        uri, _, local = text[1:].partition("}")
        return local if uri == ns else text
    return text if not ns else "{}" + text


_COMPILED: dict[tuple[str, str], Any] = {}


def _xpath(path: str, ns: str) -> Any:
    key = (path, ns)
    found = _COMPILED.get(key)
    if found is None:
        if ns:
            found = etree.XPath(path, namespaces={"p": ns}, smart_strings=False)
        else:
            found = etree.XPath(path.replace("p:", ""), smart_strings=False)
        _COMPILED[key] = found
    return found


def _check_entities(root: Any, name: str) -> None:
    dtd = root.getroottree().docinfo.internalDTD
    if dtd is not None and any(True for _ in dtd.iterentities()):
        raise IngestError("unsafe XML refused (entity declaration)", path=name)


_SAFE = {"resolve_entities": False, "load_dtd": False, "no_network": True, "huge_tree": False,
         "remove_comments": True, "remove_pis": True}


def _rounds(data: bytes, tags: list[str]) -> Iterator[tuple[Iterable[tuple[str, Any]], Any]]:
    """The parser's events (start and end of the elements ``tags`` names), a round at a time,
    with the root once it is known. A file up to :data:`WHOLE_BYTES` is parsed in one go and its
    tree walked (libxml2 is quickest so); a larger one is fed :data:`FEED_BYTES` at a time."""
    start = document_start(data)
    if len(data) - start <= WHOLE_BYTES:
        root = etree.fromstring(data[start:], etree.XMLParser(**_SAFE))
        yield etree.iterwalk(root, events=("start", "end"), tag=tags), root
        return
    parser = etree.XMLPullParser(events=("start", "end"), tag=tags, **_SAFE)
    view = memoryview(data)
    for pos in range(start, len(data), FEED_BYTES):
        parser.feed(bytes(view[pos:pos + FEED_BYTES]))
        yield parser.read_events(), None
    root = parser.close()
    yield parser.read_events(), root


def _events(data: bytes, name: str, layout: Layout) -> Iterator[Event]:
    """The events of one file. The parser tells only of outline elements; a container's points
    are taken out as columns when it ends, or, in a large file, after each round of parsing
    (every point but its last child, which may still be open)."""
    outline = {layout.root, layout.container, *layout.outline}
    ns: str | None = None
    columns = _Columns(layout)
    nodes: dict[Any, Node] = {}  # outline elements started, their end still to come
    open_: list[tuple[Any, Node]] = []  # the containers open, innermost last
    root_el = None
    try:
        for events, root_el in _rounds(data, [f"{{*}}{t}" for t in outline]):
            whole = root_el is not None and not open_ and not nodes  # a tree already built: nothing to free
            for event, el in events:
                if ns is None:
                    root = el.getroottree().getroot()
                    _check_entities(root, name)
                    ns = _namespace(root.tag)
                    if _local(root.tag, ns) != layout.root:
                        ns = "\0"  # another root: nothing matches (a file that is not well-formed says so first)
                    columns.bind(ns)
                if event == "start":
                    node = nodes[el] = Node(el, ns)
                    if node.name == layout.container:
                        open_.append((el, node))
                    yield Start(node)
                    continue
                node = nodes.pop(el)
                if open_ and el is open_[-1][0]:
                    open_.pop()
                    taken = columns.take(el, complete=True)
                    if taken is not None:
                        yield Points(node, taken)
                yield End(node)
                if not whole:
                    _drop(el)
            if open_:
                el, node = open_[-1]
                taken = columns.take(el, complete=False)
                if taken is not None:
                    yield Points(node, taken)
    except etree.XMLSyntaxError as exc:
        raise _Refused(str(exc)) from None
    if root_el is None:
        raise _Refused("no root element")
    if ns is None:
        _check_entities(root_el, name)
    local = _local(root_el.tag, _namespace(root_el.tag))
    if local != layout.root:
        raise IngestError(f"not a {layout.what} file: its root element is <{local}>, not <{layout.root}>", path=name)


def _namespace(tag: Any) -> str:
    text = str(tag)
    return text[1:].partition("}")[0] if text.startswith("{") else ""


def _drop(el: Any) -> None:
    """An element read to its end leaves the tree (memory holds only what is still open)."""
    up = el.getparent()
    el.clear()
    if up is not None:
        up.remove(el)


class _Columns:
    """Takes the values of a container's first points out as columns, then deletes those points."""

    def __init__(self, layout: Layout) -> None:
        self.layout = layout
        self.ns = ""
        self.point_tag = ""
        self.extra_index: dict[str, int] = {}
        self.extra_kind: dict[str, int] = {}  # tag: which extra (-1: none)

    def bind(self, ns: str) -> None:
        self.ns = ns
        self.point_tag = f"{{{ns}}}{self.layout.point}" if ns else self.layout.point
        self.extra_index = {}
        for i, names in enumerate(self.layout.extras):
            for n in names:
                self.extra_index[n.lower()] = i
        self.extra_kind = {}

    def take(self, container: Any, complete: bool) -> list[list[str | None]] | None:
        """The values of the points the container holds, as columns, then those points deleted
        (None: no point). Unless the container is ``complete``, its last child may still be
        open: only the points before it are taken."""
        p = self.layout.point
        n = int(_xpath(f"count(p:{p})", self.ns)(container))
        if not complete:
            if n < TAKE_POINTS:
                return None  # taken later, in one go: fewer, cheaper passes
            if len(container) and container[-1].tag == self.point_tag:
                n -= 1
        if n <= 0:
            return None
        pts = f"p:{p}" if complete else f"p:{p}[position() <= $k]"
        cols: list[list[str | None]] = []
        points: list[Any] | None = None
        for path in self.layout.columns:
            if path.startswith("@"):
                values = _xpath(f"{pts}/{path}", self.ns)(container, k=n)
                aligned = len(values) == n
            else:
                # one text node in each point's element, nothing else: each point's value, in order
                values = _xpath(f"{pts}/{path}/node()", self.ns)(container, k=n)
                aligned = len(values) == n and not any(map(etree.iselement, values))
            if not values and not _xpath(f"count({pts}/{path})", self.ns)(container, k=n):
                values, aligned = [None] * n, True  # not written in these points at all
            if not aligned:  # a few points without the value: the others' values, None put in the gaps
                target = path if path.startswith("@") else f"{path}/text()"
                lacking = _xpath(f"{pts}[not({target})]", self.ns)(container, k=n)
                if len(values) + len(lacking) == n and len(lacking) <= _FEW and not any(map(etree.iselement, values)):
                    before = _xpath(f"count(preceding-sibling::p:{p})", self.ns)
                    values = list(values)
                    for at in sorted(int(before(pt)) for pt in lacking):
                        values.insert(at, None)
                    aligned = True
            if not aligned:  # a value split somewhere (text around an element): each point on its own
                if points is None:
                    points = _xpath(pts, self.ns)(container, k=n)
                one = _xpath(f"string({path})", self.ns)
                values = [one(pt) for pt in points]
            cols.append(values)
        if self.layout.extras:
            cols.extend(self._extras(container, n))
        if not complete:  # (a complete container is dropped whole as it ends)
            last = _xpath(f"p:{p}[$k]", self.ns)(container, k=n)[0]
            del container[:container.index(last) + 1]
        return cols

    def _extras(self, container: Any, n: int) -> list[list[str | None]]:
        """Extension values by name: the first of each kind below each point, in another namespace
        than the file's."""
        out: list[list[str | None]] = [[None] * n for _ in self.layout.extras]
        kinds = self.extra_kind
        below = self.layout.extras_below
        point_tag = self.point_tag
        i = -1
        point = None
        for el in container.iter(etree.Element):  # every element: a name matches in any capitalisation
            tag = el.tag
            if tag == point_tag:
                if el.getparent() is container:
                    i += 1
                    if i >= n:
                        break
                    point = el
                continue
            kind = kinds.get(tag)
            if kind is None:
                kind = kinds[tag] = self._kind(tag)
            if kind < 0 or i < 0:
                continue
            col = out[kind]
            if col[i] is None and not (below and el.getparent() is point):
                col[i] = el.text or ""
        return out

    def _kind(self, tag: str) -> int:
        """Which extra a tag is (-1: none, an element in the file's own namespace)."""
        if _namespace(tag) == self.ns:
            return -1
        return self.extra_index.get(tag[tag.find("}") + 1:].lower(), -1)


# ---------------------------------------------------------------- GPX
_BOUNDS = {"lat": (-90.0, 90.0), "lon": (-180.0, 180.0), "ele": (-1000.0, 10000.0), "hr": (0.0, 255.0),
           "cad": (0.0, 255.0)}
GPX_LAYOUT = Layout(
    what="GPX", root="gpx", point="trkpt", container="trkseg",
    outline=("trk", "metadata", "wpt", "rte", "rtept"),
    columns=("@lat", "@lon", "p:ele[1]", "p:time[1]"),
    extras=(("hr", "heartrate"), ("cad", "cadence")),  # in any capitalisation
    extras_below=True,
)


def read_gpx(data: bytes, name: str) -> GpxData:
    """Read a GPX file in one streaming pass (see :mod:`runload.ingest.xmlpoints`)."""
    return read_points(data, name, GPX_LAYOUT, _gpx_build)


def _gpx_build(events: Iterator[Event]) -> GpxData:
    gd = GpxData()
    seg: _SegmentBuilder | None = None
    for event in events:
        node = event.container if isinstance(event, Points) else event.node
        if isinstance(event, Points):
            if seg is not None:
                seg.add(event.columns)
        elif isinstance(event, Start):
            if node.parent is None:
                gd.creator = node.attr("creator")
            elif node.name == "trk" and node.parent == "gpx":
                gd.tracks.append(GpxTrack())
            elif node.name == "trkseg" and node.parent == "trk" and gd.tracks:
                seg = _SegmentBuilder(len(gd.tracks) - 1)
        elif node.name == "trkseg":
            if seg is not None and node.parent == "trk":
                gd.segments.append(seg.finish(gd))
                seg = None
        elif node.name == "trk" and node.parent == "gpx":
            for what in ("name", "type"):
                texts = node.texts(f"p:{what}")
                if texts:  # the last one written
                    setattr(gd.tracks[-1], what, texts[-1].strip() or None)
        elif node.name == "metadata" or node.parent is None:
            for text in node.texts("p:name"):
                if gd.name is None:
                    gd.name = text.strip() or None
    return gd


class _SegmentBuilder:
    """Turns one segment's point texts into numbers, a chunk at a time (memory stays small)."""

    __slots__ = ("track", "chunks")

    def __init__(self, track: int) -> None:
        self.track = track
        self.chunks: list[dict[str, Any]] = []

    def add(self, columns: list[list[str | None]]) -> None:
        lat, lon, ele, time, hr, cad = columns
        chunk: dict[str, Any] = {"time": parse_times(time)}
        for k, texts in (("lat", lat), ("lon", lon), ("ele", ele), ("hr", hr), ("cad", cad)):
            chunk[k] = floats(texts, *_BOUNDS[k])
        self.chunks.append(chunk)

    def finish(self, gd: GpxData) -> GpxSegment:
        arrays: dict[str, list[np.ndarray]] = {k: [] for k in ("t", *_BOUNDS)}
        for ch in self.chunks:
            times: Times = ch["time"]
            arrays["t"].append(times.t_s)
            _note_times(gd, times)
            for k in _BOUNDS:
                values, bad = ch[k]
                arrays[k].append(values)
                if bad:
                    gd.dropped[k] = gd.dropped.get(k, 0) + bad
        joined = {k: np.concatenate(v) if v else np.empty(0) for k, v in arrays.items()}
        return _segment(self.track, **joined)


def _note_times(gd: GpxData, times: Times) -> None:
    """The file's offset is the one written with its first usable time."""
    if not gd.zone_seen and not np.isnan(times.t_s).all():
        gd.offset_s, gd.zone_seen = times.offset_s, True
    gd.naive = gd.naive or times.naive
    if times.bad:
        gd.dropped["time"] = gd.dropped.get("time", 0) + times.bad


def _segment(track: int, t: np.ndarray, lat: np.ndarray, lon: np.ndarray, ele: np.ndarray, hr: np.ndarray,
             cad: np.ndarray) -> GpxSegment:
    hr = hr.copy()
    hr[hr == 0] = np.nan  # a strap that lost contact writes 0: no reading, not a heart rate
    bad_pos = np.isnan(lat) | np.isnan(lon)
    lat[bad_pos] = np.nan
    lon[bad_pos] = np.nan
    return GpxSegment(track, t, lat, lon, ele, hr, cad)


# ---------------------------------------------------------------- TCX
_POINT_BOUNDS = [None, (-90.0, 90.0), (-180.0, 180.0), (-1000.0, 10000.0), (0.0, 1e7), (0.0, 255.0),
                 (0.0, 255.0), (0.0, 255.0)]
_WHAT = [None, "position", "position", "altitude", "distance", "heart rate", "cadence", "cadence"]
TCX_LAYOUT = Layout(
    what="TCX", root="TrainingCenterDatabase", point="Trackpoint", container="Track",
    outline=("Activity", "Lap", "Id"),
    columns=("p:Time[1]", "p:Position[1]/p:LatitudeDegrees[1]", "p:Position[1]/p:LongitudeDegrees[1]",
             "p:AltitudeMeters[1]", "p:DistanceMeters[1]", "p:HeartRateBpm[1]/p:Value[1]", "p:Cadence[1]"),
    extras=(("RunCadence",),),  # Garmin's ActivityExtension: running cadence, per leg
)
# the lap's own values, wherever Garmin's extension puts its average run cadence (3 levels down at most)
_AVG_RUN_CADENCE = " | ".join("/".join(["*"] * i + ["*[local-name()='AvgRunCadence']"]) for i in range(3))


def read_tcx(data: bytes, name: str) -> TcxData:
    """Read a TCX file in one streaming pass (see :mod:`runload.ingest.xmlpoints`) into :class:`TcxData`."""
    return read_points(data, name, TCX_LAYOUT, _tcx_build)


def _tcx_build(events: Iterator[Event]) -> TcxData:
    td = TcxData()
    act: TcxActivity | None = None
    lap: TcxLap | None = None
    points: _Points | None = None
    for event in events:
        if isinstance(event, Points):
            if points is not None and event.container.parent == "Lap":
                points.add(event.columns)
            continue
        node = event.node
        if isinstance(event, Start):
            if node.name == "Activity" and act is None:
                act = TcxActivity(sport=node.attr("Sport"))
            elif node.name == "Lap" and act is not None and node.parent == "Activity":
                lap = TcxLap(start=_one_time(node.attr("StartTime"), td))
                points = None
            elif node.name == "Track" and lap is not None and node.parent == "Lap":
                points = points or _Points()
        elif node.name == "Id":
            if act is not None and node.parent == "Activity":
                act.id_s = _one_time(_text(node.texts(".")), td)
        elif node.name == "Lap" and lap is not None and act is not None:
            _lap_values(lap, node, td)
            if points is not None:
                points.into(lap, td)
            act.laps.append(lap)
            lap = points = None
        elif node.name == "Activity" and act is not None:
            for device in node.texts("p:Creator/p:Name"):
                act.device = device.strip() or None
            td.activities.append(act)
            act = None
    return td


def _text(texts: list[str]) -> str:
    return texts[-1].strip() if texts else ""


def _lap_values(lap: TcxLap, node: Node, td: TcxData) -> None:
    """A lap's summary, read as it ends (the last value written wins; each impossible one is counted)."""
    for text in node.texts("p:TotalTimeSeconds"):
        lap.timer_s = _value(text.strip(), 0.0, MAX_ACTIVITY_S, "lap time", td)
    for text in node.texts("p:DistanceMeters"):
        lap.distance_m = _value(text.strip(), 0.0, 1e7, "lap distance", td)
    for text in node.texts("p:MaximumSpeed"):
        lap.max_speed_mps = _value(text.strip(), 0.0, 1000.0, "lap speed", td)
    for text in node.texts("p:AverageHeartRateBpm/p:Value"):
        lap.avg_hr_bpm = _value(text.strip(), 1.0, 255.0, "heart rate", td)
    for text in node.texts("p:MaximumHeartRateBpm/p:Value"):
        lap.max_hr_bpm = _value(text.strip(), 1.0, 255.0, "heart rate", td)
    for text in node.texts(_AVG_RUN_CADENCE):
        lap.avg_run_cadence = _value(text.strip(), 0.0, 255.0, "cadence", td)


def _one_time(text: str | None, td: TcxData) -> float | None:
    if not text:
        return None
    times = parse_times([text])
    td.note_times(times)
    v = float(times.t_s[0])
    return None if np.isnan(v) else v


def _value(text: str, lo: float, hi: float, what: str, td: TcxData) -> float | None:
    if not text:
        return None
    v = finite(text, lo, hi)
    if v is None:
        td.drop(what)
    return v


class _Points:
    """One lap's track points, turned into numbers a chunk at a time (memory stays small)."""

    __slots__ = ("times", "columns", "bad")

    def __init__(self) -> None:
        self.times: list[list[str | None]] = []
        self.columns: list[list[np.ndarray]] = [[] for _ in range(8)]
        self.bad = [0] * 8

    def add(self, columns: list[list[str | None]]) -> None:
        self.times.append(columns[0])
        for i in range(1, 8):
            lo_hi = _POINT_BOUNDS[i]
            assert lo_hi is not None
            values, bad = floats(columns[i], *lo_hi)
            self.columns[i].append(values)
            self.bad[i] += bad

    def into(self, lap: TcxLap, td: TcxData) -> None:
        """Add the points to the lap's arrays (a lap may hold several tracks)."""
        t_parts = []
        for texts in self.times:
            times = parse_times(texts)
            td.note_times(times)
            t_parts.append(times.t_s)
        for i in (1, 3, 4, 5, 6):  # latitude and longitude are one "position"
            what = _WHAT[i]
            assert what is not None
            td.drop(what, max(self.bad[1], self.bad[2]) if i == 1 else self.bad[i] + (self.bad[7] if i == 6 else 0))
        if not t_parts:
            return
        t = np.concatenate(t_parts)
        lat, lon, alt, dist, hr, cad, run_cad = (np.concatenate(self.columns[i]) for i in range(1, 8))
        hr[hr == 0] = np.nan  # no contact, not a heart rate
        bad_pos = np.isnan(lat) | np.isnan(lon)
        lat[bad_pos] = np.nan
        lon[bad_pos] = np.nan
        lap.t, lap.lat, lap.lon, lap.alt, lap.dist, lap.hr, lap.cad, lap.run_cad = (
            np.concatenate((old, new)) for old, new in (
                (lap.t, t), (lap.lat, lat), (lap.lon, lon), (lap.alt, alt), (lap.dist, dist), (lap.hr, hr),
                (lap.cad, cad), (lap.run_cad, run_cad)))


