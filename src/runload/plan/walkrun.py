"""A planned week in return-to-run mode, held to the walk-run stages (runload.pain.plan) instead
of distances: a rest day between runs, each stage done twice before the next, no session longer
than its stage, no hard sessions, and no moving on while pain or swelling rise."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date

from runload.assess import Assessment
from runload.calendar import local_date
from runload.models import Severity
from runload.pain import PainAssessment
from runload.pain.plan import SESSIONS_PER_STAGE, STAGES, WALK_PACE_MIN_PER_KM, ReturnPlan, Stage
from runload.plan.model import PlanFinding, PlannedRun, median_pace

HARD_KINDS = ("tempo", "intervals", "race")


def stage_km(stage: Stage, pace_min_per_km: float) -> float:
    """About how far a walk-run session of ``stage`` goes: its running at the athlete's own pace,
    its walking at a brisk 10 min/km."""
    run_min = stage.run_min * stage.repeats
    walk_min = stage.walk_min * stage.repeats
    return round(run_min / pace_min_per_km + walk_min / WALK_PACE_MIN_PER_KM, 1)


def check_walk_run(base: Assessment, plan: Sequence[PlannedRun]
                   ) -> tuple[list[PlanFinding], list[PlannedRun], list[str]]:
    """(findings, proposed plan, notes) for ``plan`` on the assessment ``base`` in return-to-run
    mode."""
    units = base.athlete.units
    pain: PainAssessment | None = base.pain
    rp: ReturnPlan | None = pain.return_plan if pain is not None else None
    # the sessions to come continue from the next stage and the sessions already done at it
    first, done = (rp.next_stage, rp.at_stage) if rp is not None else (1, 0)
    held = rp is not None and bool(rp.hold)
    pace = median_pace(base.activities)
    runs_before = sorted(local_date(a) for a in base.activities if a.is_run)
    last_run: date | None = runs_before[-1] if runs_before else None
    findings: list[PlanFinding] = []
    proposed: list[PlannedRun] = []
    notes = [base.limits.guidance or ""]
    if rp is not None and held:
        notes.append(rp.hold)
    session = 0
    for p in plan:
        if not p.is_run:
            proposed.append(p)
            continue
        head = p.describe(units)
        if last_run is not None and (p.date - last_run).days < 2:
            findings.append(PlanFinding(date=p.date, rule_id="return-to-run", severity=Severity.CAUTION,
                                        title="No rest day before this run",
                                        message="The day after a run: the walk-run return keeps at least one rest "
                                                "day between runs.", planned_km=p.distance_km,
                                        limit_km=0.0, limit="run", kind=p.kind, session=head))
            proposed.append(replace(p, distance_km=0.0, duration_min=None, kind="rest", rpe=None,
                                    notes="rest day (walk-run return)"))
            continue
        number = first if held else min(first + (done + session) // SESSIONS_PER_STAGE, len(STAGES))
        stage = STAGES[number - 1]
        minutes = p.duration_min if p.duration_min else p.distance_km * pace
        km_cap = stage_km(stage, pace)
        fixed = replace(p, duration_min=float(min(minutes, stage.total_min)),
                        distance_km=min(p.distance_km, km_cap),
                        kind="easy" if p.kind in HARD_KINDS else p.kind,
                        notes=f"walk-run stage {stage.number}: {stage.describe()}")
        if minutes > stage.total_min + 0.5:
            est = "" if p.duration_min else f" (about {minutes:.0f} min at your usual {pace:.1f} min/km)"
            findings.append(PlanFinding(date=p.date, rule_id="return-to-run", severity=Severity.CAUTION,
                                        title="Longer than the walk-run stage",
                                        message=f"Longer{est} than walk-run stage {stage.number} "
                                                f"({stage.describe()}).", planned_km=p.distance_km,
                                        limit_km=km_cap, limit="stage", kind=p.kind, session=head))
        if p.kind in HARD_KINDS:
            findings.append(PlanFinding(date=p.date, rule_id="return-to-run", severity=Severity.CAUTION,
                                        title="A hard session during the return",
                                        message=f"A {p.kind} session: the walk-run return is run at an easy "
                                                "effort.", planned_km=p.distance_km, kind=p.kind, session=head))
        proposed.append(fixed)
        last_run = p.date
        session += 1
    return findings, proposed, [n for n in notes if n]

