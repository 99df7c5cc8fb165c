"""Labelled data from two CSV files: training and injuries.

Training: a header with at least ``athlete,date,distance_km``, one row per session or per day
(several rows of one day are several sessions); optional ``duration_min``, ``rpe`` (0-10),
``hr_avg`` (bpm) and ``km_hard`` (kept for the record: no rule reads kilometres at high
intensity without heart-rate zones or lap paces). Injuries: ``athlete,date`` (the onset),
optional ``body_part`` and ``days_lost`` (days from the onset the athlete could not train: days
judged then are not at risk and are left out).

Each athlete is one history judged on every day from their first training day to the last day
outcomes are known (their last training day or last injury, whichever is later).
"""

from __future__ import annotations

import csv
from datetime import date, timedelta
from pathlib import Path

from runload.errors import InputError
from runload.evaluate.labelled import Case, CaseList, Labelled, athlete, days_between, onsets, run
from runload.models import AthleteData
from runload.textfile import read_utf8

TRAINING_COLUMNS = ("athlete", "date", "distance_km")
OPTIONAL_TRAINING = ("duration_min", "rpe", "hr_avg", "km_hard")
INJURY_COLUMNS = ("athlete", "date")
MAX_CSV_BYTES = 200 * 2**20


def _rows(path: str | Path, required: tuple[str, ...], what: str) -> list[tuple[int, dict[str, str]]]:
    text = read_utf8(path, what=what, max_bytes=MAX_CSV_BYTES)
    reader = csv.DictReader(text.splitlines())
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in required if c not in header]
    if missing:
        raise InputError(f"the {what} needs a header with {', '.join(required)} (no column {missing[0]!r})",
                         path=str(path))
    reader.fieldnames = header
    return [(i + 2, {k: (v or "").strip() for k, v in row.items() if k}) for i, row in enumerate(reader)]


def _date(text: str, path: str | Path, line: int) -> date:
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        raise InputError(f"line {line}: {text!r} is not a date (YYYY-MM-DD)", path=str(path)) from None


def _number(text: str, path: str | Path, line: int, column: str, *, required: bool = False) -> float | None:
    if not text:
        if required:
            raise InputError(f"line {line}: {column} is empty", path=str(path))
        return None
    try:
        v = float(text)
    except ValueError:
        raise InputError(f"line {line}: {column} {text!r} is not a number", path=str(path)) from None
    if not (v >= 0 and v < 1e6):
        raise InputError(f"line {line}: {column} {text!r} is out of range", path=str(path))
    return v


def read(training: str | Path, injuries: str | Path) -> Labelled:
    """The two CSV files as labelled data (see the module docstring)."""
    rows = _rows(training, TRAINING_COLUMNS, "training CSV")
    present = {c for _, r in rows[:1] for c in r if c in OPTIONAL_TRAINING}
    acts: dict[str, list] = {}
    per_day: dict[tuple[str, date], int] = {}
    for line, r in rows:
        a = r["athlete"]
        if not a:
            raise InputError(f"line {line}: athlete is empty", path=str(training))
        d = _date(r["date"], training, line)
        km = _number(r["distance_km"], training, line, "distance_km", required=True)
        slot = per_day[(a, d)] = per_day.get((a, d), -1) + 1
        acts.setdefault(a, []).append(run(a, d, km or 0.0, minutes=_number(r.get("duration_min", ""), training, line,
                                                                          "duration_min"),
                                          rpe=_number(r.get("rpe", ""), training, line, "rpe"),
                                          hr=_number(r.get("hr_avg", ""), training, line, "hr_avg"), slot=slot))
    inj_rows = _rows(injuries, INJURY_COLUMNS, "injuries CSV")
    pairs: list[tuple[str, date]] = []
    out: dict[str, list[tuple[date, date]]] = {}
    for line, r in inj_rows:
        d = _date(r["date"], injuries, line)
        pairs.append((r["athlete"], d))
        lost = _number(r.get("days_lost", ""), injuries, line, "days_lost")
        if lost:
            out.setdefault(r["athlete"], []).append((d, d + timedelta(days=int(lost) - 1)))
    injured = onsets(pairs)
    cases, follow_up = [], {}
    for a in sorted(acts):
        days = sorted({act.start_utc.date() for act in acts[a]})
        last = max([days[-1], *injured.get(a, ())])
        follow_up[a] = last
        cases.append(Case(AthleteData(athlete(a), tuple(sorted(acts[a], key=lambda x: x.start_utc))),
                          days_between(days[0], last)))
    inputs = tuple(n for c, n in (("duration_min", "duration"), ("rpe", "rpe")) if c in present)
    if "rpe" in inputs and "duration" not in inputs:
        inputs = tuple(i for i in inputs if i != "rpe")  # session load is RPE x minutes
    return Labelled(name=f"{Path(training).name} and {Path(injuries).name}", cases=CaseList(cases),
                    injuries={a: ds for a, ds in injured.items() if a in follow_up}, follow_up=follow_up,
                    how=("Each athlete's sessions are one history, judged on every day from the first training "
                         "day to the last day outcomes are known, with only what was recorded up to that day."),
                    out={a: tuple(s) for a, s in out.items()}, inputs=inputs)
