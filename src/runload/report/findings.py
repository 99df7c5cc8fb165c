"""Findings as text or JSON (what ``runload check`` prints), from an assessment."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING

from runload.models import Finding
from runload.report.fmt import supporting_lines

if TYPE_CHECKING:
    from runload.assess import Assessment


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
        "current": f.current,
        "until": f.until.isoformat() if f.until else None,
        "supporting": [{"rule_id": s.rule_id, "severity": s.severity.value, "title": s.title, "message": s.message,
                        "week_start": s.week_start.isoformat() if s.week_start else None,
                        "date": s.date.isoformat() if s.date else None, "value": s.value, "threshold": s.threshold,
                        "unit": s.unit} for s in f.supporting],
    }


def findings_json(findings: Sequence[Finding]) -> str:
    return json.dumps([finding_record(f) for f in findings], indent=2) + "\n"


def findings_text(findings: Sequence[Finding], units: str = "km", *, empty: str = "No findings.") -> str:
    """Findings as terminal text: severity, title, message, supporting numbers, what to do."""

    if not findings:
        return empty + "\n"
    lines = []
    for f in findings:
        lines.append(f"[{f.severity.value}] {f.title}: {f.message}")
        for line in supporting_lines(f, units):
            lines.append(f"    Also: {line}")
        if f.advice:
            lines.append(f"    What to do: {f.advice}")
    return "\n".join(lines) + "\n"


def limits_text(a: "Assessment") -> str:
    """Next week's plan as one line of text, in the athlete's units."""
    sentence = a.limits.sentence(a.athlete.units)
    if not sentence:
        return ""
    return "\n" + sentence + "\n"
