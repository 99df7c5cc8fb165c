"""Build one email (plain text and HTML with inline chart images), written out directly.

A weekly mail has one shape (a text part and its HTML alternative, the HTML's charts as related
PNG parts), so it is written as MIME text here rather than assembled header by header with
:class:`email.message.EmailMessage` (whose header parsing and generator were a tenth of a mail
run). Address headers are built by :func:`runload.mail.address.address_header` and written as they
are: a display name with commas, quotes or ``<attacker@...>`` cannot turn into another address
when the header folds. Every other header is one line without control characters (non-ASCII
words RFC 2047 encoded), so nothing in a name or a report can add a header. Bodies are 7-bit
(quoted-printable or base64 where needed), so any mail server takes them; each boundary is
random and checked against what it encloses.
"""

from __future__ import annotations

import binascii
import secrets
from dataclasses import dataclass
from datetime import datetime, timezone
from email.header import Header
from email.utils import format_datetime, make_msgid

from runload.mail.address import address_header
from runload.textsafe import check_address, plain_line

LINE = 78  # RFC 5322's recommended line length


@dataclass(frozen=True)
class Content:
    """What a message says: subject, plain text, optional HTML, and PNG images the HTML shows
    with ``<img src="cid:NAME">`` (``images`` holds (NAME, png bytes))."""

    subject: str
    text: str
    html: str | None = None
    images: tuple[tuple[str, bytes], ...] = ()


def one_line(text: str) -> str:
    """A header-safe single line: control characters (CR, LF, ESC, ...) become single spaces."""
    return plain_line(text)


def new_message_id(mail_from: str, idstring: str | None = None) -> str:
    """A new, globally unique Message-ID in the sender's domain."""
    domain = mail_from.rpartition("@")[2] or "localhost"
    return make_msgid(idstring=idstring, domain=one_line(domain))


@dataclass(frozen=True)
class Message:
    """A composed message: its envelope sender and its text (lines end in LF; :meth:`smtp`
    gives the CRLF form a mail server takes)."""

    sender: str
    data: bytes

    def __bytes__(self) -> bytes:
        return self.data

    def smtp(self) -> bytes:
        """The message with CRLF line ends (no part holds a lone CR)."""
        return self.data.replace(b"\n", b"\r\n")


def _header(name: str, value: str) -> str:
    """``name: value`` on one line, or folded at spaces past :data:`LINE` characters (it reads
    back the same); a value with letters outside ASCII, or a word too long for a line, as
    RFC 2047 encoded words."""
    text = one_line(value)
    lines = [f"{name}:"]
    if text.isascii():
        for word in text.split(" "):
            if len(lines[-1]) + 1 + len(word) <= LINE or lines[-1] == f"{name}:":
                lines[-1] += " " + word
            else:
                lines.append(" " + word)
        if max(map(len, lines)) <= LINE:
            return "\n".join(lines)
    return f"{name}: " + Header(text, "utf-8", maxlinelen=LINE, header_name=name).encode(linesep="\n")


def _text_part(subtype: str, text: str) -> tuple[list[str], bytes]:
    """(headers, body) of a text part in UTF-8: as it is when it is ASCII in short lines,
    quoted-printable otherwise. Line ends are normalised (a lone CR ends a line, as LF does)."""
    body = b"\n".join(text.encode("utf-8").splitlines()) + b"\n"
    if body.isascii() and max(map(len, body.split(b"\n"))) <= LINE:
        cte = "7bit"
    else:
        cte, body = "quoted-printable", binascii.b2a_qp(body, istext=True)
    return [f'Content-Type: text/{subtype}; charset="utf-8"', f"Content-Transfer-Encoding: {cte}"], body


def _base64_lines(data: bytes) -> bytes:
    """``data`` in base64, in lines of 76 characters each ended by a line end (as
    :func:`base64.encodebytes` writes it, encoded at once instead of 57 bytes at a time)."""
    text = binascii.b2a_base64(data, newline=False)
    return b"\n".join([text[i:i + 76] for i in range(0, len(text), 76)]) + b"\n"


def _image_part(cid: str, png: bytes) -> tuple[list[str], bytes]:
    body = _base64_lines(png)
    name = one_line(cid)
    return ["Content-Type: image/png", "Content-Transfer-Encoding: base64",
            f'Content-Disposition: inline; filename="{name}.png"', f"Content-ID: <{name}>"], body


def _multipart(subtype: str, parts: list[tuple[list[str], bytes]]) -> tuple[list[str], bytes]:
    """A multipart of ``parts`` with a random boundary that none of them holds."""
    while True:
        boundary = f"=_runload_{secrets.token_hex(12)}"
        mark = boundary.encode("ascii")
        if not any(mark in body or any(boundary in h for h in heads) for heads, body in parts):
            break
    out = bytearray()
    for heads, body in parts:
        # the line end before a boundary belongs to the boundary: the body keeps its own
        out += b"--" + mark + b"\n" + "\n".join(heads).encode("ascii") + b"\n\n" + body + b"\n"
    out += b"--" + mark + b"--\n"
    return [f'Content-Type: multipart/{subtype}; boundary="{boundary}"'], bytes(out)


def build_message(content: Content, *, mail_from: str, to_name: str | None, to_addr: str,
                  message_id: str | None = None, headers: dict[str, str] | None = None) -> Message:
    """A multipart message to exactly one recipient. ``message_id`` is kept when given (every
    try of one weekly message carries the same one); otherwise a new one is made. Raises
    :class:`runload.errors.InputError` for an address that is not one plain address."""
    top = [_header("Subject", content.subject),
           "From: " + address_header("runload", mail_from, header="From"),
           "To: " + address_header(to_name, to_addr, header="To"),
           "Date: " + format_datetime(datetime.now(timezone.utc)),
           "Message-ID: " + (one_line(message_id) if message_id else new_message_id(mail_from))]
    top += [_header(key, value) for key, value in (headers or {}).items()]
    top.append("MIME-Version: 1.0")
    part = _text_part("plain", content.text)
    if content.html is not None:
        html = _text_part("html", content.html)
        if content.images:
            html = _multipart("related", [html] + [_image_part(cid, png) for cid, png in content.images])
        part = _multipart("alternative", [part, html])
    heads, body = part
    data = "\n".join(top + heads).encode("ascii") + b"\n\n" + body
    return Message(check_address(mail_from, local=True), data)
