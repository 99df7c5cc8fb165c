"""The report as plain data: what every rendering (text, Markdown, HTML, JSON, charts) shows.

Nothing here computes a finding or a load metric: findings and caps come from
:func:`runload.analysis.analyze`; this module only holds what the report selects and summarises.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from runload.models import Athlete, Finding, Severity

DISCLAIMER = (
    "runload gives training information, not a diagnosis. Warning signs such as calf swelling, "
    "a knee that locks or gives way, numbness, or pain that rest does not relieve need a clinician."
)

#: Severities at or above this are red flags: shown first, in their own section.
RED_FLAG_FROM = Severity.URGENT

#: Headline wording per level. "ok" is the level when nothing was found.
STATUS_LABELS: dict[str, str] = {
    "emergency": "Emergency: get medical help now",
    "urgent": "See a clinician today",
    "clinician": "See a clinician about the knee",
    "warning": "Ease off",
    "caution": "Take care",
    "info": "On track (notes below)",
    "ok": "On track",
    "no-data": "No data",  # level "ok" (nothing flagged), but nothing recorded to judge either
}

#: ``Analysis.extras`` keys that are bookkeeping or shown in their own section: JSON carries them,
#: the text and HTML renderings do not list them generically.
EXTRAS_NOT_LISTED = frozenset({"rules", "week_start", "return_to_run", "pain", "metrics"})

#: Display order of the levels, lowest first ("ok" below every severity).
LEVELS = ["ok", *(s.value for s in Severity)]


def level_rank(level: str) -> int:
    """Order of a status level: ``ok`` 0, ``info`` 1 ... ``emergency`` 5."""
    return LEVELS.index(level)


def is_red_flag(f: Finding) -> bool:
    """Whether a finding belongs in the red-flag section: urgent or emergency, and every pain red
    flag (the "see a clinician" ones are warnings by severity, but they come before any training
    advice all the same)."""
    return f.severity.rank >= RED_FLAG_FROM.rank or f.rule_id.startswith("pain-red-flag-")


@dataclass(frozen=True)
class Period:
    """The days a report covers. ``kind`` is ``week`` (an ISO week) or ``range`` (from/to)."""

    kind: str
    start: date
    end: date

    @property
    def label(self) -> str:
        if self.kind == "week":
            return f"{self.start:%G-W%V}"
        return f"{self.start.isoformat()} to {self.end.isoformat()}"

    def holds(self, day: date) -> bool:
        return self.start <= day <= self.end


@dataclass(frozen=True)
class Status:
    """The headline: the worst level found in the period, in words."""

    level: str
    label: str
    summary: str


@dataclass(frozen=True)
class CapLine:
    """One of next week's caps (``week_km``, ``longest_run_km``, or any cap the rules add)."""

    key: str
    label: str
    value_km: float | None
    rule: str | None
    basis: str = ""  # where the number comes from, in words


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


@dataclass(frozen=True)
class PainStory:
    """What the pain log's assessment (``Analysis.extras["pain"]``) says beyond findings: red
    flags still active, episodes linked to the load before them, and the return-to-run plan."""

    red_flags: tuple[tuple[date, str, str], ...] = ()  # (date, what, level)
    episodes: tuple[EpisodeLine, ...] = ()
    return_plan: tuple[str, ...] = ()
    plan_citations: tuple[str, ...] = ()


@dataclass(frozen=True)
class ShoeRow:
    """Running kilometres per shoe (the activity's gear) up to the end of the period."""

    gear: str
    distance_km: float
    runs: int
    first_used: date
    last_used: date


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
    findings: list[Finding]  # in the period, most severe first
    earlier_findings: int
    caps: list[CapLine]
    caps_mode: str  # "normal", or e.g. "return-to-run" (then caps are None and guidance says why)
    caps_guidance: str | None
    caps_basis: dict[str, Any]
    weeks: list[WeekRow]  # up to 16 weeks ending with the period's last week
    pain: PainSummary
    shoes: list[ShoeRow]
    charts: list[ChartInfo]
    notes: list[str] = field(default_factory=list)
    extras: dict[str, Any] = field(default_factory=dict)
    pain_story: PainStory | None = None
    disclaimer: str = DISCLAIMER
    analysis: Any = field(default=None, repr=False, compare=False)  # for charts; not rendered

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


@dataclass(frozen=True)
class Roster:
    """Every athlete, most at risk first."""

    period: Period | None
    as_of: date
    rows: list[RosterRow]
    disclaimer: str = DISCLAIMER
