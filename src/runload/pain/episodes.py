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
day (what the training did before the pain returned), not to the first episode's onset.
For each episode runload looks at the running in the 14 days up to and including the day pain
began: the weekly change, the biggest single-run spike, the share of hard running, and the longest
stretch of days without a rest day, and says it in one sentence with the numbers.

Pure Python over lists of activities (no pandas), so it also runs in the quick pain commands.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from runload.calendar import local_date, week_start_of
from runload.models import Activity, Athlete, PainEntry
from runload.pain.entries import SCORE_FIELDS, peak_score, signs
from runload.pain.signs import UNRELIEVED_DAYS, RedFlag, join_words, red_flags, same_leg, unrelieved_stretches
from runload.units import fmt

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
    sentence: str = ""


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

    def flags_of(es: list[PainEntry]) -> list[RedFlag]:
        return red_flags(es, episode_of=lambda e: [p for p in es if (p.date, p.id or 0) < (e.date, e.id or 0)])

    def close(end: date | None, status: str, how: str = "") -> None:
        flags = flags_of(current)
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
        if quiet is not None and within(quiet) and not _flag_stands(current, flags_of(current)) \
                and not _unrelieved_at_end(current):
            found.append((quiet, "quiet"))
        return min(found) if found else None

    for e in ordered:
        if current:
            ended = settled_before(e.date, inclusive=False)
            if ended is not None:
                close(ended[0], "settled", ended[1])
                current = []
            elif (e.date - current[-1].date).days > max_gap_days:
                close(None, "not logged")
                current = []
        if is_settled(e, settled_max=settled_max):
            if current:
                close(e.date, "settled", "entry")
                current = []
            continue
        current.append(e)
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


# ---------------------------------------------------------------- the load before onset
def _hard_seconds(a: Activity, hard_bpm: float) -> tuple[float, float]:
    # each recorded bpm counts as itself (an older store's 5-bpm bin at its middle): the one
    # reading of heart-rate bins, runload.load.formulas.hr_seconds
    from runload.load.formulas import hr_seconds

    bins = hr_seconds(a)
    return sum(s for bpm, s in bins if bpm >= hard_bpm), sum(s for _, s in bins)


def link_load(
    onset: date,
    activities: Sequence[Activity],
    *,
    athlete: Athlete | None = None,
    week_start: int = 0,
    window_days: int = WINDOW_DAYS,
    min_base_km: float = 10.0,
    week_change_pct: float = 10.0,
    spike_pct: float = 10.0,
    hard_fraction_of_max: float = 0.8,
    hard_share_rise_pts: float = 10.0,
    streak_days: int = 7,
) -> LoadBefore:
    """The running in the ``window_days`` up to and including ``onset``, in numbers and one sentence.

    - Weekly change: each calendar week that ended in the window, and the 7 days up to onset,
      against the 7 days before (a base under ``min_base_km`` is too small to judge, as in the
      weekly-progression rule). The largest change is reported.
    - Spike: each run's distance against the longest run of the 30 days before it (Frandsen 2025);
      the largest is reported; a run with no run in the 30 days before is a return from a break.
    - Intensity: share of heart-rate time at or above ``hard_fraction_of_max`` of maximum heart
      rate (the profile's, else the highest recorded), against the 28 days before the window.
    - Rest: the longest stretch of consecutive days with a run that touches the window.

    A signal is *notable* (and leads the sentence) when it passes its threshold argument.
    """
    runs = sorted(((local_date(a), a) for a in activities if a.is_run), key=lambda p: (p[0], p[1].start_utc))
    first = onset - timedelta(days=window_days - 1)
    in_window = [(d, a) for d, a in runs if first <= d <= onset]
    win_km = sum(a.distance_m for _, a in in_window) / 1000.0
    info: dict[str, object] = {}

    def km_between(lo: date, hi: date) -> float:
        return sum(a.distance_m for d, a in runs if lo <= d <= hi) / 1000.0

    # a reference span counts only when runload knows all its days (the weekly rules' one
    # definition, runload.load.series.days_known: not before the history, not in a gap)
    from runload.load.series import days_known, gaps as data_gaps

    recorded = sorted(local_date(a) for a in activities)
    spans = data_gaps(activities, first_weekday=week_start)

    def known(lo: date, hi: date) -> bool:
        return bool(recorded) and days_known(lo, hi, history_start=recorded[0], end=recorded[-1],
                                             gaps=spans) == (hi - lo).days + 1

    # weekly change: calendar weeks that ended inside the window, and the rolling 7 days to onset
    candidates: list[tuple[float, float, float, str, int]] = []
    ws = week_start_of(onset, week_start)
    for k in (1, 2):
        start = ws - timedelta(days=7 * k)
        end = start + timedelta(days=6)
        if end < first:
            continue
        km, prev = km_between(start, end), km_between(start - timedelta(days=7), start - timedelta(days=1))
        if prev >= min_base_km and known(start - timedelta(days=7), start - timedelta(days=1)):
            candidates.append(((km - prev) / prev * 100.0, km, prev, f"the week of {start.isoformat()}",
                               (onset - end).days))
    km, prev = km_between(onset - timedelta(days=6), onset), km_between(onset - timedelta(days=13), onset - timedelta(days=7))
    if prev >= min_base_km and known(onset - timedelta(days=13), onset - timedelta(days=7)):
        candidates.append(((km - prev) / prev * 100.0, km, prev, f"the 7 days up to {onset.isoformat()}", 0))
    if candidates:
        best = max(candidates, key=lambda c: c[0])
        info.update(week_change_pct=round(best[0], 1), week_km=round(best[1], 1), week_prev_km=round(best[2], 1),
                    week_label=best[3], week_days_before=best[4])

    # single-run spikes, against the longest run of the 30 days before each run
    best_spike: tuple[float, float, float, date] | None = None
    days = [e for e, _ in runs]
    for d, a in in_window:
        lo, hi = bisect_left(days, d - timedelta(days=30)), bisect_left(days, d)
        ref = [b.distance_m for _, b in runs[lo:hi]]
        if not ref:
            gap = [e for e, _ in runs if e < d]
            if gap:  # days without a run, as return-to-run counts them
                from runload.load.formulas import days_without_run

                info.setdefault("break_days", days_without_run(gap[-1], d))
            continue
        pct = (a.distance_m / max(ref) - 1.0) * 100.0
        if best_spike is None or pct > best_spike[0]:
            best_spike = (pct, a.distance_m / 1000.0, max(ref) / 1000.0, d)
    if best_spike:
        info.update(spike_pct=round(best_spike[0], 1), spike_km=round(best_spike[1], 1),
                    spike_ref_km=round(best_spike[2], 1), spike_date=best_spike[3])

    # intensity: share of heart-rate time at hard effort, window against the 28 days before
    hr_max = (athlete.hr_max_bpm if athlete and athlete.hr_max_bpm else None) or max(
        (a.max_hr_bpm for _, a in runs if a.max_hr_bpm), default=None)
    if hr_max:
        hard_bpm = hard_fraction_of_max * hr_max

        def share(lo: date, hi: date) -> float | None:
            hard = total = 0.0
            for d, a in runs:
                if lo <= d <= hi:
                    h, t = _hard_seconds(a, hard_bpm)
                    hard, total = hard + h, total + t
            return hard / total * 100.0 if total > 0 else None

        now = share(first, onset)
        usual = share(first - timedelta(days=28), first - timedelta(days=1))
        if now is not None:
            info["hard_share_pct"] = round(now, 1)
        if usual is not None:
            info["hard_share_usual_pct"] = round(usual, 1)

    # days in a row with a run, for stretches that reach into the window
    days = sorted({d for d, _ in runs if d <= onset})
    longest = run = 0
    prev_day: date | None = None
    for d in days:
        run = run + 1 if prev_day is not None and (d - prev_day).days == 1 else 1
        prev_day = d
        if d >= first:
            longest = max(longest, run)

    lb = LoadBefore(onset=onset, window_days=window_days, runs=len(in_window), distance_km=round(win_km, 1),
                    streak_days=longest, **info)  # type: ignore[arg-type]
    notable, sentence = _describe(lb, week_change_pct=week_change_pct, spike_pct=spike_pct,
                                  hard_share_rise_pts=hard_share_rise_pts, streak_days=streak_days,
                                  units=athlete.units if athlete else "km")
    return LoadBefore(**{**lb.__dict__, "notable": tuple(notable), "sentence": sentence})


def _days_after(n: int | None) -> str:
    if not n:
        return "on the day of"
    return f"{n} day{'s' if n != 1 else ''} after"


def _describe(lb: LoadBefore, *, week_change_pct: float, spike_pct: float, hard_share_rise_pts: float,
              streak_days: int, units: str = "km") -> tuple[list[str], str]:
    # distances go through runload.units (``{x:dist}``): kilometres or miles as the athlete reads them
    notable: list[str] = []
    parts: list[str] = []
    if lb.week_change_pct is not None and lb.week_change_pct > week_change_pct:
        notable.append("week_change")
        if lb.week_label.startswith("the week"):
            parts.append(fmt("{after} a {pct:+.0f}% week ({label}: {km:dist} after {prev:dist})", units,
                             after=_days_after(lb.week_days_before), pct=lb.week_change_pct,
                             label=lb.week_label[4:], km=lb.week_km, prev=lb.week_prev_km))
        else:
            parts.append(fmt("after 7 days {pct:+.0f}% up on the 7 days before ({km:dist} after {prev:dist})",
                             units, pct=lb.week_change_pct, km=lb.week_km, prev=lb.week_prev_km))
    if lb.spike_pct is not None and lb.spike_pct > spike_pct and lb.spike_date is not None:
        notable.append("spike")
        parts.append(fmt("{after} a run {pct:.0f}% longer than any in the 30 days before it "
                         "({km:dist} against {ref:dist})", units, after=_days_after((lb.onset - lb.spike_date).days),
                         pct=lb.spike_pct, km=lb.spike_km, ref=lb.spike_ref_km))
    if lb.break_days is not None:
        notable.append("break")
        parts.append(f"on returning from {lb.break_days} days without running")
    if (lb.hard_share_pct is not None and lb.hard_share_usual_pct is not None
            and lb.hard_share_pct - lb.hard_share_usual_pct >= hard_share_rise_pts):
        notable.append("intensity")
        parts.append(f"with hard running at {lb.hard_share_pct:.0f}% of running time against a usual "
                     f"{lb.hard_share_usual_pct:.0f}%")
    if lb.streak_days >= streak_days:
        notable.append("no_rest")
        parts.append(f"after {lb.streak_days} days in a row without a rest day")
    when = lb.onset.isoformat()
    if parts:
        return notable, f"Pain began on {when} {join_words(parts)}."
    if lb.runs == 0:
        return notable, f"No runs were recorded in the {lb.window_days} days before pain began on {when}."
    bits = [fmt("{km:dist} in {n} run{s}", units, km=lb.distance_km, n=lb.runs, s="s" if lb.runs != 1 else "")]
    if lb.week_change_pct is not None:
        bits.append(f"weekly change at most {lb.week_change_pct:+.0f}%")
    if lb.spike_pct is not None:
        bits.append(f"no run more than {max(lb.spike_pct, 0):.0f}% longer than the 30 days before it")
    if lb.hard_share_pct is not None:
        bits.append(f"hard running {lb.hard_share_pct:.0f}% of running time")
    bits.append(f"at most {lb.streak_days} day{'s' if lb.streak_days != 1 else ''} in a row")
    return notable, (f"In the {lb.window_days} days before pain began on {when} the load was steady: "
                     f"{join_words(bits)}.")
