"""Address headers (To, From) that mean the same after folding: a display name with commas,
quotes or ``<attacker@...>`` never turns into another address.

Apart from :mod:`runload.textsafe` (which checks the address itself, :func:`check_address`) so
that what shows text safely loads no mail machinery: only the mail composer needs this.
"""

from __future__ import annotations

import re
from email.header import Header

from runload.textsafe import check_address, plain_line

# A display name made of these needs no quoting: RFC 5322 atoms separated by single spaces.
_ATOMS = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?: [A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")
_HEADER_WIDTH = 78  # RFC 5322's recommended line length


def address_header(name: str | None, addr: str, *, header: str = "To") -> str:
    """The value of an address header (To, From) for one recipient, already folded.

    A display name made of plain words is written as it is; any other (a comma, quotes, ``<``,
    ``@``, letters outside ASCII) becomes RFC 2047 encoded words, which mail programs show
    decoded and which no folding can break apart: a quoted display name, folded by Python's
    header folder, can lose its quotes and its ``<attacker@...>`` read as the address. Control
    characters are dropped and the name is cut to 100 characters. Set the result with
    ``msg.set_raw`` on a message whose policy does not refold (see :mod:`runload.mail.compose`).
    """
    addr = check_address(addr, local=True)
    text = plain_line(name or "")[:100]
    if not text:
        return addr
    if _ATOMS.fullmatch(text):
        phrase = text
    else:
        # Header folds between encoded words, each within the line width, first line after "To: "
        phrase = Header(text, "utf-8", maxlinelen=_HEADER_WIDTH, header_name=header).encode(linesep="\n")
    last = phrase.rsplit("\n", 1)[-1]
    first_line = "\n" not in phrase
    width = len(last) + (len(header) + 2 if first_line else 0)
    joiner = " " if width + len(addr) + 3 <= _HEADER_WIDTH else "\n "
    return f"{phrase}{joiner}<{addr}>"
