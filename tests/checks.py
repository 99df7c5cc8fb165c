"""Checks the tests share: golden files, JSON schemas, text without its wrapping, strict JSON,
control characters a terminal would act on, and stored rows within the physical bounds."""

from __future__ import annotations

import json
import math
import os
import sqlite3
from pathlib import Path

from conftest import REPO
from runload import bounds
from runload.models import Activity

GOLDEN = Path(__file__).resolve().parent / "golden"
UPDATE = os.environ.get("RUNLOAD_UPDATE_GOLDEN") == "1"


def check_golden(name: str, text: str) -> None:
    """Compare with tests/golden/<name>; with RUNLOAD_UPDATE_GOLDEN=1 write it instead."""
    path = GOLDEN / name
    if UPDATE:
        GOLDEN.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return
    assert path.exists(), f"{path} missing: run with RUNLOAD_UPDATE_GOLDEN=1 to create it"
    assert text == path.read_text(encoding="utf-8"), f"{name} differs from the golden file (see module docstring)"


def flat(text: str) -> str:
    """Text with its line wrapping undone, to look for a sentence in it."""
    return " ".join(text.split())


def validate(data: dict, schema_file: str) -> None:
    import jsonschema

    schema = json.loads((REPO / "docs" / schema_file).read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(data, schema, cls=jsonschema.Draft202012Validator)


def raw_controls(text: str) -> list[str]:
    """Control characters a terminal would act on (ESC, BEL, C1, bidi overrides)."""
    return [c for c in text if (ord(c) < 32 and c not in "\n\t") or 0x7f <= ord(c) <= 0x9f
            or c in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"]


DEAD = "the reader's process died on this file"


def strict_json(text: str) -> object:
    """JSON as a strict parser reads it: Infinity and NaN are not JSON."""
    def refuse(token: str) -> None:
        raise AssertionError(f"not JSON: {token}")
    return json.loads(text, parse_constant=refuse)


def stored_rows(store_path: Path, athlete: str = "ana") -> list[Activity]:
    """Every stored activity as it is in the file, bypassing the reader's bounds filter."""
    from runload.store.rows import ACTIVITY_SELECT, activity_from_row

    with sqlite3.connect(store_path) as conn:
        rows = conn.execute(f"SELECT {ACTIVITY_SELECT} FROM activities WHERE athlete_id = ?", (athlete,)).fetchall()
    return [activity_from_row(r) for r in rows]


def assert_all_within_bounds(store_path: Path, athlete: str = "ana") -> list[Activity]:
    rows = stored_rows(store_path, athlete)
    for a in rows:
        assert bounds.within_bounds(a), (a.source_file, bounds.check_activity(a).notes, a)
        assert math.isfinite(a.distance_m) and a.distance_m >= 0
        if a.is_run and a.timer_s:
            assert a.distance_m / max(a.timer_s, a.elapsed_s or 0) <= bounds.max_running_speed_mps(a.distance_m)
    return rows
