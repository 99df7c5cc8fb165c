"""Planned runs: what a plan holds, read from a CSV or ``--run`` options, and turned into the
plain activities the assessment reads; and :class:`PlanFinding`, what a check of the plan
(:mod:`runload.plan.check`, :mod:`runload.plan.walkrun`) finds on a planned day.

A plan is never stored as activities: :func:`as_activities` gives the assessment hypothetical
runs marked as planned (``source_hash`` ``planned:...``), and the store keeps plans in a table of
their own (``planned_runs``).
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

from runload.calendar import FIRST_DAY, LAST_YEAR
from runload.errors import InputError
from runload.load.formulas import running_pace
from runload.models import PLAN_KINDS as KINDS, Activity, PlannedRun, Severity, Sport
from runload.textfile import lines, read_utf8
from runload.textsafe import csv_row, from_csv_cell, plain_line
from runload.units import fmt

CSV_COLUMNS = ("date", "distance_km", "duration_min", "kind", "rpe", "notes")
PLANNED_PREFIX = "planned:"
# What a person can plan: no single run beyond the longest 48-hour races, no session over two
# days, RPE on the CR-10 scale (runload.bounds holds the same bounds for recorded activities).
MAX_PLANNED_KM = 500.0
MAX_PLANNED_MIN = 2880.0
MAX_NOTES = 200
MAX_PLANNED_RUNS = 400  # a year of twice-daily runs; more is not a plan but a mistake
MAX_PLAN_BYTES = 2 * 2**20  # 400 sessions with long notes fit many times over
# A planned run without a duration takes the athlete's own median pace; without any run to
# take it from, an easy 6:30 per km (only duration-based measures use it).
DEFAULT_PACE_MIN_PER_KM = 6.5
_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", flags=re.ASCII)


def _day(text: str, where: str) -> date:
    text = text.strip()
    if not _ISO_DAY.fullmatch(text):
        raise InputError(f"{where}: {text!r} is not a date like 2026-10-25")
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise InputError(f"{where}: {text!r} is not a date like 2026-10-25") from None
    if day < FIRST_DAY or day.year > LAST_YEAR:
        raise InputError(f"{where}: {day.isoformat()} is outside the years runload works with")
    return day


def _number(text: str, what: str, low: float, high: float, where: str) -> float:
    try:
        value = float(text.strip().replace(",", "."))
    except ValueError:
        raise InputError(f"{where}: {what} {text.strip()!r} is not a number") from None
    if not math.isfinite(value) or not low <= value <= high:
        raise InputError(f"{where}: {what} {text.strip()} is outside {low:g}-{high:g}")
    return value


def _kind(text: str, where: str) -> str:
    kind = text.strip().lower() or "easy"
    if kind not in KINDS:
        raise InputError(f"{where}: kind {text.strip()!r} is not one of {', '.join(KINDS)}")
    return kind


def planned_run(day: date, km: float | str, *, duration_min: float | str | None = None, kind: str = "easy",
                rpe: float | str | None = None, notes: str = "", where: str = "plan") -> PlannedRun:
    """A checked :class:`PlannedRun` (``InputError`` naming ``where`` for a value no runner plans)."""
    kind = _kind(kind, where)
    dist = _number(str(km), "distance_km", 0.0, MAX_PLANNED_KM, where)
    dur = None if duration_min is None else _number(str(duration_min), "duration_min", 0.0, MAX_PLANNED_MIN, where)
    effort = None if rpe is None else _number(str(rpe), "rpe", 0.0, 10.0, where)
    if kind == "rest":
        dist, dur, effort = 0.0, None, None
    text = plain_line(notes or "")[:MAX_NOTES]
    return PlannedRun(date=day, distance_km=round(dist, 3), duration_min=dur, kind=kind, rpe=effort, notes=text)


def parse_run_option(text: str) -> PlannedRun:
    """``--run YYYY-MM-DD:KM[:kind]``."""
    parts = text.strip().split(":")
    where = f"--run {text.strip()!r}"
    if len(parts) not in (2, 3):
        raise InputError(f"{where}: expected YYYY-MM-DD:KM or YYYY-MM-DD:KM:kind")
    day = _day(parts[0], where)
    return planned_run(day, _number(parts[1], "distance", 0.0, MAX_PLANNED_KM, where),
                       kind=parts[2] if len(parts) == 3 else "easy", where=where)


def read_plan_csv(path: str | Path) -> list[PlannedRun]:
    """The planned runs of a CSV file: a header naming ``date`` and ``distance_km`` (and any of
    ``duration_min``, ``kind``, ``rpe``, ``notes``), one row per session. Errors name the file and
    the line."""
    return parse_plan_csv(read_utf8(path, what="plan", max_bytes=MAX_PLAN_BYTES), name=str(path))


def parse_plan_csv(text: str, *, name: str = "plan") -> list[PlannedRun]:
    """:func:`read_plan_csv` of text already read."""
    reader = csv.reader(lines(text, path=name))  # a line as long as the file is refused
    header: list[str] | None = None
    out: list[PlannedRun] = []
    for row in reader:
        line = reader.line_num
        if not row or all(not c.strip() for c in row) or row[0].lstrip().startswith("#"):
            continue
        if header is None:
            header = [c.strip().lower().lstrip("\ufeff") for c in row]
            missing = [c for c in ("date", "distance_km") if c not in header]
            if missing:
                raise InputError(f"the header must name {' and '.join(missing)} "
                                 f"(columns: {', '.join(CSV_COLUMNS)})", path=name, line=line)
            unknown = [c for c in header if c and c not in CSV_COLUMNS]
            if unknown:
                raise InputError(f"unknown column {unknown[0]!r} (columns: {', '.join(CSV_COLUMNS)})",
                                 path=name, line=line)
            continue
        if len(row) > len(header):
            raise InputError(f"{len(row)} values for {len(header)} columns", path=name, line=line)
        cells = {k: from_csv_cell(v) for k, v in zip(header, row)}
        try:
            kind = cells.get("kind", "") or "easy"
            km = cells.get("distance_km", "").strip()
            if not km:
                if kind.strip().lower() != "rest":
                    raise InputError("distance_km is missing (0 or the kind 'rest' for a rest day)")
                km = "0"
            out.append(planned_run(_day(cells.get("date", ""), "date"), km,
                                   duration_min=cells.get("duration_min", "").strip() or None, kind=kind,
                                   rpe=cells.get("rpe", "").strip() or None, notes=cells.get("notes", ""),
                                   where="row"))
        except InputError as err:
            raise InputError(err.message.removeprefix("row: "), path=name, line=line) from None
        if len(out) > MAX_PLANNED_RUNS:
            raise InputError(f"more than {MAX_PLANNED_RUNS} planned sessions: is this a plan?", path=name, line=line)
    if header is None:
        raise InputError("the plan is empty (expected a header: date,distance_km,...)", path=name)
    if not out:
        raise InputError("the plan has a header but no sessions", path=name)
    return sort_plan(out)


def sort_plan(runs: Iterable[PlannedRun]) -> list[PlannedRun]:
    """Planned runs by day (the order given kept within a day)."""
    return sorted(runs, key=lambda p: p.date)


def plan_csv(runs: Sequence[PlannedRun]) -> str:
    """The plan as CSV (the same columns :func:`read_plan_csv` reads), safe to open in a
    spreadsheet."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CSV_COLUMNS)
    for p in runs:
        w.writerow(csv_row([p.date.isoformat(), f"{p.distance_km:.1f}",
                            "" if p.duration_min is None else f"{p.duration_min:g}", p.kind,
                            "" if p.rpe is None else f"{p.rpe:g}", p.notes]))
    return buf.getvalue()


def median_pace(activities: Sequence[Activity]) -> float:
    """The athlete's median running pace in minutes per km (:func:`runload.load.formulas.running_pace`),
    else a default pace."""
    pace = running_pace(activities)
    return DEFAULT_PACE_MIN_PER_KM if pace is None else pace


def as_activities(runs: Sequence[PlannedRun], tz: str, *, pace_min_per_km: float = DEFAULT_PACE_MIN_PER_KM
                  ) -> list[Activity]:
    """The planned runs as hypothetical activities the assessment can read: running, at noon of
    the planned day in the athlete's zone, for the planned duration (else at ``pace``), with the
    planned RPE. Rest days give nothing."""
    zone = ZoneInfo(tz)
    out = []
    seq: dict[date, int] = {}
    for p in runs:
        if not p.is_run:
            continue
        n = seq[p.date] = seq.get(p.date, -1) + 1
        local = datetime.combine(p.date, time(12, n % 12), tzinfo=zone)
        offset = local.utcoffset()
        minutes = p.duration_min if p.duration_min else p.distance_km * pace_min_per_km
        out.append(Activity(
            start_utc=local.astimezone(timezone.utc), sport=Sport.RUNNING, distance_m=p.distance_km * 1000.0,
            timer_s=minutes * 60.0, elapsed_s=minutes * 60.0,
            utc_offset_s=int(offset.total_seconds()) if offset is not None else 0,
            name=f"planned {p.kind} run", rpe=p.rpe, source_file="plan",
            source_hash=f"{PLANNED_PREFIX}{p.date.isoformat()}:{n}", distance_source="plan",
        ))
    return out


def is_planned(a: Activity) -> bool:
    """Whether an activity is a planned run (:func:`as_activities`), not a recorded one."""
    return bool(a.source_hash and a.source_hash.startswith(PLANNED_PREFIX))


def with_distance(p: PlannedRun, km: float) -> PlannedRun:
    """``p`` trimmed to ``km`` (rounded down to 0.1 km), its duration scaled with it."""
    km = math.floor(max(0.0, km) * 10 + 1e-9) / 10
    dur = None if p.duration_min is None or p.distance_km <= 0 else round(p.duration_min * km / p.distance_km, 1)
    return replace(p, distance_km=km, duration_min=dur)


@dataclass(frozen=True)
class PlanFinding:
    """What would fire on a planned day: the rule, its words and numbers, and the distance that
    keeps it (``limit_km``; None when no distance does, e.g. under a red flag)."""

    date: date
    rule_id: str
    severity: Severity
    title: str
    message: str
    planned_km: float | None = None
    limit_km: float | None = None
    limit: str = ""  # "week", "run" or "stage": what limit_km bounds
    kind: str = ""
    session: str = ""  # the planned session it is about, in words ("Sun 2026-10-25, 24.0 km long run")

    def sentence(self, units: str = "km") -> str:
        """The finding in one line, with the limit that keeps it."""
        keep = ""
        if self.limit_km == 0:
            keep = " Make it a rest day."
        elif self.limit_km is not None:
            what = "the week" if self.limit == "week" else "it"
            keep = fmt(" Keep {what} under {km:limit}.", units, what=what, km=self.limit_km)
        return f"{self.message}{keep}"
