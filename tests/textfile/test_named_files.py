"""Files a person names are read by one reader (runload.textfile): only regular files, and at
most a cap. ``/dev/zero``, a named pipe, or a symlink named ``.csv`` to a device are refused at
once, unread, by every command that reads a file a person names."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from runload.errors import InputError
from runload.textfile import read_utf8

needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")


# ---------------------------------------------------------------- reading
def hostile_files(tmp_path: Path) -> list[tuple[Path, str]]:
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    link = tmp_path / "zero.csv"
    link.symlink_to("/dev/zero")
    return [(Path("/dev/zero"), "is a device"), (fifo, "is a named pipe (FIFO)"), (link, "is a device")]


@needs_fifo
@pytest.mark.parametrize("command", [["pain", "import", "--athlete", "ana"], ["plan", "check", "--athlete", "ana"],
                                     ["plan", "set", "--athlete", "ana"]])
def test_devices_pipes_and_links_to_them_are_refused_unread(cli, athlete, tmp_path, command):
    for path, what in hostile_files(tmp_path):
        start = time.monotonic()
        r = cli(*command, str(path))
        assert r.exit_code == 2, r.output
        assert f"{path}: {what}" in r.output and "Traceback" not in r.output
        assert time.monotonic() - start < 5  # never a wait for a writer, never gigabytes read


@needs_fifo
def test_batch_athletes_csv_and_a_store_that_is_a_device_are_refused(cli, tmp_path):
    ds = tmp_path / "ds"
    assert cli("batch", "init", str(ds)).exit_code == 0
    for path, what in hostile_files(tmp_path):
        r = cli("batch", "athletes", str(ds), "--csv", str(path))
        assert r.exit_code == 2 and f"{path}: {what}" in r.output, r.output
    r = cli("--store", "/dev/zero", "athlete", "list")
    assert r.exit_code == 2 and "/dev/zero: is not a regular file" in r.output


def test_a_rule_file_that_is_a_device_is_a_rule_error(cli, athlete, tmp_path):
    link = tmp_path / "rules" / "zero.toml"
    link.parent.mkdir()
    link.symlink_to("/dev/zero")
    r = cli("rules", "validate", str(link.parent))
    assert r.exit_code == 2 and f"{link}: is a device, not a file" in r.output, r.output


def test_the_cap_is_checked_on_the_open_file_and_while_reading(tmp_path, monkeypatch):
    big = tmp_path / "big.csv"
    big.write_bytes(b"a" * 3000)
    with pytest.raises(InputError, match="is 2 KB; a plan can be at most 2 KB"):
        read_utf8(big, what="plan", max_bytes=2048)
    assert read_utf8(big, max_bytes=3000) == "a" * 3000
    # a file that grows after its size was looked at is still cut at the cap
    real_fstat = os.fstat
    monkeypatch.setattr(os, "fstat", lambda fd: os.stat_result((*real_fstat(fd)[:6], 10, *real_fstat(fd)[7:])))
    with pytest.raises(InputError, match="can be at most 2 KB"):
        read_utf8(big, what="plan", max_bytes=2048)


@pytest.mark.parametrize("command", [["pain", "import", "--athlete", "ana"], ["plan", "check", "--athlete", "ana"]])
def test_a_line_as_long_as_the_file_is_refused_not_split_into_millions_of_fields(cli, athlete, tmp_path, command):
    """One line of 1.5 million commas: a row of as many fields (it took 514 MB in pain import,
    852 MB in plan check at 31 and 49 MB); the line is refused, naming it."""
    f = tmp_path / "commas.csv"
    header = "date,pain_after\n2026-10-01,2\n" if command[0] == "pain" else "date,distance_km\n2026-10-20,5\n"
    f.write_text(header + "," * 1_500_000 + "\n")
    r = cli(*command, str(f))
    assert r.exit_code == 2 and f"{f}:3: the line is longer than 65,536 characters" in r.output, r.output


def test_lines_split_as_csv_expects_and_keep_every_character():
    from runload.textfile import lines

    text = "a,b\r\nc,\"d\re\"\nf\rg" + "x" * 10
    assert list(lines(text, path="t")) == ["a,b\r\n", "c,\"d\r", "e\"\n", "f\r", "g" + "x" * 10]
    assert "".join(lines("ab\r\n" * 5, path="t", max_chars=2)) == "ab\r\n" * 5  # CRLF at the window's edge
    with pytest.raises(InputError, match="line is longer than 3 characters"):
        list(lines("abcd\n", path="t", max_chars=3))
