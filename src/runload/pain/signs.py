"""Red flags and the pain-monitoring model over a pain log (evidence.md section 7).

Pure functions over :class:`runload.models.PainEntry` lists; the rule files in ``rules/pain-*.toml``
decide severities and wording, these functions decide what is present.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from statistics import mean, median

from runload.calendar import week_start_of
from runload.models import PainEntry
from runload.pain.entries import LABELS, peak_score, signs

# ---------------------------------------------------------------- red flags
EMERGENCY = "emergency"
URGENT = "urgent"
CLINICIAN = "clinician"


def _leg_affected(e: PainEntry) -> bool:
    return bool(peak_score(e)) or e.swelling != "none" or e.calf_swelling_redness_warmth


def _popping_then_instability(e: PainEntry, earlier: Sequence[PainEntry]) -> bool:
    # The article: "a popping sensation at injury onset followed by instability". The popping may
    # be logged on the day of onset and the giving way days later, so look back in the episode.
    return e.giving_way and (e.popping or any(p.popping for p in earlier))


@dataclass(frozen=True)
class RedFlagSpec:
    """One red flag: its id (the rule file is ``pain-red-flag-<id>.toml``), level and test."""

    id: str
    level: str
    what: str
    test: Callable[[PainEntry, Sequence[PainEntry]], bool]


RED_FLAGS: dict[str, RedFlagSpec] = {s.id: s for s in [
    # Emergency: a clot that travelled to the lung (pulmonary embolism) shows as breathlessness
    # or chest pain in someone with a painful or swollen leg (NHS; Mayo Clinic).
    RedFlagSpec("breathless-leg", EMERGENCY, "breathlessness or chest pain with a painful or swollen leg",
                lambda e, _: e.breathless_chest_pain and _leg_affected(e)),
    # Urgent same-day care: a deep-vein clot and a burst Baker's cyst look alike (NHS 111 Wales).
    RedFlagSpec("calf", URGENT, "calf swelling, redness or warmth",
                lambda e, _: e.calf_swelling_redness_warmth),
    RedFlagSpec("severe-swelling", URGENT, "sudden severe swelling and the knee cannot fully bend",
                lambda e, _: e.swelling == "severe" and e.cannot_bend_straighten),
    RedFlagSpec("cannot-bear-weight", URGENT, "cannot bear weight on the leg",
                lambda e, _: e.cannot_bear_weight),
    RedFlagSpec("locking", URGENT, "the knee locks", lambda e, _: e.locking),
    RedFlagSpec("deformity", URGENT, "visible deformity behind the knee", lambda e, _: e.deformity),
    RedFlagSpec("fever-swollen-knee", URGENT, "fever with a swollen knee",
                lambda e, _: e.fever and e.swelling != "none"),
    # See a clinician soon (the article's list).
    RedFlagSpec("numbness", CLINICIAN, "numbness or tingling down the calf", lambda e, _: e.numbness_tingling),
    RedFlagSpec("popping-instability", CLINICIAN, "a popping feeling at onset, then the knee giving way",
                _popping_then_instability),
]}


@dataclass(frozen=True)
class RedFlag:
    """A red flag seen in one entry."""

    flag: str  # RedFlagSpec.id
    level: str  # emergency, urgent, clinician
    what: str
    date: date
    entry_id: int | None
    side: str | None


def same_leg(a: str | None, b: str | None) -> bool:
    """Whether two entries may be about the same leg: the same side, either side unrecorded,
    or either about both legs."""
    return a is None or b is None or a == b or "both" in (a, b)


def red_flags(entries: Sequence[PainEntry], *, episode_of: Callable[[PainEntry], Sequence[PainEntry]] | None = None,
              ) -> list[RedFlag]:
    """Every red flag in ``entries`` (oldest first), one per flag and entry.

    ``episode_of(entry)`` gives the earlier entries of the entry's episode (for "popping, then
    giving way"); by default every earlier entry within 28 days.
    """
    ordered = sorted(entries, key=lambda e: (e.date, e.id or 0))
    out: list[RedFlag] = []
    for i, e in enumerate(ordered):
        if episode_of is not None:
            earlier: Sequence[PainEntry] = episode_of(e)
        else:
            earlier = [p for p in ordered[:i] if (e.date - p.date).days <= 28]
        for spec in RED_FLAGS.values():
            if spec.test(e, earlier):
                out.append(RedFlag(spec.id, spec.level, spec.what, e.date, e.id, e.side))
    return out


# ---------------------------------------------------------------- unrelieved by rest
@dataclass(frozen=True)
class Unrelieved:
    """A stretch of entries in which rest did not relieve the pain."""

    start: date
    last: date
    entries: int

    @property
    def days(self) -> int:
        """Days from the first to the last entry saying rest did not help."""
        return (self.last - self.start).days


def unrelieved_stretches(entries: Sequence[PainEntry]) -> list[Unrelieved]:
    """Stretches of pain that rest did not relieve (the article: "pain unrelieved by rest lasting
    beyond two weeks").

    A stretch starts at an entry with pain and ``relieved_by_rest = no``; entries that do not say
    (blank) continue it; an entry with ``relieved_by_rest = yes`` or without pain ends it.
    """
    out: list[Unrelieved] = []
    start: PainEntry | None = None
    last: PainEntry | None = None
    n = 0
    for e in sorted(entries, key=lambda e: (e.date, e.id or 0)):
        painful = bool(peak_score(e)) or bool(e.stiffness)
        if start is not None and (not painful or e.relieved_by_rest is True):
            out.append(Unrelieved(start.date, last.date, n))  # type: ignore[union-attr]
            start, last, n = None, None, 0
        if painful and e.relieved_by_rest is False:
            if start is None:
                start = e
            last, n = e, n + 1
    if start is not None and last is not None:
        out.append(Unrelieved(start.date, last.date, n))
    return out


# ---------------------------------------------------------------- the pain-monitoring model
# Signs that point away from tendon pain: the model's scores were tested in Achilles
# tendinopathy (Silbernagel 2007); for a cyst, meniscus or nerve problem these signs matter more.
NON_TENDON_SIGNS = ("swelling", "locking", "giving_way", "numbness_tingling", "cannot_bend_straighten")


def non_tendon_signs(e: PainEntry) -> list[str]:
    """The entry's signs that the pain-monitoring model does not cover, in plain words."""
    out = []
    for s in signs(e):
        if s in NON_TENDON_SIGNS:
            out.append(f"{e.swelling} swelling" if s == "swelling" else LABELS[s])
    return out


def model_caveat(entries: Sequence[PainEntry]) -> str:
    """A sentence saying the pain-score model does not cover the signs in ``entries``, or ""."""
    found: list[str] = []
    for e in entries:
        for s in non_tendon_signs(e):
            if s not in found:
                found.append(s)
    if not found:
        return ""
    return (f" The log also records {join_words(found)}: the pain-score limits were tested in tendon "
            f"pain and do not cover these signs, which point to the joint, a cyst or a nerve.")


@dataclass(frozen=True)
class ScoreOverLimit:
    """The higher of pain during and after a run, for one entry."""

    date: date
    score: int
    when: str  # "during" or "after"
    entry: PainEntry


def run_pain(e: PainEntry) -> ScoreOverLimit | None:
    """The entry's higher score of pain during and after running, or None when neither is logged."""
    pairs = [(s, w) for s, w in ((e.pain_during, "during"), (e.pain_after, "after")) if s is not None]
    if not pairs:
        return None
    score, when = max(pairs, key=lambda p: p[0])
    return ScoreOverLimit(e.date, score, when, e)


@dataclass(frozen=True)
class MorningPain:
    """Next-morning pain against the athlete's usual morning level."""

    date: date
    score: int
    usual: float
    earlier: int  # entries the usual level comes from

    @property
    def rise(self) -> float:
        return self.score - self.usual


def morning_pain(entries: Sequence[PainEntry], *, baseline_days: int = 28) -> list[MorningPain]:
    """For each entry with a next-morning score: the score against the usual level.

    The usual level is the median next-morning score of the entries in the ``baseline_days``
    before; with no earlier scores it is 0 (pain should be gone by the next morning).
    """
    ordered = sorted((e for e in entries if e.pain_next_morning is not None), key=lambda e: (e.date, e.id or 0))
    out = []
    for i, e in enumerate(ordered):
        earlier = [p.pain_next_morning for p in ordered[:i]
                   if p.date < e.date and (e.date - p.date).days <= baseline_days]
        usual = float(median(earlier)) if earlier else 0.0
        out.append(MorningPain(e.date, int(e.pain_next_morning), usual, len(earlier)))  # type: ignore[arg-type]
    return out


@dataclass(frozen=True)
class WeeklyTrend:
    """Mean pain (the peak score of each entry) and stiffness in one week against the week before."""

    week_start: date
    pain: float | None
    stiffness: float | None
    prev_pain: float | None
    prev_stiffness: float | None
    entries: int

    @property
    def pain_rise(self) -> float | None:
        if self.pain is None or self.prev_pain is None:
            return None
        return self.pain - self.prev_pain

    @property
    def stiffness_rise(self) -> float | None:
        if self.stiffness is None or self.prev_stiffness is None:
            return None
        return self.stiffness - self.prev_stiffness


def weekly_trends(entries: Sequence[PainEntry], *, week_start: int = 0) -> list[WeeklyTrend]:
    """One row per week that has entries and follows a week with entries."""
    weeks: dict[date, list[PainEntry]] = {}
    for e in entries:
        ws = week_start_of(e.date, week_start)
        weeks.setdefault(ws, []).append(e)

    def means(es: list[PainEntry]) -> tuple[float | None, float | None]:
        p = [s for s in (peak_score(e) for e in es) if s is not None]
        st = [e.stiffness for e in es if e.stiffness is not None]
        return (mean(p) if p else None, mean(st) if st else None)

    out = []
    for ws in sorted(weeks):
        prev = weeks.get(ws - timedelta(days=7))
        if not prev:
            continue
        pain, stiff = means(weeks[ws])
        prev_pain, prev_stiff = means(prev)
        out.append(WeeklyTrend(ws, pain, stiff, prev_pain, prev_stiff, len(weeks[ws])))
    return out


def join_words(items: Sequence[str]) -> str:
    """"a", "a and b", "a, b and c"."""
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]
