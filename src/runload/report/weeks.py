"""The weekly series as a table, CSV or JSON (what ``runload weeks`` prints).

CSV and JSON keep kilometre keys (``distance_km``, ``longest_run_km``) for every athlete, so
scripts need not care; for an athlete who reads miles they add ``distance_mi`` and
``longest_run_mi`` (1 mi = 1.609344 km). The table shows the athlete's own units.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, TypedDict

from runload.load.formulas import trimp_formula, trimp_formula_key
from runload.report.table import table
from runload.textsafe import csv_cell
from runload.units import from_km, label

if TYPE_CHECKING:
    import pandas as pd

FIELDS = ["week_start", "distance_km", "duration_s", "runs", "longest_run_km", "change_pct", "base_too_small",
          "no_data", "complete", "trimp", "trimp_formula"]
MILE_FIELDS = ["distance_mi", "longest_run_mi"]  # added after FIELDS for an athlete who reads miles


class WeekRecord(TypedDict, total=False):
    """One week of :func:`weekly_records` (the mile fields only for an athlete who reads miles)."""

    week_start: str
    distance_km: float
    duration_s: int
    runs: int
    longest_run_km: float
    change_pct: float | None
    base_too_small: bool
    no_data: bool
    complete: bool
    trimp: float | None
    trimp_formula: str | None
    distance_mi: float
    longest_run_mi: float


def weekly_records(weekly: pd.DataFrame, units: str = "km", sex: str | None = None) -> list[WeekRecord]:
    """JSON-ready rows of a weekly frame: ISO dates, distances to 0.01 km, change to 0.1%, NaN as
    None; with ``units="mi"`` also ``distance_mi`` and ``longest_run_mi`` (to 0.01 mi).
    ``no_data`` is true for a week runload knows none of the days of (a week without any file,
    or inside a stretch of 14+ days without any: unknown, not rest; its zeros are not
    measurements, and no change is judged on it or against it). ``complete`` is true when all
    seven days are known (:func:`runload.load.series.week_complete`): only a complete week is a
    reference, so ``change_pct`` is null after the first, partial week of a history too. ``trimp`` is the week's
    Banister TRIMP to 0.1 (None without heart rates or without the profile's resting and maximum
    heart rate) and ``trimp_formula`` which formula gave it (``banister-male``,
    ``banister-female``, ``banister-mean`` when the profile has no sex; None with no TRIMP)."""

    out: list[WeekRecord] = []
    has_trimp = "trimp" in weekly
    for r in weekly.itertuples(index=False):
        silent = bool(r.no_data)
        change = None if r.change_pct is None or math.isnan(r.change_pct) else round(float(r.change_pct), 1)
        trimp = float(r.trimp) if has_trimp and not math.isnan(r.trimp) else None
        out.append({
            "week_start": r.week_start.isoformat(),
            "distance_km": round(float(r.distance_km), 2),
            "duration_s": round(float(r.duration_s)),
            "runs": int(r.runs),
            "longest_run_km": round(float(r.longest_run_km), 2),
            "change_pct": change,
            "base_too_small": bool(r.base_too_small),
            "no_data": silent,
            "complete": bool(r.complete),
            "trimp": None if trimp is None else round(trimp, 1),
            "trimp_formula": None if trimp is None else trimp_formula_key(sex),
        })
        if units == "mi":
            out[-1]["distance_mi"] = round(from_km(float(r.distance_km), units), 2)
            out[-1]["longest_run_mi"] = round(from_km(float(r.longest_run_km), units), 2)
    return out


def format_weeks(weekly: pd.DataFrame, fmt: str, units: str = "km", sex: str | None = None,
                 coarse_hr_runs: int = 0) -> str:
    """Render the weekly series; ``fmt`` is ``table``, ``csv`` or ``json``; ``units`` the
    athlete's display units (``km`` or ``mi``); ``sex`` the profile's (it decides the TRIMP
    formula). In the table, a run of weeks without any data is one line, not dozens of zeros;
    with any TRIMP known it has a TRIMP column and says under it which formula gave it (and
    how many runs hold heart rate an older runload stored in 5-bpm bins: ``coarse_hr_runs``)."""

    records = weekly_records(weekly, units, sex)
    if fmt == "json":
        return json.dumps(records, indent=2) + "\n"
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.DictWriter(buf, fieldnames=FIELDS + (MILE_FIELDS if units == "mi" else []), lineterminator="\n")
        w.writeheader()
        w.writerows({k: csv_cell(v) for k, v in r.items()} for r in records)  # no cell a spreadsheet runs
        return buf.getvalue()
    if not records:
        return "No runs yet.\n"
    rows: list[Sequence[object]] = []
    with_trimp = any(r["trimp"] is not None for r in records)
    cross = [round(float(x)) for x in weekly["cross_training_min"]] if "cross_training_min" in weekly else [0] * len(records)
    for i, (r, other) in enumerate(zip(records, cross)):
        if r["no_data"]:
            if i and records[i - 1]["no_data"]:
                continue
            n = 1
            while i + n < len(records) and records[i + n]["no_data"]:
                n += 1
            rows.append([r["week_start"], "-", "-", "-", "-",
                         f"no data for {n} week{'s' if n != 1 else ''} (unknown, not rest)", "-"]
                        + (["-"] if with_trimp else []))
            continue
        if i and records[i - 1]["no_data"]:
            change = "after a gap"
        elif r["base_too_small"]:
            change = "base too small"
        elif r["change_pct"] is not None:
            change = f"{r['change_pct']:+.1f}%"
        else:  # the first week, or one after a week runload does not know whole: no percentage
            change = "not enough data"
        pct = r["change_pct"]
        flag = " !" if pct is not None and pct > 10 else ""
        dist, longest = (r["distance_mi"], r["longest_run_mi"]) if units == "mi" else (r["distance_km"], r["longest_run_km"])
        rows.append([r["week_start"], f"{dist:.1f}", r["runs"], f"{longest:.1f}",
                     f"{round(r['duration_s'] / 60)}", change + flag, other or "-"]
                    + ([f"{r['trimp']:.1f}" if r["trimp"] is not None else "-"] if with_trimp else []))
    unit = label(units)
    head = ["week", unit, "runs", f"longest {unit}", "minutes", "change", "other sports min"]
    out = table(head + (["TRIMP"] if with_trimp else []), rows, align="lrrrrrr" + ("r" if with_trimp else "")) + "\n"
    if with_trimp:
        out += f"TRIMP: {trimp_formula(sex)}; a run without heart rate adds nothing.\n"
        if coarse_hr_runs:
            out += coarse_hr_note(coarse_hr_runs) + "\n"
    return out


def coarse_hr_note(runs: int) -> str:
    """What to say about runs whose heart rate an older runload kept only in 5-bpm bins."""
    return (f"{runs} run{'s' if runs != 1 else ''} hold{'s' if runs == 1 else ''} heart rate in 5-bpm bins from an "
            f"older runload: TRIMP and hard-effort time from {'them' if runs != 1 else 'it'} are read at each "
            f"bin's middle; import the files again for exact figures.")
