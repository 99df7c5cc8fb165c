"""The weekly mail job: decide who gets what, then send each message exactly once.

Each message has a key (recipient, subject kind, subject id, week). Before sending, the job claims
the key in the store's sent-log inside a write transaction, so a second run (cron overlapping a
manual run) sees the claim and sends nothing; after a successful send the key is marked sent, after
a failure the claim is released so a later run tries again. ``force`` resends what was sent.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

from runload.errors import InputError
from runload.mail.compose import Content, build_message
from runload.mail.transport import SendError, SmtpTransport
from runload.store import Store


@dataclass(frozen=True)
class Planned:
    """One message to send: its sent-log key, recipient, and how to build its content."""

    kind: str  # "athlete" or "roster"
    subject_id: str  # athlete id or coach id
    week_start: date
    to_name: str | None
    to_addr: str
    build: Callable[[], Content] = field(compare=False, repr=False)

    @property
    def week(self) -> str:
        from runload.calendar import iso_label

        return iso_label(self.week_start)

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.to_addr.lower(), self.kind, self.subject_id, self.week)

    def describe(self) -> str:
        what = "weekly summary" if self.kind == "athlete" else "roster"
        return f"{what} {self.subject_id} {self.week} -> {self.to_addr}"


@dataclass
class JobResult:
    sent: list[str] = field(default_factory=list)
    written: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


def last_complete_week(today_utc: datetime, tz: str) -> date:
    """Monday of the last complete Monday-to-Sunday week in time zone ``tz``."""
    local = today_utc.astimezone(ZoneInfo(tz)).date()
    return local - timedelta(days=local.weekday() + 7)


def plan(store: Store, *, week: date | None = None, athlete_ids: list[str] | None = None,
         now: datetime | None = None) -> list[Planned]:
    """Every message this run should consider, athletes first, then coaches' rosters.

    ``week`` None means each athlete's last complete week in their own time zone (rosters: the last
    complete week in UTC). With ``athlete_ids``, only those athletes' summaries, and the rosters of
    the coaches who coach any of them (each roster lists only that coach's own athletes).
    """
    from runload.assessments import Assessor
    from runload.mail.content import athlete_content, roster_content

    now = now or datetime.now(timezone.utc)
    judge = Assessor(store)  # one assessment per athlete and week for the whole run
    athletes = store.list_athletes()
    by_id = {a.id: a for a in athletes}
    if athlete_ids:
        for a in athlete_ids:
            store.get_athlete(a)
        athletes = [by_id[a] for a in dict.fromkeys(athlete_ids)]
    out: list[Planned] = []
    for a in athletes:
        if not a.email:
            continue
        wk = week or last_complete_week(now, a.timezone)
        out.append(Planned("athlete", a.id, wk, a.name, a.email,
                           lambda a=a, wk=wk: athlete_content(judge, a.id, wk, today=now.date())))
    selected = {a.id for a in athletes}
    for coach_id, name, email, ids in store.coaches():
        if not ids or (athlete_ids and not selected.intersection(ids)):
            continue
        wk = week or last_complete_week(now, "UTC")
        out.append(Planned("roster", coach_id, wk, name, email,
                           lambda ids=ids, wk=wk, n=name or coach_id: roster_content(judge, n, ids, wk,
                                                                                    today=now.date())))
    return out


def _eml_name(p: Planned) -> str:
    safe = re.sub(r"[^A-Za-z0-9._@-]+", "_", f"{p.week}-{p.kind}-{p.subject_id}-{p.to_addr}")
    return f"{safe}.eml"


def run(store: Store, planned: list[Planned], *, mail_from: str, transport: SmtpTransport | None = None,
        outbox: Path | None = None, dry_run: bool = False, force: bool = False,
        log: Callable[[str], None] = lambda _: None) -> JobResult:
    """Send (or with ``outbox`` write as .eml, or with ``dry_run`` only list) the planned messages."""
    result = JobResult()
    if dry_run:
        for p in planned:
            state = store.sent_state(p.key)
            if state == "sent" and not force:
                result.skipped.append(p.describe())
                log(f"would skip (already sent): {p.describe()}")
            else:
                log(f"would send: {p.describe()}")
        return result
    if outbox is not None:
        try:
            outbox.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise InputError(f"cannot create the outbox: {exc.strerror or exc}", path=outbox) from None
        for p in planned:
            msg = build_message(p.build(), mail_from=mail_from, to_name=p.to_name, to_addr=p.to_addr)
            path = outbox / _eml_name(p)
            path.write_bytes(bytes(msg))
            result.written.append(str(path))
            log(f"wrote {path}")
        return result
    if transport is None:
        raise ValueError("a transport is needed to send")
    try:
        for p in planned:
            if not store.claim_send(p.key, force=force):
                result.skipped.append(p.describe())
                log(f"skip (already sent or being sent): {p.describe()}")
                continue
            try:
                msg = build_message(p.build(), mail_from=mail_from, to_name=p.to_name, to_addr=p.to_addr,
                                    headers={"X-Runload-Week": p.week})
                transport.send(msg, p.to_addr)
            except (SendError, ValueError) as err:
                store.finish_send(p.key, sent=False)
                reason = err.reason if isinstance(err, SendError) else str(err)
                result.failed.append(f"{p.describe()}: {reason}")
                log(f"FAILED: {p.describe()}: {reason}")
                continue
            except BaseException:
                store.finish_send(p.key, sent=False)
                raise
            store.finish_send(p.key, sent=True, message_id=str(msg["Message-ID"]))
            result.sent.append(p.describe())
            log(f"sent: {p.describe()}")
    finally:
        transport.close()
    return result
