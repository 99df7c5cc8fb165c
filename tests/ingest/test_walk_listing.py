"""The walk over a folder: which files it gives, in which order, under which keys and
fingerprints, and what it says of the files it cannot read (links out of the folder, a link to
nothing, a named pipe). Pinned as events, so a faster listing cannot change what an import sees."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from runload.ingest import walk


def _events(paths: list[Path]) -> list[tuple[str, ...]]:
    out: list[tuple[str, ...]] = []
    for ev in walk.walk(paths):
        if isinstance(ev, walk.Source):
            out.append(("source", ev.name, ev.key, ev.fingerprint, ev.stored_name or "", str(ev.kind)))
        elif isinstance(ev, walk.Unreadable):
            out.append(("unreadable", ev.name, ev.reason, str(ev.notice)))
        elif isinstance(ev, walk.Repeated):
            out.append(("repeated", ev.key))
        elif isinstance(ev, walk.Listed):
            out.append(("listed", str(ev.count)))
        else:
            out.append((type(ev).__name__,))
    return out


def _fp(path: Path) -> str:
    st = path.stat()
    return f"{st.st_size}:{st.st_mtime_ns}"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes and links as on Unix")
def test_a_folder_is_listed_in_path_order_with_links_and_odd_files_said(tmp_path, monkeypatch):
    root = tmp_path / "watch"
    for folder in ("a/b", "a-b", "Z"):
        (root / folder).mkdir(parents=True)
    (root / "a" / "x.fit").write_bytes(b"x" * 20)
    (root / "a" / "b" / "y.fit").write_bytes(b"y" * 30)
    (root / "a-b" / "c.fit").write_bytes(b"c" * 40)
    (root / "Z" / "upper.FIT").write_bytes(b"u" * 50)
    (root / "Z" / "inside.fit").symlink_to(Path("..") / "a" / "x.fit")  # the same file again
    (root / "Z" / "nowhere.fit").symlink_to("missing.fit")
    (root / "a" / "outside.fit").symlink_to(tmp_path / "elsewhere.fit")
    (tmp_path / "elsewhere.fit").write_bytes(b"e" * 10)
    os.mkfifo(root / "a" / "pipe.fit")
    (root / "a" / "notes.txt").write_text("not looked at", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    real = (tmp_path / "watch").resolve()

    assert _events([Path("watch")]) == [
        ("listed", "8"),
        # Z/inside.fit is a link to a/x.fit: found first (Z sorts before a), under the target's key
        ("source", "watch/Z/inside.fit", str(real / "a" / "x.fit"), _fp(root / "a" / "x.fit"), "watch/Z/inside.fit",
         "fit"),
        ("unreadable", "watch/Z/nowhere.fit", "cannot read: No such file or directory", "False"),
        ("source", "watch/Z/upper.FIT", str(real / "Z" / "upper.FIT"), _fp(root / "Z" / "upper.FIT"),
         "watch/Z/upper.FIT", "fit"),
        # a/b/y.fit before a/outside.fit and a-b/c.fit: by path parts, not by the text of the path
        ("source", "watch/a/b/y.fit", str(real / "a" / "b" / "y.fit"), _fp(root / "a" / "b" / "y.fit"),
         "watch/a/b/y.fit", "fit"),
        ("unreadable", "watch/a/outside.fit", "a link to a file outside watch: not followed", "True"),
        ("unreadable", "watch/a/pipe.fit", "not a regular file (a pipe, socket or device): not read", "False"),
        ("repeated", str(real / "a" / "x.fit")),
        ("source", "watch/a-b/c.fit", str(real / "a-b" / "c.fit"), _fp(root / "a-b" / "c.fit"), "watch/a-b/c.fit",
         "fit"),
    ]
    # a file named on its own is read whatever it is called; named again inside its folder, once
    assert _events([Path("watch/a/x.fit"), Path("watch/a")])[:2] == [
        ("listed", "1"),
        ("source", "watch/a/x.fit", str(real / "a" / "x.fit"), _fp(root / "a" / "x.fit"), "x.fit", "fit"),
    ]


def test_head_reads_the_first_bytes_or_none(tmp_path):
    from runload.ingest.sniff import head

    (tmp_path / "short.fit").write_bytes(b"abc")
    (tmp_path / "long.fit").write_bytes(bytes(range(256)) * 40)
    assert head(tmp_path / "short.fit") == b"abc"
    assert head(tmp_path / "long.fit") == bytes(range(16))
    assert head(tmp_path / "long.fit", 4096) == (bytes(range(256)) * 40)[:4096]
    assert head(tmp_path / "missing.fit") == b""
    assert head(tmp_path) == b""  # a folder: nothing to read
