"""Labelled data from the store: each athlete's own history, with their pain episodes as the
events, so a coach can measure the warnings on their own squad.

An event is a pain episode (:func:`runload.pain.episodes.find_episodes`, the pain log's own
definition) that reached 5/10 or raised a red flag; its onset is the episode's first day, and the
days of the episode are not at risk of a new one (they are left out). Every athlete is judged on
every day from their first activity to their last record, with everything recorded up to that day
(activities, pain entries, clearances), by the same assessment ``runload check`` gives.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from runload.calendar import local_date, with_zone_offset
from runload.evaluate.labelled import Case, CaseList, Labelled, days_between
from runload.pain.episodes import find_episodes
from runload.store import Store

EVENT_SCORE = 5  # an episode reaching 5/10 (Silbernagel 2007's limit: pain above it means ease off)


def read(store: Store, athlete_ids: Sequence[str] | None = None) -> Labelled:
    """The athletes of ``store`` (all, or ``athlete_ids``) as labelled data."""
    ids = list(athlete_ids) if athlete_ids else [a.id for a in store.list_athletes()]
    cases: list[Case] = []
    injuries: dict[str, tuple[date, ...]] = {}
    follow_up: dict[str, date] = {}
    out: dict[str, tuple[tuple[date, date], ...]] = {}
    for a in ids:
        data = store.athlete_data(a)
        days = sorted({local_date(with_zone_offset(x, data.athlete.timezone)) for x in data.activities})
        if not days:
            continue
        episodes = find_episodes(data.pain_entries)
        events = [ep for ep in episodes if (ep.peak or 0) >= EVENT_SCORE or ep.red_flags]
        injuries[a] = tuple(sorted({ep.onset for ep in events}))
        out[a] = tuple((ep.onset, ep.end or ep.last) for ep in episodes)
        last = max([days[-1], *(e.date for e in data.pain_entries)])
        follow_up[a] = last
        cases.append(Case(data, days_between(days[0], last)))
    return Labelled(name="the store", cases=CaseList(cases), injuries=injuries, follow_up=follow_up,
                    how=("Each athlete's history in the store, judged on every day from the first activity to the "
                         "last record with what was recorded up to that day; events are pain episodes reaching "
                         f"{EVENT_SCORE}/10 or with a red flag, and the days of any episode are left out."),
                    out=out, inputs=("duration", "rpe", "heart-rate zones", "cadence", "elevation", "shoes",
                                     "pain entries"))
