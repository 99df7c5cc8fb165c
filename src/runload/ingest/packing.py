"""Laps built from their values, and activities packed as plain values for the pipe between the
import's worker processes and the process that stores them.

A file's laps are its most numerous objects (a marathon's 42 splits): each one pickled on its own
is its class and a dict of its fields, which costs the worker and the storing process more than
the rest of the activity. :func:`pack` sends an activity as the tuple of its field values, its
laps as the list of their starts and one flat list of their other values, and :func:`unpack`
builds the same objects again: equal, of the same types, with the same values, as the reader
returned them. Anything not
exactly an :class:`Activity` holding a tuple of :class:`Lap` (a subclass, an attribute that is
not a field) travels as it is.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import fields
from datetime import datetime
from itertools import chain, repeat, starmap
from operator import attrgetter, eq, is_
from typing import Any

from runload.models import Activity, Lap, made_from

_LAP_FIELDS = tuple(f.name for f in fields(Lap))
_ACTIVITY_FIELDS = tuple(f.name for f in fields(Activity))
_LAPS_AT = _ACTIVITY_FIELDS.index("laps")


def new_lap(start_utc: datetime | None, distance_m: float | None, timer_s: float | None, avg_hr_bpm: float | None,
            max_hr_bpm: float | None, avg_cadence_spm: float | None, avg_speed_mps: float | None) -> Lap:
    """``Lap(...)`` in fewer steps (:func:`runload.models.made_from`)."""
    return made_from(Lap, {"start_utc": start_utc, "distance_m": distance_m, "timer_s": timer_s,
                           "avg_hr_bpm": avg_hr_bpm, "max_hr_bpm": max_hr_bpm, "avg_cadence_spm": avg_cadence_spm,
                           "avg_speed_mps": avg_speed_mps})


def _new_activity(values: Iterable[Any]) -> Activity:
    return made_from(Activity, dict(zip(_ACTIVITY_FIELDS, values)))


# What travels for an activity: itself, or its field values with its laps as PackedLaps: their
# starts and the other values of one lap after another, in Lap's order.
PackedLaps = tuple[list[Any], list[Any]]
Packed = Activity | tuple[Any, ...]


def pack(activities: list[Activity]) -> list[Packed]:
    """The activities as plain values (see the module's docstring); :func:`unpack` reverses it."""
    out: list[Packed] = []
    for act in activities:
        laps = act.laps
        if not (act.__class__ is Activity and len(act.__dict__) == len(_ACTIVITY_FIELDS) and laps.__class__ is tuple
                and all(map(is_, map(type, laps), repeat(Lap)))
                and all(map(eq, map(len, map(vars, laps)), repeat(len(_LAP_FIELDS))))):
            out.append(act)  # as it is (pickled whole)
            continue
        values = list(_activity_values(act))
        values[_LAPS_AT] = _pack_laps(laps)
        out.append(tuple(values))
    return out


_activity_values = attrgetter(*_ACTIVITY_FIELDS)
_start = attrgetter("start_utc")
_lap_values = attrgetter(*_LAP_FIELDS[1:])  # a lap's values after its start


def _pack_laps(laps: tuple[Lap, ...]) -> PackedLaps:
    """The laps' starts (pickled as any datetime is), then their other values in one list."""
    return list(map(_start, laps)), list(chain.from_iterable(map(_lap_values, laps)))


def _unpack_laps(packed: PackedLaps) -> tuple[Lap, ...]:
    starts, rest = packed
    values = iter(rest)
    return tuple(starmap(new_lap, zip(starts, *[values] * (len(_LAP_FIELDS) - 1))))


def unpack(packed: list[Packed]) -> list[Activity]:
    """The activities :func:`pack` was given: equal to them, of the same types and values."""
    out: list[Activity] = []
    for item in packed:
        if isinstance(item, tuple):
            values = list(item)
            values[_LAPS_AT] = _unpack_laps(values[_LAPS_AT])
            out.append(_new_activity(values))
        else:
            out.append(item)
    return out


__all__ = ["Packed", "new_lap", "pack", "unpack"]
