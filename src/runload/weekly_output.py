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

import pandas as pd

from runload.textfmt import table
from runload.units import from_km, label

FIELDS = ["week_start", "distance_km", "duration_s", "runs", "longest_run_km", "change_pct", "base_too_small"]
MILE_FIELDS = ["distance_mi", "longest_run_mi"]  # added after FIELDS for an athlete who reads miles


def weekly_records(weekly: pd.DataFrame, units: str = "km") -> list[dict[str, object]]:
    """JSON-ready rows: ISO dates, distances to 0.01 km, change to 0.1%, NaN as None; with
    ``units="mi"`` also ``distance_mi`` and ``longest_run_mi`` (to 0.01 mi)."""
    out = []
    for r in weekly.itertuples(index=False):
        change = None if r.change_pct is None or math.isnan(r.change_pct) else round(float(r.change_pct), 1)
        out.append({
            "week_start": r.week_start.isoformat(),
            "distance_km": round(float(r.distance_km), 2),
            "duration_s": round(float(r.duration_s)),
            "runs": int(r.runs),
            "longest_run_km": round(float(r.longest_run_km), 2),
            "change_pct": change,
            "base_too_small": bool(r.base_too_small),
        })
        if units == "mi":
            out[-1].update(distance_mi=round(from_km(float(r.distance_km), units), 2),
                           longest_run_mi=round(from_km(float(r.longest_run_km), units), 2))
    return out


def format_weeks(weekly: pd.DataFrame, fmt: str, units: str = "km") -> str:
    """Render the weekly series; ``fmt`` is ``table``, ``csv`` or ``json``; ``units`` the
    athlete's display units (``km`` or ``mi``)."""
    records = weekly_records(weekly, units)
    if fmt == "json":
        return json.dumps(records, indent=2) + "\n"
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.DictWriter(buf, fieldnames=FIELDS + (MILE_FIELDS if units == "mi" else []), lineterminator="\n")
        w.writeheader()
        w.writerows(records)
        return buf.getvalue()
    if not records:
        return "No runs yet.\n"
    rows = []
    cross = [round(float(x)) for x in weekly["cross_training_min"]] if "cross_training_min" in weekly else [0] * len(records)
    for r, other in zip(records, cross):
        change = "base too small" if r["base_too_small"] else (
            "-" if r["change_pct"] is None else f"{r['change_pct']:+.1f}%")
        flag = " !" if r["change_pct"] is not None and r["change_pct"] > 10 else ""
        dist, longest = (r["distance_mi"], r["longest_run_mi"]) if units == "mi" else (r["distance_km"], r["longest_run_km"])
        rows.append([r["week_start"], f"{dist:.1f}", r["runs"], f"{longest:.1f}",
                     f"{round(r['duration_s'] / 60)}", change + flag, other or "-"])
    unit = label(units)
    return table(["week", unit, "runs", f"longest {unit}", "minutes", "change", "other sports min"], rows,
                 align="lrrrrrr") + "\n"
