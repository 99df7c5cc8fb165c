r"""The quick way through an XML activity file: its points read from the text by regular expressions.

:mod:`runload.ingest.xmlpoints` builds an lxml tree of a file and takes each point's values out of
it. Most of a GPX or TCX file is points, and most files write every point alike::

    <trkpt lat="59.3" lon="18.0"><ele>30.0</ele><time>2024-05-06T07:00:00Z</time>
      <extensions><gpxtpx:TrackPointExtension><gpxtpx:hr>125</gpxtpx:hr>...

:func:`split` reads such a file's points without building them as a tree: the first point of a
container is read tag by tag (:func:`_template`), and what it is made of (its tags, attributes
and where each value stands, whatever the spaces, quotes or order) becomes one regular expression
that takes every point written alike out of the text in one pass, in C (``findall``); a point
written otherwise is read tag by tag in turn and gets its own. What is left, the outline (the
file with each container emptied: tracks, laps, names, types), is small and goes to lxml as
before, and the points' values are handed over as lxml's reader would have taken them out.

Where a container's points are all written as its first one, tags and blanks alike (a device's
usual file), not even the regular expression runs over them: numpy finds every '<', the texts
after the tags where values stand are taken out as one string, and the points written again from
the first one's tags and blanks and those texts must be the text itself (:meth:`Split._literal`);
a point written any other way leaves the container to the regular expression, as does one
whose points are written several ways. Either is worth it only over enough text
(:data:`_LITERAL_CHARS`): numpy's calls cost more than a few points take.

The values are exactly those :mod:`runload.ingest.xmlpoints` reads (the tests hold the two to each
other on generated and real files). Anything the regular expressions do not fully understand is
left to lxml, which reads the whole file as before: :func:`split` returns None, or the points,
read as the outline's parse goes, raise :class:`Unsure`. So are:

- anything but UTF-8 (or ASCII) text: another encoding, a byte that is not UTF-8, a character XML
  does not allow;
- a DTD (and so any entity declaration: hostile files never reach this module's reading), a
  comment, a CDATA section, a processing instruction (``<!`` or ``<?`` anywhere past the XML
  declaration), any ``&`` in a container (an escaped character or entity reference);
- a default namespace declared below the root outside the points (a point may declare its own,
  as Garmin's TCX does for its extensions), a point using a prefix declared again there (on a
  track's extensions, say), a container written in another namespace;
- a container inside a container, a point inside a point, an element inside a container that is not
  a point, a value (``<ele>``) with elements inside it, an element in a point named as one of the
  outline's (``trk``) or read by it from there (``AvgRunCadence``);
- a point whose tags are not well-formed: a name, attribute or quote the expressions do not
  match, an end tag that closes another element, an attribute written twice.

How the expressions stay exact: a template is built from what the point read tag by tag holds
(the file's namespaces resolved, so ``gpxtpx:hr`` is an extension value only where ``gpxtpx`` is
bound to another namespace than the file's), with a group where a value stands and the rest
written out; every tag in a container must lie in a matched point (the ``<`` counted), so nothing
is skipped. Between tags and inside values ``[^<]`` stands for any text (no container read here
holds a ``&``, and ``]]>`` is refused); ``\s`` under ``re.ASCII`` is XML's blank (``\f`` and ``\v``
are refused as characters XML does not allow, ``\r`` is read as ``\n`` as XML reads it). A value
not written is None, as lxml's reader hands over (where points are written in several ways, an
empty one too: both read as no value). The ways one file writes its points are remembered for
the next file in the same namespaces (files of one device write theirs alike).

Safety: nothing is expanded (a file with ``<!`` is lxml's, which refuses entity declarations), and
the outline goes through lxml's safe parser as every file did. Memory: a container's points are
taken out :data:`CHUNK_CHARS` of text at a time, as lxml's reader takes out a few thousand at a
time; a file over :data:`MAX_BYTES` is lxml's (its reader feeds the parser a megabyte at a time,
where this one holds the file's text).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from runload.ingest.xmlsafe import document_start

MAX_BYTES = 256 << 20  # a larger file is read by lxml, a chunk at a time (this way holds the whole text)
CHUNK_CHARS = 4 << 20  # a container's points are taken out this much text at a time (memory stays small)
_MAX_TAGS = 512  # tags in one point (more: not an activity file's point, lxml reads it)
_MAX_TEMPLATES = 16  # ways of writing a point in one container (more: lxml reads the file)
_LITERAL_CHARS = 64 << 10  # points in less text are read by the regular expression (see Split._literal)


@dataclass(frozen=True)
class Layout:
    """How a format's file is laid out. Names are local names in the namespace of the root.

    ``columns`` are XPath paths from a point to each value (``@lat``, ``p:time[1]``, ``p:`` being
    the file's namespace), each naming at most one node per point; ``extras`` are values found
    by name anywhere below a point in another namespace (extensions: ``hr``, ``heartRate``), the
    first one in the file's order; ``extras_below`` keeps out a point's direct children (GPX
    puts extensions one level down); ``reached`` are names (in any namespace) the format reads
    from an outline element that may stand directly in a point (TCX's lap cadence).
    """

    what: str  # the format's name in messages
    root: str
    point: str
    container: str
    outline: tuple[str, ...]
    columns: tuple[str, ...]
    extras: tuple[tuple[str, ...], ...] = ()
    extras_below: bool = False
    reached: tuple[str, ...] = ()


class Unsure(Exception):
    """The text holds something the quick way does not fully understand: lxml reads the file."""


Columns = list[list[str | None]]

_WS = "[ \t\n]"
_NAME = r"[A-Za-z_][A-Za-z0-9_.\-]*"
_QNAME = rf"{_NAME}(?::{_NAME})?"
_VALUE = "(?:\"[^\"<&]*\"|'[^'<&]*')"
_TAG = re.compile(rf"<(/?)({_QNAME})((?:{_WS}+{_QNAME}{_WS}*={_WS}*{_VALUE})*)({_WS}*)(/?)>")
_ATTR = re.compile(rf"({_WS}+)({_QNAME})({_WS}*)=({_WS}*)(?:\"([^\"<&]*)\"|'([^'<&]*)')")
_DECLARED = re.compile(r"""encoding\s*=\s*["']([^"']*)["']""")
_DECLARE = re.compile(rf"xmlns(?::({_NAME}))?{_WS}*=")
_STEP = re.compile(rf"p:({_NAME})\[1\]")


@dataclass
class _El:
    """An element of the point read tag by tag."""

    qname: str
    uri: str
    local: str
    attrs: list[tuple[str, str, str, str]]  # (name, value, quote, the blanks and "=" before it, as a pattern)
    spaces: dict[str, str]  # the namespaces in scope, by prefix ("" the default)
    empty: bool  # written <x/>
    blank: str  # before the end of its start tag: "" or r"\s+" (as the point read writes it)
    depth: int  # 0: the point
    children: list[_El] = field(default_factory=list)
    end_blank: str = ""  # before the end of its end tag
    text_group: int = 0  # the group taking the text after its start tag (0: none)
    attr_groups: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class _Slot:
    """Where a value stands in a template's match: a group (its text "" means none written, for a
    value element), or nothing (``const`` for every point)."""

    group: int  # 0: not written in this way of writing a point
    const: str | None = None
    none_if_empty: bool = False


@dataclass(frozen=True)
class _Template:
    """One way of writing a point, as a regular expression with a group for each value."""

    source: str
    regex: re.Pattern[str]
    groups: int
    tags: int  # the '<' in one point
    slots: tuple[_Slot, ...]
    # the tags whose following text may differ from point to point (a value element's, each
    # group's), and the place of each group among them (None: a group takes an attribute's value)
    texts: tuple[int, ...] | None = field(default=None, compare=False)
    picked: tuple[int, ...] = field(default=(), compare=False)


def _resolve(qname: str, spaces: dict[str, str], attribute: bool = False) -> tuple[str, str]:
    prefix, _, local = qname.rpartition(":")
    if prefix in ("xml", "xmlns") or local.lower().startswith("xmlns"):
        raise Unsure
    if not prefix:
        return ("" if attribute else spaces.get("", "")), local
    uri = spaces.get(prefix)
    if uri is None or prefix == "":
        raise Unsure  # an undeclared prefix: not well-formed for lxml
    return uri, local


def _element(m: re.Match[str], parent: _El | None, spaces: dict[str, str]) -> _El:
    attrs: list[tuple[str, str, str, str]] = []
    declared: dict[str, str] = {}
    for a in _ATTR.finditer(m.group(3)):
        quote = '"' if a.group(5) is not None else "'"
        value = a.group(5) if a.group(5) is not None else a.group(6)
        name = a.group(2)
        equals = " " if a.group(1) == " " else r"\s+"
        equals += re.escape(name) + (r"\s*=\s*" if a.group(3) or a.group(4) else "=")
        if name == "xmlns" or name.startswith("xmlns:"):
            prefix = name[6:]
            if "\t" in value or "\n" in value or (prefix and not value) or prefix in ("xml", "xmlns"):
                raise Unsure
            declared[prefix] = value
        attrs.append((name, value, quote, equals))
    if declared:
        spaces = {**spaces, **declared}
    seen: set[tuple[str, str]] = set()
    names: set[str] = set()
    for name, *_ in attrs:
        if name in names:
            raise Unsure  # an attribute written twice
        names.add(name)
        if name != "xmlns" and not name.startswith("xmlns:") and ":" in name:
            key = _resolve(name, spaces, attribute=True)
            if key in seen:
                raise Unsure
            seen.add(key)
    uri, local = _resolve(m.group(2), spaces)
    return _El(m.group(2), uri, local, attrs, spaces, bool(m.group(5)), r"\s+" if m.group(4) else "",
               0 if parent is None else parent.depth + 1)


def _read_point(text: str, pos: int, end: int, spaces: dict[str, str]) -> tuple[_El, list[tuple[bool, _El]]]:
    """The point whose start tag is at ``pos``, read tag by tag: its element and its tags in
    order (True: a start tag)."""
    tags: list[tuple[bool, _El]] = []
    open_: list[_El] = []
    root: _El | None = None
    i = pos
    while True:
        m = _TAG.match(text, i, end)
        if m is None or len(tags) >= _MAX_TAGS:
            raise Unsure
        if m.group(1):  # an end tag
            if m.group(3) or m.group(5) or not open_ or open_[-1].qname != m.group(2):
                raise Unsure
            tags.append((False, open_.pop()))
            tags[-1][1].end_blank = r"\s+" if m.group(4) else ""
        else:
            parent = open_[-1] if open_ else None
            el = _element(m, parent, parent.spaces if parent is not None else spaces)
            if parent is None:
                root = el
            else:
                parent.children.append(el)
            tags.append((True, el))
            if not el.empty:
                open_.append(el)
        i = m.end()
        if not open_:
            assert root is not None
            return root, tags
        i = text.find("<", i, end)
        if i < 0:
            raise Unsure


def _template(text: str, pos: int, end: int, layout: Layout, ns: str, spaces: dict[str, str]) -> _Template:
    """The regular expression that matches the point at ``pos`` and every point written alike."""
    point, tags = _read_point(text, pos, end, spaces)
    if (point.uri, point.local) != (ns, layout.point):
        raise Unsure  # something else than a point in a container
    outline = {layout.root, layout.container, *layout.outline}
    for is_start, el in tags:
        if is_start and el is not point and ((el.uri, el.local) == (ns, layout.point) or el.local in outline
                                             or (el.depth == 1 and el.local in layout.reached)):
            raise Unsure
    groups = 0

    def group() -> int:
        nonlocal groups
        groups += 1
        return groups

    # which element or attribute holds each value (the groups are numbered as the tags are written, below)
    wanted: list[tuple[_El, str | None] | None] = []  # (element, attribute or None for its text)
    for path in layout.columns:
        steps = path.split("/")
        at: _El | None = point
        for step in steps[:-1]:
            m = _STEP.fullmatch(step)
            if m is None:
                raise Unsure
            at = _first(at, ns, m.group(1))
        last = steps[-1]
        if at is None:
            wanted.append(None)
        elif last.startswith("@"):
            wanted.append((at, last[1:]) if any(a[0] == last[1:] for a in at.attrs) else None)
        else:
            m = _STEP.fullmatch(last)
            if m is None:
                raise Unsure
            child = _first(at, ns, m.group(1))
            if child is not None and child.children:
                raise Unsure  # a value with elements inside: lxml reads it
            wanted.append((child, None) if child is not None and not child.empty else None)
    kinds = {n.lower(): k for k, names in enumerate(layout.extras) for n in names}
    extras: list[_El | None] = [None] * len(layout.extras)
    for is_start, el in tags:
        if not is_start or el.depth < (2 if layout.extras_below else 1) or el.uri == ns:
            continue
        k = kinds.get(el.local.lower())
        if k is not None and extras[k] is None:
            extras[k] = el
    captured_text = {id(w[0]) for w in wanted if w is not None and w[1] is None}
    captured_text |= {id(e) for e in extras if e is not None and not e.empty}
    captured_attr = {(id(w[0]), w[1]) for w in wanted if w is not None and w[1] is not None}
    parts: list[str] = []
    after: list[int] = []  # the tag each group's text follows (none for an attribute)
    for index, (is_start, el) in enumerate(tags):
        if not is_start:
            parts.append(f"</{re.escape(el.qname)}{el.end_blank}>")
            if el is not point:
                parts.append("[^<]*")
            continue
        parts.append("<" + re.escape(el.qname))
        for name, value, q, equals in el.attrs:
            parts.append(f"{equals}{q}")
            if name == "xmlns" or name.startswith("xmlns:"):
                parts.append(re.escape(value))  # the namespace as written: another one is another way
            elif (id(el), name) in captured_attr:
                el.attr_groups[name] = group()
                parts.append(f"([^{q}<\t\n]*)")  # (a tab or line break would be read as a space)
            else:
                parts.append(f"[^{q}<]*")
            parts.append(q)
        parts.append(el.blank + ("/>" if el.empty else ">"))
        if not el.empty:
            if id(el) in captured_text:
                el.text_group = group()
                after.append(index)
                parts.append("([^<]*)")
            else:
                parts.append("[^<]*")
    slots = [_Slot(0) if w is None else
             _Slot(w[0].attr_groups[w[1]]) if w[1] is not None else _Slot(w[0].text_group, none_if_empty=True)
             for w in wanted]
    slots += [_Slot(0) if e is None else _Slot(0, const="") if e.empty else _Slot(e.text_group) for e in extras]
    source = "".join(parts)
    found = _TEMPLATES.get(source)
    if found is None or found.slots != tuple(slots):
        if len(_TEMPLATES) > 256:
            _TEMPLATES.clear()
        # a value element's text (its start tag followed by its end tag) and every group's
        texts = sorted({*after, *(i for i, (is_start, el) in enumerate(tags[:-1])
                                  if is_start and not tags[i + 1][0] and tags[i + 1][1] is el)})
        found = _TEMPLATES[source] = _Template(source, re.compile(source, re.ASCII), groups, len(tags), tuple(slots),
                                               tuple(texts) if len(after) == groups else None,
                                               tuple(texts.index(i) for i in after))
    return found


_TEMPLATES: dict[str, _Template] = {}  # by source: files of one device write their points alike


def _first(el: _El | None, ns: str, local: str) -> _El | None:
    if el is None:
        return None
    return next((c for c in el.children if c.uri == ns and c.local == local), None)


def _columns(template: _Template, rows: list[tuple[str, ...]]) -> Columns:
    return _slotted(template, list(zip(*rows)) if rows else [()] * template.groups, len(rows))


def _slotted(template: _Template, cols: Sequence[Sequence[str]], n: int) -> Columns:
    """The layout's columns from the ``n`` points' groups (``cols``: each group's values in order)."""
    out: Columns = []
    for slot in template.slots:
        if not slot.group:
            out.append([slot.const] * n)
            continue
        col: list[str | None] = list(cols[slot.group - 1])
        if slot.none_if_empty and "" in col:
            col = [v or None for v in col]  # an element without text holds no value
        out.append(col)
    return out


def _rows(template: _Template, found: list[Any]) -> list[tuple[str, ...]]:
    if template.groups == 1:
        return [(v,) for v in found]  # findall hands one group's values bare
    if template.groups == 0:
        return [()] * len(found)
    return found


class Split:
    """A file taken apart: its outline for lxml (each container emptied) and its containers' points."""

    def __init__(self, text: str, outline: bytes, spans: list[tuple[int, int]], layout: Layout, ns: str,
                 spaces: dict[str, str], codes: np.ndarray | None = None) -> None:
        self.text, self.outline, self.spans = text, outline, spans
        self.layout, self.ns, self.spaces = layout, ns, spaces
        self._key = (layout, ns, tuple(sorted(spaces.items())))
        self.templates: list[_Template] = []  # the ways this file writes its points, found so far
        self.codes = codes  # an ASCII text's characters, as bytes (None: not known yet, or not ASCII)

    def _tags(self, a: int, b: int, where: bool) -> np.ndarray | int:
        """Where each '<' between ``a`` and ``b`` stands, found by numpy, if ``where`` and a
        character is a byte (ASCII) and there are enough of them to be read so
        (:meth:`_literal`); else how many there are."""
        if self.codes is None:
            if not self.text.isascii():
                return self.text.count("<", a, b)
            self.codes = np.frombuffer(self.text.encode("ascii"), dtype=np.uint8)
        if not where or b - a < _LITERAL_CHARS:
            return int(np.count_nonzero(self.codes[a:b] == 60))
        return np.flatnonzero(self.codes[a:b] == 60) + a

    def points(self, k: int) -> Iterator[Columns]:
        """The values of the points of the ``k``-th container (in the file's order), as lxml's
        reader takes them out: a column per value, a chunk at a time. None of it for an empty one."""
        if k >= len(self.spans):
            raise Unsure
        a, b = self.spans[k]
        while a < b:
            cut = b if b - a <= CHUNK_CHARS else self._cut(a + CHUNK_CHARS, b)
            cols = self._read(a, cut)
            if cols is not None:
                yield cols
            a = cut

    def done(self, k: int) -> None:
        """The outline held ``k`` containers: as many as the text."""
        if k != len(self.spans):
            raise Unsure

    def _cut(self, at: int, b: int) -> int:
        """Where a chunk ends: after the end tag of the point that ``at`` falls in (or b)."""
        end = f"</{self._point_qname()}"
        i = self.text.find(end, at, b)
        if i < 0:
            return b
        j = self.text.find(">", i, b)
        return b if j < 0 else j + 1

    def _point_qname(self) -> str:
        prefix = next((p for p, uri in self.spaces.items() if uri == self.ns), "")
        return f"{prefix}:{self.layout.point}" if prefix else self.layout.point

    def _read(self, a: int, b: int) -> Columns | None:
        """The points between ``a`` and ``b``: matched by the ways of writing a point found so far
        in the file, a new way read where a point matches none."""
        text = self.text
        first = text.find("<", a, b)
        if first < 0:
            return None  # text only: no point
        templates = self.templates
        if not templates:
            remembered = _LAST.get(self._key, [])
            if any(t.regex.match(text, first, b) for t in remembered):
                templates.extend(remembered)  # written as the last file was (by the same device, likely)
            else:
                templates.append(_template(text, first, b, self.layout, self.ns, self.spaces))
        tags = self._tags(a, b, len(templates) == 1 and templates[0].texts is not None)
        n_tags = tags if isinstance(tags, int) else len(tags)
        while True:
            cols, matched = self._match(a, b, tags)
            if matched == n_tags:  # every tag is in a point
                if len(templates) <= _REMEMBERED:
                    if len(_LAST) > 64:
                        _LAST.clear()
                    _LAST[self._key] = list(templates)
                return cols
            gap = self._gap(a, b)
            template = _template(text, gap, b, self.layout, self.ns, self.spaces)
            if template in templates or len(templates) >= _MAX_TEMPLATES:
                raise Unsure  # read alike, not matched alike (a tab in a value, say)
            templates.append(template)

    def _alternation(self) -> re.Pattern[str]:
        """Every way of writing a point found so far, each in a group of its own."""
        return _alternation(tuple(t.source for t in self.templates))

    def _match(self, a: int, b: int, tags: np.ndarray | int) -> tuple[Columns, int]:
        """The columns of the points between ``a`` and ``b`` that match a way found so far, and
        the tags they hold (``tags``: where each '<' stands, or how many there are). Several
        ways: the groups of the ways a point does not match are empty, so each value is the
        join of its groups in every way."""
        templates = self.templates
        if len(templates) == 1:
            t = templates[0]
            if not isinstance(tags, int):
                texts = self._literal(t, tags, b)
                if texts is not None:
                    return _slotted(t, texts, len(tags) // t.tags), len(tags)
            found = t.regex.findall(self.text, a, b)
            return _columns(t, _rows(t, found)), len(found) * t.tags
        found = self._alternation().findall(self.text, a, b)
        n = len(found)
        cols: list[tuple[str, ...]] = list(zip(*found)) if found else [()] * sum(t.groups + 1 for t in templates)
        matched = 0
        offsets = []
        counts = []
        at = 0
        for t in templates:
            offsets.append(at)
            counts.append(n - cols[at].count(""))
            matched += counts[-1] * t.tags
            at += t.groups + 1
        out: Columns = []
        for j in range(len(templates[0].slots)):
            parts = [cols[off + t.slots[j].group] for t, off in zip(templates, offsets) if t.slots[j].group]
            col: list[str | None]
            if not parts:
                col = [None] * n
            elif len(parts) == 1:
                col = list(parts[0])
            else:
                col = list(map("".join, zip(*parts)))
            if "" in col:
                col = [v or None for v in col]  # no value written: None and "" read alike
            out.append(col)
        if counts != sorted(counts, reverse=True):  # the commonest way tried first from now on
            templates[:] = [t for _, t in sorted(zip(counts, templates), key=lambda c: -c[0])]
        return out, matched

    def _literal(self, t: _Template, at: np.ndarray, b: int) -> list[list[str]] | None:
        """Each group's values, in order, when the '<' found (``at``, before ``b``) start points
        written one after the other exactly as the first of them, texts of value elements
        aside, and that one is matched by ``t`` (None: they are not, the regular expression
        reads them one by one).

        Such points are what ``t``'s regular expression matches, each group the text between a
        tag and the next. The texts are taken out at once (their places found from the '<' by
        numpy, their characters as one string, each followed by its '<', split at every '<');
        then the points are written again from the first one's tags and blanks and the texts
        taken, and must be the text itself: a point written any other way (a tag or a blank
        other than the first one's) is not read so."""
        regions = t.texts
        n, odd = divmod(len(at), t.tags)
        if not regions or odd or not n:
            return None
        text, buf = self.text, self.codes
        assert buf is not None
        first = t.regex.match(text, int(at[0]), b)
        if first is None or (n > 1 and first.end() > int(at[t.tags])):
            return None
        for i in (n // 2, n - 1):  # a quick look at two more points first (not a proof: see below)
            if t.regex.match(text, int(at[i * t.tags]), b) is None:
                return None
        ends0 = []  # where the first point's tags before the texts end
        for j in regions:
            tag = _TAG.match(text, int(at[j]))
            if tag is None:
                return None
            ends0.append(tag.end())
        points = at.reshape(n, t.tags)
        tags = list(regions)
        starts = points[:, tags] + (np.array(ends0) - points[0, tags])
        lengths = points[:, [j + 1 for j in tags]] - starts + 1  # (with the '<' after each text)
        if (lengths < 1).any():
            return None
        lengths = lengths.ravel()
        starts = starts.ravel()
        taken = np.repeat(starts - (np.cumsum(lengths) - lengths), lengths) + np.arange(int(lengths.sum()))
        values = buf[taken].tobytes().decode("ascii").split("<")
        del values[-1]
        # the first point's tags and blanks between its texts; those after it and before the next glued
        r = len(tags)
        spans = [(ends0[i], int(at[j + 1])) for i, j in enumerate(tags)]
        if any(first.span(g + 1) != spans[i] for g, i in enumerate(t.picked)):
            return None
        head, tail = text[first.start():spans[0][0]], text[spans[-1][1]:first.end()]
        pieces = [tail + text[first.end():int(at[t.tags])] + head if n > 1 else "", ""]
        for i in range(1, r):
            pieces += [text[spans[i - 1][1]:spans[i][0]], ""]
        pieces *= n
        pieces[0] = head
        pieces[1::2] = values
        pieces.append(tail)
        if not text.startswith("".join(pieces), first.start(), b):
            return None
        return [values[i::r] for i in t.picked]

    def _gap(self, a: int, b: int) -> int:
        """Where the first tag outside every point matched starts."""
        text = self.text
        end = a
        regex = self.templates[0].regex if len(self.templates) == 1 else self._alternation()
        for m in regex.finditer(text, a, b):
            if text.find("<", end, m.start()) >= 0:
                break
            end = m.end()
        gap = text.find("<", end, b)
        if gap < 0:
            raise Unsure
        return gap


_LAST: dict[tuple[Layout, str, tuple[tuple[str, str], ...]], list[_Template]] = {}
_REMEMBERED = 4  # ways of writing a point remembered from one file to the next


@functools.lru_cache(maxsize=64)
def _alternation(sources: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(f"({s})" for s in sources), re.ASCII)


def _containers(text: str, pos: int, local: str, codes: np.ndarray | None = None) -> Iterator[tuple[int, bool, str]]:
    """Where each tag of a container starts, whether it is an end tag, and its prefix: the name
    found (a regular expression matching the tag would try every '<'), the tag read back from it.
    ``codes``: the text's characters as bytes, when it is ASCII (numpy finds the name quicker)."""
    name = _NAMED.get(local)
    if name is None:
        name = _NAMED[local] = re.compile(re.escape(local) + _NAME_ENDS)
    found: Iterable[int]
    if codes is not None and local.isascii() and not _bordered(local):
        found = _named_at(codes, pos, local.encode("ascii")).tolist()
    else:
        found = (m.start() for m in name.finditer(text, pos))
    for i in found:
        lt = text.rfind("<", pos, i)
        tag = _OPENING.fullmatch(text, lt, i) if lt >= 0 else None
        if tag is not None:
            yield lt, bool(tag.group(1)), tag.group(2) or ""


_NAMED: dict[str, re.Pattern[str]] = {}
_NAME_ENDS = "(?=[ \t\n/>])"  # what may follow a tag's name


def _bordered(name: str) -> bool:
    """Whether the name begins with what it ends with (``abab``): two of it may overlap."""
    return any(name[:k] == name[-k:] for k in range(1, len(name)))


def _named_at(codes: np.ndarray, pos: int, name: bytes) -> np.ndarray:
    """Where ``name`` followed by one of :data:`_NAME_ENDS` stands from ``pos`` in the characters
    ``codes`` (bytes), in order: where the regular expression matching them finds them, when the
    name is not :func:`_bordered` (no two overlap)."""
    n = len(codes)
    at = np.flatnonzero(codes[pos:] == name[0]) + pos
    at = at[at + len(name) < n]  # (the end needs a character after the name)
    for k in range(1, len(name)):
        at = at[codes[at + k] == name[k]]
    end = codes[at + len(name)]
    return at[(end == 32) | (end == 9) | (end == 10) | (end == 47) | (end == 62)]


_OPENING = re.compile(rf"<(/?)(?:({_NAME}):)?")


def _illegal(data: bytes, text: str) -> bool:
    """Whether the file holds a character XML 1.0 does not allow (a control character other than
    tab and line ends, U+FFFE, U+FFFF): such a file is not well-formed, and lxml says so."""
    codes = np.frombuffer(data, np.uint8)
    if np.count_nonzero(codes < 0x20) != np.count_nonzero(codes == 10):  # (most files: line feeds alone)
        low = codes[codes < 0x20]
        if ((low != 9) & (low != 10) & (low != 13)).any():
            return True
    return "\ufffe" in text or "\uffff" in text


def split(data: bytes, layout: Layout) -> Split | None:
    """The file taken apart, or None when it is lxml's to read whole (see the module docstring)."""
    start = document_start(data)
    if data[start:start + 1] != b"<" or len(data) > MAX_BYTES:
        return None  # UTF-16 or UTF-32, or not XML at all; or a file to read a chunk at a time
    try:
        text = data[start:].decode("utf-8")
    except UnicodeDecodeError:
        return None
    body = 0
    if text.startswith("<?xml"):
        body = text.find("?>") + 2
        if body < 2:
            return None
        m = _DECLARED.search(text, 0, body)
        if m is not None:
            encoding = m.group(1).lower()
            if not (encoding == "utf-8" or (encoding in ("us-ascii", "ascii") and text.isascii())):
                return None
    # (a character the file lacks is found missing quicker than two: '<' is everywhere)
    if (("!" in text and "<!" in text) or (text.find("?", body) >= 0 and text.find("<?", body) >= 0)
            or ("]" in text and "]]>" in text)):
        return None  # a DTD, comment, CDATA section or processing instruction
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")  # as XML reads line ends
    if _illegal(data, text):
        return None
    first = text.find("<", body)
    root = _TAG.match(text, first) if first >= 0 else None
    if root is None or root.group(1) or root.group(5):
        return None
    try:
        root_el = _element(root, None, {})
    except Unsure:
        return None
    ns = root_el.uri
    if root_el.local != layout.root:
        return None
    spaces = root_el.spaces
    pieces: list[str] = []
    spans: list[tuple[int, int]] = []
    prefixes: set[str] = set()  # the containers' prefixes
    kept = 0  # the text up to here is in the outline
    inside = -1  # where the open container's points start (-1: none open)
    codes = np.frombuffer(text.encode("ascii"), dtype=np.uint8) if text.isascii() else None
    for at, closing, prefix in _containers(text, root.end(), layout.container, codes):
        prefixes.add(prefix)
        if spaces.get(prefix, None if prefix else "") != ns:
            return None  # a container in another namespace
        tag = _TAG.match(text, at)
        if tag is None:
            return None
        if closing:
            if inside < 0:
                return None
            if text.find("&", inside, at) >= 0:
                return None  # an escaped character or entity in a point
            spans.append((inside, at))
            kept = at
            inside = -1
        elif inside >= 0:
            return None  # a container inside a container
        elif tag.group(5):
            spans.append((tag.end(), tag.end()))  # <trkseg/>
        else:
            pieces.append(text[kept:tag.end()])
            inside = kept = tag.end()
    if inside >= 0:
        return None
    pieces.append(text[kept:])
    outline = "".join(pieces)
    # a prefix declared again below the root, outside the points (on a track's extension, say),
    # may hold another namespace there: a point that uses it is lxml's, as is the file if that is
    # a container's prefix or the default namespace
    shadowed = {m.group(1) or "" for m in _DECLARE.finditer(outline, root.end())}
    if shadowed & ({""} | prefixes):
        return None
    spaces = {p: uri for p, uri in spaces.items() if p not in shadowed}
    return Split(text, outline.encode("utf-8"), spans, layout, ns, spaces, codes)


__all__ = ["CHUNK_CHARS", "MAX_BYTES", "Columns", "Layout", "Split", "Unsure", "split"]
