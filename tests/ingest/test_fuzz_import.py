"""Fuzzing the import with mutants of the real watch files in ../shared/real_activities.

Each batch is a folder of mutants (bit flips, truncation, number fields replaced by nan, inf,
1e15, years 0001 and 9999, gzip and zip wrappings, hostile zip directories and XML, chained
copies, repeated session and lap messages, every point at one instant, C1 and bidi controls in
text fields) beside one good file and two links out of the folder, imported through the command
line with worker processes. Whatever the mutants hold: no traceback, no dead worker, no reason in
Python's words, the good file imported, the links not followed, strict JSON out, nothing outside
the physical bounds in the store, no day or week no one can run, and no control character in
stored text.

``make test`` runs a fixed, seeded set of batches (a few seconds). ``make fuzz`` runs batches for
``RUNLOAD_FUZZ_SECONDS`` (default 300) from ``RUNLOAD_FUZZ_SEED``; a failure names the seed and
batch, ``RUNLOAD_FUZZ_FIRST=N`` starts at batch N (a failed batch replays at once), and
``RUNLOAD_FUZZ_KEEP=DIR`` keeps every batch's files there to look at.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import random
import re
import shutil
import struct
import time
import zipfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from conftest import REAL, needs_real
from runload import bounds
from runload.textsafe import unsafe_char
from builders import gpx_run, raw_zip
from checks import DEAD, assert_all_within_bounds, strict_json

pytestmark = pytest.mark.slow  # batches of mutated real files

SEED = int(os.environ.get("RUNLOAD_FUZZ_SEED", "16"))
SECONDS = float(os.environ.get("RUNLOAD_FUZZ_SECONDS", "0"))  # 0: the quick fixed run of make test
FIRST = int(os.environ.get("RUNLOAD_FUZZ_FIRST", "0"))  # the first batch (to replay one that failed)
QUICK_BATCHES, MUTANTS_PER_BATCH = 10, 12
QUICK_MAX_BYTES = 250_000  # the quick run mutates the smaller real files (gpxpy reads 1 MB in a second)
PYTHON_WORDS = re.compile(r"Traceback|\b[A-Z][a-zA-Z]*(Error|Exception)\b|\bErrno\b|object has no attribute")

NUMBERS = [b"nan", b"NaN", b"inf", b"-inf", b"Infinity", b"1e15", b"-1e15", b"1e308", b"-0", b"99999999999999999999"]
YEARS = [b"0001", b"9999", b"1900", b"2117", b"1989"]
_NUMBER_RE = re.compile(rb"(?<=[>\"])-?\d+(?:\.\d+)?(?=[<\"])")
_YEAR_RE = re.compile(rb"(?<=[>\"])\d{4}(?=-\d\d-\d\dT)")


def real_files(max_bytes: int | None) -> list[Path]:
    files = sorted(p for p in REAL.rglob("*") if p.is_file() and p.name != "MANIFEST.tsv")
    return [p for p in files if max_bytes is None or p.stat().st_size <= max_bytes]


# ---------------------------------------------------------------- mutations
def _plain(data: bytes) -> bytes:
    return gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data


def bit_flips(rng: random.Random, data: bytes) -> bytes:
    out = bytearray(data)
    for _ in range(rng.choice([1, 2, 8, 64])):
        i = rng.randrange(len(out))
        out[i] ^= 1 << rng.randrange(8)
    return bytes(out)


def truncate(rng: random.Random, data: bytes) -> bytes:
    return data[: rng.randrange(len(data))]


def numbers(rng: random.Random, data: bytes) -> bytes:
    """XML: numeric text and attributes replaced by nan, inf, 1e15...; FIT: 4-byte words by extremes."""
    data = _plain(data)
    spots = list(_NUMBER_RE.finditer(data))
    if not spots:  # binary: overwrite a few aligned words with invalid or huge values
        out = bytearray(data)
        for _ in range(rng.choice([1, 4, 16])):
            i = rng.randrange(14, max(15, len(out) - 4)) & ~3
            out[i:i + 4] = struct.pack("<I", rng.choice([0, 0xFFFFFFFF, 0x7FFFFFFF, 0xFFFFFFFE, 0x80000000]))
        return bytes(out)
    picks = rng.sample(spots, min(len(spots), rng.choice([1, 3, 20])))
    out = data
    for m in sorted(picks, key=lambda m: -m.start()):
        out = out[:m.start()] + rng.choice(NUMBERS) + out[m.end():]
    return out


def years(rng: random.Random, data: bytes) -> bytes:
    data = _plain(data)
    spots = list(_YEAR_RE.finditer(data))
    if not spots:
        return bit_flips(rng, data)
    year = rng.choice(YEARS)
    if rng.random() < 0.5:  # every time, or just one
        return _YEAR_RE.sub(year, data)
    m = rng.choice(spots)
    return data[:m.start()] + year + data[m.end():]


def hostile_xml(rng: random.Random, data: bytes) -> bytes:
    data = _plain(data)
    choice = rng.randrange(6)
    if choice == 0:  # entity expansion
        return (b'<?xml version="1.0"?><!DOCTYPE gpx [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">'
                b'<!ENTITY c "&b;&b;&b;&b;&b;&b;">]><gpx version="1.1"><trk><name>&c;</name></trk></gpx>')
    if choice == 1:  # an external entity
        return (b'<?xml version="1.0"?><!DOCTYPE gpx [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                b'<gpx version="1.1"><trk><name>&x;</name></trk></gpx>')
    if choice == 2:  # deep nesting (depth the recursion limit catches)
        i = data.find(b"</trkpt>")
        if i > 0:
            return data[:i] + b"<extensions>" + b"<a>" * 5000 + b"</a>" * 5000 + b"</extensions>" + data[i:]
    if choice == 3:  # a huge name
        return data.replace(b"<trk>", b"<trk><name>" + b"N" * 300_000 + b"</name>", 1)
    if choice == 4:  # UTF-16 with a byte-order mark
        return b"\xff\xfe" + data.decode("utf-8", "replace").encode("utf-16-le")
    return b"\xef\xbb\xbf  \n" + data + b"<trailing>"  # BOM, whitespace, trailing junk


def hostile_zip(rng: random.Random, data: bytes) -> bytes:
    name = rng.choice([b"", b"run.fit", b"caf\xe9.gpx", b"../../escape.tcx", b"a/b/c.fit.gz", b"x.zip"])
    flags = rng.choice([0, 0x800, 0x1])  # none, UTF-8, "encrypted"
    version = rng.choice([20, 63, 84])
    member = data if not name.endswith(b".gz") else gzip.compress(data)
    entries = [(name, member, flags, version), (b"notes.json", b"{}", 0, 20)]
    zipped = raw_zip(entries)
    kind = rng.randrange(5)
    if kind == 0:
        return bit_flips(rng, zipped)
    if kind == 1:
        return truncate(rng, zipped)
    if kind == 2:  # nested, damaged inside
        return raw_zip([(b"inner.zip", bit_flips(rng, zipped), 0, 20)])
    if kind == 3:  # a member that is a small bomb
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr("bomb.gpx", b"\0" * (3 * 1024 * 1024))
            z.writestr("run.fit", data)
        return buf.getvalue()
    return zipped


def _is_fit(data: bytes) -> bool:
    return len(data) >= 12 and data[8:12] == b".FIT"


def chained(rng: random.Random, data: bytes) -> bytes:
    """Copies of one activity in one file: FIT files chained, or a GPX/TCX track repeated."""
    data = _plain(data)
    n = rng.choice([2, 20, 60])
    if _is_fit(data):
        return data * n
    for open_tag, close_tag in ((b"<trk>", b"</trk>"), (b"<Activity ", b"</Activity>")):
        i, j = data.find(open_tag), data.find(close_tag)
        if 0 <= i < j:
            block = data[i:j + len(close_tag)]
            return data[:i] + block * n + data[j + len(close_tag):]
    return data * n


def repeated_messages(rng: random.Random, data: bytes) -> bytes:
    """A FIT file whose session (and lap) message is repeated, up to 300 times."""
    from builders import fit_sessions

    start = datetime(2024, 1, 1, 6, tzinfo=timezone.utc) + timedelta(days=rng.randrange(300))
    return fit_sessions([start] * rng.choice([2, 40, 300]), minutes=rng.choice([5, 30]), laps=rng.choice([1, 5]))


def same_time(rng: random.Random, data: bytes) -> bytes:
    """Every timestamp of a GPX or TCX replaced by the first one (no time passes)."""
    data = _plain(data)
    for tag in (rb"<time>([^<]+)</time>", rb"<Time>([^<]+)</Time>"):
        first = re.search(tag, data)
        if first:
            return re.sub(tag, first.group(0).replace(b"\\", b"\\\\"), data)
    return bit_flips(rng, data)


CONTROLS = ["\u0085", "\u009b2J", "\u202e", "\x1b]52;c;AAAA\x07", "\u2066", "\x00"]


def control_text(rng: random.Random, data: bytes) -> bytes:
    """C0, C1 and bidi controls in every text field of a GPX or TCX (names, types, notes)."""
    data = _plain(data)
    bad = "".join(rng.sample(CONTROLS, 3)).replace("\x00", "").encode()
    out = re.sub(rb"(<(?:name|desc|cmt|Notes|Name)>)", rb"\1" + bad.replace(b"\\", b"\\\\"), data)
    if out == data:
        out = data.replace(b"<trk>", b"<trk><name>" + bad + b"</name>", 1)
    return out


MUTATIONS = {"flip": bit_flips, "cut": truncate, "num": numbers, "year": years, "xml": hostile_xml,
             "zip": hostile_zip, "chain": chained, "repeat": repeated_messages, "sametime": same_time,
             "text": control_text}
SUFFIXES = {"zip": ".zip", "repeat": ".fit"}


def mutant(rng: random.Random, source: Path) -> tuple[str, bytes]:
    """A file name saying what was done, and the mutated bytes."""
    data = source.read_bytes()
    how = rng.choice(list(MUTATIONS))
    out = MUTATIONS[how](rng, data)
    if how != "zip" and rng.random() < 0.15:
        out = gzip.compress(out)  # content detection: gzip whatever the name says
        if rng.random() < 0.5:
            out = truncate(rng, out)
    suffix = SUFFIXES.get(how, "".join(source.suffixes[-2:]) if source.name.endswith(".gz") else source.suffix)
    return f"{how}-{source.stem.split('.')[0][:30]}{suffix}", out


def good_file(batch: int) -> tuple[str, bytes]:
    """A run no mutant can be a copy of: a day of 2025 of its own per batch."""
    start = datetime(2025, 1, 1, 7, tzinfo=timezone.utc) + timedelta(days=batch % 300)
    return f"zz-good-{batch}.gpx", gpx_run(start, points=300, sport="running")


# ---------------------------------------------------------------- one batch
def run_batch(cli, tmp_path: Path, seed: int, batch: int, sources: list[Path], keep: Path | None) -> None:
    rng = random.Random(f"{seed}:{batch}")
    folder = tmp_path / f"batch-{batch}"
    folder.mkdir()
    for i in range(MUTANTS_PER_BATCH):
        name, data = mutant(rng, rng.choice(sources))
        (folder / f"{i:02d}-{name}").write_bytes(data)
    good_name, good = good_file(batch)
    (folder / good_name).write_bytes(good)
    # links out of the folder: to a system file and to someone else's run (neither is read)
    (tmp_path / f"elsewhere-{batch}.gpx").write_bytes(good_file(batch + 1)[1])
    (folder / "link-passwd.gpx").symlink_to("/etc/passwd")
    (folder / "link-elsewhere.gpx").symlink_to(tmp_path / f"elsewhere-{batch}.gpx")
    if keep:
        shutil.copytree(folder, keep / folder.name, dirs_exist_ok=True)
    athlete = f"f{batch}"
    replay = f"RUNLOAD_FUZZ_SEED={seed} RUNLOAD_FUZZ_FIRST={batch}" + (" RUNLOAD_FUZZ_SECONDS=1" if SECONDS else "")
    where = f"seed {seed}, batch {batch}: replay with {replay} make fuzz"
    assert cli("athlete", "add", athlete, "--name", "Fuzz").exit_code == 0
    r = cli("import", "--athlete", athlete, str(folder), "--json", "--workers", "2")
    assert r.exit_code in (0, 1), (where, r.output)
    out = strict_json(r.output)
    for f in out["failed"]:
        assert not f["reason"].startswith(DEAD), (where, f)
        assert not PYTHON_WORDS.search(f["reason"]), (where, f)
    for w in out["warnings"]:
        assert not PYTHON_WORDS.search(w["warning"]), (where, w)
    rows = assert_all_within_bounds(tmp_path / "store.sqlite", athlete)
    assert any(a.source_file.endswith(good_name) for a in rows), (where, out)
    assert not any("link-" in (a.source_file or "") for a in rows), (where, out)
    assert {Path(w["file"]).name for w in out["warnings"] if "not followed" in w["warning"]} == {
        "link-passwd.gpx", "link-elsewhere.gpx"}, (where, out)
    assert bounds.period_problem(rows, timezone.utc) is None, (where, out)  # no week no one can run
    for a in rows:
        for text in (a.name, a.gear, a.device, a.sub_sport, a.source_file):
            assert text is None or unsafe_char(text) is None, (where, a)
    weeks = cli("weeks", "--athlete", athlete, "--format", "json")
    assert weeks.exit_code == 0, (where, weeks.output)
    strict_json(weeks.output)
    again = cli("import", "--athlete", athlete, str(folder), "--json", "--workers", "2")  # a re-run is calm too
    assert again.exit_code in (0, 1) and json.loads(again.output)["activities"] == 0, (where, again.output)
    shutil.rmtree(folder)


@needs_real
def test_fuzz_import(cli, tmp_path: Path) -> None:
    keep = Path(os.environ["RUNLOAD_FUZZ_KEEP"]) if os.environ.get("RUNLOAD_FUZZ_KEEP") else None
    if keep:
        keep.mkdir(parents=True, exist_ok=True)
    sources = real_files(None if SECONDS else QUICK_MAX_BYTES)
    assert sources
    deadline = time.monotonic() + SECONDS
    batch = FIRST
    while batch < FIRST + QUICK_BATCHES if not SECONDS else time.monotonic() < deadline:
        run_batch(cli, tmp_path, SEED, batch, sources, keep)
        batch += 1
    if SECONDS:
        print(f"\nfuzz: batches {FIRST} to {batch - 1} of {MUTANTS_PER_BATCH} mutants each (seed {SEED}), "
              f"{SECONDS:.0f} s: all held")


def test_mutations_do_what_they_say() -> None:
    """The mutators themselves (no real files needed): each changes what it claims to."""
    rng = random.Random(1)
    xml = b'<gpx><trkpt lat="59.3" lon="18.0"><time>2024-05-06T07:00:00Z</time><ele>10</ele></trkpt></gpx>'
    assert years(random.Random(3), xml) != xml and b"2024" not in _YEAR_RE.sub(b"9999", xml)
    mutated = numbers(rng, xml)
    assert mutated != xml and any(n in mutated for n in NUMBERS)
    assert len(truncate(rng, xml)) < len(xml)
    assert bit_flips(rng, xml) != xml
    z = hostile_zip(random.Random(5), xml)
    assert z[:2] == b"PK"
    gpx = gpx_run(points=5)
    assert chained(random.Random(2), gpx).count(b"<trk>") >= 2
    assert len(set(re.findall(rb"<time>[^<]+</time>", same_time(rng, gpx)))) == 1
    assert b"\xc2\x85" in control_text(random.Random(4), gpx) or b"\xe2\x80\xae" in control_text(random.Random(4), gpx)
    assert repeated_messages(random.Random(6), b"")[8:12] == b".FIT"
