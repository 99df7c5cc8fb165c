"""The config's say over the rules: ``[rules]`` and ``[athletes.ID.rules]`` (selection and
per-athlete overrides), per-athlete metric settings, and extra rule folders."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from runload.config import ANY, ATHLETE_SETTINGS, settings_in
from runload.errors import InputError
from runload.models import Severity
from runload.rules.schema import Band, Rule


def _metric_settings() -> tuple[str, ...]:
    """Parameters any metric reads from a rule's params or the athlete settings
    (:data:`runload.config.ATHLETE_SETTINGS`)."""
    return ATHLETE_SETTINGS


#: What an override of one rule may hold (``params``, ``severity``, ``thresholds``, ``enabled``),
#: as :data:`runload.config.SETTINGS` declares it.
OVERRIDE_KEYS: tuple[str, ...] = tuple(s.name for s in settings_in(f"rules.override.{ANY}"))


def _apply_rules_section(rules: list[Rule], section: Mapping[str, Any], where: str,
                         known: set[str] | None = None) -> list[Rule]:
    if not isinstance(section, dict):
        raise InputError(f"config key '{where}' must be a table")
    ids = known if known is not None else {r.id for r in rules}
    for rule_id in section.get("override", {}):
        if rule_id not in ids:  # an override of a misspelt rule would otherwise change nothing, silently
            raise InputError(f"config key '{where}.override.{rule_id}': no rule with id {rule_id!r}")
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
        if not isinstance(o, dict) or set(o) - set(OVERRIDE_KEYS):
            raise InputError(f"config key '{w}' may hold {', '.join(OVERRIDE_KEYS[:-1])} and {OVERRIDE_KEYS[-1]} only")
        given = o.get("params", {})
        if not isinstance(given, dict):
            raise InputError(f"config key '{w}.params' must be a table")
        readable = set(r.params) | set(_metric_settings())
        unknown = sorted(k for k in given if k not in readable)
        if unknown:  # a misspelt parameter would otherwise change nothing, silently
            own = ", ".join(sorted(r.params)) or "none"
            raise InputError(f"config key '{w}.params.{unknown[0]}': rule {r.id} reads no such parameter (its "
                             f"file's params: {own}; or a shared setting: {', '.join(_metric_settings())})")
        params = {**r.params, **given}
        bands = _with_severity(r, o.get("severity"), w)
        for sev, value in o.get("thresholds", {}).items():
            try:
                s = Severity.parse(sev)
            except ValueError as exc:
                raise InputError(f"config key '{w}.thresholds.{sev}': {exc}") from None
            at = [i for i, b in enumerate(bands) if b.severity is s]
            if not at:
                has = ", ".join(dict.fromkeys(b.severity.value for b in bands))
                raise InputError(f"config key '{w}.thresholds.{sev}': rule {r.id} has no {sev} band (its bands: "
                                 f"{has}; thresholds name a band by its severity after any severity override)")
            # A number sets the first band of that severity (what it always meant); a list sets
            # them one by one in file order (weekly-progression has two caution bands: more than
            # 10%, and more than 30% in stronger words).
            if not isinstance(value, list):
                at, values = at[:1], [value]
            else:
                values = value
            if len(values) != len(at) or any(isinstance(v, bool) or not isinstance(v, (int, float)) for v in values):
                raise InputError(f"config key '{w}.thresholds.{sev}' must be a number or a list of "
                                 f"{len(at)} number(s), one per {sev} band of {r.id}")
            for i, v in zip(at, values):
                bands[i] = replace(bands[i], threshold=float(v))
        out.append(replace(r, params=params, bands=tuple(bands), enabled=o.get("enabled", r.enabled)))
    return out


def _with_severity(rule: Rule, value: Any, where: str) -> list[Band]:
    """The rule's bands with the config's ``severity`` override: a severity name for every band,
    or a list of names, one per band in file order. This is how a coach raises (or lowers) a rule
    above what its outcome evidence gives by default (rules/README.md: "Outcome evidence and
    severity"); red flags are not training rules and keep their care levels."""
    bands = list(rule.bands)
    if value is None:
        return bands
    values = value if isinstance(value, list) else [value] * len(bands)
    if len(values) != len(bands) or not all(isinstance(v, str) for v in values):
        raise InputError(f"config key '{where}.severity' must be a severity or a list of {len(bands)} severities, "
                         f"one per band of {rule.id}")
    if rule.metric == "pain_red_flag":
        raise InputError(f"config key '{where}.severity': {rule.id} is a red flag; its level is the care it calls "
                         "for, not a setting")
    out = []
    for band, name in zip(bands, values):
        try:
            sev = Severity.parse(name)
        except ValueError as exc:
            raise InputError(f"config key '{where}.severity': {exc}") from None
        if sev.rank > Severity.WARNING.rank:  # urgent and emergency are the red flags' care levels
            raise InputError(f"config key '{where}.severity': {sev.value!r} is kept for red flags (care); "
                             "a rule can be raised to warning at most")
        out.append(replace(band, severity=sev))
    return out


def select_rules(rules: Sequence[Rule], config: Mapping[str, Any], athlete_id: str | None = None) -> list[Rule]:
    """The enabled rules after the config's ``[rules]`` and ``[athletes.ID.rules]`` sections
    (see rules/README.md): ``disable``, ``only`` and ``override.RULE_ID`` (params, severity,
    thresholds)."""
    out = _apply_rules_section(list(rules), config.get("rules", {}), "rules")
    if athlete_id is not None:
        ath = config.get("athletes", {}).get(athlete_id, {})
        if ath.get("rules"):
            out = _apply_rules_section(out, ath["rules"], f"athletes.{athlete_id}.rules", {r.id for r in rules})
    return [r for r in out if r.enabled]


def athlete_settings(config: Mapping[str, Any], athlete_id: str | None) -> dict[str, Any]:
    """Metric settings for one athlete: the config's ``[athletes.ID]`` keys except ``rules``."""
    ath = config.get("athletes", {}).get(athlete_id or "", {}) if athlete_id else {}
    return {k: v for k, v in ath.items() if k != "rules"}


def extra_rule_paths(config: Mapping[str, Any]) -> list[Path]:
    """Folders named by the config's ``rules.paths``."""
    return [Path(p).expanduser() for p in config.get("rules", {}).get("paths", [])]
