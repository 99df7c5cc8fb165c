"""Rule files: read and validate ``rules/*.toml`` into :class:`Rule` objects.

A rule file names a metric (:mod:`runload.rules.context`), gives threshold bands with a severity
each, and the words a runner reads. The format is documented in ``rules/README.md``; an error
names the file and the key.
"""

from __future__ import annotations

import math
import operator
import re
import string
import tomllib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from runload.config import default_rules_dir
from runload.errors import InputError, NotFoundError, RuleError
from runload.models import PainEntry, Severity, Sport
from runload.rules.context import get_metric
from runload.textfile import read_utf8

OPS = {"above": ">", "at_least": ">=", "below": "<", "at_most": "<="}
_COMPARE: dict[str, Callable[[float, float], bool]] = {"above": operator.gt, "at_least": operator.ge,
                                                       "below": operator.lt, "at_most": operator.le}
KINDS = ("load", "pain")
ONE_PER = ("week", "day", "key")
STRICTER_WHEN = ("previous_injury", "age_at_least")
_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")

# Event families: findings of one family on the same week (load) or pain episode are one event.
# A load rise gathers what rose: a band below its threshold (a ratio "well below your recent
# normal") is not evidence of a rise, and such a finding stands on its own (Band.joins).
EVENTS = ("load-rise", "pain-episode")
RULE_KEYS = {"id", "name", "title", "measures", "kind", "metric", "unit", "enabled", "min_history_days", "one_per",
             "repeat", "event",
             "evidence_level", "outcome_evidence", "evidence", "rationale", "citations", "message", "advice", "params",
             "bands", "stricter", "examples"}
REQUIRED = ("id", "name", "title", "metric", "evidence_level", "evidence", "rationale", "citations",
            "message", "advice", "bands", "examples")
# How strong a training-load rule's injury outcome evidence is, weakest first, and the highest
# default severity each allows (the evidence notes, section 0: a warning is worth reading only if it
# is rare and means something). "none": no injury outcome (lab, a performance model, a convention);
# "association": an association with injuries in runners in one outcome data set whose interval
# excludes no effect, or two independent ones pointing the same way; "clear": a clearly larger
# effect. The same order decides which finding leads an event (runload.assess.merge_events). Pain
# rules speak on another scale (care, not training: the red flags) and do not declare it.
OUTCOME_EVIDENCE: dict[str, Severity] = {"none": Severity.INFO, "association": Severity.CAUTION,
                                         "clear": Severity.WARNING}


def outcome_rank(level: str) -> int:
    """Order of an outcome-evidence level: "none" 1 ... "clear" 3; 0 for a rule without one (pain)."""
    return _OUTCOME_RANKS.get(level, 0)


_OUTCOME_RANKS = {level: i + 1 for i, level in enumerate(OUTCOME_EVIDENCE)}


BAND_KEYS = {"severity", "label", "message", "advice", *OPS}
STRICTER_KEYS = {"when", "factor", "age", "note"}
EXAMPLE_KEYS = {"name", "as_of", "athlete", "settings", "runs", "pain", "shoes", "expect"}
SHOE_KEYS = {"name", "start_km", "retire_km", "retired_on"}
RUN_KEYS = {"rpe", "climb_m", "day", "km", "minutes", "hr", "zone_hr", "cadence", "gear", "sport", "laps", "times",
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
        return _COMPARE[self.op](value, self.threshold if threshold is None else threshold)

    @property
    def rises(self) -> bool:
        """Whether the band is reached from below (above, at_least): a rise, not a fall."""
        return self.op in ("above", "at_least")

    def joins(self, event: str | None) -> bool:
        """Whether a finding of this band is part of its rule's event family (see EVENTS)."""
        return bool(event) and (event != "load-rise" or self.rises)


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
    outcome_evidence: str = ""  # a key of OUTCOME_EVIDENCE; "" for pain rules
    unit: str = ""
    enabled: bool = True
    min_history_days: int = 0
    one_per: str | None = None
    repeat: bool = True  # False: a band that holds week after week (day after day) is said when it begins
    event: str | None = None
    params: Mapping[str, Any] = field(default_factory=dict)
    stricter: tuple[Stricter, ...] = ()
    examples: tuple[Mapping[str, Any], ...] = ()
    path: Path | None = None
    measures: str = ""  # one line for the rules table: a template over params, e.g. "{window_days}"


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
    repeat = data.get("repeat", True)
    if not isinstance(repeat, bool):
        raise _fail(path, "repeat", f"must be true or false, not {repeat!r}")
    if not repeat and one_per not in ("week", "day"):
        raise _fail(path, "repeat", 'false needs one_per = "week" or "day" (what follows what)')
    event = data.get("event")
    if event is not None and event not in EVENTS:
        raise _fail(path, "event", f"must be one of {', '.join(EVENTS)}, not {event!r}")
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
    measures = _str(data, "measures", path, required=False)
    if measures:
        try:
            measures.format_map(params)
        except (KeyError, IndexError, ValueError) as exc:
            raise _fail(path, "measures", f"must be a template over the rule's params: {exc!r}") from None

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

    outcome = _outcome_evidence(data, kind, bands, path)

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
        enabled=enabled, min_history_days=mh, one_per=one_per, repeat=repeat, event=event, params=dict(params),
        stricter=tuple(stricter),
        examples=tuple(examples), path=path, measures=measures, outcome_evidence=outcome,
    )


def _outcome_evidence(data: Mapping[str, Any], kind: str, bands: Sequence[Band], path: Path) -> str:
    """A load rule's declared outcome evidence, with every band's severity at most what it allows.

    Required on training-load rules: what a rule may say by default follows what is known about
    injuries, not how alarming its number looks. A user raises a rule in the config
    (``[rules.override.ID] severity``), not in a bundled file. Pain rules are judged on the care
    scale and do not declare it."""
    levels = ", ".join(f'"{k}"' for k in OUTCOME_EVIDENCE)
    if kind == "pain":
        if "outcome_evidence" in data:
            raise _fail(path, "outcome_evidence", "is for training-load rules; pain rules speak on the care scale "
                                                  "(red flags), not by outcome evidence")
        return ""
    if "outcome_evidence" not in data:
        raise _fail(path, "outcome_evidence", f"is missing (one of {levels}: how strong the injury outcome evidence "
                                              "is; it caps the bands' severity)")
    level = data["outcome_evidence"]
    if level not in OUTCOME_EVIDENCE:
        raise _fail(path, "outcome_evidence", f"must be one of {levels}, not {level!r}")
    top = OUTCOME_EVIDENCE[level]
    for i, b in enumerate(bands, 1):
        if b.severity.rank > top.rank:
            raise _fail(path, f"bands[{i}].severity",
                        f"{b.severity.value!r} is above what outcome_evidence = {level!r} allows ({top.value} at most; "
                        "a user may raise it in the config)")
    return level


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
    for j, sh in enumerate(ex.get("shoes", []), 1):
        w = f"{where}shoes[{j}]."
        if not isinstance(sh, dict) or "name" not in sh:
            raise _fail(path, w.rstrip("."), "must be a table like { name = \"Road shoe\", retire_km = 600 }")
        unknown = sorted(set(sh) - SHOE_KEYS)
        if unknown:
            raise _fail(path, w + unknown[0], f"is not a shoe field (known: {', '.join(sorted(SHOE_KEYS))})")
        for key in ("start_km", "retire_km"):
            if key in sh:
                _number(sh[key], path, w + key)
        if "retired_on" in sh:
            _date(sh["retired_on"], path, w + "retired_on")
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


MAX_RULE_BYTES = 2**20  # one rule's TOML; far more is not a rule file


def load_rule(path: str | Path) -> Rule:
    """Read and validate one rule file."""
    p = Path(path)
    if not p.exists():
        raise RuleError("rule file not found", path=p)
    try:
        data = tomllib.loads(read_utf8(p, what="rule file", max_bytes=MAX_RULE_BYTES))
    except InputError as exc:  # a device, a pipe, too big, not UTF-8: read as any file a person names
        raise RuleError(exc.message, path=p, offset=exc.offset) from None
    except tomllib.TOMLDecodeError as exc:
        raise RuleError(f"not valid TOML: {exc}", path=p) from None
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
