"""One assessment per athlete and day: the centre every output reads.

:func:`assess` is a pure function of plain data (an :class:`~runload.models.AthleteData`, the
:class:`~runload.rules.book.Rulebook` loaded once per process, and the day judged). It touches no
store, file, clock or environment, so a batch engine can map it over athletes and a test can call
it with made-up data. It builds every intermediate once and keeps it (as pvlib's ModelChain
does): the daily and weekly frames and the load series (:class:`~runload.load.series.Frames`),
the pain log with its episodes, the findings merged per event, the red flags, the status and next
week's limits. Check, weeks, the report in each format, its charts, the roster, the email and
the notebook render an :class:`Assessment`; none of them computes a frame or judges anything.

Speaking with one voice:

- **Status** is the most serious thing true on the day: a red flag that stands leads whatever
  period is shown, until a later entry records the sign gone or a clearance is logged; then the
  current findings (warning: ease off, caution: take care); "No data" when nothing was recorded
  in the last week and nothing else is to be said.
- **One event, one finding**: rules of one event family (``event`` in the rule files) that fire
  on the same week, or in the same pain episode, are merged into one, led by the most severe and,
  among equals, by the strongest outcome evidence; the status counts the lead only.
- **One plan**: every sentence of advice on a current finding quotes :mod:`runload.limits`.
"""

from __future__ import annotations

import gc
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

from runload.calendar import FIRST_DAY, local_dates, week_start_of, with_zone_offset
from runload.limits import RED_FLAG_HEADLINES, Limits, next_week_limits
from runload.load.formulas import acwr_series
from runload.load.series import MIN_BASE_KM, Frames
from runload.models import (
    Activity, Athlete, AthleteData, Clearance, Deferred, Finding, PainEntry, Severity, Shoe, level_rank,
)
from runload.pain import PainAssessment, pain_trend
from runload.pain import assess as assess_pain
from runload.pain.episodes import Episode
from runload.pain.history import PainLog
from runload.rules.book import Rulebook
from runload.rules.context import Context
from runload.rules.engine import effective_threshold, evaluate, profile_factor
from runload.rules.schema import Rule, outcome_rank

#: Headline wording per status level, most serious first.
STATUS_LABELS: dict[str, str] = {
    **{level.value: words for level, words in RED_FLAG_HEADLINES.items()},
    "warning": "Ease off",
    "caution": "Take care",
    "info": "On track (notes below)",
    "ok": "On track",
    "no-data": "No data",
}
#: The same headline in a word or two, for a roster column.
STATUS_SHORT: dict[str, str] = {
    "emergency": "emergency", "urgent": "clinician today", "clinician": "see a clinician", "warning": "ease off",
    "caution": "take care", "info": "on track", "ok": "on track", "no-data": "no data",
}

#: The acute:chronic rule's settings unless its params or the athlete's say otherwise.
ACWR_DEFAULTS: dict[str, Any] = {"method": "rac", "acute_days": 7, "chronic_days": 28, "load": "distance"}
CURRENT_DAYS = 7  # a finding of the last 7 days (or of the week holding the day) is current


def is_red_flag(f: Finding) -> bool:
    """Whether a finding is a pain red flag, or urgent or emergency whatever its rule: these come
    before any training advice."""
    return f.rule_id.startswith("pain-red-flag-") or f.severity.rank >= Severity.URGENT.rank


@dataclass(frozen=True)
class Status:
    """The headline: ``level`` (a key of :data:`STATUS_LABELS`), its label, and the summary."""

    level: str
    label: str
    summary: str

    @property
    def rank(self) -> int:
        return level_rank(self.level)


@dataclass(frozen=True)
class Assessment:
    """Everything runload concludes about one athlete on one day, each piece computed once.

    ``activities`` and ``pain_entries`` are those up to ``as_of``; ``data_end`` the last day with
    an activity (days after it are unknown, not rest). ``frames`` holds the daily and weekly
    frames and every load series; ``pain_log`` the pain log's episodes; ``pain`` the pain
    assessment (standing red flags, episodes with the load before them, the return plan).
    ``findings`` are every event of the history up to ``as_of``, most serious first (red flags,
    then severity, then the most recent); ``current`` those current on ``as_of`` (what check
    shows by default and what the status counts). ``limits`` is next week's plan.
    """

    athlete: Athlete
    as_of: date | None
    data_end: date | None
    first_weekday: int
    activities: tuple[Activity, ...]
    pain_entries: tuple[PainEntry, ...]
    clearances: tuple[Clearance, ...]
    frames: Frames
    pain_log: PainLog
    pain: PainAssessment
    findings: tuple[Finding, ...]
    limits: Limits
    status: Status
    rules: tuple[str, ...]
    thresholds: Mapping[str, tuple[float, float]] = field(default_factory=dict)
    measures: Mapping[str, str] = field(default_factory=dict)  # load rule id -> the load measure it judges
    # the acute:chronic rule's method, windows and load as configured for the athlete: what the
    # load-ratio chart draws, so it shows the ratio the rule judges
    acwr: Mapping[str, Any] = field(default_factory=lambda: dict(ACWR_DEFAULTS))
    shoes: tuple[Shoe, ...] = ()  # the athlete's registered shoes

    @property
    def current(self) -> tuple[Finding, ...]:
        """The findings current on ``as_of``, most serious first."""
        return tuple(f for f in self.findings if f.current)

    @property
    def red_flags(self) -> tuple[Finding, ...]:
        """Current red-flag findings (the red flags that stand), most serious first."""
        return tuple(f for f in self.current if is_red_flag(f))

    @property
    def weekly(self) -> Any:
        """The weekly frame (see :func:`runload.load.series.weekly_frame`)."""
        return self.frames.weekly

    @property
    def daily(self) -> Any:
        """The daily frame (see :func:`runload.load.series.daily_frame`)."""
        return self.frames.daily

    @property
    def recorded(self) -> bool:
        """Whether anything (an activity or a pain entry) was recorded in the current window."""
        return recorded_between(self, current_from(self.as_of, self.first_weekday), self.as_of)

    def load_ratio(self) -> Any:
        """Daily acute:chronic ratio as the acute-chronic-ratio rule computes it for this athlete
        (:attr:`acwr`: coupled rolling 7/28 days of running distance unless configured), hidden
        while its window holds a day without data (as the rule does)."""
        method, load_kind = str(self.acwr["method"]), str(self.acwr["load"])
        acute, chronic = int(self.acwr["acute_days"]), int(self.acwr["chronic_days"])

        def build() -> Any:
            load = self.frames.load(load_kind)
            if load is None or load.empty:
                return None
            ratio = acwr_series(load, method=method, acute=acute, chronic=chronic).copy()
            for first, last in self.frames.gaps:
                hide = (ratio.index.date >= first) & (ratio.index.date <= last + timedelta(days=chronic - 1))
                ratio[hide] = float("nan")
            return ratio.to_frame("acwr")

        return self.frames.memo(("chart", "acwr", method, load_kind, acute, chronic), build)

    def fitness_fatigue(self) -> Any:
        """Daily fitness (CTL), fatigue (ATL) and form (TSB) on running distance, seeded with the
        mean of the first 28 days as the fitness-ramp rule does; NaN on days without data, and
        ``settled`` False for the first 42 days (see
        :meth:`runload.load.series.Frames.fitness_fatigue`)."""
        return self.frames.fitness_fatigue("distance")


def current_from(as_of: date | None, first_weekday: int = 0) -> date | None:
    """The first day of the current window: the week holding ``as_of`` or its last 7 days,
    whichever starts earlier (on a Monday, last week is still current)."""
    if as_of is None:
        return None
    return min(week_start_of(as_of, first_weekday), as_of - timedelta(days=CURRENT_DAYS - 1))


def recorded_between(a: Assessment, first: date | None, last: date | None) -> bool:
    """Whether an activity or a pain entry falls between ``first`` and ``last``."""
    if first is None or last is None:
        return False
    return (any(first <= d <= last for d in reversed(a.frames.days))  # the latest first: the window is recent
            or any(first <= e.date <= last for e in a.pain_entries))


def assess(data: AthleteData, book: Rulebook, as_of: date | None = None) -> Assessment:
    """The assessment of ``data`` on ``as_of`` (default: the last day with an activity or a
    pain entry), with the rules of ``book`` as the config selects them for this athlete.

    Pure: the same inputs give the same assessment, and nothing outside them is read.
    """
    # The cyclic garbage collector is held back while the assessment is built and runs again as
    # soon as it is done. An assessment builds a few thousand small objects (values, findings,
    # their words) on top of the athlete's activities, which have usually just been read; none
    # of them form a cycle, and most are gone by the end, freed by reference counting. A
    # collection in the middle would walk every one of them (and the activities) and free
    # nothing; a collection due then runs at the caller's next allocation instead, on what is
    # still alive. When the collector is not running (an assessment inside another, a caller
    # that disabled it, another thread assessing), it is left as it is.
    if not gc.isenabled():
        return _assess(data, book, as_of)
    gc.disable()
    try:
        return _assess(data, book, as_of)
    finally:
        gc.enable()


def _assess(data: AthleteData, book: Rulebook, as_of: date | None) -> Assessment:
    """:func:`assess`."""
    athlete = data.athlete
    rules, settings = book.for_athlete(athlete.id)
    # an activity without a recorded offset is placed by the athlete's zone at its start
    tz = athlete.timezone
    placed = [a if a.utc_offset_s is not None else with_zone_offset(a, tz) for a in data.activities]
    local = local_dates(placed)  # each activity's local day, once
    last = max(local, default=None)
    if as_of is None:
        as_of = max([*([last] if last is not None else []), *(e.date for e in data.pain_entries)], default=None)
    if as_of is None or last is None or last <= as_of:
        kept_days, activities = local, tuple(placed)
    else:
        kept = [(a, d) for a, d in zip(placed, local) if d <= as_of]
        kept_days, activities = [d for _, d in kept], tuple(a for a, _ in kept)
    # days outside the ones any record can hold are damage, not data (runload.calendar.FIRST_DAY)
    pain_entries = tuple(e for e in data.pain_entries if FIRST_DAY <= e.date and (as_of is None or e.date <= as_of))
    weekly_rule = next((r for r in rules if r.id == "weekly-progression"), None)
    min_base = float((weekly_rule.params if weekly_rule else {}).get("min_base_km",
                                                                      settings.get("min_base_km", MIN_BASE_KM)))
    frames = Frames(activities, first_weekday=book.first_weekday, min_base_km=min_base, athlete=athlete,
                    days=kept_days)
    ctx = Context(athlete=athlete, activities=activities, pain_entries=pain_entries, as_of=as_of,
                  data_end=frames.end, week_start=book.first_weekday, settings=settings, frames=frames,
                  shoes=data.shoes, clearances=data.clearances)
    pain = assess_pain(ctx)
    limits = next_week_limits(frames, rules, athlete, as_of, pain=pain, settings=settings)
    raw: list[Finding] = []
    for rule in rules:
        raw.extend(evaluate(rule, ctx))
    merged = merge_events(raw, pain)
    findings = mark_current(merged, as_of, book.first_weekday, pain, limits, athlete.units)
    status = status_of(findings, pain, as_of, frames, pain_entries, book.first_weekday)
    return Assessment(athlete=athlete, as_of=as_of, data_end=frames.end, first_weekday=book.first_weekday,
                      activities=activities, pain_entries=pain_entries,
                      clearances=tuple(c for c in data.clearances if as_of is None or c.date <= as_of),
                      frames=frames, pain_log=ctx.pain_log, pain=pain, findings=tuple(findings), limits=limits,
                      status=status, rules=tuple(r.id for r in rules),
                      thresholds=_thresholds(rules, athlete, as_of), measures=_measures(rules),
                      acwr=_acwr_settings(rules, settings),
                      shoes=tuple(data.shoes))


# the load rules that judge a load series (not a shoe's distance, a gap or a cadence)
_SERIES_METRICS = ("week_change_pct", "two_week_change_pct", "rolling_change_pct", "run_spike_pct", "acwr",
                   "monotony", "ctl_ramp_pct", "week_load_change_pct")



def _acwr_settings(rules: Sequence[Rule], settings: Mapping[str, Any]) -> dict[str, Any]:
    """The ACWR rule's settings as its metric reads them: the rule's params, then the athlete's
    settings, then the defaults."""
    rule = next((r for r in rules if r.metric == "acwr"), None)
    params = rule.params if rule is not None else {}
    return {k: params.get(k, settings.get(k, v)) for k, v in ACWR_DEFAULTS.items()}


def _measures(rules: Sequence[Rule]) -> dict[str, str]:
    """The load measure each load rule judges (``params.load``, distance unless it says)."""
    return {r.id: str(r.params.get("load", "distance")) for r in rules if r.metric in _SERIES_METRICS}


def _thresholds(rules: Sequence[Rule], athlete: Athlete, day: date | None) -> dict[str, tuple[float, float]]:
    """The two lowest band thresholds of the progression rules (10% and 30% by default) after the
    athlete profile: what the charts colour by, so a bar changes colour exactly where a finding
    changes band. They are band edges, not severities: both weekly bands are context (info), and
    the spike's small and moderate bands are both cautions (the severity follows the evidence)."""
    out = {}
    for r in rules:
        if r.id not in ("weekly-progression", "single-run-spike"):
            continue
        factor, _ = profile_factor(r, athlete, day)
        ups = sorted({effective_threshold(b, factor) for b in r.bands if b.rises})
        if len(ups) >= 2:
            out[r.id] = (round(ups[0], 2), round(ups[1], 2))
    return out


# ---------------------------------------------------------------- one event, one finding
def lead_order(f: Finding) -> tuple[int, int, int, str]:
    """Which finding of an event leads (smallest first): the strongest outcome evidence its rule
    declares (``outcome_evidence``: a spike leads a week that also rose, even a small spike shown
    at info beside a two-week rise, and the 10% rule never leads a spike, whatever a config raises
    it to), then the most severe, then the most recent, then the rule id. The status counts the
    lead only (evidence.md section 0)."""
    return (-outcome_rank(f.outcome_evidence), -f.severity.rank, -((f.day or date.min).toordinal()), f.rule_id)


def merge_events(findings: Sequence[Finding], pain: PainAssessment | None = None) -> list[Finding]:
    """Findings with one event per family and week (or pain episode): the lead
    (:func:`lead_order`) speaks and is what the status counts; the others support it with their
    own numbers (``Finding.supporting``). A pain episode's finding says what the episode was
    (onset, worst day, status) in its message."""
    groups: dict[str, list[Finding]] = {}
    out: list[Finding] = []
    for f in findings:
        if f.event:
            groups.setdefault(f.event, []).append(f)
        else:
            out.append(f)
    episodes = {ep.key: ep for ep in (pain.episodes if pain is not None else ())}
    for key, group in groups.items():
        group.sort(key=lead_order)
        lead, rest = group[0], tuple(group[1:])
        until = max((d for d in (f.day for f in group) if d is not None), default=None)
        if key.startswith("pain-episode:"):
            ep = episodes.get(key.split(":", 1)[1])
            lead = _episode_finding(lead, rest, ep, pain)
            until = (ep.end or ep.last) if ep is not None else until
        out.append(lead.but(supporting=rest, until=until))
    return out


def _episode_finding(lead: Finding, rest: Sequence[Finding], ep: Episode | None,
                     pain: PainAssessment | None = None) -> Finding:
    """The finding of a whole pain episode: what it was, then its most serious entry."""
    if ep is None:
        return lead
    side = {"left": "left leg", "right": "right leg", "both": "both legs"}
    legs = ", ".join(side.get(s, s) for s in ep.sides)
    worst = ""
    if ep.peak is not None:
        day = next((e.date for e in ep.entries if ep.peak in (e.pain_during, e.pain_after, e.pain_next_morning)), None)
        worst = f", worst {ep.peak}/10" + (f" on {day.isoformat()}" if day else "")
    trend = _episode_trend(ep, pain)
    state = ep.state
    entries = len(ep.entries)
    head = (f"Pain episode from {ep.onset.isoformat()}" + (f" ({legs})" if legs else "")
            + f": {entries} entr{'y' if entries == 1 else 'ies'}{worst}, {state}" + (f"; {trend}" if trend else "") + ".")
    return lead.but(title="Pain episode", message=Deferred(_episode_message, head, lead), date=lead.date or ep.onset)


def _episode_message(head: str, lead: Finding) -> str:
    """A pain episode's message: what the episode was, then its most serious entry's words."""
    return f"{head} Most serious: {lead.message}"


def _episode_trend(ep: Episode, pain: PainAssessment | None = None) -> str:
    """``pain falling (worst 6/10 in the last 7 days, 7/10 in the 7 before)``, or "" with too few
    entries to say. The episode going on says the pain log's trend on the day judged (the one the
    report and the roster show: one computation, :func:`runload.pain.pain_trend`); an earlier
    episode says its own last two weeks."""
    if pain is not None and pain.current_episode is ep:
        t, where = pain.trend, "the last 7 days"
    else:
        t, where = pain_trend(ep.entries, ep.end or ep.last), "its last 7 days"
    if t.last_7d_max is None or t.prev_7d_max is None:
        return ""
    return f"pain {t.word} (worst {t.last_7d_max}/10 in {where}, {t.prev_7d_max}/10 in the 7 before)"


# ---------------------------------------------------------------- current findings and advice
def _family(f: Finding) -> str:
    if f.event.startswith("pain-episode:"):
        return "pain"
    # a return after a break says what the limits say: their walk-run stage, or once the runs back
    # have covered the stages, a builder's caps (never "start with 1 minute" beside "stage 5 next")
    if f.event.startswith("load-rise:") or f.rule_id == "return-to-run":
        return "load"
    return ""


def mark_current(findings: Sequence[Finding], as_of: date | None, first_weekday: int, pain: PainAssessment | None,
                 limits: Limits, units: str = "km") -> list[Finding]:
    """Findings sorted most serious first, each marked ``current`` or not on ``as_of``; current
    findings of the load family, and those of the pain family at caution or above, get their
    advice from ``limits`` (one plan), and while a red flag stands no finding, current or past,
    advises running.

    A pain episode's finding is current exactly while its episode goes on: once it has settled
    (an entry, a clearance, or two weeks of running without an entry) the limits no longer hold
    for it, and neither does the headline."""
    start = current_from(as_of, first_weekday)
    standing = {(f.flag, f.date) for f in (getattr(pain, "red_flags", ()) or ())}
    episode = getattr(pain, "current_episode", None)
    out = []
    said: dict[str, Deferred] = {}  # limits.advice per family, written once, when first read

    def advice_for(family: str) -> Deferred:
        if family not in said:
            said[family] = Deferred(limits.advice, family, units)
        return said[family]

    for f in findings:
        if f.rule_id.startswith("pain-red-flag-"):
            flag = f.rule_id.removeprefix("pain-red-flag-")
            lo, hi = f.date or date.min, f.until or f.date or date.max
            current = any(k == flag and lo <= d <= hi for k, d in standing)
        elif f.event.startswith("pain-episode:") and pain is not None:
            current = episode is not None and f.event.endswith(":" + episode.key)
        else:
            current = start is not None and f.day is not None and start <= f.day <= (as_of or f.day)
        if not limits.running_advice and not f.rule_id.startswith("pain-red-flag-"):
            f = f.but(advice=advice_for(_family(f)), current=current)
        elif current and not f.rule_id.startswith("pain-red-flag-"):
            family = _family(f)
            if family == "load" or (family and f.severity.rank >= Severity.CAUTION.rank):
                # a load event quotes the limits at any severity: the weekly rise is context (info)
                # now, and its own "hold next week at this week's km" would contradict them
                advice = advice_for(family)
                f = f.but(advice=Deferred(_with_caveat, advice, f) if family == "pain" else advice, current=current)
            elif f.current != current:
                f = f.but(current=current)
        elif f.current != current:  # a finding is a value: one already so is kept as it is
            f = f.but(current=current)
        out.append(f)
    out.sort(key=finding_order)
    return out


def _with_caveat(advice: Deferred, f: Finding) -> str:
    """The limits' advice for a pain finding, with the finding's model caveat if it has one."""
    return f"{advice}{_caveat(f)}"


def _caveat(f: Finding) -> str:
    """The pain-monitoring model's caveat sentence if the finding (or one supporting it) has it."""
    for text in [f.advice, *(s.advice for s in f.supporting)]:
        i = text.find(" The log also records")
        if i >= 0:
            return text[i:]
    return ""


def finding_order(f: Finding) -> tuple[int, int, int, int, str]:
    """Sort key: current before history; within each, red flags first, then the most severe,
    then the most recent."""
    return (0 if f.current else 1, 0 if is_red_flag(f) else 1, -f.severity.rank,
            -((f.day or date.min).toordinal()), f.rule_id)


def with_flags_standing(a: Assessment, now: Assessment) -> Assessment:
    """``a`` as read on ``now.as_of`` (a later day): every red flag standing then leads it, with
    no running advice, whatever day ``a`` judges (a weekly mail judged on its week's end is read
    on the day it is sent; a red flag logged since must not read "On track" there).

    Only the red flags come from ``now``: the load findings, the weeks and the pain episodes
    stay ``a``'s. Without red flags standing on ``now`` this is ``a`` itself."""
    flags = now.pain.red_flags
    if not flags or now.as_of is None or a.as_of is None or now.as_of <= a.as_of:
        return a
    pain = replace(a.pain, red_flags=flags, resolved=now.pain.resolved, clearances=now.pain.clearances,
                   return_plan=None)
    limits = now.limits
    standing = [f for f in now.findings if f.rule_id.startswith("pain-red-flag-") and f.current]
    rest = [f for f in a.findings if not (f.rule_id.startswith("pain-red-flag-")
                                          and any(s.rule_id == f.rule_id and s.date == f.date for s in standing))]
    findings = mark_current(standing + rest, a.as_of, a.first_weekday, pain, limits, a.athlete.units)
    status = status_of(findings, pain, a.as_of, a.frames, a.pain_entries, a.first_weekday)
    return replace(a, pain=pain, findings=tuple(findings), limits=limits, status=status)


# ---------------------------------------------------------------- status
def status_of(findings: Sequence[Finding], pain: PainAssessment | None, as_of: date | None, frames: Frames,
              pain_entries: Sequence[PainEntry], first_weekday: int = 0) -> Status:
    """The headline on ``as_of``: the most serious of a standing red flag, the current findings,
    and whether anything was recorded in the current window."""
    current = [f for f in findings if f.current]
    counts: dict[str, int] = {}
    for f in current:
        counts[f.severity.value] = counts.get(f.severity.value, 0) + 1
    parts = [f"{n} {lvl}{'s' if n != 1 and lvl in ('caution', 'warning') else ''}"
             for lvl, n in sorted(counts.items(), key=lambda kv: -Severity(kv[0]).rank)]
    when = f"as of {as_of.isoformat()}" if as_of else "so far"
    flags = list(getattr(pain, "red_flags", ()) or ())
    if flags:
        level = flags[0].level
        what = "; ".join(f"{f.what}, logged {f.date.isoformat()}" for f in flags)
        return Status(level, STATUS_LABELS[level], f"Red flag not yet resolved: {what}. "
                                                   "It leads until a later entry records it gone or a clearance is logged.")
    start = current_from(as_of, first_weekday)
    recorded = start is not None and as_of is not None and (any(start <= d <= as_of for d in reversed(frames.days))
                                                            or any(start <= e.date <= as_of for e in pain_entries))
    top = max((f.severity for f in current), key=lambda s: s.rank, default=None)
    if top is not None and top.rank >= Severity.CAUTION.rank:
        level = top.value
    elif not recorded:
        since = f" since {frames.end.isoformat()}" if frames.end else ""
        return Status("no-data", STATUS_LABELS["no-data"],
                      f"Nothing recorded in the 7 days up to {as_of.isoformat() if as_of else 'now'}{since}: "
                      "nothing to judge." + (f" ({', '.join(parts)}.)" if parts else ""))
    elif top is not None:
        level = "info"
    else:
        return Status("ok", STATUS_LABELS["ok"], f"Nothing flagged {when}.")
    return Status(level, STATUS_LABELS[level], f"{', '.join(parts)} {when}.")
