"""Generate the runload sample activity files.

Run from the repository root:

    python sample_activities/generate.py           # (re)write the sample files
    python sample_activities/generate.py --check   # read them back, verify, print the facts

Two made-up athletes are written below ``sample_activities/``:

* ``maya/`` - Maya Lindqvist (Stockholm). Twenty weeks (2026-06-01 .. 2026-10-18) of
  watch files (FIT, a few GPX/TCX from a phone app or an export, a few gzipped). She builds
  up carefully for ten weeks, then jumps her weekly distance by about 40 % and runs a long
  run about 60 % longer than anything in the month before. Two days later the back of her
  right knee starts to hurt (``maya/pain.csv``); the swelling lasts for weeks.
* ``ben/`` - Ben Okafor (Boulder). A Strava bulk export (``ben/strava_export/``): 18 steady
  weeks in one pair of shoes that pass 800 km, five weeks without running, and a slow
  comeback in the same shoes.

Plus ``athletes.toml`` with both athletes' profiles.

Everything is deterministic: all randomness comes from ``random.Random`` seeded from
``SEED``, nothing depends on the time of day, and gzip members are written with
``mtime=0`` and no file name, so running the script twice gives byte-identical files.

Activities are simulated as one record every 5 seconds (like Garmin smart recording).
Speed, heart rate and cadence drift and react to the hills of a loop around the athlete's
home; positions are interpolated along that loop, so they agree with the recorded distance.
FIT files are written with fit-tool, GPX with gpxpy, TCX by hand with xml.etree.

Cadence conventions (as the devices write them): running cadence in FIT, GPX (gpxtpx:cad)
and TCX (ns3:RunCadence) is per leg, i.e. half the steps per minute; cycling cadence is
crank rpm; swimming cadence is strokes per minute.
"""

from __future__ import annotations

import argparse
import bisect
import csv
import datetime as dt
import gzip
import io
import json
import math
import random
import shutil
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import gpxpy
import gpxpy.gpx
from fit_tool.fit_file_builder import FitFileBuilder
from fit_tool.profile.messages.activity_message import ActivityMessage
from fit_tool.profile.messages.device_info_message import DeviceInfoMessage
from fit_tool.profile.messages.event_message import EventMessage
from fit_tool.profile.messages.file_id_message import FileIdMessage
from fit_tool.profile.messages.lap_message import LapMessage
from fit_tool.profile.messages.record_message import RecordMessage
from fit_tool.profile.messages.session_message import SessionMessage
from fit_tool.profile.profile_type import (
    Activity as FitActivityType,
    AntplusDeviceType,
    DisplayMeasure,
    Event,
    EventType,
    FileType,
    GarminProduct,
    Intensity,
    LapTrigger,
    Manufacturer,
    SessionTrigger,
    SourceType,
    Sport,
    SubSport,
)

SEED = 20260601
HERE = Path(__file__).resolve().parent
UTC = dt.timezone.utc
STEP = 5                      # seconds between records
EARTH_RADIUS = 6_371_000.0    # metres, for haversine
FIT_EPOCH = 631_065_600       # 1989-12-31T00:00:00Z as a Unix timestamp
WEEKDAYS = {"Mon": 0, "Tue": 1, "Wed": 2, "Thu": 3, "Fri": 4, "Sat": 5, "Sun": 6}
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

PAIN_COLUMNS = [
    "date", "side", "location", "pain_during", "pain_after", "pain_next_morning", "stiffness",
    "swelling", "popping", "giving_way", "locking", "numbness_tingling", "deformity",
    "cannot_bend_straighten", "cannot_bear_weight", "calf_swelling_redness_warmth",
    "breathless_chest_pain", "fever", "relieved_by_rest", "notes",
]


# --------------------------------------------------------------------------------------
# Athletes and devices
# --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Athlete:
    id: str
    name: str
    email: str
    timezone: str
    sex: str
    birth_year: int
    hr_rest: int
    hr_max: int
    previous_injuries: tuple[str, ...]
    units: str
    home: tuple[float, float]   # lat, lon (not written to athletes.toml)
    home_alt: float
    weight_kg: float
    cadence_offset: float       # personal steps/min offset
    swim_pace: float            # seconds per 100 m

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


MAYA = Athlete(
    id="maya", name="Maya Lindqvist", email="maya@example.org", timezone="Europe/Stockholm",
    sex="female", birth_year=1991, hr_rest=52, hr_max=188,
    previous_injuries=("hamstring strain, right, 2024",), units="km",
    home=(59.3326, 18.0649), home_alt=28.0, weight_kg=61.0, cadence_offset=3.0, swim_pace=107.0,
)
BEN = Athlete(
    id="ben", name="Ben Okafor", email="ben@example.org", timezone="America/Denver",
    sex="male", birth_year=1984, hr_rest=48, hr_max=182, previous_injuries=(), units="km",
    home=(40.0150, -105.2705), home_alt=1641.0, weight_kg=76.0, cadence_offset=-3.0,
    swim_pace=119.0,
)


@dataclass(frozen=True)
class Device:
    name: str
    product: int
    serial: int
    software: float
    unit_id: int


FR255 = Device("Forerunner 255", GarminProduct.FR255.value, 3_405_218_873, 20.26, 3_405_218_873)
FR965 = Device("Forerunner 965", GarminProduct.FR965.value, 3_461_907_215, 21.19, 3_461_907_215)
EDGE530 = Device("Edge 530", GarminProduct.EDGE_530.value, 3_322_640_518, 9.75, 3_322_640_518)
FOOTPOD_SERIAL = 1_874_552


# --------------------------------------------------------------------------------------
# Geometry: closed loops around the athlete's home
# --------------------------------------------------------------------------------------

def haversine(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS * math.asin(math.sqrt(a))


class Route:
    """A smooth closed loop through the athlete's home with rolling hills.

    ``at(d)`` gives latitude, longitude and altitude after ``d`` metres (laps repeat);
    ``grade(d)`` the slope there (rise over run).
    """

    def __init__(self, home: tuple[float, float], base_alt: float, radius: float,
                 bearing_deg: float, wobble: list[tuple[float, int, float]],
                 hills: list[tuple[float, int, float]], clockwise: bool = False):
        lat0, lon0 = home
        m_lat = math.pi * EARTH_RADIUS / 180.0
        m_lon = m_lat * math.cos(math.radians(lat0))
        b = math.radians(bearing_deg)
        sign = -1.0 if clockwise else 1.0

        def r(th: float) -> float:
            return radius * (1.0 + sum(a * math.sin(n * th + ph) for a, n, ph in wobble))

        n_pts = max(720, int(2 * math.pi * radius / 6))
        self.lats: list[float] = []
        self.lons: list[float] = []
        for k in range(n_pts + 1):
            th = sign * 2 * math.pi * k / n_pts
            east = r(th) * math.cos(th + b) - r(0) * math.cos(b)
            north = r(th) * math.sin(th + b) - r(0) * math.sin(b)
            self.lats.append(lat0 + north / m_lat)
            self.lons.append(lon0 + east / m_lon)
        self.cum = [0.0]
        for k in range(1, len(self.lats)):
            self.cum.append(self.cum[-1] + haversine(self.lats[k - 1], self.lons[k - 1],
                                                     self.lats[k], self.lons[k]))
        self.length = self.cum[-1]
        self.base_alt = base_alt
        self.hills = hills

    def alt(self, d: float) -> float:
        s = d % self.length
        return self.base_alt + sum(
            a * (math.sin(2 * math.pi * k * s / self.length + ph) - math.sin(ph))
            for a, k, ph in self.hills)

    def grade(self, d: float) -> float:
        s = d % self.length
        return sum(a * 2 * math.pi * k / self.length * math.cos(2 * math.pi * k * s / self.length + ph)
                   for a, k, ph in self.hills)

    def at(self, d: float) -> tuple[float, float, float]:
        s = d % self.length
        i = min(bisect.bisect_right(self.cum, s) - 1, len(self.cum) - 2)
        f = (s - self.cum[i]) / (self.cum[i + 1] - self.cum[i])
        lat = self.lats[i] + f * (self.lats[i + 1] - self.lats[i])
        lon = self.lons[i] + f * (self.lons[i + 1] - self.lons[i])
        return lat, lon, self.alt(d)


# Loop shapes: (bearing of the loop centre seen from home in degrees, wobble terms, clockwise)
LOOP_SHAPES = {
    "maya": [(20, [(0.12, 2, 0.4), (0.05, 3, 1.3)], False),
             (200, [(0.15, 2, 2.2), (0.06, 5, 0.1)], True),
             (110, [(0.18, 2, 1.0), (0.07, 3, 2.5)], False),
             (300, [(0.10, 3, 0.7), (0.05, 2, 1.9)], True)],
    "ben": [(250, [(0.10, 2, 1.5), (0.05, 3, 0.3)], False),
            (60, [(0.14, 2, 0.2), (0.06, 4, 1.2)], True),
            (160, [(0.16, 2, 2.8), (0.07, 3, 0.9)], False),
            (330, [(0.12, 3, 2.0), (0.04, 2, 0.6)], True)],
}
# Hill terms (amplitude m, waves per loop); phases are drawn per activity
HILLS = {"maya": [(12.0, 1), (6.0, 3), (2.5, 5)], "ben": [(24.0, 1), (9.0, 2), (3.0, 5)]}
BIKE_HILLS = {"maya": [(22.0, 1), (10.0, 3), (4.0, 8)], "ben": [(60.0, 1), (20.0, 3), (6.0, 7)]}


def loop_route(a: Athlete, rng: random.Random, metres: float, bike: bool = False) -> Route:
    """A loop from the athlete's front door whose length is the activity distance, so
    every run and ride starts and ends at home."""
    bearing, wobble, clockwise = rng.choice(LOOP_SHAPES[a.id])
    bearing += rng.uniform(-25, 25)
    scale = (metres / (35000 if bike else 8000)) ** 0.4 * rng.uniform(0.75, 1.25)
    hills = [(amp * scale, k, rng.uniform(0, 2 * math.pi))
             for amp, k in (BIKE_HILLS if bike else HILLS)[a.id]]
    radius = metres / (2 * math.pi)
    route = Route(a.home, a.home_alt, radius, bearing, wobble, hills, clockwise)
    return Route(a.home, a.home_alt, radius * metres / route.length, bearing, wobble, hills, clockwise)


# --------------------------------------------------------------------------------------
# Simulation
# --------------------------------------------------------------------------------------

@dataclass
class Segment:
    metres: float
    pace: float                  # seconds per km on the flat (cycling: also s/km)
    effort: float                # steady heart rate as a fraction of hr_max
    intensity: str               # active | warmup | cooldown | rest
    auto_lap: float | None = 1000.0   # None: the whole segment is one lap
    drift: float = 0.0           # extra fraction of hr_max reached by the end (cardiac drift)


@dataclass
class Sample:
    t: int                       # seconds since start
    dist: float                  # metres since start
    speed: float                 # m/s
    hr: int
    cad: float                   # running: steps/min; cycling: rpm; swimming: strokes/min
    lat: float | None = None
    lon: float | None = None
    alt: float | None = None     # metres, rounded to 0.2 m (FIT resolution)


@dataclass
class Lap:
    first: int                   # index of the sample where the lap starts
    last: int                    # index of the sample where the lap ends
    intensity: str
    trigger: str                 # distance | manual | session_end


@dataclass
class Act:
    athlete: Athlete
    kind: str                    # run kind (see MAYA_WEEKS), ride or swim
    sport: str                   # running | cycling | swimming
    sub_sport: str               # generic | treadmill | road | lap_swimming
    start: dt.datetime           # UTC
    samples: list[Sample]
    laps: list[Lap]
    device: Device
    fmt: str = "fit"             # fit | gpx | tcx
    gz: bool = False
    gpx_type: bool = True        # write <type>running</type> in GPX
    gpx_creator: str = "StravaGPX iPhone"
    name: str = ""
    description: str = ""
    gear: str = ""
    activity_id: int = 0

    @property
    def distance(self) -> float:
        return self.samples[-1].dist

    @property
    def duration(self) -> int:
        return self.samples[-1].t

    @property
    def end(self) -> dt.datetime:
        return self.start + dt.timedelta(seconds=self.duration)

    @property
    def local_start(self) -> dt.datetime:
        return self.start.astimezone(self.athlete.tz)

    @property
    def has_gps(self) -> bool:
        return self.samples[0].lat is not None


def simulate_moving(a: Athlete, rng: random.Random, segments: list[Segment],
                    route: Route | None, sport: str) -> tuple[list[Sample], list[Lap]]:
    """Simulate a run or ride: one sample every STEP seconds, laps at auto-lap marks and
    at segment ends. The last sample of every lap lands exactly on the lap distance."""
    cycling = sport == "cycling"
    treadmill = route is None
    hr = float(a.hr_rest + 30 + rng.randint(0, 15))
    v_noise = hr_noise = cad_noise = 0.0
    samples: list[Sample] = []
    laps: list[Lap] = []

    def position(d: float) -> tuple[float | None, float | None, float | None]:
        if route is None:
            return None, None, None
        lat, lon, alt = route.at(d)
        return lat, lon, round(alt * 5) / 5

    def cadence(v: float, grade: float) -> float:
        nonlocal cad_noise
        cad_noise = 0.8 * cad_noise + rng.gauss(0, 0.9)
        if cycling:
            coast = 250 * max(0.0, -grade - 0.025)
            return max(0.0, 86 + 2 * cad_noise - coast - 80 * max(0.0, grade - 0.03))
        return min(186.0, max(152.0, 140 + 9 * v + a.cadence_offset + cad_noise))

    first_speed = 1000 / segments[0].pace
    samples.append(Sample(0, 0.0, first_speed, round(hr), cadence(first_speed, 0.0),
                          *position(0.0)))
    t, dist = 0, 0.0
    n_segments = len(segments)
    for si, seg in enumerate(segments):
        seg_start, seg_end = dist, dist + seg.metres
        marks: list[tuple[float, str]] = []
        if seg.auto_lap:
            k = 1
            while seg_start + k * seg.auto_lap < seg_end - 1.0:
                marks.append((seg_start + k * seg.auto_lap, "distance"))
                k += 1
        marks.append((seg_end, "session_end" if si == n_segments - 1 else
                       ("distance" if seg.auto_lap and n_segments == 1 else "manual")))
        lap_first = len(samples) - 1
        for mark, trigger in marks:
            while dist < mark - 1e-6:
                grade = 0.0 if treadmill else route.grade(dist)
                if cycling:
                    factor = 1 - (9.0 if grade > 0 else 5.0) * grade
                    factor = min(1.6, max(0.45, factor))
                    sigma = 0.03
                else:
                    factor = 1 - (3.0 if grade > 0 else 1.5) * grade
                    factor = min(1.25, max(0.6, factor))
                    sigma = 0.006 if treadmill else 0.018
                v_noise = 0.85 * v_noise + rng.gauss(0, sigma)
                v = max(0.8, 1000 / seg.pace * factor * (1 + v_noise))
                if dist + v * STEP >= mark - 1e-6:
                    step = max(1, math.ceil((mark - dist) / v))
                    new_dist = mark
                else:
                    step = STEP
                    new_dist = dist + v * STEP
                t += step
                progress = (new_dist - seg_start) / seg.metres
                target = a.hr_max * (seg.effort + seg.drift * progress)
                target += (200 if cycling else 300) * max(-0.03, min(0.05, grade))
                tau = 22.0 if target > hr else 38.0
                hr += (target - hr) * (1 - math.exp(-step / tau))
                hr_noise = 0.7 * hr_noise + rng.gauss(0, 0.8)
                dist = new_dist
                samples.append(Sample(t, round(dist, 2), round(v, 3),
                                      int(min(a.hr_max, round(hr + hr_noise))),
                                      cadence(v, grade), *position(dist)))
            laps.append(Lap(lap_first, len(samples) - 1, seg.intensity, trigger))
            lap_first = len(samples) - 1
    return samples, laps


def simulate_swim(a: Athlete, rng: random.Random, sets: list[tuple[int, int]]
                  ) -> tuple[list[Sample], list[Lap]]:
    """Pool swim: each (metres, rest seconds) set is one active lap, each rest a rest lap."""
    hr = float(a.hr_rest + 25)
    effort = rng.uniform(0.70, 0.79)
    t, dist = 0, 0.0
    samples = [Sample(0, 0.0, 0.0, round(hr), 0.0)]
    laps: list[Lap] = []
    v_noise = 0.0
    for i, (metres, rest) in enumerate(sets):
        first = len(samples) - 1
        end = dist + metres
        while dist < end - 1e-6:
            v_noise = 0.8 * v_noise + rng.gauss(0, 0.02)
            v = 100 / a.swim_pace * (1 + v_noise)
            if dist + v * STEP >= end - 1e-6:
                step, dist = max(1, math.ceil((end - dist) / v)), end
            else:
                step, dist = STEP, dist + v * STEP
            t += step
            hr += (a.hr_max * effort - hr) * (1 - math.exp(-step / 30))
            samples.append(Sample(t, round(dist, 2), round(v, 3), round(hr + rng.gauss(0, 1)),
                                  round(29 + rng.gauss(0, 1.5))))
        laps.append(Lap(first, len(samples) - 1, "active",
                        "session_end" if i == len(sets) - 1 else "manual"))
        if rest:
            first = len(samples) - 1
            rest_end = t + rest
            while t < rest_end:
                step = min(STEP, rest_end - t)
                t += step
                hr += (a.hr_max * 0.55 - hr) * (1 - math.exp(-step / 25))
                samples.append(Sample(t, round(dist, 2), 0.0, round(hr + rng.gauss(0, 1)), 0.0))
            laps.append(Lap(first, len(samples) - 1, "rest", "manual"))
    return samples, laps


# --------------------------------------------------------------------------------------
# Workouts
# --------------------------------------------------------------------------------------

PACES = {  # seconds per km and effort (fraction of hr_max) per run type
    "maya": {"easy": (362, 0.70), "long": (368, 0.70), "recovery": (395, 0.68),
             "return": (378, 0.69), "tempo": (292, 0.875), "rep": (262, 0.905),
             "jog": (405, 0.74), "warmup": (370, 0.68), "cooldown": (380, 0.70)},
    "ben": {"easy": (352, 0.69), "long": (358, 0.69), "recovery": (372, 0.67),
            "return": (372, 0.67), "tempo": (286, 0.87), "rep": (248, 0.895),
            "jog": (400, 0.73), "warmup": (365, 0.67), "cooldown": (372, 0.69)},
}


def run_segments(a: Athlete, rng: random.Random, kind: str, metres: int) -> list[Segment]:
    p = PACES[a.id]

    def pace(key: str, spread: float = 7.0) -> float:
        return p[key][0] + rng.uniform(-spread, spread)

    def eff(key: str) -> float:
        return p[key][1] + rng.uniform(-0.015, 0.015)

    if kind in ("easy", "treadmill", "treadmill-recovery", "recovery", "return"):
        key = {"treadmill": "easy", "treadmill-recovery": "recovery"}.get(kind, kind)
        return [Segment(metres, pace(key), eff(key), "active", 1000.0, drift=0.02)]
    if kind == "long":
        drift = 0.03 + 0.04 * max(0.0, (metres - 12000) / 14000)
        return [Segment(metres, pace("long", 5), eff("long"), "active", 1000.0, drift=drift)]
    warm, cool = 2000, 1500
    if kind == "tempo":
        tempo = metres - warm - cool
        assert 4000 <= tempo <= 6500, (kind, metres)
        return [Segment(warm, pace("warmup"), eff("warmup"), "warmup", None),
                Segment(tempo, pace("tempo", 4), eff("tempo"), "active", None, drift=0.02),
                Segment(cool, pace("cooldown"), eff("cooldown"), "cooldown", None)]
    if kind in ("intervals", "intervals1k"):
        rep, rec = (1000, 400) if kind == "intervals1k" else (800, 200)
        reps = (metres - warm - cool + rec) // (rep + rec)
        assert warm + cool + reps * rep + (reps - 1) * rec == metres, (kind, metres)
        segs = [Segment(warm, pace("warmup"), eff("warmup"), "warmup", None)]
        rep_pace = pace("rep", 4) + (8 if rep == 1000 else 0)
        for i in range(reps):
            segs.append(Segment(rep, rep_pace + rng.uniform(-3, 3), eff("rep") + 0.004 * i,
                                "active", None))
            if i < reps - 1:
                segs.append(Segment(rec, pace("jog"), eff("jog"), "rest", None))
        segs.append(Segment(cool, pace("cooldown"), eff("cooldown"), "cooldown", None))
        return segs
    raise ValueError(kind)


def build_activity(a: Athlete, day: dt.date, when: str, kind: str,
                   amount: float, rng: random.Random, device: Device,
                   bike_device: Device | None = None) -> Act:
    """Create one activity. ``amount`` is km for runs, minutes for rides, metres for swims.
    ``when`` is am | pm | long (Sunday morning) and picks a plausible local start time."""
    if when == "long":
        local_min = rng.randint(7 * 60, 7 * 60 + 55)
    elif when == "am":
        local_min = rng.randint(6 * 60, 7 * 60 + 50) if kind != "ride" else rng.randint(8 * 60, 9 * 60 + 30)
    else:
        local_min = rng.randint(17 * 60, 19 * 60 + 15) if kind != "swim" else rng.randint(18 * 60, 19 * 60 + 30)
    local = dt.datetime(day.year, day.month, day.day, local_min // 60, local_min % 60,
                        rng.randint(0, 59), tzinfo=a.tz)
    start = local.astimezone(UTC)

    if kind == "ride":
        kmh = 25.0 + rng.uniform(-1.5, 1.5)
        metres = round(amount / 60 * kmh * 10) * 100
        seg = Segment(metres, 3600 / kmh, 0.66 + rng.uniform(-0.03, 0.03), "active", 10000.0)
        samples, laps = simulate_moving(a, rng, [seg], loop_route(a, rng, metres, bike=True), "cycling")
        return Act(a, kind, "cycling", "road", start, samples, laps, bike_device or device)
    if kind == "swim":
        sets = [(300, 20)]
        left = int(amount) - 300 - 200
        while left >= 400:
            sets.append((200, 15))
            left -= 200
        while left > 0:
            sets.append((100, 10))
            left -= 100
        sets.append((200, 0))
        samples, laps = simulate_swim(a, rng, sets)
        return Act(a, kind, "swimming", "lap_swimming", start, samples, laps, device)

    metres = round(amount * 1000)
    segs = run_segments(a, rng, kind, metres)
    treadmill = kind.startswith("treadmill")
    route = None if treadmill else loop_route(a, rng, metres)
    samples, laps = simulate_moving(a, rng, segs, route, "running")
    return Act(a, kind, "running", "treadmill" if treadmill else "generic",
               start, samples, laps, device)


def lap_stats(act: Act, first: int, last: int) -> dict:
    s = act.samples[first:last + 1]
    moving = s[1:] or s
    hrs = [x.hr for x in moving]
    active = [x for x in moving if x.speed > 0]
    cads = [x.cad for x in active] or [0.0]
    half = 0.5 if act.sport == "running" else 1.0
    ascent = descent = 0.0
    if s[0].alt is not None:
        for p, q in zip(s, s[1:]):
            diff = q.alt - p.alt
            ascent += max(0.0, diff)
            descent += max(0.0, -diff)
    time = float(s[-1].t - s[0].t)
    dist = s[-1].dist - s[0].dist
    a = act.athlete
    if act.sport == "running":
        kcal = a.weight_kg * dist / 1000 * 1.02
    elif act.sport == "cycling":
        kcal = time / 60 * (7.5 if a is MAYA else 9.5)
    else:
        kcal = time / 60 * (8.0 if a is MAYA else 9.5)
    return {
        "time": time, "dist": dist,
        "avg_speed": dist / time if time else 0.0,
        "max_speed": max(x.speed for x in moving),
        "avg_hr": round(sum(hrs) / len(hrs)), "max_hr": max(hrs), "min_hr": min(hrs),
        "avg_cad": round(sum(cads) / len(cads) * half),
        "max_cad": round(max(cads) * half),
        "ascent": round(ascent), "descent": round(descent),
        "kcal": round(kcal),
    }


# --------------------------------------------------------------------------------------
# Writers
# --------------------------------------------------------------------------------------

def ms(t: dt.datetime) -> int:
    return int(t.timestamp()) * 1000


SPORTS = {"running": Sport.RUNNING, "cycling": Sport.CYCLING, "swimming": Sport.SWIMMING}
SUB_SPORTS = {"generic": SubSport.GENERIC, "treadmill": SubSport.TREADMILL,
              "road": SubSport.ROAD, "lap_swimming": SubSport.LAP_SWIMMING}
INTENSITIES = {"active": Intensity.ACTIVE, "rest": Intensity.REST,
               "warmup": Intensity.WARMUP, "cooldown": Intensity.COOLDOWN}
TRIGGERS = {"distance": LapTrigger.DISTANCE, "manual": LapTrigger.MANUAL,
            "session_end": LapTrigger.SESSION_END}


def _fill_summary(m, act: Act, st: dict, first: Sample, last: Sample) -> None:
    """Fields shared by lap and session messages."""
    m.timestamp = ms(act.start) + last.t * 1000
    m.start_time = ms(act.start) + first.t * 1000
    if first.lat is not None:
        m.start_position_lat, m.start_position_long = first.lat, first.lon
        m.end_position_lat, m.end_position_long = last.lat, last.lon
    m.total_elapsed_time = st["time"]
    m.total_timer_time = st["time"]
    m.total_distance = st["dist"]
    m.total_calories = st["kcal"]
    m.avg_speed = st["avg_speed"]
    m.max_speed = st["max_speed"]
    m.avg_heart_rate = st["avg_hr"]
    m.max_heart_rate = st["max_hr"]
    m.avg_cadence = st["avg_cad"]
    m.max_cadence = st["max_cad"]
    if first.alt is not None:
        m.total_ascent = st["ascent"]
        m.total_descent = st["descent"]
    m.sport = SPORTS[act.sport]
    m.sub_sport = SUB_SPORTS[act.sub_sport]


def fit_bytes(act: Act) -> bytes:
    b = FitFileBuilder(auto_define=True)
    t0 = ms(act.start)
    dev = act.device

    m = FileIdMessage(local_id=0)
    m.type = FileType.ACTIVITY
    m.manufacturer = Manufacturer.GARMIN.value
    m.product = dev.product
    m.serial_number = dev.serial
    m.time_created = t0
    b.add(m)

    ev = EventMessage(local_id=2)
    ev.timestamp = t0
    ev.event = Event.TIMER
    ev.event_type = EventType.START
    ev.event_group = 0
    b.add(ev)

    m = DeviceInfoMessage(local_id=1)
    m.timestamp = t0
    m.device_index = 0
    m.manufacturer = Manufacturer.GARMIN.value
    m.product = dev.product
    m.serial_number = dev.serial
    m.software_version = dev.software
    m.source_type = SourceType.LOCAL
    b.add(m)
    if act.sub_sport == "treadmill":
        m = DeviceInfoMessage(local_id=1)
        m.timestamp = t0
        m.device_index = 1
        m.source_type = SourceType.ANTPLUS
        m.antplus_device_type = AntplusDeviceType.STRIDE_SPEED_DISTANCE.value
        m.manufacturer = Manufacturer.GARMIN.value
        m.serial_number = FOOTPOD_SERIAL
        b.add(m)

    lap_end = {lap.last: i for i, lap in enumerate(act.laps)}
    lap_msgs = []
    for i, lap in enumerate(act.laps):
        st = lap_stats(act, lap.first, lap.last)
        m = LapMessage(local_id=4)
        m.message_index = i
        m.event = Event.LAP
        m.event_type = EventType.STOP
        _fill_summary(m, act, st, act.samples[lap.first], act.samples[lap.last])
        m.intensity = INTENSITIES[lap.intensity]
        m.lap_trigger = TRIGGERS[lap.trigger]
        lap_msgs.append(m)

    for idx, s in enumerate(act.samples):
        r = RecordMessage(local_id=3)
        r.timestamp = t0 + s.t * 1000
        if s.lat is not None:
            r.position_lat = s.lat
            r.position_long = s.lon
        r.distance = s.dist
        r.speed = s.speed
        r.enhanced_speed = s.speed
        if s.alt is not None:
            r.altitude = s.alt
            r.enhanced_altitude = s.alt
        r.heart_rate = s.hr
        r.cadence = round(s.cad * (0.5 if act.sport == "running" else 1.0))
        b.add(r)
        i = lap_end.get(idx)
        if i is not None and i < len(act.laps) - 1 and idx > 0:
            b.add(lap_msgs[i])

    end = t0 + act.duration * 1000
    ev = EventMessage(local_id=2)
    ev.timestamp = end
    ev.event = Event.TIMER
    ev.event_type = EventType.STOP_ALL
    ev.event_group = 0
    b.add(ev)
    b.add(lap_msgs[-1])

    st = lap_stats(act, 0, len(act.samples) - 1)
    m = SessionMessage(local_id=5)
    m.message_index = 0
    m.event = Event.SESSION
    m.event_type = EventType.STOP
    _fill_summary(m, act, st, act.samples[0], act.samples[-1])
    m.first_lap_index = 0
    m.num_laps = len(act.laps)
    m.trigger = SessionTrigger.ACTIVITY_END
    if act.sport == "swimming":
        m.pool_length = 25.0
        m.pool_length_unit = DisplayMeasure.METRIC
        m.num_active_lengths = round(act.distance / 25)
        m.num_lengths = round(act.distance / 25)
    b.add(m)

    end_utc = act.end
    local_offset = int(end_utc.astimezone(act.athlete.tz).utcoffset().total_seconds())
    m = ActivityMessage(local_id=6)
    m.timestamp = end
    m.total_timer_time = float(act.duration)
    m.num_sessions = 1
    m.type = FitActivityType.MANUAL
    m.event = Event.ACTIVITY
    m.event_type = EventType.STOP
    m.local_timestamp = int(end_utc.timestamp()) + local_offset - FIT_EPOCH
    b.add(m)
    return b.build().to_bytes()


GPXTPX = "http://www.garmin.com/xmlschemas/TrackPointExtension/v1"


def gpx_bytes(act: Act) -> bytes:
    g = gpxpy.gpx.GPX()
    g.version = "1.1"
    g.creator = act.gpx_creator
    g.nsmap["gpxtpx"] = GPXTPX
    g.time = act.start
    g.name = act.name
    trk = gpxpy.gpx.GPXTrack(name=act.name)
    if act.gpx_type:
        trk.type = "running"
    seg = gpxpy.gpx.GPXTrackSegment()
    for s in act.samples:
        p = gpxpy.gpx.GPXTrackPoint(round(s.lat, 7), round(s.lon, 7), elevation=round(s.alt, 1),
                                    time=act.start + dt.timedelta(seconds=s.t))
        ext = ET.Element(f"{{{GPXTPX}}}TrackPointExtension")
        ET.SubElement(ext, f"{{{GPXTPX}}}hr").text = str(s.hr)
        ET.SubElement(ext, f"{{{GPXTPX}}}cad").text = str(round(s.cad / 2))
        p.extensions.append(ext)
        seg.points.append(p)
    trk.segments.append(seg)
    g.tracks.append(trk)
    return g.to_xml(version="1.1").encode("utf-8")


TCD = "http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2"
AX = "http://www.garmin.com/xmlschemas/ActivityExtension/v2"
XSI = "http://www.w3.org/2001/XMLSchema-instance"


def tcx_time(t: dt.datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def tcx_bytes(act: Act) -> bytes:
    ET.register_namespace("", TCD)
    ET.register_namespace("xsi", XSI)
    # Garmin Connect writes the activity extension with the prefix "ns3", which
    # register_namespace() refuses ("ns<digits>" is reserved), so set the map directly.
    ET._namespace_map[AX] = "ns3"

    def el(parent, tag, text=None, ns=TCD, **attrs):
        e = ET.SubElement(parent, f"{{{ns}}}{tag}", attrs)
        if text is not None:
            e.text = text
        return e

    root = ET.Element(f"{{{TCD}}}TrainingCenterDatabase", {
        f"{{{XSI}}}schemaLocation": f"{TCD} http://www.garmin.com/xmlschemas/TrainingCenterDatabasev2.xsd"})
    acts = el(root, "Activities")
    a = el(acts, "Activity", Sport="Running")
    el(a, "Id", tcx_time(act.start))
    for lap in act.laps:
        st = lap_stats(act, lap.first, lap.last)
        first = act.samples[lap.first]
        lp = el(a, "Lap", StartTime=tcx_time(act.start + dt.timedelta(seconds=first.t)))
        el(lp, "TotalTimeSeconds", f"{st['time']:.1f}")
        el(lp, "DistanceMeters", f"{st['dist']:.2f}")
        el(lp, "MaximumSpeed", f"{st['max_speed']:.3f}")
        el(lp, "Calories", str(st["kcal"]))
        el(el(lp, "AverageHeartRateBpm"), "Value", str(st["avg_hr"]))
        el(el(lp, "MaximumHeartRateBpm"), "Value", str(st["max_hr"]))
        el(lp, "Intensity", "Resting" if lap.intensity == "rest" else "Active")
        el(lp, "TriggerMethod", "Distance" if lap.trigger == "distance" else "Manual")
        trk = el(lp, "Track")
        start_i = lap.first if lap.first == 0 else lap.first + 1
        for s in act.samples[start_i:lap.last + 1]:
            tp = el(trk, "Trackpoint")
            el(tp, "Time", tcx_time(act.start + dt.timedelta(seconds=s.t)))
            pos = el(tp, "Position")
            el(pos, "LatitudeDegrees", f"{s.lat:.7f}")
            el(pos, "LongitudeDegrees", f"{s.lon:.7f}")
            el(tp, "AltitudeMeters", f"{s.alt:.1f}")
            el(tp, "DistanceMeters", f"{s.dist:.2f}")
            el(el(tp, "HeartRateBpm"), "Value", str(s.hr))
            tpx = el(el(tp, "Extensions"), "TPX", ns=AX)
            el(tpx, "Speed", f"{s.speed:.3f}", ns=AX)
            el(tpx, "RunCadence", str(round(s.cad / 2)), ns=AX)
        lx = el(el(lp, "Extensions"), "LX", ns=AX)
        el(lx, "AvgSpeed", f"{st['avg_speed']:.3f}", ns=AX)
        el(lx, "AvgRunCadence", str(st["avg_cad"]), ns=AX)
        el(lx, "MaxRunCadence", str(st["max_cad"]), ns=AX)
    creator = el(a, "Creator", **{f"{{{XSI}}}type": "Device_t"})
    el(creator, "Name", act.device.name)
    el(creator, "UnitId", str(act.device.unit_id))
    el(creator, "ProductID", str(act.device.product))
    ver = el(creator, "Version")
    major, minor = f"{act.device.software:.2f}".split(".")
    el(ver, "VersionMajor", major)
    el(ver, "VersionMinor", minor)
    el(ver, "BuildMajor", "0")
    el(ver, "BuildMinor", "0")
    author = el(root, "Author", **{f"{{{XSI}}}type": "Application_t"})
    el(author, "Name", "Connect Api")
    build = el(el(author, "Build"), "Version")
    for tag, val in (("VersionMajor", "24"), ("VersionMinor", "10"),
                     ("BuildMajor", "0"), ("BuildMinor", "0")):
        el(build, tag, val)
    el(author, "LangID", "en")
    el(author, "PartNumber", "006-D2449-00")
    ET.indent(root, space="  ")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            + ET.tostring(root, encoding="unicode") + "\n").encode("utf-8")


def gzip_bytes(data: bytes) -> bytes:
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", mtime=0, filename="") as z:
        z.write(data)
    return buf.getvalue()


def encode(act: Act) -> tuple[str, bytes]:
    """File extension and bytes of an activity in its format."""
    data = {"fit": fit_bytes, "gpx": gpx_bytes, "tcx": tcx_bytes}[act.fmt](act)
    if act.gz:
        return act.fmt + ".gz", gzip_bytes(data)
    return act.fmt, data


# --------------------------------------------------------------------------------------
# Maya's plan
# --------------------------------------------------------------------------------------

MAYA_START = dt.date(2026, 6, 1)

# One (running km, rows) entry per week; one row per activity: (weekday, kind, amount,
# when[, format]). amount: km for runs (workouts include warm-up and cool-down), minutes
# for rides, metres for swims. Run kinds: easy, tempo, intervals, long, treadmill,
# treadmill-recovery, recovery (slow, knee-limited), return (easy, after the injury).
# Tempo = 2 km warm-up + tempo + 1.5 km cool-down; intervals = 2 km + n x 800 m with
# 200 m jogs + 1.5 km. Formats: fit (default), fit.gz, gpx, gpx-notype (phone app that
# writes no <type>), gpx.gz, tcx, tcx.gz.
MAYA_WEEKS: list[tuple[float, list[tuple]]] = [
    # week 1 .. 10: steady build, easier week 6
    (30.0, [("Tue", "easy", 5.2, "am"), ("Wed", "ride", 75, "pm"), ("Thu", "intervals", 8.3, "pm"),
            ("Sat", "easy", 4.5, "am"), ("Sun", "long", 12.0, "long")]),
    (31.6, [("Tue", "easy", 5.5, "am"), ("Wed", "swim", 1800, "pm"), ("Thu", "tempo", 7.7, "pm"),
            ("Fri", "treadmill", 5.9, "pm"), ("Sat", "ride", 90, "am"), ("Sun", "long", 12.5, "long")]),
    (33.4, [("Mon", "easy", 5.0, "pm"), ("Wed", "intervals", 9.3, "pm"),
            ("Fri", "easy", 6.1, "am", "gpx"), ("Sun", "long", 13.0, "long")]),
    (35.2, [("Tue", "easy", 6.0, "am"), ("Wed", "ride", 80, "pm"), ("Thu", "tempo", 8.5, "pm"),
            ("Fri", "swim", 2000, "am"), ("Sat", "easy", 7.2, "am", "tcx"), ("Sun", "long", 13.5, "long")]),
    (37.0, [("Mon", "easy", 5.0, "pm"), ("Tue", "intervals", 9.3, "pm"), ("Wed", "ride", 90, "pm"),
            ("Thu", "treadmill", 5.2, "am"), ("Sat", "easy", 3.5, "am"), ("Sun", "long", 14.0, "long")]),
    (31.0, [("Tue", "easy", 6.0, "am"), ("Wed", "swim", 1600, "pm"), ("Thu", "tempo", 7.7, "pm"),
            ("Fri", "ride", 60, "pm"), ("Sat", "easy", 6.3, "am", "fit.gz"), ("Sun", "long", 11.0, "long")]),
    (33.6, [("Tue", "easy", 6.0, "am"), ("Wed", "intervals", 8.3, "pm"), ("Thu", "ride", 75, "pm"),
            ("Fri", "easy", 4.8, "am", "gpx-notype"), ("Sun", "long", 14.5, "long")]),
    (35.8, [("Mon", "easy", 5.0, "pm"), ("Tue", "tempo", 9.1, "pm"), ("Wed", "ride", 100, "pm"),
            ("Thu", "treadmill", 6.7, "am"), ("Fri", "swim", 2200, "pm"), ("Sun", "long", 15.0, "long")]),
    (37.8, [("Tue", "easy", 6.5, "am"), ("Wed", "intervals", 9.3, "pm"), ("Thu", "ride", 90, "pm"),
            ("Fri", "easy", 6.5, "am", "tcx"), ("Sun", "long", 15.5, "long")]),
    (40.0, [("Mon", "easy", 5.0, "pm"), ("Tue", "tempo", 9.5, "pm"), ("Wed", "ride", 75, "pm"),
            ("Thu", "easy", 6.0, "am"), ("Sat", "easy", 3.5, "am", "fit.gz"), ("Sun", "long", 16.0, "long")]),
    # week 11: +40 % and a 25.6 km long run (previous longest 16 km)
    (56.0, [("Mon", "easy", 6.0, "pm"), ("Tue", "intervals", 9.3, "pm"), ("Thu", "easy", 8.0, "am"),
            ("Fri", "easy", 7.1, "pm"), ("Sun", "long", 25.6, "long")]),
    # weeks 12-13: knee hurts, fewer, shorter, slower runs
    (19.0, [("Tue", "recovery", 6.0, "pm"), ("Wed", "ride", 60, "pm"), ("Thu", "recovery", 5.0, "pm"),
            ("Sun", "recovery", 8.0, "long")]),
    (16.0, [("Tue", "recovery", 5.0, "pm"), ("Wed", "ride", 75, "pm"), ("Thu", "treadmill-recovery", 5.0, "pm"),
            ("Sat", "swim", 1600, "am", "fit.gz"), ("Sun", "recovery", 6.0, "long")]),
    # weeks 14-16: very little running, cycling and swimming instead
    (7.5, [("Tue", "recovery", 4.0, "pm"), ("Wed", "swim", 1800, "pm"), ("Thu", "ride", 60, "pm"),
           ("Sat", "recovery", 3.5, "am"), ("Sun", "ride", 90, "am")]),
    (8.0, [("Tue", "recovery", 4.0, "pm"), ("Wed", "swim", 2000, "pm"), ("Thu", "ride", 75, "pm"),
           ("Sat", "recovery", 4.0, "am"), ("Sun", "ride", 100, "am")]),
    (8.5, [("Mon", "swim", 2000, "pm"), ("Wed", "recovery", 4.5, "pm"), ("Thu", "ride", 80, "pm"),
           ("Sat", "recovery", 4.0, "am", "gpx.gz"), ("Sun", "ride", 90, "am")]),
    # weeks 17-20: gentle return
    (9.3, [("Tue", "return", 4.8, "pm", "gpx-notype"), ("Wed", "swim", 2200, "pm"),
           ("Sat", "return", 4.5, "am"), ("Sun", "ride", 90, "am")]),
    (10.2, [("Tue", "return", 3.4, "pm"), ("Wed", "swim", 2000, "pm"), ("Thu", "return", 3.4, "pm", "tcx"),
            ("Sat", "return", 3.4, "am"), ("Sun", "ride", 100, "am")]),
    (11.2, [("Tue", "return", 3.8, "pm"), ("Wed", "swim", 2200, "pm"), ("Thu", "return", 3.6, "pm", "gpx"),
            ("Sat", "ride", 90, "am"), ("Sun", "return", 3.8, "long")]),
    (12.3, [("Tue", "return", 4.0, "pm"), ("Wed", "swim", 2000, "pm"), ("Thu", "return", 4.0, "pm", "tcx.gz"),
            ("Sat", "ride", 110, "am"), ("Sun", "return", 4.3, "long")]),
]

# (date, side, location, during, after, next morning, stiffness, swelling, relieved_by_rest, notes)
MAYA_PAIN = [
    ("2026-08-18", "right", "back", 1, 2, 1, 3, "none", "yes",
     "tight behind right knee after long run on Sunday, eased once warmed up"),
    ("2026-08-20", "right", "back", 2, 3, 1, 4, "none", "yes",
     "still tight behind right knee, stiff for the first km"),
    ("2026-08-23", "right", "back", 2, 4, 3, 4, "mild", "yes",
     "a bit puffy behind right knee after the run, cut it short"),
    ("2026-08-25", "right", "back", 3, 5, 4, 5, "mild", "no",
     "tightness behind knee not going away on rest days"),
    ("2026-08-27", "right", "back", 4, 6, 5, 6, "moderate", "no",
     "swelling behind knee, hard to squat fully"),
    ("2026-08-30", "right", "back", 4, 6, 6, 6, "moderate", "no",
     "swelling behind right knee, feels full when bending"),
    ("2026-09-01", "right", "back", 5, 7, 6, 7, "moderate", "no",
     "hurt after 3 km, swelling behind knee again in the evening"),
    ("2026-09-03", "right", "back", None, None, 5, 6, "moderate", "no",
     "no run, cycled instead; still swollen behind knee, stiff on stairs"),
    ("2026-09-06", "right", "back", None, None, 5, 6, "moderate", "no",
     "rode 90 min, fine on the bike but swollen behind knee in the evening"),
    ("2026-09-08", "right", "back", 3, 6, 5, 6, "moderate", "no",
     "short easy run, swelling behind knee still there next morning"),
    ("2026-09-10", "right", "back", None, None, 4, 6, "moderate", "no",
     "rested from running all week, still hard to squat fully"),
    ("2026-09-13", "right", "back", None, None, 4, 5, "mild", "no",
     "swelling a little less but still tight behind knee after two days off"),
    ("2026-09-16", "right", "back", 2, 4, 3, 4, "mild", "yes",
     "saw a physio; run felt better, swelling going down"),
    ("2026-09-19", "right", "back", 2, 3, 2, 4, "mild", "yes",
     "better, only mild tightness behind knee"),
    ("2026-09-23", "right", "back", None, None, 2, 3, "none", "yes",
     "no swelling today, squats feel normal"),
    ("2026-09-26", "right", "back", 1, 2, 1, 3, "none", "yes",
     "easy 4.5 km, a little tight at the end"),
    ("2026-09-30", "right", "back", None, None, 1, 2, "none", "yes",
     "knee feels normal on rest day"),
    ("2026-10-03", "right", "back", 1, 2, 1, 2, "none", "yes", "easy run, fine"),
    ("2026-10-08", "right", "back", 1, 1, 1, 2, "none", "yes", "slight tightness in the first km only"),
    ("2026-10-11", "right", "back", 0, 1, 0, 1, "none", "yes", "no pain"),
    ("2026-10-13", "right", "back", 0, 1, 0, 1, "none", "yes", "all good"),
    ("2026-10-18", "right", "back", 0, 0, 0, 1, "none", "yes", "no pain, knee feels normal"),
]


def apply_format(act: Act, fmt: str) -> None:
    if fmt.endswith(".gz"):
        act.gz = True
        fmt = fmt[:-3]
    if fmt == "gpx-notype":
        act.fmt, act.gpx_type, act.gpx_creator = "gpx", False, "Runkeeper - http://www.runkeeper.com"
    else:
        act.fmt = fmt


def strava_name(act: Act) -> str:
    h = act.local_start.hour
    part = ("Morning" if 4 <= h < 11 else "Lunch" if h < 14 else "Afternoon" if h < 17
            else "Evening" if h < 21 else "Night")
    return f"{part} {dict(running='Run', cycling='Ride', swimming='Swim')[act.sport]}"


def maya_activities() -> list[Act]:
    acts = []
    for w, (target, rows) in enumerate(MAYA_WEEKS):
        monday = MAYA_START + dt.timedelta(weeks=w)
        run_km = sum(r[2] for r in rows if r[1] not in ("ride", "swim"))
        assert abs(run_km - target) < 1e-6, (w + 1, run_km, target)
        for row in rows:
            day = monday + dt.timedelta(days=WEEKDAYS[row[0]])
            kind, amount, when = row[1], row[2], row[3]
            rng = random.Random(f"{SEED}/maya/{day.isoformat()}/{kind}")
            act = build_activity(MAYA, day, when, kind, amount, rng, FR255)
            apply_format(act, row[4] if len(row) > 4 else "fit")
            act.name = strava_name(act)
            acts.append(act)
    return acts


# --------------------------------------------------------------------------------------
# Ben's plan
# --------------------------------------------------------------------------------------

BEN_START = dt.date(2026, 3, 2)
BEN_SHOES = "Nike Pegasus 40"
BEN_BIKE = "Trek Domane AL 2"
# 18 build weeks: weekly km and the Sunday long run
BEN_WEEK_KM = [44.0, 45.2, 46.0, 47.1, 44.6, 46.5, 47.8, 48.6, 45.0,
               47.0, 48.2, 49.0, 46.1, 47.5, 48.8, 49.6, 47.0, 48.3]
BEN_LONG_KM = [14.0, 14.5, 15.0, 15.5, 14.0, 15.5, 16.0, 16.5, 14.5,
               16.0, 16.5, 17.0, 15.0, 16.0, 17.0, 18.0, 16.0, 17.0]
BEN_RIDE_WEEKS = {2: 75, 6: 95, 10: 110, 14: 80}            # week index -> minutes (Monday)
BEN_BREAK_SWIMS = [dt.date(2026, 7, 15), dt.date(2026, 7, 29)]
BEN_RETURN = dt.date(2026, 8, 10)
# Comeback: 10 weeks of three short easy runs (km), Mon/Wed/Sat in the first week,
# then Tue (evening), Thu (morning), Sun (evening).
BEN_RETURN_KM = [(4.0, 4.0, 4.5), (4.0, 4.5, 4.5), (4.5, 4.5, 4.5), (4.5, 4.5, 5.0),
                 (4.5, 5.0, 5.0), (5.0, 5.0, 5.0), (5.0, 5.0, 5.5), (5.0, 5.5, 5.5),
                 (5.5, 5.5, 5.5), (5.5, 5.5, 6.0)]
BEN_RETURN_RIDES = [(dt.date(2026, 8, 22), 70), (dt.date(2026, 9, 19), 90)]

BEN_PAIN = [
    ("2026-08-20", "left", "back", 0, 1, 0, 2, "none", "yes",
     "bit of stiffness behind left knee after the run, gone after a walk"),
    ("2026-09-03", "left", "back", 0, 1, 0, 1, "none", "yes",
     "slight stiffness behind left knee again, fine next morning"),
]


def ben_activities() -> list[Act]:
    plan_rng = random.Random(f"{SEED}/ben/plan")
    rows: list[tuple[dt.date, str, float, str]] = []
    for w in range(18):
        monday = BEN_START + dt.timedelta(weeks=w)
        total, long_km = round(BEN_WEEK_KM[w] * 1000), round(BEN_LONG_KM[w] * 1000)
        if w % 2 == 0:
            quality = ("intervals", 9300) if w % 4 == 0 else ("intervals1k", 10100)
        else:
            quality = ("tempo", 3500 + [5000, 5500, 6000][w % 3])
        rest = total - long_km - quality[1]
        e1 = round(rest / 3 + plan_rng.uniform(-700, 700), -2)
        e2 = round(rest / 3 + plan_rng.uniform(-700, 700), -2)
        e3 = rest - e1 - e2
        day = lambda name: monday + dt.timedelta(days=WEEKDAYS[name])  # noqa: E731
        if w in BEN_RIDE_WEEKS:
            rows.append((day("Mon"), "ride", BEN_RIDE_WEEKS[w], "am"))
        rows += [(day("Tue"), "easy", e1 / 1000, "pm"), (day("Wed"), quality[0], quality[1] / 1000, "pm"),
                 (day("Thu"), "easy", e2 / 1000, "am"), (day("Sat"), "easy", e3 / 1000, "am"),
                 (day("Sun"), "long", long_km / 1000, "long")]
    for d in BEN_BREAK_SWIMS:
        rows.append((d, "swim", 1500 + 100 * plan_rng.randint(0, 4), "pm"))
    for w, kms in enumerate(BEN_RETURN_KM):
        monday = BEN_RETURN + dt.timedelta(weeks=w)
        slots = ([("Mon", "am"), ("Wed", "pm"), ("Sat", "am")] if w == 0 else
                 [("Tue", "pm"), ("Thu", "am"), ("Sun", "pm")])
        for (name, when), km in zip(slots, kms):
            rows.append((monday + dt.timedelta(days=WEEKDAYS[name]), "return", km, when))
    for d, minutes in BEN_RETURN_RIDES:
        rows.append((d, "ride", minutes, "am"))

    acts = []
    for d, kind, amount, when in rows:
        rng = random.Random(f"{SEED}/ben/{d.isoformat()}/{kind}")
        act = build_activity(BEN, d, when, kind, amount, rng, FR965, bike_device=EDGE530)
        act.gz = True
        acts.append(act)
    acts.sort(key=lambda x: x.start)

    id_rng = random.Random(f"{SEED}/ben/ids")
    next_id = 16_412_380_000 + id_rng.randint(0, 99_999)
    n_run = 0
    for act in acts:
        act.activity_id = next_id
        next_id += id_rng.randint(25_000_000, 95_000_000)
        act.name = strava_name(act)
        if act.sport == "running":
            act.gear = BEN_SHOES
            if n_run in (23, 97):
                act.fmt = "tcx"
            elif n_run % 9 == 4:
                act.fmt, act.gpx_creator = "gpx", "StravaGPX Android"
                act.gpx_type = (n_run // 9) % 2 == 0
            n_run += 1
            if act.kind == "long":
                act.name = "Sunday long run"
            elif act.kind == "tempo":
                act.name = "Tempo Wednesday"
            elif act.kind == "intervals":
                act.name = "6 x 800 m"
            elif act.kind == "intervals1k":
                act.name = "5 x 1 km"
            if act.local_start.date() == BEN_RETURN:
                act.name = "First run back"
                act.description = "First run after five weeks off. Kept it short and easy, legs felt fine."
        elif act.sport == "cycling":
            act.gear = BEN_BIKE
    return acts


# --------------------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------------------

def toml_str(s: str) -> str:
    return json.dumps(s, ensure_ascii=False)


def athletes_toml() -> str:
    out = ["# runload sample athletes. Written by sample_activities/generate.py; do not edit.", ""]
    for a in (MAYA, BEN):
        out += [
            "[[athlete]]",
            f"id = {toml_str(a.id)}",
            f"name = {toml_str(a.name)}",
            f"email = {toml_str(a.email)}",
            f"timezone = {toml_str(a.timezone)}",
            f"sex = {toml_str(a.sex)}",
            f"birth_year = {a.birth_year}",
            f"hr_rest = {a.hr_rest}",
            f"hr_max = {a.hr_max}",
            "previous_injuries = [" + ", ".join(toml_str(x) for x in a.previous_injuries) + "]",
            f"units = {toml_str(a.units)}",
            "",
        ]
    return "\n".join(out)


def pain_csv(rows) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(PAIN_COLUMNS)
    for date, side, loc, during, after, morning, stiff, swelling, relieved, notes in rows:
        blank = lambda v: "" if v is None else v  # noqa: E731
        w.writerow([date, side, loc, blank(during), blank(after), blank(morning), blank(stiff),
                    swelling] + ["no"] * 10 + [relieved, notes])
    return buf.getvalue()


STRAVA_COLUMNS = ["Activity ID", "Activity Date", "Activity Name", "Activity Type",
                  "Activity Description", "Elapsed Time", "Distance", "Max Heart Rate",
                  "Relative Effort", "Commute", "Activity Private Note", "Activity Gear",
                  "Filename"]


def strava_date(t: dt.datetime) -> str:
    t = t.astimezone(UTC)
    h12 = t.hour % 12 or 12
    return (f"{MONTHS[t.month - 1]} {t.day}, {t.year}, {h12}:{t.minute:02d}:{t.second:02d} "
            f"{'AM' if t.hour < 12 else 'PM'}")


def strava_csv(acts: list[Act], filenames: dict[int, str]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(STRAVA_COLUMNS)
    for act in acts:
        st = lap_stats(act, 0, len(act.samples) - 1)
        a = act.athlete
        hrr = (st["avg_hr"] - a.hr_rest) / (a.hr_max - a.hr_rest)
        effort = round(act.duration / 60 * hrr * hrr * 1.6)
        w.writerow([act.activity_id, strava_date(act.start), act.name,
                    dict(running="Run", cycling="Ride", swimming="Swim")[act.sport],
                    act.description, act.duration, f"{act.distance / 1000:.2f}",
                    f"{st['max_hr']:.1f}", effort, "false", "", act.gear,
                    filenames[act.activity_id]])
    return buf.getvalue()


def write(path: Path, data: bytes | str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)


def generate() -> None:
    for sub in ("maya", "ben"):
        shutil.rmtree(HERE / sub, ignore_errors=True)
    (HERE / "athletes.toml").unlink(missing_ok=True)
    write(HERE / "athletes.toml", athletes_toml())

    for act in maya_activities():
        ext, data = encode(act)
        write(HERE / "maya" / "activities" / f"{act.local_start:%Y-%m-%d-%H-%M-%S}.{ext}", data)
    write(HERE / "maya" / "pain.csv", pain_csv(MAYA_PAIN))

    export = HERE / "ben" / "strava_export"
    acts = ben_activities()
    filenames = {}
    for act in acts:
        ext, data = encode(act)
        filenames[act.activity_id] = f"activities/{act.activity_id}.{ext}"
        write(export / filenames[act.activity_id], data)
    write(export / "activities.csv", strava_csv(acts, filenames))
    write(HERE / "ben" / "pain.csv", pain_csv(BEN_PAIN))


# --------------------------------------------------------------------------------------
# Reading the files back (--check): verification and the numbers quoted in README.md
# --------------------------------------------------------------------------------------

def read_back(path: Path, tz: ZoneInfo) -> dict:
    """Sport, start, distance and a few checks, read from the file alone."""
    import fitdecode

    raw = path.read_bytes()
    if path.suffix == ".gz":
        raw = gzip.decompress(raw)
    name = path.name[:-3] if path.suffix == ".gz" else path.name
    info: dict = {"file": path.name}
    if name.endswith(".fit"):
        recs, session, activity, laps = [], None, None, 0
        with fitdecode.FitReader(io.BytesIO(raw), check_crc=fitdecode.CrcCheck.ENABLED) as fr:
            for frame in fr:
                if not isinstance(frame, fitdecode.FitDataMessage):
                    continue
                if frame.name == "record":
                    recs.append(frame)
                elif frame.name == "session":
                    session = frame
                elif frame.name == "activity":
                    activity = frame
                elif frame.name == "lap":
                    laps += 1
        last = recs[-1].get_value("distance")
        total = session.get_value("total_distance")
        assert abs(total - last) < 0.02, (path, total, last)
        assert session.get_value("num_laps") == laps, path
        start = session.get_value("start_time")
        offset = (activity.get_value("local_timestamp").replace(tzinfo=None)
                  - activity.get_value("timestamp").replace(tzinfo=None))
        assert offset == start.astimezone(tz).utcoffset(), (path, offset)
        info.update(sport=session.get_value("sport"), sub_sport=session.get_value("sub_sport"),
                    start=start, metres=total)
        pts = [(r.get_value("position_lat"), r.get_value("position_long")) for r in recs
               if r.has_field("position_lat")]
        if info["sport"] == "running":
            cad = session.get_value("avg_running_cadence")
            assert 80 <= cad <= 89, (path, cad)
        if pts:
            k = 180 / 2 ** 31
            gps = sum(haversine(p[0] * k, p[1] * k, q[0] * k, q[1] * k) for p, q in zip(pts, pts[1:]))
            assert abs(gps / total - 1) < 0.005, (path, gps, total)
        else:
            assert info["sub_sport"] in ("treadmill", "lap_swimming"), path
    elif name.endswith(".gpx"):
        g = gpxpy.parse(raw.decode("utf-8"))
        pts = g.tracks[0].segments[0].points
        metres = sum(haversine(p.latitude, p.longitude, q.latitude, q.longitude)
                     for p, q in zip(pts, pts[1:]))
        info.update(sport=g.tracks[0].type or "(no type)", sub_sport="", start=pts[0].time,
                    metres=metres)
    elif name.endswith(".tcx"):
        ns = {"t": TCD}
        root = ET.fromstring(raw)
        activity = root.find("t:Activities/t:Activity", ns)
        laps = activity.findall("t:Lap", ns)
        metres = sum(float(lap.find("t:DistanceMeters", ns).text) for lap in laps)
        last = float(activity.findall(".//t:Trackpoint/t:DistanceMeters", ns)[-1].text)
        assert abs(metres - last) < 0.05, path
        start = dt.datetime.strptime(activity.find("t:Id", ns).text, "%Y-%m-%dT%H:%M:%S.000Z")
        info.update(sport=activity.get("Sport").lower(), sub_sport="", start=start.replace(tzinfo=UTC),
                    metres=metres)
    else:
        raise ValueError(path)
    info["local"] = info["start"].astimezone(tz)
    return info


def weekly_table(runs: list[dict], first_monday: dt.date, last_sunday: dt.date) -> list[dict]:
    weeks = []
    monday = first_monday
    while monday <= last_sunday:
        inside = [r for r in runs if monday <= r["local"].date() < monday + dt.timedelta(days=7)]
        weeks.append({"monday": monday, "km": sum(r["metres"] for r in inside) / 1000,
                      "runs": len(inside),
                      "longest": max((r["metres"] for r in inside), default=0.0) / 1000})
        monday += dt.timedelta(days=7)
    return weeks


def print_weeks(weeks: list[dict]) -> None:
    print("| Week | Monday | km | runs | longest run km | change vs previous week |")
    print("|---:|---|---:|---:|---:|---:|")
    prev = None
    for i, w in enumerate(weeks, 1):
        change = f"{(w['km'] / prev - 1) * 100:+.1f} %" if prev else ""
        print(f"| {i} | {w['monday']} | {w['km']:.2f} | {w['runs']} | {w['longest']:.2f} | {change} |")
        prev = w["km"]


def check() -> None:
    # Maya
    tz = MAYA.tz
    maya = [read_back(p, tz) for p in sorted((HERE / "maya" / "activities").iterdir())]
    runs = sorted((r for r in maya if r["sport"] in ("running", "(no type)")), key=lambda r: r["start"])
    other = [r for r in maya if r not in runs]
    print(f"## Maya: {len(maya)} files, {len(runs)} runs, "
          f"{sum(r['sport'] == 'cycling' for r in other)} rides, "
          f"{sum(r['sport'] == 'swimming' for r in other)} swims, "
          f"{sum(r['sub_sport'] == 'treadmill' for r in runs)} treadmill runs\n")
    weeks = weekly_table(runs, MAYA_START, MAYA_START + dt.timedelta(weeks=20, days=-1))
    print_weeks(weeks)
    w10, w11 = weeks[9], weeks[10]
    print(f"\nWeek 11 vs week 10: {w11['km']:.2f} / {w10['km']:.2f} km = "
          f"{(w11['km'] / w10['km'] - 1) * 100:+.2f} %")
    big = max(runs, key=lambda r: r["metres"])
    day = big["local"].date()
    before = [r for r in runs if day - dt.timedelta(days=30) <= r["local"].date() < day]
    prev = max(before, key=lambda r: r["metres"])
    print(f"Longest run: {big['local']:%Y-%m-%d %H:%M %Z} {big['metres'] / 1000:.2f} km ({big['file']}); "
          f"longest in the 30 days before ({day - dt.timedelta(days=30)} .. {day - dt.timedelta(days=1)}): "
          f"{prev['metres'] / 1000:.2f} km on {prev['local'].date()} -> "
          f"{(big['metres'] / prev['metres'] - 1) * 100:+.2f} %")
    for r in runs:
        if r["file"].endswith((".gpx", ".gpx.gz", ".tcx", ".tcx.gz")):
            print(f"  {r['file']}: {r['sport']} {r['metres'] / 1000:.3f} km")
    with open(HERE / "maya" / "pain.csv", newline="") as f:
        pain = list(csv.DictReader(f))
    nos = [p["date"] for p in pain if p["relieved_by_rest"] == "no"]
    print(f"Pain entries: {len(pain)}, first {pain[0]['date']}, 'no' from {nos[0]} to {nos[-1]} "
          f"({(dt.date.fromisoformat(nos[-1]) - dt.date.fromisoformat(nos[0])).days} days)")

    # Ben
    tz = BEN.tz
    export = HERE / "ben" / "strava_export"
    with open(export / "activities.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    ben = []
    for row in rows:
        info = read_back(export / row["Filename"], tz)
        kind = {"Run": "running", "Ride": "cycling", "Swim": "swimming"}[row["Activity Type"]]
        assert info["sport"] in (kind, "(no type)"), (row, info["sport"])
        assert abs(float(row["Distance"]) - info["metres"] / 1000) < 0.011, (row, info["metres"])
        info.update(type=row["Activity Type"], gear=row["Activity Gear"], id=row["Activity ID"])
        ben.append(info)
    runs = sorted((r for r in ben if r["type"] == "Run"), key=lambda r: r["start"])
    print(f"\n## Ben: {len(rows)} activities, {len(runs)} runs, "
          f"{sum(r['type'] == 'Ride' for r in ben)} rides, {sum(r['type'] == 'Swim' for r in ben)} swims; "
          f"formats: " + ", ".join(f"{ext} {sum(r['file'].endswith(ext) for r in ben)}"
                                   for ext in (".fit.gz", ".gpx.gz", ".tcx.gz")) + "\n")
    weeks = weekly_table(runs, BEN_START, dt.date(2026, 10, 18))
    print_weeks(weeks)
    total = 0.0
    for r in runs:
        assert r["gear"] == BEN_SHOES
        total += r["metres"] / 1000
        if total >= 800:
            print(f"\nShoe km pass 800: {r['local']:%Y-%m-%d %H:%M %Z} (UTC {r['start']:%Y-%m-%d %H:%M}), "
                  f"activity {r['id']}, cumulative {total:.2f} km")
            break
    gaps = [(a, b) for a, b in zip(runs, runs[1:]) if (b["local"].date() - a["local"].date()).days > 7]
    for a, b in gaps:
        print(f"Break: last run {a['local']:%Y-%m-%d %H:%M} ({a['metres'] / 1000:.2f} km), first run back "
              f"{b['local']:%Y-%m-%d %H:%M} ({b['metres'] / 1000:.2f} km), "
              f"{(b['local'].date() - a['local'].date()).days - 1} days without running")
    before_break = sum(r["metres"] for r in runs if r["local"].date() <= dt.date(2026, 7, 5)) / 1000
    print(f"Shoe km after the last run before the break: {before_break:.2f}; "
          f"at the end: {sum(r['metres'] for r in runs) / 1000:.2f} km")
    late = [r for r in runs if r["local"].date() != r["start"].date()]
    print(f"{len(late)} runs start on the next day in UTC (local weekdays: "
          + ", ".join(f"{d} {sum(r['local'].strftime('%a') == d for r in late)}"
                      for d in ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")) + ")")
    for r in runs:
        r["local"] = r["start"]          # what a tool that ignores the time zone would see
    wrong = weekly_table(runs, BEN_START, dt.date(2026, 10, 25))
    diff = [(w, v) for w, v in zip(weeks + [None], wrong) if w is None or abs(w["km"] - v["km"]) > 1e-6]
    print("Weeks that change if runs are bucketed by UTC date instead of local date:")
    for w, v in diff:
        print(f"  {v['monday']}: local {w['km'] if w else 0:.2f} km / {w['runs'] if w else 0} runs, "
              f"UTC {v['km']:.2f} km / {v['runs']} runs")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true",
                        help="read the generated files back, verify them and print the facts")
    args = parser.parse_args()
    if args.check:
        check()
    else:
        generate()


if __name__ == "__main__":
    sys.exit(main())
