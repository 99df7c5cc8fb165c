"""Next week's limits: one plan, one set of numbers (evidence.md sections 1, 2, 7 and 8).

:func:`next_week_limits` works out, from the rules in force, the athlete's frames and the pain
assessment:

- a limit for the week's running distance (the weekly-progression rule),
- a limit for the longest run (the single-run-spike rule), never above the week's limit,
- while a pain episode is going on, one limit for each run (the pain-monitoring model's cut),
  the week held at the reference week and the longest run at that per-run limit,
- after 30 days without running, walk-run guidance instead of distances,
- while a red flag stands, no running advice at all: only the care the red flag calls for.

Every sentence of advice that quotes a distance takes it from here (:meth:`Limits.advice`), so a
report, a check, a roster line and an email never give two numbers for the same thing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from runload.calendar import week_start_of
from runload.load.formulas import LOOKBACK_DAYS, established_longest_km, return_to_run_state
from runload.models import Athlete
from runload.rules.engine import effective_threshold, profile_factor
from runload.rules.schema import Rule
from runload.units import fmt

NORMAL, HELD, RETURN, RED_FLAG, NO_DATA = "normal", "held-for-pain", "return-to-run", "red-flag", "no-data"
PER_RUN_FACTOR = 0.67  # rules/pain-monitoring-score.toml params.reduce_factor

RETURN_TO_RUN_GUIDANCE = (
    "Return-to-run mode: no run in the last 30 days or a comeback under way. Start with walk-run "
    "sessions (for example 1 minute running, 1-2 minutes walking, repeated for 20-30 minutes), "
    "keep at least one rest day between runs, do each stage at least twice before lengthening "
    "the running parts, and do not progress while swelling, stiffness or pain rise "
    "(a walk-run convention, not a tested prescription)."
)

def red_flag_care(level: str, timezone: str | None = None) -> str:
    """The only advice while a red flag of ``level`` (``emergency``, ``urgent``, ``clinician``)
    stands, naming care by its kind unless the athlete's time zone names the country's services
    (:mod:`runload.pain.care`)."""
    from runload.pain.care import care_for

    care = care_for(timezone)
    return {
        "emergency": f"Call {care.emergency} for an ambulance now. No running.",
        "urgent": f"Get medical care today: {care.same_day}. No running until the knee and leg have been checked.",
        "clinician": f"Get the knee examined promptly by {care.clinician}, before you run again. Once a "
                     "clinician has cleared you, log it (runload pain clear): the return plan comes then.",
    }[level]



@dataclass(frozen=True)
class Limits:
    """Next week's plan in numbers (kilometres; renderers convert for the reader).

    ``mode``: ``normal``; ``held-for-pain`` (a pain episode is going on: no increase, and one
    per-run limit); ``return-to-run`` (walk-run guidance, no distances); ``red-flag`` (no
    running advice; ``guidance`` is the care the red flag calls for); ``no-data`` (no run yet).
    ``basis`` holds the numbers each limit comes from.
    """

    mode: str = NORMAL
    week_km: float | None = None
    week_rule: str | None = None
    longest_run_km: float | None = None
    longest_run_rule: str | None = None
    per_run_km: float | None = None
    per_run_rule: str | None = None
    guidance: str | None = None
    basis: Mapping[str, Any] = field(default_factory=dict)

    @property
    def running_advice(self) -> bool:
        """False while a red flag stands: then no sentence may advise any running."""
        return self.mode != RED_FLAG

    def items(self) -> list[tuple[str, float | None, str | None]]:
        """(key, km, rule) of the three limits, in the order reports show them."""
        return [("week", self.week_km, self.week_rule), ("longest_run", self.longest_run_km, self.longest_run_rule),
                ("per_run", self.per_run_km, self.per_run_rule)]

    def sentence(self, units: str = "km", *, lead: str = "Next week") -> str:
        """The whole plan in one sentence, in the reader's units (``lead`` names the week)."""
        if self.mode == RED_FLAG:
            return self.guidance or ""
        if self.mode == RETURN:
            return self.guidance or RETURN_TO_RUN_GUIDANCE
        parts = []
        if self.week_km is not None:
            parts.append(fmt("at most {km:dist} in the week", units, km=self.week_km))
        if self.per_run_km is not None:
            parts.append(fmt("each run under {km:dist}, at an easy effort, with a rest day between runs", units,
                             km=self.per_run_km))
        elif self.longest_run_km is not None:
            parts.append(fmt("the longest run under {km:dist}", units, km=self.longest_run_km))
        if not parts:
            return self.guidance or ""
        text = f"{lead}: " + "; ".join(parts) + "."
        if self.mode == HELD:
            text += " No increase while the pain episode goes on."
        return text

    def advice(self, family: str, units: str = "km") -> str:
        """What to do about a current finding of ``family`` (``load``, ``pain``), quoting these
        limits and nothing else."""
        if self.mode == RED_FLAG:
            return "Training advice waits until the red flag above has been checked."
        if self.mode == RETURN:
            return self.guidance or RETURN_TO_RUN_GUIDANCE
        plan = self.sentence(units)
        if family == "pain":
            return (plan + " Build up again only while pain during and after running stays at 5/10 or below "
                    "and has settled by the next morning.").strip()
        return (plan + " Grow the week and the long run in steps of about 10%.").strip() if plan else ""


def caution_pct(rule: Rule, athlete: Athlete, day: date) -> float:
    """The lowest ``above`` threshold of a progression rule, after the athlete profile."""
    factor, _ = profile_factor(rule, athlete, day)
    ups = [b for b in rule.bands if b.op in ("above", "at_least")]
    return min(effective_threshold(b, factor) for b in ups)


def next_week_limits(frames: Any, rules: Sequence[Rule], athlete: Athlete, as_of: date | None, *,
                     pain: Any = None, settings: Mapping[str, Any] | None = None) -> Limits:
    """Next week's limits from the rules in force, on the athlete's ``frames`` (up to ``as_of``)
    and the pain assessment ``pain`` (a :class:`runload.pain.PainAssessment`, or None).

    - week: the reference week's km x (1 + the weekly-progression rule's lowest threshold, after
      the profile). The reference week is the week holding ``as_of`` when it is over, else the
      larger of that week so far and the week before; a reference week that was itself a jump
      counts only up to that threshold over the week before it. Below the rule's
      ``min_base_km`` a percentage means little: the limit is the base itself.
    - longest run: the single-run-spike rule's lowest threshold over the longest run of the 30
      days up to ``as_of`` that the runner built up to (a spike counts only up to the threshold
      over its own reference), and never above the week's limit.
    - a pain episode going on holds both at their reference (no increase) and sets one per-run
      limit: the pain-monitoring cut (two-thirds) of the run before the latest entry over the
      model's limits; the longest run is then that per-run limit.
    - a red flag that stands replaces everything with the care it calls for.
    """
    settings = settings or {}
    by_id = {r.id: r for r in rules}
    if pain is not None and pain.overrides_load:
        worst = pain.worst_level or "clinician"
        flags = [f.what for f in pain.red_flags]
        return Limits(mode=RED_FLAG, week_rule="pain-red-flag", longest_run_rule="pain-red-flag",
                      guidance=red_flag_care(worst, athlete.timezone), basis={"red_flags": flags, "level": worst})
    runs = frames.runs
    if not runs:
        return Limits(mode=NO_DATA, guidance="No runs imported yet: limits come once there is running to build on.")
    day = as_of or frames.end
    rtr = by_id.get("return-to-run")
    params = rtr.params if rtr else {}
    state = return_to_run_state(frames.activities, day, break_days=LOOKBACK_DAYS,
                                mode_days=int(params.get("mode_days", 28)), days=frames.days)
    if state["active"]:
        guidance = RETURN_TO_RUN_GUIDANCE
        plan = getattr(pain, "return_plan", None)
        if plan is not None:
            stage = plan.stages[plan.next_stage - 1]
            guidance = (f"Return-to-run mode: walk-run stage {stage.number} next ({stage.describe()}); a rest day "
                        "between runs, each stage at least twice, and no moving on while swelling, stiffness or "
                        "pain rise (a walk-run convention, not a tested prescription).")
        return Limits(mode=RETURN, week_rule="return-to-run" if rtr else None,
                      longest_run_rule="return-to-run" if rtr else None, guidance=guidance,
                      basis={"days_since_last_run": state["days_since_last_run"],
                             "comeback": state["comeback"].isoformat() if state["comeback"] else None})
    basis: dict[str, Any] = {}
    week_km = week_rule = longest = longest_rule = None
    wp = by_id.get("weekly-progression")
    if wp is not None:
        min_base = float(wp.params.get("min_base_km", settings.get("min_base_km", 10.0)))
        weekly = frames.weekly_lists
        km = {ws: float(d) for ws, d, nd in zip(weekly["week_start"], weekly["distance_km"], weekly["no_data"]) if not nd}
        # days after the last data are unknown, not rest: the reference is the last week with data
        known = min(day, frames.end) if frames.end is not None else day
        this_week = week_start_of(known, frames.first_weekday)
        if this_week + timedelta(days=6) <= known:
            ref = km.get(this_week, 0.0)
        else:
            ref = max(km.get(this_week, 0.0), km.get(this_week - timedelta(days=7), 0.0))
        pct = caution_pct(wp, athlete, day)
        # A reference week that was itself a jump does not raise the ceiling: it counts only up to
        # what the rule allowed over the week before it (a +40% week is not a new base).
        ref_start = this_week if km.get(this_week, 0.0) >= ref else this_week - timedelta(days=7)
        before = km.get(ref_start - timedelta(days=7))
        if before is not None and before >= min_base and ref > before * (1 + pct / 100.0):
            basis.update(reference_week_raw_km=round(ref, 2), reference_capped_by_week_before_km=round(before, 2))
            ref = before * (1 + pct / 100.0)
        week_km = round(ref * (1 + pct / 100.0), 1) if ref >= min_base else min_base
        week_rule = wp.id
        basis.update(reference_week_km=round(ref, 2), week_pct=round(pct, 2), min_base_km=min_base)
    sp = by_id.get("single-run-spike")
    if sp is not None:
        window = LOOKBACK_DAYS
        pct = caution_pct(sp, athlete, day)
        built = established_longest_km(frames.activities, end=day, days=window, spike_pct=pct,
                                       spikes=frames.spikes(window))
        if built is not None:
            longest, longest_rule = round(built * (1 + pct / 100.0), 1), sp.id
            basis.update(longest_30d_km=round(built, 2), longest_pct=round(pct, 2))
    mode = NORMAL
    per_run = per_rule = None
    episode = getattr(pain, "current_episode", None)
    if episode is not None:
        mode = HELD
        basis["pain_episode_since"] = episode.onset.isoformat()
        cut = _per_run_cut(episode, runs, by_id)
        if week_km is not None and "reference_week_km" in basis:
            held = max(basis["reference_week_km"], cut[0] if cut else 0.0)
            week_km = round(min(week_km, held), 1)
            week_rule = "pain-monitoring-weekly-rise"
        if cut is not None:
            per_run, source_km, source_day = cut
            if week_km is not None:
                per_run = min(per_run, week_km)
            per_rule = "pain-monitoring-score"
            basis.update(per_run_from_km=round(source_km, 2), per_run_from_day=source_day.isoformat(),
                         per_run_factor=_factor(by_id))
        elif longest is not None and "longest_30d_km" in basis:
            longest = round(min(longest, basis["longest_30d_km"]), 1)
        if per_run is not None:
            longest, longest_rule = per_run, per_rule
        elif longest_rule is not None:
            longest_rule = "pain-monitoring-weekly-rise"
    if longest is not None and week_km is not None and longest > week_km:
        longest = week_km  # one run can never be more than the whole week
        basis["longest_capped_by_week"] = True
    return Limits(mode=mode, week_km=week_km, week_rule=week_rule, longest_run_km=longest,
                  longest_run_rule=longest_rule, per_run_km=per_run, per_run_rule=per_rule, basis=basis)


def _factor(by_id: Mapping[str, Rule]) -> float:
    rule = by_id.get("pain-monitoring-score")
    return float((rule.params if rule else {}).get("reduce_factor", PER_RUN_FACTOR))


def _per_run_cut(episode: Any, runs: Sequence[tuple[date, Any]], by_id: Mapping[str, Rule]
                 ) -> tuple[float, float, date] | None:
    """The pain-monitoring cut of the run before the latest entry of ``episode`` whose pain went
    over the model's limits (above 5/10 during or after running, or next-morning pain not
    settled): (limit km, that run's km, its day); None when no entry went over."""
    from runload.pain.signs import run_pain

    factor = _factor(by_id)
    over = None
    for e in episode.entries:
        rp = run_pain(e)
        if (rp is not None and rp.score > 5) or (e.pain_next_morning is not None and e.pain_next_morning > 1):
            over = e
    if over is None:
        return None
    before = [(d, a) for d, a in runs if over.date - timedelta(days=2) <= d <= over.date]
    if not before:
        before = [(d, a) for d, a in runs if d <= over.date][-1:]
    if not before:
        return None
    d, a = before[-1]
    km = a.distance_m / 1000.0
    return round(km * factor, 1), km, d
