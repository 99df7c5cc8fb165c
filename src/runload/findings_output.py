"""Findings as text or JSON (what ``runload check`` prints)."""

from __future__ import annotations

import json
from collections.abc import Sequence

from typing import TYPE_CHECKING

from runload.models import Finding

if TYPE_CHECKING:
    from runload.analysis import Caps


def finding_record(f: Finding) -> dict[str, object]:
    """A finding as a JSON-ready dict with stable keys."""
    return {
        "rule_id": f.rule_id,
        "severity": f.severity.value,
        "title": f.title,
        "week_start": f.week_start.isoformat() if f.week_start else None,
        "date": f.date.isoformat() if f.date else None,
        "value": f.value,
        "threshold": f.threshold,
        "unit": f.unit,
        "message": f.message,
        "advice": f.advice,
        "evidence": f.evidence,
        "evidence_level": f.evidence_level,
        "citations": list(f.citations),
    }


def findings_json(findings: Sequence[Finding]) -> str:
    return json.dumps([finding_record(f) for f in findings], indent=2) + "\n"


def findings_text(findings: Sequence[Finding]) -> str:
    if not findings:
        return "No findings.\n"
    lines = []
    for f in findings:
        lines.append(f"[{f.severity.value}] {f.title}: {f.message}")
        if f.advice:
            lines.append(f"    What to do: {f.advice}")
    return "\n".join(lines) + "\n"


def caps_text(caps: "Caps", units: str = "km") -> str:
    """Next week's guidance as text: the caps (in the reader's ``units``) and the rule each comes
    from, or walk-run advice."""
    from runload.units import distance

    if caps.mode == "return-to-run":
        return f"\nNext week: {caps.guidance}\n"
    parts = []
    if caps.week_km is not None:
        parts.append(f"up to {distance(caps.week_km, units)} in the week ({caps.week_rule})")
    if caps.longest_run_km is not None:
        parts.append(f"longest run under {distance(caps.longest_run_km, units)} ({caps.longest_run_rule})")
    if not parts:
        return ""
    return "\nNext week: " + "; ".join(parts) + ".\n"
