"""Build one email (plain text and HTML with inline chart images) with the standard library.

Address headers are built by :func:`runload.textsafe.address_header` and stored as they are
(``set_raw``, on a policy that never refolds them): a display name with commas, quotes or
``<attacker@...>`` cannot turn into another address when the header folds, as it can when
Python's header folder rewrites a quoted name. Every other header is one line without control
characters, so nothing in a name or a report can add a header. Bodies are 7-bit (quoted-printable
or base64 where needed), so any mail server takes them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from runload.textsafe import address_header, plain_line

# refold_source="none": the address headers stay exactly as address_header folded them
POLICY = policy.default.clone(refold_source="none", cte_type="7bit")


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


def build_message(content: Content, *, mail_from: str, to_name: str | None, to_addr: str,
                  message_id: str | None = None, headers: dict[str, str] | None = None) -> EmailMessage:
    """A multipart message to exactly one recipient. ``message_id`` is kept when given (every
    try of one weekly message carries the same one); otherwise a new one is made. Raises
    :class:`runload.errors.InputError` for an address that is not one plain address."""
    msg = EmailMessage(policy=POLICY)
    msg["Subject"] = one_line(content.subject)
    msg.set_raw("From", address_header("runload", mail_from, header="From"))
    msg.set_raw("To", address_header(to_name, to_addr, header="To"))
    msg["Date"] = format_datetime(datetime.now(timezone.utc))
    msg["Message-ID"] = one_line(message_id) if message_id else new_message_id(mail_from)
    for key, value in (headers or {}).items():
        msg[key] = one_line(value)
    msg.set_content(content.text)
    if content.html is not None:
        msg.add_alternative(content.html, subtype="html")
        html_part = msg.get_body(("html",))
        assert html_part is not None  # the HTML alternative just added
        for cid, png in content.images:
            html_part.add_related(png, maintype="image", subtype="png", cid=f"<{cid}>",
                                  filename=f"{cid}.png", disposition="inline")
    return msg
