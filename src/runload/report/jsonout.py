"""Render a Report (or a Roster) as JSON with stable keys.

The schema is documented in ``docs/report-schema.md`` and given as JSON Schema in
``docs/report.schema.json`` and ``docs/roster.schema.json``; tests validate every output against
them. Every key is always present (``null`` when unknown), dates are ISO ``YYYY-MM-DD``,
distances are kilometres whatever the athlete's display units. Adding a key is a compatible change;
renaming or removing one bumps ``schema``.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from runload.report import fmt
from runload.report.findings import finding_record
from runload.report.model import Report, Roster, is_red_flag
from runload.report.plan import plan_dict
from runload.textsafe import csv_row

REPORT_SCHEMA = "runload.report/2"
ROSTER_SCHEMA = "runload.roster/2"


def report_dict(report: Report) -> dict[str, Any]:
    """The report as JSON-ready data with stable keys."""
    a, p = report.athlete, report.period
    return {
        "schema": REPORT_SCHEMA,
        "athlete": {"id": a.id, "name": a.name, "timezone": a.timezone, "units": a.units},
        "period": {"kind": p.kind, "label": p.label, "start": p.start.isoformat(), "end": p.end.isoformat()},
        "as_of": report.as_of.isoformat(),
        "data_end": report.data_end.isoformat() if report.data_end else None,
        "status": {"level": report.status.level, "label": report.status.label, "summary": report.status.summary},
        "findings": [{**finding_record(f), "red_flag": is_red_flag(f), "numbers": fmt.finding_numbers(f, a.units)}
                     for f in report.findings],
        "earlier_findings": report.earlier_findings,
        "limits": {
            "mode": report.limits_mode,
            "sentence": report.limits_sentence or None,
            "guidance": report.limits_guidance,
            **{c.key: {"label": c.label, "km": c.value_km, "rule": c.rule, "basis": c.basis or None}
               for c in report.limits},
        },
        "runs": [{"date": r.date.isoformat(), "distance_km": r.distance_km,
                  "duration_s": None if r.duration_s is None else round(r.duration_s),
                  "pace_s_per_km": None if r.pace_s_per_km is None else round(r.pace_s_per_km, 1),
                  "avg_hr_bpm": None if r.avg_hr_bpm is None else round(r.avg_hr_bpm)} for r in report.runs],
        "weeks": [
            {
                "week_start": w.week_start.isoformat(),
                "has_data": w.has_data,
                "partial": w.partial,
                "distance_km": round(w.distance_km, 2) if w.has_data else None,
                "runs": w.runs if w.has_data else None,
                "longest_run_km": round(w.longest_run_km, 2) if w.has_data else None,
                "change_pct": w.change_pct,
                "base_too_small": w.base_too_small,
                "cross_training_min": round(w.cross_training_min, 1) if w.has_data else None,
            }
            for w in report.weeks
        ],
        "pain": {
            "trend": report.pain.trend,
            "last_7d_max": report.pain.last_7d_max,
            "prev_7d_max": report.pain.prev_7d_max,
            "entries": [
                {
                    "date": e.date.isoformat(), "side": e.side, "location": e.location,
                    "pain_during": e.pain_during, "pain_after": e.pain_after,
                    "pain_next_morning": e.pain_next_morning, "stiffness": e.stiffness,
                    "swelling": e.swelling, "relieved_by_rest": e.relieved_by_rest,
                    "warning_signs": list(e.flags), "notes": e.notes,
                }
                for e in report.pain.entries
            ],
            "red_flags": [{"date": d.isoformat(), "what": w, "level": lvl}
                          for d, w, lvl in (report.pain_story.red_flags if report.pain_story else ())],
            "resolved_red_flags": [{"date": d.isoformat(), "what": w, "how": how}
                                   for d, w, how in (report.pain_story.resolved if report.pain_story else ())],
            "clearances": [{"date": d.isoformat(), "by": by, "note": note or None}
                           for d, by, note in (report.pain_story.clearances if report.pain_story else ())],
            "episodes": [{"onset": ep.onset.isoformat(), "last": ep.last.isoformat() if ep.last else None,
                          "status": ep.status, "state": ep.state or None, "peak": ep.peak,
                          "load_before": ep.load_sentence or None}
                         for ep in (report.pain_story.episodes if report.pain_story else ())],
            "return_plan": list(report.pain_story.return_plan) if report.pain_story else [],
        },
        "load_weeks": [{"week_start": w.week_start.isoformat(), "climb_m": w.climb_m, "session_load": w.session_load,
                        "runs_rated": w.rated, "trimp": w.trimp, "runs": w.runs} for w in report.load_weeks],
        "load_note": report.load_note,
        "plan": None if report.plan is None else plan_dict(report.plan, report.athlete.units),
        "shoes": [{"gear": s.gear, "distance_km": s.distance_km, "runs": s.runs,
                   "first_used": s.first_used.isoformat(), "last_used": s.last_used.isoformat(),
                   "start_km": s.start_km, "retire_km": s.retire_km, "left_km": s.left_km,
                   "retired_on": s.retired_on.isoformat() if s.retired_on else None,
                   "near_retirement": s.near_retirement}
                  for s in report.shoes],
        "charts": [{"name": c.name, "title": c.title, "available": c.available, "note": c.note or None}
                   for c in report.charts],
        "notes": [*report.notes, *report.method_notes],
        "disclaimer": report.disclaimer,
    }


def render_json(report: Report) -> str:
    """The report as indented JSON text (UTF-8, non-ASCII kept as is)."""
    return json.dumps(report_dict(report), indent=2, ensure_ascii=False) + "\n"


def roster_dict(roster: Roster) -> dict[str, Any]:
    """The roster as JSON-ready data with stable keys."""
    p = roster.period
    return {
        "schema": ROSTER_SCHEMA,
        "as_of": roster.as_of.isoformat(),
        "period": None if p is None else {"kind": p.kind, "label": p.label, "start": p.start.isoformat(),
                                          "end": p.end.isoformat()},
        "athletes": [
            {
                "id": r.athlete_id, "name": r.name, "level": r.level, "findings_level": r.findings_level,
                "week_km": r.week_km, "change_pct": r.change_pct, "base_too_small": r.base_too_small,
                "top_finding": r.top_finding, "top_rule_id": r.top_rule_id, "findings": r.findings,
                "pain_trend": r.pain_trend, "last_data": r.last_data.isoformat() if r.last_data else None,
                "days_since_data": r.days_since_data, "stale_level": r.stale_level, "units": r.units,
                "plan": r.plan,
            }
            for r in roster.rows
        ],
        "disclaimer": roster.disclaimer,
    }


def render_roster_json(roster: Roster) -> str:
    return json.dumps(roster_dict(roster), indent=2, ensure_ascii=False) + "\n"


def render_roster_csv(roster: Roster) -> str:
    """The roster as CSV: the JSON document's athlete fields, one row per athlete, each cell
    safe from spreadsheet formulas."""


    rows = roster_dict(roster)["athletes"]
    keys = ["id", "name", "level", "findings_level", "week_km", "change_pct", "base_too_small", "top_finding",
            "top_rule_id", "findings", "pain_trend", "last_data", "days_since_data", "stale_level", "units", "plan"]
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(keys)
    for r in rows:
        w.writerow(csv_row("" if r[k] is None else r[k] for k in keys))
    return buf.getvalue()
