"""Text that is safe to show: on a terminal, in a spreadsheet, in a mail header.

Names, notes, gear, file names and archive member names come from people and files runload does
not control. Written raw, a terminal obeys the escape sequences inside them (clear the screen,
set the window title, write the clipboard with OSC 52), a newline forges a line of output, a
spreadsheet runs a cell that starts with ``=`` as a formula, and a mail program reads a long
display name holding ``<attacker@evil.example>`` as the address once the header is folded. This
module is the one place that knows how to neutralise each of these; renderers and the command
line call it at their choke points (the CLI's ``echo``, the report's ``one_line``, every CSV
writer, the mail composer). The address header itself is built by :mod:`runload.mail.address`,
apart, so that showing text safely loads no mail machinery.

Written by hand: the standard library has no terminal sanitiser, and the CSV rule is OWASP's
("CSV Injection": cells starting with ``= + - @``, tab or carriage return).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from runload.errors import InputError

# The Unicode bidirectional embedding, override and isolate characters ("Trojan Source",
# CVE-2021-42574): they make a reader see text in another order than it is.
BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
# Line and paragraph separators end a line in some programs (and in Python's splitlines).
_SEPARATORS = "\u2028\u2029"
# C0 controls but TAB and LF, DEL, C1 controls (0x9b is a one-byte CSI, 0x9d a one-byte OSC).
_UNSAFE_BLOCK = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{BIDI_CONTROLS}{_SEPARATORS}]")
# the same, and TAB and LF too: for a value that must stay on its line
_UNSAFE_LINE = re.compile(f"[\x00-\x1f\x7f-\x9f{BIDI_CONTROLS}{_SEPARATORS}]")
# the colour codes runload's own text renderer writes (SGR: ESC [ digits ; ... m), nothing else
_SGR = re.compile(r"\x1b\[[0-9;]{0,32}m")


def _escape(m: re.Match[str]) -> str:
    # visible and unambiguous: ``\x1b`` as errors.printable writes bytes that are not UTF-8, and
    # ``\u009b`` above ASCII, which is also a valid escape inside a JSON string
    c = ord(m.group(0))
    return f"\\x{c:02x}" if c < 0x80 else f"\\u{c:04x}"


def terminal(text: str, *, keep_color: bool = False) -> str:
    """``text`` as it may be written to a terminal: lines and tabs stay, every other control
    character (ESC, BEL, a lone CR, C1 controls, bidi overrides) becomes visible as ``\\x1b``,
    ``\\u202e``... With ``keep_color``, the plain colour codes runload's renderer adds (SGR,
    ``ESC[...m``) stay; any other sequence is still escaped."""
    text = text.replace("\r\n", "\n")
    if not keep_color:
        return _UNSAFE_BLOCK.sub(_escape, text)
    parts = _SGR.split(text)
    codes = _SGR.findall(text)
    out = [_UNSAFE_BLOCK.sub(_escape, parts[0])]
    for code, part in zip(codes, parts[1:]):
        out.append(code)
        out.append(_UNSAFE_BLOCK.sub(_escape, part))
    return "".join(out)


def inline(text: object) -> str:
    """A value to put inside one line of output (a file name, a name, a reason): every control
    character, newlines and tabs included, becomes visible (``\\n``, ``\\x1b``), so the value can
    never start a line of its own or move the cursor."""
    return _UNSAFE_LINE.sub(lambda m: {"\n": "\\n", "\r": "\\r", "\t": "\\t"}.get(m.group(0)) or _escape(m),
                            str(text))


def plain_line(text: str) -> str:
    """``text`` on one line for a place that shows no escapes (a mail header): every control
    character becomes a space, and runs of spaces one space."""
    return " ".join(_UNSAFE_LINE.sub(" ", text).split())


def unsafe_char(text: str, *, allow_newlines: bool = False) -> str | None:
    """The first character of ``text`` that is a control character (or a bidi override), shown
    escaped (``\\x1b``), or None when there is none. ``allow_newlines`` lets LF and TAB pass."""
    m = (_UNSAFE_BLOCK if allow_newlines else _UNSAFE_LINE).search(text)
    return _escape(m) if m else None


def check_display_name(name: str, *, what: str = "name", max_length: int = 100) -> str:
    """A display name (an athlete's, a coach's) checked when it is added: one line of at most
    ``max_length`` characters, without control characters; InputError otherwise. Returns it
    stripped of surrounding spaces."""
    text = name.strip()
    if not text:
        raise InputError(f"{what} must not be empty")
    bad = unsafe_char(text)
    if bad:
        raise InputError(f"{what} {inline(text)!r} holds a control character ({bad}): type it without")
    if len(text) > max_length:
        raise InputError(f"{what} is {len(text)} characters long; at most {max_length}")
    return text


# ---------------------------------------------------------------- spreadsheets
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# (patterns used now and then are left to re's cache: compiled on first use, not at import)
_NUMBER = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?"


def csv_cell(value: object) -> object:
    """One CSV cell that a spreadsheet shows as text: a text starting with ``= + - @``, tab or
    carriage return gets a leading ``'`` (a plain number such as ``-12.5`` stays a number).
    Other values pass unchanged."""
    if isinstance(value, str) and value.startswith(_FORMULA_START) and not re.fullmatch(_NUMBER, value):
        return "'" + value
    return value


def csv_row(values: Iterable[object]) -> list[object]:
    """:func:`csv_cell` over a row."""
    return [csv_cell(v) for v in values]


def from_csv_cell(text: str) -> str:
    """Undo :func:`csv_cell` on reading a file runload wrote: ``'=...`` -> ``=...``, so a CSV
    export imports back to the same values."""
    if text.startswith("'") and text[1:].startswith(_FORMULA_START):
        return text[1:]
    return text


# ---------------------------------------------------------------- mail addresses
# A dot-atom local part and a host name: what people type, with nothing a header parser could
# read as structure (no quotes, commas, angle brackets, spaces or controls).
_LOCAL = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_ADDRESS = f"{_LOCAL}@(?:{_LABEL}\\.)+[A-Za-z0-9-]{{2,63}}"
_LOCAL_ADDRESS = f"{_LOCAL}@{_LABEL}(?:\\.{_LABEL})*"  # also runload@localhost


def check_address(addr: str, *, what: str = "email", local: bool = False) -> str:
    """``addr`` if it is one plain address (``name@example.org``, at most 254 characters, ASCII),
    else InputError saying why. ``local`` also takes a domain without a dot (``localhost``)."""
    bad = unsafe_char(addr)
    if bad:
        raise InputError(f"{what} {inline(addr)!r} holds a control character ({bad})")
    if not addr.isascii():
        raise InputError(f"{what} {addr!r} is not plain ASCII (write an international domain in its "
                         f"xn-- form)")
    if len(addr) > 254 or not re.fullmatch(_LOCAL_ADDRESS if local else _ADDRESS, addr):
        raise InputError(f"{what} {addr!r} does not look like an address")
    return addr
