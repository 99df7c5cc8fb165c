"""What a file writes for one value: a sport's name, a number in a CSV cell, a finite number
within bounds. Nothing here needs numpy, so the import's main process (the walk, the writer, the
CSV readers) reads files' sport names and numbers without loading the format readers."""

from __future__ import annotations

import math

from runload.errors import IngestError, InputError
from runload.models import Sport

# Names that devices and apps write for a sport, mapped to runload's sports. Strava writes
# numeric GPX types (its own activity-type codes): 1 is a ride, 9 a run, 10 a walk, 4 a hike.
_SPORT_NAMES = {
    "running": Sport.RUNNING, "run": Sport.RUNNING, "trail_running": Sport.RUNNING,
    "trailrun": Sport.RUNNING, "trail_run": Sport.RUNNING, "treadmill": Sport.RUNNING,
    "virtualrun": Sport.RUNNING, "virtual_run": Sport.RUNNING, "track_running": Sport.RUNNING,
    "indoor_running": Sport.RUNNING, "9": Sport.RUNNING,
    "walking": Sport.WALKING, "walk": Sport.WALKING, "10": Sport.WALKING,
    "hiking": Sport.HIKING, "hike": Sport.HIKING, "4": Sport.HIKING,
    "cycling": Sport.CYCLING, "biking": Sport.CYCLING, "ride": Sport.CYCLING, "bike": Sport.CYCLING,
    "e_biking": Sport.CYCLING, "virtualride": Sport.CYCLING, "1": Sport.CYCLING,
    "swimming": Sport.SWIMMING, "swim": Sport.SWIMMING, "2": Sport.SWIMMING,
    "rowing": Sport.ROWING, "indoor_rowing": Sport.ROWING,
    "mountain_bike_ride": Sport.CYCLING, "gravel_ride": Sport.CYCLING, "e_bike_ride": Sport.CYCLING,
    "e_mountain_bike_ride": Sport.CYCLING, "mountain_biking": Sport.CYCLING,
    "driving": Sport.DRIVING,
}


def sport_from_name(name: object) -> Sport | None:
    """runload's sport for a name as written in a file, None when the file says nothing useful."""
    if name is None:
        return None
    key = str(name).strip().lower().replace(" ", "_").replace("-", "_")
    if key in ("", "generic", "all", "other", "none"):
        return None
    return _SPORT_NAMES.get(key, Sport.OTHER)


def activity_sport(name: str) -> Sport:
    """The sport a person names on the command line (``running``, ``run``, ``Ride``...)."""
    sport = sport_from_name(name)
    if sport is None or (sport is Sport.OTHER and name.strip().lower() != "other"):
        try:
            return Sport(name.strip().lower())
        except ValueError:
            names = ", ".join(s.value for s in Sport if s is not Sport.UNKNOWN)
            raise InputError(f"unknown sport {name!r} (expected one of: {names})") from None
    return sport


# FIT sub-sports that say more than the sport does (fitness_equipment + indoor_rowing is rowing).
_SUB_SPORTS = {"indoor_rowing": Sport.ROWING, "indoor_cycling": Sport.CYCLING, "spin": Sport.CYCLING,
               "indoor_walking": Sport.WALKING, "treadmill": Sport.RUNNING, "indoor_running": Sport.RUNNING}


def refine_sport(sport: Sport | None, sub_sport: str | None) -> Sport | None:
    """The sport once the sub-sport is considered: only a vague sport (other, none) is refined,
    and treadmill refines only "no sport" or fitness equipment, never, say, walking."""
    if sub_sport is None or (sport is not None and sport is not Sport.OTHER):
        return sport
    return _SUB_SPORTS.get(sub_sport.lower(), sport)


def finite(value: object, lo: float, hi: float) -> float | None:
    """``value`` as a float when it is a finite number within [lo, hi], else None (NaN, inf, a
    value no device or person produces)."""
    if value is None or isinstance(value, bool):
        return None
    try:
        v = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) and lo <= v <= hi else None


def csv_number(text: str, what: str, *, path: str, line: int) -> float:
    """A number from a CSV cell a person or an export wrote: an :class:`IngestError` naming the
    file, the line and ``what`` (the column) when it is not a number or not finite."""
    try:
        value = float(text)
    except ValueError:
        raise IngestError(f"{what} {text[:40]!r} is not a number", path=path, line=line) from None
    if not math.isfinite(value):
        raise IngestError(f"{what} {text[:40]!r} is not a finite number", path=path, line=line)
    return value


__all__ = ["activity_sport", "csv_number", "finite", "refine_sport", "sport_from_name"]
