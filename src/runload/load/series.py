"""Daily and weekly running series, in the athlete's own time zone (numpy arrays; a pandas frame only
when one is asked for; no I/O).

An activity belongs to the local calendar day it started on (:func:`runload.calendar.local_date`),
and to the week that day falls in (:func:`runload.calendar.week_start_of`). Days after the last
day with data are unknown, not rest: no series reaches past it.

:class:`Frames` holds one athlete's series up to a day and builds each of them once; the rules,
the limits, the report and its charts all read the same frames.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from functools import cached_property
from operator import attrgetter
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

from runload.calendar import local_date, week_start_of
from runload.load.formulas import (
    LOOKBACK_DAYS,
    activity_trimp,
    coarse_hr,
    distinct,
    fitness_fatigue_columns,
    rolling_sum,
    spike_references,
)
from runload.models import Activity, Athlete, Sport
from runload.shoes import ShoeRuns

DAILY_COLUMNS = ["distance_km", "duration_s", "runs", "longest_run_km"]
WEEKLY_COLUMNS = ["week_start", "distance_km", "duration_s", "runs", "longest_run_km", "change_pct",
                  "base_too_small", "cross_training_min", "no_data", "complete", "in_progress"]
LOAD_KINDS = ("distance", "duration", "trimp", "session_load", "climb")
LOAD_UNITS = {"distance": "km", "duration": "min", "trimp": "TRIMP", "session_load": "AU", "climb": "m"}
#: Each load measure in words, for reports and messages.
LOAD_WORDS = {"distance": "running distance", "duration": "running time", "trimp": "heart-rate load (Banister TRIMP)",
              "session_load": "session load (RPE x minutes)", "climb": "climbing (elevation gain)"}
SILENCE_DAYS = 14  # rules/data-gap.toml: this long without any activity is unknown, not rest
MIN_BASE_KM = 10.0  # rules/weekly-progression.toml: a smaller week is no base for a percentage


def duration_s(a: Activity) -> float | None:
    """Moving (timer) time when recorded, else elapsed time."""
    return a.timer_s if a.timer_s is not None else a.elapsed_s


def _local_days(activities: Sequence[Activity], days: Sequence[date] | None) -> Sequence[date]:
    """The local day of each activity: ``days`` when given (computed once by :class:`Frames`)."""
    return days if days is not None else [local_date(a) for a in activities]


def daily_frame(activities: Sequence[Activity], *, end: date | None = None,
                days: Sequence[date] | None = None) -> pd.DataFrame:
    """Running per local day from the first run to ``end`` (default: the last activity's day).

    Columns ``distance_km``, ``duration_s``, ``runs``, ``longest_run_km``; days without a run are
    0. Days after ``end`` are unknown and not included. ``days`` are the activities' local days
    when the caller has them (:attr:`Frames.days`).
    """
    return daily_table(*daily_columns(activities, end=end, days=days))


def daily_columns(activities: Sequence[Activity], *, end: date | None = None,
                  days: Sequence[date] | None = None) -> tuple[date | None, dict[str, np.ndarray]]:
    """The columns of :func:`daily_frame` as arrays, one value per day from the first day
    returned (None, and empty columns, without a run up to ``end``): the rules read these; the
    frame is built from them when a report asks (:func:`daily_table`)."""
    days_of = _local_days(activities, days)
    runs = [(d, a) for d, a in zip(days_of, activities) if a.is_run]
    last = (end or max(days_of)) if runs else None
    return daily_columns_of(np.array([d.toordinal() for d, _ in runs], dtype=np.int64),
                            np.array([a.distance_m for _, a in runs], dtype=float),
                            np.array([duration_s(a) or 0.0 for _, a in runs], dtype=float), last)


def daily_columns_of(run_days: np.ndarray, metres: np.ndarray, seconds: np.ndarray,
                     last: date | None) -> tuple[date | None, dict[str, np.ndarray]]:
    """:func:`daily_columns` of runs given as arrays (in start order): each run's day ordinal,
    distance in metres and time in seconds (0 without), up to the day ``last``."""
    kept = run_days <= last.toordinal() if last is not None else np.zeros(len(run_days), dtype=bool)
    if not kept.any():
        return None, {c: np.zeros(0, dtype=np.int64 if c == "runs" else float) for c in DAILY_COLUMNS}
    assert last is not None
    ords = run_days[kept]
    base = int(ords.min())
    n = last.toordinal() - base + 1
    at = ords - base
    km = metres[kept] / 1000.0
    # each day's runs added in start order from 0 (np.add.at adds one by one, in order); days
    # without a run are 0
    distance = np.zeros(n)
    np.add.at(distance, at, km)
    total = np.zeros(n)
    np.add.at(total, at, seconds[kept])
    longest = np.zeros(n)
    np.fmax.at(longest, at, km)
    count = np.bincount(at, minlength=n).astype(np.int64)
    return date.fromordinal(base), dict(zip(DAILY_COLUMNS, [distance, total, count, longest]))


def day_index(first: date | None, n: int) -> pd.DatetimeIndex:
    """The index of a complete daily series of ``n`` days from ``first``."""
    import pandas as pd  # noqa: PLC0415 - pandas loads only when a frame is asked for
    if first is None or n <= 0:
        return pd.DatetimeIndex([], name="date")
    return pd.date_range(pd.Timestamp(first), pd.Timestamp(first + timedelta(days=n - 1)), freq="D", name="date")


def daily_table(first: date | None, columns: Mapping[str, np.ndarray]) -> pd.DataFrame:
    """The daily frame of :func:`daily_columns`."""
    import pandas as pd  # noqa: PLC0415 - pandas loads only when a frame is asked for
    if first is None:
        return pd.DataFrame(columns=DAILY_COLUMNS, index=pd.DatetimeIndex([], name="date"))
    return pd.DataFrame({c: columns[c] for c in DAILY_COLUMNS}, index=day_index(first, len(columns["distance_km"])))


def known_mask(first: date | None, n: int, spans: Sequence[tuple[date, date]]) -> np.ndarray:
    """Per day of a complete daily series of ``n`` days from ``first``: True where runload
    knows the day, False inside one of the ``spans`` (:func:`gaps`)."""
    ok = np.ones(max(n, 0), dtype=bool)
    if first is None:
        return ok
    base = first.toordinal()
    for a, b in spans:
        lo, hi = max(a.toordinal() - base, 0), min(b.toordinal() - base + 1, n)
        if lo < hi:
            ok[lo:hi] = False
    return ok


def day_week_starts(first: date, n: int, first_weekday: int = 0) -> list[date]:
    """:func:`runload.calendar.week_start_of` of each of ``n`` consecutive days from ``first``
    (the days of a daily series), by arithmetic instead of one call per day."""
    if n <= 0:
        return []
    ws0 = week_start_of(first, first_weekday)
    k0 = (first - ws0).days
    weeks = [ws0 + timedelta(days=7 * w) for w in range((k0 + n - 1) // 7 + 1)]
    return [weeks[(k0 + i) // 7] for i in range(n)]


def change_pct(km: Sequence[float], *, min_base_km: float = MIN_BASE_KM,
               reference: Sequence[bool] | None = None,
               judged: Sequence[bool] | None = None) -> tuple[list[float | None], list[bool]]:
    """Each value against the one before, in percent, and whether the one before was too small a
    base (under ``min_base_km``) to judge. None where not judged: the first; where the one before
    is not a ``reference`` (not a complete week: the first, partial week of a history, a week
    touching a gap); where this one is not ``judged`` (a week with unknown days, other than the
    week in progress); and after a small base. ``reference`` and ``judged`` default to all True."""
    out: list[float | None] = []
    small: list[bool] = []
    for i, cur in enumerate(km):
        if i == 0 or (reference is not None and not reference[i - 1]) or (judged is not None and not judged[i]):
            out.append(None)
            small.append(False)
            continue
        prev = km[i - 1]
        if prev < min_base_km:
            out.append(None)
            small.append(True)
            continue
        out.append((cur - prev) / prev * 100.0)
        small.append(False)
    return out, small


#: The athlete's recent normal (evidence.md 1): a week is judged against the highest of the last
#: ``RECENT_WEEKS`` complete weeks, so the step back up after a planned lighter week or a race
#: week is no jump; looking back at most ``RECENT_SPAN_WEEKS`` calendar weeks (a level from before
#: a long gap is not recent).
RECENT_WEEKS = 4
RECENT_SPAN_WEEKS = 8


def reference_weeks(complete: Sequence[bool], i: int, *, count: int = RECENT_WEEKS,
                    span: int = RECENT_SPAN_WEEKS) -> list[int]:
    """Indices of the weeks a week ``i`` may be judged against, most recent first: the ``count``
    most recent ``complete`` weeks before it, within ``span`` weeks (the rows are consecutive
    calendar weeks). A partial first week, a week touching a gap and the week in progress are
    not complete (:func:`week_complete`), so they are never references. The one definition the
    weekly, two-week and rolling progressions and the limits read."""
    out: list[int] = []
    for j in range(i - 1, max(i - 1 - span, -1), -1):
        if complete[j]:
            out.append(j)
            if len(out) == count:
                break
    return out


def recent_reference(values: Sequence[float], complete: Sequence[bool], i: int, **kw: int) -> int | None:
    """The index of the reference of week ``i``: the highest of its :func:`reference_weeks` (the
    most recent of equals, so the week before when it is as high); None when there is none."""
    refs = reference_weeks(complete, i, **kw)
    return max(refs, key=lambda j: (values[j], j)) if refs else None


def all_reference_weeks(complete: Sequence[bool]) -> list[list[int]]:
    """:func:`reference_weeks` of every week at once (with its defaults), in one pass: the
    :data:`RECENT_WEEKS` most recent complete weeks so far, most recent first, less those
    older than :data:`RECENT_SPAN_WEEKS` (weeks in a row share one list: read them, do not
    change them)."""
    out: list[list[int]] = []
    recent: list[int] = []  # the most recent complete weeks so far, most recent first
    for i, ok in enumerate(complete):
        oldest = i - RECENT_SPAN_WEEKS
        out.append(recent if not recent or recent[-1] >= oldest else [j for j in recent if j >= oldest])
        if ok:
            recent = [i, *recent[:RECENT_WEEKS - 1]]
    return out


def recent_references(values: Sequence[float], complete: Sequence[bool],
                      refs: Sequence[Sequence[int]] | None = None) -> list[int | None]:
    """:func:`recent_reference` of every week at once (the same highest of the same complete
    weeks, the most recent of equals: they are looked at most recent first and only a strictly
    higher one takes over). ``refs``: :func:`all_reference_weeks` of ``complete`` when the caller
    has it."""
    v = list(values)
    if any(x != x for x in v):  # NaN: as recent_reference compares it
        return [recent_reference(values, complete, i) for i in range(len(v))]
    out: list[int | None] = []
    for week in refs if refs is not None else all_reference_weeks(complete):
        if not week:
            out.append(None)
            continue
        best = week[0]
        for j in week[1:]:
            if v[j] > v[best]:
                best = j
        out.append(best)
    return out


def recent_pair_references(values: Sequence[float], complete: Sequence[bool],
                           refs: Sequence[Sequence[int]] | None = None) -> list[int | None]:
    """:func:`recent_pair_reference` of every week at once: of the pairs of consecutive weeks
    among the references of the week before, the highest sum, the most recent of equals
    (``refs``: as for :func:`recent_references`)."""
    v = list(values)
    n = len(v)
    if any(x != x for x in v):
        return [recent_pair_reference(values, complete, i) for i in range(n)]
    if refs is None:
        refs = all_reference_weeks(complete)
    out: list[int | None] = [None] if n else []
    for i in range(1, n):
        of = refs[i - 1]
        best: int | None = None
        best_sum = 0.0
        for j in of:  # most recent first: only a strictly higher pair takes over
            if j - 1 in of:
                total = v[j] + v[j - 1]
                if best is None or total > best_sum:
                    best, best_sum = j, total
        out.append(best)
    return out


#: Percentages are kept to this many decimals: a week or a run exactly at a limit sums to it only
#: up to float noise (44.00000000000001 km against 40 km is +10.000000000000028%), and noise must
#: not tip a plan at a limit over a threshold; a billionth of a percentage point is no measurement.
PCT_DECIMALS = 9


def pct_change(cur: float, ref: float) -> float:
    """``cur`` against ``ref`` in percent (to :data:`PCT_DECIMALS`): the one formula the
    progressions and the limits compute with."""
    return round((cur - ref) / ref * 100.0, PCT_DECIMALS)


def recent_pair_reference(values: Sequence[float], complete: Sequence[bool], i: int) -> int | None:
    """The reference of the two weeks ending with week ``i``: the highest two consecutive weeks
    among the :func:`reference_weeks` of week ``i - 1`` (the four complete weeks before the two
    judged), as the index of the later of the two (the most recent of equals); None without two
    consecutive ones."""
    refs = set(reference_weeks(complete, i - 1)) if i >= 1 else set()
    pairs = [j for j in refs if j - 1 in refs]
    return max(pairs, key=lambda j: (values[j] + values[j - 1], j)) if pairs else None


def recent_change(values: Sequence[float], *, complete: Sequence[bool], judged: Sequence[bool],
                  min_base: float = MIN_BASE_KM, refs: Sequence[Sequence[int]] | None = None
                  ) -> list[tuple[float | None, int | None, bool]]:
    """Each value against its recent normal (:func:`recent_reference`), in percent: (change,
    reference index, base too small) per week. The change is None for a week not ``judged`` (a
    week with unknown days other than the week in progress), without a reference, and when the
    reference is under ``min_base`` (a percentage of a tiny base means little)."""
    out: list[tuple[float | None, int | None, bool]] = []
    best = recent_references(values, complete, refs)
    for i, cur in enumerate(values):
        ref = best[i] if judged[i] else None
        if ref is None:
            out.append((None, None, False))
        elif values[ref] < min_base:
            out.append((None, ref, True))
        else:
            out.append((pct_change(cur, values[ref]), ref, False))
    return out


def gaps(activities: Sequence[Activity], *, first_weekday: int = 0, min_days: int = SILENCE_DAYS,
         as_of: date | None = None, days: Sequence[date] | None = None) -> list[tuple[date, date]]:
    """The days runload does not know, as (first, last) day spans, in date order: each
    :func:`silences` stretch (``min_days`` or more without any recorded activity) and each
    calendar week without any file at all between the first and the last activity (or, with
    ``as_of``, up to that day: as the week will be once the next activity comes).

    A week with no file is unknown, not a rest week (evidence.md section 1: "a week without data
    (no file at all)"); a week without runs but with a walk or a ride is a rest week inside the
    data. Spans that touch or overlap are merged.
    """
    return gaps_of(day_ordinals(_local_days(activities, days)), first_weekday=first_weekday, min_days=min_days,
                   as_of=as_of)


def day_ordinals(days: Sequence[date]) -> np.ndarray:
    """The distinct days of ``days`` as sorted ordinals (:meth:`datetime.date.toordinal`)."""
    return distinct(np.fromiter((d.toordinal() for d in days), dtype=np.int64, count=len(days)))


def gaps_of(ordinals: np.ndarray, *, first_weekday: int = 0, min_days: int = SILENCE_DAYS,
            as_of: date | None = None) -> list[tuple[date, date]]:
    """:func:`gaps` of the days with a recorded activity given as sorted distinct ordinals
    (:func:`day_ordinals`)."""
    spans = silences_of(ordinals, min_days=min_days, as_of=as_of)
    if len(ordinals):
        first, last = int(ordinals[0]), int(ordinals[-1])
        if as_of is not None:
            last = max(last, as_of.toordinal())
        base = first - ((first - 1) % 7 - first_weekday) % 7  # week_start_of the first day (ordinal 1 a Monday)
        count = (last - base - 6) // 7  # the whole weeks after the first: 1 .. count
        held = np.zeros(max(count, 0) + 1, dtype=bool)
        weeks = (ordinals - base) // 7  # the weeks holding a file, from the first's
        held[weeks[weeks <= count]] = True
        for w in ((~held[1:]).nonzero()[0] + 1).tolist():
            spans.append((date.fromordinal(base + 7 * w), date.fromordinal(base + 7 * w + 6)))
    merged: list[tuple[date, date]] = []
    for a, b in sorted(spans):
        if merged and a <= merged[-1][1] + timedelta(days=1):
            merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
        else:
            merged.append((a, b))
    return merged


def days_known(first: date, last: date, *, history_start: date | None, end: date | None,
               gaps: Sequence[tuple[date, date]] = ()) -> int:
    """How many days from ``first`` to ``last`` runload knows: on or after ``history_start``
    (the first recorded activity), on or before ``end`` (the last), and in no gap."""
    if history_start is None or end is None:
        return 0
    lo, hi = max(first, history_start), min(last, end)
    if hi < lo:
        return 0
    n = (hi - lo).days + 1
    for a, b in gaps:
        x, y = max(a, lo), min(b, hi)
        if x <= y:
            n -= (y - x).days + 1
    return max(n, 0)


def week_complete(week_start: date, *, history_start: date | None, end: date | None,
                  gaps: Sequence[tuple[date, date]] = ()) -> bool:
    """Whether runload knows all seven days of the week starting ``week_start``: the history
    started on or before its first day, the data reaches its last day, and no day of it lies in
    a gap. Only a complete week is a reference for a weekly or two-week percentage; the rules,
    the weeks table and the report all judge by this one definition."""
    return days_known(week_start, week_start + timedelta(days=6), history_start=history_start, end=end,
                      gaps=gaps) == 7


def week_in_progress(week_start: date, *, history_start: date | None, end: date | None,
                     gaps: Sequence[tuple[date, date]] = ()) -> bool:
    """Whether the week starting ``week_start`` holds the last day with data (``end``) before its
    own last day and runload knows every one of its days up to ``end``: a week so far, which may
    be judged against a complete week before it (its distance can only grow)."""
    if end is None or not week_start <= end < week_start + timedelta(days=6):
        return False
    return days_known(week_start, end, history_start=history_start, end=end, gaps=gaps) == (end - week_start).days + 1


def weekly_frame(daily: pd.DataFrame, *, first_weekday: int = 0, min_base_km: float = MIN_BASE_KM,
                 cross_training: pd.DataFrame | None = None,
                 silences: Sequence[tuple[date, date]] = (), history_start: date | None = None) -> pd.DataFrame:
    """Running per calendar week of a :func:`daily_frame`: one row per week from the first run's
    week to the last day with data.

    ``silences`` are the unknown days (:func:`gaps`); ``history_start`` the first recorded
    activity (default: the daily frame's first day). Columns: ``week_start`` (date),
    ``distance_km``, ``duration_s``, ``runs``, ``longest_run_km``, ``change_pct`` (against the week
    before; NaN when that week is not complete (:func:`week_complete`), when this week has unknown
    days and is not the week in progress, and when the week before ran less than
    ``min_base_km``, a base too small for a percentage to mean anything), ``base_too_small``
    (bool), ``cross_training_min`` (minutes of other sports, see :func:`weekly_cross_training`),
    ``no_data`` (runload knows none of the week's days: unknown, not rest), ``complete`` (all
    seven days known) and ``in_progress`` (the week holding the last day with data, known so far).
    """
    import pandas as pd  # noqa: PLC0415 - pandas loads only when a frame is asked for
    if daily.empty:
        return pd.DataFrame(columns=WEEKLY_COLUMNS)
    return weekly_table(weekly_columns(daily, first_weekday=first_weekday, min_base_km=min_base_km,
                                       cross_training=cross_training, silences=silences,
                                       history_start=history_start))


def weekly_table(columns: dict[str, list[Any]]) -> pd.DataFrame:
    """The weekly frame of :func:`weekly_columns` (plus any further column, as floats)."""
    import pandas as pd  # noqa: PLC0415 - pandas loads only when a frame is asked for
    data: dict[str, Any] = {"week_start": pd.Series(columns["week_start"], dtype=object)}
    for c, dtype in (("distance_km", float), ("duration_s", float), ("runs", np.int64), ("longest_run_km", float),
                     ("change_pct", float), ("base_too_small", bool), ("cross_training_min", float),
                     ("no_data", bool), ("complete", bool), ("in_progress", bool)):
        data[c] = np.array(columns[c], dtype=dtype)
    for c in columns:
        if c not in data:
            data[c] = np.array(columns[c], dtype=float)
    return pd.DataFrame(data, columns=list(data))


def group_sums(groups: np.ndarray, columns: Sequence[np.ndarray], count: int) -> list[list[float]]:
    """Per column, the sum of each group's values (``groups`` codes 0..count-1, every code
    present, one per value) exactly as pandas' groupby sums them: on weeks in order and without
    NaN, numpy's ``add.reduceat`` over each week's days (pandas' own path there); otherwise
    pandas' groupby itself."""
    if not columns:
        return []
    values = np.concatenate(columns)
    if len(groups) and bool(((groups[1:] - groups[:-1]) >= 0).all()) and not np.isnan(values).any():
        starts = np.concatenate(([True], groups[1:] != groups[:-1])).nonzero()[0]
        return [np.add.reduceat(c, starts).tolist() for c in columns]
    import pandas as pd  # noqa: PLC0415 - pandas' groupby sum, only for weeks out of order or with NaN
    labels = np.concatenate([groups + k * count for k in range(len(columns))])
    sums = pd.Series(values).groupby(labels, sort=True).sum().to_numpy(dtype=float)
    return [sums[k * count:(k + 1) * count].tolist() for k in range(len(columns))]


def weekly_columns(daily: pd.DataFrame, *, first_weekday: int = 0, min_base_km: float = MIN_BASE_KM,
                   cross_training: pd.DataFrame | Mapping[date, float] | None = None, silences: Sequence[tuple[date, date]] = (),
                   history_start: date | None = None) -> dict[str, list[Any]]:
    """The columns of :func:`weekly_frame` as plain lists (one per week), computed on arrays: the
    rules and the limits read these; the frame is built from them when a report asks.
    ``cross_training`` is :func:`weekly_cross_training` or its row sums by week
    (:func:`cross_training_totals`)."""
    first = daily.index[0].date()
    n = len(daily)
    columns = {c: daily[c].to_numpy(dtype=float) for c in ("distance_km", "duration_s", "runs", "longest_run_km")}
    if (daily.index[-1].date() - first).days == n - 1 and daily.index.is_monotonic_increasing:
        return weekly_columns_of(first, columns, first_weekday=first_weekday, min_base_km=min_base_km,
                                 cross_training=cross_training, silences=silences, history_start=history_start)
    starts = [week_start_of(d.date(), first_weekday) for d in daily.index]
    wss = sorted(set(starts))
    slot = {ws: i for i, ws in enumerate(wss)}
    groups = np.array([slot[ws] for ws in starts], dtype=np.int64)
    return _weekly_columns(wss, groups, columns, first=first, end=daily.index[-1].date(), min_base_km=min_base_km,
                           cross_training=cross_training, silences=silences, history_start=history_start)


def weekly_columns_of(first: date, columns: Mapping[str, np.ndarray], *, first_weekday: int = 0,
                      min_base_km: float = MIN_BASE_KM,
                      cross_training: pd.DataFrame | Mapping[date, float] | None = None,
                      silences: Sequence[tuple[date, date]] = (),
                      history_start: date | None = None) -> dict[str, list[Any]]:
    """:func:`weekly_columns` of a complete daily series given as arrays from day ``first``
    (:func:`daily_columns`): the weeks by arithmetic on the day numbers."""
    n = len(columns["distance_km"])
    ws0 = week_start_of(first, first_weekday)
    k0 = (first - ws0).days
    count = (k0 + n - 1) // 7 + 1
    wss = [ws0 + timedelta(days=7 * w) for w in range(count)]
    groups = (np.arange(n, dtype=np.int64) + k0) // 7
    return _weekly_columns(wss, groups, columns, first=first, end=first + timedelta(days=n - 1),
                           min_base_km=min_base_km, cross_training=cross_training, silences=silences,
                           history_start=history_start)


def _weekly_columns(wss: list[date], groups: np.ndarray, daily: Mapping[str, np.ndarray], *, first: date, end: date,
                    min_base_km: float, cross_training: pd.DataFrame | Mapping[date, float] | None,
                    silences: Sequence[tuple[date, date]], history_start: date | None) -> dict[str, list[Any]]:
    """The weekly columns of daily arrays whose days fall in the weeks ``wss`` (``groups``: the
    week of each day, every week holding a day), the first day ``first`` and the last ``end``."""
    count = len(wss)
    # float sums as pandas' groupby sums them; whole runs counted exactly
    km_sum, dur_sum = group_sums(groups, [np.asarray(daily["distance_km"], dtype=float),
                                          np.asarray(daily["duration_s"], dtype=float)], count)
    runs = np.bincount(groups, weights=np.asarray(daily["runs"], dtype=float),
                       minlength=count).astype(np.int64).tolist()
    longest = np.full(count, np.nan)
    np.fmax.at(longest, groups, np.asarray(daily["longest_run_km"], dtype=float))  # a maximum, NaN skipped
    start = history_start if history_start is not None else first
    # the days runload knows, over the weeks' span: in the history, up to the end, in no gap
    base = wss[0].toordinal()
    known = np.zeros(wss[-1].toordinal() - base + 7, dtype=bool)
    lo, hi = max(start.toordinal() - base, 0), end.toordinal() - base
    if hi >= lo:
        known[lo:hi + 1] = True
    for a, b in silences:
        known[max(a.toordinal() - base, 0):max(b.toordinal() - base + 1, 0)] = False
    week_of = np.array([ws.toordinal() - base for ws in wss], dtype=np.int64)
    seen = np.concatenate(([0], np.cumsum(known)))
    in_week = seen[np.minimum(week_of + 7, len(known))] - seen[week_of]
    no_data = (in_week == 0).tolist()
    complete = (in_week == 7).tolist()
    off = end.toordinal() - base - week_of  # the end's day within each week
    in_progress = ((off >= 0) & (off < 6) & (in_week == off + 1)).tolist()
    change, small = change_pct(km_sum, min_base_km=min_base_km,
                               reference=complete, judged=[c or p for c, p in zip(complete, in_progress)])
    if cross_training is None or isinstance(cross_training, Mapping):
        by_week = dict(cross_training or {})
    else:  # a frame of minutes per week (rows) and sport (columns)
        total = cross_training.sum(axis=1)
        by_week = dict(zip(total.index, total.to_numpy(dtype=float).tolist())) if not cross_training.empty else {}
    cross = [by_week.get(w, 0.0) for w in wss]
    return {"week_start": wss, "distance_km": km_sum, "duration_s": dur_sum, "runs": runs,
            "longest_run_km": longest.tolist(), "change_pct": [math.nan if c is None else c for c in change],
            "base_too_small": small, "cross_training_min": cross, "no_data": no_data, "complete": complete,
            "in_progress": in_progress}


def weekly_running(activities: Sequence[Activity], *, week_start: int = 0, min_base_km: float = MIN_BASE_KM,
                   end: date | None = None) -> pd.DataFrame:
    """The weekly frame of ``activities`` in one call (see :func:`weekly_frame`)."""
    acts = [a for a in activities if end is None or local_date(a) <= end]
    return weekly_frame(daily_frame(acts, end=end), first_weekday=week_start, min_base_km=min_base_km,
                        cross_training=weekly_cross_training(acts, week_start=week_start),
                        silences=gaps(acts, first_weekday=week_start),
                        history_start=min((local_date(a) for a in acts), default=None))


def daily_load(activities: Sequence[Activity], *, load: str = "distance", end: date | None = None,
               hr_rest_bpm: float | None = None, hr_max_bpm: float | None = None,
               sex: str | None = None, days: Sequence[date] | None = None) -> pd.Series:
    """Running load per local day, zeros on rest days, from the first run to ``end``.

    ``load`` is ``distance`` (km), ``duration`` (minutes), ``trimp`` (Banister TRIMP, needs
    resting and maximum heart rate; a run without heart rate adds 0 and is counted in
    ``series.attrs["runs_without_hr"]``), ``session_load`` (Foster's session RPE: RPE on the
    CR-10 scale x minutes, in arbitrary units; a run without RPE adds 0 and is counted in
    ``series.attrs["runs_without_rpe"]``) or ``climb`` (metres of elevation gain; a run without
    it is counted in ``series.attrs["runs_without_climb"]``). ``end`` defaults to the last activity's day: days after
    the last import are unknown, not rest, so they are not filled with zeros. The index is a
    complete daily ``DatetimeIndex`` named ``date``.
    """
    import pandas as pd  # noqa: PLC0415 - pandas loads only when a frame is asked for
    first, values, counts = daily_load_values(activities, load=load, end=end, hr_rest_bpm=hr_rest_bpm,
                                              hr_max_bpm=hr_max_bpm, sex=sex, days=days)
    series = pd.Series(values, index=day_index(first, len(values)), dtype=float, name=load)
    series.attrs.update(counts)
    return series


def daily_load_values(activities: Sequence[Activity], *, load: str = "distance", end: date | None = None,
                      hr_rest_bpm: float | None = None, hr_max_bpm: float | None = None, sex: str | None = None,
                      days: Sequence[date] | None = None) -> tuple[date | None, np.ndarray, dict[str, int]]:
    """:func:`daily_load` as (first day, values per day from it, the ``attrs`` counts of runs
    without the measure); the first day is None without a run."""
    if load not in LOAD_KINDS:
        raise ValueError(f"load must be one of {', '.join(LOAD_KINDS)}, not {load!r}")
    days_of = _local_days(activities, days)
    runs = [(d, a) for d, a in zip(days_of, activities) if a.is_run]
    if not runs:
        return None, np.zeros(0), {}
    if load == "trimp" and (hr_rest_bpm is None or hr_max_bpm is None):
        raise ValueError("TRIMP needs the athlete's resting and maximum heart rate")
    rest, top = float(hr_rest_bpm or 0.0), float(hr_max_bpm or 0.0)  # both given for TRIMP (above)
    last_day = end or max(days_of)
    values: dict[date, float] = {}
    missing_hr = missing_rpe = missing_climb = 0
    for d, a in runs:
        if d > last_day:
            continue
        if load == "distance":
            v = a.distance_m / 1000.0
        elif load == "duration":
            v = (duration_s(a) or 0.0) / 60.0
        elif load == "session_load":
            if a.rpe is None:
                missing_rpe += 1
            v = (a.rpe or 0.0) * (duration_s(a) or 0.0) / 60.0
        elif load == "climb":
            if a.elevation_gain_m is None:
                missing_climb += 1
            v = a.elevation_gain_m or 0.0
        else:
            t = activity_trimp(a, rest, top, sex)
            if t is None:
                missing_hr += 1
            v = t or 0.0
        values[d] = values.get(d, 0.0) + v
    first = min(d for d, _ in runs)
    # zeros on rest days, each day's load at its offset (0.0 + v: as adding to a series of zeros did)
    arr = np.zeros(max((last_day - first).days + 1, 0))
    for d, v in values.items():
        arr[(d - first).days] = 0.0 + v
    return first, arr, {"runs_without_hr": missing_hr, "runs_without_rpe": missing_rpe,
                        "runs_without_climb": missing_climb}


def weekly_trimp(runs: Sequence[tuple[date, Activity]], athlete: Athlete | None, week_starts: Sequence[date], *,
                 first_weekday: int = 0, end: date | None = None) -> list[float | None]:
    """Banister TRIMP of each week in ``week_starts``, from ``runs`` ((local day, run) pairs).

    A run without heart rate adds nothing; a week whose runs all lack heart rate is None (not
    known), a week without runs 0. All None when the profile lacks resting or maximum heart rate.
    Runs after ``end`` (unknown days) are left out, as in the weekly distance.
    """
    if athlete is None or athlete.hr_rest_bpm is None or athlete.hr_max_bpm is None:
        return [None] * len(week_starts)
    rest, top = float(athlete.hr_rest_bpm), float(athlete.hr_max_bpm)
    total: dict[date, float] = {}
    counted: dict[date, int] = {}
    ran: dict[date, int] = {}
    for day, a in runs:
        if end is not None and day > end:
            continue
        ws = week_start_of(day, first_weekday)
        ran[ws] = ran.get(ws, 0) + 1
        t = activity_trimp(a, rest, top, athlete.sex)
        if t is not None:
            total[ws] = total.get(ws, 0.0) + t
            counted[ws] = counted.get(ws, 0) + 1
    return [total[ws] if counted.get(ws) else (None if ran.get(ws) else 0.0) for ws in week_starts]


def cross_training_minutes(activities: Sequence[Activity], *, week_start: int = 0,
                           days: Sequence[date] | None = None) -> dict[tuple[date, str], float]:
    """Minutes of other sports per (week start, sport), added activity by activity: the cells of
    :func:`weekly_cross_training`."""
    rows: dict[tuple[date, str], float] = {}
    skip = (Sport.RUNNING, Sport.DRIVING, Sport.UNKNOWN)  # running is no cross-training; driving never counts
    for d, a in zip(_local_days(activities, days), activities):
        if a.sport in skip:
            continue
        key = (week_start_of(d, week_start), a.sport.value)
        rows[key] = rows.get(key, 0.0) + (duration_s(a) or 0.0) / 60.0
    return rows


def cross_training_totals(rows: Mapping[tuple[date, str], float]) -> dict[date, float]:
    """Minutes of all other sports per week of :func:`cross_training_minutes`, the sports added in
    name order (a row sum of :func:`weekly_cross_training`)."""
    totals: dict[date, float] = {}
    for (week, _sport), minutes in sorted(rows.items(), key=lambda kv: (kv[0][0], kv[0][1])):
        totals[week] = totals[week] + minutes if week in totals else minutes
    return totals


def weekly_cross_training(activities: Sequence[Activity], *, week_start: int = 0,
                          days: Sequence[date] | None = None) -> pd.DataFrame:
    """Minutes of other sports per week and sport (walking counts too; driving never does).

    Cross-training is not running distance (evidence.md section 6: each extra weekly hour of
    other sports went with fewer running injuries, Malisoux 2015). Index ``week_start``
    (date), one column per sport, 0 where none.
    """
    import pandas as pd  # noqa: PLC0415 - pandas loads only when a frame is asked for
    rows = cross_training_minutes(activities, week_start=week_start, days=days)
    if not rows:
        return pd.DataFrame(index=pd.Index([], name="week_start"))
    weeks = sorted({w for w, _ in rows})
    sports = sorted({s for _, s in rows})
    return pd.DataFrame({s: [rows.get((w, s), 0.0) for w in weeks] for s in sports},
                        index=pd.Index(weeks, name="week_start"))


def rolling_running(daily: pd.DataFrame, *, window_days: int = 7, min_base_km: float = MIN_BASE_KM,
                    known: np.ndarray | None = None) -> pd.DataFrame:
    """The same progression on a rolling window: for each day, km in the last ``window_days``
    days (inclusive) against the athlete's recent normal on that window.

    The reference windows are the ``window_days`` blocks before it (ending ``window_days``,
    2 x ``window_days``, ... days earlier), as the weeks of :func:`reference_weeks`: the
    :data:`RECENT_WEEKS` most recent wholly known ones within :data:`RECENT_SPAN_WEEKS`, and the
    highest of them (the most recent of equals). A window is known when it lies inside the data
    and, with ``known`` (per day of ``daily``), holds no unknown day. Columns ``distance_km``,
    ``prev_km`` (the window just before), ``ref_km``, ``ref_back`` (how many windows back the
    reference ends; 0 without one) and ``change_pct`` (NaN where this window is not known, there
    is no reference, or the reference ran less than ``min_base_km``).
    """
    import pandas as pd  # noqa: PLC0415 - pandas loads only when a frame is asked for
    return pd.DataFrame(rolling_columns(daily["distance_km"].to_numpy(dtype=float), window_days=window_days,
                                        min_base_km=min_base_km, known=known), index=daily.index)


def rolling_columns(km: np.ndarray, *, window_days: int = 7, min_base_km: float = MIN_BASE_KM,
                    known: np.ndarray | None = None, totals: dict[int, np.ndarray] | None = None
                    ) -> dict[str, np.ndarray]:
    """The columns of :func:`rolling_running` of a complete daily running distance given as an
    array (``totals``: its window totals, see :func:`runload.load.formulas.rolling_mean`)."""
    n = len(km)
    cur = rolling_sum(km, window_days, totals=totals)
    ok = ~np.isnan(cur)
    if known is not None and n:
        seen = np.concatenate(([0], np.cumsum(~np.asarray(known, dtype=bool))))
        ends = np.arange(1, n + 1)
        ok &= seen[ends] - seen[np.maximum(ends - window_days, 0)] == 0

    # the windows k blocks back are views into the arrays padded in front (NaN, not known)
    pad = window_days * RECENT_SPAN_WEEKS
    cur_padded = np.concatenate((np.full(pad, np.nan), cur))
    ok_padded = np.concatenate((np.zeros(pad, dtype=bool), ok))

    def back(arr: np.ndarray, k: int) -> np.ndarray:
        return arr[pad - window_days * k:pad - window_days * k + n]

    prev = back(cur_padded, 1).copy()
    ref = np.full(n, np.nan)
    ref_back = np.zeros(n, dtype=np.int64)
    found = np.zeros(n, dtype=np.int64)
    for k in range(1, RECENT_SPAN_WEEKS + 1):
        vk = back(cur_padded, k)
        use = back(ok_padded, k) & (found < RECENT_WEEKS)
        better = use & (np.isnan(ref) | (vk > ref))  # strictly higher: the most recent of equals stays
        np.copyto(ref, vk, where=better)
        ref_back[better] = k
        found += use
    with np.errstate(divide="ignore", invalid="ignore"):
        change = np.where(ok & (ref >= min_base_km), np.round((cur - ref) / ref * 100.0, PCT_DECIMALS), np.nan)
    return {"distance_km": cur, "prev_km": prev, "ref_km": ref, "ref_back": ref_back, "change_pct": change}


def silences(activities: Sequence[Activity], *, min_days: int = SILENCE_DAYS, as_of: date | None = None,
             days: Sequence[date] | None = None) -> list[tuple[date, date]]:
    """Stretches of at least ``min_days`` days without any recorded activity: (first, last) day.

    runload cannot tell rest from a watch left at home, so these days are unknown. The stretch
    after the last activity counts when ``as_of`` is later than it.
    """
    return silences_of(day_ordinals(_local_days(activities, days)), min_days=min_days, as_of=as_of)


def silences_of(ordinals: np.ndarray, *, min_days: int = SILENCE_DAYS,
                as_of: date | None = None) -> list[tuple[date, date]]:
    """:func:`silences` of the days with a recorded activity given as sorted distinct ordinals."""
    out = [(date.fromordinal(int(ordinals[k]) + 1), date.fromordinal(int(ordinals[k + 1]) - 1))
           for k in ((ordinals[1:] - ordinals[:-1]) - 1 >= min_days).nonzero()[0].tolist()]
    if len(ordinals) and as_of is not None and as_of.toordinal() - int(ordinals[-1]) >= min_days:
        out.append((date.fromordinal(int(ordinals[-1]) + 1), as_of))
    return out


def _week_sums(first: date | None, vals: np.ndarray, weeks: Sequence[date]) -> list[float]:
    """The sum of a complete daily series (``vals`` from day ``first``) over each of the
    consecutive ``weeks``, each added day by day from 0.0 (as a running total per week does),
    every week at once."""
    if not weeks or first is None or not len(vals):
        return [0.0] * len(weeks)
    k0 = (first - weeks[0]).days
    grid = np.zeros(len(weeks) * 7)
    if k0 < 0 or k0 + len(vals) > len(grid):
        raise ValueError("the daily series runs outside the weeks")
    grid[k0:k0 + len(vals)] = vals
    total = np.zeros(len(weeks))
    for column in grid.reshape(-1, 7).T:
        total = total + column  # a day outside the series adds 0.0, which changes no sum
    return total.tolist()


#: The fields of a run :meth:`Frames.run_values` reads, in one pass, and the columns it gives.
_RUN_FIELDS = attrgetter("distance_m", "timer_s", "elapsed_s", "rpe", "elevation_gain_m", "avg_hr_bpm",
                         "avg_cadence_spm", "gear")
_RUN_COLUMNS = ("metres", "seconds", "rpe", "climb", "cadence", "no_rpe", "no_climb", "no_hr", "gear")


def _or_zero(values: Sequence[float | None]) -> np.ndarray:
    """``value or 0.0`` of each value, as an array (None, 0 and -0.0 read as 0.0)."""
    got = np.array(values if None not in values else [0.0 if v is None else v for v in values], dtype=float)
    return np.where(got == 0.0, 0.0, got)


def _lacking(values: Sequence[object]) -> np.ndarray:
    """Per value: True where it is None."""
    if None not in values:
        return np.zeros(len(values), dtype=bool)
    return np.fromiter((v is None for v in values), dtype=bool, count=len(values))
#: The load measures a run may lack, and the column of :meth:`Frames.run_values` that says so.
_LACKS = {"session_load": "no_rpe", "climb": "no_climb", "trimp": "no_hr"}


class Frames:
    """One athlete's series up to a day, each built once on first use.

    ``activities`` are those known up to the day judged; ``end`` is the last day with data (the
    series stop there: later days are unknown). ``first_weekday`` and ``min_base_km`` are the
    calendar and the weekly rule's base, so the weekly frame here is the one the rules judge.
    Built by :func:`runload.assess.assess` and handed to the rules (through their context), the
    limits, the report and the charts: nothing downstream builds a frame again.
    """

    def __init__(self, activities: Sequence[Activity], *, end: date | None = None, first_weekday: int = 0,
                 min_base_km: float = MIN_BASE_KM, athlete: Athlete | None = None,
                 days: Sequence[date] | None = None) -> None:
        # ``days``: the local day of each activity when the caller has them (computed once per activity)
        local = _local_days(activities, days)
        starts = [a.start_utc for a in activities]
        order = sorted(range(len(starts)), key=starts.__getitem__)  # by start, stable
        self.activities: tuple[Activity, ...] = tuple([activities[i] for i in order])
        self.days: tuple[date, ...] = tuple([local[i] for i in order])
        self.end: date | None = end if end is not None else max(self.days, default=None)
        self.first_weekday = first_weekday
        self.min_base_km = float(min_base_km)
        self.athlete = athlete
        self._memo: dict[tuple[Any, ...], Any] = {}

    def __getstate__(self) -> dict[str, Any]:
        # frames travel with an Assessment to other processes: the memo goes too (it is the point)
        return self.__dict__

    @property
    def first_day(self) -> date | None:
        """The first day with any recorded activity."""
        return self.days[0] if self.days else None

    @cached_property
    def runs(self) -> tuple[tuple[date, Activity], ...]:
        """(local day, activity) of every run, in start order."""
        return self._by_sport[0]

    @cached_property
    def _by_sport(self) -> tuple[tuple[tuple[date, Activity], ...], list[tuple[date, Activity]]]:
        """(local day, activity) of the runs and of the other activities, in start order, in one pass."""
        running = Sport.RUNNING
        runs: list[tuple[date, Activity]] = []
        others: list[tuple[date, Activity]] = []
        for pair in zip(self.days, self.activities):
            (runs if pair[1].sport is running else others).append(pair)
        return tuple(runs), others

    @cached_property
    def run_days(self) -> np.ndarray:
        """The day ordinal (:meth:`datetime.date.toordinal`) of each of :attr:`runs`."""
        return np.fromiter((d.toordinal() for d, _ in self.runs), dtype=np.int64, count=len(self.runs))

    @cached_property
    def run_day_ordinals(self) -> np.ndarray:
        """The days with a run, as sorted distinct ordinals (:func:`runload.load.formulas.distinct`
        of :attr:`run_days`)."""
        return distinct(self.run_days)

    def run_values(self, name: str) -> np.ndarray:
        """A number of each of :attr:`runs`, read once per frames: ``metres`` (distance),
        ``seconds`` (:func:`duration_s`, 0 without), ``rpe``, ``climb`` (elevation gain; 0
        without), ``cadence`` (0 without), ``no_rpe``, ``no_climb``, ``no_hr`` (True where
        the run lacks the measure), and ``gear`` (the shoe's name or None, as objects)."""
        return self._run_columns[name]

    @cached_property
    def _run_columns(self) -> dict[str, np.ndarray]:
        """Every column of :meth:`run_values`, the runs' fields read in one pass (a missing value
        read as 0.0, as ``or 0.0`` reads it)."""
        n = len(self.runs)
        if not n:
            return {name: np.zeros(0, dtype=bool if name.startswith("no_") else object if name == "gear" else float)
                    for name in _RUN_COLUMNS}
        metres, timer, elapsed, rpe, climb, hr, cadence, gear = zip(*map(_RUN_FIELDS, [a for _, a in self.runs]))
        if None in timer:
            timer = tuple(e if t is None else t for t, e in zip(timer, elapsed))
        return {"metres": np.array(metres, dtype=float), "seconds": _or_zero(timer), "rpe": _or_zero(rpe),
                "climb": _or_zero(climb), "cadence": _or_zero(cadence), "no_rpe": _lacking(rpe),
                "no_climb": _lacking(climb), "no_hr": _lacking(hr), "gear": np.array(gear, dtype=object)}

    def shoe_runs(self, end: date | None = None) -> dict[str, ShoeRuns]:
        """:func:`runload.shoes.runs_by_shoe` of :attr:`runs` (up to ``end``), on the runs'
        arrays: each shoe's kilometres added run by run in start order, as that function adds
        them, its runs counted, its first and last day."""
        key = ("shoe runs", end)
        if key not in self._memo:
            gear = self.run_values("gear")
            at = np.fromiter((bool(g) for g in gear.tolist()), dtype=bool, count=len(gear)).nonzero()[0]
            if end is not None:
                at = at[self.run_days[at] <= end.toordinal()]
            slot: dict[str, int] = {}  # each shoe by its first run
            shoe = np.fromiter((slot.setdefault(g, len(slot)) for g in gear[at].tolist()), dtype=np.int64,
                               count=len(at))
            count = len(slot)
            km = np.full(count, -0.0)  # -0.0 + x is x, whatever x: the first run's km as it is
            np.add.at(km, shoe, self.run_values("metres")[at] / 1000.0)
            days = self.run_days[at]
            first = np.full(count, np.iinfo(np.int64).max)
            np.minimum.at(first, shoe, days)
            last = np.zeros(count, dtype=np.int64)
            np.maximum.at(last, shoe, days)
            runs = np.bincount(shoe, minlength=count)
            self._memo[key] = {name: ShoeRuns(k, n, date.fromordinal(lo), date.fromordinal(hi))
                               for name, k, n, lo, hi in zip(slot, km.tolist(), runs.tolist(), first.tolist(),
                                                           last.tolist())}
        return self._memo[key]

    @cached_property
    def _upto_end(self) -> np.ndarray:
        """Per run of :attr:`runs`: on or before ``end`` (later days are unknown)."""
        if self.end is None:
            return np.ones(len(self.runs), dtype=bool)
        return self.run_days <= self.end.toordinal()

    @cached_property
    def daily_columns(self) -> tuple[date | None, dict[str, np.ndarray]]:
        """:func:`daily_columns` of the activities, up to ``end``: (first day, arrays), on the
        runs' arrays (:meth:`run_values`)."""
        return daily_columns_of(self.run_days, self.run_values("metres"), self.run_values("seconds"), self.end)

    @cached_property
    def daily(self) -> pd.DataFrame:
        """:func:`daily_frame` of the activities, up to ``end`` (built from :attr:`daily_columns`)."""
        return daily_table(*self.daily_columns)

    @cached_property
    def cross_training(self) -> pd.DataFrame:
        """:func:`weekly_cross_training` of the activities."""
        return weekly_cross_training(self.activities, week_start=self.first_weekday, days=self.days)

    @cached_property
    def cross_training_totals(self) -> dict[date, float]:
        """Minutes of other sports per week (:func:`cross_training_totals`)."""
        others = self._by_sport[1]
        return cross_training_totals(cross_training_minutes([a for _, a in others], week_start=self.first_weekday,
                                                            days=[d for d, _ in others]))

    @cached_property
    def silences(self) -> list[tuple[date, date]]:
        """Stretches of 14+ days without any recorded activity inside the data."""
        return silences_of(self.day_ordinals, min_days=SILENCE_DAYS)

    def silences_upto(self, as_of: date | None, min_days: int = SILENCE_DAYS) -> list[tuple[date, date]]:
        """Silences of ``min_days`` or more, including the stretch from the last data to ``as_of``."""
        if as_of is None and min_days == SILENCE_DAYS:
            return self.silences
        key = ("silences", as_of, min_days)
        if key not in self._memo:
            self._memo[key] = silences_of(self.day_ordinals, min_days=min_days, as_of=as_of)
        return self._memo[key]

    @cached_property
    def gaps(self) -> list[tuple[date, date]]:
        """The unknown days inside the data (:func:`gaps`): silences of 14+ days and calendar
        weeks without any file. Every series marks them; none counts them as rest."""
        return gaps_of(self.day_ordinals, first_weekday=self.first_weekday, min_days=SILENCE_DAYS)

    @cached_property
    def day_ordinals(self) -> np.ndarray:
        """The days with a recorded activity as sorted distinct ordinals (:func:`day_ordinals`)."""
        return day_ordinals(self.days)

    @cached_property
    def known(self) -> np.ndarray:
        """Per day of :attr:`daily_columns`: True where runload knows the day, False inside a gap."""
        first, columns = self.daily_columns
        return known_mask(first, len(columns["distance_km"]), self.gaps)

    @cached_property
    def _daily_gaps(self) -> list[tuple[date, date]]:
        """:attr:`gaps` cut to the days of :attr:`daily` (a day outside them counts as known)."""
        first, columns = self.daily_columns
        if first is None:
            return []
        last = first + timedelta(days=len(columns["distance_km"]) - 1)
        return [(max(a, first), min(b, last)) for a, b in self.gaps if a <= last and b >= first]

    @cached_property
    def known_days(self) -> pd.Series:
        """:attr:`known` as a series on the days of :attr:`daily`."""
        import pandas as pd  # noqa: PLC0415 - pandas loads only when a frame is asked for
        return pd.Series(self.known, index=self.daily.index, name="known")

    def week_complete(self, week_start: date) -> bool:
        """:func:`week_complete` for this history (its first activity, last day and gaps)."""
        return week_complete(week_start, history_start=self.first_day, end=self.end, gaps=self.gaps)

    @cached_property
    def weekly(self) -> pd.DataFrame:
        """:func:`weekly_frame` of :attr:`daily`, with cross-training, weeks without data,
        complete weeks, and a ``trimp`` column (:func:`weekly_trimp`; NaN where not known, and in
        weeks without data): :attr:`weekly_lists` as a frame."""
        import pandas as pd  # noqa: PLC0415 - pandas loads only when a frame is asked for
        if self.daily_columns[0] is None:
            weekly = pd.DataFrame(columns=WEEKLY_COLUMNS)
            weekly["trimp"] = []
            return weekly
        return weekly_table(self.weekly_lists)

    @cached_property
    def week_references(self) -> list[list[int]]:
        """:func:`all_reference_weeks` of the complete weeks of :attr:`weekly_lists`: what the
        weekly and the two-week progressions judge each week against."""
        return all_reference_weeks(self.weekly_lists["complete"])

    @cached_property
    def weekly_lists(self) -> dict[str, list[Any]]:
        """The columns of :attr:`weekly` as plain lists, computed once on arrays
        (:func:`weekly_columns`): the rules and the limits read them week by week."""
        first, columns = self.daily_columns
        if first is None:
            return {c: [] for c in [*WEEKLY_COLUMNS, "trimp"]}
        weekly = weekly_columns_of(first, columns, first_weekday=self.first_weekday, min_base_km=self.min_base_km,
                                   cross_training=self.cross_training_totals, silences=self.gaps,
                                   history_start=self.first_day)
        trimp = weekly_trimp(self.runs, self.athlete, weekly["week_start"], first_weekday=self.first_weekday,
                             end=self.end)
        weekly["trimp"] = [math.nan if t is None or gap else t for t, gap in zip(trimp, weekly["no_data"])]
        return weekly

    def weeks_as_of(self, day: date) -> dict[str, list[Any]]:
        """``week_start``, ``distance_km`` and ``complete`` of each week from the first run's to
        the one holding ``day``, as the rules will see them once anything after ``day`` is
        recorded: the days from the last activity to ``day`` are rest days unless they make a
        silence of :data:`SILENCE_DAYS` or a week without any file (then they are unknown). A
        week ending on ``day`` without a run is therefore complete, not in progress. The limits
        read these weeks (:mod:`runload.limits`), so they stand on the references the rules use."""
        key = ("weeks_as_of", day)
        if key not in self._memo:
            weekly = self.weekly_lists
            out: dict[str, list[Any]] = {"week_start": [], "distance_km": [], "complete": []}
            if weekly["week_start"] and self.days and day == self.end == max(self.days):
                # judged on the last day with data: the weeks are the weekly series' own
                out = {"week_start": list(weekly["week_start"]), "distance_km": [float(k) for k in weekly["distance_km"]],
                       "complete": list(weekly["complete"])}
            elif weekly["week_start"]:
                km = dict(zip(weekly["week_start"], weekly["distance_km"]))
                spans = gaps_of(self.day_ordinals, first_weekday=self.first_weekday, min_days=SILENCE_DAYS,
                                as_of=day)
                ws, last = weekly["week_start"][0], week_start_of(day, self.first_weekday)
                while ws <= last:
                    out["week_start"].append(ws)
                    out["distance_km"].append(float(km.get(ws, 0.0)))
                    out["complete"].append(week_complete(ws, history_start=self.first_day, end=day, gaps=spans))
                    ws += timedelta(days=7)
            self._memo[key] = out
        return self._memo[key]

    @cached_property
    def coarse_hr_runs(self) -> int:
        """Runs whose heart rate an older runload stored in 5-bpm bins (TRIMP and zones from them
        are approximate: read at each bin's middle)."""
        return sum(1 for _, a in self.runs if coarse_hr(a))

    def rolling(self, window_days: int = 7, min_base_km: float = MIN_BASE_KM) -> pd.DataFrame:
        """:func:`rolling_running` of :attr:`daily`; a window holding an unknown day (a gap, or a
        day before the history started) is neither judged nor a reference."""
        import pandas as pd  # noqa: PLC0415 - pandas loads only when a frame is asked for
        return self.memo(("rolling frame", window_days, min_base_km),
                         lambda: pd.DataFrame(self.rolling_columns(window_days, min_base_km), index=self.daily.index))

    def rolling_columns(self, window_days: int = 7, min_base_km: float = MIN_BASE_KM) -> dict[str, np.ndarray]:
        """The columns of :meth:`rolling` as arrays, per day of :attr:`daily_columns`."""
        key = ("rolling", window_days, min_base_km)
        if key not in self._memo:
            self._memo[key] = rolling_columns(self.daily_columns[1]["distance_km"].astype(float),
                                              window_days=window_days, min_base_km=min_base_km,
                                              known=self.known if self.gaps else None,
                                              totals=self.window_totals("distance"))
        return self._memo[key]

    def window_totals(self, kind: str = "distance") -> dict[int, np.ndarray]:
        """The compensated window totals of the daily load ``kind`` by window, kept once per
        frames (:func:`runload.load.formulas.rolling_mean`): the acute:chronic ratio and the
        rolling progression walk the 7-day window of the running distance once."""
        return self.memo(("window totals", kind), dict)

    def load_values(self, kind: str = "distance") -> tuple[date | None, np.ndarray, dict[str, int]] | None:
        """The daily load of ``kind`` as (first day, values per day, counts of runs without the
        measure: :func:`daily_load_values`); None for TRIMP without the athlete's resting and
        maximum heart rate. :meth:`load` as arrays."""
        key = ("load values", kind)
        if key not in self._memo:
            ath = self.athlete
            if kind == "distance":  # the daily frame's running distance, summed run by run as daily_load does
                first, columns = self.daily_columns
                self._memo[key] = (first, columns["distance_km"].astype(float),
                                   {"runs_without_hr": 0, "runs_without_rpe": 0, "runs_without_climb": 0})
            elif kind == "trimp" and (ath is None or ath.hr_rest_bpm is None or ath.hr_max_bpm is None):
                self._memo[key] = None
            elif kind in ("duration", "session_load", "climb") and self.runs:
                self._memo[key] = self._run_load_values(kind)
            else:
                # the runs alone (with their days): the others add nothing, and end is the frames' own
                self._memo[key] = daily_load_values([a for _, a in self.runs], load=kind, end=self.end,
                                                    days=[d for d, _ in self.runs],
                                                    hr_rest_bpm=ath.hr_rest_bpm if ath else None,
                                                    hr_max_bpm=ath.hr_max_bpm if ath else None,
                                                    sex=ath.sex if ath else None)
        return self._memo[key]

    def runs_carry(self, kind: str) -> bool:
        """Whether any run up to ``end`` carries the load measure ``kind`` (RPE for
        ``session_load``, elevation gain for ``climb``, heart rate for ``trimp``; distance and
        duration every run has)."""
        flag = _LACKS.get(kind)
        return flag is None or bool((~self.run_values(flag) & self._upto_end).any())

    def _run_load_values(self, kind: str) -> tuple[date | None, np.ndarray, dict[str, int]]:
        """:func:`daily_load_values` of the runs for ``duration``, ``session_load`` or ``climb``,
        on the runs' arrays: each run's value as that function computes it, added day by day in
        start order from 0."""
        seconds = self.run_values("seconds")
        if kind == "duration":
            v = seconds / 60.0
        elif kind == "session_load":
            v = self.run_values("rpe") * seconds / 60.0
        else:
            v = self.run_values("climb")
        kept = self._upto_end
        assert self.end is not None  # there are runs
        base = int(self.run_days.min())  # the first run's day, even one after the end (then no days)
        arr = np.zeros(max(self.end.toordinal() - base + 1, 0))
        np.add.at(arr, self.run_days[kept] - base, v[kept])
        missing = {"runs_without_hr": 0, "runs_without_rpe": 0, "runs_without_climb": 0}
        if kind == "session_load":
            missing["runs_without_rpe"] = int(self.run_values("no_rpe")[kept].sum())
        elif kind == "climb":
            missing["runs_without_climb"] = int(self.run_values("no_climb")[kept].sum())
        return date.fromordinal(base), arr, missing

    def load(self, kind: str = "distance") -> pd.Series | None:
        """The daily load series of ``kind`` (``distance``, ``duration``, ``trimp``); None for
        TRIMP without the athlete's resting and maximum heart rate."""
        import pandas as pd  # noqa: PLC0415 - pandas loads only when a frame is asked for
        key = ("load", kind)
        if key not in self._memo:
            got = self.load_values(kind)
            if got is None:
                self._memo[key] = None
            else:
                first, values, counts = got
                series = pd.Series(values, index=day_index(first, len(values)), dtype=float,
                                   name="distance" if kind == "distance" else kind)
                series.attrs.update(counts)
                self._memo[key] = series
        return self._memo[key]

    def spikes(self, window_days: int | None = None) -> list[dict[str, Any]]:
        """:func:`runload.load.formulas.run_spikes` of the runs."""
        window_days = LOOKBACK_DAYS if window_days is None else window_days
        key = ("spikes", window_days)
        if key not in self._memo:
            cols = self.spike_columns(window_days)
            runs = self.runs
            km, ref, pct = cols["km"].tolist(), cols["ref"].tolist(), cols["spike_pct"].tolist()
            out = []
            for i, j in enumerate(ref):
                if j >= 0:
                    out.append({"activity": runs[i][1], "date": runs[i][0], "km": km[i], "ref_km": km[j],
                                "ref_date": runs[j][0], "spike_pct": pct[i]})
                else:
                    out.append({"activity": runs[i][1], "date": runs[i][0], "km": km[i], "ref_km": None,
                                "ref_date": None, "spike_pct": None})
            self._memo[key] = out
        return self._memo[key]

    def spike_columns(self, window_days: int = LOOKBACK_DAYS) -> dict[str, np.ndarray]:
        """:meth:`spikes` as arrays, one row per run in start order: ``day`` (ordinal), ``km``,
        ``ref`` (the row of its reference, -1 without one), ``ref_km`` and ``ref_day`` (NaN and 0
        without one) and ``spike_pct`` (NaN without a reference)."""
        key = ("spike columns", window_days)
        got = self._memo.get(key)
        if got is None:
            days, metres = self.run_days, self.run_values("metres")
            ref = np.array(spike_references(days.tolist(), metres.tolist(), window_days), dtype=np.int64)
            km = metres / 1000.0
            has = ref >= 0
            ref_km = np.where(has, km[np.maximum(ref, 0)], np.nan) if len(ref) else np.zeros(0)
            with np.errstate(divide="ignore", invalid="ignore"):
                pct = np.where(has, (km / ref_km - 1.0) * 100.0, np.nan)
            got = {"day": days, "km": km, "ref": ref, "ref_km": ref_km,
                   "ref_day": np.where(has, days[np.maximum(ref, 0)], 0) if len(ref) else np.zeros(0, dtype=np.int64),
                   "spike_pct": pct}
            self._memo[key] = got
        return got

    def weekly_load(self, kind: str) -> pd.DataFrame | None:
        """Weekly sums of the daily load ``kind`` on the weeks of :attr:`weekly`: columns
        ``week_start``, ``value``, ``runs``, ``runs_missing`` (runs that carry no value for the
        measure: no RPE, no elevation, no heart rate), ``no_data``. None when the load cannot be
        computed (TRIMP without profile heart rates). :meth:`weekly_load_lists` as a frame."""
        import pandas as pd  # noqa: PLC0415 - pandas loads only when a frame is asked for
        lists = self.weekly_load_lists(kind)
        return None if lists is None else pd.DataFrame(lists)

    def weekly_load_lists(self, kind: str) -> dict[str, list[Any]] | None:
        """The columns of :meth:`weekly_load` as plain lists (what the rules read)."""
        key = ("weekly_load", kind)
        if key not in self._memo:
            daily = self.load_values(kind)
            weekly = self.weekly_lists
            if daily is None:
                self._memo[key] = None
            else:
                weeks = weekly["week_start"]
                flag = _LACKS.get(kind)
                if flag is None or not weeks:
                    missing = [0] * len(weeks)
                else:  # runs lacking the measure, up to the end, counted per week
                    at = (self.run_days[self.run_values(flag) & self._upto_end] - weeks[0].toordinal()) // 7
                    at = at[(at >= 0) & (at < len(weeks))]
                    missing = np.bincount(at, minlength=len(weeks)).tolist()
                self._memo[key] = {
                    "week_start": list(weeks),
                    "value": _week_sums(daily[0], daily[1], weeks),
                    "runs": [int(r) for r in weekly["runs"]],
                    "runs_missing": missing,
                    "no_data": [bool(x) for x in weekly["no_data"]],
                }
        return self._memo[key]

    def fitness_fatigue(self, kind: str = "distance") -> pd.DataFrame | None:
        """:func:`runload.load.formulas.fitness_fatigue` of the daily load of ``kind``, seeded with
        the mean of its first 28 days, leaving out days in a gap (runload's convention:
        TrainingPeaks and GoldenCheetah seed with 0), gaps marked (NaN, computed through as
        rest) and the first 42 days marked as settling. None without that load. The
        fitness-ramp rule and the charts read this one."""
        import pandas as pd  # noqa: PLC0415 - pandas loads only when a frame is asked for
        got = self.fitness_fatigue_columns(kind)
        if got is None:
            return None
        return self.memo(("fitness_fatigue frame", kind),
                         lambda: pd.DataFrame(got[1], index=day_index(got[0], len(got[1]["ctl"]))))

    def fitness_fatigue_columns(self, kind: str = "distance") -> tuple[date, dict[str, np.ndarray]] | None:
        """The columns of :meth:`fitness_fatigue` as arrays, from the first day returned."""
        key = ("fitness_fatigue", kind)
        if key not in self._memo:
            first = self.fitness_first_day(kind)
            got = self.load_values(kind)
            if first is None or got is None:
                self._memo[key] = None
            else:
                values = got[1]
                known = known_mask(first, len(values), self._daily_gaps)
                seed_days = values[:28][known[:28]]  # days of a gap are no part of the seed
                seed = float(seed_days.sum() / len(seed_days)) if len(seed_days) else 0.0
                self._memo[key] = (first, fitness_fatigue_columns(values, seed=seed, known=known))
        return self._memo[key]

    def fitness_first_day(self, kind: str = "distance") -> date | None:
        """The first day of :meth:`fitness_fatigue` (None when there is none), without computing it."""
        got = self.load_values(kind)
        return None if got is None or got[0] is None or not len(got[1]) else got[0]

    def memo(self, key: tuple[Any, ...], build: Any) -> Any:
        """A derived value kept once per frames (``build()`` runs on the first call for ``key``)."""
        if key not in self._memo:
            self._memo[key] = build()
        return self._memo[key]
