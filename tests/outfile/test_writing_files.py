"""Every file runload writes lands whole or not at all (a full disk leaves no 0-byte file and
says "disk full"; an import whose store cannot commit still prints its summary), and what runload
creates is readable by its owner only (0600 files, 0700 folders), whatever the umask."""

from __future__ import annotations

import errno
import os
import stat
import subprocess
from pathlib import Path

import pytest

from conftest import SAMPLES
from runload.outfile import OutputError, write_file


# ---------------------------------------------------------------- writing whole or not at all
def no_partial_files(folder: Path) -> None:
    left = [p for p in folder.rglob("*") if p.is_file() and (p.stat().st_size == 0 or p.name.endswith(".part"))]
    assert not left, left


@pytest.fixture
def full_disk(monkeypatch):
    """Every write of more than a few bytes fails as on a full disk (ENOSPC)."""
    real = os.write

    def write(fd, data):
        if len(data) > 8:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(fd, data)

    monkeypatch.setattr(os, "write", write)


def test_write_file_keeps_the_old_file_when_the_disk_is_full(tmp_path, full_disk):
    target = tmp_path / "report.txt"
    target.write_text("the old report")
    with pytest.raises(OutputError, match="the disk is full .no space left on the device.: the file was not "
                                          "written"):
        write_file(target, "a new report, longer than the disk can hold")
    assert target.read_text() == "the old report"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.txt"]


@pytest.fixture
def maya(cli, tmp_path):
    assert cli("athlete", "add", "maya", "--name", "Maya", "--email", "maya@example.org").exit_code == 0
    assert cli("import", "--athlete", "maya", str(SAMPLES / "maya")).exit_code == 0
    assert cli("pain", "add", "--athlete", "maya", "--date", "2026-10-12", "--pain-after", "3").exit_code == 0


OUTPUTS = {
    "export": lambda out: ["export", "--athlete", "maya", str(out / "export")],
    "site": lambda out: ["site", str(out / "site")],
    "report -o": lambda out: ["report", "--athlete", "maya", "-o", str(out / "report.txt")],
    "report --charts": lambda out: ["report", "--athlete", "maya", "--charts", str(out / "charts")],
    "roster -o": lambda out: ["roster", "-o", str(out / "roster.txt")],
    "email --outbox": lambda out: ["email", "--outbox", str(out / "outbox")],
    "plan --proposed": lambda out: ["plan", "check", "--athlete", "maya", "--run", "2026-10-20:30",
                                    "--proposed", str(out / "proposed.csv")],
}


@pytest.mark.slow  # imports a sample athlete's whole history, once per output
@pytest.mark.parametrize("name", list(OUTPUTS))
def test_a_full_disk_is_said_and_leaves_no_half_written_file(cli, maya, tmp_path, request, name):
    out = tmp_path / "out"
    out.mkdir()
    request.getfixturevalue("full_disk")  # after the store and the import were written
    r = cli(*OUTPUTS[name](out))
    assert r.exit_code == 2, r.output
    assert "the disk is full (no space left on the device)" in r.output and "Traceback" not in r.output
    no_partial_files(out)


@pytest.mark.slow  # imports a sample athlete's whole history, once per output
@pytest.mark.parametrize("name", list(OUTPUTS))
def test_outputs_are_private_whatever_the_umask(cli, maya, tmp_path, name):
    out = tmp_path / "out"
    out.mkdir()
    old = os.umask(0o022)
    try:
        r = cli(*OUTPUTS[name](out))
    finally:
        os.umask(old)
    assert r.exit_code in (0, 1), r.output
    made = [p for p in out.rglob("*")]
    assert made
    for p in made:
        mode = stat.S_IMODE(p.stat().st_mode)
        assert mode == (0o700 if p.is_dir() else 0o600), (p, oct(mode))


def test_a_new_store_and_its_folder_are_private_under_umask_022(cli, tmp_path, monkeypatch):
    store = tmp_path / "data" / "runload" / "store.sqlite"
    monkeypatch.setenv("RUNLOAD_STORE", str(store))
    old = os.umask(0o022)
    try:
        assert cli("athlete", "add", "maya", "--name", "Maya").exit_code == 0
        assert cli("pain", "add", "--athlete", "maya", "--date", "2026-10-12", "--pain-after", "3").exit_code == 0
    finally:
        os.umask(old)
    assert stat.S_IMODE(store.stat().st_mode) == 0o600
    assert stat.S_IMODE(store.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(store.parent.parent.stat().st_mode) == 0o700


@pytest.mark.slow  # imports a sample athlete's whole history
def test_a_store_that_cannot_commit_still_prints_the_import_summary(cli, athlete, monkeypatch):
    """The store reaches its size limit mid-import (as on a full disk: SQLITE_FULL): the JSON
    summary still prints, then one line says the disk is full; nothing half-done is stored."""
    import json

    from runload.store import Store

    real_open = Store.open.__func__
    full = [True]

    def small(cls, path, *, create=True):
        store = real_open(cls, path, create=create)
        if full[0]:
            pages = store.conn.execute("PRAGMA page_count").fetchone()[0]
            store.conn.execute(f"PRAGMA max_page_count = {pages + 3}")
        return store

    monkeypatch.setattr(Store, "open", classmethod(small))
    r = cli("import", "--athlete", "ana", "--json", str(SAMPLES / "maya"))
    assert r.exit_code == 2
    summary, _, error = r.output.rpartition("}\n")
    assert json.loads(summary + "}")["imported"] > 0
    assert error.startswith("Error: ") and "the import stopped: the disk is full (no space left on the device)" in error
    assert "no transaction is active" not in r.output
    full[0] = False  # space was freed
    again = cli("import", "--athlete", "ana", "--json", str(SAMPLES / "maya"))
    assert again.exit_code == 0 and json.loads(again.output)["imported"] > 0  # the rest is read again


@pytest.mark.slow  # imports a sample athlete's whole history
@pytest.mark.skipif(os.geteuid() != 0, reason="mounting a small tmpfs needs root")
def test_a_real_full_disk(cli, maya, tmp_path):
    """The same on a 64 KB tmpfs that is really full (skipped where it cannot be mounted)."""
    disk = tmp_path / "disk"
    disk.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(disk)], capture_output=True).returncode:
        pytest.skip("cannot mount a tmpfs here")
    try:
        fd = os.open(disk / "filler", os.O_WRONLY | os.O_CREAT)  # fill it to the last byte
        try:
            while os.write(fd, b"\0" * 512):
                pass
        except OSError:
            pass
        finally:
            os.close(fd)
        for name in ("export", "site", "report -o", "email --outbox"):
            r = cli(*OUTPUTS[name](disk))
            assert r.exit_code == 2 and "the disk is full" in r.output, (name, r.output)
        no_partial_files(disk)
    finally:
        subprocess.run(["umount", str(disk)], check=True)
