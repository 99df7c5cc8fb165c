"""Evaluate rules into findings: a metric's values against the rule's bands, after the athlete
profile (``[[stricter]]``), with the rule's words filled in the reader's units."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from runload.calendar import week_start_of
from runload.models import Athlete, Finding, new_finding
from runload.rules.context import Context, MetricColumns, MetricFn, MetricValue, get_metric
from runload.rules.schema import Band, Rule, _fail
from runload.units import UnitFormatter, is_distance_unit, quantity


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
    return band.threshold * factor if band.rises else band.threshold / factor


def strongest_band(rule: Rule, value: float, factor: float) -> tuple[Band, float] | None:
    """(the most severe band ``value`` reaches, its threshold scaled by ``factor``), or None; of
    equally severe bands the last listed wins."""
    best: tuple[Band, float] | None = None
    for band in rule.bands:
        t = effective_threshold(band, factor)
        if band.matches(value, t) and (best is None or band.severity.rank >= best[0].severity.rank):
            best = (band, t)
    return best


class RuleName(NamedTuple):
    """What an error in a rule's words names: the rule, its file and its metric."""

    id: str
    path: Path | None
    metric: str


class _Fields(dict):
    """Template fields; a missing key is reported with the rule file."""

    def __init__(self, rule: Rule | RuleName, where: str, data: Mapping[str, Any]) -> None:
        super().__init__(data)
        self.rule, self.where = rule, where

    def __missing__(self, key: str) -> Any:
        raise _fail(self.rule.path or self.rule.id, self.where,
                    f"template names {{{key}}}, which metric {self.rule.metric!r} does not give")


def _render(rule: Rule | RuleName, where: str, template: str, fields: Mapping[str, Any], units: str = "km") -> str:
    """Fill a template in the reader's units (``{distance_km:dist}``: see :mod:`runload.units`)."""
    try:
        return UnitFormatter(units).vformat(template, (), _Fields(rule, where, fields))
    except (ValueError, TypeError) as exc:
        raise _fail(rule.path or rule.id, where, f"cannot fill template: {exc}") from None


class RuleWords:
    """A finding's message or advice before it is written: the rule's template, the values that
    fill it and the reader's units (:class:`runload.models.Words`). Written on the first read
    (:class:`runload.models.WordsField`), once: the history holds hundreds of findings and a
    report shows a few."""

    __slots__ = ("rule", "where", "template", "fields", "units", "suffix", "_text")

    def __init__(self, rule: Rule | RuleName, where: str, template: str, fields: Mapping[str, Any], units: str,
                 suffix: str = "") -> None:
        # the rule's name only: an assessment travelling to another process carries no rule files
        self.rule = rule if isinstance(rule, RuleName) else RuleName(rule.id, rule.path, rule.metric)
        self.where, self.template, self.fields, self.units = where, template, fields, units
        self.suffix = suffix
        self._text: str | None = None

    def render(self) -> str:
        if self._text is None:
            self._text = _render(self.rule, self.where, self.template, self.fields, self.units) + self.suffix
        return self._text

    def __getstate__(self) -> tuple[Any, ...]:
        return (self.rule, self.where, self.template, self.fields, self.units, self.suffix, self._text)

    def __setstate__(self, state: tuple[Any, ...]) -> None:
        self.rule, self.where, self.template, self.fields, self.units, self.suffix, self._text = state


def _amount(value: float, unit: str, units: str) -> str:
    """A threshold with its unit, in the reader's units (``7%``, ``500 km``, ``310.7 mi``)."""
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
    if ctx.frames.first_day is not None:
        return ctx.frames.first_day
    return min((p.date for p in ctx.pain_entries), default=None)


def evaluate(rule: Rule, ctx: Context) -> list[Finding]:
    """The findings of one rule for the context, in date order.

    A metric that gives its values as columns (:class:`runload.rules.context.MetricColumns`: the
    whole history at once) is judged on its arrays first, every band at once; only the rows that
    can match are then judged one by one as any value is (:func:`judge`), so the findings are
    exactly those of :func:`evaluate_each`, which judges every value."""
    values = _metric(rule)(ctx, rule.params)
    if isinstance(values, MetricColumns):
        values = [values.row(i) for i in week_leads(rule, ctx, values, candidates(rule, ctx, values))]
    return judge(rule, ctx, values)


def evaluate_each(rule: Rule, ctx: Context) -> list[Finding]:
    """The findings of one rule judged value by value, every value of the metric: the reference
    :func:`evaluate` must equal (tests/rules/test_rules_vectorised.py)."""
    values = _metric(rule)(ctx, rule.params)
    return judge(rule, ctx, values.rows() if isinstance(values, MetricColumns) else values)


def _metric(rule: Rule) -> MetricFn:
    fn = get_metric(rule.metric)
    if fn is None:
        raise _fail(rule.path or rule.id, "metric", f"no metric named {rule.metric!r} is registered")
    return fn


#: How far inside a threshold a column value still counts as a candidate: far more than the
#: rounding (9 decimals) the exact judgement applies, far less than anything a rule measures.
_SLACK = 1e-6


def candidates(rule: Rule, ctx: Context, cols: MetricColumns) -> list[int]:
    """The rows of ``cols`` that may match a band of ``rule``: a value, old enough for
    ``min_history_days``, and at or past some band's threshold (after the profile) within
    :data:`_SLACK`. Every row that :func:`judge` would keep is among them."""
    v = cols.values
    if not len(v):
        return []
    # comparisons with NaN are False (and warn of nothing): a row without a value is no candidate
    factor = _factors(rule, ctx.athlete, cols.days)
    if factor is None:  # one comparison per direction: at or past the lowest (highest) reach of a band
        ups = [b.threshold - _SLACK * max(1.0, abs(b.threshold)) for b in rule.bands if b.rises]
        downs = [b.threshold + _SLACK * max(1.0, abs(b.threshold)) for b in rule.bands
                 if not b.rises]
        hit = v >= min(ups) if ups else np.zeros(len(v), dtype=bool)
        if downs:
            hit |= v <= max(downs)
    else:
        hit = np.zeros(len(v), dtype=bool)
        for band in rule.bands:
            up = band.rises
            ts = band.threshold * factor if up else band.threshold / factor
            epss = _SLACK * np.maximum(1.0, np.abs(ts))
            hit |= (v >= ts - epss) if up else (v <= ts + epss)
    start = history_start(ctx)
    if rule.min_history_days and start is not None:
        days = cols.days
        hit &= ~((days > 0) & (days - start.toordinal() < rule.min_history_days))
    return hit.nonzero()[0].tolist()


def week_leads(rule: Rule, ctx: Context, cols: MetricColumns, rows: list[int]) -> list[int]:
    """Of the candidate ``rows``, the one per week that :func:`judge` keeps for a rule judged
    once per week (``one_per = "week"``), when the columns give each row's week: the same
    judgement (the most severe band after the profile, then the larger departure from its
    threshold, the earlier of equals) on the arrays, so only the leads are written as values.
    Otherwise ``rows`` as they are."""
    if rule.one_per != "week" or cols.weeks is None or len(rows) < 2:
        return rows
    at = np.asarray(rows, dtype=np.int64)
    raw = cols.values[at]
    if not np.isfinite(raw).all():
        return rows  # judge sorts these out one by one
    factors = _factors(rule, ctx.athlete, cols.days[at])
    value = _rounded_near(rule, raw, factors)
    # strongest_band on every row at once: the most severe band reached, the last listed of equals
    rank = np.full(len(rows), -1, dtype=np.int64)
    threshold = np.zeros(len(rows))
    for band in rule.bands:
        t = band.threshold if factors is None else (
            band.threshold * factors if band.rises else band.threshold / factors)
        reach = _COMPARE_ARRAYS[band.op](value, t) & (band.severity.rank >= rank)
        rank = np.where(reach, band.severity.rank, rank)
        threshold = np.where(reach, t, threshold)
    keep = (rank >= 0).nonzero()[0]
    if not len(keep):
        return []
    # per week the most severe, then the larger departure from its threshold, the earliest of equals
    weeks = cols.weeks[at[keep]]
    order = np.lexsort((keep, -np.abs(raw[keep] - threshold[keep]), -rank[keep], weeks))
    ordered = weeks[order]
    first = np.concatenate(([True], ordered[1:] != ordered[:-1]))
    return sorted(at[keep[order[first]]].tolist())


def _rounded_near(rule: Rule, raw: np.ndarray, factors: np.ndarray | None) -> np.ndarray:
    """``raw`` as :func:`judge` compares it with a band: rounded to 9 decimals. Rounding moves a
    value by far less than :data:`_SLACK`, so only a value that close to a threshold (after the
    profile) can compare otherwise: those are rounded one by one, as judge does."""
    near = np.zeros(len(raw), dtype=bool)
    for band in rule.bands:
        t = band.threshold if factors is None else (
            band.threshold * factors if band.rises else band.threshold / factors)
        near |= np.abs(raw - t) <= _SLACK * np.maximum(1.0, np.abs(t))
    if not near.any():
        return raw
    value = raw.copy()
    value[near] = [round(x, 9) for x in raw[near].tolist()]
    return value


_COMPARE_ARRAYS = {"above": np.greater, "at_least": np.greater_equal, "below": np.less, "at_most": np.less_equal}


def _factors(rule: Rule, athlete: Athlete, days: np.ndarray) -> np.ndarray | None:
    """:func:`profile_factor` of each row's day (ordinals, 0 for none), or None when it is 1
    throughout. The factor changes with the calendar year at most (an age reached)."""
    if not rule.stricter:
        return None
    if athlete.birth_year is None:  # no age is reached: the factor is the same every year
        factor, _ = profile_factor(rule, athlete, date.min)  # any day: only an age would need the year
        return None if factor == 1.0 else np.full(len(days), factor)
    years = np.where(days > 0, (days - _EPOCH_ORDINAL).astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64)
                     + 1970, 0)
    out = np.ones(len(days))
    for year in np.unique(years).tolist():
        factor, _ = profile_factor(rule, athlete, date(year, 1, 1) if year else None)
        out[years == year] = factor
    return None if (out == 1.0).all() else out


_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


def judge(rule: Rule, ctx: Context, values: Iterable[MetricValue]) -> list[Finding]:
    """Findings of ``rule`` from metric values, one by one: each value against the bands after
    the profile (the most severe band it matches), then one finding per ``one_per`` group, in
    date order. The words are kept as :class:`RuleWords`, written when read."""
    start = history_start(ctx)
    athlete = ctx.athlete
    units = athlete.units or "km"  # the reader's units: words only, values stay in km
    min_days = rule.min_history_days if start is not None else 0
    matches: list[tuple[MetricValue, float, Band, float, float, list[str]]] = []
    profile: dict[int | None, tuple[float, list[str]]] = {}  # the profile factor by year (an age reached)
    for v in values:
        given = v.value
        if given is None or (isinstance(given, float) and given != given):
            continue
        raw = float(given)
        day = v.date if v.date is not None else (v.week_start + _SIX_DAYS if v.week_start is not None else None)
        if min_days and day is not None and start is not None and (day - start).days < min_days:
            continue
        # Round away float noise so 11 km after 10 km is exactly 10%, not 10.000000000000009%.
        value = round(raw, 9)
        year = day.year if day is not None else None
        got = profile.get(year)
        if got is None:
            got = profile[year] = profile_factor(rule, athlete, day)
        factor, notes = got
        facts = v.facts
        if facts and facts.get("threshold_factor"):
            # the metric scales the thresholds for this one value (a shoe's own retirement distance)
            factor *= float(facts["threshold_factor"])
            notes = [*notes, str(facts.get("threshold_note") or "set for this value")]
        best = strongest_band(rule, value, factor)
        if best is None:
            continue
        band, threshold = best
        matches.append((v, raw, band, threshold, factor, notes))
    if rule.one_per and len(matches) > 1:
        groups: dict[Any, tuple[MetricValue, float, Band, float, float, list[str]]] = {}
        for m in matches:
            v, raw, band, threshold = m[0], m[1], m[2], m[3]
            key = v.facts.get("key") if rule.one_per == "key" else _period(rule, v)
            old = groups.get(key)
            # Keep the most severe; among equals the larger departure from the threshold.
            if old is None or (band.severity.rank, abs(raw - threshold)) > (old[2].severity.rank, abs(old[1] - old[3])):
                groups[key] = m
        matches = list(groups.values())
    if not rule.repeat and len(matches) > 1:
        # a condition that holds week after week (day after day) is said the period it begins:
        # a value in the same band as the period before's is left out (another band is news)
        step = _SIX_DAYS + _ONE_DAY if rule.one_per == "week" else _ONE_DAY
        held = {(_period(rule, m[0]), m[2]) for m in matches}
        matches = [m for m in matches if (p := _period(rule, m[0])) is None or (p - step, m[2]) not in held]
    if not matches:
        return []
    name = RuleName(rule.id, rule.path, rule.metric)
    event = rule.event
    common = {"unit": rule.unit, "rule_id": rule.id, "athlete": athlete.name}
    found: list[tuple[date, Finding]] = []
    for v, raw, band, threshold, factor, notes in matches:
        stricter = ""
        if factor != 1.0:
            stricter = (f"Threshold {_amount(threshold, rule.unit, units)} instead of "
                        f"{_amount(band.threshold, rule.unit, units)}: " + "; ".join(notes) + ".")
        severity = band.severity
        ws, day = v.week_start, v.date
        facts = v.facts
        fields = {**facts, "value": raw, "threshold": threshold, **common,
                  "severity": severity._value_, "band": band.label,
                  "week_start": ws or "", "date": day or "", "stricter": stricter}
        template = band.message or rule.message
        suffix = f" ({stricter})" if stricter and "{stricter}" not in template else ""
        until = facts.get("until")
        found.append((day or (ws + _SIX_DAYS if ws is not None else date.min), new_finding(
            rule.id, severity, rule.title,
            _words(name, "message", template, fields, units, suffix),
            _words(name, "advice", band.advice or rule.advice, fields, units),
            rule.evidence, round(raw, 2), round(threshold, 2), rule.unit, ws, day, rule.citations,
            rule.evidence_level, rule.outcome_evidence, _event_key(rule, v, ctx.week_start) if band.joins(event) else "",
            until if isinstance(until, date) else None)))
    found.sort(key=_first)
    return [f for _, f in found]


_ONE_DAY = timedelta(days=1)


def _period(rule: Rule, v: MetricValue) -> date | None:
    """The week (its first day; a value without one, its day) or the day a value is judged for:
    what ``one_per`` "week" or "day" groups by."""
    return (v.week_start or _day_of(v)) if rule.one_per == "week" else _day_of(v)


def _first(pair: tuple[date, Finding]) -> date:
    return pair[0]


def _words(rule: RuleName, where: str, template: str, fields: Mapping[str, Any], units: str,
           suffix: str = "") -> str | RuleWords:
    """A finding's words: the template as it is when it has no field to fill (nothing to write),
    else :class:`RuleWords`, written when read."""
    if "{" not in template and "}" not in template:
        return template + suffix
    return RuleWords(rule, where, template, fields, units, suffix)


_SIX_DAYS = timedelta(days=6)


def _event_key(rule: Rule, v: MetricValue, first_weekday: int) -> str:
    """``load-rise:2026-08-10`` (the week) or ``pain-episode:episode-2026-08-18`` (the episode),
    or "" for a rule outside any event family."""
    if not rule.event:
        return ""
    if rule.event == "pain-episode":
        key = v.facts.get("key")
        return f"{rule.event}:{key}" if key else ""
    day = v.week_start or (week_start_of(v.date, first_weekday) if v.date else None)
    return f"{rule.event}:{day.isoformat()}" if day else ""
