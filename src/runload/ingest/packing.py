"""Laps built from their values, and activities packed as plain values for the pipe between the
import's worker processes and the process that stores them.

A file's laps are its most numerous objects (a marathon's 42 splits): each one pickled on its own
is its class and a dict of its fields, and the storing process only writes them out again as the
store's JSON. :func:`pack` (in the worker) sends an activity as the tuple of its field values with
its laps as that JSON text, made once, when they pass the store's door as they are
(:func:`runload.bounds.laps_pass`, the lap part of :func:`runload.bounds.check_activity`); laps
the door would change travel as values (their starts and one flat list of their other values).
:func:`unpack` builds the activities again, equal to those the reader returned, except that an
activity whose laps came as text holds none: the text comes with it, for the store, and
:func:`runload.store.rows.laps_from_json` gives the laps back where they are needed (comparing
copies of a run).
Anything not exactly an :class:`Activity` holding a tuple of :class:`Lap` (a subclass, an
attribute that is not a field) travels as it is.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import fields
from datetime import datetime
from itertools import chain, repeat, starmap
from operator import attrgetter, eq, is_
from typing import Any

from runload.bounds import laps_pass
from runload.models import Activity, Lap, made_from
from runload.store.rows import laps_json

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


# What travels for an activity: itself, or its field values with its laps as the store's JSON
# text of them, or as PackedLaps: their starts and the other values of one lap after another, in
# Lap's order.
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
        values[_LAPS_AT] = laps_json(laps) if laps and laps_pass(laps) else _pack_laps(laps)
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


def unpack(packed: list[Packed]) -> tuple[list[Activity], list[str | None]]:
    """The activities :func:`pack` was given (equal to them, of the same types and values), and
    for each the store's JSON text of its laps when they travelled so (the activity then holds
    none: ``laps=()``), else None."""
    out: list[Activity] = []
    texts: list[str | None] = []
    for item in packed:
        text = None
        if isinstance(item, tuple):
            values = list(item)
            laps = values[_LAPS_AT]
            if isinstance(laps, str):
                text, values[_LAPS_AT] = laps, ()
            else:
                values[_LAPS_AT] = _unpack_laps(laps)
            out.append(_new_activity(values))
        else:
            out.append(item)
        texts.append(text)
    return out, texts


__all__ = ["Packed", "new_lap", "pack", "unpack"]
