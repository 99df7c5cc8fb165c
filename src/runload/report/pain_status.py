"""The pain assessment of an :class:`runload.assess.Assessment` as plain text or a JSON-ready
dict (``runload pain status``)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from runload.limits import red_flag_line

if TYPE_CHECKING:
    from runload.pain import PainAssessment


def assessment_text(a: "PainAssessment", timezone: str | None = None) -> str:
    """The assessment as terminal text: red flags (their care named for the athlete's
    ``timezone``), episodes with their load sentence, the plan."""

    lines: list[str] = []
    if a.red_flags:
        lines.append("Red flags not yet resolved (these come before any training advice):")
        for f in a.red_flags:
            lines.append(f"  {f.date.isoformat()}: {red_flag_line(f.level, f.what, timezone)}")
        lines.append("  A red flag stands until a later entry records the sign gone, or a clearance is logged: "
                     "runload pain clear --athlete ID --date YYYY-MM-DD --by clinician")
    else:
        lines.append("No red flag stands.")
    if a.resolved:
        lines.append("Red flags resolved:")
        for f, how in a.resolved[-5:]:
            lines.append(f"  {f.date.isoformat()}: {f.what} - {how}.")
    lines.append("")
    if a.episodes:
        lines.append("Pain episodes:")
        for ep in a.episodes:
            end = ep.state
            peak = f", worst {ep.peak}/10" if ep.peak is not None else ""
            lines.append(f"  {ep.onset.isoformat()}: {len(ep.entries)} entr{'y' if len(ep.entries) == 1 else 'ies'}"
                         f"{peak}, {end}.")
            if ep.load is not None:
                lines.append(f"    {ep.load.sentence}")
    else:
        lines.append("No pain episodes logged.")
    if a.return_plan is not None:
        lines.append("")
        lines.append("Return to running:")
        lines.extend(f"  {line}" for line in a.return_plan.lines())
    lines.append("")
    lines.append("runload gives training information, not a diagnosis; warning signs need a clinician.")
    return "\n".join(lines) + "\n"


def assessment_record(a: "PainAssessment") -> dict[str, Any]:
    """The assessment as a JSON-ready dict with stable keys."""

    def iso(d: date | None) -> str | None:
        return d.isoformat() if d else None

    return {
        "as_of": iso(a.as_of),
        "overrides_load": a.overrides_load,
        "red_flags": [{"flag": f.flag, "level": f.level, "what": f.what, "date": iso(f.date), "entry_id": f.entry_id,
                       "side": f.side} for f in a.red_flags],
        "resolved_red_flags": [{"flag": f.flag, "level": f.level, "what": f.what, "date": iso(f.date), "how": how}
                               for f, how in a.resolved],
        "clearances": [{"date": iso(c.date), "by": c.by, "note": c.note or None} for c in a.clearances],
        "episodes": [{
            "key": ep.key, "onset": iso(ep.onset), "last": iso(ep.last), "end": iso(ep.end), "status": ep.status,
            "settled_by": ep.settled_by or None, "state": ep.state,
            "days": ep.days, "entries": len(ep.entries), "peak": ep.peak, "sides": list(ep.sides),
            "red_flags": [f.flag for f in ep.red_flags],
            "load": None if ep.load is None else {
                "sentence": ep.load.sentence, "notable": list(ep.load.notable), "runs": ep.load.runs,
                "distance_km": ep.load.distance_km, "week_change_pct": ep.load.week_change_pct,
                "week_km": ep.load.week_km, "week_prev_km": ep.load.week_prev_km, "spike_pct": ep.load.spike_pct,
                "spike_km": ep.load.spike_km, "spike_ref_km": ep.load.spike_ref_km,
                "spike_date": iso(ep.load.spike_date), "break_days": ep.load.break_days,
                "hard_share_pct": ep.load.hard_share_pct, "hard_share_usual_pct": ep.load.hard_share_usual_pct,
                "streak_days": ep.load.streak_days,
            },
        } for ep in a.episodes],
        "return_plan": None if a.return_plan is None else {
            "reason": a.return_plan.reason, "since": iso(a.return_plan.since), "summary": a.return_plan.summary,
            "start_condition": a.return_plan.start_condition, "runs_since": a.return_plan.runs_since,
            "next_stage": a.return_plan.next_stage, "hold": a.return_plan.hold, "after": a.return_plan.after,
            "rules": list(a.return_plan.rules), "citations": list(a.return_plan.citations),
            "stages": [{"stage": s.number, "run_min": s.run_min, "walk_min": s.walk_min, "repeats": s.repeats,
                        "text": s.describe()} for s in a.return_plan.stages],
        },
    }
