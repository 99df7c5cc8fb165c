"""One athlete's pain log up to a day, with each derived list worked out once.

The pain rules, the pain assessment and the report all read the same :class:`PainLog`: its
entries in date order, the episodes (with the load before each), the stretches rest did not
relieve, next-morning pain against the usual level and the weekly trends.
"""

from __future__ import annotations

import inspect
from collections.abc import Sequence
from datetime import date
from functools import cached_property
from itertools import islice
from operator import itemgetter, le
from typing import Any

from runload.load.series import Frames, gaps_of
from runload.models import Activity, Athlete, Clearance, PainEntry
from runload.pain.episodes import Episode, find_episodes
from runload.pain.load_before import link_load
from runload.pain.signs import MorningPain, Unrelieved, WeeklyTrend, morning_pain, unrelieved_stretches, weekly_trends


#: link_load's thresholds and their defaults
_LINK_DEFAULTS = {name: p.default for name, p in inspect.signature(link_load).parameters.items()
                  if p.kind is inspect.Parameter.KEYWORD_ONLY and isinstance(p.default, (int, float))
                  and name != "week_start"}


class PainLog:
    """The entries of one athlete (already cut to the day judged) and what follows from them.

    ``frames`` is the athlete's :class:`runload.load.series.Frames`: the runs the load link and
    the per-run cuts look at, and the runs that let an episode nobody logs any more settle.
    ``as_of`` is the day judged (default: the last entry or run); ``clearances`` the clearances
    logged up to it (each settles the episode it falls in).
    """

    def __init__(self, entries: Sequence[PainEntry], frames: Frames, *, athlete: Athlete | None = None,
                 week_start: int = 0, as_of: date | None = None, clearances: Sequence[Clearance] = ()) -> None:
        self.entries: tuple[PainEntry, ...] = tuple(sorted(entries, key=lambda e: (e.date, e.id or 0)))
        self.frames = frames
        self.athlete = athlete
        self.week_start = week_start
        self.as_of = as_of
        self.clearances = tuple(c for c in clearances if as_of is None or c.date <= as_of)
        self._with_load: dict[tuple[tuple[str, Any], ...], list[Episode]] = {}
        self._morning: dict[int, list[MorningPain]] = {}

    @cached_property
    def run_days(self) -> list[date]:
        """The local day of each of the frames' runs, in start order."""
        return list(map(itemgetter(0), self.frames.runs))

    @cached_property
    def episodes(self) -> list[Episode]:
        """Every episode, oldest first, without the load link."""
        return find_episodes(self.entries, run_days=self.run_days, as_of=self.as_of,
                             clearances=[c.date for c in self.clearances])

    def episodes_with_load(self, **link_args: Any) -> list[Episode]:
        """:attr:`episodes` with each one's :class:`runload.pain.episodes.LoadBefore` filled in
        (``link_args`` are :func:`runload.pain.load_before.link_load`'s thresholds); an episode not
        about the knee (chest pain or breathlessness alone) gets none."""
        # the thresholds as link_load reads them: a rule's params that repeat its defaults share the work
        key = tuple(sorted({**_LINK_DEFAULTS, **link_args}.items()))
        if key not in self._with_load:
            runs, days, spans, ordered = self._runs_and_gaps
            self._with_load[key] = [
                Episode(**{**ep.__dict__, "load": link_load(ep.onset, runs, athlete=self.athlete,
                                                            week_start=self.week_start, days=days, gaps=spans,
                                                            runs=ordered, **link_args)})
                if ep.about_knee else ep
                for ep in self.episodes]
        return self._with_load[key]

    @cached_property
    def _runs_and_gaps(self) -> tuple[list[Activity], list[date], list[tuple[date, date]],
                                      list[tuple[date, Activity]]]:
        """The runs the load link reads, their local days, the days the runs leave unknown
        (:func:`runload.load.series.gaps` of the runs) and the runs by day
        (:func:`runload.pain.load_before.day_ordered_runs`), worked out once for every episode."""
        runs = list(map(itemgetter(1), self.frames.runs))
        days = self.run_days
        # day_ordered_runs of runs alone: the frames' runs (in start order) by day and start
        by_day = list(self.frames.runs) if all(map(le, days, islice(days, 1, None))) else \
            sorted(self.frames.runs, key=lambda p: (p[0], p[1].start_utc))
        return runs, days, gaps_of(self.frames.run_day_ordinals, first_weekday=self.week_start), by_day

    def episode_key(self, day: date) -> str:
        """The key of the episode holding ``day``, else ``entry-<day>``."""
        for ep in self.episodes:
            if ep.onset <= day <= (ep.end or ep.last):
                return ep.key
        return f"entry-{day.isoformat()}"

    def onset_of(self, day: date) -> date | None:
        """The onset of the episode holding ``day``, or None outside every episode."""
        for ep in self.episodes:
            if ep.onset <= day <= (ep.end or ep.last):
                return ep.onset
        return None

    @cached_property
    def unrelieved(self) -> list[Unrelieved]:
        """Stretches of pain that rest did not relieve, each inside one episode: pain that came
        back after an episode settled does not carry on the old stretch's count."""
        return [s for ep in self.episodes for s in unrelieved_stretches(ep.entries)]

    def morning(self, baseline_days: int = 28) -> list[MorningPain]:
        """Next-morning pain against the usual level of the ``baseline_days`` before each
        entry's pain episode began."""
        if baseline_days not in self._morning:
            self._morning[baseline_days] = morning_pain(self.entries, baseline_days=baseline_days,
                                                        onset_of=self.onset_of)
        return self._morning[baseline_days]

    @cached_property
    def trends(self) -> list[WeeklyTrend]:
        """Mean pain and stiffness per week against the week before."""
        return weekly_trends(self.entries, week_start=self.week_start)
