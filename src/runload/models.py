"""Plain data passed between runload's modules.

Frozen dataclasses, units in field names (``distance_m``, ``timer_s``), times as aware UTC
``datetime`` objects. No pandas and no SQL here.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, fields
from datetime import date, datetime, timedelta
from collections.abc import Callable
from typing import Any, Protocol, TypeVar, overload

from runload.units import fmt


class Sport(str, enum.Enum):
    """Sports runload distinguishes. Only RUNNING counts as running distance."""

    RUNNING = "running"
    WALKING = "walking"
    HIKING = "hiking"
    CYCLING = "cycling"
    SWIMMING = "swimming"
    ROWING = "rowing"
    DRIVING = "driving"
    OTHER = "other"
    UNKNOWN = "unknown"


#: Every level runload speaks of, least serious first: the status headline's levels (nothing
#: recorded, on track, notes, take care, ease off, then the red flags' care). A finding's
#: :class:`Severity` and a red flag's :class:`RedFlagLevel` are levels of it, ranked in this order.
LEVELS: tuple[str, ...] = ("no-data", "ok", "info", "caution", "warning", "clinician", "urgent", "emergency")


def level_rank(level: str) -> int:
    """Order of a level of :data:`LEVELS`: ``no-data`` 0 ... ``emergency`` 7."""
    return LEVELS.index(level)


class Severity(str, enum.Enum):
    """Severity of a finding, ordered: ``Severity.rank`` gives the order (0 for info ... 4 for
    emergency, as in :data:`LEVELS`)."""

    INFO = "info"
    CAUTION = "caution"
    WARNING = "warning"
    URGENT = "urgent"
    EMERGENCY = "emergency"

    @property
    def rank(self) -> int:
        return _SEVERITY_RANK[self._value_]  # by value: a str hashes without a call into Python

    @classmethod
    def parse(cls, text: str) -> Severity:
        try:
            return cls(text.strip().lower())
        except ValueError:
            names = ", ".join(s.value for s in cls)
            raise ValueError(f"unknown severity {text!r} (expected one of: {names})") from None


class RedFlagLevel(enum.StrEnum):
    """How soon a red flag in the pain log needs care: ``clinician`` (examined before running
    again), ``urgent`` (care today), ``emergency`` (call now). ``rank`` orders them as
    :data:`LEVELS` does (0 for clinician ... 2 for emergency); the words for each level are
    :data:`runload.limits.RED_FLAG_HEADLINES` and :func:`runload.limits.red_flag_line`."""

    CLINICIAN = "clinician"
    URGENT = "urgent"
    EMERGENCY = "emergency"

    @property
    def rank(self) -> int:
        return _RED_FLAG_ORDER.index(self)


_SEVERITY_ORDER = sorted(Severity, key=lambda s: level_rank(s.value))
_RED_FLAG_ORDER = sorted(RedFlagLevel, key=lambda r: level_rank(r.value))
_SEVERITY_RANK = {s.value: i for i, s in enumerate(_SEVERITY_ORDER)}


@dataclass(frozen=True)
class Athlete:
    """A runner's profile."""

    id: str
    name: str
    timezone: str = "UTC"
    email: str | None = None
    sex: str | None = None  # "female", "male" or None; used by Banister TRIMP
    birth_year: int | None = None
    hr_rest_bpm: int | None = None
    hr_max_bpm: int | None = None
    previous_injuries: tuple[str, ...] = ()
    units: str = "km"  # "km" or "mi": display only, the store keeps metres


# Width (bpm) of the heart-rate bins importers write (Activity.hr_bin_bpm): one bin per whole
# beat, the bpm as recorded. Stores written before schema 6 hold 5-bpm bins keyed by their lower
# edge (HR_BIN_OLD_BPM), which the analysis reads at their middle.
HR_BIN_BPM = 1
HR_BIN_OLD_BPM = 5
HR_BIN_WIDTHS = (HR_BIN_BPM, HR_BIN_OLD_BPM)


@dataclass(frozen=True)
class Lap:
    """One lap (or split) of an activity."""

    start_utc: datetime | None
    distance_m: float | None
    timer_s: float | None
    avg_hr_bpm: float | None = None
    max_hr_bpm: float | None = None
    avg_cadence_spm: float | None = None
    avg_speed_mps: float | None = None


@dataclass(frozen=True)
class Activity:
    """One activity (or one leg of a multisport file) as read from a file.

    ``avg_cadence_spm`` is in steps per minute for running (FIT and GPX store strides per
    minute per leg; importers double it). ``hr_zone_s`` maps a heart rate to the seconds spent
    at it, so TRIMP and zones can be computed later for any resting and maximum heart rate:
    ``hr_bin_bpm`` wide bins keyed by bpm. Importers write 1-bpm bins (each record's bpm, rounded
    to a whole beat); a store written before schema 6 holds 5-bpm bins keyed by their lower edge.
    """

    start_utc: datetime
    sport: Sport
    distance_m: float
    timer_s: float | None = None
    elapsed_s: float | None = None
    # The UTC offset of the start as the file records it; None when it records none (a Z time):
    # the athlete's zone at the start then places it (runload.calendar.with_zone_offset).
    utc_offset_s: int | None = None
    # When the file recorded utc_offset_s, if not at the start (FIT writes its local time at the
    # end): the importer carries the offset back to the start across a daylight-saving change.
    offset_recorded_utc: datetime | None = None
    sub_sport: str | None = None
    sport_inferred: bool = False
    elevation_gain_m: float | None = None
    avg_hr_bpm: float | None = None
    max_hr_bpm: float | None = None
    avg_cadence_spm: float | None = None
    device: str | None = None
    name: str | None = None
    gear: str | None = None
    laps: tuple[Lap, ...] = ()
    hr_zone_s: dict[int, float] = field(default_factory=dict)
    hr_bin_bpm: int = HR_BIN_BPM  # width of the hr_zone_s bins: 1 (exact bpm) or 5 (stored by an older runload)
    source_file: str | None = None
    source_hash: str | None = None
    leg_index: int = 0
    distance_source: str = "summary"  # "summary", "records", "laps", "track", "export" (runload's CSV), "strava" (a copy Strava holds: a row of its activities.csv, or its API)
    warnings: tuple[str, ...] = ()
    # Session RPE on the CR-10 scale (0-10) as recorded by the watch or an export; session load
    # (Foster) is rpe x minutes.
    rpe: float | None = None
    id: int | None = None  # set once stored
    # What a person corrected (``runload activity set``): {field: the value as recorded}; the
    # fields above hold the corrected values, which every calculation uses.
    corrections: dict[str, object] = field(default_factory=dict, compare=False)
    # The gear is the athlete's default shoe, given at import because the file named none.
    gear_default: bool = False
    import_id: int | None = None  # the import that stored it (``runload import list``)

    @property
    def is_run(self) -> bool:
        return self.sport is Sport.RUNNING


# The pain log's vocabulary (evidence.md section 7), shared by the CLI, the CSV format and the
# pain rules. Kept here, beside PainEntry, so the command line can offer the choices without
# importing the pain analysis.
PAIN_SIDES = ("left", "right", "both")
PAIN_LOCATIONS = ("back", "front", "inner", "outer", "calf", "hamstring")
PAIN_SWELLING = ("none", "mild", "moderate", "severe")
PAIN_SCORE_FIELDS = ("pain_during", "pain_after", "pain_next_morning", "stiffness")


_Frozen = TypeVar("_Frozen", "Activity", "Lap")


def made_from(cls: type[_Frozen], values: dict[str, Any]) -> _Frozen:
    """A ``cls`` (:class:`Activity` or :class:`Lap`) holding ``values``, every field by name, as
    its ``__init__`` would hold them, made without it: a frozen dataclass's ``__init__`` sets each
    field through ``object.__setattr__``, and readers and the store make thousands of these. The
    dict becomes the object's own (not copied)."""
    obj = object.__new__(cls)
    object.__setattr__(obj, "__dict__", values)
    return obj


@dataclass(frozen=True)
class PainSign:
    """A yes/no sign of the pain log (a :class:`PainEntry` field, default no) and its words:
    ``words`` inside a sentence, a prompt or a form ("the knee giving way"), ``short`` in a
    table cell ("gives way")."""

    name: str
    words: str
    short: str


#: The pain log's yes/no signs, most serious first (the order a report lists an entry's signs in).
PAIN_SIGN_LIST: tuple[PainSign, ...] = (
    PainSign("breathless_chest_pain", "breathlessness or chest pain", "breathless or chest pain"),
    PainSign("calf_swelling_redness_warmth", "calf swelling, redness or warmth", "calf swelling, redness or warmth"),
    PainSign("cannot_bear_weight", "cannot bear weight on the leg", "cannot bear weight"),
    PainSign("locking", "the knee locking", "knee locks"),
    PainSign("giving_way", "the knee giving way", "gives way"),
    PainSign("popping", "a popping feeling at onset", "popping at onset"),
    PainSign("deformity", "visible deformity behind the knee", "visible deformity"),
    PainSign("cannot_bend_straighten", "cannot fully bend or straighten the knee", "cannot bend or straighten fully"),
    PainSign("numbness_tingling", "numbness or tingling down the calf", "numbness or tingling"),
    PainSign("fever", "fever", "fever"),
)


@dataclass(frozen=True)
class PainEntry:
    """One pain-log entry (evidence.md section 7). Scores are 0-10, None when not recorded."""

    date: date
    side: str | None = None  # left, right, both
    location: str = "back"  # back, front, inner, outer, calf, hamstring
    pain_during: int | None = None
    pain_after: int | None = None
    pain_next_morning: int | None = None
    stiffness: int | None = None
    swelling: str = "none"  # none, mild, moderate, severe
    popping: bool = False
    giving_way: bool = False
    locking: bool = False
    numbness_tingling: bool = False
    deformity: bool = False
    cannot_bend_straighten: bool = False
    cannot_bear_weight: bool = False
    calf_swelling_redness_warmth: bool = False
    breathless_chest_pain: bool = False
    fever: bool = False
    relieved_by_rest: bool | None = None
    notes: str = ""
    id: int | None = None


# Views of PAIN_SIGN_LIST. PAIN_SIGNS: {field: words} in PainEntry's field order (the CLI's
# prompts and options, the web form, the CSV's columns); PAIN_SIGN_SHORT: {field: short words},
# most serious first (a report's table of entries).
_ENTRY_FIELDS = [f.name for f in fields(PainEntry)]
PAIN_SIGNS: dict[str, str] = {s.name: s.words for s in sorted(PAIN_SIGN_LIST, key=lambda s: _ENTRY_FIELDS.index(s.name))}
PAIN_SIGN_SHORT: dict[str, str] = {s.name: s.short for s in PAIN_SIGN_LIST}


Day = date  # a calendar day, named apart from Finding's field ``date``


class Words(Protocol):
    """Words not yet written: a rule's template and the values that fill it
    (:class:`runload.rules.engine.RuleWords`), rendered when first read."""

    def render(self) -> str: ...


class Deferred:
    """:class:`Words` kept as the function that writes them and its arguments, written on the
    first read and kept: a phrase a finding's template quotes (``fmt`` and its fields, the
    limits' advice), written only when a finding that carries it is read. In a template it reads
    as the text it writes (``format`` and ``str``)."""

    __slots__ = ("fn", "args", "kwargs", "_text")

    def __init__(self, fn: Callable[..., str], /, *args: object, **kwargs: object) -> None:
        self.fn, self.args, self.kwargs = fn, args, kwargs
        self._text: str | None = None

    def render(self) -> str:
        if self._text is None:
            self._text = self.fn(*self.args, **self.kwargs)
        return self._text

    def __str__(self) -> str:
        return self.render()

    def __format__(self, format_spec: str) -> str:
        return format(self.render(), format_spec)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (str, Deferred)):
            return self.render() == str(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.render())

    def __repr__(self) -> str:
        return repr(self.render())

    def __getstate__(self) -> tuple[Callable[..., str], tuple[object, ...], dict[str, object], str | None]:
        return (self.fn, self.args, self.kwargs, self._text)

    def __setstate__(self, state: tuple[Callable[..., str], tuple[object, ...], dict[str, object], str | None]) -> None:
        self.fn, self.args, self.kwargs, self._text = state


class WordsField:
    """A :class:`Finding` field holding its words as text or as :class:`Words`, rendered on the
    first read and kept: an assessment judges the whole history, and only the findings shown,
    mailed or serialised are ever read."""

    def __init__(self, default: str | None = None) -> None:
        self.default = default
        self.slot = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.slot = "_" + name

    @overload
    def __get__(self, obj: None, owner: type | None = None) -> str: ...

    @overload
    def __get__(self, obj: object, owner: type | None = None) -> str: ...

    def __get__(self, obj: object | None, owner: type | None = None) -> str:
        if obj is None:
            if self.default is None:  # a dataclass field without a default
                raise AttributeError(self.slot[1:])
            return self.default
        value = obj.__dict__[self.slot]
        if not isinstance(value, str):
            value = value.render()
            obj.__dict__[self.slot] = value
        return value

    def __set__(self, obj: object, value: str | Words) -> None:
        obj.__dict__[self.slot] = value


@dataclass(frozen=True)
class Finding:
    """What a rule found: one line of a report, with the numbers behind it.

    ``message`` and ``advice`` may be given as :class:`Words`: they are written on first read
    (:class:`WordsField`); :meth:`but` copies a finding without writing them."""

    rule_id: str
    severity: Severity
    title: str
    message: WordsField = WordsField()
    advice: WordsField = WordsField("")
    evidence: str = ""
    value: float | None = None
    threshold: float | None = None
    unit: str = ""
    week_start: date | None = None
    date: date | None = None
    citations: tuple[str, ...] = ()
    evidence_level: str = ""
    # How strong the rule's injury outcome evidence is (a key of runload.rules.schema.OUTCOME_EVIDENCE;
    # "" for pain rules): within an event, the strongest evidence leads among equally severe findings.
    outcome_evidence: str = ""
    # One event, one finding: rules of one ``event`` family (rules/*.toml) that fire on the same
    # week or pain episode are merged into one, led by the most severe (the strongest evidence among
    # equals: runload.assess.merge_events), the others kept in
    # ``supporting`` with their own numbers. ``until`` is the last day the event covers (the
    # end of an episode or a gap); ``current`` says whether it is current on the day assessed.
    event: str = ""
    until: Day | None = None
    supporting: tuple["Finding", ...] = ()
    current: bool = False

    def but(self, **changes: object) -> "Finding":
        """This finding with ``changes`` (as :func:`dataclasses.replace`), its words still
        unwritten if they were."""
        new = object.__new__(Finding)
        held = new.__dict__
        held.update(self.__dict__)
        for name, value in changes.items():
            if name not in _FINDING_FIELDS:
                raise TypeError(f"Finding has no field {name!r}")
            held[_SLOTS.get(name, name)] = value  # words under their WordsField's slot
        return new

    @property
    def day(self) -> Day | None:
        """The last day the finding is about: ``until``, else its date, else its week's end."""
        if self.until is not None:
            return self.until
        if self.date is not None:
            return self.date
        if self.week_start is not None:
            return self.week_start + timedelta(days=6)
        return None


_FINDING_FIELDS = frozenset(Finding.__dataclass_fields__)
_SLOTS = {name: field.slot for name, field in vars(Finding).items() if isinstance(field, WordsField)}


def new_finding(rule_id: str, severity: Severity, title: str, message: str | Words, advice: str | Words = "",
                evidence: str = "", value: float | None = None, threshold: float | None = None, unit: str = "",
                week_start: Day | None = None, date: Day | None = None, citations: tuple[str, ...] = (),
                evidence_level: str = "", outcome_evidence: str = "", event: str = "",
                until: Day | None = None) -> Finding:
    """``Finding(...)`` of a rule's judgement (not yet merged, not yet marked current), built as
    :meth:`Finding.but` copies one: the rule engine writes a whole history's findings at once,
    and a frozen dataclass sets each of its fields one by one."""
    f = object.__new__(Finding)
    f.__dict__.update(rule_id=rule_id, severity=severity, title=title, _message=message, _advice=advice,
                      evidence=evidence, value=value, threshold=threshold, unit=unit, week_start=week_start, date=date,
                      citations=citations, evidence_level=evidence_level, outcome_evidence=outcome_evidence,
                      event=event, until=until, supporting=(), current=False)
    return f


@dataclass(frozen=True)
class Clearance:
    """A logged all-clear for the pain log's red flags: every red flag dated on or before
    ``date`` counts as resolved (``by`` says who cleared it, e.g. ``clinician`` or ``self``)."""

    date: date
    by: str = "clinician"
    note: str = ""
    id: int | None = None


#: The kinds of session a plan names (``rest`` is a day without a run).
PLAN_KINDS = ("easy", "long", "tempo", "intervals", "race", "rest")


@dataclass(frozen=True)
class PlannedRun:
    """One planned session (runload plan): ``distance_km`` 0 for a rest day. Never an activity:
    the plan check hands planned runs to the assessment as hypothetical runs."""

    date: date
    distance_km: float
    duration_min: float | None = None
    kind: str = "easy"  # one of PLAN_KINDS
    rpe: float | None = None
    notes: str = ""

    @property
    def is_run(self) -> bool:
        return self.kind != "rest" and self.distance_km > 0

    def describe(self, units: str = "km") -> str:
        """``Sun 2026-10-25, 24.0 km long run`` (or ``..., rest``)."""
        head = f"{self.date:%a} {self.date.isoformat()}"
        if not self.is_run:
            return f"{head}, rest"
        return fmt("{head}, {km:dist} {kind} run", units, head=head, km=self.distance_km, kind=self.kind)


@dataclass(frozen=True)
class Shoe:
    """A pair of shoes: runs name it as their gear. ``start_km`` is what it had run before
    runload knew it; ``retire_km`` the distance at which the runner means to replace it (the
    shoe rule's threshold for this pair); ``retired_on`` the day it was put away."""

    name: str
    start_km: float = 0.0
    retire_km: float | None = None
    default: bool = False
    retired_on: date | None = None


@dataclass(frozen=True)
class AthleteData:
    """Everything runload holds for one athlete, as plain data: what the assessment reads.

    Read from the store once (:meth:`runload.store.Store.athlete_data`), or built by hand in a
    test, a notebook or a batch job; nothing in it refers to the store.
    """

    athlete: Athlete
    activities: tuple[Activity, ...] = ()
    pain_entries: tuple[PainEntry, ...] = ()
    clearances: tuple[Clearance, ...] = ()
    planned: tuple[PlannedRun, ...] = ()  # the stored plan (runload plan set); the assessment ignores it
    shoes: tuple[Shoe, ...] = ()
