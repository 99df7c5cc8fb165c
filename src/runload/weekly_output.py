"""The weekly series as a table, CSV or JSON (what ``runload weeks`` prints)."""

from __future__ import annotations

import csv
import io
import json
import math

import pandas as pd

from runload.textfmt import table

FIELDS = ["week_start", "distance_km", "duration_s", "runs", "longest_run_km", "change_pct", "base_too_small"]


def weekly_records(weekly: pd.DataFrame) -> list[dict[str, object]]:
    """JSON-ready rows: ISO dates, distances to 0.01 km, change to 0.1%, NaN as None."""
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
    return out


def format_weeks(weekly: pd.DataFrame, fmt: str) -> str:
    """Render the weekly series; ``fmt`` is ``table``, ``csv`` or ``json``."""
    records = weekly_records(weekly)
    if fmt == "json":
        return json.dumps(records, indent=2) + "\n"
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.DictWriter(buf, fieldnames=FIELDS, lineterminator="\n")
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
        rows.append([r["week_start"], f"{r['distance_km']:.1f}", r["runs"], f"{r['longest_run_km']:.1f}",
                     f"{round(r['duration_s'] / 60)}", change + flag, other or "-"])
    return table(["week", "km", "runs", "longest km", "minutes", "change", "other sports min"], rows,
                 align="lrrrrrr") + "\n"
