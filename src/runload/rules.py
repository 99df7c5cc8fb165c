"""Risk rules: turn weekly series into findings.

For now the weekly progression rule (the source article's 10% rule, evidence.md section 1);
the data-driven engine over ``rules/*.toml`` grows here.
"""

from __future__ import annotations

import math
from datetime import date

import pandas as pd

from runload.models import Finding, Severity

PROGRESSION_EVIDENCE = (
    "The 10% rule is a rule of thumb of unknown origin; studies found no clear benefit from "
    "keeping to it, but larger jumps (over 30%) were linked to more overuse injuries."
)
PROGRESSION_CITATIONS = (
    "Buist et al. 2008, Am J Sports Med 36(1):33-39, doi:10.1177/0363546507307505",
    "Nielsen et al. 2014, J Orthop Sports Phys Ther 44(10):739-747, doi:10.2519/jospt.2014.5164",
)


def weekly_progression(
    weekly: pd.DataFrame,
    *,
    caution_pct: float = 10.0,
    warning_pct: float = 30.0,
    min_base_km: float = 10.0,
) -> list[Finding]:
    """A finding for each week whose running distance grew more than ``caution_pct``."""
    out: list[Finding] = []
    prev_km = None
    for row in weekly.itertuples(index=False):
        change = row.change_pct
        if change is not None and not math.isnan(change) and change > caution_pct:
            severity = Severity.WARNING if change > warning_pct else Severity.CAUTION
            threshold = warning_pct if severity is Severity.WARNING else caution_pct
            out.append(Finding(
                rule_id="weekly-progression",
                severity=severity,
                title="Weekly distance jumped",
                message=(f"Week of {row.week_start:%Y-%m-%d}: {row.distance_km:.1f} km, "
                         f"{change:+.0f}% on the week before ({prev_km:.1f} km)."),
                advice=f"Hold next week at or below {row.distance_km:.1f} km before building again.",
                evidence=PROGRESSION_EVIDENCE,
                value=round(float(change), 1),
                threshold=threshold,
                unit="%",
                week_start=row.week_start if isinstance(row.week_start, date) else None,
                citations=PROGRESSION_CITATIONS,
                evidence_level="weak (RCT found no benefit; cohort links >30% to injuries)",
            ))
        prev_km = row.distance_km
    return out
