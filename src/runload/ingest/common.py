"""Helpers shared by the format readers: sport names, sport inference, heart-rate bins."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from datetime import datetime

import numpy as np

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


# FIT sub-sports that say more than the sport does (fitness_equipment + indoor_rowing is rowing).
_SUB_SPORTS = {"indoor_rowing": Sport.ROWING, "indoor_cycling": Sport.CYCLING, "spin": Sport.CYCLING,
               "indoor_walking": Sport.WALKING, "treadmill": Sport.RUNNING, "indoor_running": Sport.RUNNING}


def refine_sport(sport: Sport | None, sub_sport: str | None) -> Sport | None:
    """The sport once the sub-sport is considered: only a vague sport (other, none) is refined,
    and treadmill refines only "no sport" or fitness equipment, never, say, walking."""
    if sub_sport is None or (sport is not None and sport is not Sport.OTHER):
        return sport
    return _SUB_SPORTS.get(sub_sport.lower(), sport)


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres (spherical Earth, radius 6,371 km)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp = p2 - p1
    dl = math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371008.8 * math.asin(min(1.0, math.sqrt(a)))


def infer_sport(distance_m: float, moving_s: float | None, speeds_mps: Sequence[float] = ()) -> tuple[Sport, str]:
    """Guess a sport from speed when the file names none; returns the sport and why.

    Running sits between about 6.5 and 20 km/h on average; walking below; cycling and driving
    above, or with bursts no runner reaches (a 95th-percentile speed over 25 km/h). A moving
    average over 35 km/h, or a 95th percentile over 60 km/h, is beyond all but elite cyclists and
    is taken as a motor vehicle.
    """
    if not moving_s or moving_s <= 0 or distance_m <= 0:
        return Sport.UNKNOWN, "no distance or time to infer a sport from"
    avg_kmh = distance_m / moving_s * 3.6
    fast_kmh = 0.0
    if speeds_mps:
        ordered = sorted(speeds_mps)
        fast_kmh = ordered[int(0.95 * (len(ordered) - 1))] * 3.6
    if fast_kmh > 60 or avg_kmh > 35:
        sport = Sport.DRIVING
    elif avg_kmh > 20 or fast_kmh > 25:
        sport = Sport.CYCLING
    elif avg_kmh >= 6.5:
        sport = Sport.RUNNING
    else:
        sport = Sport.WALKING
    why = f"no sport in the file; inferred {sport.value} from average speed {avg_kmh:.1f} km/h"
    if fast_kmh:
        why += f" (95th percentile {fast_kmh:.1f} km/h)"
    return sport, why


def hr_bins(samples: Iterable[tuple[datetime, float]], max_gap_s: float = 30.0) -> dict[int, float]:
    """Seconds spent in each 5-bpm heart-rate bin, from (time, bpm) samples in time order.

    Each sample's bpm holds until the next sample; gaps longer than ``max_gap_s`` (a pause) count
    only ``max_gap_s``.
    """
    out: dict[int, float] = {}
    prev: tuple[datetime, float] | None = None
    for t, hr in samples:
        if prev is not None and prev[1]:
            dt = (t - prev[0]).total_seconds()
            if dt > 0:
                key = int(prev[1] // 5 * 5)
                out[key] = out.get(key, 0.0) + min(dt, max_gap_s)
        prev = (t, hr)
    return out


def hr_bins_array(t_s: np.ndarray, hr_bpm: np.ndarray, max_gap_s: float = 30.0) -> dict[int, float]:
    """:func:`hr_bins` for arrays of times (seconds) and bpm (NaN where missing), with numpy."""
    keep = ~np.isnan(hr_bpm) & ~np.isnan(t_s)
    t, hr = t_s[keep], hr_bpm[keep]
    if len(t) < 2:
        return {}
    dt = np.diff(t)
    prev = hr[:-1]
    ok = (dt > 0) & (prev > 0)
    if not ok.any():
        return {}
    keys = (prev[ok] // 5 * 5).astype(np.int64)
    uniq, inv = np.unique(keys, return_inverse=True)
    sums = np.bincount(inv, weights=np.minimum(dt[ok], max_gap_s))
    return {int(k): float(v) for k, v in zip(uniq, sums)}
