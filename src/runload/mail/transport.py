"""Deliver messages over SMTP (SSL, STARTTLS or plain), with retries that never make copies.

What a failure means depends on when it happens, so the SMTP conversation is spelled out here
(with smtplib's public commands) instead of ``send_message``, which cannot tell:

- Before the end of the message reached the server (connecting, MAIL, RCPT, DATA, a reply of
  4xx or 5xx to the message): it was not delivered. A 4xx or a broken connection is retried a
  few times with growing pauses; a 5xx is final for that message. A refused recipient fails
  that message only; only a server that cannot be reached at all fails the rest of the run
  quickly.
- After the whole message went and before the server's answer came (the connection dropped,
  the answer timed out): the server may have it, so it is never sent again here; the error says
  so (``uncertain``) and the job holds the message for a person (see :mod:`runload.mail.job`).
- A server that accepts the connection and never greets is given ``timeout_s`` (the greeting is
  read under the same timeout as every reply), then counts as unreachable.

``on_accepted`` runs the moment the server accepts a message, before anything else can fail, so
the sent-log records it even if the run is killed a moment later.
"""

from __future__ import annotations

import contextlib
import re
import smtplib
import socket
import ssl
import time
from collections.abc import Callable

from runload.mail.compose import Message
from runload.mail.settings import SmtpSettings
from runload.textsafe import inline

GREETING_TIMEOUT_S = 10.0  # a server's greeting comes at once; silence this long means it is stuck


class SendError(Exception):
    """A message was not delivered, or may not have been.

    ``transient``: trying later may work. ``uncertain``: the whole message went to the server and
    its answer never came, so it may have arrived (and is never sent again without a person's
    word).
    """

    def __init__(self, reason: str, transient: bool, *, uncertain: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.transient = transient
        self.uncertain = uncertain


def _server_text(resp: bytes | str) -> str:
    text = resp.decode("utf-8", "replace") if isinstance(resp, bytes) else str(resp)
    return inline(" ".join(text.split()))[:200]  # the server's words are not ours: one safe line


def _reply_error(what: str, code: int, resp: bytes | str) -> SendError:
    later = " (a later try may work)" if 400 <= code < 500 else ""
    return SendError(f"the mail server refused {what}: {code} {_server_text(resp)}".rstrip() + later,
                     transient=400 <= code < 500)


def _network_reason(exc: BaseException, where: str, timeout_s: float) -> tuple[str, bool]:
    """(reason for a person, transient) for a failure to reach or keep talking to the server."""
    if isinstance(exc, socket.gaierror):
        return f"cannot find the mail server {where.rpartition(':')[0]} (check RUNLOAD_SMTP_HOST)", True
    if isinstance(exc, ssl.SSLCertVerificationError):
        return (f"the mail server at {where} has a certificate this machine does not trust "
                f"({exc.verify_message}); set RUNLOAD_SMTP_CAFILE to its CA bundle"), False
    if isinstance(exc, ssl.SSLError):
        return f"the secure connection to the mail server at {where} failed ({exc.reason or 'TLS error'})", True
    if isinstance(exc, (TimeoutError, socket.timeout)) or "timed out" in str(exc):
        return f"the mail server at {where} did not answer within {timeout_s:g} s", True
    if isinstance(exc, ConnectionRefusedError):
        return f"cannot reach the mail server at {where}: connection refused", True
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return f"the mail server at {where} closed the connection", True
    if isinstance(exc, OSError):
        return f"cannot talk to the mail server at {where}: {(exc.strerror or 'connection failed').lower()}", True
    return f"cannot talk to the mail server at {where}", True


class SmtpTransport:
    """One SMTP connection, opened on first use and reopened after a failure."""

    def __init__(self, settings: SmtpSettings, *, sleep: Callable[[float], None] = time.sleep,
                 log: Callable[[str], None] = lambda _: None) -> None:
        self.settings = settings
        self.retries = settings.retries
        self.backoff_s = settings.backoff_s
        self._unreachable: SendError | None = None  # once the server stayed down, later messages fail fast
        self.sleep = sleep
        self.log = log
        self._conn: smtplib.SMTP | None = None

    @property
    def where(self) -> str:
        return f"{self.settings.host}:{self.settings.port}"

    # ---------------------------------------------------------------- connection
    def _context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=self.settings.cafile)

    def _connect(self) -> smtplib.SMTP:
        """A logged-in connection; SendError (never anything else) when there is none."""
        s = self.settings
        conn: smtplib.SMTP | None = None
        greet_s = min(s.timeout_s, GREETING_TIMEOUT_S)
        try:
            try:
                if s.security == "ssl":
                    conn = smtplib.SMTP_SSL(s.host, s.port, timeout=greet_s, context=self._context())
                else:
                    conn = smtplib.SMTP(s.host, s.port, timeout=greet_s)
            except (TimeoutError, socket.timeout, smtplib.SMTPServerDisconnected) as exc:
                if not isinstance(exc, TimeoutError) and "timed out" not in str(exc):
                    raise  # smtplib reports a greeting that timed out as a disconnection
                # no greeting (or no connection) in time: waiting longer or again rarely helps,
                # and a run of many messages must not wait that long for each one
                raise SendError(f"the mail server at {self.where} did not greet within {greet_s:g} s of "
                                f"connecting", transient=False) from None
            conn.timeout = s.timeout_s  # every later reply: the normal timeout
            if conn.sock is not None:
                conn.sock.settimeout(s.timeout_s)
            if s.security == "starttls":
                conn.starttls(context=self._context())
            if s.user:
                conn.login(s.user, s.password or "")
            return conn
        except SendError:
            raise
        except smtplib.SMTPAuthenticationError as exc:
            err = SendError(f"the mail server refused the login ({exc.smtp_code})", transient=False)
        except smtplib.SMTPNotSupportedError:
            err = SendError(f"the mail server at {self.where} does not offer STARTTLS (or login); "
                            f"check RUNLOAD_SMTP_SECURITY", transient=False)
        except smtplib.SMTPResponseException as exc:  # a refusal when connecting or greeting
            err = _reply_error(f"the connection ({self.where})", exc.smtp_code, exc.smtp_error)
        except (smtplib.SMTPException, OSError) as exc:
            err = SendError(*_network_reason(exc, self.where, s.timeout_s))
        if conn is not None:
            _close_quietly(conn)
        raise err

    def close(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(smtplib.SMTPException, OSError):
                self._conn.quit()
            self._conn = None

    def _drop(self) -> None:
        if self._conn is not None:
            _close_quietly(self._conn)
            self._conn = None

    # ---------------------------------------------------------------- sending
    def send(self, msg: Message, to_addr: str, *, before_end: Callable[[], None] = lambda: None,
             on_accepted: Callable[[], None] = lambda: None) -> None:
        """Deliver ``msg`` to ``to_addr`` only; raises SendError after the last try.

        ``before_end`` runs just before the end of the message goes (from then on it may arrive),
        ``on_accepted`` as soon as the server accepted it. After an uncertain outcome (the whole
        message went, no answer came) it is not sent again: the error is ``uncertain``.
        """
        data, mail_from = msg.smtp(), msg.sender
        attempt = 0
        while True:
            if self._unreachable is not None:
                raise SendError(self._unreachable.reason, self._unreachable.transient)
            try:
                if self._conn is None:
                    try:
                        self._conn = self._connect()
                    except SendError as err:
                        if not err.transient or attempt >= self.retries:
                            self._unreachable = err  # the rest of the run fails at once, for the same reason
                        raise
                self._deliver(self._conn, mail_from, to_addr, data, before_end, on_accepted)
                return
            except SendError as err:
                self._drop()
                if err.uncertain:  # it may have arrived: never sent again without a person's word
                    raise
                if not err.transient or attempt >= self.retries:
                    raise
                attempt += 1
                pause = self.backoff_s * 2 ** (attempt - 1)
                self.log(f"retry {attempt}/{self.retries} in {pause:g}s: {err.reason}")
                self.sleep(pause)

    def _deliver(self, conn: smtplib.SMTP, mail_from: str, to_addr: str, data: bytes,
                 before_end: Callable[[], None], on_accepted: Callable[[], None]) -> None:
        where, timeout_s = self.where, self.settings.timeout_s
        try:
            conn.ehlo_or_helo_if_needed()
            options = [f"SIZE={len(data)}"] if conn.has_extn("size") else []
            code, resp = conn.mail(mail_from, options)
            if code != 250:
                raise _reply_error("the sender", code, resp)
            code, resp = conn.rcpt(to_addr)
            if code not in (250, 251):
                raise _reply_error("the recipient", code, resp)
            code, resp = conn.docmd("DATA")
            if code != 354:
                raise _reply_error("the message", code, resp)
            before_end()
            conn.send(_dot_stuffed(data))  # if this fails, the end never went: not delivered
        except (smtplib.SMTPException, OSError) as exc:
            raise SendError(*_network_reason(exc, where, timeout_s)) from None
        try:
            code, resp = conn.getreply()
        except (smtplib.SMTPException, OSError) as exc:
            reason, _ = _network_reason(exc, where, timeout_s)
            raise SendError(f"{reason} after the whole message went, before confirming it: it may have arrived",
                            transient=True, uncertain=True) from None
        if code != 250:
            raise _reply_error("the message", code, resp)
        on_accepted()


def _dot_stuffed(data: bytes) -> bytes:
    """The message as SMTP's DATA wants it (RFC 5321 4.5.2): a leading dot doubled, CRLF . CRLF at the end."""
    data = re.sub(rb"(?m)^\.", b"..", data)
    if not data.endswith(b"\r\n"):
        data += b"\r\n"
    return data + b".\r\n"


def _close_quietly(conn: smtplib.SMTP) -> None:
    with contextlib.suppress(OSError):
        conn.close()
