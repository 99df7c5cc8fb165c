"""Refuse XML that could expand entities or reach outside the file, before any parser sees it."""

from __future__ import annotations

import re

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from runload.errors import IngestError


def check_xml(data: bytes, name: str) -> str:
    """The file's text, stripped of leading whitespace, once it parses safely.

    Uses defusedxml, which rejects DTD entity declarations and external references. A file that is
    not well-formed gets an error with its line and column.
    """
    text = data.decode("utf-8-sig", errors="replace").lstrip()
    try:
        SafeET.fromstring(text.encode("utf-8"))
    except DefusedXmlException as exc:
        raise IngestError(f"unsafe XML refused ({type(exc).__name__})", path=name) from None
    except SafeET.ParseError as exc:
        line, col = exc.position
        # expat's message ends in its own ": line N, column M"; the position is said once, first
        reason = re.sub(r": line \d+, column \d+$", "", str(getattr(exc, "msg", None) or exc))
        raise IngestError(f"not well-formed XML at line {line}, column {col}: {reason}", path=name) from None
    return text
