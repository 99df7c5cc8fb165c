"""Builders the tests share: one definition each of a run, a training history, the made-up
athlete, the bundled rulebook, watch files written by hand (FIT, GPX, TCX) and an import into a
store. A test module that needs a variant passes arguments here instead of writing its own."""

from __future__ import annotations

import functools
import math
import sqlite3
import struct
import zlib
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from conftest import SAMPLES
from runload.assess import Assessment, finding_order, mark_current, merge_events, status_of
from runload.session import Assessor
from runload.ingest import import_paths
from runload.models import Activity, Athlete, Finding, PainEntry, Sport
from runload.report.build import report_for
from runload.rules.book import Rulebook
from runload.rules.schema import load_rules
from runload.store import Store

D = date.fromisoformat
MONDAY = date(2026, 6, 1)
T0 = datetime(2024, 5, 6, 7, 0, tzinfo=timezone.utc)  # a Monday morning: the start of the watch files below
ATHLETE = Athlete("ana", "Ana Test", timezone="UTC")
BOOK = Rulebook.of(load_rules())  # the bundled rules, every one of them
M_PER_DEG = math.pi / 180 * 6371008.8  # metres per degree of latitude on runload's sphere


# ---------------------------------------------------------------- runs and histories
def run(day: date | str, km: float, *, hour: int = 7, offset_h: int = 0, sport: Sport = Sport.RUNNING,
        minutes: float | None = None, pace: float = 5.5, rpe: float | None = None,
        zones: dict[int, float] | None = None, max_hr: float | None = None, gear: str | None = None) -> Activity:
    """``km`` on ``day`` at ``hour`` local time, ``offset_h`` hours east of UTC; it lasts ``minutes``,
    or ``km`` at ``pace`` minutes a kilometre. Its source hash tells apart runs on other days, of
    other lengths, at other hours or of other sports, so a store keeps each."""
    d = D(day) if isinstance(day, str) else day
    start = datetime(d.year, d.month, d.day, hour, tzinfo=timezone.utc) - timedelta(hours=offset_h)
    return Activity(start, sport, km * 1000, timer_s=(minutes if minutes is not None else km * pace) * 60,
                    utc_offset_s=offset_h * 3600, rpe=rpe, hr_zone_s=zones or {}, max_hr_bpm=max_hr, gear=gear,
                    source_hash=f"{d}-{km}-{hour}-{sport.value}")


def steady(first: date, weeks: int, km: float = 8.0, long_km: float | None = None) -> list[Activity]:
    """Four runs a week from Monday ``first``: ``km`` on Monday, Wednesday and Friday, and
    ``long_km`` (``km`` unless given) on Sunday."""
    return [run(first + timedelta(days=7 * w + d), long_km if d == 6 and long_km is not None else km)
            for w in range(weeks) for d in (0, 2, 4, 6)]


def weeks_of(first: date, per_week: list[list[float]]) -> list[Activity]:
    """Runs from Monday ``first``: week ``w`` runs ``per_week[w][d]`` km on day ``d`` (0 = rest)."""
    return [run(first + timedelta(days=7 * w + d), km) for w, week in enumerate(per_week)
            for d, km in enumerate(week) if km]


# ---------------------------------------------------------------- watch files written by hand
def gpx_track(day: date, km: float) -> str:
    """A running GPX track of ``km`` kilometres due north at 3.3 s per 10 m, starting 07:00 UTC."""
    pts = []
    for i in range(int(km * 100) + 1):
        t = datetime(day.year, day.month, day.day, 7, tzinfo=timezone.utc) + timedelta(seconds=3.3 * i)
        pts.append(f'<trkpt lat="{59.0 + i * 10 / 111_195:.7f}" lon="18.0"><time>{t:%Y-%m-%dT%H:%M:%SZ}</time></trkpt>')
    return ('<?xml version="1.0"?><gpx version="1.1" creator="t" xmlns="http://www.topografix.com/GPX/1/1">'
            f'<trk><type>running</type><trkseg>{"".join(pts)}</trkseg></trk></gpx>')


def garmin_fit(ms: int):
    """A fit-tool builder holding a Garmin activity's file_id message, created at ``ms`` (Unix ms)."""
    from fit_tool.fit_file_builder import FitFileBuilder
    from fit_tool.profile.messages.file_id_message import FileIdMessage
    from fit_tool.profile.profile_type import FileType, Manufacturer

    b = FitFileBuilder(auto_define=True, min_string_size=50)
    m = FileIdMessage()
    m.type, m.manufacturer, m.product, m.time_created, m.serial_number = (
        FileType.ACTIVITY, Manufacturer.GARMIN.value, 2691, ms, 1234)
    b.add(m)
    return b


@functools.lru_cache(maxsize=None)
def fit_run(start: datetime = T0, minutes: int = 10, speed: float = 3.0, sport: str = "running",
            sub_sport: str | None = None, gps: bool = True, session: bool = True, hr0: int = 140) -> bytes:
    """A FIT run written with fit-tool: file_id, records every second, a lap, a session, activity."""
    from fit_tool.profile.messages.activity_message import ActivityMessage
    from fit_tool.profile.messages.lap_message import LapMessage
    from fit_tool.profile.messages.record_message import RecordMessage
    from fit_tool.profile.messages.session_message import SessionMessage
    from fit_tool.profile.profile_type import Sport as FSport, SubSport

    ms = int(start.timestamp() * 1000)
    b = garmin_fit(ms)
    n = minutes * 60
    for i in range(n):
        r = RecordMessage()
        r.timestamp = ms + i * 1000
        if gps:
            r.position_lat, r.position_long = 59.3 + i * 2.7e-5, 18.0
        r.distance = i * speed
        r.enhanced_speed = speed
        r.heart_rate = hr0 + (i // 60) % 20
        r.cadence = 85
        b.add(r)
    fs = getattr(FSport, sport.upper())
    sub = getattr(SubSport, sub_sport.upper()) if sub_sport else SubSport.GENERIC
    if session:
        lap = LapMessage()
        lap.timestamp, lap.start_time, lap.total_elapsed_time, lap.total_timer_time = ms + n * 1000, ms, n, n
        lap.total_distance, lap.avg_heart_rate, lap.sport = n * speed, hr0 + 9, fs
        b.add(lap)
        s = SessionMessage()
        s.timestamp, s.start_time, s.total_elapsed_time, s.total_timer_time = ms + n * 1000, ms, n, n
        s.total_distance, s.sport, s.sub_sport = n * speed, fs, sub
        s.avg_heart_rate, s.max_heart_rate, s.avg_cadence = hr0 + 9, hr0 + 19, 85
        b.add(s)
        a = ActivityMessage()
        a.timestamp, a.local_timestamp, a.num_sessions = ms + n * 1000, None, 1
        b.add(a)
    return b.build().to_bytes()


FIT_EPOCH_S = 631065600


def fit_file(start: datetime = T0, kmh: list[float] | None = None, sport: str = "running", session: bool = True,
             elapsed: float | None = None, distance: float | None = None, local_offset_s: int | None = None,
             local_raw: int | None = None, step_s: int = 1) -> bytes:
    """A FIT activity with records every ``step_s`` seconds at the given speeds, a lap, a session and an
    activity message."""
    from fit_tool.profile.messages.activity_message import ActivityMessage
    from fit_tool.profile.messages.lap_message import LapMessage
    from fit_tool.profile.messages.record_message import RecordMessage
    from fit_tool.profile.messages.session_message import SessionMessage
    from fit_tool.profile.profile_type import Sport as FSport

    kmh = kmh if kmh is not None else [10.8] * 600
    ms = int(start.timestamp() * 1000)
    b = garmin_fit(ms)
    dist = 0.0
    for i, v in enumerate(kmh):
        r = RecordMessage()
        r.timestamp = ms + i * 1000 * step_s
        r.distance = dist
        r.enhanced_speed = v / 3.6
        r.heart_rate = 150
        r.cadence = 85
        b.add(r)
        dist += v / 3.6 * step_s
    n = (len(kmh) - 1) * step_s
    end_ms = ms + n * 1000
    if session:
        fs = getattr(FSport, sport.upper())
        lap = LapMessage()
        lap.timestamp, lap.start_time, lap.total_elapsed_time, lap.total_timer_time = end_ms, ms, n, n
        lap.total_distance, lap.sport = dist - kmh[-1] / 3.6 * step_s, fs
        b.add(lap)
        s = SessionMessage()
        span = n if elapsed is None else elapsed
        s.timestamp, s.start_time, s.total_elapsed_time, s.total_timer_time = ms + int(span * 1000), ms, span, span
        s.total_distance = dist - kmh[-1] / 3.6 * step_s if distance is None else distance
        s.sport, s.avg_heart_rate, s.max_heart_rate, s.avg_cadence = fs, 150, 160, 85
        b.add(s)
        a = ActivityMessage()
        a.timestamp, a.num_sessions = end_ms, 1
        if local_raw is not None:
            a.local_timestamp = local_raw
        elif local_offset_s is not None:
            a.local_timestamp = end_ms // 1000 - FIT_EPOCH_S + local_offset_s
        b.add(a)
    return b.build().to_bytes()


def gpx_run(start: datetime = T0, points: int = 600, version: str = "1.1", sport: str | None = None,
            step_deg: float = 2.7e-5) -> bytes:
    """A GPX track, 1 point per second, with Garmin TrackPointExtension hr and cad (1.1)."""
    ns = "http://www.topografix.com/GPX/1/1" if version == "1.1" else "http://www.topografix.com/GPX/1/0"
    pts = []
    for i in range(points):
        t = (start + timedelta(seconds=i)).strftime("%Y-%m-%dT%H:%M:%SZ")
        ext = (f"<extensions><gpxtpx:TrackPointExtension><gpxtpx:hr>{150 + i % 10}</gpxtpx:hr>"
               f"<gpxtpx:cad>86</gpxtpx:cad></gpxtpx:TrackPointExtension></extensions>") if version == "1.1" else ""
        pts.append(f'<trkpt lat="{59.3 + i * step_deg:.7f}" lon="18.0"><ele>10</ele><time>{t}</time>{ext}</trkpt>')
    typ = f"<type>{sport}</type>" if sport else ""
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<gpx version="{version}" creator="test" xmlns="{ns}" '
            f'xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v1">'
            f'<trk><name>Morning</name>{typ}<trkseg>{"".join(pts)}</trkseg></trk></gpx>').encode()


def point(t: datetime | str | None, lat: float | str, lon: float | str = 18.0, ele: float | str | None = 10.0,
          hr: int | None = None, cad: int | None = None) -> str:
    """One GPX track point."""
    when = t if isinstance(t, str) or t is None else t.strftime("%Y-%m-%dT%H:%M:%SZ")
    ext = ""
    if hr is not None or cad is not None:
        ext = ("<extensions><gpxtpx:TrackPointExtension>"
               + (f"<gpxtpx:hr>{hr}</gpxtpx:hr>" if hr is not None else "")
               + (f"<gpxtpx:cad>{cad}</gpxtpx:cad>" if cad is not None else "")
               + "</gpxtpx:TrackPointExtension></extensions>")
    return (f'<trkpt lat="{lat}" lon="{lon}">' + (f"<ele>{ele}</ele>" if ele is not None else "")
            + (f"<time>{when}</time>" if when is not None else "") + ext + "</trkpt>")


def gpx(*tracks: list[list[str]], types: tuple[str | None, ...] = (), names: tuple[str, ...] = ()) -> bytes:
    """A GPX 1.1 file: each track a list of segments, each segment a list of point() strings."""
    body = []
    for i, segs in enumerate(tracks):
        typ = f"<type>{types[i]}</type>" if i < len(types) and types[i] else ""
        name = f"<name>{names[i]}</name>" if i < len(names) else ""
        body.append(f"<trk>{name}{typ}" + "".join(f"<trkseg>{''.join(s)}</trkseg>" for s in segs) + "</trk>")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<gpx version="1.1" creator="test" '
            'xmlns="http://www.topografix.com/GPX/1/1" '
            'xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v1">'
            + "".join(body) + "</gpx>").encode()


TCX_NS = "http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2"


def trackpoints(start: datetime, kmh: list[float], hr: int | None = 150, run_cad: int | None = 85,
                zone: str = "Z") -> str:
    """TCX track points a second apart moving north at the given speeds."""
    out, dist = [], 0.0
    for i, v in enumerate(kmh):
        when = (start + timedelta(seconds=i)).strftime("%Y-%m-%dT%H:%M:%S") + zone
        ext = (f"<Extensions><ns3:TPX><ns3:RunCadence>{run_cad}</ns3:RunCadence></ns3:TPX></Extensions>"
               if run_cad is not None else "")
        out.append(f"<Trackpoint><Time>{when}</Time><Position><LatitudeDegrees>{59.3 + dist / M_PER_DEG:.8f}"
                   f"</LatitudeDegrees><LongitudeDegrees>18.0</LongitudeDegrees></Position>"
                   f"<AltitudeMeters>12.0</AltitudeMeters><DistanceMeters>{dist:.2f}</DistanceMeters>"
                   + (f"<HeartRateBpm><Value>{hr}</Value></HeartRateBpm>" if hr else "") + ext + "</Trackpoint>")
        dist += v / 3.6
    return "".join(out)


def lap(start: datetime, kmh: list[float], total_s: float | str | None = None, distance: float | str | None = None,
        zone: str = "Z", **kw) -> str:
    """A TCX lap over trackpoints(); its TotalTimeSeconds and DistanceMeters are the track's unless given."""
    total = len(kmh) - 1 if total_s is None else total_s
    dist = sum(v / 3.6 for v in kmh[:-1]) if distance is None else distance
    return (f'<Lap StartTime="{start:%Y-%m-%dT%H:%M:%S}{zone}"><TotalTimeSeconds>{total}</TotalTimeSeconds>'
            f"<DistanceMeters>{dist}</DistanceMeters><AverageHeartRateBpm><Value>150</Value></AverageHeartRateBpm>"
            f"<MaximumHeartRateBpm><Value>160</Value></MaximumHeartRateBpm><Intensity>Active</Intensity>"
            f"<TriggerMethod>Manual</TriggerMethod><Track>{trackpoints(start, kmh, zone=zone, **kw)}</Track></Lap>")


def tcx(*activities: tuple[str | None, str], ident: str = "2024-05-06T07:00:00Z") -> bytes:
    """A TCX file of (Sport attribute, laps) activities."""
    body = "".join(f"<Activity{f' Sport={sport!r}' if sport is not None else ''}><Id>{ident}</Id>{laps}"
                   "<Creator><Name>Forerunner 245</Name></Creator></Activity>" for sport, laps in activities)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<TrainingCenterDatabase xmlns="{TCX_NS}" '
            'xmlns:ns3="http://www.garmin.com/xmlschemas/ActivityExtension/v2">'
            f"<Activities>{body}</Activities></TrainingCenterDatabase>").encode()


def raw_zip(entries: list[tuple[bytes, bytes, int, int]]) -> bytes:
    """A zip written byte by byte (stored members), so its directory can say what zipfile would
    never write: entries are (raw name, data, general-purpose flags, version needed)."""
    out, cd = bytearray(), bytearray()
    for name, data, flags, version in entries:
        crc, off = zlib.crc32(data), len(out)
        out += struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", version, flags, 0, 0, 0, crc, len(data), len(data),
                           len(name), 0) + name + data
        cd += struct.pack("<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 20, version, flags, 0, 0, 0, crc, len(data),
                          len(data), len(name), 0, 0, 0, 0, 0, off) + name
    n = len(entries)
    return bytes(out + cd + struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, n, n, len(cd), len(out), 0))


def fit_sessions(starts: list[datetime], minutes: int = 45, km: float = 10.0, laps: int = 1,
                 record_s: int = 60) -> bytes:
    """A FIT file of one session (and ``laps`` copies of its lap) per start, a record every
    ``record_s`` seconds: a start repeated is a session message repeated."""
    from fit_tool.profile.messages.lap_message import LapMessage
    from fit_tool.profile.messages.record_message import RecordMessage
    from fit_tool.profile.messages.session_message import SessionMessage
    from fit_tool.profile.profile_type import Sport as FSport

    b = garmin_fit(int(starts[0].timestamp() * 1000))
    n = minutes * 60
    for start in dict.fromkeys(starts):  # records once per distinct start
        ms = int(start.timestamp() * 1000)
        for i in range(0, n, record_s):
            r = RecordMessage()
            r.timestamp, r.distance, r.heart_rate = ms + i * 1000, i * km * 1000 / n, 140
            b.add(r)
    # a message is built once per distinct start and added as often as it repeats (fit_tool spends
    # milliseconds making each message object; the bytes written are the same)
    made: dict[datetime, tuple[LapMessage, SessionMessage]] = {}
    for start in starts:
        if start not in made:
            ms = int(start.timestamp() * 1000)
            lap = LapMessage()
            lap.timestamp, lap.start_time, lap.total_elapsed_time, lap.total_timer_time = ms + n * 1000, ms, n, n
            lap.total_distance, lap.sport = km * 1000, FSport.RUNNING
            s = SessionMessage()
            s.timestamp, s.start_time, s.total_elapsed_time, s.total_timer_time = ms + n * 1000, ms, n, n
            s.total_distance, s.sport = km * 1000, FSport.RUNNING
            made[start] = lap, s
        lap, s = made[start]
        for _ in range(laps):
            b.add(lap)
        b.add(s)
    return b.build().to_bytes()


def gpx_folder(tmp_path: Path, name: str, runs: dict[str, float]) -> Path:
    """A folder ``name`` in ``tmp_path`` of one gpx_track() file per day: {"2026-06-01": km}."""
    d = tmp_path / name
    d.mkdir(parents=True, exist_ok=True)
    for day, km in runs.items():
        (d / f"{day}.gpx").write_text(gpx_track(date.fromisoformat(day), km))
    return d


# ---------------------------------------------------------------- stores
def import_files(store_path: Path, athlete: str, *paths: Path, workers: int = 1):
    """Import ``paths`` for ``athlete`` into the store at ``store_path``: the summary, and every
    activity the store then holds for the athlete."""
    with Store.open(store_path) as store:
        summary = import_paths(store, athlete, list(paths), workers=workers)
        return summary, store.activities(athlete)


def store_is_sound(store_path: Path) -> None:
    """No orphan row (PRAGMA foreign_key_check) and an intact file (PRAGMA integrity_check)."""
    conn = sqlite3.connect(store_path)
    try:
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        # rows whose athlete is gone, in tables the foreign keys do not reach (the sent-log)
        assert conn.execute("SELECT count(*) FROM sent_log WHERE subject_kind = 'athlete' AND subject_id NOT IN "
                            "(SELECT id FROM athletes)").fetchone()[0] == 0
    finally:
        conn.close()


# ---------------------------------------------------------------- the report's made-up athlete, by hand
# 14 weeks from Monday 2026-03-02: runs Mon/Wed/Fri/Sun growing slowly, a long run that doubles
# in week 9, a 17-day stretch with nothing recorded (weeks 5-6), a ride every Thursday, two shoes,
# and pain entries in the last fortnight, one with a warning sign and notes holding HTML.
START = datetime(2026, 3, 2, 6, 0, tzinfo=timezone.utc)
WEEK = date(2026, 5, 25)  # week 13 (2026-W22): the report's week in the golden files


def ana_activities() -> list[Activity]:
    acts = []
    for day in range(0, 14 * 7):
        if 28 <= day < 45:  # nothing recorded: a gap, not rest
            continue
        t = START + timedelta(days=day)
        weekday = day % 7
        if weekday in (0, 2, 4, 6):
            km = 6.0 + day * 0.02 + (3.0 if weekday == 6 else 0.0)
            if day == 62:  # Sunday of week 9: a long run twice the usual
                km = 19.5
            if day >= 84 and weekday == 6:  # the report week jumps
                km = 16.0
            acts.append(Activity(t, Sport.RUNNING, round(km * 1000), timer_s=km * 330, utc_offset_s=7200,
                                 gear="Pegasus 40" if day < 50 else "Nova <b>5</b>", source_hash=f"r{day}"))
        if weekday == 3:
            acts.append(Activity(t, Sport.CYCLING, 25000, timer_s=3600, utc_offset_s=7200, source_hash=f"c{day}"))
    return acts


def ana_pain() -> list[PainEntry]:
    return [
        PainEntry(date(2026, 5, 14), side="right", pain_during=2, pain_after=3, pain_next_morning=1),
        PainEntry(date(2026, 5, 18), side="right", pain_during=3, pain_after=4, pain_next_morning=2,
                  notes='sore <img src=x onerror="alert(1)"> after hills'),
        PainEntry(date(2026, 5, 25), side="right", pain_during=5, pain_after=6, pain_next_morning=3, locking=True,
                  notes="knee caught once | then fine"),
    ]


def make_store(path: Path, name: str = "Ana Test", athlete_id: str = "ana") -> Store:
    store = Store.open(path)
    store.add_athlete(Athlete(athlete_id, name, timezone="Europe/Stockholm"))
    with store.atomic() as conn:
        for a in ana_activities():
            store.insert_activity(conn, athlete_id, a)
    store.add_pain_entries(athlete_id, ana_pain())
    return store


def report(store: Store, athlete_id: str = "ana", **kw: object):
    """The report as ``runload report`` builds it (``week`` a day of the week, or from/to)."""
    return report_for(Assessor(store), athlete_id, **kw)  # type: ignore[arg-type]


def fake_assessment(store: Store, findings: list[Finding]) -> Assessment:
    """The real assessment of the week, with made-up findings in place of the rules' (those of
    the week current), its status worked out from them as assess does."""
    base = Assessor(store).get("ana", WEEK + timedelta(days=6))
    found = mark_current(merge_events(findings, base.pain), base.as_of, 0, base.pain, base.limits)
    found = sorted((replace(f, current=f.day is None or f.day >= WEEK) for f in found), key=finding_order)
    status = status_of(found, replace(base.pain, red_flags=()), base.as_of, base.frames, base.pain_entries)
    return replace(base, findings=tuple(found), status=status)


def add_runner(store: Store, athlete_id: str, name: str, kms: list[float], last_day: date, every: int = 2) -> None:
    """Runs of ``kms`` km every ``every`` days ending on ``last_day``."""
    store.add_athlete(Athlete(athlete_id, name, timezone="UTC"))
    with store.atomic() as conn:
        for i, km in enumerate(reversed(kms)):
            day = last_day - timedelta(days=every * i)
            start = datetime(day.year, day.month, day.day, 7, tzinfo=timezone.utc)
            store.insert_activity(conn, athlete_id, Activity(start, Sport.RUNNING, km * 1000, timer_s=km * 330,
                                                             utc_offset_s=0, source_hash=f"{athlete_id}{i}"))


def roster_store(path: Path) -> Store:
    store = make_store(path)  # "ana": a jump in the week of WEEK, pain rising
    add_runner(store, "cara", "Cara Steady", [5.0] * 70, WEEK + timedelta(days=6), every=1)  # 5 km a day
    add_runner(store, "dev", "Dev Quiet", [8.0] * 20, WEEK - timedelta(days=20))  # no data for three weeks
    add_runner(store, "eli", "Eli Lapsed", [8.0] * 20, WEEK - timedelta(days=2))  # last run 8 days before the end
    store.add_athlete(Athlete("fay", "Fay New", timezone="UTC"))  # nothing imported
    return store


# ---------------------------------------------------------------- the sample athletes
SAMPLE_PROFILES = {  # as scripts/demo.sh adds them
    "maya": ["--name", "Maya Lindqvist", "--email", "maya@example.org", "--timezone", "Europe/Stockholm",
             "--sex", "female", "--birth-year", "1991", "--hr-rest", "52", "--hr-max", "188",
             "--injury", "hamstring strain, right, 2024"],
    "ben": ["--name", "Ben Okafor", "--email", "ben@example.org", "--timezone", "America/Denver",
            "--sex", "male", "--birth-year", "1984", "--hr-rest", "48", "--hr-max", "182"],
}


def import_sample(cli, athlete_id: str) -> None:
    """Import a sample athlete and their pain log the way scripts/demo.sh does."""
    paths = {"maya": ["maya/activities"], "ben": ["ben/strava_export"]}[athlete_id]
    r = cli("athlete", "add", athlete_id, *SAMPLE_PROFILES[athlete_id])
    assert r.exit_code == 0, r.output
    r = cli("import", "--athlete", athlete_id, *(str(SAMPLES / p) for p in paths))
    assert r.exit_code in (0, 1), r.output
    r = cli("pain", "import", "--athlete", athlete_id, str(SAMPLES / athlete_id / "pain.csv"))
    assert r.exit_code == 0, r.output


# ---------------------------------------------------------------- hostile text
# terminal escapes (clear screen, window title, clipboard write), a C1 CSI and a bidi override
ESCAPES = "\x1b[2J\x1b]0;owned\x07\x1b]52;c;ZWNobyBvd25lZA==\x07\x9b2J\u202e"
