"""Weekly mails against a real SMTP server on 127.0.0.1 (aiosmtpd)."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date, datetime, timezone
from email import message_from_bytes, policy

import pytest
from conftest import SAMPLES
from smtp_server import serve_for_runload, Server, self_signed_cert

from runload.mail.job import last_complete_week, plan, run
from runload.mail.settings import smtp_settings
from runload.mail.transport import SmtpTransport
from runload.store import Store

pytestmark = pytest.mark.slow  # a real SMTP server

WEEK = "2026-W42"


@pytest.fixture
def people(cli):
    for args in (["maya", "--name", "Maya L", "--email", "maya@example.org", "--timezone", "Europe/Stockholm"],
                 ["ben", "--name", "Ben O", "--email", "ben@example.org", "--timezone", "America/Denver"],
                 ["carl", "--name", "Carl No-Mail"]):
        assert cli("athlete", "add", *args).exit_code == 0
    assert cli("coach", "add", "kim", "--email", "kim@example.org", "--name", "Kim Coach",
               "--athlete", "maya", "--athlete", "carl").exit_code == 0
    assert cli("coach", "add", "lee", "--email", "lee@example.org", "--athlete", "ben").exit_code == 0


@pytest.fixture
def smtp(monkeypatch):
    server = serve_for_runload(monkeypatch)
    yield server
    server.stop()


def by_recipient(server):
    out = {}
    for rcpts, msg in server.messages:
        assert len(rcpts) == 1  # each message goes to its own recipient only
        out.setdefault(rcpts[0], []).append(msg)
    return out


def test_sends_each_message_once_to_the_right_people(cli, people, smtp):
    r = cli("email", "--week", WEEK)
    assert r.exit_code == 0, r.output
    assert "Sent 4, skipped 0 already sent, failed 0." in r.output
    got = by_recipient(smtp)
    assert sorted(got) == ["ben@example.org", "kim@example.org", "lee@example.org", "maya@example.org"]
    maya = got["maya@example.org"][0]
    assert maya["To"] == "Maya L <maya@example.org>"
    assert maya["Subject"].startswith("runload 2026-W42: Maya L")
    assert maya.is_multipart()
    assert {p.get_content_type() for p in maya.walk()} >= {"text/plain", "text/html"}
    text = maya.get_body(("plain",)).get_content()
    assert "Maya L" in text and "Ben O" not in text
    roster = got["kim@example.org"][0].get_body(("plain",)).get_content()
    assert "Maya L" in roster and "Carl No-Mail" in roster
    assert "Ben O" not in roster  # a coach sees only their own athletes
    assert "Maya L" not in got["lee@example.org"][0].get_body(("plain",)).get_content()
    assert got["kim@example.org"][0]["Subject"] == "runload roster 2026-W42: 2 athletes"
    assert got["lee@example.org"][0]["Subject"] == "runload roster 2026-W42: 1 athlete"  # one, not "1 athletes"

    again = cli("email", "--week", WEEK)
    assert again.exit_code == 0
    assert "Sent 0, skipped 4 already sent, failed 0." in again.output
    assert len(smtp.messages) == 4

    forced = cli("email", "--week", WEEK, "--athlete", "maya", "--force")
    assert forced.exit_code == 0
    assert "Sent 2," in forced.output  # maya's summary and kim's roster (kim coaches maya)
    assert len(smtp.messages) == 6


def test_server_down_records_nothing_then_sends_everything(cli, people, smtp, store_path):
    smtp.stop()
    r = cli("email", "--week", WEEK)
    assert r.exit_code == 1
    assert "failed 4" in r.output
    with Store.open(store_path) as store:
        assert store.conn.execute("SELECT count(*) FROM sent_log WHERE state = 'sent'").fetchone()[0] == 0
        # each failure is kept with a reason a person can read, for the next run to retry
        details = {d for (d,) in store.conn.execute("SELECT detail FROM sent_log")}
        assert details == {f"cannot reach the mail server at 127.0.0.1:{smtp.port}: connection refused"}
    smtp.start()
    r = cli("email", "--week", WEEK)
    assert r.exit_code == 0 and "Sent 4," in r.output
    assert len(smtp.messages) == 4


def test_recipient_refused_fails_only_that_message(cli, people, smtp, monkeypatch):
    class Refusing:
        async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
            if address.startswith("ben@"):
                return "550 no such user"
            envelope.rcpt_tos.append(address)
            return "250 OK"

        handle_DATA = smtp.collector.handle_DATA  # noqa: N815

    smtp.stop()
    smtp.collector.handle_RCPT = Refusing().handle_RCPT
    smtp.start()
    r = cli("email", "--week", WEEK)
    assert r.exit_code == 1
    assert "Sent 3, skipped 0 already sent, failed 1." in r.output
    assert ("FAILED: weekly summary ben 2026-W42 -> ben@example.org: the mail server refused the recipient: "
            "550 no such user") in r.output


def test_dry_run_and_outbox_send_nothing(cli, people, smtp, tmp_path):
    r = cli("email", "--week", WEEK, "--dry-run")
    assert r.exit_code == 0
    assert "4 messages planned" in r.output
    assert "would send: weekly summary maya 2026-W42 -> maya@example.org" in r.output
    out = tmp_path / "outbox"
    r = cli("email", "--week", WEEK, "--outbox", str(out))
    assert r.exit_code == 0 and "Wrote 4 messages" in r.output
    files = sorted(p.name for p in out.iterdir())
    assert len(files) == 4 and all(f.endswith(".eml") for f in files)
    msg = message_from_bytes((out / [f for f in files if "maya" in f and "athlete" in f][0]).read_bytes(),
                             policy=policy.default)
    assert msg["To"] == "Maya L <maya@example.org>"
    assert smtp.messages == []


def test_names_with_newlines_cannot_inject_headers(cli, people, smtp, store_path):
    with Store.open(store_path) as store:
        store.conn.execute("UPDATE coaches SET name = ? WHERE id = 'kim'",
                           ("Kim\r\nBcc: evil@example.com\r\nX-Evil: 1",))
        store.conn.execute("UPDATE athletes SET name = ? WHERE id = 'maya'", ("Maya\nBcc: evil@example.com",))
    assert cli("email", "--week", WEEK).exit_code == 0
    for rcpts, msg in smtp.messages:
        assert rcpts != ["evil@example.com"]
        assert msg["Bcc"] is None and msg["X-Evil"] is None
    assert "evil@example.com" not in {r for rcpts, _ in smtp.messages for r in rcpts}


def test_two_runs_at_once_do_not_double_send(people, smtp, store_path):
    env = {**os.environ, "RUNLOAD_STORE": str(store_path)}
    cmd = [sys.executable, "-m", "runload", "email", "--week", WEEK]
    procs = [subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(3)]
    outs = [p.communicate(timeout=120) for p in procs]
    assert all(p.returncode == 0 for p in procs), outs
    assert len(smtp.messages) == 4
    assert sorted(by_recipient(smtp)) == ["ben@example.org", "kim@example.org", "lee@example.org",
                                          "maya@example.org"]


def test_starttls_with_login_and_password_never_logged(cli, people, tmp_path, monkeypatch):
    cert, key = self_signed_cert(tmp_path)
    server = Server(tls=(cert, key), login=("coach", "s3cret-pw")).start()
    try:
        monkeypatch.setenv("RUNLOAD_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("RUNLOAD_SMTP_PORT", str(server.port))
        monkeypatch.setenv("RUNLOAD_SMTP_SECURITY", "starttls")
        monkeypatch.setenv("RUNLOAD_SMTP_CAFILE", str(cert))
        monkeypatch.setenv("RUNLOAD_SMTP_USER", "coach")
        monkeypatch.setenv("RUNLOAD_SMTP_PASSWORD", "wrong")
        monkeypatch.setenv("RUNLOAD_SMTP_BACKOFF_S", "0.01")
        r = cli("email", "--week", WEEK)
        assert r.exit_code == 1 and "refused the login" in r.output
        assert "wrong" not in r.output
        assert server.messages == []
        monkeypatch.setenv("RUNLOAD_SMTP_PASSWORD", "s3cret-pw")
        r = cli("email", "--week", WEEK)
        assert r.exit_code == 0, r.output
        assert "Sent 4," in r.output and "s3cret-pw" not in r.output
        assert len(server.messages) == 4
    finally:
        server.stop()
    for f in tmp_path.rglob("*"):
        if f.is_file():
            assert b"s3cret-pw" not in f.read_bytes(), f


def test_missing_settings_is_a_clear_error(cli, people, monkeypatch):
    monkeypatch.delenv("RUNLOAD_SMTP_HOST", raising=False)
    r = cli("email", "--week", WEEK)
    assert r.exit_code == 2
    assert r.output.strip() == "Error: no mail server set: set RUNLOAD_SMTP_HOST (or [smtp] host in the config file)"
    monkeypatch.setenv("RUNLOAD_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("RUNLOAD_SMTP_SECURITY", "tls13")
    assert cli("email", "--week", WEEK).exit_code == 2


def test_default_week_is_last_complete_week_in_athlete_time_zone():
    # Monday 2026-10-19 03:00 UTC: already Monday in Stockholm, still Sunday in Denver.
    now = datetime(2026, 10, 19, 3, 0, tzinfo=timezone.utc)
    assert last_complete_week(now, "Europe/Stockholm") == date(2026, 10, 12)
    assert last_complete_week(now, "America/Denver") == date(2026, 10, 5)


def test_plan_uses_each_athletes_week(people, store_path):
    now = datetime(2026, 10, 19, 3, 0, tzinfo=timezone.utc)
    with Store.open(store_path) as store:
        weeks = {(p.kind, p.subject_id): p.week for p in plan(store, now=now)}
    assert weeks == {("athlete", "maya"): "2026-W42", ("athlete", "ben"): "2026-W41",
                     ("roster", "kim"): "2026-W42", ("roster", "lee"): "2026-W42"}


def test_transient_failure_is_retried(people, smtp, store_path):
    settings = smtp_settings(env={"RUNLOAD_SMTP_HOST": "127.0.0.1", "RUNLOAD_SMTP_PORT": str(smtp.port),
                                  "RUNLOAD_SMTP_SECURITY": "none", "RUNLOAD_SMTP_BACKOFF_S": "0"})
    calls = {"n": 0}
    real_handler = smtp.collector.handle_DATA

    async def flaky(server, session, envelope):
        calls["n"] += 1
        if calls["n"] == 1:
            return "451 try again later"
        return await real_handler(server, session, envelope)

    smtp.collector.handle_DATA = flaky
    smtp.stop()
    smtp.start()
    logs = []
    with Store.open(store_path) as store:
        planned = [p for p in plan(store, week=date(2026, 10, 12)) if p.subject_id == "maya"]
        res = run(store, planned, mail_from="r@example.net", transport=SmtpTransport(settings, log=logs.append),
                  log=logs.append)
    assert res.sent and not res.failed
    assert any(line.startswith("retry 1/3") for line in logs)
    assert len(smtp.messages) == 1


@pytest.mark.slow  # imports a sample athlete's whole history
@pytest.mark.skipif(not (SAMPLES / "maya").is_dir(), reason="sample activities not generated")
def test_summary_is_the_report_with_charts_inline(cli, people, smtp):
    assert cli("import", "--athlete", "maya", str(SAMPLES / "maya" / "activities")).exit_code == 0
    assert cli("pain", "import", "--athlete", "maya", str(SAMPLES / "maya" / "pain.csv")).exit_code == 0
    r = cli("email", "--week", "2026-W34", "--athlete", "maya")
    assert r.exit_code == 0, r.output
    msg = by_recipient(smtp)["maya@example.org"][0]
    text = msg.get_body(("plain",)).get_content()
    report = cli("report", "--athlete", "maya", "--week", "2026-W34", "--format", "text", "--no-color").output
    assert text.replace("\r\n", "\n") == report  # the mail says exactly what the report says
    html = msg.get_body(("html",)).get_content()
    images = [p for p in msg.walk() if p.get_content_type() == "image/png"]
    assert len(images) >= 3
    for part in images:
        cid = part["Content-ID"].strip("<>")
        assert f'src="cid:{cid}"' in html
        assert part.get_content()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "data:image" not in html and "http://" not in html and "https://" not in html


def test_a_run_built_over_worker_processes_writes_what_one_process_writes(cli, people, tmp_path, monkeypatch):
    """The mail run builds its messages over the session's worker processes once there are
    enough of them; the messages are the same as those built in the calling process."""
    import runload.mail.prepare as prepare

    assert cli("import", "--athlete", "maya", str(SAMPLES / "maya" / "activities")).exit_code in (0, 1)

    def eml(folder) -> dict[str, list[str]]:
        out = {}
        for path in sorted(folder.iterdir()):
            msg = message_from_bytes(path.read_bytes(), policy=policy.default)
            out[path.name] = sorted(f"{part.get_content_type()}:{part.get_payload(decode=True)!r}"
                                    for part in msg.walk() if not part.is_multipart())
        return out

    monkeypatch.setattr(prepare, "PARALLEL_FROM", 10**6)
    assert cli("email", "--week", WEEK, "--outbox", str(tmp_path / "one")).exit_code == 0
    monkeypatch.setattr(prepare, "PARALLEL_FROM", 1)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    built = []
    real_map = prepare.Assessor.map
    monkeypatch.setattr(prepare.Assessor, "map", lambda self, *a, **kw: built.append(kw) or real_map(self, *a, **kw))
    assert cli("email", "--week", WEEK, "--outbox", str(tmp_path / "many")).exit_code == 0
    assert built == [{"workers": 2}]  # two processes built the messages
    one, many = eml(tmp_path / "one"), eml(tmp_path / "many")
    assert len(one) == 4 and one == many
