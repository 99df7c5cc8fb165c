"""Kilometres per pair of shoes: the one count the shoe rule, the report, the mail and
``runload shoe list`` all read.

A run's shoe is its gear: what the file or Strava's CSV recorded, a person's correction
(``runload activity set --shoe``), or the athlete's default shoe given at import. A shoe the
athlete registered (``runload shoe add``) adds the kilometres it had before runload
(``start_km``) and may carry the distance at which to retire it (``retire_km``); gear that was
never registered is counted all the same, from its runs alone.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from runload import bounds
from runload.calendar import local_date
from runload.errors import InputError
from runload.models import Activity, Shoe
from runload.textsafe import check_display_name

#: How close to its retirement distance a shoe is "nearing" it: the reminder's share (90%).
NEAR_RETIREMENT = 0.9


def new_shoe(name: str, *, start_km: float | None = 0.0, retire_km: float | None = None, default: bool = False,
             names: tuple[str, str] = ("--start-km", "--retire-km")) -> Shoe:
    """A shoe to register, its name and distances checked (raises :class:`InputError` naming
    the field by ``names``, the way the caller's form or command calls it): ``runload shoe
    add`` and the web app's shoe form both add through here."""
    def km(option: str, value: float | None) -> float | None:
        if value is None:
            return None
        if not math.isfinite(value) or not 0 <= value <= bounds.MAX_DISTANCE_M / 1000:
            raise InputError(f"{option}: {value:g} is not a distance from 0 to {bounds.MAX_DISTANCE_M / 1000:,.0f} km")
        return float(value)

    name = check_display_name(name, what="shoe name", max_length=bounds.MAX_NAME_CHARS)
    retire = km(names[1], retire_km)
    start = km(names[0], start_km) or 0.0
    if retire is not None and retire <= 0:
        raise InputError(f"{names[1]}: a retirement distance is more than 0 km")
    return Shoe(name, start, retire, default)


@dataclass(frozen=True)
class ShoeTotal:
    """One shoe's kilometres up to a day: ``distance_km`` = ``start_km`` + ``run_km``."""

    name: str
    distance_km: float
    run_km: float
    runs: int
    first_used: date | None
    last_used: date | None
    start_km: float = 0.0
    retire_km: float | None = None
    default: bool = False
    retired_on: date | None = None
    registered: bool = False

    @property
    def left_km(self) -> float | None:
        """Kilometres left to the retirement distance (negative: past it), or None."""
        return None if self.retire_km is None else self.retire_km - self.distance_km

    def retired(self, day: date | None) -> bool:
        """Whether the shoe was put away on or before ``day`` (None: ever)."""
        return self.retired_on is not None and (day is None or self.retired_on <= day)


@dataclass
class ShoeRuns:
    """The runs in one pair of shoes: kilometres, how many, the first and the last day."""

    km: float
    runs: int
    first: date
    last: date


def runs_by_shoe(runs: Iterable[tuple[date, Activity]], end: date | None = None) -> dict[str, ShoeRuns]:
    """{gear: its runs} over (local day, activity) pairs of running."""
    per: dict[str, list[Any]] = {}  # gear -> [km, runs, first, last], a ShoeRuns once all are counted
    for day, a in runs:
        gear = a.gear
        if not gear or (end is not None and day > end) or not a.is_run:
            continue
        rec = per.get(gear)
        if rec is None:
            per[gear] = [0.0 + a.distance_m / 1000.0, 1, day, day]  # the same sum as adding to 0.0
            continue
        rec[0] += a.distance_m / 1000.0
        rec[1] += 1
        if day < rec[2]:
            rec[2] = day
        elif day > rec[3]:
            rec[3] = day
    return {gear: ShoeRuns(*rec) for gear, rec in per.items()}


def shoe_totals(activities: Sequence[Activity], shoes: Sequence[Shoe] = (), end: date | None = None, *,
                runs: Iterable[tuple[date, Activity]] | None = None,
                per: Mapping[str, ShoeRuns] | None = None) -> list[ShoeTotal]:
    """Every shoe's kilometres up to ``end`` (default: all): the registered shoes (even unused
    ones) and any other gear the runs name, by name. ``runs`` gives (local day, activity) pairs
    already worked out (the series' runs), else the days come from the activities; ``per``
    their :func:`runs_by_shoe` when the caller has it."""
    if per is None:
        per = runs_by_shoe(runs if runs is not None else ((local_date(a), a) for a in activities), end)
    known = {s.name: s for s in shoes}
    out = []
    for name in sorted(set(per) | set(known)):
        rec = per.get(name)
        km, n = (rec.km, rec.runs) if rec else (0.0, 0)
        s = known.get(name)
        start = s.start_km if s else 0.0
        out.append(ShoeTotal(name, km + start, km, n, rec.first if rec else None, rec.last if rec else None,
                             start_km=start, retire_km=s.retire_km if s else None, default=bool(s and s.default),
                             retired_on=s.retired_on if s else None, registered=s is not None))
    return out


def state_words(t: ShoeTotal) -> str:
    """What ``runload shoe list`` and the web app's shoe page say of a shoe: retired, past or
    nearing its retirement distance, the default, or not registered."""
    if t.retired_on is not None:
        state = f"retired {t.retired_on.isoformat()}"
    elif t.left_km is not None and t.left_km <= 0:
        state = "past its retirement distance"
    elif t.retire_km is not None and t.distance_km >= NEAR_RETIREMENT * t.retire_km:
        state = "nearing its retirement distance"
    else:
        state = "default" if t.default else ("" if t.registered else "not registered")
    if t.default and t.retired_on is None and state != "default":
        state = f"default, {state}"
    return state
