"""Pain episodes and the load before each one (evidence.md section 7, "Linking pain to load").

An episode runs from the first entry with symptoms until it settles. Runners stop logging when
the pain has gone, so an episode does not wait for an entry saying so (evidence.md section 7,
"Pain episodes end"); it is settled by whichever comes first:

- an entry in which the symptoms have settled (every score at most 1/10, no sign);
- a clearance (``runload pain clear``): the knee was checked and the runner cleared to run;
- :data:`QUIET_DAYS` days after its last entry with at least :data:`QUIET_RUNS` runs in them and
  no entry: "no pain logged since D: treated as settled". Not while a red flag of the episode
  still stands at its last entry: a red flag waits for an entry recording the sign gone or a
  clearance, never for time.

An entry after an episode has settled opens a new episode, as an entry after a settled entry
always has: its onset is the day the pain came back, and the load before it is linked to that
day (what the training did before the pain returned), not to the first episode's onset. The
load before each episode (:class:`LoadBefore`) is worked out in :mod:`runload.pain.load_before`.

Pure Python over lists of activities (no pandas), so it also runs in the quick pain commands.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from runload.models import PainEntry, WordsField
from runload.pain.entries import SCORE_FIELDS, peak_score, signs
from runload.pain.signs import UNRELIEVED_DAYS, RedFlag, entry_red_flags, same_leg, unrelieved_stretches

# Scores of 0-1 count as settled: "1/10" is the barely-there end of the scale, and a rule that
# needed a zero would keep an episode open for ever for a runner who always logs a 1.
SETTLED_MAX_SCORE = 1
# Entries further apart than this do not belong to one episode: the runner stopped logging.
MAX_GAP_DAYS = 28
WINDOW_DAYS = 14
# An episode nobody logs any more is over once the runner has run on it for two weeks (evidence.md
# section 7): 14 days after its last entry, with at least three runs in them and no entry.
QUIET_DAYS = 14
QUIET_RUNS = 3


def is_settled(e: PainEntry, *, settled_max: int = SETTLED_MAX_SCORE) -> bool:
    """True when every score is at most ``settled_max`` and there is no swelling or other sign."""
    scores = [getattr(e, f) for f in SCORE_FIELDS]
    return all(s is None or s <= settled_max for s in scores) and not signs(e)


@dataclass(frozen=True)
class LoadBefore:
    """What the running did in the days up to the onset of an episode.

    Percentages are None when there is no reference (no earlier running to compare with).
    """

    onset: date
    window_days: int
    runs: int
    distance_km: float
    week_change_pct: float | None = None
    week_km: float | None = None
    week_prev_km: float | None = None
    week_label: str = ""  # "the week of 2026-05-04" or "the 7 days up to 2026-05-10"
    week_days_before: int | None = None  # days from the end of that week to onset
    spike_pct: float | None = None
    spike_km: float | None = None
    spike_ref_km: float | None = None
    spike_date: date | None = None
    break_days: int | None = None  # a run in the window came after this many days without running
    hard_share_pct: float | None = None
    hard_share_usual_pct: float | None = None
    streak_days: int = 0
    notable: tuple[str, ...] = ()
    sentence: WordsField = WordsField("")  # written on first read (an episode's load is linked before it is shown)


@dataclass(frozen=True)
class Episode:
    """One pain episode: from the first entry with symptoms until it settled.

    ``status`` is "settled" (``end`` is the day it settled, ``settled_by`` says how: ``entry``,
    ``clearance`` or ``quiet``, see the module docstring), "ongoing" (still going on at the day
    judged) or "not logged" (no entry for more than ``MAX_GAP_DAYS`` after ``last``, then a new
    episode began).
    """

    key: str  # "episode-<onset>", stable while the log's past does not change
    onset: date
    last: date
    end: date | None
    status: str
    entries: tuple[PainEntry, ...]
    peak: int | None
    sides: tuple[str, ...]
    red_flags: tuple[RedFlag, ...] = ()
    load: LoadBefore | None = None
    settled_by: str = ""  # "entry", "clearance" or "quiet" when status is "settled"

    @property
    def about_knee(self) -> bool:
        """Whether any entry records the knee or leg (a score, stiffness, swelling or a leg
        sign): an episode of chest pain or breathlessness alone is about the heart and lungs,
        and is not linked to the training load as a knee injury would be."""
        return any(about_knee(e) for e in self.entries)

    @property
    def days(self) -> int:
        """Days from onset to the day it settled (or the last entry)."""
        return ((self.end or self.last) - self.onset).days

    @property
    def state(self) -> str:
        """Where the episode stands, in words: the one wording every output uses."""
        if self.status == "ongoing":
            return "still going on"
        if self.status == "not logged":
            return f"no entries after {self.last.isoformat()}"
        end = self.end.isoformat() if self.end else ""
        if self.settled_by == "quiet":
            return f"no pain logged since {self.last.isoformat()}: treated as settled; log pain if it is back"
        if self.settled_by == "clearance":
            return f"settled on {end} (clearance logged)"
        return f"settled on {end}"


# Signs that are not about the knee or leg: chest pain or breathlessness (the heart and lungs)
# and fever (the whole body).
NOT_KNEE_SIGNS = ("breathless_chest_pain", "fever")


def about_knee(e: PainEntry) -> bool:
    """Whether the entry records anything about the knee or leg."""
    return bool(peak_score(e) or e.stiffness) or any(s not in NOT_KNEE_SIGNS for s in signs(e))


def _flag_stands(entries: Sequence[PainEntry], flags: Sequence[RedFlag]) -> bool:
    """Whether a red flag of ``entries`` still stands at the last of them: no later entry for the
    same leg records the sign gone (as :func:`runload.pain.assess` resolves flags)."""
    by_entry: dict[tuple[date, int | None], set[str]] = {}
    for f in flags:
        by_entry.setdefault((f.date, f.entry_id), set()).add(f.flag)
    for f in flags:
        later = [e for e in entries if (e.date, e.id or 0) > (f.date, f.entry_id or 0)]
        if not any(same_leg(e.side, f.side) and f.flag not in by_entry.get((e.date, e.id), set()) for e in later):
            return True
    return False


def _quiet_end(last: date, run_days: Sequence[date], *, quiet_days: int, quiet_runs: int) -> date | None:
    """The day an episode whose last entry is on ``last`` counts as settled without an entry:
    ``quiet_days`` after it, or the day of the ``quiet_runs``-th run after it if later; None
    before there are that many runs. ``run_days``: one day per run, sorted."""
    i = bisect_left(run_days, last + timedelta(days=1)) + quiet_runs - 1  # the quiet_runs-th run after it
    if i >= len(run_days):
        return None
    return max(last + timedelta(days=quiet_days), run_days[i])


def find_episodes(entries: Sequence[PainEntry], *, settled_max: int = SETTLED_MAX_SCORE,
                  max_gap_days: int = MAX_GAP_DAYS, run_days: Sequence[date] = (), as_of: date | None = None,
                  clearances: Sequence[date] = (), quiet_days: int = QUIET_DAYS,
                  quiet_runs: int = QUIET_RUNS) -> list[Episode]:
    """Split the log into episodes, oldest first (without the load link: see :func:`link_load`).

    ``run_days`` (the days with a run) and ``as_of`` (the day judged; default the last entry or
    run) let an episode settle when nobody logs it any more; ``clearances`` (their days) settle
    the episode they fall in. Without them an episode settles only by an entry.
    """
    ordered = sorted(entries, key=lambda e: (e.date, e.id or 0))
    days = sorted(run_days)
    cleared = sorted(clearances)
    if as_of is None:
        as_of = max([*(e.date for e in ordered[-1:]), *days[-1:]], default=None)
    out: list[Episode] = []
    current: list[PainEntry] = []
    # the red flags of the open episode, entry by entry: an entry's flags look back only at the
    # entries of its episode before it (runload.pain.signs.red_flags), so they are worked out
    # once, when it joins
    flags: list[RedFlag] = []

    def join(e: PainEntry) -> None:
        key = (e.date, e.id or 0)
        flags.extend(entry_red_flags(e, [p for p in current if (p.date, p.id or 0) < key]))
        current.append(e)

    def close(end: date | None, status: str, how: str = "") -> None:
        scores = [s for e in current for s in (e.pain_during, e.pain_after, e.pain_next_morning) if s is not None]
        sides = tuple(dict.fromkeys(e.side for e in current if e.side))
        out.append(Episode(f"episode-{current[0].date.isoformat()}", current[0].date, current[-1].date, end, status,
                           tuple(current), max(scores) if scores else None, sides, tuple(flags), settled_by=how))

    def settled_before(limit: date | None, *, inclusive: bool) -> tuple[date, str] | None:
        """How the open episode settled before the next entry (on ``limit``) or by ``limit``
        (the day judged, ``inclusive``): the earliest of a clearance and the quiet rule."""
        if limit is None:
            return None
        last = current[-1].date
        within = (lambda d: d <= limit) if inclusive else (lambda d: d < limit)
        found: list[tuple[date, str]] = []
        c = next((d for d in cleared if d >= last and within(d)), None)
        if c is not None:
            found.append((c, "clearance"))
        quiet = _quiet_end(last, days, quiet_days=quiet_days, quiet_runs=quiet_runs)
        if quiet is not None and within(quiet) and not _flag_stands(current, flags) \
                and not _unrelieved_at_end(current):
            found.append((quiet, "quiet"))
        return min(found) if found else None

    for e in ordered:
        if current:
            ended = settled_before(e.date, inclusive=False)
            if ended is not None:
                close(ended[0], "settled", ended[1])
                current, flags = [], []
            elif (e.date - current[-1].date).days > max_gap_days:
                close(None, "not logged")
                current, flags = [], []
        if is_settled(e, settled_max=settled_max):
            if current:
                close(e.date, "settled", "entry")
                current, flags = [], []
            continue
        join(e)
    if current:
        ended = settled_before(as_of, inclusive=True)
        if ended is not None:
            close(ended[0], "settled", ended[1])
        else:
            close(None, "ongoing")
    return out


def _unrelieved_at_end(entries: Sequence[PainEntry]) -> bool:
    """Whether the episode ends in pain that rest has not relieved for more than two weeks: a red
    flag of its own (rule pain-red-flag-unrelieved-two-weeks) that time does not settle."""
    stretches = unrelieved_stretches(entries)
    return bool(stretches) and stretches[-1].last == entries[-1].date and stretches[-1].days > UNRELIEVED_DAYS
