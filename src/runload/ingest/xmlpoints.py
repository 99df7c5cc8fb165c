"""The one streaming reader of track points in XML activity files (GPX and TCX), on lxml.

A format describes its file with a :class:`Layout`: the root element, the element that is a point,
the element that holds points, the outline elements around them (tracks, segments, laps) and the
values of a point. :func:`read_points` parses the bytes once (whole up to :data:`WHOLE_BYTES`, else
:data:`FEED_BYTES` at a time) and hands the format's builder a stream of typed events: :class:`Start` and :class:`End` of each
outline element (its attributes, its parent, the text of its children) and :class:`Points`, the
values of a container's points as columns of text (all of them at its end, or up to
:data:`TAKE_POINTS` at a time in a long one). No Python runs per tag, and little per point.

Why lxml: libxml2 is a well-kept C parser with wheels for every platform runload supports, and
with it the values of thousands of points are taken out by compiled XPath in C, a column at a
time, instead of by a Python call per XML tag (expat's way). Points are read as the parse goes
and then deleted from the tree, so memory holds a chunk of points, never the whole file.
What else keeps Python off the elements:

- the outline is found by lxml's tag-filtered ``iter`` (in C), its ends from how it nests;
- extension values (a name in any capitalisation, in any namespace) are looked for only among
  the elements spelled as one of the names, every spelling handed to lxml, which matches a tag
  only if the parser met that name (:func:`_spellings`); a file without any is not walked; a
  container of a few elements is walked element by element instead (lxml reads every spelling
  anew for each walk, which costs more than a few thousand elements);
- a file where blank text cannot change a value is parsed without it (:func:`_lean`: half the
  nodes of an indented file); a value with elements inside reads the file again whole.

``tests/xml_reference.py`` keeps the reader as it was before these; the tests hold this one to it.

Quicker still, for most files: :mod:`runload.ingest.xmlbytes` reads the points of a file written
in a layout it fully understands from the text, by regular expressions, and hands lxml only the
outline (the file with its containers emptied); the events are the same, the points' columns
coming from the text (:data:`BYTES_FIRST`). Anything it does not fully understand, and every file
that lxml refuses, is read here whole, so errors and safety are this module's.

Safety, as :mod:`runload.ingest.xmlsafe` promises for expat:

- nothing outside the file's bytes is read: entities are not resolved, no DTD is loaded, nothing
  is fetched from a network (``resolve_entities=False``, ``load_dtd=False``, ``no_network=True``);
  a file that declares any entity (the "billion laughs", an external file) is refused, as is one
  whose entities libxml2 would have to expand;
- libxml2's limits stay on (``huge_tree=False``: nesting deeper than 256 levels, a text node over
  10 MB). A file that breaks a limit or is not well-formed is handed to expat
  (:func:`runload.ingest.xmlsafe.check_xml`): a file that is not well-formed gets its error
  naming the line and column, as before; a well-formed file that only breaks a limit (150,000
  nested elements in an extension) is read from a copy with the excess cut off
  (:func:`runload.ingest.xmlsafe.tame`), so it reads as it did with expat.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

from lxml import etree

from runload.errors import IngestError
from runload.ingest.xmlbytes import Layout, Split, Unsure, split
from runload.ingest.xmlsafe import check_xml, document_start, tame

WHOLE_BYTES = 8 << 20  # a file up to this size is parsed whole (its tree is about ten times as large)
FEED_BYTES = 1 << 20  # a larger one is parsed this many bytes at a time
_FEW = 64  # points without a value that are found one by one (more: each point is read on its own)
_FEW_WALKED = 2048  # a container of up to this many elements is walked element by element (in Python)
TAKE_POINTS = 16_384  # points an open container may hold before they are taken out (memory stays small)
BYTES_FIRST = True  # points are read from the text where runload.ingest.xmlbytes can (else by lxml)
T = TypeVar("T")


class Node:
    """An outline element as a format sees it: its name, its parent's and its ancestors', its
    attributes, and the text of elements below it."""

    __slots__ = ("_el", "_lean", "_ns", "name", "parent")

    def __init__(self, el: Any, ns: str, lean: bool = False) -> None:
        self._el, self._ns, self._lean = el, ns, lean
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
        return [self._string(e) for e in found]

    def _string(self, el: Any) -> str:
        if self._lean and len(el):
            raise _Mixed  # text around elements: blanks between them count (see _lean)
        return str(_xpath("string()", self._ns)(el))

    def named(self, local: str, depth: int) -> list[str]:
        """The text of each element named ``local`` in any namespace (or none) from one to
        ``depth`` levels below this one, in the file's order (the elements are found by lxml in C,
        not by an XPath predicate on every element below)."""
        out: list[str] = []
        for found in self._el.iter(f"{{*}}{local}"):
            up, level = found, 0
            while up is not self._el and level <= depth:
                up, level = up.getparent(), level + 1
            if up is self._el and 1 <= level <= depth:
                out.append(self._string(found))
        return out


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


class _Mixed(Exception):
    """A value read from a lean tree has text around elements: the file is read again whole."""


def read_points(data: bytes, name: str, layout: Layout, build: Callable[[Iterator[Event]], T]) -> T:
    """What ``build`` makes of the events of the file ``data`` (see the module docstring).

    :class:`IngestError` names ``name`` for a file that is unsafe, not well-formed or of another
    format; exceptions raised by ``build`` pass through.
    """
    taken = split(data, layout) if BYTES_FIRST else None
    if taken is not None:  # the points read from the text, the outline by lxml
        try:
            return _read(taken.outline, name, layout, build, taken)
        except (Unsure, _Refused, IngestError):
            pass  # read whole by lxml: its values, its words for what is wrong
    try:
        return _read(data, name, layout, build)
    except _Refused:
        pass
    check_xml(data, name)  # not well-formed: expat says where, in its words
    try:
        return _read(tame(data, name), name, layout, build)
    except _Refused as refused:
        raise IngestError(f"not a {layout.what} file runload can read: {refused}", path=name) from None


def _read(data: bytes, name: str, layout: Layout, build: Callable[[Iterator[Event]], T],
          taken: Split | None = None) -> T:
    if _lean(data):
        try:
            return build(_events(data, name, layout, lean=True, taken=taken))
        except _Mixed:
            pass
    return build(_events(data, name, layout, lean=False, taken=taken))


_ASCII_XML = re.compile(rb"""<\?xml[^>]*?encoding\s*=\s*["'](utf-?8|us-ascii|ascii|iso-8859-\d+|latin-?1|windows-125\d|cp125\d)["']""",
                        re.IGNORECASE)


def _lean(data: bytes) -> bool:
    """Whether the file may be parsed without its blank text (whitespace between elements: half
    of a file's nodes, and of the time spent on them), the values read being the same.

    libxml2 drops only text that is all blank and next to an element's tag. Text values are
    read from elements without children, where that drops at most blanks around the value;
    a value with elements inside it (blanks between its pieces count) raises :class:`_Mixed`
    and the file is read again whole. The file may hold nothing else that splits text (no
    CDATA section, comment, processing instruction or DTD: only ``<?xml`` and elements), and
    its encoding writes ASCII as ASCII, so those are seen in the bytes."""
    start = document_start(data)
    head = data[start:start + 256]
    if head[:1] != b"<" or b"\0" in head[:4]:
        return False  # UTF-16, UTF-32, EBCDIC
    body = start
    if head.startswith(b"<?xml"):
        decl = head.split(b"?>", 1)[0]
        if b"encoding" in decl and not _ASCII_XML.match(head):
            return False
        body = start + len(decl) + 2
    # (a byte the file lacks is found missing quicker than two)
    return ((data.find(b"!", body) < 0 or data.find(b"<!", body) < 0)
            and (data.find(b"?", body) < 0 or data.find(b"<?", body) < 0))


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


def _rounds(data: bytes, tags: list[str], lean: bool) -> Iterator[tuple[Iterable[tuple[str, Any]], Any]]:
    """The parser's events (start and end of the elements ``tags`` names), a round at a time,
    with the root once it is known. A file up to :data:`WHOLE_BYTES` is parsed in one go and its
    tree walked (libxml2 is quickest so); a larger one is fed :data:`FEED_BYTES` at a time.
    A ``lean`` parse leaves blank text out (see :func:`_lean`)."""
    start = document_start(data)
    options = {**_SAFE, "remove_blank_text": lean}
    if len(data) - start <= WHOLE_BYTES:
        root = etree.fromstring(data[start:], etree.XMLParser(**options))
        yield _walk(root, tags), root
        return
    parser = etree.XMLPullParser(events=("start", "end"), tag=tags, **options)
    view = memoryview(data)
    for pos in range(start, len(data), FEED_BYTES):
        parser.feed(bytes(view[pos:pos + FEED_BYTES]))
        yield parser.read_events(), None
    root = parser.close()
    yield parser.read_events(), root


def _events(data: bytes, name: str, layout: Layout, lean: bool, taken: Split | None = None) -> Iterator[Event]:
    """The events of one file. The parser tells only of outline elements; a container's points
    are taken out as columns when it ends, or, in a large file, after each round of parsing
    (every point but its last child, which may still be open). A file ``taken`` apart
    (:mod:`runload.ingest.xmlbytes`) is its outline: its containers' points come from the text."""
    ended = 0  # containers ended
    outline = {layout.root, layout.container, *layout.outline}
    ns: str | None = None
    columns = _Columns(layout, lean)
    nodes: dict[Any, Node] = {}  # outline elements started, their end still to come
    open_: list[tuple[Any, Node]] = []  # the containers open, innermost last
    root_el = None
    try:
        for events, root_el in _rounds(data, [f"{{*}}{t}" for t in outline], lean):
            whole = root_el is not None and not open_ and not nodes  # a tree already built: nothing to free
            columns.tree = root_el if whole else None
            for event, el in events:
                if ns is None:
                    root = el.getroottree().getroot()
                    _check_entities(root, name)
                    ns = _namespace(root.tag)
                    if _local(root.tag, ns) != layout.root:
                        ns = "\0"  # another root: nothing matches (a file that is not well-formed says so first)
                    columns.bind(ns)
                if event == "start":
                    node = nodes[el] = Node(el, ns, lean)
                    if node.name == layout.container:
                        open_.append((el, node))
                    yield Start(node)
                    continue
                node = nodes.pop(el)
                if open_ and el is open_[-1][0]:
                    open_.pop()
                    if taken is not None:
                        for cols in taken.points(ended):
                            yield Points(node, cols)
                        ended += 1
                    else:
                        got = columns.take(el, complete=True)
                        if got is not None:
                            yield Points(node, got)
                yield End(node)
                if not whole:
                    _drop(el)
            if open_ and taken is None:
                el, node = open_[-1]
                got = columns.take(el, complete=False)
                if got is not None:
                    yield Points(node, got)
    except etree.XMLSyntaxError as exc:
        raise _Refused(str(exc)) from None
    if root_el is None:
        raise _Refused("no root element")
    if taken is not None:
        taken.done(ended)
    if ns is None:
        _check_entities(root_el, name)
    local = _local(root_el.tag, _namespace(root_el.tag))
    if local != layout.root:
        raise IngestError(f"not a {layout.what} file: its root element is <{local}>, not <{layout.root}>", path=name)


def _walk(root: Any, tags: list[str]) -> Iterator[tuple[str, Any]]:
    """What ``etree.iterwalk(root, events=("start", "end"), tag=tags)`` yields, from lxml's
    C-filtered ``iter`` (twice as quick: only the elements named are handed to Python). An
    element's end comes before the start of the next named element outside it."""
    open_: list[Any] = []  # the named elements open, innermost last
    ids: set[int] = set()  # and their ids (each stays alive while open: its id is its own)
    for el in root.iter(*tags):
        if open_:
            up = el.getparent()
            while up is not None and id(up) not in ids:
                up = up.getparent()
            while open_ and open_[-1] is not up:
                done = open_.pop()
                ids.discard(id(done))
                yield "end", done
        yield "start", el
        open_.append(el)
        ids.add(id(el))
    while open_:
        yield "end", open_.pop()


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

    def __init__(self, layout: Layout, lean: bool = False) -> None:
        self.layout = layout
        self.lean = lean
        self.ns = ""
        self.point_tag = ""
        self.extra_index: dict[str, int] = {}
        self.extra_kind: dict[str, int] = {}  # tag: which extra (-1: none)
        self.extra_tags: tuple[str, ...] | None = None  # the elements that may be extras (None: any)
        self.tree: Any = None  # the whole file's tree, when it is built before any point is taken
        self.no_extras: bool | None = None  # that tree holds no element named as an extra

    def bind(self, ns: str) -> None:
        self.ns = ns
        self.point_tag = f"{{{ns}}}{self.layout.point}" if ns else self.layout.point
        self.extra_index = {}
        for i, names in enumerate(self.layout.extras):
            for n in names:
                self.extra_index[n.lower()] = i
        self.extra_kind = {}
        self.extra_tags = _spellings(tuple(self.extra_index))

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
        lacked: list[Any] = []  # the points that lacked the last value missing from a few
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
                if self.lean and lacked and len(values) + len(lacked) == n and not _xpath(
                        f"count($lacked/{target})", self.ns)(container, lacked=lacked):
                    # the same points lack this value too (a lean tree's value elements hold one
                    # text node at most, so the others hold one each): not asked of every point again
                    lacking = lacked
                else:
                    lacking = lacked = _xpath(f"{pts}[not({target})]", self.ns)(container, k=n)
                if len(values) + len(lacking) == n and len(lacking) <= _FEW and not any(map(etree.iselement, values)):
                    before = _xpath(f"count(preceding-sibling::p:{p})", self.ns)
                    values = list(values)
                    for at in sorted(int(before(pt)) for pt in lacking):
                        values.insert(at, None)
                    aligned = True
            if not aligned:  # a value split somewhere (text around an element): each point on its own
                if self.lean:
                    raise _Mixed
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
        than the file's (an element between two points counts for the one before)."""
        out: list[list[str | None]] = [[None] * n for _ in self.layout.extras]
        if self.no_extras:
            return out
        if self.extra_tags is not None and _xpath(f"boolean(descendant::*[{_FEW_WALKED + 1}])", self.ns)(container):
            # the elements named as an extra in any capitalisation and namespace (the others
            # cannot be extras), walked with the points; none in the file: nothing to walk
            if self.tree is not None:  # asked once of the whole tree (lxml reads the names given once a walk)
                if self.no_extras is None:
                    self.no_extras = next(self.tree.iter(*self.extra_tags), None) is None
                if self.no_extras:
                    return out
            elif next(container.iter(*self.extra_tags), None) is None:
                return out
            tags: tuple[Any, ...] = (self.point_tag, *self.extra_tags)
        else:  # names that cannot be listed, or a few elements: every one (quicker than handing
            tags = (etree.Element,)  # lxml every spelling, which it reads anew for each walk)
        kinds = self.extra_kind
        below = self.layout.extras_below
        point_tag = self.point_tag
        points = _xpath(f"p:{self.layout.point}", self.ns)(container)  # lxml hands out these same objects below
        i = -1
        point = None
        after = points[0] if points else None  # the container's next point
        for el in container.iter(*tags):
            if el is after:
                i += 1
                if i >= n:
                    break
                point = el
                after = points[i + 1] if i + 1 < len(points) else None
                continue
            tag = el.tag
            if tag == point_tag:  # a point inside a point
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


@functools.lru_cache(maxsize=16)
def _spellings(names: tuple[str, ...]) -> tuple[str, ...] | None:
    """Every tag (``{*}local``: in any namespace) whose local name is one of ``names`` (lower case)
    in some capitalisation: ``{*}hr``, ``{*}hR``, ``{*}Hr``, ``{*}HR``. None for a name with a
    letter outside ASCII (the tags are then not listed: every element is looked at).

    lxml matches an ``iter`` filter against the parser's dictionary of names first, so only the
    spellings a file writes cost anything per element; these are all the tags Python's
    ``str.lower`` turns into a name (outside ASCII only the Kelvin sign lowers to an ASCII letter, k)."""
    if not all(n.isascii() and n == n.lower() for n in names):
        return None
    out: list[str] = []
    for name in names:
        letters = [(c, c.upper()) + (("\u212a",) if c == "k" else ()) if c.isalpha() else (c,) for c in name]
        out.extend("{*}" + "".join(spelled) for spelled in itertools.product(*letters))
    return tuple(out)


__all__ = ["FEED_BYTES", "TAKE_POINTS", "WHOLE_BYTES", "End", "Event", "Layout", "Node", "Points", "Start", "read_points"]
