"""A real SMTP server (aiosmtpd) on 127.0.0.1 for mail tests, with optional STARTTLS and login,
and the faults of a real one: a recipient refused (``rcpt_replies``), the connection dropped or
the answer held back after the whole message arrived (``after_data``)."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import signal
import socket
import ssl
import subprocess
import threading
from email import message_from_bytes, policy
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


DROP = "drop"  # what an ``after_data`` hook returns to close the connection instead of answering


class Collector:
    """Keeps every message the server received in full, with its envelope recipients.

    ``rcpt_replies`` maps an address to the reply its RCPT gets (``"452 ..."``); ``after_data``
    is an async hook ``(recipients, msg) -> reply or DROP or None`` (None: ``250 OK``), called
    after a message has been kept, so a dropped answer leaves a copy the client cannot know of;
    a 4xx or 5xx reply refuses the message, which is then not kept. ``on_step`` is an async hook
    ``(step) -> None`` awaited as ``"MAIL"``, ``"RCPT"`` and ``"DATA"`` (the whole message in and
    kept, before the hook above and the answer) arrive, so a test can hold the server there.
    """

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], object]] = []
        self.rcpt_replies: dict[str, str] = {}
        self.after_data = None
        self.on_step = None

    async def handle_MAIL(self, server, session, envelope, address, mail_options):  # noqa: N802
        if self.on_step:
            await self.on_step("MAIL")
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if self.on_step:
            await self.on_step("RCPT")
        reply = self.rcpt_replies.get(address)
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        msg = message_from_bytes(envelope.content, policy=policy.default)
        kept = (list(envelope.rcpt_tos), msg)
        self.messages.append(kept)
        if self.on_step:
            await self.on_step("DATA")
        reply = await self.after_data(list(envelope.rcpt_tos), msg) if self.after_data else None
        if reply and reply != DROP and reply[:1] in "45":
            self.messages.remove(kept)  # refused: the server does not keep it
        if reply == DROP:
            server.transport.abort()  # gone before the answer: the client cannot tell it arrived
            await asyncio.sleep(0)
            return "250 OK"
        return reply or "250 OK"


def self_signed_cert(folder: Path) -> tuple[Path, Path]:
    """A certificate and key for 127.0.0.1, made now with the cryptography package."""
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


class Server:
    """Start with ``start()``, stop with ``stop()``; ``port`` stays the same across restarts."""

    def __init__(self, *, port: int | None = None, tls: tuple[Path, Path] | None = None,
                 login: tuple[str, str] | None = None) -> None:
        self.port = port or free_port()
        self.collector = Collector()
        self.tls = tls
        self.login = login
        self.controller: Controller | None = None

    def _auth(self, server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword) and self.login is not None
              and (auth_data.login.decode(), auth_data.password.decode()) == self.login)
        return AuthResult(success=ok, handled=False)

    def start(self) -> "Server":
        kwargs: dict = {}
        if self.tls:
            ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            ctx.load_cert_chain(str(self.tls[0]), str(self.tls[1]))
            kwargs.update(tls_context=ctx, require_starttls=True)
        if self.login:
            kwargs.update(authenticator=self._auth, auth_required=True, auth_require_tls=bool(self.tls))
        self.controller = Controller(self.collector, hostname="127.0.0.1", port=self.port, **kwargs)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller:
            self.controller.stop()
            self.controller = None

    @property
    def messages(self):
        return self.collector.messages


def serve_for_runload(monkeypatch, **env: str) -> "Server":
    """Start a server on 127.0.0.1 and point runload's mail settings at it (plain SMTP, fast
    retries); ``env`` adds or overrides settings, e.g. ``RUNLOAD_SMTP_RETRIES="2"``."""
    server = Server().start()
    settings = {"RUNLOAD_SMTP_HOST": "127.0.0.1", "RUNLOAD_SMTP_PORT": str(server.port),
                "RUNLOAD_SMTP_SECURITY": "none", "RUNLOAD_MAIL_FROM": "runload@example.net",
                "RUNLOAD_SMTP_BACKOFF_S": "0.01", **env}
    for key, value in settings.items():
        monkeypatch.setenv(key, value)
    return server


def kill_email_run(cmd: list[str], env: dict[str, str], arrived: threading.Event, release: threading.Event,
                   never: str) -> None:
    """Run ``cmd`` (a ``runload email``) in its own process and kill it (SIGKILL) once the server
    says the moment has ``arrived``; then ``release`` the server. ``never`` is the failure when
    that moment does not come within two minutes."""
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert arrived.wait(120), never
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(30)
    finally:
        release.set()
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == -signal.SIGKILL
