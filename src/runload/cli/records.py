"""runload's things as JSON data: what ``--format json`` prints and ``runload export`` writes.

One function per kind of thing, each giving a dict of plain values (strings, numbers, lists,
None) in the order its keys are printed. The library's own documents (a report, a roster, the
findings, the pain status, a plan check, an import summary) are written where they are built;
these are the records the commands themselves list.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any


def activity_record(a: Any) -> dict[str, object]:
    """An activity (`activity list`, `activity show`, export's activities.json): the values every
    calculation uses, and under ``corrections`` the recorded value of each corrected one."""
    return {
        "id": a.id, "start_utc": a.start_utc.isoformat(), "utc_offset_s": a.utc_offset_s,
        "sport": a.sport.value, "sub_sport": a.sub_sport, "sport_inferred": a.sport_inferred,
        "counts_as_running": a.is_run, "distance_m": round(a.distance_m, 1),
        "distance_source": a.distance_source, "timer_s": a.timer_s, "elapsed_s": a.elapsed_s,
        "avg_hr_bpm": a.avg_hr_bpm, "max_hr_bpm": a.max_hr_bpm, "avg_cadence_spm": a.avg_cadence_spm,
        "elevation_gain_m": a.elevation_gain_m, "device": a.device, "name": a.name, "gear": a.gear,
        "gear_default": a.gear_default, "rpe": a.rpe,
        "laps": len(a.laps), "leg_index": a.leg_index, "source_file": a.source_file,
        "import_id": a.import_id,
        "corrections": {k: (round(v, 1) if isinstance(v, float) else v) for k, v in a.corrections.items()},
        "warnings": list(a.warnings),
    }


def athlete_record(a: Any, activities: int) -> dict[str, object]:
    """An athlete in a list (`athlete list`)."""
    return {"id": a.id, "name": a.name, "email": a.email, "activities": activities}


def athlete_profile(a: Any, activities: int) -> dict[str, object]:
    """An athlete's whole profile (`athlete show`)."""
    d: dict[str, object] = asdict(a)
    d["previous_injuries"] = list(a.previous_injuries)
    d["activities"] = activities
    return d


def coach_record(coach_id: str, name: str | None, email: str, athlete_ids: list[str]) -> dict[str, object]:
    """A coach and the athletes they follow (`coach list`)."""
    return {"id": coach_id, "name": name, "email": email, "athletes": athlete_ids}


def setting_record(s: Any) -> dict[str, object]:
    """A setting in force and where it came from (`config show`)."""
    return {"key": s.key, "value": s.value, "source": s.source}


def source_record(s: Any) -> dict[str, object]:
    """A source `runload sync` imports (`source list`)."""
    return {"id": s.id, "athlete": s.athlete_id, "path": s.path, "added_utc": s.added_utc,
            "last_sync_utc": s.last_sync_utc, "last_result": s.last_result}


def shoe_record(t: Any) -> dict[str, object]:
    """A shoe with its distance so far (`shoe list`), from :func:`runload.shoes.shoe_totals`."""
    return {
        "name": t.name, "distance_km": round(t.distance_km, 2), "run_km": round(t.run_km, 2), "runs": t.runs,
        "start_km": t.start_km, "retire_km": t.retire_km,
        "left_km": None if t.left_km is None else round(t.left_km, 2), "default": t.default,
        "retired_on": t.retired_on.isoformat() if t.retired_on else None, "registered": t.registered,
        "first_used": t.first_used.isoformat() if t.first_used else None,
        "last_used": t.last_used.isoformat() if t.last_used else None,
    }


def rule_record(r: Any) -> dict[str, object]:
    """A risk rule in a list (`rules list`)."""
    return {"id": r.id, "kind": r.kind, "metric": r.metric, "event": r.event,
            "severities": list(dict.fromkeys(b.severity.value for b in r.bands)),
            "enabled": r.enabled, "name": r.name, "evidence_level": r.evidence_level,
            "outcome_evidence": r.outcome_evidence or None}


def import_record(rec: Any) -> dict[str, object]:
    """One import and what it did (`import list`)."""
    return {"id": rec.id, "athlete": rec.athlete_id, "started_utc": rec.started_utc,
            "finished_utc": rec.finished_utc, "paths": list(rec.paths), "files": rec.files,
            "activities": rec.activities, "duplicates": rec.duplicates, "skipped": rec.skipped,
            "failed": rec.failed, "undone_utc": rec.undone_utc, "activities_now": rec.stored_now,
            "corrected_now": rec.corrected_now, "replaced": rec.replaced}


def pain_entry_record(e: Any) -> dict[str, object]:
    """A pain entry, every field (`pain list`, export's pain.json)."""
    d: dict[str, object] = asdict(e)
    d["date"] = e.date.isoformat()
    return d


def planned_run_record(p: Any) -> dict[str, object]:
    """A planned session (`plan show`): as a plan check's JSON lists it (one definition, there)."""
    from runload.report.plan import _run

    return _run(p)


def login_record(u: Any) -> dict[str, object]:
    """A login of the web app (`user list`)."""
    return {"login": u.login, "role": u.role, "subject": u.subject_id}
