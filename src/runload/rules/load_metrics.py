"""The ``@metric`` adapters that load rule files name.

Each turns a :class:`runload.rules.context.Context` and a rule's ``params`` into
:class:`runload.rules.context.MetricValue` items the engine judges. They read the athlete's
series from ``ctx.frames`` (built once per athlete and day) and the formulas of
:mod:`runload.load.formulas`; sources are in ``evidence.md`` sections 1-6 and 8 (quoted in each
rule file).

A day after the last imported activity is unknown, not a rest day: every series stops at the
last day with data (``Context.data_end``), and long silences are reported, not filled.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Mapping, Sequence
from datetime import date, timedelta
from typing import Any

import numpy as np

from runload.calendar import week_start_of
from runload.load.formulas import (
    LOOKBACK_DAYS,
    acwr_arrays,
    acwr_words,
    days_without_run,
    distinct,
    hard_seconds,
    weekly_monotony,
    weekly_monotony_columns,
)
from runload.load.series import (
    LOAD_UNITS,
    LOAD_WORDS,
    PCT_DECIMALS,
    SILENCE_DAYS,
    change_pct,
    gaps,
    pct_change,
    recent_change,
    recent_pair_references,
    reference_weeks,
)
from runload.models import Activity, Deferred
from runload.rules.context import Context, MetricColumns, MetricValue, metric, no_columns, week_ordinals
from runload.shoes import shoe_totals
from runload.units import distance, fmt

# --- Helpers for the metric adapters ---------------------------------------------------------------


def _upto(ctx: Context) -> tuple[list[Activity], date | None]:
    """Activities up to ``as_of`` (the context holds no others) and the last day with data (days
    after it are unknown)."""
    return list(ctx.frames.activities), ctx.data_end


def _setting(ctx: Context, params: Mapping[str, Any], key: str, default: Any) -> Any:
    """A metric parameter: the rule's ``params`` first, then the athlete settings, else default."""
    if key in params:
        return params[key]
    return ctx.settings.get(key, default)


def _load_values(ctx: Context, params: Mapping[str, Any]) -> tuple[tuple[date | None, np.ndarray] | None, str]:
    """The daily load the rule asks for, as (first day, values per day); TRIMP needs resting and
    max HR (None without them)."""
    kind = str(_setting(ctx, params, "load", "distance"))
    got = ctx.frames.load_values(kind)
    return (None if got is None else (got[0], got[1])), kind


def _columns(values: Sequence[float | None], days: Sequence[int], row: Callable[[int], MetricValue]) -> MetricColumns:
    """:class:`MetricColumns` of per-row values (None as NaN) and day ordinals."""
    return MetricColumns(np.array([math.nan if v is None else v for v in values], dtype=float),
                         np.array(days, dtype=np.int64), row)


def _week_ends(week_starts: Sequence[date]) -> list[int]:
    """The ordinal of each week's last day (the day a weekly value is about)."""
    return [ws.toordinal() + 6 for ws in week_starts]


def _num(x: Any) -> float | None:
    """A float, or None for NaN/None/inf."""
    if x is None:
        return None
    x = float(x)
    return None if math.isnan(x) or math.isinf(x) else x


# --- Metrics named by rule files ---------------------------------------------------------------


_COUNT_WORDS = {2: "two", 3: "three", 4: "four"}


def reference_words(units: str, *, ref_km: float, ref_start: date, before: bool, refs: int = 4,
                    span: str = "week") -> str:
    """Which reference a progression was judged on, in words: "the week before (40.0 km)", or
    "your highest week of the last four (48.0 km, week of 2026-05-04)". ``span`` is "week"
    (``refs`` complete weeks looked at), "two weeks" (``ref_start`` their first day) or
    "7 days" (``ref_start`` their last day)."""
    if before:
        return fmt("the {span} before ({km:dist})", units, span=span, km=ref_km)
    d = ref_start.isoformat()
    if span == "week":
        if refs <= 1:
            return fmt("the last complete week ({km:dist}, week of {d})", units, km=ref_km, d=d)
        return fmt("your highest week of the last {n} ({km:dist}, week of {d})", units,
                   n=_COUNT_WORDS.get(refs, str(refs)), km=ref_km, d=d)
    if span == "two weeks":
        return fmt("your highest two weeks of the last four ({km:dist}, from {d})", units, km=ref_km, d=d)
    return fmt("your highest {span} of the last four weeks ({km:dist}, to {d})", units, span=span, km=ref_km, d=d)


@metric("week_change_pct")
def week_change_pct(ctx: Context, params: Mapping[str, Any]) -> MetricColumns:
    """Calendar-week running distance against the athlete's recent normal, in percent
    (evidence.md 1): the highest of the last four complete weeks
    (:func:`runload.load.series.recent_reference`), which is the week before unless a higher week
    came shortly before it; so the step back up after a planned lighter week or a race week is no
    jump, and a week above that level is.

    None when there is no complete week to judge against (:func:`runload.load.series.week_complete`:
    the first, partial week of a history, a week touching a gap, the week in progress are never
    references), when this week has unknown days and is not the week in progress, and when the
    reference ran less than ``min_base_km`` (default 10): base too small. Facts: distance_km,
    prev_km (the week before), ref_km, ref_week, reference (which one, in words), runs,
    longest_run_km, base_too_small, partial (week not over).
    """
    end = ctx.data_end
    min_base = float(_setting(ctx, params, "min_base_km", 10.0))
    weekly = ctx.frames.weekly_lists
    km = weekly["distance_km"]
    complete = weekly["complete"]
    judged = [c or p for c, p in zip(complete, weekly["in_progress"])]
    units = ctx.athlete.units or "km"
    changes = recent_change(km, complete=complete, judged=judged, min_base=min_base, refs=ctx.frames.week_references)

    def row(k: int) -> MetricValue:
        i = k + 1
        change, ref, small = changes[i]
        ws = weekly["week_start"][i]
        facts = {"distance_km": km[i], "prev_km": km[i - 1], "ref_km": km[i - 1], "ref_week": "", "reference": "",
                 "runs": int(weekly["runs"][i]), "longest_run_km": float(weekly["longest_run_km"][i]),
                 "base_too_small": small, "partial": end is not None and ws + timedelta(days=6) > end}
        if ref is not None:
            facts.update(ref_km=km[ref], ref_week=weekly["week_start"][ref],
                         reference=Deferred(reference_words, units, ref_km=km[ref], ref_start=weekly["week_start"][ref],
                                                   before=ref == i - 1, refs=len(reference_weeks(complete, i))))
        return MetricValue(value=change, week_start=ws, facts=facts)

    return _columns([c for c, _, _ in changes[1:]], _week_ends(weekly["week_start"][1:]), row)


@metric("week_load_change_pct")
def week_load_change_pct(ctx: Context, params: Mapping[str, Any]) -> MetricColumns:
    """A week's load of the measure ``params.load`` (``session_load``, ``climb``, ``duration``,
    ``trimp`` or ``distance``) against the week before, in percent.

    None when the week before came to less than ``min_base`` (in the measure's unit), where the
    weekly progression does not judge (a week before that is not complete, a week with unknown
    days), and when a run of either week lacks the measure (a run without RPE
    would read as a drop, then as a jump). Facts: load (the measure's words), unit, value_now,
    value_prev, distance_km, prev_km, runs_missing.
    """
    kind = str(params.get("load", "distance"))
    min_base = float(params.get("min_base", 0.0))
    if not ctx.frames.runs_carry(kind):
        # every week with a run has a run lacking the measure, every other week 0: nothing to judge
        return no_columns()
    weeks = ctx.frames.weekly_load_lists(kind)
    if weeks is None or len(weeks["value"]) < 2:
        return no_columns()
    km = ctx.frames.weekly_lists["distance_km"]
    values = weeks["value"]
    missing = weeks["runs_missing"]
    week_starts = weeks["week_start"]
    weekly = ctx.frames.weekly_lists  # the same complete weeks as the weekly progression
    complete = weekly["complete"]
    judged = [c or p for c, p in zip(complete, weekly["in_progress"])]
    change, _small = change_pct(values, min_base_km=max(min_base, 1e-9), reference=complete, judged=judged)
    shown = [change[i] if not (missing[i] or missing[i - 1]) else None for i in range(1, len(values))]

    def row(k: int) -> MetricValue:
        i = k + 1
        return MetricValue(value=shown[k], week_start=week_starts[i], facts={
            "load": LOAD_WORDS.get(kind, kind), "unit": LOAD_UNITS.get(kind, ""), "value_now": values[i],
            "value_prev": values[i - 1], "distance_km": km[i], "prev_km": km[i - 1],
            "runs_missing": missing[i] + missing[i - 1]})

    return _columns(shown, _week_ends(week_starts[1:]), row)


@metric("two_week_change_pct")
def two_week_change_pct(ctx: Context, params: Mapping[str, Any]) -> MetricColumns:
    """Running distance of the last two calendar weeks against the athlete's recent two-week
    normal, in percent: the highest two consecutive weeks among the four complete weeks before
    them (:func:`runload.load.series.recent_pair_reference`), which is the two weeks just before
    unless a higher pair came shortly before.

    runload's reading of the 2-week progression in Nielsen 2014 and of the Lovdal signal in
    evidence.md section 0 (the last two weeks against the two before them). The recent normal
    applies here too (evidence.md section 1, "Reference"): a pair that only returns to a two-week
    level run in the last four complete weeks (a deep cutback week or a race and its recovery week
    followed by the step back up) is no new load, and every pair it still flags is also more than
    30% above the two weeks just before, the exposure the outcome data measured. None when the
    reference averaged less than ``min_base_km`` a week, and unless the earlier of the two weeks
    is complete and the last complete or in progress (a week without data is unknown, not 0 km;
    a partial week is no reference), and when the last week is no higher than the one before it
    (it adds no new rise: the rise was the week before's, judged in its own window). Facts: two_week_km, prev_two_week_km (the two weeks just
    before), ref_two_week_km, reference (in words), distance_km.
    """
    min_base = float(_setting(ctx, params, "min_base_km", 10.0))
    weekly = ctx.frames.weekly_lists
    km = weekly["distance_km"]
    complete = weekly["complete"]
    in_progress = weekly["in_progress"]
    units = ctx.athlete.units or "km"
    refs: list[int | None] = []
    values: list[float | None] = []
    pair_refs = recent_pair_references(km, complete, ctx.frames.week_references)
    for i in range(3, len(km)):
        cur, prev = km[i] + km[i - 1], km[i - 2] + km[i - 3]
        j = pair_refs[i] if complete[i - 1] and (complete[i] or in_progress[i]) else None
        ref = km[j] + km[j - 1] if j is not None else prev
        # A week no higher than the one before carries no new rise: the pair's rise was that
        # week's, judged in its own window (or by the spike or weekly rules), and a runner who has
        # already eased off is not told again about the week before.
        rising = km[i] > km[i - 1] + 1e-9
        refs.append(j)
        values.append(pct_change(cur, ref) if j is not None and ref / 2 >= min_base and rising else None)

    def row(k: int) -> MetricValue:
        i, j = k + 3, refs[k]
        cur, prev = km[i] + km[i - 1], km[i - 2] + km[i - 3]
        ref = km[j] + km[j - 1] if j is not None else prev
        words = "" if j is None else Deferred(reference_words, units, ref_km=ref, ref_start=weekly["week_start"][j - 1],
                                                     before=j == i - 2, span="two weeks")
        return MetricValue(value=values[k], week_start=weekly["week_start"][i],
                           facts={"two_week_km": cur, "prev_two_week_km": prev, "ref_two_week_km": ref,
                                  "reference": words, "distance_km": km[i]})

    return _columns(values, _week_ends(weekly["week_start"][3:]), row)


@metric("rolling_change_pct")
def rolling_change_pct(ctx: Context, params: Mapping[str, Any]) -> MetricColumns:
    """Running distance of the last 7 days against the athlete's recent normal on a 7-day window
    (the highest of the four 7-day blocks before, as the weeks of the weekly progression:
    :func:`runload.load.series.rolling_running`), judged on each day with a run (with
    ``latest_only``, only on the last day with data).

    Catches jumps that straddle a calendar week. Facts: distance_km, prev_km (the 7 days just
    before), ref_km, reference (in words), window_days.
    """
    window = int(_setting(ctx, params, "window_days", 7))
    min_base = float(_setting(ctx, params, "min_base_km", 10.0))
    first, daily = ctx.frames.daily_columns
    if first is None:
        return no_columns()
    roll = ctx.frames.rolling_columns(window, min_base)
    n = len(daily["runs"])
    cur, prev, ref, change = (roll[c] for c in ("distance_km", "prev_km", "ref_km", "change_pct"))
    if _setting(ctx, params, "latest_only", False):
        # Moving windows over a whole history mostly measure where the long run fell (4 runs in
        # one window, 6 in the next); judged only on the latest day they answer "the last 7 days".
        judged = np.array([n - 1])
    else:
        judged = (daily["runs"] > 0).nonzero()[0]
    judged = judged[~np.isnan(ref[judged])]
    # the daily series is complete (one value per day from its first): day i is first + i days
    back = roll["ref_back"]
    units = ctx.athlete.units or "km"
    span = "7 days" if window == 7 else f"{window} days"
    rows = judged.tolist()

    def row(k: int) -> MetricValue:
        i = rows[k]
        d = first + timedelta(days=i)
        ref_end = d - timedelta(days=window * int(back[i]))
        words = Deferred(reference_words, units, ref_km=float(ref[i]), ref_start=ref_end, before=int(back[i]) == 1, span=span)
        p = float(prev[i])
        return MetricValue(value=_num(change[i]), date=d, week_start=week_start_of(d, ctx.week_start),
                           facts={"distance_km": float(cur[i]), "prev_km": p if not math.isnan(p) else 0.0,
                                  "ref_km": float(ref[i]), "reference": words, "window_days": window})

    days = judged + first.toordinal()
    return MetricColumns(change[judged], days, row, weeks=week_ordinals(days, ctx.week_start))


@metric("run_spike_pct")
def run_spike_pct(ctx: Context, params: Mapping[str, Any]) -> MetricColumns:
    """Each run against the longest run of the previous 30 days, in percent (evidence.md 2).

    None when no run in the window (return from a break: the return-to-run rule speaks), and
    for runs in the first 30 days of the data, whose window reaches back before anything was
    imported (an incomplete reference, not a known one). The window is
    :data:`runload.load.formulas.LOOKBACK_DAYS`, the same as the return-to-run break's.
    Facts: distance_km, ref_km, ref_date.
    """
    window = LOOKBACK_DAYS
    first_day = ctx.frames.first_day
    cols = ctx.frames.spike_columns(window)
    ords = cols["day"]
    judged = (ords - first_day.toordinal() >= window).nonzero()[0] if first_day is not None \
        else np.arange(len(ords))
    pct = cols["spike_pct"][judged]
    km, ref_km, ref_day = cols["km"], cols["ref_km"], cols["ref_day"]
    rows = judged.tolist()

    def row(k: int) -> MetricValue:
        i = rows[k]
        d = date.fromordinal(int(ords[i]))
        ref = 0.0 if ref_km[i] != ref_km[i] else float(ref_km[i])
        p = float(pct[k])
        return MetricValue(value=None if p != p else round(p, PCT_DECIMALS),  # as pct_change rounds
                           date=d, week_start=week_start_of(d, ctx.week_start),
                           facts={"distance_km": float(km[i]), "ref_km": ref, "cap_km": ref * 1.1,
                                  "ref_date": date.fromordinal(int(ref_day[i])) if ref_day[i] else "",
                                  "window_days": window})

    return MetricColumns(pct, ords[judged], row)  # the values before the rounding to PCT_DECIMALS


@metric("acwr")
def acwr_metric(ctx: Context, params: Mapping[str, Any]) -> MetricColumns:
    """Acute:chronic ratio per day (``method`` rac, rau or ewma; ``load`` distance, duration or
    trimp). Hidden (None) until 28 days of history and while the windows hold a gap (a stretch
    of ``silence_days`` (14) days without any recorded activity, or a week without any file):
    those days are unknown, not rest. Facts: acute and chronic (the daily figures the method
    divides), acute_words and chronic_words (what they are, per method:
    :func:`runload.load.formulas.acwr_words`), method, method_name, load, load_unit.
    """
    method = str(_setting(ctx, params, "method", "rac"))
    acute = int(_setting(ctx, params, "acute_days", 7))
    chronic = int(_setting(ctx, params, "chronic_days", 28))
    load, kind = _load_values(ctx, params)
    if load is None or load[0] is None or not len(load[1]):
        return no_columns()
    first, values = load[0], load[1]
    a_load, c_load, ratio = ctx.frames.memo(("acwr", kind, method, acute, chronic),
                                            lambda: acwr_arrays(values, method=method, acute=acute, chronic=chronic,
                                                                totals=ctx.frames.window_totals(kind)))
    silence = int(_setting(ctx, params, "silence_days", SILENCE_DAYS))
    spans = ctx.frames.gaps if silence == SILENCE_DAYS else \
        gaps(ctx.frames.activities, first_weekday=ctx.week_start, min_days=silence, days=ctx.frames.days)
    words = acwr_words(method, acute, chronic)
    # the daily series is complete (one value per day from its first): day i is first + i days
    n = len(ratio)
    shown = np.isfinite(ratio)  # NaN (no history, no chronic load) and inf are not values
    for g0, g1 in spans:  # hidden while the chronic window holds a gap: g0 <= d, (d - g1).days < chronic
        lo, hi = max((g0 - first).days, 0), min(max((g1 - first).days + chronic, 0), n)
        shown[lo:hi] = False
    unit = LOAD_UNITS[kind]
    rows = shown.nonzero()[0]
    days = rows + first.toordinal()
    weeks = week_ordinals(days, ctx.week_start)

    def row(k: int) -> MetricValue:
        i = int(rows[k])
        return MetricValue(value=float(ratio[i]), date=date.fromordinal(int(days[k])),
                           week_start=date.fromordinal(int(weeks[k])),
                           facts={"method": method, "load": kind, "acute": float(a_load[i]),
                                  "chronic": float(c_load[i]), "load_unit": unit, **words})

    return MetricColumns(ratio[rows], days, row, weeks=weeks)


@metric("monotony")
def monotony_metric(ctx: Context, params: Mapping[str, Any]) -> MetricColumns:
    """Foster monotony per complete week (evidence.md 4; :func:`runload.load.series.week_complete`:
    a day in a gap is unknown, not a rest day of 0). Facts: load, strain, load_unit."""
    got, kind = _load_values(ctx, params)
    if got is None:
        return no_columns()
    weeks = ctx.frames.memo(("monotony", kind), lambda: _monotony(ctx, kind, got[0], got[1]))
    starts = list(weeks["week_start"])
    weekly = ctx.frames.weekly_lists  # week_complete of each week of the data, worked out once
    complete = {ws for ws, c in zip(weekly["week_start"], weekly["complete"]) if c}
    rows = [k for k, ws in enumerate(starts)
            if (ws in complete if weekly["week_start"] and weekly["week_start"][0] <= ws <= weekly["week_start"][-1]
                else ctx.frames.week_complete(ws))]
    load, mono, strain = (np.asarray(weeks[c], dtype=float) for c in ("load", "monotony", "strain"))

    def row(k: int) -> MetricValue:
        i = rows[k]
        return MetricValue(value=_num(mono[i]), week_start=starts[i],
                           facts={"load": float(load[i]), "strain": _num(strain[i]) or 0.0,
                                  "load_unit": LOAD_UNITS[kind]})

    return MetricColumns(np.where(np.isfinite(mono[rows]), mono[rows], np.nan),
                         np.array(_week_ends([starts[i] for i in rows]), dtype=np.int64), row)


def _monotony(ctx: Context, kind: str, first: date | None, values: np.ndarray) -> Mapping[str, Any]:
    """:func:`runload.load.formulas.weekly_monotony` of the daily load: on its arrays when they
    are a complete series without NaN (always, for the frames' own), else on the series."""
    none: Mapping[str, Any] = {c: [] for c in ("week_start", "load", "monotony", "strain")}
    if len(values) < 7:  # no whole week (and no series to build)
        return none
    if first is not None and not np.isnan(values).any():
        return weekly_monotony_columns(first, values, week_start=ctx.week_start)
    series = ctx.frames.load(kind)
    if series is None:
        return none
    frame = weekly_monotony(series, week_start=ctx.week_start)
    return {c: frame[c].tolist() if c in frame else [] for c in ("week_start", "load", "monotony", "strain")}


@metric("ctl_ramp_pct")
def ctl_ramp_pct(ctx: Context, params: Mapping[str, Any]) -> MetricColumns:
    """Weekly ramp of fitness (CTL) as a percentage of CTL a week earlier, judged on the last day
    of each week once ``min_days`` (42) days of history exist (evidence.md 5), and not where the
    7 days hold a gap. CTL and ATL are seeded with the first 28 days' mean
    (:meth:`runload.load.series.Frames.fitness_fatigue`). Facts: ctl, atl, tsb, ramp, load_unit."""
    end = ctx.data_end
    kind = str(_setting(ctx, params, "load", "distance"))
    got = ctx.frames.fitness_fatigue_columns(kind)
    if got is None:
        return no_columns()
    first, ff = got
    min_days = int(_setting(ctx, params, "min_days", 42))
    min_ctl = float(_setting(ctx, params, "min_ctl", 1.0))
    ctl, atl, tsb, ramp = (ff[c] for c in ("ctl", "atl", "tsb", "ramp"))
    last_weekday = (ctx.week_start - 1) % 7
    # the series is complete (day i is first + i days): the last day of each week, and the last day
    n = len(ctl)
    judged = np.arange((last_weekday - first.weekday()) % 7, n, 7)
    if end is not None and 0 <= (end - first).days < n:
        judged = distinct(np.append(judged, (end - first).days))
    # from min_days of history, and not where the week holds days without data (no ramp is known)
    judged = judged[(judged + 1 >= min_days) & ~np.isnan(ramp[judged])]
    base = ctl[judged] - ramp[judged]
    # A percentage of a near-zero fitness base (a comeback after months off) means nothing.
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = np.where(base >= min_ctl, ramp[judged] / base * 100.0, np.nan)
    pct[np.isinf(pct)] = np.nan
    rows = judged.tolist()

    def row(k: int) -> MetricValue:
        i = rows[k]
        d = first + timedelta(days=i)
        return MetricValue(value=_num(pct[k]), date=d, week_start=week_start_of(d, ctx.week_start),
                           facts={"ctl": float(ctl[i]), "atl": float(atl[i]), "tsb": float(tsb[i]),
                                  "ramp": float(ramp[i]), "load_unit": LOAD_UNITS[kind]})

    return MetricColumns(pct, judged + first.toordinal(), row)


@metric("intensity_share_change")
def intensity_share_change(ctx: Context, params: Mapping[str, Any]) -> list[MetricValue]:
    """Share of running time at hard effort this week minus the athlete's own baseline (mean of
    the previous ``baseline_weeks`` (4) weeks with data; at least ``min_baseline_weeks`` (2)),
    in percentage points (evidence.md 6). Hard: heart-rate zones 4-5 (max HR from the profile),
    else laps faster than ``threshold_pace_s_per_km`` (config). Facts: share_pct, baseline_pct,
    source."""
    acts, _ = _upto(ctx)
    hr_max = ctx.athlete.hr_max_bpm
    pace = _setting(ctx, params, "threshold_pace_s_per_km", None)
    frac = float(_setting(ctx, params, "zone4_fraction", 0.8))
    if not hr_max and not pace:
        return []  # hard_seconds judges nothing without a maximum heart rate or a threshold pace
    weeks: dict[date, list[float]] = {}
    sources: dict[date, set[str]] = {}
    for day, a in ctx.frames.runs:
        got = hard_seconds(a, hr_max_bpm=hr_max, zone4_fraction=frac,
                           threshold_pace_s_per_km=float(pace) if pace else None)
        if got is None:
            continue
        ws = week_start_of(day, ctx.week_start)
        acc = weeks.setdefault(ws, [0.0, 0.0])
        acc[0] += got[0]
        acc[1] += got[1]
        sources.setdefault(ws, set()).add(got[2])
    n_base = int(_setting(ctx, params, "baseline_weeks", 4))
    min_base = int(_setting(ctx, params, "min_baseline_weeks", 2))
    out = []
    for ws in sorted(weeks):
        share = weeks[ws][0] / weeks[ws][1] * 100.0
        prior = [weeks[w][0] / weeks[w][1] * 100.0 for w in
                 (ws - timedelta(weeks=k) for k in range(1, n_base + 1)) if w in weeks]
        base = statistics.fmean(prior) if len(prior) >= min_base else None
        out.append(MetricValue(value=None if base is None else share - base, week_start=ws,
                               facts={"share_pct": share, "baseline_pct": base if base is not None else 0.0,
                                      "source": " and ".join(sorted(sources[ws]))}))
    return out


@metric("cadence_drop_pct")
def cadence_drop_pct(ctx: Context, params: Mapping[str, Any]) -> list[MetricValue]:
    """Each run's cadence below the athlete's own speed-matched baseline, in percent (positive
    = lower cadence). Baseline: median cadence of runs in the previous ``baseline_days`` (90)
    days whose average speed is within ``speed_tolerance_pct`` (5%); needs ``min_runs`` (3).
    Facts: cadence_spm, baseline_spm, pace_min_km, matched_runs."""
    days = int(_setting(ctx, params, "baseline_days", 90))
    tol = float(_setting(ctx, params, "speed_tolerance_pct", 5.0)) / 100.0
    need = int(_setting(ctx, params, "min_runs", 3))
    if not ctx.frames.run_values("cadence").any():
        return []  # no run with a cadence
    runs = []
    for day, a in ctx.frames.runs:
        dur = a.timer_s if a.timer_s is not None else a.elapsed_s
        if a.avg_cadence_spm and a.distance_m > 0 and dur:
            runs.append((a.start_utc, day, a.distance_m / dur, float(a.avg_cadence_spm)))
    runs.sort()
    out = []
    first = 0  # the earliest run still inside the baseline window
    for i, (_start, day, speed, cad) in enumerate(runs):
        while first < i and (day - runs[first][1]).days > days:
            first += 1
        matched = [c for (s2, d2, v2, c) in runs[first:i] if abs(v2 - speed) <= tol * speed]
        value = None
        base = statistics.median(matched) if len(matched) >= need else None
        if base:
            value = (base - cad) / base * 100.0
        out.append(MetricValue(value=value, date=day, week_start=week_start_of(day, ctx.week_start),
                               facts={"cadence_spm": cad, "baseline_spm": base or 0.0,
                                      "pace_min_km": 1000.0 / speed / 60.0, "matched_runs": len(matched)}))
    return out


@metric("shoe_km")
def shoe_km(ctx: Context, params: Mapping[str, Any]) -> list[MetricValue]:
    """Kilometres in each pair of shoes (the activity's ``gear``, plus the distance a registered
    shoe had before runload), judged on the last day with data; a shoe retired by then is not
    judged. A shoe with a retirement distance scales the rule's thresholds so that its top band
    (``retire_at_km``, default 800) falls on that distance. Facts: gear, runs, first_use,
    last_use, start_km, key (the gear name), and threshold_factor/threshold_note for a shoe
    with a retirement distance."""
    end = ctx.data_end
    base = float(_setting(ctx, params, "retire_at_km", 800.0))
    out = []
    for t in shoe_totals(ctx.activities, ctx.shoes, end, per=ctx.frames.shoe_runs(end)):
        if not t.runs or t.retired(ctx.as_of or end):
            continue
        facts: dict[str, Any] = {"gear": t.name, "runs": t.runs, "first_use": t.first_used, "last_use": t.last_used,
                                 "start_km": t.start_km, "key": t.name, "before": ""}
        if t.start_km:
            facts["before"] = f", with {distance(t.start_km, ctx.athlete.units or 'km', 0)} before runload"
        if t.retire_km:
            facts["threshold_factor"] = t.retire_km / base
            facts["threshold_note"] = "the retirement distance set for this shoe"
        out.append(MetricValue(value=t.distance_km, date=end, facts=facts))
    return out


@metric("return_to_run")
def return_to_run(ctx: Context, params: Mapping[str, Any]) -> list[MetricValue]:
    """Breaks of :data:`runload.load.formulas.LOOKBACK_DAYS` (30) or more days without a run: one
    value (the days without a run) on the first run after each break, and one on ``as_of`` when
    the break is still going (the days since the last run, ``as_of`` included). The window is
    the single-run spike's: a run 30 days after the one before has a spike reference (29 days
    without a run) and ends no break. Facts: days, last_run, key."""
    end = ctx.data_end
    brk = LOOKBACK_DAYS
    ords = ctx.frames.run_day_ordinals  # the days with a run, in order
    out = []
    for k in ((ords[1:] - ords[:-1]) - 1 >= brk).nonzero()[0].tolist():  # days_without_run of each pair
        prev, cur = date.fromordinal(int(ords[k])), date.fromordinal(int(ords[k + 1]))
        gap = days_without_run(prev, cur)
        out.append(MetricValue(value=float(gap), date=cur, week_start=week_start_of(cur, ctx.week_start),
                               facts={"days": gap, "last_run": prev, "ongoing": False, "key": str(cur)}))
    today = ctx.as_of or end
    last = date.fromordinal(int(ords[-1])) if len(ords) else None
    if last is not None and today is not None and (today - last).days >= brk:
        gap = (today - last).days
        out.append(MetricValue(value=float(gap), date=today, week_start=week_start_of(today, ctx.week_start),
                               facts={"days": gap, "last_run": last, "ongoing": True, "key": "now"}))
    return out


@metric("data_gap_days")
def data_gap_days(ctx: Context, params: Mapping[str, Any]) -> list[MetricValue]:
    """Stretches without any recorded activity (``min_days``, default 14), including the days
    from the last import to ``as_of``. Facts: days, first_day, last_day."""
    min_days = int(_setting(ctx, params, "min_days", 14))
    out = []
    for first, last in ctx.frames.silences_upto(ctx.as_of, min_days):
        n = (last - first).days + 1
        out.append(MetricValue(value=float(n), date=first, week_start=week_start_of(first, ctx.week_start),
                               facts={"days": n, "first_day": first, "last_day": last, "until": last}))
    return out
