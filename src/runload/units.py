"""Distances in the reader's units: the one place runload turns kilometres into miles.

runload stores metres and computes in kilometres; an athlete's profile says how a person wants
to read distances (``Athlete.units``: ``"km"`` or ``"mi"``). Conversion happens only when a
number becomes words or a table cell, through the helpers here:

- :func:`distance` (``"12.3 km"`` / ``"7.6 mi"``), :func:`from_km`, :func:`label`, :func:`pace`;
- :func:`quantity` for a value that carries a unit string (a finding's ``value`` and ``unit``):
  a distance unit is converted, every other unit (``%``, ``/10``, ``days``) is left alone;
- :class:`UnitFormatter`, a :class:`string.Formatter` whose field specs ``dist``, ``pace`` and
  ``load`` render a kilometre fact in the reader's units. Rule templates
  (``"{distance_km:dist}"``) and the pain log's sentences are filled through it, so a template
  never needs to know which units the reader chose.

Percentages, ratios, scores and durations are unit-free and pass through unchanged.
"""

from __future__ import annotations

import math
import re
import string
from collections.abc import Mapping, Sequence
from typing import Any

#: One international mile in kilometres (exact, by definition since 1959).
KM_PER_MI = 1.609344

UNITS = ("km", "mi")
_LABELS = {"km": "km", "mi": "mi"}
_WORDS = {"km": "kilometres", "mi": "miles"}
_SPEC = re.compile(r"^(dist|limit|pace|load)(?:\.(\d))?$")


def check_units(units: str | None) -> str:
    """``units`` if it is ``km`` or ``mi`` (None means ``km``); anything else is a ValueError."""
    if units is None:
        return "km"
    if units not in UNITS:
        raise ValueError(f"unknown units {units!r} (expected km or mi)")
    return units


def label(units: str) -> str:
    """The short unit label: ``km`` or ``mi``."""
    return _LABELS[check_units(units)]


def word(units: str) -> str:
    """The unit in words: ``kilometres`` or ``miles``."""
    return _WORDS[check_units(units)]


def from_km(km: float, units: str) -> float:
    """A distance in kilometres in the reader's units."""
    return km if check_units(units) == "km" else km / KM_PER_MI


def to_km(value: float, units: str) -> float:
    """A distance given in the reader's units, in kilometres."""
    return value if check_units(units) == "km" else value * KM_PER_MI


def distance(km: float | None, units: str, digits: int = 1) -> str:
    """``12.3 km`` or ``7.6 mi`` (``-`` for None)."""
    if km is None:
        return "-"
    return f"{from_km(float(km), units):.{digits}f} {label(units)}"


def limit(km: float | None, units: str, digits: int = 1) -> str:
    """A distance limit as :func:`distance` shows it, but rounded down in the reader's units
    (39.27 km is never shown as 39.3 km, nor 24.357 mi as 24.4 mi: a plan at the number shown
    must keep the limit)."""
    if km is None:
        return "-"
    shown = math.floor(from_km(float(km), units) * 10 ** digits + 1e-6) / 10 ** digits
    return f"{shown:.{digits}f} {label(units)}"


def number(km: float | None, units: str, digits: int = 1) -> str:
    """The number of :func:`distance` without its label, for a table column headed with it."""
    if km is None:
        return "-"
    return f"{from_km(float(km), units):.{digits}f}"


def pace(min_per_km: float, units: str, digits: int = 2) -> str:
    """A pace in decimal minutes per distance unit: ``5.50 min/km`` or ``8.85 min/mi``."""
    per = min_per_km if check_units(units) == "km" else min_per_km * KM_PER_MI
    return f"{per:.{digits}f} min/{label(units)}"


def is_distance_unit(unit: str | None) -> bool:
    """Whether a unit string (a rule's ``unit``, e.g. ``" km"``) is a distance in kilometres."""
    return (unit or "").strip() == "km"


def quantity(value: float, unit: str, units: str) -> tuple[float, str]:
    """``(value, unit)`` in the reader's units: a kilometre value is converted (the unit keeps its
    leading space), any other unit is returned unchanged."""
    if is_distance_unit(unit) and check_units(units) != "km":
        return from_km(value, units), unit.replace("km", label(units))
    return value, unit


class UnitFormatter(string.Formatter):
    """:meth:`str.format` that knows the reader's units.

    Besides the usual format specs, a field may use:

    - ``dist`` / ``dist.N``: a distance given in kilometres, shown with ``N`` decimals (default
      1) and its label in the reader's units: ``{distance_km:dist}`` -> ``12.3 km`` or ``7.6 mi``;
    - ``limit`` / ``limit.N``: a distance limit, as ``dist`` but rounded down (39.27 km is never
      shown as 39.3 km, nor 24.357 mi as 24.4 mi: a plan at the number shown must keep the limit);
    - ``pace`` / ``pace.N``: a pace given in minutes per kilometre -> ``5.50 min/km`` or
      ``8.85 min/mi`` (default 2 decimals);
    - ``load`` / ``load.N``: a training load in the unit named by the template's ``load_unit``
      field; a distance load (``km``) is converted like ``dist``, minutes or TRIMP are shown as
      they are: ``{acute:load}`` -> ``5.0 km``, ``3.1 mi`` or ``42.0 min``.

    ``UnitFormatter("mi").format("{d:dist} in {n} runs", d=16.09, n=3)`` gives ``10.0 mi in 3 runs``.
    """

    def __init__(self, units: str = "km") -> None:
        super().__init__()
        self.units = check_units(units)
        self._fields: Mapping[str, Any] = {}

    def vformat(self, format_string: str, args: Sequence[Any], kwargs: Mapping[str, Any]) -> str:
        # kept for the ``load`` spec, which reads ``load_unit`` from the same fields
        self._fields = kwargs
        return super().vformat(format_string, args, kwargs)

    def format_field(self, value: Any, format_spec: str) -> Any:
        m = _SPEC.match(format_spec)
        if m is None:
            return super().format_field(value, format_spec)
        kind, digits = m.group(1), m.group(2)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValueError(f"format spec {format_spec!r} needs a number, not {value!r}")
        if kind == "dist":
            return distance(value, self.units, int(digits or 1))
        if kind == "limit":  # a limit is never shown above itself: rounded down in the reader's units
            return limit(value, self.units, int(digits or 1))
        if kind == "pace":
            return pace(value, self.units, int(digits or 2))
        load_unit = str(self._fields.get("load_unit", ""))
        if is_distance_unit(load_unit):
            return distance(value, self.units, int(digits or 1))
        return f"{value:.{int(digits or 1)}f} {load_unit}".rstrip()


def fmt(template: str, units: str, /, **fields: Any) -> str:
    """``template`` filled through :class:`UnitFormatter` for the reader's ``units``."""
    return UnitFormatter(units).vformat(template, (), fields)
