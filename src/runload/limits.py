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

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import numpy as np

from runload.calendar import week_start_of
from runload.load.formulas import LOOKBACK_DAYS, established_longest_of, return_to_run_of
from runload.load.series import Frames, pct_change, recent_pair_reference, recent_reference, reference_weeks
from runload.models import Athlete, RedFlagLevel
from runload.pain import PainAssessment
from runload.pain.care import care_for
from runload.pain.episodes import Episode
from runload.pain.signs import run_pain
from runload.rules.engine import effective_threshold, profile_factor
from runload.rules.schema import Rule
from runload.units import distance, fmt

NORMAL, HELD, RETURN, RED_FLAG, NO_DATA = "normal", "held-for-pain", "return-to-run", "red-flag", "no-data"
PER_RUN_FACTOR = 0.67  # rules/pain-monitoring-score.toml params.reduce_factor

RETURN_TO_RUN_GUIDANCE = (
    "Return-to-run mode: no run in the last 30 days or a comeback under way. Start with walk-run "
    "sessions (for example 1 minute running, 1-2 minutes walking, repeated for 20-30 minutes), "
    "keep at least one rest day between runs, do each stage at least twice before lengthening "
    "the running parts, and do not progress while swelling, stiffness or pain rise "
    "(a walk-run convention, not a tested prescription)."
)

#: The headline of each red-flag level: the status says it (runload.assess.STATUS_LABELS), and so
#: does every line that names a red flag (pain add, pain status, the web app's answer).
RED_FLAG_HEADLINES: dict[RedFlagLevel, str] = {
    RedFlagLevel.EMERGENCY: "Emergency: get medical help now",
    RedFlagLevel.URGENT: "See a clinician today",
    RedFlagLevel.CLINICIAN: "See a clinician about the knee",
}


def red_flag_line(level: RedFlagLevel, what: str, timezone: str | None = None) -> str:
    """One red flag in one line, in the same words in every output: its level's headline, what
    was logged, and the care the level calls for, named for the athlete's time zone."""
    return f"{RED_FLAG_HEADLINES[level].upper()}: {what}. {red_flag_care(level, timezone)}"


def red_flag_care(level: RedFlagLevel, timezone: str | None = None) -> str:
    """The only advice while a red flag of ``level`` (``emergency``, ``urgent``, ``clinician``)
    stands, naming care by its kind unless the athlete's time zone names the country's services
    (:mod:`runload.pain.care`)."""
    care = care_for(timezone)
    return {
        RedFlagLevel.EMERGENCY: f"Call {care.emergency} for an ambulance now. No running.",
        RedFlagLevel.URGENT: f"Get medical care today: {care.same_day}. No running until the knee and leg have "
                             "been checked.",
        RedFlagLevel.CLINICIAN: f"Get the knee examined promptly by {care.clinician}, before you run again. Once a "
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
        if self.week_km == 0:  # the week before alone ran all the two-week rule accepts
            return f"{lead}: a rest week, no running."
        if self.week_km is not None:
            parts.append(fmt("at most {km:limit} in the week", units, km=self.week_km))
        if self.per_run_km is not None:
            parts.append(fmt("each run under {km:limit}, at an easy effort, with a rest day between runs", units,
                             km=self.per_run_km))
        elif self.longest_run_km is not None:
            parts.append(fmt("the longest run under {km:limit}", units, km=self.longest_run_km))
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


def basis_words(limits: Limits, key: str, units: str = "km") -> str:
    """Where the limit ``key`` (``week``, ``longest_run``, ``per_run``) of ``limits`` comes from,
    in words (distances in the reader's ``units``): what the number truly stands on, the reference
    week by its date, a spike by what it counts as."""
    basis, value = dict(limits.basis), dict((k, km) for k, km, _ in limits.items()).get(key)
    if value is None:
        return ""
    since = basis.get("pain_episode_since", "")
    if key == "per_run" and "per_run_from_km" in basis:
        return fmt("{factor:.0%} of the {km:dist} run on {day}, the run before pain went over the "
                   "pain-monitoring limits", units, factor=basis.get("per_run_factor", PER_RUN_FACTOR),
                   km=basis["per_run_from_km"], day=basis.get("per_run_from_day", ""))
    if key == "week" and "week_runs_allowed" in basis:
        n = basis["week_runs_allowed"]
        done = basis.get("week_recorded_km") or 0.0
        return (fmt("{n} run{s} of at most {per:dist} with a rest day between them{done}: all the week can hold "
                    "while the pain episode since {since} goes on", units, n=n, s="" if n == 1 else "s",
                    per=limits.per_run_km, since=since,
                    done=fmt(", after the {km:dist} already run", units, km=done) if done else ""))
    if limits.mode == HELD:
        if key == "week":
            return (f"held at the last complete week ({distance(basis.get('held_week_km'), units)}, week of "
                    f"{basis.get('held_week', '')}), no increase: a pain episode since {since} is still going on")
        if key == "longest_run":
            return f"held at the longest run of the last 30 days: a pain episode since {since} is still going on"
    if key == "week" and "two_week_km" in basis:
        return fmt("{pct:g}% above {pair:dist} over the two weeks from {d}, less the {last:dist} of the week "
                   "before: the most that keeps the last two weeks within the two-week rule", units,
                   pct=basis["two_week_pct"], pair=basis["two_week_km"], d=basis["two_week_from"],
                   last=basis["last_week_km"])
    if key == "week" and "reference_week_km" in basis:
        ref, pct = basis["reference_week_km"], basis.get("week_pct")
        if basis.get("min_base_km") is not None and ref < basis["min_base_km"]:
            return f"the minimum base: a week of {distance(ref, units)} is too small to add a percentage to"
        n = basis.get("reference_weeks", 1)
        which = "the highest of your last {} complete weeks".format(n) if n > 1 else "the last complete week"
        text = f"{pct:g}% above {distance(ref, units)}, from the week of {basis['reference_week']} ({which})"
        if "reference_week_raw_km" in basis:
            text = (f"{pct:g}% above {distance(ref, units)}: the week of {basis['reference_week']} ({which}, "
                    f"{distance(basis['reference_week_raw_km'], units)}) counts only up to {pct:g}% over its own "
                    f"reference ({distance(basis['reference_own_km'], units)}, week of {basis['reference_own_week']})")
        if basis.get("held_over_gap_since"):
            text += f"; held across the data gap from {basis['held_over_gap_since']}"
        return text
    if key == "longest_run" and "longest_30d_km" in basis:
        if basis.get("longest_capped_by_week"):
            return "no more than the whole week's limit"
        pct, built = basis.get("longest_pct"), basis["longest_30d_km"]
        to = basis.get("longest_window_to", "")
        if "longest_raw_km" in basis:
            return (f"{pct:g}% above {distance(built, units)}: the longest run of the 30 days to {to} "
                    f"({distance(basis['longest_raw_km'], units)} on {basis['longest_raw_day']}) counts only up to "
                    f"{pct:g}% over the longest run before it")
        return f"{pct:g}% above {distance(built, units)}, the longest run of the 30 days to {to}"
    return ""


def caution_pct(rule: Rule, athlete: Athlete, day: date) -> float:
    """The lowest ``above`` threshold of a progression rule, after the athlete profile."""
    factor, _ = profile_factor(rule, athlete, day)
    ups = [b for b in rule.bands if b.rises]
    return min(effective_threshold(b, factor) for b in ups)


def accepted_km(ref: float, pct: float, *, already: float = 0.0) -> float:
    """The most a progression rule accepts, in 0.1 km steps and rounded down (never up: a limit
    shown as 39.3 must itself pass): the largest ``x`` with ``already + x`` not more than ``pct``
    above ``ref`` by :func:`runload.load.series.pct_change`, the rule's own formula. ``already``
    is the distance run in the other week of a two-week pair. Never below 0."""
    x = math.floor((ref * (1 + pct / 100.0) - already) * 10 + 1e-6) / 10
    while x > 0 and pct_change(already + x, ref) > pct:
        x = round(x - 0.1, 1)
    return max(x, 0.0)


def _floor1(km: float) -> float:
    """Rounded down to 0.1 km (a limit is never shown higher than it is)."""
    return math.floor(km * 10 + 1e-6) / 10


def next_week_limits(frames: Frames, rules: Sequence[Rule], athlete: Athlete, as_of: date | None, *,
                     pain: PainAssessment | None = None, settings: Mapping[str, Any] | None = None) -> Limits:
    """Next week's limits from the rules in force, on the athlete's ``frames`` (up to ``as_of``)
    and the pain assessment ``pain`` (a :class:`runload.pain.PainAssessment`, or None).

    The limits are for the week holding the day after ``as_of`` (next week when ``as_of`` ends a
    week, else the rest of this one), as the rules will judge it: on the weeks as they stand
    once anything after ``as_of`` is recorded (:meth:`runload.load.series.Frames.weeks_as_of`: a
    Sunday without a run is a rest day, not a week in progress) and on the same references
    (:func:`runload.load.series.recent_reference`: the highest of the last four complete weeks;
    a partial, unknown or unfinished week is never one, so across a data gap the limit is held
    at the weeks before it, named "from the week of D"). Every distance is rounded down.

    - week: what the weekly-progression rule accepts over the reference (its lowest threshold,
      after the profile), and no more than the two-week rule accepts with the week before it.
      Below the rule's ``min_base_km`` a percentage means little: the limit is the base itself.
    - longest run: the single-run-spike rule's lowest threshold over the longest run that the
      runner built up to in the 30 days before the week's last day (the rule judges a run on the
      30 days before it, so a long run about to leave that window is no base for the whole week) (a spike counts only up to the threshold
      over its own reference: :func:`runload.load.formulas.established_longest_km`), and never
      above the week's limit.
    - a pain episode going on holds the week at its reference (no increase) and sets one per-run
      limit: the pain-monitoring cut (two-thirds) of the run before the latest entry over the
      model's limits; the longest run is then that per-run limit, and the week no more than the
      runs the days left allow with a rest day between them can add up to.
    - a red flag that stands replaces everything with the care it calls for.
    """
    settings = settings or {}
    by_id = {r.id: r for r in rules}
    if pain is not None and pain.overrides_load:
        worst = pain.worst_level or RedFlagLevel.CLINICIAN
        flags = [f.what for f in pain.red_flags]
        return Limits(mode=RED_FLAG, week_rule="pain-red-flag", longest_run_rule="pain-red-flag",
                      guidance=red_flag_care(worst, athlete.timezone), basis={"red_flags": flags, "level": worst})
    runs = frames.runs
    if not runs:
        return Limits(mode=NO_DATA, guidance="No runs imported yet: limits come once there is running to build on.")
    day = as_of or frames.end
    assert day is not None  # there are runs, so the frames end on a day
    rtr = by_id.get("return-to-run")
    params = rtr.params if rtr else {}
    state = return_to_run_of(frames.run_day_ordinals, day, break_days=LOOKBACK_DAYS, mode_days=int(params.get("mode_days", 28)))
    # running again after a break, with the walk-run return behind it (every stage done twice, or
    # covered by the runs since: runload.pain.plan): the caps of a runner building up again
    returned = (state["comeback"] is not None and state["days_since_last_run"] < LOOKBACK_DAYS and pain is not None
                and pain.as_of is not None and pain.return_plan is None)
    if state["active"] and not returned:
        guidance = RETURN_TO_RUN_GUIDANCE
        plan = pain.return_plan if pain is not None else None
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
    fw = frames.first_weekday
    target = week_start_of(day + timedelta(days=1), fw)  # the week these limits are for
    weeks = frames.weeks_as_of(day)
    starts, km, complete = weeks["week_start"], weeks["distance_km"], weeks["complete"]
    i = starts.index(target) if target in starts else len(starts)  # next week: one row past the last
    recorded = km[i] if i < len(km) else 0.0  # already run in that week
    basis["for_week"] = target.isoformat()
    wp = by_id.get("weekly-progression")
    if wp is not None:
        min_base = float(wp.params.get("min_base_km", settings.get("min_base_km", 10.0)))
        pct = caution_pct(wp, athlete, day)
        ref = recent_reference(km, complete, i)
        if ref is None:
            basis["no_reference_week"] = True  # no complete week to build on: the rule cannot judge yet
        else:
            ref_km = km[ref]
            # A reference week that was itself a jump (a race week, a +300% week) is no base to
            # build on: it counts only up to the rule's step over its own reference, as a spike
            # counts for the longest run.
            own = recent_reference(km, complete, ref)
            if own is not None and km[own] >= min_base and ref_km > accepted_km(km[own], pct):
                basis.update(reference_week_raw_km=round(ref_km, 2), reference_own_week=starts[own].isoformat(),
                             reference_own_km=round(km[own], 2))
                ref_km = accepted_km(km[own], pct)
            week_km = accepted_km(ref_km, pct) if ref_km >= min_base else min_base
            week_rule = wp.id
            basis.update(reference_week_km=round(ref_km, 2), reference_week=starts[ref].isoformat(),
                         reference_weeks=len(reference_weeks(complete, i)), week_pct=round(pct, 2),
                         min_base_km=min_base)
            unknown = [starts[j] for j in range(ref + 1, i) if not complete[j]]
            if unknown:  # held across a gap: the weeks since the reference are unknown
                basis["held_over_gap_since"] = unknown[0].isoformat()
        tw = by_id.get("two-week-progression")
        if tw is not None and i >= 1 and complete[i - 1]:
            j = recent_pair_reference(km, complete, i)
            tw_base = float(tw.params.get("min_base_km", settings.get("min_base_km", 10.0)))
            if j is not None and (km[j] + km[j - 1]) / 2 >= tw_base:
                pair = km[j] + km[j - 1]
                pct2 = caution_pct(tw, athlete, day)
                # The rule judges a week only when it is higher than the week before (a week that
                # eases off is not told about the rise again), but after a jump the limit still
                # brings the two weeks back within the rule: a jump week is no base to hold.
                cap = accepted_km(pair, pct2, already=km[i - 1])
                if week_km is None or cap < week_km:
                    week_km, week_rule = cap, tw.id
                    basis.update(two_week_km=round(pair, 2), two_week_from=starts[j - 1].isoformat(),
                                 two_week_pct=round(pct2, 2), last_week_km=round(km[i - 1], 2))
    sp = by_id.get("single-run-spike")
    if sp is not None:
        window = LOOKBACK_DAYS
        pct = caution_pct(sp, athlete, day)
        spikes = frames.spike_columns(window)
        run_day, run_km = spikes["day"], spikes["km"]
        # A run on day P is judged on the runs of the 30 days before it (to P - 1): the limit must
        # hold on every day of the week, so it stands on the latest day whose window still holds a
        # run recorded by now (the windows of later days hold fewer of them).
        built, to = None, day
        for k in range(6, (max(target, day + timedelta(days=1)) - target).days - 1, -1):
            to = target + timedelta(days=k - 1)
            built = established_longest_of(run_day, run_km, spikes["ref_km"], end=to, days=window, spike_pct=pct)
            if built is not None:
                break
        if built is not None:
            longest, longest_rule = accepted_km(built, pct), sp.id
            basis.update(longest_30d_km=round(built, 2), longest_pct=round(pct, 2), longest_window_to=to.isoformat())
            back = to.toordinal() - run_day
            inside = ((back >= 0) & (back < window)).nonzero()[0]
            raw = int(inside[np.argmax(run_km[inside])])  # the longest, the first of equals
            raw_km = float(run_km[raw])
            if raw_km > built + 1e-9:  # a spike counts only up to the rule over its own reference
                basis.update(longest_raw_km=round(raw_km, 2),
                             longest_raw_day=date.fromordinal(int(run_day[raw])).isoformat())
    mode = NORMAL
    per_run = per_rule = None
    episode = pain.current_episode if pain is not None else None
    if episode is not None:
        mode = HELD
        basis["pain_episode_since"] = episode.onset.isoformat()
        cut = _per_run_cut(episode, runs, frames.run_days, by_id)
        recent = reference_weeks(complete, i)
        if week_km is not None and recent:
            # no increase on what the athlete runs now: held at the last complete week (not the
            # highest of the four, which the weekly rule would accept when no pain goes on)
            last = recent[0]
            held = max(km[last], cut[0] if cut else 0.0)
            week_km = _floor1(min(week_km, held))
            week_rule = "pain-monitoring-weekly-rise"
            basis.update(held_week_km=round(km[last], 2), held_week=starts[last].isoformat())
        if cut is not None:
            per_run, source_km, source_day = cut
            if week_km is not None:
                per_run = min(per_run, week_km)
            per_rule = "pain-monitoring-score"
            basis.update(per_run_from_km=round(source_km, 2), per_run_from_day=source_day.isoformat(),
                         per_run_factor=_factor(by_id))
            # the limits must be keepable together: runs of at most per_run with a rest day between
            # them, in the days of the week still to come, are all the week can hold
            left = (target + timedelta(days=7) - max(target, day + timedelta(days=1))).days
            ran_today = bool((frames.run_days == day.toordinal()).any()) and target <= day
            n_runs = left // 2 if ran_today else (left + 1) // 2
            most = _floor1(recorded + n_runs * per_run)
            if week_km is None or most < week_km:
                week_km = most
                week_rule = per_rule
                basis.update(week_runs_allowed=n_runs, week_recorded_km=round(recorded, 2))
        elif longest is not None and "longest_30d_km" in basis:
            longest = _floor1(min(longest, basis["longest_30d_km"]))
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


def _per_run_cut(episode: Episode, runs: Sequence[tuple[date, Any]], run_days: np.ndarray, by_id: Mapping[str, Rule]
                 ) -> tuple[float, float, date] | None:
    """The pain-monitoring cut of the run before the latest entry of ``episode`` whose pain went
    over the model's limits (above 5/10 during or after running, or next-morning pain not
    settled): (limit km, that run's km, its day); None when no entry went over."""
    factor = _factor(by_id)
    over = None
    for e in episode.entries:
        rp = run_pain(e)
        if (rp is not None and rp.score > 5) or (e.pain_next_morning is not None and e.pain_next_morning > 1):
            over = e
    if over is None:
        return None
    o = over.date.toordinal()
    before = ((run_days >= o - 2) & (run_days <= o)).nonzero()[0]  # runs in start order (``run_days``: their days)
    if not len(before):
        before = (run_days <= o).nonzero()[0][-1:]
    if not len(before):
        return None
    d, a = runs[int(before[-1])]
    km = a.distance_m / 1000.0
    return _floor1(km * factor), km, d
