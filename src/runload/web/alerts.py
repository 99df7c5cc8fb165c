"""A red flag logged in the app mails the athlete's coaches the same day, not on Monday.

Through the weekly mail's own exactly-once path (:func:`runload.mail.job.run`): each message is
one sent-log key (coach's address, ``red-flag``, ``<athlete>/<entry id>``, the entry's week), so
a server that restarts, or a second try after a failed one, never mails a coach twice about the
same entry, and a failed send is kept with its reason.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from runload.calendar import week_start_of
from runload.mail import job
from runload.mail.compose import Content
from runload.mail.job import JobResult, Planned
from runload.mail.transport import SmtpTransport
from runload.models import RedFlagLevel
from runload.pain.care import Care, care_for
from runload.pain.episodes import find_episodes
from runload.store import Store
from runload.web.accounts import coaches_of

KIND = "red-flag"


@dataclass(frozen=True)
class Flag:
    """One red flag of a new entry: its level (emergency, urgent, clinician) and what it is."""

    level: RedFlagLevel
    what: str


def entry_flags(store: Store, athlete_id: str, entry_id: int, day: date, *, lookback_days: int = 90) -> list[Flag]:
    """The red flags the pain model sees in entry ``entry_id`` (with the entries of its episode
    before it: a pop, then giving way)."""


    entries = store.pain_entries(athlete_id, start=day - timedelta(days=lookback_days), end=day)
    return [Flag(f.level, f.what) for ep in find_episodes(entries) for f in ep.red_flags if f.entry_id == entry_id]


def content(athlete_name: str, athlete_id: str, day: date, flags: list[Flag], care: Care) -> Content:
    """The coach's message: who, when, which red flags, and the care the athlete was told to get."""
    lines = [f"{athlete_name} ({athlete_id}) logged a pain entry on {day.isoformat()} with "
             f"{'a red flag' if len(flags) == 1 else 'red flags'}:", ""]
    lines += [f"- {f.what} ({f.level})" for f in flags]
    lines += ["", "runload told them at once: " + advice(flags[0].level, care), "",
              "runload gives training information, not a diagnosis."]
    return Content(subject=f"runload: red flag logged by {athlete_name} on {day.isoformat()}", text="\n".join(lines))


def advice(level: RedFlagLevel, care: Care) -> str:
    """What to do for a red flag of ``level``, in the care words of the athlete's country."""
    if level == RedFlagLevel.EMERGENCY:
        return f"call {care.emergency} now."
    if level == RedFlagLevel.URGENT:
        # a calf clot can travel to the lung: the emergency number is given with same-day care
        return (f"get care today: {care.same_day}. If you become breathless or have chest pain, "
                f"call {care.emergency} now.")
    return f"get it examined by {care.clinician} before running again."


def planned(store: Store, athlete_id: str, entry_id: int, day: date, flags: list[Flag]) -> list[Planned]:
    """One message for each coach the athlete follows, keyed for the exactly-once sent-log."""

    athlete = store.get_athlete(athlete_id)
    care = care_for(athlete.timezone)
    body = content(athlete.name, athlete.id, day, flags, care)
    return [Planned(KIND, f"{athlete_id}/{entry_id}", week_start_of(day), name, email, lambda: body)
            for _cid, name, email in coaches_of(store, athlete_id)]


def send(store: Store, messages: list[Planned], *, mail_from: str, transport: SmtpTransport,
         log: Callable[[str], None] = lambda _: None) -> JobResult:
    """Send ``messages`` through the weekly mail's exactly-once job; its :class:`JobResult`."""

    return job.run(store, messages, mail_from=mail_from, transport=transport, log=log)
