"""runload.textsafe: terminal text, one-line values, spreadsheet cells, display names, address
headers that survive folding."""

from __future__ import annotations

from email import message_from_bytes, policy
from email.header import decode_header, make_header
from email.message import EmailMessage

import pytest

from runload.errors import InputError
from runload.mail.address import address_header
from runload.textsafe import (
    check_address,
    check_display_name,
    csv_cell,
    from_csv_cell,
    inline,
    terminal,
)

HOSTILE = [
    "\x1b[2J\x1b[H",  # clear the screen
    "\x1b]0;owned\x07",  # window title
    "\x1b]52;c;ZWNobyBvd25lZA==\x07",  # write the clipboard (OSC 52)
    "\x9b2J",  # one-byte CSI
    "\x9d52;c;eA==\x9c",  # one-byte OSC
    "abc\u202edcba",  # right-to-left override
    "line\rOVERWRITE",  # carriage return back over the line
    "\x00\x07\x08\x7f",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_terminal_text_holds_no_control_character(text):
    out = terminal(f"before {text} after")
    assert all(c in "\n\t" or (c.isprintable() and c not in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
               for c in out), repr(out)
    assert out.startswith("before ") and out.endswith(" after")


def test_terminal_keeps_lines_tabs_and_shows_what_it_escaped():
    assert terminal("a\tb\nc\r\nd") == "a\tb\nc\nd"
    assert terminal("x\x1b]0;t\x07y") == "x\\x1b]0;t\\x07y"
    assert terminal("\u202e") == "\\u202e" and terminal("\x9b") == "\\u009b"


def test_terminal_with_colour_keeps_only_plain_colour_codes():
    painted = "\x1b[1;31m[WARNING]\x1b[0m name \x1b[2J \x1b]0;t\x07"
    assert terminal(painted, keep_color=True) == "\x1b[1;31m[WARNING]\x1b[0m name \\x1b[2J \\x1b]0;t\\x07"
    assert "\x1b" not in terminal(painted)


def test_inline_value_can_never_start_a_line():
    forged = "run.fit\nImported 99 files (99 activities); 0 duplicates"
    assert inline(forged) == "run.fit\\nImported 99 files (99 activities); 0 duplicates"
    assert "\n" not in inline("a\r\n\tb\u2028c") and inline(None) == "None"


@pytest.mark.parametrize("cell, shown", [
    ("=HYPERLINK(\"http://evil.example\",\"click\")", "'=HYPERLINK(\"http://evil.example\",\"click\")"),
    ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
    ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
    ("@SUM(1+1)*cmd|' /C calc'!A0", "'@SUM(1+1)*cmd|' /C calc'!A0"),
    ("\t=1+1", "'\t=1+1"), ("\r=1+1", "'\r=1+1"),
    ("-12.5", "-12.5"), ("+3", "+3"), ("-1e-3", "-1e-3"),  # numbers stay numbers
    ("sore after 10 km", "sore after 10 km"), ("", ""), (7, 7), (None, None),
])
def test_csv_cells_that_a_spreadsheet_would_run_are_neutralised(cell, shown):
    assert csv_cell(cell) == shown
    if isinstance(cell, str):
        assert from_csv_cell(csv_cell(cell)) == cell


@pytest.mark.parametrize("name", ["Maya\x1b]0;x\x07", "Kim\nBcc: evil@example.com", "a\u202eb", "tab\there", "\x9b"])
def test_display_names_with_control_characters_are_refused(name):
    with pytest.raises(InputError, match="control character"):
        check_display_name(name)


def test_display_name_length_and_blank():
    assert check_display_name("  Åsa Öberg, Coach  ") == "Åsa Öberg, Coach"
    with pytest.raises(InputError, match="at most 100"):
        check_display_name("x" * 101)
    with pytest.raises(InputError, match="must not be empty"):
        check_display_name("   ")


@pytest.mark.parametrize("addr", ["maya@example.org", "first.last+runs@mail.example.co.uk", "x_y-z@a-b.example"])
def test_plain_addresses_pass(addr):
    assert check_address(addr) == addr


@pytest.mark.parametrize("addr", ["maya@example", "a b@example.org", "a@b@example.org", "<a@example.org>",
                                  "a,b@example.org", '"a"@example.org', "a@example.org\n", "a\x1b@example.org",
                                  "maya@bücher.de", "a@" + "x" * 250 + ".org", ".a@example.org"])
def test_other_addresses_are_refused(addr):
    with pytest.raises(InputError):
        check_address(addr)


NAMES = [
    "Maya L", "Lindqvist, Maya", 'Maya "the runner" L', "O'Brien", "Dr. Who", "Maya\\",
    "x" * 60 + " <attacker@evil.example>",
    "Kim, Coach <attacker@evil.example>, and a very long tail of words here to force folding",
    "Åsa Öberg <attacker@evil.example>, with a long name that goes on and on and on",
    "a" * 100, "=?utf-8?q?evil?= <a@b.example>", "attacker@evil.example",
]


@pytest.mark.parametrize("name", NAMES)
def test_address_header_means_the_same_after_folding(name):
    msg = EmailMessage(policy=policy.default.clone(refold_source="none"))
    msg.set_raw("To", address_header(name, "maya@example.org"))
    msg["Subject"] = "weekly"
    msg.set_content("hi")
    raw = msg.as_bytes(policy=msg.policy.clone(linesep="\r\n"))
    head = raw.split(b"\r\n\r\n")[0].decode("ascii")
    assert all(len(line) <= 998 for line in head.split("\r\n"))
    back = message_from_bytes(raw, policy=policy.default)
    # one recipient, the right one, whatever the display name holds
    assert [a.addr_spec for a in back["To"].addresses] == ["maya@example.org"]
    # and the name reads back whole by RFC 2047 (adjacent encoded words join without a space)
    unfolded = head.split("\r\nSubject:")[0].removeprefix("To: ").replace("\r\n", "")
    decoded = str(make_header(decode_header(unfolded)))
    assert decoded in (f"{name} <maya@example.org>", f"{name}<maya@example.org>"), decoded


def test_address_header_drops_controls_and_empty_names():
    assert address_header(None, "maya@example.org") == "maya@example.org"
    assert address_header("\x1b\x07", "maya@example.org") == "maya@example.org"
    assert address_header("Maya\r\nBcc: evil@example.com", "maya@example.org").count("\n") <= 1
    with pytest.raises(InputError):
        address_header("Maya", "maya@example.org>, evil@example.com")
