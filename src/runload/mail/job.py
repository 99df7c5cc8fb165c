"""The weekly mail job: decide who gets what, then send each message exactly once.

Each message has a key (recipient, subject kind, subject id, week) and a row in the store's
sent-log (see :meth:`runload.store.Store.claim_send` for its states). Before sending, the job
claims the key inside a write transaction, so a second run (cron overlapping a manual run) sees
the claim and sends nothing; the moment the server accepts the message it is recorded as sent,
before anything else can fail; a failure is recorded with its reason, and a later run tries
again.

The guarantee, by design: no recipient gets a message twice without a person's word. SMTP
cannot say whether a message whose answer never came arrived (the connection broke after the
whole message went, or a run was killed while the server had it), so such a message is "held"
at once: no run asks the server anything about it until a person decides (``resend``,
``runload email --resend``, which sends it once more with the Message-ID chosen at its first
claim, so a mail program shows one message even if both copies arrive). A failure before the end
of the message (which cannot have delivered it) is simply retried by later runs. A row left
"uncertain" by an older runload (which retried such a message once) is held the same way.
``force`` sends again what was sent (as a new message).

Which weeks: by default every week that is due and not yet sent, up to :data:`CATCH_UP_WEEKS`
back, so a week whose mail failed goes out with the next run. A week is due when it is the last
complete week, or an earlier one after the first week this recipient was mailed about this
subject (a new athlete gets last week only, not a month of mail).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta, timezone
from functools import partial
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from runload.calendar import iso_label, week_start_of
from runload.errors import InputError, RunloadError
from runload.mail import content  # looked up when planning: a test may stand in for one
from runload.mail.compose import Content, Message, build_message, new_message_id
from runload.mail.prepare import Failed, prepare
from runload.mail.transport import SendError, SmtpTransport
from runload.outfile import private_folder, write_file
from runload.session import Assessor
from runload.store import Store

# The last complete week and the three before it: a month of weekly mails at most, after an
# outage of the mail server or of the machine.
CATCH_UP_WEEKS = 4


@dataclass(frozen=True)
class Planned:
    """One message to send: its sent-log key, recipient, and how to build its content."""

    kind: str  # "athlete" or "roster"
    subject_id: str  # athlete id or coach id
    week_start: date
    to_name: str | None
    to_addr: str
    build: Callable[[], Content] = field(compare=False, repr=False)
    # what a worker process needs to build the content itself (runload.mail.prepare)
    athlete_ids: tuple[str, ...] = field(default=(), compare=False, repr=False)
    coach_name: str | None = field(default=None, compare=False, repr=False)
    today: date | None = field(default=None, compare=False, repr=False)
    book: Any = field(default=None, compare=False, repr=False)

    @property
    def week(self) -> str:
        return iso_label(self.week_start)

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.to_addr.lower(), self.kind, self.subject_id, self.week)

    @property
    def what(self) -> str:
        return "weekly summary" if self.kind == "athlete" else "roster"

    def describe(self) -> str:
        return f"{self.what} {self.subject_id} {self.week} -> {self.to_addr}"

    def resend_command(self) -> str:
        """The command a person runs to send this held message once more."""
        who = f" --athlete {self.subject_id}" if self.kind == "athlete" else ""
        return f"runload email --week {self.week}{who} --resend"

    def report_command(self) -> str:
        """The command that renders what this message says, for a person to look at."""
        if self.kind == "athlete":
            return f"runload report --athlete {self.subject_id} --week {self.week}"
        return f"runload roster --week {self.week}"


@dataclass
class JobResult:
    sent: list[str] = field(default_factory=list)
    written: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    held: list[str] = field(default_factory=list)  # may have arrived: a person decides (--resend)




def last_complete_week(today_utc: datetime, tz: str) -> date:
    """Monday of the last complete Monday-to-Sunday week in time zone ``tz``."""
    local = today_utc.astimezone(ZoneInfo(tz)).date()
    return week_start_of(local - timedelta(days=7), 0)  # a Monday: the ISO week's label day


def due_weeks(store: Store, recipient: str, kind: str, subject_id: str, last: date, *,
              weeks: int = CATCH_UP_WEEKS) -> list[date]:
    """The weeks (Mondays, oldest first) from the ``weeks`` up to ``last`` that this message is
    due for: ``last`` itself, and each earlier one not yet sent after the first week this
    recipient was mailed about this subject."""
    log = store.sent_weeks(recipient.lower(), kind, subject_id)
    first = min(log) if log else None
    out = []
    for k in range(weeks - 1, -1, -1):
        wk = last - timedelta(weeks=k)
        label = iso_label(wk)
        if wk == last or (first is not None and label >= first and log.get(label) != "sent"):
            out.append(wk)
    return out


def plan(store: Store, *, week: date | None = None, catch_up: bool = True, athlete_ids: list[str] | None = None,
         now: datetime | None = None) -> list[Planned]:
    """Every message this run should consider, athletes first, then coaches' rosters.

    ``week`` given: that week only. Otherwise each athlete's last complete week in their own time
    zone (rosters: the last complete week in UTC) and, with ``catch_up``, the earlier weeks due
    and not yet sent (:func:`due_weeks`). With ``athlete_ids``, only those athletes' summaries,
    and the rosters of the coaches who coach any of them (each roster lists only that coach's
    own athletes).
    """

    now = now or datetime.now(timezone.utc)
    judge = Assessor(store)  # one assessment per athlete and week for the whole run
    athletes = store.list_athletes()
    by_id = {a.id: a for a in athletes}
    if athlete_ids:
        for aid in athlete_ids:
            store.get_athlete(aid)  # an unknown athlete is an error, not an empty run
        athletes = [by_id[aid] for aid in dict.fromkeys(athlete_ids)]

    def weeks_for(addr: str, kind: str, subject: str, tz: str) -> list[date]:
        if week is not None:
            return [week]
        last = last_complete_week(now, tz)
        return due_weeks(store, addr, kind, subject, last) if catch_up else [last]

    out: list[Planned] = []
    for a in athletes:
        if not a.email:
            continue
        for wk in weeks_for(a.email, "athlete", a.id, a.timezone):
            out.append(Planned("athlete", a.id, wk, a.name, a.email,
                               partial(content.athlete_content, judge, a.id, wk, today=now.date()),
                               today=now.date(), book=judge.book))
    selected = {a.id for a in athletes}
    for coach_id, name, email, ids in store.coaches():
        if not ids or (athlete_ids and not selected.intersection(ids)):
            continue
        for wk in weeks_for(email, "roster", coach_id, "UTC"):
            out.append(Planned("roster", coach_id, wk, name, email,
                               partial(content.roster_content, judge, name or coach_id, ids, wk, today=now.date()),
                               athlete_ids=tuple(ids), coach_name=name or coach_id, today=now.date(),
                               book=judge.book))
    return out


def _eml_name(p: Planned) -> str:
    safe = re.sub(r"[^A-Za-z0-9._@-]+", "_", f"{p.week}-{p.kind}-{p.subject_id}-{p.to_addr}")
    return f"{safe}.eml"


class _NotBuilt(Exception):
    """The content of one message could not be built; ``reason`` is for a person."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _content(p: Planned) -> Content:
    """Build one message's content. One athlete's data that runload cannot handle fails that
    message only, with a reason a person can act on; the other messages still go."""
    try:
        return p.build()
    except RunloadError as err:
        raise _NotBuilt(f"cannot build the {p.what}: {err}") from None
    except Exception:  # noqa: BLE001 - any failure of one report must not stop the others
        raise _NotBuilt(f"cannot build the {p.what}: runload could not handle some of the stored data "
                        f"(`{p.report_command()}` shows the same problem)") from None


def _message(p: Planned, mail_from: str, message_id: str | None = None) -> Message:
    try:
        return build_message(_content(p), mail_from=mail_from, to_name=p.to_name, to_addr=p.to_addr,
                             message_id=message_id, headers={"X-Runload-Week": p.week})
    except InputError as err:  # an address stored before addresses were checked as they are now
        raise _NotBuilt(f"cannot address it: {err}") from None


def _id_for(p: Planned, mail_from: str) -> str:
    return new_message_id(mail_from, re.sub(r"[^A-Za-z0-9.-]+", "_", f"{p.kind}.{p.subject_id}.{p.week}"))


def run(store: Store, planned: list[Planned], *, mail_from: str, transport: SmtpTransport | None = None,
        outbox: Path | None = None, dry_run: bool = False, force: bool = False, resend: bool = False,
        log: Callable[[str], None] = lambda _: None) -> JobResult:
    """Send (or with ``outbox`` write as .eml, or with ``dry_run`` only list) the planned messages."""
    result = JobResult()
    if dry_run:
        for p in planned:
            state = store.sent_state(p.key)
            if state == "sent" and not force:
                result.skipped.append(p.describe())
                log(f"would skip (already sent): {p.describe()}")
            elif state == "held" and not (resend or force):
                result.held.append(p.describe())
                log(f"would hold (may have arrived; --resend sends it): {p.describe()}")
            else:
                again = " (again: the last try may have arrived)" if state == "uncertain" else ""
                log(f"would send{again}: {p.describe()}")
        return result
    planned = _prebuilt(store, planned if outbox is not None or force
                        else [p for p in planned if store.sent_state(p.key) != "sent"], planned)
    if outbox is not None:
        private_folder(outbox)
        for p in planned:
            try:
                msg = _message(p, mail_from)
            except _NotBuilt as err:
                result.failed.append(f"{p.describe()}: {err.reason}")
                log(f"FAILED: {p.describe()}: {err.reason}")
                continue
            path = write_file(outbox / _eml_name(p), bytes(msg))
            result.written.append(str(path))
            log(f"wrote {path}")
        return result
    if transport is None:
        raise ValueError("a transport is needed to send")
    try:
        for p in planned:
            _send_one(store, p, transport, mail_from=mail_from, force=force, resend=resend, result=result, log=log)
    finally:
        transport.close()
    return result


def _prebuilt(store: Store, todo: list[Planned], planned: list[Planned]) -> list[Planned]:
    """``planned`` with the contents of ``todo`` built up front on every core (for a run big
    enough to gain from it: see :mod:`runload.mail.prepare`); the rest build when sent."""


    if not todo or todo[0].book is None or todo[0].today is None:
        return planned
    built = prepare(store, todo[0].book, todo, today=todo[0].today)
    if built is None:
        return planned
    ready = {id(p): built[i] for i, p in enumerate(todo) if i in built}

    def fixed(got: Any) -> Callable[[], Content]:
        def build() -> Content:
            if isinstance(got, Failed):
                raise InputError(got.reason)
            return got
        return build

    return [replace(p, build=fixed(ready[id(p)])) if id(p) in ready else p for p in planned]


def _held(p: Planned, why: str, result: JobResult, log: Callable[[str], None]) -> None:
    """Report a message held for a person: it may have arrived, so runload does not send it again."""
    line = (f"{p.describe()}: {why}; not sent again without your word (ask the recipient, or send it "
            f"once more: {p.resend_command()})")
    result.held.append(line)
    log(f"HELD: {line}")


def _send_one(store: Store, p: Planned, transport: SmtpTransport, *, mail_from: str, force: bool, resend: bool,
              result: JobResult, log: Callable[[str], None]) -> None:
    claim = store.claim_send(p.key, force=force, resend=resend, message_id=_id_for(p, mail_from))
    if not claim.granted:
        if claim.state == "held":
            _held(p, store.send_detail(p.key) or "it may have arrived", result, log)
            return
        why = "already sent" if claim.state == "sent" else "being sent by another run"
        result.skipped.append(p.describe())
        log(f"skip ({why}): {p.describe()}")
        return
    phase = "sending"

    def before_end() -> None:
        nonlocal phase
        store.mark_delivering(p.key)
        phase = "delivering"

    def accepted() -> None:
        nonlocal phase
        store.finish_send(p.key, "sent")  # first thing after the server's yes
        phase = "sent"

    try:
        msg = _message(p, mail_from, claim.message_id)
        transport.send(msg, p.to_addr, before_end=before_end, on_accepted=accepted)
    except (_NotBuilt, SendError) as err:
        # held for a person as soon as a copy may be with the server; failed when none can be
        state = "held" if isinstance(err, SendError) and err.uncertain else "failed"
        store.finish_send(p.key, state, err.reason)
        if state == "held":
            _held(p, err.reason, result, log)
        else:
            result.failed.append(f"{p.describe()}: {err.reason}")
            log(f"FAILED: {p.describe()}: {err.reason}")
        return
    except BaseException:
        if phase != "sent":
            state = "held" if phase == "delivering" else "failed"
            store.finish_send(p.key, state, "the run was interrupted" + (
                " while the mail server had the whole message: it may have arrived" if phase == "delivering" else ""))
        raise
    result.sent.append(p.describe())
    log(f"sent: {p.describe()}")
