"""A plan check (:class:`runload.plan.PlanCheck`) in words: its verdict, limits and sessions, as
text, as the view the HTML templates show, and as JSON; the Markdown and HTML renderers
(:mod:`runload.report.markdown`, :mod:`runload.report.html`) build on these parts.

The same lines serve ``runload plan check`` and the "Your plan for next week" section of the
report and the weekly email, so the plan reads the same wherever it is shown.
"""

from __future__ import annotations

import json
from typing import Any

from runload.models import PlannedRun
from runload.textsafe import inline
from runload.units import fmt

SCHEMA = "runload.plan/1"


def verdict(check: Any) -> str:
    """One line: refused, keeps every limit, or breaks N."""
    if check.refused:
        return check.refused
    if check.mode == "no-data" and check.keeps_limits:
        return (f"Nothing to judge the plan against: no runs recorded up to {check.as_of.isoformat()} "
                "(import the watch files first; the spike and progression rules need weeks of history).")
    if check.keeps_limits:
        return "The plan keeps every limit."
    n = len(check.findings)
    return f"The plan breaks {n} limit{'s' if n != 1 else ''}: a proposed plan follows."


def limit_lines(check: Any, units: str) -> list[str]:
    """The limits each planned week is held to."""
    out = []
    for w in check.weeks:
        s = w.limits.sentence(units, lead=f"Week of {w.week_start.isoformat()}")
        if w.recorded_km > 0:
            s += fmt(" ({km:dist} already run that week.)", units, km=w.recorded_km)
        out.append(s)
    return out


def session_row(p: PlannedRun, was: PlannedRun | None, units: str) -> str:
    if not p.is_run:
        cell = "rest"
    else:
        cell = fmt("{km:dist} {kind}", units, km=p.distance_km, kind=p.kind)
        if p.duration_min:
            cell += f", {p.duration_min:g} min"
    if was is not None and (was.distance_km != p.distance_km or was.kind != p.kind):
        cell += " (was " + ("rest" if not was.is_run else fmt("{km:dist}", units, km=was.distance_km)) + ")"
    if p.notes:
        cell += f"  {p.notes}"
    return f"{p.date:%a} {p.date.isoformat()}  {cell}"


def plan_lines(check: Any, units: str = "km", *, heading: bool = True) -> list[str]:
    """The check as plain-text lines."""

    out: list[str] = []
    if heading and check.planned:
        first, last = check.planned[0].date, check.planned[-1].date
        n = len(check.planned)
        out.append(f"Plan for {inline(check.athlete_id)}, checked as of {check.as_of.isoformat()}: "
                   f"{n} session{'s' if n != 1 else ''}, {first.isoformat()} to {last.isoformat()}.")
    out.extend(limit_lines(check, units))
    out.append(verdict(check))
    by_session: dict[str, list[Any]] = {}
    for f in check.findings:
        by_session.setdefault(f.session or f.date.isoformat(), []).append(f)
    for session, fs in by_session.items():
        out.append("")
        out.append(session)
        for f in fs:
            out.append(f"  [{f.severity.value}] {f.sentence(units)} ({f.rule_id})")
    if not check.keeps_limits:
        out.append("")
        title = "Instead: rest on those days." if check.refused else \
            "Proposed plan (the same days; distances trimmed, the long run lowered first):"
        out.append(title)
        for p, was in zip(check.proposed, check.planned):
            out.append("  " + session_row(p, was, units))
        for f in check.unresolved:
            out.append(f"  still: [{f.severity.value}] {f.session}: {f.sentence(units)} ({f.rule_id})")
    for note in check.notes:
        out.append(note)
    return out


def render_plan_text(check: Any, units: str = "km") -> str:
    return "\n".join(plan_lines(check, units)) + "\n"


def plan_view(check: Any, units: str = "km") -> dict[str, Any]:
    """What the HTML templates show of a plan check (``_plan.html.j2``)."""
    rows = [{"day": f"{p.date:%a} {p.date.isoformat()}", "text": session_row(p, was, units).split("  ", 1)[1]}
            for p, was in zip(check.proposed, check.planned)]
    return {"athlete": check.athlete_id, "as_of": check.as_of.isoformat(), "verdict": verdict(check),
            "limits": limit_lines(check, units), "rows": rows, "keeps": check.keeps_limits,
            "refused": check.refused, "notes": list(check.notes),
            "findings": [{"f": f, "text": f.sentence(units)} for f in check.findings]}


def _run(p: PlannedRun) -> dict[str, Any]:
    return {"date": p.date.isoformat(), "distance_km": round(p.distance_km, 2), "kind": p.kind,
            "duration_min": p.duration_min, "rpe": p.rpe, "notes": p.notes}


def _finding(f: Any, units: str) -> dict[str, Any]:
    return {"date": f.date.isoformat(), "rule_id": f.rule_id, "severity": f.severity.value, "title": f.title,
            "message": f.sentence(units), "limit_km": f.limit_km, "limit": f.limit or None,
            "planned_km": f.planned_km, "kind": f.kind or None, "session": f.session or None}


def plan_dict(check: Any, units: str = "km") -> dict[str, Any]:
    """The JSON document of a plan check (schema ``runload.plan/1``)."""
    return {
        "schema": SCHEMA,
        "athlete": check.athlete_id,
        "as_of": check.as_of.isoformat(),
        "mode": check.mode,
        "keeps_limits": check.keeps_limits,
        "refused": check.refused,
        "limits": [{"week_start": w.week_start.isoformat(), "week_km": w.limits.week_km,
                    "longest_run_km": w.limits.longest_run_km, "per_run_km": w.limits.per_run_km,
                    "recorded_km": round(w.recorded_km, 2)} for w in check.weeks],
        "planned": [_run(p) for p in check.planned],
        "findings": [_finding(f, units) for f in check.findings],
        "proposed": [_run(p) for p in check.proposed],
        "unresolved": [_finding(f, units) for f in check.unresolved],
        "notes": list(check.notes),
    }


def render_plan_json(check: Any, units: str = "km") -> str:
    return json.dumps(plan_dict(check, units), indent=2, ensure_ascii=False) + "\n"
