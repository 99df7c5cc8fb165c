"""The sent-log: which weekly messages went to whom, and the claims that keep two runs from
sending one message twice."""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from datetime import datetime, timezone

from runload.store.base import StoreBase
from runload.store.rows import parse_iso, utc_now

CLAIMED_SEND_STATES = ("sending", "retrying", "delivering")  # a run holds the message (see SentLog.claim_send)
HELD_AFTER_KILL = "a run was stopped while the mail server had the whole message: it may have arrived"


@dataclass(frozen=True)
class SendClaim:
    """What :meth:`SentLog.claim_send` decided: whether this run may send, the state the message
    was in before (None: never tried), and the Message-ID to send it with."""

    granted: bool
    state: str | None
    message_id: str | None


class SentLog(StoreBase):
    """The store's sent-log (one row per message key)."""

    # One row per message key (recipient, subject kind, subject id, week). States:
    #   sending     claimed by ``owner``; the message has not been handed over yet
    #   retrying    claimed by ``owner`` for a resend a person asked for (``--resend``);
    #               not handed over yet
    #   delivering  the whole message went to the server; its answer has not come back
    #   sent        the server accepted it
    #   failed      no try can have arrived (``detail`` says why); a later run tries again
    #   uncertain   written by an older runload only (one unconfirmed try, retried once then):
    #               read as held
    #   held        the server may have it (the connection broke after the whole message went,
    #               or a run was killed while the server had it): runload asks the server nothing
    #               more about it until a person decides (``runload email --resend``)
    # The Message-ID is chosen at the first claim and kept for every later try, so a resent
    # message is one message to a mail program.
    def claim_send(self, key: tuple[str, str, str, str], *, message_id: str, force: bool = False,
                   resend: bool = False, lease_s: float = 1800, owner: str | None = None) -> SendClaim:
        """Claim the right to send one message; ``message_id`` is used when none is stored yet
        (and for a forced resend, which is a new message).

        Refused (``granted`` False) when it was sent (unless ``force``), is held for a person
        (unless ``resend`` or ``force``), or another run holds a claim on it: two runs at once
        never both send. A claim is taken over when it is older than ``lease_s`` or its owner was
        a process of this machine that no longer runs (a run killed mid-send); ``state`` then
        says how far that run got. A run killed after the whole message went (``delivering``) is
        not taken over to send again: the message becomes ``held`` (unless ``resend``).
        """
        now = datetime.now(timezone.utc)
        owner = owner or _this_process()
        with self.atomic() as conn:
            row = conn.execute(
                "SELECT state, updated_utc, message_id, owner FROM sent_log WHERE recipient = ? AND "
                "subject_kind = ? AND subject_id = ? AND week = ?", key).fetchone()
            state = stored_id = None
            if row is not None:
                state, updated, stored_id, holder = row
                if state in CLAIMED_SEND_STATES:
                    stale = (now - parse_iso(updated)).total_seconds() >= lease_s or not _owner_alive(holder)
                    if not stale:
                        return SendClaim(False, state, stored_id)
                    if state == "delivering" and not (resend or force):
                        conn.execute(
                            "UPDATE sent_log SET state = 'held', detail = ?, updated_utc = ?, owner = NULL "
                            "WHERE recipient = ? AND subject_kind = ? AND subject_id = ? AND week = ?",
                            (HELD_AFTER_KILL, now.isoformat(), *key))
                        return SendClaim(False, "held", stored_id)
                if state == "sent" and not force:
                    return SendClaim(False, state, stored_id)
                # "uncertain" is what an older runload left after an unconfirmed try: held as well
                if state in ("held", "uncertain") and not (resend or force):
                    return SendClaim(False, "held", stored_id)
            use_id = message_id if (stored_id is None or state == "sent") else stored_id
            claimed = "retrying" if state in ("uncertain", "retrying", "delivering", "held") else "sending"
            conn.execute(
                "INSERT OR REPLACE INTO sent_log (recipient, subject_kind, subject_id, week, state, message_id,"
                " updated_utc, owner, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL)",
                (*key, claimed, use_id, now.isoformat(), owner))
        return SendClaim(True, state, use_id)

    def mark_delivering(self, key: tuple[str, str, str, str]) -> None:
        """The whole message is about to go to the server: from here on it may arrive."""
        self._set_send_state(key, "delivering")

    def finish_send(self, key: tuple[str, str, str, str], state: str, detail: str | None = None) -> None:
        """Record how a claimed message ended: ``sent``, ``failed``, ``uncertain`` or ``held``."""
        if state not in ("sent", "failed", "uncertain", "held"):
            raise ValueError(f"not a final send state: {state!r}")
        self._set_send_state(key, state, detail)

    def _set_send_state(self, key: tuple[str, str, str, str], state: str, detail: str | None = None) -> None:
        with self.atomic() as conn:
            conn.execute(
                "UPDATE sent_log SET state = ?, detail = ?, updated_utc = ? WHERE recipient = ? "
                "AND subject_kind = ? AND subject_id = ? AND week = ?", (state, detail, utc_now(), *key))

    def sent_state(self, key: tuple[str, str, str, str]) -> str | None:
        """The state of one message key (see above), or None when it was never tried."""
        row = self.conn.execute(
            "SELECT state FROM sent_log WHERE recipient = ? AND subject_kind = ? AND subject_id = ? AND week = ?",
            key).fetchone()
        return row[0] if row else None

    def send_detail(self, key: tuple[str, str, str, str]) -> str | None:
        """Why the last try of one message failed or is held (None when it did not)."""
        row = self.conn.execute(
            "SELECT detail FROM sent_log WHERE recipient = ? AND subject_kind = ? AND subject_id = ? AND week = ?",
            key).fetchone()
        return row[0] if row else None

    def sent_weeks(self, recipient: str, kind: str, subject_id: str) -> dict[str, str]:
        """{week: state} of every message of one kind about one subject to one recipient."""
        rows = self.conn.execute(
            "SELECT week, state FROM sent_log WHERE recipient = ? AND subject_kind = ? AND subject_id = ?",
            (recipient, kind, subject_id))
        return {w: st for w, st in rows}


def _this_process() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _owner_alive(owner: str | None) -> bool:
    """False only for a claim owned by a process of this machine that no longer runs."""
    host, _, pid = (owner or "").rpartition(":")
    if host != socket.gethostname() or not pid.isdigit() or os.name == "nt":
        # another machine, or an older store: only the lease can tell (and on Windows signal 0
        # is CTRL_C_EVENT, not a probe)
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # alive, owned by someone else
    return True

