"""Pain metrics for the rule engine: each is named by a ``rules/pain-*.toml`` file.

Every metric returns one :class:`runload.rules.context.MetricValue` per pain entry, week or episode up
to the context's ``as_of``, with ``facts["key"]`` naming the episode so a rule can keep one
finding per episode (``one_per = "key"``). The rule file's bands decide what fires.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Any

import numpy as np

from runload.models import Activity, Deferred
from runload.pain.care import care_for
from runload.pain.episodes import SETTLED_MAX_SCORE
from runload.pain.signs import RED_FLAGS, join_words, model_caveat, non_tendon_signs, run_pain
from runload.rules.context import Context, MetricColumns, MetricValue, metric
from runload.units import fmt


def _runs(ctx: Context) -> Sequence[tuple[date, Activity]]:
    return ctx.frames.runs


def _run_before(runs: Sequence[tuple[date, Activity]], day: date, within_days: int = 2) -> tuple[date, float] | None:
    """The last run on ``day`` or in the ``within_days`` before it: (day, km). ``runs`` are in
    day order."""
    i = bisect_right(runs, day, key=lambda p: p[0])
    if i and runs[i - 1][0] >= day - timedelta(days=within_days):
        d, a = runs[i - 1]
        return d, a.distance_m / 1000.0
    return None


def _on_side(side: str | None) -> str:
    """" (left leg)", " (right leg)", " (both legs)" or "" for a message template."""
    return {"left": " (left leg)", "right": " (right leg)", "both": " (both legs)"}.get(side or "", "")


@metric("pain_red_flag")
def pain_red_flag(ctx: Context, params: Mapping[str, Any]) -> list[MetricValue]:
    """1.0 for each entry showing the red flag ``params["flag"]`` (an id of
    :data:`runload.pain.signs.RED_FLAGS`, e.g. ``"calf"``); facts: ``symptoms``, ``side``,
    ``key`` (the episode), and the care words of :mod:`runload.pain.care` for the athlete's time
    zone (``emergency_number``, ``same_day_care``, ``clinician_care``)."""
    flag = str(params.get("flag", ""))
    if flag not in RED_FLAGS:
        raise ValueError(f"unknown red flag {flag!r} (known: {', '.join(RED_FLAGS)})")
    as_of = ctx.judged_day
    care = care_for(ctx.athlete.timezone).as_facts()
    out = []
    for ep in ctx.pain_log.episodes:
        for f in ep.red_flags:
            if f.flag == flag:
                out.append(MetricValue(1.0, date=f.date, facts={
                    "key": ep.key, "symptoms": f.what, "on_side": _on_side(f.side), "until": ep.end or ep.last,
                    "days_ago": (as_of - f.date).days if as_of else 0, **care,
                }))
    return out


@metric("pain_unrelieved_days")
def pain_unrelieved_days(ctx: Context, params: Mapping[str, Any]) -> list[MetricValue]:
    """For each stretch of pain that rest did not relieve: its length in days (from the first
    entry saying so to the last painful entry before one says rest helps; blank answers go on
    counting), dated on its last entry; facts ``start``, ``entries`` (painful entries in it),
    ``said_no`` (those saying rest did not help), ``key`` and the care words."""
    log = ctx.pain_log
    care = care_for(ctx.athlete.timezone).as_facts()
    return [MetricValue(float(s.days), date=s.last, facts={
        "key": log.episode_key(s.start), "start": s.start.isoformat(), "entries": s.entries,
        "said_no": s.said_no, **care})
        for s in log.unrelieved]


def _reduce_phrase(run: tuple[date, float] | None, factor: float, units: str = "km") -> str | Deferred:
    """The cut of the next two runs, in words written when a finding quoting it is read."""
    if run is None:
        return (f"make each of the next two runs no more than {factor:.0%} of the distance and time of the run "
                "that brought this on, at an easy effort, with a rest day between them")
    day, km = run
    return Deferred(fmt, "keep each of the next two runs under {cut:dist} ({factor:.0%} of the {km:dist} run on {day}), "
                    "at an easy effort, with a rest day between them", units, cut=km * factor, factor=factor, km=km,
                    day=day.isoformat())


@metric("pain_run_score")
def pain_run_score(ctx: Context, params: Mapping[str, Any]) -> MetricColumns:
    """For each entry with pain during or after running: the higher of the two (0-10).

    Facts: ``when`` ("during" or "after"), ``next_runs`` (a concrete cut of the next two runs:
    ``params["reduce_factor"]``, default 0.67, of the run before the entry), ``model_caveat``
    ("" or a sentence when the entry has signs the model does not cover), ``key``.
    """
    factor = float(params.get("reduce_factor", 0.67))
    log = ctx.pain_log
    runs = _runs(ctx)
    scored = [(e, rp) for e in log.entries if (rp := run_pain(e)) is not None]

    def row(k: int) -> MetricValue:
        e, rp = scored[k]
        return MetricValue(float(rp.score), date=e.date, facts={
            "when": rp.when, "on_side": _on_side(e.side),
            "next_runs": _reduce_phrase(_run_before(runs, e.date), factor, ctx.athlete.units),
            "model_caveat": model_caveat([e]), "key": log.episode_key(e.date)})

    return MetricColumns(np.array([float(rp.score) for _, rp in scored], dtype=float),
                         np.array([e.date.toordinal() for e, _ in scored], dtype=np.int64), row)


@metric("pain_morning_rise")
def pain_morning_rise(ctx: Context, params: Mapping[str, Any]) -> MetricColumns:
    """For each entry with a next-morning score: points above the usual morning level (the
    median of the ``params["baseline_days"]``, default 28, before the entry's pain episode began,
    so a worsening episode never becomes its own baseline; 0 with no history).

    A score of ``params["settled_max"]`` (default 1, as for episodes) or less counts as settled
    and gives None: 1/10 the morning after a first run is not a reason to cut the next one.

    Facts: ``score``, ``usual``, ``since`` (the episode's onset), ``next_runs`` (rest, then the cut of :func:`pain_run_score`),
    ``model_caveat``, ``key``.
    """
    factor = float(params.get("reduce_factor", 0.67))
    log = ctx.pain_log
    entries = log.entries
    by_day = {e.date: e for e in entries}
    runs = _runs(ctx)
    settled_max = int(params.get("settled_max", SETTLED_MAX_SCORE))
    mornings = log.morning(int(params.get("baseline_days", 28)))
    values = [None if m.score <= settled_max else float(m.rise) for m in mornings]

    def row(k: int) -> MetricValue:
        m = mornings[k]
        # next-morning pain belongs to the run of the day before (or earlier)
        run = _run_before(runs, m.date - timedelta(days=1))
        e = by_day.get(m.date)
        return MetricValue(values[k], date=m.date, facts={
            "score": m.score, "usual": m.usual, "since": (m.since or m.date).isoformat(),
            "next_runs": _reduce_phrase(run, factor, ctx.athlete.units),
            "model_caveat": model_caveat([e]) if e else "", "key": log.episode_key(m.date)})

    return MetricColumns(np.array([math.nan if v is None else v for v in values], dtype=float),
                         np.array([m.date.toordinal() for m in mornings], dtype=np.int64), row)


@metric("pain_weekly_rise")
def pain_weekly_rise(ctx: Context, params: Mapping[str, Any]) -> list[MetricValue]:
    """For each week with entries after a week with entries: the larger rise in mean pain (each
    entry's peak score) or mean stiffness, in points out of 10.

    Facts: ``rising`` (what rose, with the numbers), ``week_km`` (that week's running, the
    distance to hold), ``hold_load`` (the hold in words), ``model_caveat``.
    """
    entries = ctx.pain_log.entries
    run_days, metres = ctx.frames.run_days, ctx.frames.run_values("metres")
    out = []
    for t in ctx.pain_log.trends:
        rises = [(r, name, now, before) for r, name, now, before in (
            (t.pain_rise, "pain", t.pain, t.prev_pain), (t.stiffness_rise, "stiffness", t.stiffness, t.prev_stiffness))
            if r is not None]
        if not rises:
            continue
        value = max(r for r, *_ in rises)
        rising = [f"{name} {before:.1f} to {now:.1f}" for r, name, now, before in rises if r > 0]
        week_end = t.week_start + timedelta(days=6)
        in_week = (run_days >= t.week_start.toordinal()) & (run_days <= week_end.toordinal())
        week_km = sum(metres[in_week].tolist()) / 1000.0  # added run by run, in start order
        week_entries = [e for e in entries if t.week_start <= e.date <= week_end]
        out.append(MetricValue(float(value), week_start=t.week_start, date=max(e.date for e in week_entries), facts={
            "rising": "average " + (" and ".join(rising) if rising else "no rise") + " out of 10 on the week before",
            "week_km": round(week_km, 1), "hold_load": (
                Deferred(fmt, "keep next week at or below this week's {km:dist}", ctx.athlete.units, km=week_km)
                if week_km > 0
                else "add no running next week (none was logged this week)"),
            "model_caveat": model_caveat(week_entries),
            "key": ctx.pain_log.episode_key(max(e.date for e in week_entries))}))
    return out


@metric("pain_model_limits")
def pain_model_limits(ctx: Context, params: Mapping[str, Any]) -> list[MetricValue]:
    """For each episode with signs the pain-monitoring model does not cover (swelling, locking,
    giving way, numbness or tingling, cannot bend or straighten): how many kinds, dated on the
    first; facts ``symptoms`` and ``key``."""
    out = []
    for ep in ctx.pain_log.episodes:
        found: list[str] = []
        first: date | None = None
        for e in ep.entries:
            for s in non_tendon_signs(e):
                if s.endswith("swelling"):
                    s = "swelling"
                if s not in found:
                    found.append(s)
                    first = first or e.date
        if found and first is not None:
            out.append(MetricValue(float(len(found)), date=first, facts={"symptoms": join_words(found), "key": ep.key}))
    return out


@metric("pain_episode_load")
def pain_episode_load(ctx: Context, params: Mapping[str, Any]) -> list[MetricValue]:
    """For each episode: how many load signals stood out in the 14 days up to onset (weekly
    change, single-run spike, return from a break, intensity, days without rest), dated on the
    onset; facts ``sentence`` (the numbers in one sentence), ``signals`` and ``key``.

    Params are the thresholds of :func:`runload.pain.episodes.link_load` (``week_change_pct``,
    ``spike_pct``, ``hard_share_rise_pts``, ``streak_days``, ``window_days``, ``min_base_km``).
    """
    keys = ("week_change_pct", "spike_pct", "hard_share_rise_pts", "streak_days", "window_days", "min_base_km")
    args = {k: params[k] for k in keys if k in params}
    out = []
    for ep in ctx.pain_log.episodes_with_load(**args):
        lb = ep.load
        if lb is None:  # not about the knee: chest pain or breathlessness is not a load injury
            continue
        names = {"week_change": "weekly change", "spike": "single-run spike", "break": "return from a break",
                 "intensity": "more hard running", "no_rest": "no rest days"}
        out.append(MetricValue(float(len(lb.notable)), date=ep.onset, facts={
            "sentence": Deferred(getattr, lb, "sentence"),  # the episode's sentence, written when read
            "signals": ", ".join(names[n] for n in lb.notable) or "none", "key": ep.key}))
    return out

