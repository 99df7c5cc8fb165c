"""Import the same folders with two runload checkouts and compare the two stores column by column.

    .venv/bin/python scripts/compare_import_stores.py OLD_SRC NEW_SRC FOLDER [FOLDER ...]

``OLD_SRC`` and ``NEW_SRC`` are the ``src`` folders of the two checkouts (an older commit and this
one, say). Each folder is imported into a new store by each checkout (``runload import --json``,
twice: the second import finds everything known), and every table of the two stores is compared
row by row, column by column, leaving out only the times the store records of its own clock
(when a file was imported, when an import started and finished). The import summaries are
compared too. Exit status 1 when anything differs; what differs is printed.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

# what the store writes from its own clock: different in every run
CLOCK_COLUMNS = {"imported_utc", "started_utc", "finished_utc", "created_utc", "replaced_utc"}


def _run(src: Path, store: Path, *args: str) -> str:
    env = {**os.environ, "PYTHONPATH": str(src), "RUNLOAD_STORE": str(store)}
    res = subprocess.run([sys.executable, "-m", "runload", *args], env=env, capture_output=True, text=True)
    if res.returncode not in (0, 1):
        sys.exit(f"{src}: runload {' '.join(args)} failed ({res.returncode}): {res.stderr[-2000:]}")
    return res.stdout


def import_into(src: Path, store: Path, folder: Path) -> list[object]:
    """The summaries of two imports of ``folder`` into a new store by the runload in ``src``."""
    _run(src, store, "athlete", "add", "cmp", "--name", "Compare", "--timezone", "Europe/Stockholm")
    return [json.loads(_run(src, store, "import", "--athlete", "cmp", str(folder), "--json")) for _ in range(2)]


def tables(store: Path) -> dict[str, tuple[list[str], list[tuple[object, ...]]]]:
    """Every table's columns (clock columns left out) and rows, in rowid order."""
    conn = sqlite3.connect(store)
    try:
        out = {}
        for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"):
            cols = [r[1] for r in conn.execute(f"PRAGMA table_info({name})") if r[1] not in CLOCK_COLUMNS]
            rows = conn.execute(f"SELECT {', '.join(cols)} FROM {name} ORDER BY rowid").fetchall()
            if "row_json" in cols:  # a replaced row kept whole, its clock columns in it
                at = cols.index("row_json")
                rows = [(*r[:at], _without_clock(r[at]), *r[at + 1:]) for r in rows]
            out[name] = (cols, rows)
        return out
    finally:
        conn.close()


def _without_clock(text: object) -> object:
    """A row kept as JSON (a replaced activity) without the columns the store's clock wrote."""
    if not isinstance(text, str):
        return text
    row = json.loads(text)
    return json.dumps({k: v for k, v in row.items() if k not in CLOCK_COLUMNS}) if isinstance(row, dict) else text


def differences(old: Path, new: Path) -> list[str]:
    a, b = tables(old), tables(new)
    found = [f"table {t} only in one store" for t in sorted(set(a) ^ set(b))]
    for name in sorted(set(a) & set(b)):
        (cols_a, rows_a), (cols_b, rows_b) = a[name], b[name]
        if cols_a != cols_b:
            found.append(f"{name}: columns differ ({cols_a} / {cols_b})")
            continue
        if len(rows_a) != len(rows_b):
            found.append(f"{name}: {len(rows_a)} rows / {len(rows_b)} rows")
        for i, (ra, rb) in enumerate(zip(rows_a, rows_b)):
            for col, va, vb in zip(cols_a, ra, rb):
                if va != vb or type(va) is not type(vb):
                    found.append(f"{name} row {i + 1} {col}: {va!r:.200} / {vb!r:.200}")
    return found


def main(argv: list[str]) -> int:
    if len(argv) < 3:
        print(__doc__)
        return 2
    old_src, new_src, folders = Path(argv[0]), Path(argv[1]), [Path(f) for f in argv[2:]]
    failed = False
    with tempfile.TemporaryDirectory() as tmp:
        for i, folder in enumerate(folders):
            old, new = Path(tmp) / f"old{i}.sqlite", Path(tmp) / f"new{i}.sqlite"
            sum_old, sum_new = import_into(old_src, old, folder), import_into(new_src, new, folder)
            found = differences(old, new)
            if sum_old != sum_new:
                found.append(f"the import summaries differ: {sum_old} / {sum_new}")
            rows = sum(len(r) for _, r in tables(new).values())
            print(f"{folder}: {'the same' if not found else f'{len(found)} differences'} ({rows} rows)")
            for line in found[:50]:
                print("  " + line)
            failed = failed or bool(found)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
