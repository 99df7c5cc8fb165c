"""The examples in rule files: each one's made-up history, run through its rule, against the
findings it expects (``runload rules validate`` and the test suite run them all)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from runload.calendar import local_date
from runload.models import Activity, Athlete, Finding, Lap, PainEntry, Severity, Shoe, Sport
from runload.rules.context import Context
from runload.rules.engine import evaluate
from runload.rules.schema import Rule, _date, load_rules


def _example_runs(runs: Sequence[Mapping[str, Any]]) -> list[Activity]:
    acts = []
    for r in runs:
        first = _date(r["day"], "example", "day")
        times = int(r.get("times", 1))
        every = int(r.get("every_days", 1))
        km = float(r["km"])
        minutes = float(r.get("minutes", km * 6.0))
        zones: dict[int, float] = {}
        if "zone_hr" in r:
            zones = {int(k): float(v) * 60.0 for k, v in r["zone_hr"].items()}
        elif "hr" in r:
            zones = {round(float(r["hr"])): minutes * 60.0}
        avg_hr = float(r["hr"]) if "hr" in r else None
        laps = tuple(Lap(start_utc=None, distance_m=float(lp["km"]) * 1000, timer_s=float(lp["minutes"]) * 60)
                     for lp in r.get("laps", []))
        for i in range(times):
            day = first + timedelta(days=i * every)
            start = datetime(day.year, day.month, day.day, int(r.get("hour", 7)), tzinfo=timezone.utc)
            acts.append(Activity(
                start_utc=start, sport=Sport(r.get("sport", "running")), distance_m=km * 1000.0,
                timer_s=minutes * 60.0, elapsed_s=minutes * 60.0, utc_offset_s=0, avg_hr_bpm=avg_hr,
                avg_cadence_spm=float(r["cadence"]) if "cadence" in r else None, gear=r.get("gear"),
                laps=laps, hr_zone_s=dict(zones), rpe=float(r["rpe"]) if "rpe" in r else None,
                elevation_gain_m=float(r["climb_m"]) if "climb_m" in r else None))
    acts.sort(key=lambda a: a.start_utc)
    return acts


def example_context(rule: Rule, example: Mapping[str, Any]) -> Context:
    """The made-up history of one example as a Context (athlete id ``example``)."""
    ath = dict(example.get("athlete", {}))
    ath["previous_injuries"] = tuple(ath.get("previous_injuries", ()))
    athlete = Athlete(id="example", name=ath.pop("name", "Example Runner"), **ath)
    acts = _example_runs(example.get("runs", []))
    pain = []
    for p in example.get("pain", []):
        fields = dict(p)
        fields["date"] = _date(fields["date"], rule.path or rule.id, "pain.date")
        pain.append(PainEntry(**fields))
    as_of = _date(example["as_of"], rule.path or rule.id, "as_of") if "as_of" in example else None
    data_end = max((local_date(a) for a in acts), default=None)
    shoes = tuple(Shoe(str(sh["name"]), float(sh.get("start_km", 0.0)),
                       float(sh["retire_km"]) if "retire_km" in sh else None,
                       retired_on=_date(sh["retired_on"], rule.path or rule.id, "shoes.retired_on")
                       if "retired_on" in sh else None)
                  for sh in example.get("shoes", []))
    return Context(athlete=athlete, activities=acts, pain_entries=tuple(pain), as_of=as_of,
                   data_end=data_end, settings=dict(example.get("settings", {})), shoes=shoes)


def run_example(rule: Rule, example: Mapping[str, Any]) -> list[Finding]:
    """The findings of ``rule`` on one of its examples (settings override the rule's params)."""
    ctx = example_context(rule, example)
    params = {**rule.params, **example.get("settings", {})}
    return evaluate(replace(rule, params=params), ctx)


def check_example(rule: Rule, example: Mapping[str, Any]) -> list[str]:
    """Differences between an example's expected and actual findings ([] when it passes).

    Every finding's words are written here (an assessment writes them only when read), so a
    template naming a value the metric does not give fails the rule's examples."""
    got = run_example(rule, example)
    for f in got:
        _ = f.message, f.advice
    want = example["expect"]
    name = example.get("name", "?")
    if len(got) != len(want):
        shown = "; ".join(f"{f.severity.value} {f.date or f.week_start} value {f.value}" for f in got) or "none"
        return [f"{rule.id}: example {name!r}: expected {len(want)} finding(s), got {len(got)}: {shown}"]
    problems = []
    for i, (f, e) in enumerate(zip(got, want), 1):
        where = f"{rule.id}: example {name!r}, finding {i}"
        if f.severity is not Severity.parse(e["severity"]):
            problems.append(f"{where}: severity {f.severity.value}, expected {e['severity']}")
        for key in ("week_start", "date"):
            if key in e and getattr(f, key) != _date(e[key], rule.path or rule.id, key):
                problems.append(f"{where}: {key} {getattr(f, key)}, expected {e[key]}")
        for key in ("value", "threshold"):
            if key in e and (getattr(f, key) is None or abs(getattr(f, key) - float(e[key])) > 0.05):
                problems.append(f"{where}: {key} {getattr(f, key)}, expected {e[key]}")
        if "message_contains" in e and e["message_contains"] not in f.message:
            problems.append(f"{where}: message {f.message!r} lacks {e['message_contains']!r}")
    return problems


def validate(paths: Iterable[str | Path] | None = None) -> tuple[list[Rule], list[str]]:
    """Load the rule files and run all their examples; returns the rules and any problems."""
    rules = load_rules(paths)
    problems: list[str] = []
    for r in rules:
        for ex in r.examples:
            problems.extend(check_example(r, ex))
    return rules, problems
