"""The calendar: local days, the first day of the week, ISO week labels and report periods.

One definition for all of runload (series, rules, pain log, reports, roster, mail), so a week is
the same seven days everywhere. Pure standard library: no pandas, no clock (``today`` is always
passed in; :func:`today_in` is for the command line's edge).

A week starts on ``first_weekday`` (0 Monday .. 6 Sunday; config key ``week_start``). An ISO
label like ``2026-W42`` names the week that holds that ISO week's Monday: with weeks starting on
Sunday it is Sunday 2026-10-11 to Saturday 2026-10-17.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta, timezone
from operator import add, attrgetter
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from runload.errors import InputError
from runload.models import Activity

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
# The first and last day any record may carry: GPS watches with a calendar clock appeared in
# 1989 (FIT's epoch is 1989-12-31); nothing is logged more than a day ahead.
FIRST_DAY = date(1989, 12, 31)
LAST_YEAR = 2100  # the last year a period may name (far enough ahead for any plan)

_WEEK = re.compile(r"^(\d{4})-W(\d{1,2})$", re.IGNORECASE | re.ASCII)  # ASCII: not other scripts' digits


def local_date(activity: Any) -> date:
    """The calendar day an activity started on, in the local time recorded with it
    (``start_utc`` plus ``utc_offset_s``; the offset of the file, else the athlete's zone: see
    :func:`with_zone_offset`, which the store and the assessment apply).

    Computed once per :class:`runload.models.Activity` (a frozen value: its start and offset
    never change) and kept with it, for callers that ask about one activity at a time; the
    assessment asks :func:`local_dates` about all of them at once."""
    if type(activity) is Activity:
        day = activity.__dict__.get(_LOCAL_DAY)
        if day is None:
            day = activity.__dict__[_LOCAL_DAY] = (activity.start_utc + _offset(activity.utc_offset_s)).date()
        return day
    return (activity.start_utc + _offset(activity.utc_offset_s)).date()


def local_dates(activities: Any) -> list[date]:
    """:func:`local_date` of each activity, in one pass: each start moved by its offset and cut
    to its day in loops the interpreter runs in its own code (``map``), not one Python step per
    activity. The days are not kept on the activities (:func:`local_date` keeps one): reaching an
    activity's ``__dict__`` builds it, which costs as much as the day itself."""
    acts = activities if type(activities) is list else list(activities)
    offsets = list(map(_OFFSET_OF, acts))
    shift = {off: _offset(off) for off in set(offsets)}  # a few offsets serve every activity
    return list(map(datetime.date, map(add, map(_START_OF, acts), map(shift.__getitem__, offsets))))


_START_OF = attrgetter("start_utc")
_OFFSET_OF = attrgetter("utc_offset_s")
_LOCAL_DAY = "_local_day"  # where local_date keeps an activity's day (not a dataclass field)
_OFFSETS: dict[int | None, timedelta] = {}  # a few offsets serve every activity


def _offset(seconds: int | None) -> timedelta:
    got = _OFFSETS.get(seconds)
    if got is None:
        got = timedelta(seconds=seconds or 0)
        if len(_OFFSETS) < 256:
            _OFFSETS[seconds] = got
    return got


def zone_offset_s(when_utc: datetime, tz: str | None) -> int:
    """The UTC offset (seconds) of time zone ``tz`` (an IANA name; UTC when None or unknown) at
    the instant ``when_utc``: daylight-saving time as it was then."""
    try:
        zone = ZoneInfo(tz or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    off = when_utc.astimezone(zone).utcoffset()
    return int(off.total_seconds()) if off else 0


def with_zone_offset(activity: Any, tz: str | None) -> Any:
    """``activity`` placed in local time: its own recorded offset when it has one (a file's
    ``-05:00``, a FIT file's local time carried back to the start), else the offset of the
    athlete's zone ``tz`` at its start. The store keeps no offset for a file that records none, so
    the athlete's zone, even one set after the import, decides the day."""
    if activity.utc_offset_s is not None:
        return activity
    return replace(activity, utc_offset_s=zone_offset_s(activity.start_utc, tz))


def week_start_of(day: date, first_weekday: int = 0) -> date:
    """The first day of the week holding ``day``; ``first_weekday`` 0 is Monday, 6 Sunday."""
    return day - timedelta(days=(day.weekday() - first_weekday) % 7)


def week_end_of(day: date, first_weekday: int = 0) -> date:
    """The last day of the week holding ``day``."""
    return week_start_of(day, first_weekday) + timedelta(days=6)


def iso_label(week_start: date) -> str:
    """``2026-W42``: the ISO week of the week's Monday (for a Sunday week, the day after)."""
    monday = week_start + timedelta(days=(7 - week_start.weekday()) % 7)
    return f"{monday:%G-W%V}"


def first_weekday_setting(config: Mapping[str, Any]) -> int:
    """The first weekday from the config's ``week_start`` (a weekday name or 0-6), default Monday."""
    v = config.get("week_start", 0)
    if isinstance(v, str) and v.strip().lower() in WEEKDAYS:
        return WEEKDAYS.index(v.strip().lower())
    if isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= 6:
        return v
    raise InputError(f"config key 'week_start' must be a weekday name, not {v!r}")


def today_in(tz: str | None, now: datetime | None = None) -> date:
    """Today's date in time zone ``tz`` (an IANA name; UTC when None or unknown)."""
    now = now or datetime.now(timezone.utc)
    try:
        zone = ZoneInfo(tz or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    return now.astimezone(zone).date()


@dataclass(frozen=True)
class Period:
    """The days a report covers: ``kind`` is ``week`` (one week) or ``range`` (from/to)."""

    kind: str
    start: date
    end: date

    @property
    def label(self) -> str:
        if self.kind == "week":
            return iso_label(self.start)
        return f"{self.start.isoformat()} to {self.end.isoformat()}"

    def holds(self, day: date) -> bool:
        return self.start <= day <= self.end

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def week_period(day: date, first_weekday: int = 0) -> Period:
    """The week holding ``day``."""
    start = week_start_of(day, first_weekday)
    return Period("week", start, start + timedelta(days=6))


WEEK_CHOICES = "this, last or YYYY-Www (for example 2026-W33)"


def parse_week(text: str, today: date, first_weekday: int = 0) -> Period:
    """``this`` (the week holding ``today``), ``last`` (the week before it) or an ISO label
    ``2026-W33`` (the week holding that ISO week's Monday) as a :class:`Period`.

    Raises :class:`runload.errors.InputError` for anything else, or a week outside the years
    runload can hold data for.
    """
    spec = (text or "").strip().lower()
    if spec == "this":
        return week_period(today, first_weekday)
    if spec == "last":
        return week_period(today - timedelta(days=7), first_weekday)
    m = _WEEK.match(spec)
    if not m:
        raise InputError(f"week {text!r} is not one of {WEEK_CHOICES}")
    year, week = int(m.group(1)), int(m.group(2))
    try:
        monday = date.fromisocalendar(year, week, 1)
    except ValueError:
        raise InputError(f"week {text!r} does not exist") from None
    if monday < FIRST_DAY - timedelta(days=7) or monday.year > LAST_YEAR:
        raise InputError(f"week {text!r} is outside the years runload works with ({FIRST_DAY.year} to {LAST_YEAR})")
    return week_period(monday, first_weekday)


def range_period(start: date, end: date) -> Period:
    """A from/to period; raises InputError when ``start`` is after ``end``."""
    if start > end:
        raise InputError(f"--from {start.isoformat()} is after --to {end.isoformat()}")
    return Period("range", start, end)
