"""Red flags and the pain-monitoring model over a pain log (evidence.md section 7).

Pure functions over :class:`runload.models.PainEntry` lists; the rule files in ``rules/pain-*.toml``
decide severities and wording, these functions decide what is present.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
import datetime as dt
from datetime import date, timedelta
from statistics import mean, median

from runload.calendar import week_start_of
from runload.models import PAIN_SIGNS, PainEntry, RedFlagLevel
from runload.pain.entries import LABELS, peak_score, signs

# ---------------------------------------------------------------- red flags


def _leg_affected(e: PainEntry) -> bool:
    return bool(peak_score(e)) or e.swelling != "none" or e.calf_swelling_redness_warmth


def _popped(e: PainEntry, earlier: Sequence[PainEntry]) -> bool:
    # The popping may be logged on the day of onset and the giving way days later, so look back
    # in the episode.
    return e.popping or any(p.popping for p in earlier)


def _popping_then_instability(e: PainEntry, earlier: Sequence[PainEntry]) -> bool:
    # The article: "a popping sensation at injury onset followed by instability".
    return e.giving_way and _popped(e, earlier)


def _giving_way_alone(e: PainEntry, earlier: Sequence[PainEntry]) -> bool:
    # Giving way without a logged pop is still instability: a ligament or meniscus problem is
    # possible, and a knee that gives way can be damaged further by running. Not just a note.
    return e.giving_way and not _popped(e, earlier)


@dataclass(frozen=True)
class RedFlagSpec:
    """One red flag: its id (the rule file is ``pain-red-flag-<id>.toml``), level and test; a flag
    of one sign says it in the sign's words (:data:`runload.models.PAIN_SIGNS`)."""

    id: str
    level: RedFlagLevel
    what: str
    test: Callable[[PainEntry, Sequence[PainEntry]], bool]


RED_FLAGS: dict[str, RedFlagSpec] = {s.id: s for s in [
    # Emergency: a clot that travelled to the lung (pulmonary embolism) shows as breathlessness
    # or chest pain in someone with a painful or swollen leg (NHS; Mayo Clinic).
    RedFlagSpec("breathless-leg", RedFlagLevel.EMERGENCY, "breathlessness or chest pain with a painful or swollen leg",
                lambda e, _: e.breathless_chest_pain and _leg_affected(e)),
    # Emergency on its own too: chest pain or sudden breathlessness can be a heart attack or a
    # clot in the lung, with or without a leg sign (NHS: call 999 for sudden chest pain or
    # breathlessness). Logged alone, or with only stiffness, it is never "no red flags".
    RedFlagSpec("breathless-chest-pain", RedFlagLevel.EMERGENCY, PAIN_SIGNS["breathless_chest_pain"],
                lambda e, _: e.breathless_chest_pain and not _leg_affected(e)),
    # Urgent same-day care: a deep-vein clot and a burst Baker's cyst look alike (NHS 111 Wales).
    RedFlagSpec("calf", RedFlagLevel.URGENT, PAIN_SIGNS["calf_swelling_redness_warmth"],
                lambda e, _: e.calf_swelling_redness_warmth),
    RedFlagSpec("severe-swelling", RedFlagLevel.URGENT, "sudden severe swelling and the knee cannot fully bend",
                lambda e, _: e.swelling == "severe" and e.cannot_bend_straighten),
    # Each sign of that pair counts on its own too (evidence.md section 7): NHS sends a very
    # swollen knee, or a knee you cannot move, to urgent care. A knee that cannot fully bend or
    # straighten is a mechanical block, like locking. One flag per entry: with both signs it is
    # the pair above.
    RedFlagSpec("severe-swelling-alone", RedFlagLevel.URGENT, "severe swelling of the knee",
                lambda e, _: e.swelling == "severe" and not e.cannot_bend_straighten),
    RedFlagSpec("cannot-bend", RedFlagLevel.URGENT, "the knee cannot fully bend or straighten",
                lambda e, _: e.cannot_bend_straighten and e.swelling != "severe"),
    RedFlagSpec("cannot-bear-weight", RedFlagLevel.URGENT, PAIN_SIGNS["cannot_bear_weight"],
                lambda e, _: e.cannot_bear_weight),
    RedFlagSpec("locking", RedFlagLevel.URGENT, "the knee locks", lambda e, _: e.locking),
    RedFlagSpec("deformity", RedFlagLevel.URGENT, PAIN_SIGNS["deformity"], lambda e, _: e.deformity),
    RedFlagSpec("fever-swollen-knee", RedFlagLevel.URGENT, "fever with a swollen knee",
                lambda e, _: e.fever and e.swelling != "none"),
    # Get examined promptly, before running again: the article lists numbness and a pop followed
    # by instability among the "signs warranting immediate medical attention".
    RedFlagSpec("numbness", RedFlagLevel.CLINICIAN, PAIN_SIGNS["numbness_tingling"], lambda e, _: e.numbness_tingling),
    RedFlagSpec("popping-instability", RedFlagLevel.CLINICIAN, "a popping feeling at onset, then the knee giving way",
                _popping_then_instability),
    RedFlagSpec("giving-way", RedFlagLevel.CLINICIAN, PAIN_SIGNS["giving_way"], _giving_way_alone),
    # A fever with a painful knee and no swelling logged: no running with a fever, and a painful
    # joint with a high temperature is one for a clinician (NHS: septic arthritis can start as
    # pain and fever); with swelling it is same-day care (the flag above).
    RedFlagSpec("fever", RedFlagLevel.CLINICIAN, "fever with knee pain",
                lambda e, _: e.fever and e.swelling == "none" and bool(peak_score(e) or e.stiffness)),
]}


@dataclass(frozen=True)
class RedFlag:
    """A red flag seen in one entry."""

    flag: str  # RedFlagSpec.id
    level: RedFlagLevel
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
        out.extend(entry_red_flags(e, earlier))
    return out


def entry_red_flags(e: PainEntry, earlier: Sequence[PainEntry]) -> list[RedFlag]:
    """The red flags entry ``e`` shows, in :data:`RED_FLAGS` order, with ``earlier`` the entries
    before it that its tests may look back at (:func:`red_flags`)."""
    return [RedFlag(spec.id, spec.level, spec.what, e.date, e.id, e.side)
            for spec in RED_FLAGS.values() if spec.test(e, earlier)]


# ---------------------------------------------------------------- unrelieved by rest
# The article: "pain unrelieved by rest lasting beyond two weeks" (rule pain-red-flag-unrelieved-two-weeks).
UNRELIEVED_DAYS = 14


@dataclass(frozen=True)
class Unrelieved:
    """A stretch of entries in which rest did not relieve the pain.

    ``entries`` counts every painful entry of the stretch, ``said_no`` those that answered "rest
    does not help" (the others left the question blank)."""

    start: date
    last: date
    entries: int
    said_no: int = 0

    @property
    def days(self) -> int:
        """Days from the first entry saying rest did not help to the last painful entry before
        rest helped (or the pain went)."""
        return (self.last - self.start).days


def unrelieved_stretches(entries: Sequence[PainEntry]) -> list[Unrelieved]:
    """Stretches of pain that rest did not relieve (the article: "pain unrelieved by rest lasting
    beyond two weeks").

    A stretch starts at an entry with pain and ``relieved_by_rest = no``. It goes on, and its
    count of days with it, through every later entry with pain that does not say rest helped: a
    blank answer is not a "yes", so it neither ends the stretch nor stops the count. Only an entry
    with ``relieved_by_rest = yes``, or one without pain or stiffness, ends it.
    """
    out: list[Unrelieved] = []
    start: PainEntry | None = None
    last: PainEntry | None = None
    n = no = 0
    for e in sorted(entries, key=lambda e: (e.date, e.id or 0)):
        painful = bool(peak_score(e)) or bool(e.stiffness)
        if start is not None and (not painful or e.relieved_by_rest is True):
            out.append(Unrelieved(start.date, last.date, n, no))  # type: ignore[union-attr]
            start, last, n, no = None, None, 0, 0
        if not painful or e.relieved_by_rest is True:
            continue
        if start is None and e.relieved_by_rest is False:
            start = e
        if start is not None:
            last, n = e, n + 1
            no += e.relieved_by_rest is False
    if start is not None and last is not None:
        out.append(Unrelieved(start.date, last.date, n, no))
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
    """Next-morning pain against the athlete's usual morning level before the pain episode.

    ``since``: the day the usual level is taken before (the onset of the entry's episode, or the
    entry's own day outside an episode)."""

    date: date
    score: int
    usual: float
    earlier: int  # entries the usual level comes from
    since: dt.date | None = None

    @property
    def rise(self) -> float:
        return self.score - self.usual


def morning_pain(entries: Sequence[PainEntry], *, baseline_days: int = 28,
                 onset_of: Callable[[date], date | None] | None = None) -> list[MorningPain]:
    """For each entry with a next-morning score: the score against the usual level.

    The usual level is the athlete's level before the pain episode: the median next-morning
    score of the entries in the ``baseline_days`` before the episode's onset (``onset_of(day)``
    gives the onset of the episode holding ``day``, or None outside an episode; then the entry's
    own day). Scores inside the episode never raise it: an injury that worsens must not become
    its own baseline (a 5/10 morning is not "0.5 above your usual 4.5"). With no earlier scores
    it is 0: pain should be gone by the next morning.
    """
    ordered = sorted(((e.date, e.id or 0, e.pain_next_morning) for e in entries if e.pain_next_morning is not None),
                     key=lambda t: t[:2])
    out = []
    for day, _id, score in ordered:
        since = (onset_of(day) if onset_of is not None else None) or day
        earlier = [s for d, _, s in ordered if d < since and (since - d).days <= baseline_days]
        usual = float(median(earlier)) if earlier else 0.0
        out.append(MorningPain(day, score, usual, len(earlier), since))
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


def _mean(xs: list[int]) -> float:
    """:func:`statistics.mean` of scores: of whole numbers, the same value and type on integer
    arithmetic (a whole mean an int, else the correctly rounded float of the exact quotient);
    anything else through statistics.mean itself."""
    if all(type(x) is int for x in xs):
        whole, rest = divmod(sum(xs), len(xs))
        return whole if not rest else sum(xs) / len(xs)
    return mean(xs)


def weekly_trends(entries: Sequence[PainEntry], *, week_start: int = 0) -> list[WeeklyTrend]:
    """One row per week that has entries and follows a week with entries."""
    weeks: dict[date, list[PainEntry]] = {}
    for e in entries:
        ws = week_start_of(e.date, week_start)
        weeks.setdefault(ws, []).append(e)

    def means(es: list[PainEntry]) -> tuple[float | None, float | None]:
        p = [s for s in (peak_score(e) for e in es) if s is not None]
        st = [e.stiffness for e in es if e.stiffness is not None]
        return (_mean(p) if p else None, _mean(st) if st else None)

    out = []
    for ws in sorted(weeks):
        prev = weeks.get(ws - timedelta(days=7))
        if not prev:
            continue
        pain, stiff = means(weeks[ws])
        prev_pain, prev_stiff = means(prev)
        out.append(WeeklyTrend(ws, pain, stiff, prev_pain, prev_stiff, len(weeks[ws])))
    return out


@dataclass(frozen=True)
class PainTrend:
    """The worst pain score of the 7 days up to ``day`` against the 7 days before: the one pain
    trend the report, the roster and a pain episode's finding all say.

    ``word``: "none logged" (no score in the 14 days), "none in the last 7 days", "new" (none in
    the 7 before), "rising", "falling" or "steady"."""

    day: date | None
    word: str
    last_7d_max: int | None
    prev_7d_max: int | None


def pain_trend(entries: Sequence[PainEntry], day: date | None) -> PainTrend:
    """The trend of the worst score (during, after, next morning) of ``entries`` on ``day``."""
    def worst(lo: int, hi: int) -> int | None:
        if day is None:
            return None
        scores = [s for e in entries if lo <= (day - e.date).days <= hi
                  for s in (e.pain_during, e.pain_after, e.pain_next_morning) if s is not None]
        return max(scores) if scores else None

    now, before = worst(0, 6), worst(7, 13)
    if now is None and before is None:
        word = "none logged"
    elif now is None:
        word = "none in the last 7 days"
    elif before is None:
        word = "new"
    else:
        word = "rising" if now > before else "falling" if now < before else "steady"
    return PainTrend(day, word, now, before)


def join_words(items: Sequence[str]) -> str:
    """"a", "a and b", "a, b and c"."""
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]
