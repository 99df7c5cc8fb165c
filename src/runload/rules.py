"""The rule engine: read and validate ``rules/*.toml``, evaluate rules into findings.

A rule file names a metric (``runload.engine``), gives threshold bands with a severity each, and
the words a runner reads. The schema is documented in ``rules/README.md``. This module:

- loads and validates rule files (:func:`load_rule`, :func:`load_rules`); an error names the
  file and the key;
- applies the config (:func:`select_rules`: rule selection and per-athlete overrides);
- evaluates rules against a :class:`runload.engine.Context` (:func:`evaluate`), applying the
  athlete profile (``[[stricter]]``: previous injury, age);
- runs the examples in the rule files (:func:`run_example`, :func:`check_example`);
- works out next week's caps from the same rules (:func:`next_week_caps`).
"""

from __future__ import annotations

import math
import re
import string
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from runload.engine import Context, MetricValue, get_metric
from runload.errors import NotFoundError, RuleError
from runload.models import Activity, Athlete, Finding, Lap, PainEntry, Severity, Sport

OPS = {"above": ">", "at_least": ">=", "below": "<", "at_most": "<="}
KINDS = ("load", "pain")
ONE_PER = ("week", "day", "key")
STRICTER_WHEN = ("previous_injury", "age_at_least")
_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")

RULE_KEYS = {"id", "name", "title", "kind", "metric", "unit", "enabled", "min_history_days", "one_per",
             "evidence_level", "evidence", "rationale", "citations", "message", "advice", "params",
             "bands", "stricter", "examples"}
REQUIRED = ("id", "name", "title", "metric", "evidence_level", "evidence", "rationale", "citations",
            "message", "advice", "bands", "examples")
BAND_KEYS = {"severity", "label", "message", "advice", *OPS}
STRICTER_KEYS = {"when", "factor", "age", "note"}
EXAMPLE_KEYS = {"name", "as_of", "athlete", "settings", "runs", "pain", "expect"}
RUN_KEYS = {"day", "km", "minutes", "hr", "zone_hr", "cadence", "gear", "sport", "laps", "times",
            "every_days", "hour"}
EXPECT_KEYS = {"severity", "week_start", "date", "value", "threshold", "message_contains"}
ATHLETE_KEYS = {"name", "sex", "birth_year", "hr_rest_bpm", "hr_max_bpm", "previous_injuries", "timezone",
                "units"}


@dataclass(frozen=True)
class Band:
    """One threshold band: ``value <op> threshold`` gives ``severity``."""

    severity: Severity
    op: str  # a key of OPS
    threshold: float
    label: str = ""
    message: str | None = None
    advice: str | None = None

    def matches(self, value: float, threshold: float | None = None) -> bool:
        t = self.threshold if threshold is None else threshold
        return {"above": value > t, "at_least": value >= t, "below": value < t, "at_most": value <= t}[self.op]


@dataclass(frozen=True)
class Stricter:
    """A profile adjustment: thresholds scaled by ``factor`` when the athlete matches."""

    when: str
    factor: float
    age: int | None = None
    note: str = ""


@dataclass(frozen=True)
class Rule:
    """A validated rule file."""

    id: str
    name: str
    title: str
    metric: str
    evidence_level: str
    evidence: str
    rationale: str
    citations: tuple[str, ...]
    message: str
    advice: str
    bands: tuple[Band, ...]
    kind: str = "load"
    unit: str = ""
    enabled: bool = True
    min_history_days: int = 0
    one_per: str | None = None
    params: Mapping[str, Any] = field(default_factory=dict)
    stricter: tuple[Stricter, ...] = ()
    examples: tuple[Mapping[str, Any], ...] = ()
    path: Path | None = None


# --- Loading and validation --------------------------------------------------------------------


def _fail(path: Path | str, key: str, problem: str) -> RuleError:
    return RuleError(f"key '{key}': {problem}", path=path)


def _str(data: Mapping[str, Any], key: str, path: Path, where: str = "", *, required: bool = True,
         default: str = "") -> str:
    name = f"{where}{key}"
    if key not in data:
        if required:
            raise _fail(path, name, "is missing")
        return default
    v = data[key]
    if not isinstance(v, str) or (required and not v.strip()):
        raise _fail(path, name, "must be a non-empty string")
    return v


def _number(v: Any, path: Path, name: str) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
        raise _fail(path, name, f"must be a number, not {v!r}")
    return float(v)


def _date(v: Any, path: Path | str, name: str) -> date:
    if isinstance(v, datetime):
        return v.date()
    if isinstance(v, date):
        return v
    if isinstance(v, str):
        try:
            return date.fromisoformat(v)
        except ValueError:
            pass
    raise _fail(path, name, f"must be a date like 2026-06-01, not {v!r}")


def _check_template(text: str, path: Path, name: str) -> None:
    try:
        list(string.Formatter().parse(text))
    except ValueError as exc:
        raise _fail(path, name, f"is not a valid template: {exc}") from None


def parse_rule(data: Mapping[str, Any], path: Path) -> Rule:
    """Validate a parsed rule file; raise :class:`RuleError` naming the file and the key."""
    unknown = sorted(set(data) - RULE_KEYS)
    if unknown:
        raise _fail(path, unknown[0], f"is not a rule key (known: {', '.join(sorted(RULE_KEYS))})")
    for key in REQUIRED:
        if key not in data:
            raise _fail(path, key, "is missing")
    rid = _str(data, "id", path)
    if not _ID.match(rid):
        raise _fail(path, "id", f"{rid!r} must be lower-case words joined by '-'")
    if path.suffix == ".toml" and path.stem != rid:
        raise _fail(path, "id", f"{rid!r} must equal the file name {path.stem!r}")
    kind = data.get("kind", "load")
    if kind not in KINDS:
        raise _fail(path, "kind", f"must be one of {', '.join(KINDS)}, not {kind!r}")
    one_per = data.get("one_per")
    if one_per is not None and one_per not in ONE_PER:
        raise _fail(path, "one_per", f"must be one of {', '.join(ONE_PER)}, not {one_per!r}")
    enabled = data.get("enabled", True)
    if not isinstance(enabled, bool):
        raise _fail(path, "enabled", "must be true or false")
    mh = data.get("min_history_days", 0)
    if isinstance(mh, bool) or not isinstance(mh, int) or mh < 0:
        raise _fail(path, "min_history_days", "must be a whole number of days, 0 or more")
    cites = data["citations"]
    if not isinstance(cites, list) or not all(isinstance(c, str) and c.strip() for c in cites):
        raise _fail(path, "citations", "must be a list of strings")
    params = data.get("params", {})
    if not isinstance(params, dict):
        raise _fail(path, "params", "must be a table")
    for key in ("message", "advice"):
        _check_template(_str(data, key, path), path, key)

    bands_raw = data["bands"]
    if not isinstance(bands_raw, list) or not bands_raw:
        raise _fail(path, "bands", "must be a non-empty array of tables ([[bands]])")
    bands = []
    for i, b in enumerate(bands_raw, 1):
        where = f"bands[{i}]."
        if not isinstance(b, dict):
            raise _fail(path, f"bands[{i}]", "must be a table")
        unknown = sorted(set(b) - BAND_KEYS)
        if unknown:
            raise _fail(path, where + unknown[0], f"is not a band key (known: {', '.join(sorted(BAND_KEYS))})")
        try:
            sev = Severity.parse(_str(b, "severity", path, where))
        except ValueError as exc:
            raise _fail(path, where + "severity", str(exc)) from None
        ops = [op for op in OPS if op in b]
        if len(ops) != 1:
            raise _fail(path, where + "above", "give exactly one of above, at_least, below, at_most")
        op = ops[0]
        for key in ("message", "advice"):
            if key in b:
                _check_template(_str(b, key, path, where), path, where + key)
        bands.append(Band(sev, op, _number(b[op], path, where + op), _str(b, "label", path, where, required=False),
                          b.get("message"), b.get("advice")))

    stricter = []
    raw_st = data.get("stricter", [])
    if not isinstance(raw_st, list):
        raise _fail(path, "stricter", "must be an array of tables ([[stricter]])")
    for i, s in enumerate(raw_st, 1):
        where = f"stricter[{i}]."
        if not isinstance(s, dict):
            raise _fail(path, f"stricter[{i}]", "must be a table")
        unknown = sorted(set(s) - STRICTER_KEYS)
        if unknown:
            raise _fail(path, where + unknown[0], f"is not a stricter key (known: {', '.join(sorted(STRICTER_KEYS))})")
        when = _str(s, "when", path, where)
        if when not in STRICTER_WHEN:
            raise _fail(path, where + "when", f"must be one of {', '.join(STRICTER_WHEN)}, not {when!r}")
        factor = _number(s.get("factor"), path, where + "factor")
        if not 0 < factor <= 1:
            raise _fail(path, where + "factor", "must be above 0 and at most 1 (1 changes nothing)")
        age = None
        if when == "age_at_least":
            age = int(_number(s.get("age"), path, where + "age"))
        stricter.append(Stricter(when, factor, age, _str(s, "note", path, where, required=False)))

    examples = data["examples"]
    if not isinstance(examples, list) or not examples:
        raise _fail(path, "examples", "must be a non-empty array of tables ([[examples]])")
    fires = silent = False
    for i, ex in enumerate(examples, 1):
        _validate_example(ex, path, f"examples[{i}].")
        if ex["expect"]:
            fires = True
        else:
            silent = True
    if not (fires and silent):
        raise _fail(path, "examples", "need at least one example that fires and one with expect = []")

    return Rule(
        id=rid, name=_str(data, "name", path), title=_str(data, "title", path), metric=_str(data, "metric", path),
        evidence_level=_str(data, "evidence_level", path), evidence=_str(data, "evidence", path),
        rationale=_str(data, "rationale", path), citations=tuple(cites), message=data["message"],
        advice=data["advice"], bands=tuple(bands), kind=kind, unit=_str(data, "unit", path, required=False),
        enabled=enabled, min_history_days=mh, one_per=one_per, params=dict(params), stricter=tuple(stricter),
        examples=tuple(examples), path=path,
    )


def _validate_example(ex: Any, path: Path, where: str) -> None:
    if not isinstance(ex, dict):
        raise _fail(path, where.rstrip("."), "must be a table")
    unknown = sorted(set(ex) - EXAMPLE_KEYS)
    if unknown:
        raise _fail(path, where + unknown[0], f"is not an example key (known: {', '.join(sorted(EXAMPLE_KEYS))})")
    _str(ex, "name", path, where)
    if "expect" not in ex or not isinstance(ex["expect"], list):
        raise _fail(path, where + "expect", "must be a list of expected findings ([] for silent)")
    if "as_of" in ex:
        _date(ex["as_of"], path, where + "as_of")
    ath = ex.get("athlete", {})
    if not isinstance(ath, dict) or set(ath) - ATHLETE_KEYS:
        bad = sorted(set(ath) - ATHLETE_KEYS) if isinstance(ath, dict) else ["athlete"]
        raise _fail(path, where + "athlete." + bad[0], f"is not an athlete field (known: {', '.join(sorted(ATHLETE_KEYS))})")
    if ath.get("units", "km") not in ("km", "mi"):
        raise _fail(path, where + "athlete.units", f"must be \"km\" or \"mi\", not {ath['units']!r}")
    for j, r in enumerate(ex.get("runs", []), 1):
        w = f"{where}runs[{j}]."
        if not isinstance(r, dict):
            raise _fail(path, w.rstrip("."), "must be a table like { day = \"2026-06-01\", km = 10 }")
        unknown = sorted(set(r) - RUN_KEYS)
        if unknown:
            raise _fail(path, w + unknown[0], f"is not a run field (known: {', '.join(sorted(RUN_KEYS))})")
        _date(r.get("day"), path, w + "day")
        _number(r.get("km"), path, w + "km")
        if "sport" in r:
            try:
                Sport(r["sport"])
            except ValueError:
                raise _fail(path, w + "sport", f"unknown sport {r['sport']!r}") from None
    pain_fields = set(PainEntry.__dataclass_fields__) - {"id"}
    for j, p in enumerate(ex.get("pain", []), 1):
        w = f"{where}pain[{j}]."
        if not isinstance(p, dict):
            raise _fail(path, w.rstrip("."), "must be a table of pain-log fields")
        unknown = sorted(set(p) - pain_fields)
        if unknown:
            raise _fail(path, w + unknown[0], f"is not a pain-log field (known: {', '.join(sorted(pain_fields))})")
        _date(p.get("date"), path, w + "date")
    for j, e in enumerate(ex["expect"], 1):
        w = f"{where}expect[{j}]."
        if not isinstance(e, dict):
            raise _fail(path, w.rstrip("."), "must be a table")
        unknown = sorted(set(e) - EXPECT_KEYS)
        if unknown:
            raise _fail(path, w + unknown[0], f"is not an expectation key (known: {', '.join(sorted(EXPECT_KEYS))})")
        try:
            Severity.parse(_str(e, "severity", path, w))
        except ValueError as exc:
            raise _fail(path, w + "severity", str(exc)) from None


def load_rule(path: str | Path) -> Rule:
    """Read and validate one rule file."""
    p = Path(path)
    try:
        with p.open("rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        raise RuleError("rule file not found", path=p) from None
    except tomllib.TOMLDecodeError as exc:
        raise RuleError(f"not valid TOML: {exc}", path=p) from None
    except OSError as exc:
        raise RuleError(f"cannot read rule file: {exc.strerror}", path=p) from None
    return parse_rule(data, p)


def rule_files(paths: Iterable[str | Path]) -> list[Path]:
    """The ``*.toml`` files in the given folders (or the files themselves), sorted by name."""
    out: list[Path] = []
    for p in map(Path, paths):
        p = p.expanduser()
        if p.is_dir():
            out.extend(sorted(p.glob("*.toml")))
        elif p.is_file():
            out.append(p)
        else:
            raise RuleError("no such rule file or folder", path=p)
    return out


def load_rules(paths: Iterable[str | Path] | None = None, *, check_metrics: bool = True) -> list[Rule]:
    """Every rule in the given folders or files (default: the bundled ``rules/``), validated.

    Two files with the same id, or a rule naming a metric nobody registered, are errors.
    """
    from runload.config import default_rules_dir

    files = rule_files(paths if paths is not None else [default_rules_dir()])
    rules: list[Rule] = []
    seen: dict[str, Path] = {}
    for f in files:
        rule = load_rule(f)
        if rule.id in seen:
            raise _fail(f, "id", f"{rule.id!r} is also the id of {seen[rule.id]}")
        seen[rule.id] = f
        if check_metrics and get_metric(rule.metric) is None:
            raise _fail(f, "metric", f"no metric named {rule.metric!r} is registered")
        rules.append(rule)
    return rules


def find_rule(rules: Sequence[Rule], rule_id: str) -> Rule:
    for r in rules:
        if r.id == rule_id:
            return r
    raise NotFoundError(f"no rule with id {rule_id!r} (see: runload rules list)")


# --- Config: selection and overrides ------------------------------------------------------------

WEEKDAY_NAMES = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]


def _apply_rules_section(rules: list[Rule], section: Mapping[str, Any], where: str) -> list[Rule]:
    from runload.errors import InputError

    if not isinstance(section, dict):
        raise InputError(f"config key '{where}' must be a table")
    ids = {r.id for r in rules}
    for key in ("disable", "only"):
        names = section.get(key, [])
        if not isinstance(names, list):
            raise InputError(f"config key '{where}.{key}' must be a list of rule ids")
        for n in names:
            if n not in ids:
                raise InputError(f"config key '{where}.{key}': no rule with id {n!r}")
    if section.get("only"):
        rules = [r for r in rules if r.id in section["only"]]
    rules = [r for r in rules if r.id not in section.get("disable", [])]
    overrides = section.get("override", {})
    out = []
    for r in rules:
        o = overrides.get(r.id)
        if o is None:
            out.append(r)
            continue
        w = f"{where}.override.{r.id}"
        if not isinstance(o, dict) or set(o) - {"params", "thresholds", "enabled"}:
            raise InputError(f"config key '{w}' may hold params, thresholds and enabled only")
        params = {**r.params, **o.get("params", {})}
        bands = list(r.bands)
        for sev, value in o.get("thresholds", {}).items():
            try:
                s = Severity.parse(sev)
            except ValueError as exc:
                raise InputError(f"config key '{w}.thresholds.{sev}': {exc}") from None
            if not any(b.severity is s for b in bands):
                raise InputError(f"config key '{w}.thresholds.{sev}': rule {r.id} has no {sev} band")
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise InputError(f"config key '{w}.thresholds.{sev}' must be a number")
            bands = [replace(b, threshold=float(value)) if b.severity is s else b for b in bands]
        out.append(replace(r, params=params, bands=tuple(bands), enabled=o.get("enabled", r.enabled)))
    return out


def select_rules(rules: Sequence[Rule], config: Mapping[str, Any], athlete_id: str | None = None) -> list[Rule]:
    """The enabled rules after the config's ``[rules]`` and ``[athletes.ID.rules]`` sections
    (see rules/README.md): ``disable``, ``only`` and ``override.RULE_ID`` (params, thresholds)."""
    out = _apply_rules_section(list(rules), config.get("rules", {}), "rules")
    if athlete_id is not None:
        ath = config.get("athletes", {}).get(athlete_id, {})
        if ath.get("rules"):
            out = _apply_rules_section(out, ath["rules"], f"athletes.{athlete_id}.rules")
    return [r for r in out if r.enabled]


def athlete_settings(config: Mapping[str, Any], athlete_id: str | None) -> dict[str, Any]:
    """Metric settings for one athlete: the config's ``[athletes.ID]`` keys except ``rules``."""
    ath = config.get("athletes", {}).get(athlete_id or "", {}) if athlete_id else {}
    return {k: v for k, v in ath.items() if k != "rules"}


def week_start_setting(config: Mapping[str, Any]) -> int:
    """The first weekday from the config's ``week_start`` (name or 0-6), default Monday."""
    from runload.errors import InputError

    v = config.get("week_start", 0)
    if isinstance(v, str) and v.lower() in WEEKDAY_NAMES:
        return WEEKDAY_NAMES.index(v.lower())
    if isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= 6:
        return v
    raise InputError(f"config key 'week_start' must be a weekday name, not {v!r}")


def extra_rule_paths(config: Mapping[str, Any]) -> list[Path]:
    """Folders named by the config's ``rules.paths``."""
    return [Path(p).expanduser() for p in config.get("rules", {}).get("paths", [])]


# --- Evaluation --------------------------------------------------------------------------------


def profile_factor(rule: Rule, athlete: Athlete, day: date | None) -> tuple[float, list[str]]:
    """The combined ``[[stricter]]`` factor for this athlete on ``day`` and the notes that apply."""
    factor, notes = 1.0, []
    for s in rule.stricter:
        if s.when == "previous_injury":
            hit = bool(athlete.previous_injuries)
        else:
            year = (day or date.today()).year
            hit = athlete.birth_year is not None and s.age is not None and year - athlete.birth_year >= s.age
        if hit:
            factor *= s.factor
            notes.append(s.note or s.when.replace("_", " "))
    return factor, notes


def effective_threshold(band: Band, factor: float) -> float:
    """A band's threshold after a profile factor: lower for above/at_least, higher for below/at_most."""
    if factor == 1.0:
        return band.threshold
    return band.threshold * factor if band.op in ("above", "at_least") else band.threshold / factor


class _Fields(dict):
    """Template fields; a missing key is reported with the rule file."""

    def __init__(self, rule: Rule, where: str, data: Mapping[str, Any]) -> None:
        super().__init__(data)
        self.rule, self.where = rule, where

    def __missing__(self, key: str) -> Any:
        raise _fail(self.rule.path or self.rule.id, self.where,
                    f"template names {{{key}}}, which metric {self.rule.metric!r} does not give")


def _render(rule: Rule, where: str, template: str, fields: Mapping[str, Any], units: str = "km") -> str:
    """Fill a template in the reader's units (``{distance_km:dist}``: see :mod:`runload.units`)."""
    from runload.units import UnitFormatter

    try:
        return UnitFormatter(units).vformat(template, (), _Fields(rule, where, fields))
    except (ValueError, TypeError) as exc:
        raise _fail(rule.path or rule.id, where, f"cannot fill template: {exc}") from None


def _amount(value: float, unit: str, units: str) -> str:
    """A threshold with its unit, in the reader's units (``7%``, ``500 km``, ``310.7 mi``)."""
    from runload.units import is_distance_unit, quantity

    shown, shown_unit = quantity(value, unit, units)
    if is_distance_unit(unit) and units != "km":
        shown = round(shown, 1)  # 500 km is 310.685596... mi
    return f"{shown:g}{shown_unit}"


def _day_of(v: MetricValue) -> date | None:
    if v.date is not None:
        return v.date
    if v.week_start is not None:
        return v.week_start + timedelta(days=6)
    return None


def history_start(ctx: Context) -> date | None:
    """The first day runload has data for (first activity, else first pain entry)."""
    from runload.load import local_date

    days = [local_date(a) for a in ctx.activities] or [p.date for p in ctx.pain_entries]
    return min(days, default=None)


def evaluate(rule: Rule, ctx: Context) -> list[Finding]:
    """The findings of one rule for the context, in date order."""
    fn = get_metric(rule.metric)
    if fn is None:
        raise _fail(rule.path or rule.id, "metric", f"no metric named {rule.metric!r} is registered")
    start = history_start(ctx)
    units = ctx.athlete.units or "km"  # the reader's units: words only, values stay in km
    found: list[tuple[MetricValue, Finding]] = []
    for v in fn(ctx, rule.params):
        if v.value is None or (isinstance(v.value, float) and math.isnan(v.value)):
            continue
        day = _day_of(v)
        if rule.min_history_days and start is not None and day is not None \
                and (day - start).days < rule.min_history_days:
            continue
        # Round away float noise so 11 km after 10 km is exactly 10%, not 10.000000000000009%.
        value = round(float(v.value), 9)
        factor, notes = profile_factor(rule, ctx.athlete, day)
        best: tuple[Band, float] | None = None
        for band in rule.bands:
            t = effective_threshold(band, factor)
            if band.matches(value, t) and (best is None or band.severity.rank >= best[0].severity.rank):
                best = (band, t)
        if best is None:
            continue
        band, threshold = best
        stricter = ""
        if factor != 1.0:
            stricter = (f"Threshold {_amount(threshold, rule.unit, units)} instead of "
                        f"{_amount(band.threshold, rule.unit, units)}: " + "; ".join(notes) + ".")
        fields = {**v.facts, "value": float(v.value), "threshold": threshold, "unit": rule.unit,
                  "severity": band.severity.value, "band": band.label, "rule_id": rule.id,
                  "week_start": v.week_start or "", "date": v.date or "", "athlete": ctx.athlete.name,
                  "stricter": stricter}
        message = _render(rule, "message", band.message or rule.message, fields, units)
        advice = _render(rule, "advice", band.advice or rule.advice, fields, units)
        if stricter and "{stricter}" not in (band.message or rule.message):
            message = f"{message} ({stricter})"
        found.append((v, Finding(
            rule_id=rule.id, severity=band.severity, title=rule.title, message=message, advice=advice,
            evidence=rule.evidence, value=round(float(v.value), 2), threshold=round(threshold, 2),
            unit=rule.unit, week_start=v.week_start, date=v.date, citations=rule.citations,
            evidence_level=rule.evidence_level)))
    if rule.one_per:
        groups: dict[Any, tuple[MetricValue, Finding]] = {}
        for v, f in found:
            key = {"week": v.week_start or _day_of(v), "day": _day_of(v), "key": v.facts.get("key")}[rule.one_per]
            old = groups.get(key)
            # Keep the most severe; among equals the larger departure from the threshold.
            if old is None or (f.severity.rank, abs((f.value or 0) - (f.threshold or 0))) > \
                    (old[1].severity.rank, abs((old[1].value or 0) - (old[1].threshold or 0))):
                groups[key] = (v, f)
        found = list(groups.values())
    found.sort(key=lambda vf: (_day_of(vf[0]) or date.min))
    return [f for _, f in found]


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    """Most severe first; within a severity the most recent first."""
    return sorted(findings, key=lambda f: (-f.severity.rank, -(f.date or f.week_start or date.min).toordinal(),
                                           f.rule_id))


def evaluate_all(rules: Sequence[Rule], ctx: Context) -> list[Finding]:
    """Every rule's findings, most severe first."""
    out: list[Finding] = []
    for r in rules:
        out.extend(evaluate(r, ctx))
    return sort_findings(out)


# --- Next week's caps ---------------------------------------------------------------------------


def _caution_pct(rule: Rule, athlete: Athlete, day: date) -> float:
    """The lowest ``above`` threshold of a progression rule, after the athlete profile."""
    factor, _ = profile_factor(rule, athlete, day)
    ups = [b for b in rule.bands if b.op in ("above", "at_least")]
    return min(effective_threshold(b, factor) for b in ups)


RETURN_TO_RUN_GUIDANCE = (
    "Return-to-run mode: no run in the last 30 days or a comeback under way. Start with walk-run "
    "sessions (for example 1 minute running, 1-2 minutes walking, repeated for 20-30 minutes), "
    "keep at least one rest day between runs, do each stage at least twice before lengthening "
    "the running parts, and do not progress while swelling, stiffness or pain rise "
    "(consensus, Trials 2023, doi:10.1186/s13063-023-07502-x)."
)


def next_week_caps(ctx: Context, rules: Sequence[Rule]) -> dict[str, Any]:
    """Next week's caps from the rules in force (evidence.md sections 1, 2 and 8).

    - week distance: the reference week's km x (1 + the weekly-progression rule's lowest
      threshold, after the profile). The reference week is the week holding ``as_of`` when it
      is over, else the larger of that week so far and the week before. Below the rule's
      ``min_base_km`` a percentage means little: the cap is the base itself.
    - longest run: 1.1 x (or the single-run-spike rule's lowest threshold, after the profile)
      the longest run of the 30 days up to ``as_of``, where a run that was itself a spike
      counts only up to that threshold over its own reference (a 25.6 km run after a 16 km
      longest is not a new 25.6 km base). Likewise a reference week that jumped counts only up
      to the rule's threshold over the week before it.
    - return-to-run mode (no run for 30 days, or a comeback under way): no caps, walk-run
      guidance instead.
    Keys: week_km, week_rule, longest_run_km, longest_run_rule, mode, guidance, basis.
    """
    from runload.load import local_date, week_start_of, weekly_running
    from runload.load_metrics import established_longest_km, return_to_run_state

    acts = [a for a in ctx.activities if ctx.as_of is None or local_date(a) <= ctx.as_of]
    out: dict[str, Any] = {"week_km": None, "week_rule": None, "longest_run_km": None,
                           "longest_run_rule": None, "mode": "normal", "guidance": None, "basis": {}}
    if not acts:
        return out
    as_of = ctx.as_of or max(local_date(a) for a in acts)
    by_id = {r.id: r for r in rules}
    rtr = by_id.get("return-to-run")
    brk = int((rtr.params if rtr else {}).get("break_days", 30))
    state = return_to_run_state(acts, as_of, break_days=brk,
                                mode_days=int((rtr.params if rtr else {}).get("mode_days", 28)))
    if state["active"]:
        out.update(mode="return-to-run", guidance=RETURN_TO_RUN_GUIDANCE,
                   week_rule="return-to-run" if rtr else None, longest_run_rule="return-to-run" if rtr else None,
                   basis={"days_since_last_run": state["days_since_last_run"],
                          "comeback": state["comeback"].isoformat() if state["comeback"] else None})
        return out
    wp = by_id.get("weekly-progression")
    if wp is not None:
        min_base = float(wp.params.get("min_base_km", ctx.settings.get("min_base_km", 10.0)))
        weekly = weekly_running(acts, week_start=ctx.week_start, end=as_of)
        km = {r.week_start: float(r.distance_km) for r in weekly.itertuples(index=False)}
        this_week = week_start_of(as_of, ctx.week_start)
        if this_week + timedelta(days=6) <= as_of:
            ref = km.get(this_week, 0.0)
        else:
            ref = max(km.get(this_week, 0.0), km.get(this_week - timedelta(days=7), 0.0))
        pct = _caution_pct(wp, ctx.athlete, as_of)
        # A reference week that was itself a jump does not raise the ceiling: it counts only up to
        # what the rule allowed over the week before it (a +40% week is not a new base).
        ref_start = this_week if km.get(this_week, 0.0) >= ref else this_week - timedelta(days=7)
        before = km.get(ref_start - timedelta(days=7))
        if before is not None and before >= min_base and ref > before * (1 + pct / 100.0):
            out["basis"].update(reference_week_raw_km=round(ref, 2), reference_capped_by_week_before_km=round(before, 2))
            ref = before * (1 + pct / 100.0)
        cap = ref * (1 + pct / 100.0) if ref >= min_base else min_base
        out.update(week_km=round(cap, 1), week_rule=wp.id)
        out["basis"].update(reference_week_km=round(ref, 2), week_pct=round(pct, 2), min_base_km=min_base)
    sp = by_id.get("single-run-spike")
    if sp is not None:
        window = int(sp.params.get("window_days", 30))
        pct = _caution_pct(sp, ctx.athlete, as_of)
        longest = established_longest_km(acts, end=as_of, days=window, spike_pct=pct)
        if longest is not None:
            out.update(longest_run_km=round(longest * (1 + pct / 100.0), 1), longest_run_rule=sp.id)
            out["basis"].update(longest_30d_km=round(longest, 2), longest_pct=round(pct, 2))
    return out


# --- Examples ------------------------------------------------------------------------------------


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
            zones = {int(k) // 5 * 5: float(v) * 60.0 for k, v in r["zone_hr"].items()}
        elif "hr" in r:
            zones = {int(r["hr"]) // 5 * 5: minutes * 60.0}
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
                laps=laps, hr_zone_s=dict(zones)))
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
    from runload.load import local_date

    data_end = max((local_date(a) for a in acts), default=None)
    return Context(athlete=athlete, activities=acts, pain_entries=tuple(pain), as_of=as_of,
                   data_end=data_end, settings=dict(example.get("settings", {})))


def run_example(rule: Rule, example: Mapping[str, Any]) -> list[Finding]:
    """The findings of ``rule`` on one of its examples (settings override the rule's params)."""
    ctx = example_context(rule, example)
    params = {**rule.params, **example.get("settings", {})}
    return evaluate(replace(rule, params=params), ctx)


def check_example(rule: Rule, example: Mapping[str, Any]) -> list[str]:
    """Differences between an example's expected and actual findings ([] when it passes)."""
    got = run_example(rule, example)
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
