"""Build one email (plain text and HTML with inline chart images) with the standard library.

Headers go through ``email.headerregistry``; any carriage return or line feed in a name or subject
is replaced by a space first, so nothing in an athlete's name or a report can add a header.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from datetime import datetime, timezone

_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


@dataclass(frozen=True)
class Content:
    """What a message says: subject, plain text, optional HTML, and PNG images the HTML shows
    with ``<img src="cid:NAME">`` (``images`` holds (NAME, png bytes))."""

    subject: str
    text: str
    html: str | None = None
    images: tuple[tuple[str, bytes], ...] = ()


def one_line(text: str) -> str:
    """A header-safe single line: control characters (CR, LF, ...) become single spaces."""
    return _CONTROL.sub(" ", text).strip()


def address(name: str | None, addr: str) -> Address:
    """An address header value; raises ValueError for an address that is not one line."""
    clean = one_line(addr)
    if clean != addr.strip() or "@" not in clean:
        raise ValueError(f"not a usable email address: {addr!r}")
    user, _, domain = clean.rpartition("@")
    return Address(display_name=one_line(name or ""), username=user, domain=domain)


def build_message(content: Content, *, mail_from: str, to_name: str | None, to_addr: str,
                  headers: dict[str, str] | None = None) -> EmailMessage:
    """A multipart message to exactly one recipient."""
    msg = EmailMessage()
    msg["Subject"] = one_line(content.subject)
    msg["From"] = address("runload", mail_from)
    msg["To"] = address(to_name, to_addr)
    msg["Date"] = format_datetime(datetime.now(timezone.utc))
    domain = mail_from.rpartition("@")[2] or "localhost"
    msg["Message-ID"] = make_msgid(domain=one_line(domain))
    for key, value in (headers or {}).items():
        msg[key] = one_line(value)
    msg.set_content(content.text)
    if content.html is not None:
        msg.add_alternative(content.html, subtype="html")
        html_part = msg.get_payload()[-1]
        for cid, png in content.images:
            html_part.add_related(png, maintype="image", subtype="png", cid=f"<{cid}>",
                                  filename=f"{cid}.png", disposition="inline")
    return msg
