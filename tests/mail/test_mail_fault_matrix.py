"""The mail guarantee through a matrix of faults, each run four times in a row against a real
SMTP server on 127.0.0.1 (aiosmtpd): the connection dropped after the whole message went (the
server keeps it), a 4xx and a 5xx answer to the message, a run killed with SIGKILL at each step
of the conversation, and a server that never greets. Whatever happens, no recipient gets a
message twice without ``--resend``: a send whose answer never came is held at once, and a run
killed mid-send adds no copy."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict

import pytest

from smtp_server import DROP, kill_email_run, serve_for_runload

pytestmark = pytest.mark.slow  # each fault four times, with runs killed mid-send

WEEK = "2026-W42"
ALL = ["ben@example.org", "kim@example.org", "lee@example.org", "maya@example.org"]


@pytest.fixture
def people(cli):
    for args in (["maya", "--name", "Maya L", "--email", "maya@example.org"],
                 ["ben", "--name", "Ben O", "--email", "ben@example.org"]):
        assert cli("athlete", "add", *args).exit_code == 0
    assert cli("coach", "add", "kim", "--email", "kim@example.org", "--athlete", "maya").exit_code == 0
    assert cli("coach", "add", "lee", "--email", "lee@example.org", "--athlete", "ben").exit_code == 0


@pytest.fixture
def smtp(monkeypatch):
    server = serve_for_runload(monkeypatch, RUNLOAD_SMTP_RETRIES="1")
    yield server
    server.stop()


def received(server) -> tuple[Counter, dict[str, set[str]]]:
    """Copies the server kept per recipient, and the Message-IDs among them."""
    n: Counter = Counter()
    ids: dict[str, set[str]] = defaultdict(set)
    for rcpts, msg in server.messages:
        assert msg["X-Runload-Week"] == WEEK
        n[rcpts[0]] += 1
        ids[rcpts[0]].add(str(msg["Message-ID"]))
    return n, ids


def never_twice(server, *, most: int) -> Counter:
    """No recipient holds two messages (Message-IDs), nor more than ``most`` copies of its one."""
    n, ids = received(server)
    assert all(len(v) == 1 for v in ids.values()), ids
    assert all(c <= most for c in n.values()), n
    return n


@pytest.mark.parametrize("reply", [DROP, "451 4.3.0 try again later", "554 5.6.0 message refused"])
def test_a_fault_after_the_message_four_runs_in_a_row(cli, people, smtp, reply):
    async def fault(rcpts, msg):
        return reply

    smtp.collector.after_data = fault
    seen = []
    for _ in range(4):
        r = cli("email", "--week", WEEK)
        assert r.exit_code == 1, r.output
        seen.append(never_twice(smtp, most=1))
    if reply == DROP:  # the server kept the one copy it got: held at once, never sent again
        assert seen[0] == {a: 1 for a in ALL} and seen[-1] == seen[0]
        assert "held 4 that may have arrived" in r.output
    else:  # refused: nothing arrived, so each run tries again
        assert seen[-1] == {} and "failed 4." in r.output
    smtp.collector.after_data = None  # the fault is gone
    r = cli("email", "--week", WEEK)
    after = never_twice(smtp, most=1)
    if reply == DROP:
        assert r.exit_code == 1 and after == seen[0]  # still a person's decision
        assert cli("email", "--week", WEEK, "--resend").exit_code == 0
        assert never_twice(smtp, most=2) == {a: 2 for a in ALL}  # asked for: one more, same Message-ID
    else:
        assert r.exit_code == 0 and after == {a: 1 for a in ALL}


@pytest.mark.parametrize("step", ["MAIL", "RCPT", "DATA"])
def test_a_run_killed_at_each_step_then_three_more_runs(people, smtp, store_path, step):
    """SIGKILL while the server holds the first message at ``step`` (at DATA: the whole message
    is with the server, before its 250). Before DATA nothing can have arrived, so a later run
    sends it; at DATA it may have, so no later run sends it without --resend."""
    arrived, release = threading.Event(), threading.Event()

    async def hold(at):
        if at == step and not arrived.is_set():
            arrived.set()
            while not release.is_set():
                await asyncio.sleep(0.02)

    smtp.collector.on_step = hold
    env = {**os.environ, "RUNLOAD_STORE": str(store_path)}
    cmd = [sys.executable, "-m", "runload", "email", "--week", WEEK]
    kill_email_run(cmd, env, arrived, release, "the first message never reached the step")
    time.sleep(0.2)  # the server finishes the held step (at DATA: it keeps the message)
    for _ in range(3):
        subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
        never_twice(smtp, most=1)  # a killed run adds no copy, ever
    n = never_twice(smtp, most=1)
    assert sum(n.values()) == 4, n  # every message arrived once: the killed one by its own or a later run
    last = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
    if step == "DATA":
        assert "held 1 that may have arrived" in last.stdout and last.returncode == 1
    else:
        assert last.stdout.strip() == "Sent 0, skipped 4 already sent, failed 0."


def test_a_server_that_never_greets_costs_one_greeting_timeout(cli, people, monkeypatch):
    """A server that accepts the connection and says nothing: the run waits one greeting timeout
    (not the reply timeout times every retry of every message), and says so."""
    import runload.mail.transport as transport

    monkeypatch.setattr(transport, "GREETING_TIMEOUT_S", 1.0)
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        for key, value in {"RUNLOAD_SMTP_HOST": "127.0.0.1", "RUNLOAD_SMTP_PORT": str(listener.getsockname()[1]),
                           "RUNLOAD_SMTP_SECURITY": "none", "RUNLOAD_SMTP_BACKOFF_S": "1"}.items():
            monkeypatch.setenv(key, value)
        for _ in range(4):
            start = time.monotonic()
            r = cli("email", "--week", WEEK)
            took = time.monotonic() - start
            assert r.exit_code == 1 and "Sent 0, skipped 0 already sent, failed 4." in r.output
            assert r.output.count("did not greet within 1 s of connecting") == 4
            assert "retry" not in r.output
            assert took < 5, took


class SlowGreeting:
    """A TCP proxy on 127.0.0.1 in front of the test server that holds each new connection
    ``delay_s`` before the server's greeting can pass (a busy or throttling server)."""

    def __init__(self, upstream_port: int, delay_s: float) -> None:
        self.delay_s = delay_s
        self.upstream = upstream_port
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(16)
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        time.sleep(self.delay_s)
        try:
            server = socket.create_connection(("127.0.0.1", self.upstream))
        except OSError:  # the test is over and its server gone: the client gives up on its own
            client.close()
            return

        def pump(src: socket.socket, dst: socket.socket) -> None:
            try:
                while data := src.recv(65536):
                    dst.sendall(data)
            except OSError:
                pass
            for s in (src, dst):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)

        threading.Thread(target=pump, args=(server, client), daemon=True).start()
        pump(client, server)

    def close(self) -> None:
        self.listener.close()


@pytest.mark.parametrize("delay_s, delivered", [(0.3, True), (1.5, False)])
def test_a_slow_greeting_within_the_timeout_sends_and_beyond_it_fails_fast(cli, people, smtp, monkeypatch,
                                                                           delay_s, delivered):
    import runload.mail.transport as transport

    monkeypatch.setattr(transport, "GREETING_TIMEOUT_S", 1.0)
    proxy = SlowGreeting(smtp.port, delay_s)
    monkeypatch.setenv("RUNLOAD_SMTP_PORT", str(proxy.port))
    try:
        for _ in range(4):
            start = time.monotonic()
            r = cli("email", "--week", WEEK)
            assert time.monotonic() - start < 8
            never_twice(smtp, most=1)
    finally:
        proxy.close()
    if delivered:
        assert r.exit_code == 0 and never_twice(smtp, most=1) == {a: 1 for a in ALL}
    else:
        assert r.exit_code == 1 and "did not greet within 1 s" in r.output and not smtp.messages
