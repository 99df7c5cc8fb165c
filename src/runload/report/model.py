"""The report as plain data: what every rendering (text, Markdown, HTML, JSON, charts) shows.

Nothing here computes a finding, a frame or a load metric: all of it comes from one
:class:`runload.assess.Assessment`; this module only holds what the report selects and
summarises for a period.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from runload.assess import STATUS_LABELS, Status, is_red_flag
from runload.calendar import Period
from runload.models import Athlete, Finding

DISCLAIMER = (
    "runload gives training information, not a diagnosis. Warning signs such as calf swelling, "
    "a knee that locks or gives way, numbness, or pain that rest does not relieve need a clinician."
)

__all__ = ["DISCLAIMER", "STATUS_LABELS", "Period", "Status", "is_red_flag"]


@dataclass(frozen=True)
class LimitLine:
    """One of next week's limits (``week``, ``longest_run``, ``per_run``)."""

    key: str
    label: str
    value_km: float | None
    rule: str | None
    basis: str = ""  # where the number comes from, in words (the reader's units)


@dataclass(frozen=True)
class RunRow:
    """One run of the period: local day, distance, moving time, pace and average heart rate."""

    date: date
    distance_km: float
    duration_s: float | None
    pace_s_per_km: float | None
    avg_hr_bpm: float | None
    name: str | None = None


@dataclass(frozen=True)
class WeekRow:
    """One calendar week of the series shown. ``has_data`` is False for a week in which no
    activity of any kind was recorded: unknown, drawn as a gap, never as a rest week."""

    week_start: date
    distance_km: float  # 0.0 when has_data is False: check has_data before showing it
    runs: int
    longest_run_km: float
    change_pct: float | None
    base_too_small: bool
    cross_training_min: float
    has_data: bool
    partial: bool  # the week runs past the last day with data
    # the week before is complete (runload.load.series.week_complete), so a change can be judged;
    # False after the first, partial week of a history or a week touching a gap: "not enough data"
    reference: bool = True


@dataclass(frozen=True)
class LoadWeek:
    """A week's load beyond distance: climbing, session load (RPE x minutes) and heart-rate load
    (Banister TRIMP); each None when no run of the week carries it (or, for TRIMP, without the
    profile's resting and maximum heart rate). ``rated``/``runs``: runs with an RPE / all runs."""

    week_start: date
    climb_m: float | None
    session_load: float | None
    rated: int
    trimp: float | None
    runs: int


@dataclass(frozen=True)
class PainRow:
    """One pain-log entry as the report shows it; ``flags`` are the red-flag signs ticked."""

    date: date
    side: str | None
    location: str
    pain_during: int | None
    pain_after: int | None
    pain_next_morning: int | None
    stiffness: int | None
    swelling: str
    flags: tuple[str, ...]
    notes: str
    relieved_by_rest: bool | None = None


@dataclass(frozen=True)
class PainSummary:
    """The pain log around the period: recent entries and the trend of the worst daily score."""

    trend: str  # "none logged", "rising", "falling", "steady", "single entry"
    last_7d_max: int | None
    prev_7d_max: int | None
    entries: tuple[PainRow, ...] = ()


@dataclass(frozen=True)
class EpisodeLine:
    """A pain episode as the pain log's assessment describes it, with what the load did before."""

    onset: date
    last: date | None
    status: str  # "ongoing", "settled", "not logged"
    peak: int | None
    load_sentence: str
    state: str = ""  # where it stands in words (runload.pain.episodes.Episode.state)

    @property
    def headline(self) -> str:
        """"From 2026-05-01 (worst 6/10): still going on." as every format says it."""
        peak = f" (worst {self.peak}/10)" if self.peak is not None else ""
        return f"From {self.onset.isoformat()}{peak}: {self.state or self.status}."


@dataclass(frozen=True)
class PainStory:
    """What the pain assessment says beyond findings: red flags that stand, red flags resolved
    (and how), clearances, episodes linked to the load before them, and the return-to-run plan."""

    red_flags: tuple[tuple[date, str, str], ...] = ()  # (date, what, level)
    episodes: tuple[EpisodeLine, ...] = ()
    return_plan: tuple[str, ...] = ()
    plan_citations: tuple[str, ...] = ()
    resolved: tuple[tuple[date, str, str], ...] = ()  # (date, what, how)
    clearances: tuple[tuple[date, str, str], ...] = ()  # (date, by, note)


@dataclass(frozen=True)
class ShoeRow:
    """Running kilometres per shoe (the activity's gear) up to the end of the period."""

    gear: str
    distance_km: float  # with the distance it had before runload (start_km)
    runs: int
    first_used: date
    last_used: date
    start_km: float = 0.0
    retire_km: float | None = None  # the runner's retirement distance for it, if set
    left_km: float | None = None  # to the retirement distance (negative: past it)
    retired_on: date | None = None
    near_retirement: bool = False  # within 10% of its retirement distance, or past it

    @property
    def reminder(self) -> str:
        """The reminder a shoe near (or past) its retirement distance carries, in km; "" otherwise."""
        if not self.near_retirement or self.left_km is None:
            return ""
        return "past its retirement distance" if self.left_km <= 0 else "nearing its retirement distance"


@dataclass(frozen=True)
class ChartInfo:
    """A chart the report offers; ``available`` is False with a ``note`` saying why not."""

    name: str
    title: str
    available: bool
    note: str = ""


@dataclass(frozen=True)
class Report:
    """Everything a runner's report shows, independent of how it is rendered."""

    athlete: Athlete
    period: Period
    as_of: date
    data_end: date | None
    status: Status
    findings: list[Finding]  # current on as_of, and (for a range) the period's: red flags first
    earlier_findings: int
    limits: list[LimitLine]
    limits_mode: str  # normal, held-for-pain, return-to-run, red-flag, no-data
    limits_sentence: str  # the whole plan in one sentence (the same words advice quotes)
    limits_guidance: str | None
    limits_basis: dict[str, Any]
    weeks: list[WeekRow]  # up to 16 weeks ending with the period's last week
    runs: list[RunRow]  # the period's runs, oldest first
    pain: PainSummary
    shoes: list[ShoeRow]
    charts: list[ChartInfo]
    notes: list[str] = field(default_factory=list)  # what a reader needs to read the numbers right
    method_notes: list[str] = field(default_factory=list)  # how a chart's measures are computed (fitness, fatigue)
    pain_story: PainStory | None = None
    disclaimer: str = DISCLAIMER
    assessment: Any = field(default=None, repr=False, compare=False)  # what charts draw from; not rendered
    load_weeks: list[LoadWeek] = field(default_factory=list)  # the weeks shown, beyond distance
    load_note: str = ""  # which measures the load rules use, in words
    plan: Any = None  # the check of the stored plan for the days ahead (runload.plan.PlanCheck), if any

    @property
    def red_flags(self) -> list[Finding]:
        return [f for f in self.findings if is_red_flag(f)]

    @property
    def other_findings(self) -> list[Finding]:
        return [f for f in self.findings if not is_red_flag(f)]

    @property
    def current_week(self) -> WeekRow | None:
        return self.weeks[-1] if self.weeks else None


@dataclass(frozen=True)
class RosterRow:
    """One athlete's line in a coach's roster."""

    athlete_id: str
    name: str
    level: str  # the worse of the findings' level and the stale-data level
    findings_level: str
    week_km: float | None
    change_pct: float | None
    base_too_small: bool
    top_finding: str | None
    top_rule_id: str | None
    findings: int
    pain_trend: str
    last_data: date | None
    days_since_data: int | None
    stale_level: str  # "ok", "caution" (7+ days) or "warning" (14+ days or no data)
    units: str = "km"  # the athlete's display units; week_km stays in kilometres
    plan: str | None = None  # None (no plan stored), "keeps limits" or "breaks a limit"


@dataclass(frozen=True)
class Roster:
    """Every athlete, most at risk first."""

    period: Period | None
    as_of: date
    rows: list[RosterRow]
    disclaimer: str = DISCLAIMER
