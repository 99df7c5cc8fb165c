"""Deliver messages over SMTP (SSL, STARTTLS or plain), retrying transient failures.

A transient failure is a dropped or refused connection, a timeout, or a 4xx reply; those are
retried a few times with growing pauses. A 5xx reply (recipient refused, authentication failed) is
final for that message.
"""

from __future__ import annotations

import smtplib
import ssl
import time
from collections.abc import Callable
from email.message import EmailMessage

from runload.mail.settings import SmtpSettings


class SendError(Exception):
    """A message could not be delivered; ``transient`` says whether trying later may work."""

    def __init__(self, reason: str, transient: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.transient = transient


def _classify(exc: BaseException) -> SendError:
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return SendError(f"the mail server refused the login ({exc.smtp_code})", transient=False)
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = {code for code, _ in exc.recipients.values()}
        return SendError(f"recipient refused ({', '.join(map(str, sorted(codes)))})",
                         transient=all(400 <= c < 500 for c in codes))
    if isinstance(exc, smtplib.SMTPResponseException):
        msg = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
        return SendError(f"mail server said {exc.smtp_code} {msg}", transient=400 <= exc.smtp_code < 500)
    if isinstance(exc, (smtplib.SMTPException, OSError)):
        return SendError(f"cannot talk to the mail server: {exc.__class__.__name__}: {exc}", transient=True)
    raise exc


class SmtpTransport:
    """One SMTP connection, opened on first use and reopened after a failure."""

    def __init__(self, settings: SmtpSettings, *, sleep: Callable[[float], None] = time.sleep,
                 log: Callable[[str], None] = lambda _: None) -> None:
        self.settings = settings
        self.retries = settings.retries
        self.backoff_s = settings.backoff_s
        self._unreachable: str | None = None  # once the server stayed down, later messages fail fast
        self.sleep = sleep
        self.log = log
        self._conn: smtplib.SMTP | None = None

    def _context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=self.settings.cafile)

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        if s.security == "ssl":
            conn: smtplib.SMTP = smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout_s, context=self._context())
        else:
            conn = smtplib.SMTP(s.host, s.port, timeout=s.timeout_s)
            if s.security == "starttls":
                conn.starttls(context=self._context())
        if s.user:
            conn.login(s.user, s.password or "")
        return conn

    def close(self) -> None:
        if self._conn is not None:
            try:
                self._conn.quit()
            except (smtplib.SMTPException, OSError):
                pass
            self._conn = None

    def send(self, msg: EmailMessage, to_addr: str) -> None:
        """Deliver ``msg`` to ``to_addr`` only; raises SendError after the last try."""
        if self._unreachable:
            raise SendError(self._unreachable, transient=True)
        attempt = 0
        while True:
            connecting = self._conn is None
            try:
                if connecting:
                    self._conn = self._connect()
                self._conn.send_message(msg, to_addrs=[to_addr])
                return
            except Exception as exc:  # classified below; anything unexpected is re-raised
                err = _classify(exc)
                self._drop()
                if not err.transient or attempt >= self.retries:
                    if connecting and err.transient:
                        self._unreachable = err.reason
                    if connecting and isinstance(exc, smtplib.SMTPAuthenticationError):
                        self._unreachable = err.reason
                    raise err from None
                attempt += 1
                pause = self.backoff_s * 2 ** (attempt - 1)
                self.log(f"retry {attempt}/{self.retries} in {pause:g}s: {err.reason}")
                self.sleep(pause)

    def _drop(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            except OSError:
                pass
            self._conn = None
