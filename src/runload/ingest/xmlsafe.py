"""Parse XML safely and in one streaming pass, with the standard library's expat.

Activity files (GPX, TCX) are read with lxml (:mod:`runload.ingest.xmlpoints`); expat, configured
here, says precisely why a file that lxml refuses is not well-formed, checks a file before gpxpy
(the reference reader) sees it, and tames a well-formed file that is beyond lxml's limits
(:func:`tame`). The expat parser this module makes:

- entity declarations (internal or external, the "billion laughs" and external-file attacks) and
  references to external entities are refused before anything is expanded; parameter entities
  and external DTDs are never loaded, so nothing outside the file's bytes is ever read;
- expat keeps its own element stack and never recurses per element, so a file nested 150,000
  levels deep is read (or refused by a reader) without ever reaching a recursion limit; the
  readers built on it keep no recursion either;
- the encoding comes from the bytes, as XML specifies: a UTF-8 or UTF-16 byte-order mark, or the
  XML declaration (UTF-8, UTF-16, ISO-8859-1 and other single-byte encodings); whitespace before
  the XML declaration (a Strava export quirk) is skipped;
- a file that is not well-formed is one :class:`~runload.errors.IngestError` naming its line and
  column.
"""

from __future__ import annotations

import contextlib
import pyexpat
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from runload.errors import IngestError

_CHUNK = 1 << 20  # bytes handed to expat at a time: its buffers stay small for any file size
_WHITESPACE = b" \t\r\n"


class _Unsafe(Exception):
    """Raised from a handler to stop the parse at a construct runload never reads."""


def _refuse_entity(*args: Any) -> None:
    raise _Unsafe("entity declaration")


def _refuse_external(*args: Any) -> int:
    raise _Unsafe("external entity reference")


def new_parser(namespaces: bool = True) -> Any:
    """An expat parser with namespace processing (names are ``"URI local"``; without
    ``namespaces``, names as written) that refuses entity declarations and external references.
    Set the content handlers, then call :func:`parse`."""
    parser = pyexpat.ParserCreate(namespace_separator=" ") if namespaces else pyexpat.ParserCreate()
    parser.SetParamEntityParsing(pyexpat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.EntityDeclHandler = _refuse_entity
    parser.UnparsedEntityDeclHandler = _refuse_entity
    parser.ExternalEntityRefHandler = _refuse_external
    parser.buffer_text = True  # one text callback per run of text, not one per expat buffer
    parser.buffer_size = 1 << 16
    return parser


def document_start(data: bytes) -> int:
    """Where the document starts: after a UTF-8 byte-order mark and any leading whitespace."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return 0  # UTF-16: expat reads the mark itself
    pos = 3 if data[:3] == b"\xef\xbb\xbf" else 0
    n = len(data)
    while pos < n and data[pos] in _WHITESPACE:
        pos += 1
    return pos


def parse(parser: Any, data: bytes, name: str) -> None:
    """Feed a whole file's bytes to ``parser`` in chunks.

    Raises :class:`IngestError` naming ``name`` for unsafe or malformed XML; exceptions raised by
    the content handlers pass through unchanged.
    """
    view = memoryview(data)[document_start(data):]
    try:
        for pos in range(0, len(view), _CHUNK):
            parser.Parse(view[pos:pos + _CHUNK], False)
        parser.Parse(b"", True)
    except _Unsafe as exc:
        raise IngestError(f"unsafe XML refused ({exc})", path=name) from None
    except (LookupError, UnicodeError) as exc:  # the declared encoding, unknown to Python or not the bytes'
        raise IngestError(f"not readable text: {exc}", path=name) from None
    except pyexpat.ExpatError as exc:
        reason = pyexpat.ErrorString(exc.code) if exc.code else str(exc)
        raise IngestError(f"not well-formed XML at line {exc.lineno}, column {exc.offset}: {reason}",
                          path=name) from None


def check_xml(data: bytes, name: str) -> None:
    """Parse ``data`` without reading anything from it: only safety and well-formedness."""
    parse(new_parser(), data, name)


def max_depth(data: bytes, name: str, limit: int) -> int:
    """How deeply the file's elements nest, counting up to ``limit`` (a guard before handing a
    file to a library that builds a tree and walks it recursively)."""
    parser = new_parser()
    depth = deepest = 0

    def start(_name: str, _attrs: dict[str, str]) -> None:
        nonlocal depth, deepest
        depth += 1
        if depth > deepest:
            deepest = depth
            if deepest >= limit:
                raise _Deep

    def end(_name: str) -> None:
        nonlocal depth
        depth -= 1

    parser.StartElementHandler, parser.EndElementHandler = start, end
    with contextlib.suppress(_Deep):
        parse(parser, data, name)
    return deepest


TAME_DEPTH = 100  # deeper elements are cut off a tamed copy: no activity file nests a tenth as deep
TAME_TEXT = 1 << 20  # and a run of text is cut to 1 MB (a name longer than that is cut when stored anyway)


def tame(data: bytes, name: str) -> bytes:
    """A copy of a well-formed file (UTF-8) without what lies deeper than :data:`TAME_DEPTH`
    elements and with each run of text cut to :data:`TAME_TEXT`: a file that only breaks a
    limit of lxml's (150,000 nested elements in an extension, a 20 MB track name) reads as the
    values it holds. Raises :class:`IngestError` as :func:`parse` does."""
    out: list[str] = ['<?xml version="1.0" encoding="UTF-8"?>']
    depth = run = 0  # how deep the element read is; how much of its run of text is kept

    def start(tag: str, attrs: dict[str, str]) -> None:
        nonlocal depth, run
        depth, run = depth + 1, 0
        if depth <= TAME_DEPTH:
            out.append(f"<{tag}" + "".join(f" {k}={quoteattr(v)}" for k, v in attrs.items()) + ">")

    def end(tag: str) -> None:
        nonlocal depth, run
        if depth <= TAME_DEPTH:
            out.append(f"</{tag}>")
        depth, run = depth - 1, 0

    def text(chars: str) -> None:
        nonlocal run
        if depth <= TAME_DEPTH and run < TAME_TEXT:
            piece = chars[:TAME_TEXT - run]
            run += len(piece)
            out.append(escape(piece))

    parser = new_parser(namespaces=False)
    parser.StartElementHandler, parser.EndElementHandler, parser.CharacterDataHandler = start, end, text
    parse(parser, data, name)
    return "".join(out).encode("utf-8")


class _Deep(Exception):
    pass
