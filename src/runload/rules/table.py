"""The rules table: one row per rule, written from the rule files themselves.

``rules/README.md`` carries this table between two marker lines, and a test checks that it equals
what :func:`rules_table` writes from the files, so the README can no longer say one threshold,
severity or factor while the file says another (``runload rules table --format md`` prints it;
``scripts/rules_table.py`` rewrites the README's copy).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from runload.rules.schema import OPS, Band, Rule

BEGIN = "<!-- rules table: written by `runload rules table --format md`; edit the rule files, not this table -->"
END = "<!-- end of rules table -->"


def measures(rule: Rule) -> str:
    """What the rule compares, from its ``measures`` template filled with its params (the rule's
    name when the file has none)."""
    return rule.measures.format_map(rule.params) if rule.measures else rule.name


def band_text(rule: Rule, band: Band) -> str:
    """``caution > 10% (more than the 10% rule)``; a red flag (present or not) is its severity and label."""
    label = f" ({band.label})" if band.label and band.label != band.severity.value else ""
    if rule.metric == "pain_red_flag":
        return f"{band.severity.value}{label}"
    return f"{band.severity.value} {OPS[band.op]} {band.threshold:g}{rule.unit}{label}"


def stricter_text(rule: Rule) -> str:
    """``previous injury x0.7; age 50 or more x0.9``, or "" when the profile changes nothing."""
    parts = []
    for s in rule.stricter:
        who = "previous injury" if s.when == "previous_injury" else f"age {s.age} or more"
        parts.append(f"{who} x{s.factor:g}")
    return "; ".join(parts)


def severity_text(rule: Rule) -> str:
    """The rule's default severity: ``info``, or ``caution to warning`` when its bands differ."""
    ranked = sorted({b.severity for b in rule.bands}, key=lambda s: s.rank)
    return ranked[0].value if len(ranked) == 1 else f"{ranked[0].value} to {ranked[-1].value}"


def rule_row(rule: Rule) -> dict[str, Any]:
    """One rule as a JSON-ready dict: what the table shows, with the bands as numbers too."""
    return {
        "id": rule.id, "kind": rule.kind, "measures": measures(rule),
        "bands": [{"severity": b.severity.value, "op": OPS[b.op], "threshold": b.threshold, "unit": rule.unit,
                   "label": b.label, "text": band_text(rule, b)} for b in rule.bands],
        "stricter": [{"when": s.when, "age": s.age, "factor": s.factor} for s in rule.stricter],
        "min_history_days": rule.min_history_days, "evidence_level": rule.evidence_level,
        "outcome_evidence": rule.outcome_evidence or None,
        "enabled": rule.enabled,
    }


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _md(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    out = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    out += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return out


def _tables(rules: Sequence[Rule]) -> list[tuple[str, list[str], list[list[str]]]]:
    load = [r for r in rules if r.kind != "pain"]
    pain = [r for r in rules if r.kind == "pain"]
    load_rows = [[f"`{r.id}`", measures(r), "; ".join(band_text(r, b) for b in r.bands), stricter_text(r) or "-",
                  f"{r.min_history_days} days" if r.min_history_days else "-", severity_text(r),
                  r.outcome_evidence or "-", r.evidence_level] for r in load]
    pain_rows = [[f"`{r.id}`", "; ".join(band_text(r, b) for b in r.bands), measures(r), r.evidence_level]
                 for r in pain]
    return [
        ("Training-load rules", ["id", "measures", "bands", "stricter with the profile", "needs", "severity",
                                 "outcome evidence", "evidence"],
         load_rows),
        ("Pain rules", ["rule", "severity", "fires when", "evidence"], pain_rows),
    ]


def rules_table(rules: Sequence[Rule], fmt: str = "md") -> str:
    """The rules as tables (training load, then pain) in ``fmt``: ``md`` (what rules/README.md
    holds), ``text`` (aligned columns for a terminal) or ``json``."""
    if fmt == "json":
        return json.dumps([rule_row(r) for r in rules], indent=2, ensure_ascii=False) + "\n"
    lines: list[str] = []
    for title, headers, rows in _tables(rules):
        if not rows:
            continue
        if lines:
            lines.append("")
        if fmt == "md":
            lines.append(f"{title}:")
            lines.append("")
            lines += _md(headers, rows)
        elif fmt == "text":
            # one block per rule: the columns are too wide for a terminal side by side
            lines.append(f"{title}:")
            for row in rows:
                lines.append(f"  {row[0].strip('`')}")
                lines += [f"    {h}: {c}" for h, c in zip(headers[1:], row[1:]) if c != "-"]
        else:
            raise ValueError(f"unknown format {fmt!r} (md, text, json)")
    return "\n".join(lines).rstrip("\n") + "\n"


def readme_block(text: str) -> str | None:
    """The table between :data:`BEGIN` and :data:`END` in a README's text (without the markers),
    or None when the markers are missing."""
    try:
        start = text.index(BEGIN) + len(BEGIN)
        end = text.index(END, start)
    except ValueError:
        return None
    return text[start:end].strip("\n") + "\n"


def with_table(text: str, rules: Sequence[Rule]) -> str:
    """``text`` (a README) with the block between the markers replaced by the table of ``rules``."""
    if readme_block(text) is None:
        raise ValueError(f"the README has no rules table markers ({BEGIN} ... {END})")
    start = text.index(BEGIN) + len(BEGIN)
    end = text.index(END, start)
    return text[:start] + "\n" + rules_table(rules, "md") + text[end:]

