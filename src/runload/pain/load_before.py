"""The load before a pain episode (evidence.md section 7, "Linking pain to load").

For each episode runload looks at the running in the 14 days up to and including the day pain
began: the weekly change, the biggest single-run spike, the share of hard running, and the longest
stretch of days without a rest day, and says it in one sentence with the numbers
(:class:`runload.pain.episodes.LoadBefore`). It reads the load series' own definitions (known
days, gaps, heart-rate bins, days without a run), so it is apart from :mod:`runload.pain.episodes`,
which the quick pain commands use without them.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import replace
from datetime import date, timedelta
from operator import attrgetter, itemgetter
from typing import Any

from runload.calendar import local_date, week_start_of
from runload.load.formulas import days_without_run, hr_seconds
from runload.load.series import days_known, gaps as data_gaps
from runload.models import Activity, Athlete, Deferred
from runload.pain.episodes import WINDOW_DAYS, LoadBefore
from runload.pain.signs import join_words
from runload.units import fmt


# ---------------------------------------------------------------- the load before onset
_MAX_HR = attrgetter("max_hr_bpm")


def _hard_seconds(a: Activity, hard_bpm: float) -> tuple[float, float]:
    # each recorded bpm counts as itself (an older store's 5-bpm bin at its middle): the one
    # reading of heart-rate bins, runload.load.formulas.hr_seconds
    bins = hr_seconds(a)
    return sum(s for bpm, s in bins if bpm >= hard_bpm), sum(s for _, s in bins)


def day_ordered_runs(activities: Sequence[Activity], days: Sequence[date]) -> list[tuple[date, Activity]]:
    """(local day, run) of the runs among ``activities`` (``days``: the local day of each), by
    day and start: the order :func:`link_load` reads them in."""
    return sorted(((d, a) for d, a in zip(days, activities) if a.is_run), key=lambda p: (p[0], p[1].start_utc))


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
    days: Sequence[date] | None = None,
    gaps: Sequence[tuple[date, date]] | None = None,
    runs: Sequence[tuple[date, Activity]] | None = None,
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

    ``days`` (the local day of each activity), ``gaps`` (:func:`runload.load.series.gaps` of
    ``activities``) and ``runs`` (:func:`day_ordered_runs` of them) are what the caller already
    has for every episode of a log (:class:`runload.pain.history.PainLog`); without them they are
    worked out here.
    """
    local = list(days) if days is not None else [local_date(a) for a in activities]
    ordered = list(runs) if runs is not None else day_ordered_runs(activities, local)
    run_days = list(map(itemgetter(0), ordered))
    first = onset - timedelta(days=window_days - 1)

    def between(lo: date, hi: date) -> list[tuple[date, Activity]]:
        return ordered[bisect_left(run_days, lo):bisect_right(run_days, hi)]

    in_window = between(first, onset)
    win_km = sum(a.distance_m for _, a in in_window) / 1000.0
    info: dict[str, Any] = {}

    def km_between(lo: date, hi: date) -> float:
        return sum(a.distance_m for _, a in between(lo, hi)) / 1000.0

    # a reference span counts only when runload knows all its days (the weekly rules' one
    # definition, runload.load.series.days_known: not before the history, not in a gap)
    recorded = (min(local), max(local)) if local else None
    spans = gaps if gaps is not None else data_gaps(activities, first_weekday=week_start, days=local)

    def known(lo: date, hi: date) -> bool:
        return recorded is not None and days_known(lo, hi, history_start=recorded[0], end=recorded[-1],
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
    for d, a in in_window:
        lo, hi = bisect_left(run_days, d - timedelta(days=30)), bisect_left(run_days, d)
        ref = [b.distance_m for _, b in ordered[lo:hi]]
        if not ref:
            if hi:  # days without a run since the last one before, as return-to-run counts them
                info.setdefault("break_days", days_without_run(run_days[hi - 1], d))
            continue
        pct = (a.distance_m / max(ref) - 1.0) * 100.0
        if best_spike is None or pct > best_spike[0]:
            best_spike = (pct, a.distance_m / 1000.0, max(ref) / 1000.0, d)
    if best_spike:
        info.update(spike_pct=round(best_spike[0], 1), spike_km=round(best_spike[1], 1),
                    spike_ref_km=round(best_spike[2], 1), spike_date=best_spike[3])

    # intensity: share of heart-rate time at hard effort, window against the 28 days before
    hr_max = (athlete.hr_max_bpm if athlete and athlete.hr_max_bpm else None) or max(
        filter(None, map(_MAX_HR, map(itemgetter(1), ordered))), default=None)
    if hr_max:
        hard_bpm = hard_fraction_of_max * hr_max

        def share(lo: date, hi: date) -> float | None:
            hard = total = 0.0
            for _, a in between(lo, hi):
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
    longest = run = 0
    prev_day: date | None = None
    ran = sorted(set(run_days[:bisect_right(run_days, onset)]))
    k = bisect_left(ran, first)  # the stretch that reaches into the window starts at most here
    while 0 < k < len(ran) and (ran[k] - ran[k - 1]).days == 1:
        k -= 1
    for d in ran[k:]:
        run = run + 1 if prev_day is not None and (d - prev_day).days == 1 else 1
        prev_day = d
        if d >= first:
            longest = max(longest, run)

    lb = LoadBefore(onset=onset, window_days=window_days, runs=len(in_window), distance_km=round(win_km, 1),
                    streak_days=longest, **info)
    notable, sentence = _describe(lb, week_change_pct=week_change_pct, spike_pct=spike_pct,
                                  hard_share_rise_pts=hard_share_rise_pts, streak_days=streak_days,
                                  units=athlete.units if athlete else "km")
    return replace(lb, notable=tuple(notable), sentence=sentence)


def _days_after(n: int | None) -> str:
    if not n:
        return "on the day of"
    return f"{n} day{'s' if n != 1 else ''} after"


def _describe(lb: LoadBefore, *, week_change_pct: float, spike_pct: float, hard_share_rise_pts: float,
              streak_days: int, units: str = "km") -> tuple[list[str], str | Deferred]:
    """What stands out in the load before onset, and the sentence saying it, written when read
    (:class:`runload.models.Deferred`): an assessment links every episode of the history, a
    report shows a few."""
    # distances go through runload.units (``{x:dist}``): kilometres or miles as the athlete reads them
    notable: list[str] = []
    parts: list[str | Deferred] = []
    if lb.week_change_pct is not None and lb.week_change_pct > week_change_pct:
        notable.append("week_change")
        if lb.week_label.startswith("the week"):
            parts.append(Deferred(fmt, "{after} a {pct:+.0f}% week ({label}: {km:dist} after {prev:dist})", units,
                             after=_days_after(lb.week_days_before), pct=lb.week_change_pct,
                             label=lb.week_label[4:], km=lb.week_km, prev=lb.week_prev_km))
        else:
            parts.append(Deferred(fmt, "after 7 days {pct:+.0f}% up on the 7 days before ({km:dist} after {prev:dist})",
                             units, pct=lb.week_change_pct, km=lb.week_km, prev=lb.week_prev_km))
    if lb.spike_pct is not None and lb.spike_pct > spike_pct and lb.spike_date is not None:
        notable.append("spike")
        parts.append(Deferred(fmt, "{after} a run {pct:.0f}% longer than any in the 30 days before it "
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
        return notable, Deferred(_joined, f"Pain began on {when} {{}}.", parts)
    if lb.runs == 0:
        return notable, f"No runs were recorded in the {lb.window_days} days before pain began on {when}."
    bits: list[str | Deferred] = [Deferred(fmt, "{km:dist} in {n} run{s}", units, km=lb.distance_km, n=lb.runs, s="s" if lb.runs != 1 else "")]
    if lb.week_change_pct is not None:
        bits.append(f"weekly change at most {lb.week_change_pct:+.0f}%")
    if lb.spike_pct is not None:
        bits.append(f"no run more than {max(lb.spike_pct, 0):.0f}% longer than the 30 days before it")
    if lb.hard_share_pct is not None:
        bits.append(f"hard running {lb.hard_share_pct:.0f}% of running time")
    bits.append(f"at most {lb.streak_days} day{'s' if lb.streak_days != 1 else ''} in a row")
    return notable, Deferred(_joined, f"In the {lb.window_days} days before pain began on {when} the load was steady: "
                                      "{}.", bits)


def _joined(sentence: str, parts: Sequence[str | Deferred]) -> str:
    """``sentence`` with its ``{}`` filled by ``parts`` joined ("a, b and c")."""
    return sentence.format(join_words([str(p) for p in parts]))
