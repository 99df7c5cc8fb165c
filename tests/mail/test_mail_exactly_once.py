"""Mail exactly once through faults, against a real SMTP server on 127.0.0.1 (aiosmtpd): a
recipient refused for a while, a connection dropped after the whole message went, a run killed
with SIGKILL mid-send, a week whose mail failed, one athlete whose report cannot be built.
Each test checks how many copies of each athlete-week the server ended up with."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import date, datetime, timedelta, timezone

import pytest

from runload.mail.job import due_weeks, plan, run
from runload.mail.settings import smtp_settings
from runload.mail.transport import SmtpTransport
from runload.store import Store
from smtp_server import DROP, kill_email_run, serve_for_runload

pytestmark = pytest.mark.slow  # runs killed mid-send, retries

WEEK = "2026-W42"
ALL = ["ben@example.org", "kim@example.org", "lee@example.org", "maya@example.org"]


@pytest.fixture
def people(cli):
    for args in (["maya", "--name", "Maya L", "--email", "maya@example.org", "--timezone", "Europe/Stockholm"],
                 ["ben", "--name", "Ben O", "--email", "ben@example.org", "--timezone", "America/Denver"]):
        assert cli("athlete", "add", *args).exit_code == 0
    assert cli("coach", "add", "kim", "--email", "kim@example.org", "--name", "Kim Coach", "--athlete", "maya").exit_code == 0
    assert cli("coach", "add", "lee", "--email", "lee@example.org", "--athlete", "ben").exit_code == 0


@pytest.fixture
def smtp(monkeypatch):
    server = serve_for_runload(monkeypatch, RUNLOAD_SMTP_RETRIES="2")
    yield server
    server.stop()


def copies(server) -> Counter:
    """Messages the server holds per (recipient, week)."""
    out: Counter = Counter()
    for rcpts, msg in server.messages:
        assert len(rcpts) == 1
        out[(rcpts[0], msg["X-Runload-Week"])] += 1
    return out


def message_ids(server, rcpt: str) -> set[str]:
    return {str(m["Message-ID"]) for r, m in server.messages if r == [rcpt]}


def states(store_path) -> dict[str, str]:
    with Store.open(store_path) as s:
        return {f"{r} {w}": st for r, w, st in s.conn.execute("SELECT recipient, week, state FROM sent_log")}


def test_one_recipients_temporary_refusal_fails_that_message_only(cli, people, smtp, store_path):
    smtp.collector.rcpt_replies["ben@example.org"] = "452 4.2.2 mailbox full"
    r = cli("email", "--week", WEEK)
    assert r.exit_code == 1
    assert "Sent 3, skipped 0 already sent, failed 1." in r.output
    assert ("FAILED: weekly summary ben 2026-W42 -> ben@example.org: the mail server refused the recipient: "
            "452 4.2.2 mailbox full (a later try may work)") in r.output
    assert r.output.count("retry ") == 2  # tried again (RUNLOAD_SMTP_RETRIES=2), never marked unreachable
    assert copies(smtp) == {(a, WEEK): 1 for a in ALL if a != "ben@example.org"}
    del smtp.collector.rcpt_replies["ben@example.org"]
    r = cli("email", "--week", WEEK)
    assert r.exit_code == 0 and "Sent 1, skipped 3 already sent, failed 0." in r.output
    assert copies(smtp) == {(a, WEEK): 1 for a in ALL}


def test_a_drop_after_the_message_is_held_at_once_never_sent_twice(cli, people, smtp, store_path):
    async def drop_maya(rcpts, msg):
        return DROP if rcpts == ["maya@example.org"] else None

    smtp.collector.after_data = drop_maya
    r = cli("email", "--week", WEEK)
    assert r.exit_code == 1, r.output
    assert "Sent 3, skipped 0 already sent, failed 0; held 1 that may have arrived" in r.output
    assert "retry" not in r.output
    assert ("HELD: weekly summary maya 2026-W42 -> maya@example.org: the mail server at 127.0.0.1:"
            f"{smtp.port} closed the connection after the whole message went, before confirming it: it may have "
            "arrived; not sent again without your word (ask the recipient, or send it once more: "
            "runload email --week 2026-W42 --athlete maya --resend)") in r.output
    got = copies(smtp)
    assert got[("maya@example.org", WEEK)] == 1  # the server kept it: no second copy, never 5
    assert all(got[(a, WEEK)] == 1 for a in ALL if a != "maya@example.org")
    first_id = message_ids(smtp, "maya@example.org")
    assert len(first_id) == 1
    assert states(store_path)[f"maya@example.org {WEEK}"] == "held"

    dry = cli("email", "--week", WEEK, "--dry-run")
    assert "would hold (may have arrived; --resend sends it): weekly summary maya" in dry.output
    smtp.collector.after_data = None  # the server is well again: still nothing without a decision
    for _ in range(3):
        r = cli("email", "--week", WEEK)
        assert r.exit_code == 1 and "Sent 0, skipped 3 already sent, failed 0; held 1" in r.output
    assert copies(smtp)[("maya@example.org", WEEK)] == 1
    r = cli("email", "--week", WEEK, "--athlete", "maya", "--resend")  # a person decided
    assert r.exit_code == 0 and "Sent 1," in r.output, r.output
    assert copies(smtp)[("maya@example.org", WEEK)] == 2
    assert message_ids(smtp, "maya@example.org") == first_id  # one message to a mail program
    assert cli("email", "--week", WEEK).output.endswith("Sent 0, skipped 4 already sent, failed 0.\n")


def test_an_uncertain_message_from_an_older_runload_is_held(cli, people, smtp, store_path):
    """An older runload left an unconfirmed send "uncertain" (and retried it once): it may have
    arrived, so it is held like any such message and the server is asked nothing about it."""
    key = ("maya@example.org", "athlete", "maya", WEEK)
    with Store.open(store_path) as s:
        assert s.claim_send(key, message_id="<m@x>").granted
        s.finish_send(key, "uncertain", "closed after the whole message went")

    async def drop_maya(rcpts, msg):
        return DROP if rcpts == ["maya@example.org"] else None

    smtp.collector.after_data = drop_maya
    r = cli("email", "--week", WEEK, "--athlete", "maya")
    assert r.exit_code == 1 and "HELD: weekly summary maya" in r.output
    assert ("maya@example.org", WEEK) not in copies(smtp)
    r = cli("email", "--week", WEEK, "--athlete", "maya", "--resend")
    assert r.exit_code == 1 and "HELD: weekly summary maya" in r.output  # dropped again: held again
    assert copies(smtp)[("maya@example.org", WEEK)] == 1 and message_ids(smtp, "maya@example.org") == {"<m@x>"}
    assert states(store_path)[f"maya@example.org {WEEK}"] == "held"


def test_a_single_drop_is_held_not_resent(cli, people, smtp):
    dropped = []

    async def drop_once(rcpts, msg):
        if rcpts == ["kim@example.org"] and not dropped:
            dropped.append(1)
            return DROP
        return None

    smtp.collector.after_data = drop_once
    r = cli("email", "--week", WEEK)
    assert r.exit_code == 1 and "HELD: roster kim" in r.output, r.output
    assert copies(smtp)[("kim@example.org", WEEK)] == 1 and len(message_ids(smtp, "kim@example.org")) == 1


def test_a_forced_resend_is_a_new_message(cli, people, smtp):
    assert cli("email", "--week", WEEK, "--athlete", "ben").exit_code == 0
    assert cli("email", "--week", WEEK, "--athlete", "ben", "--force").exit_code == 0
    assert len(message_ids(smtp, "ben@example.org")) == 2  # asked for again: not folded into the first


def test_a_run_killed_mid_send_leaves_each_athlete_week_once(people, smtp, store_path):
    """SIGKILL while the server holds back its answer to the third message: the two before it were
    recorded when accepted and are never sent again; the third may have arrived, so the next run
    asks the server nothing about it (held for a person); the fourth goes with the next run."""
    arrived, release = threading.Event(), threading.Event()
    held = []

    async def hold_third(rcpts, msg):
        if len(smtp.messages) == 3 and not held:
            held.append(rcpts[0])
            arrived.set()
            while not release.is_set():
                await asyncio.sleep(0.05)
        return None

    smtp.collector.after_data = hold_third
    env = {**os.environ, "RUNLOAD_STORE": str(store_path)}
    cmd = [sys.executable, "-m", "runload", "email", "--week", WEEK]
    kill_email_run(cmd, env, arrived, release, "the third message never arrived")
    first = copies(smtp)
    assert sum(first.values()) == 3 and first[(held[0], WEEK)] == 1
    held_id = message_ids(smtp, held[0])
    assert states(store_path)[f"{held[0]} {WEEK}"] == "delivering"

    again = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
    assert again.returncode == 1, again.stderr
    assert again.stdout.startswith("Sent 1, skipped 2 already sent, failed 0; held 1 that may have arrived")
    assert "a run was stopped while the mail server had the whole message" in again.stderr
    final = copies(smtp)
    assert all(final[(a, WEEK)] == 1 for a in ALL), final  # the held one: still its one copy
    assert states(store_path)[f"{held[0]} {WEEK}"] == "held"
    third = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
    assert third.stdout.startswith("Sent 0, skipped 3 already sent, failed 0; held 1")
    resent = subprocess.run(cmd + ["--resend"], env=env, capture_output=True, text=True, timeout=120)
    assert resent.stdout.strip() == "Sent 1, skipped 3 already sent, failed 0."
    assert copies(smtp)[(held[0], WEEK)] == 2 and message_ids(smtp, held[0]) == held_id
    assert set(states(store_path).values()) == {"sent"}


def test_a_live_runs_claim_is_not_taken_over(people, store_path):
    key = ("maya@example.org", "athlete", "maya", WEEK)
    with Store.open(store_path) as s:
        assert s.claim_send(key, message_id="<a@x>").granted
        other = s.claim_send(key, message_id="<b@x>")  # this process still runs: its claim holds
        assert not other.granted and other.state == "sending"
        s.conn.execute("UPDATE sent_log SET owner = 'another-host:1'")
        assert not s.claim_send(key, message_id="<b@x>").granted  # another machine: only the lease
        taken = s.claim_send(key, message_id="<b@x>", lease_s=0)
        assert taken.granted and taken.state == "sending" and taken.message_id == "<a@x>"


# ---------------------------------------------------------------- weeks due
MONDAY_W44 = datetime(2026, 10, 26, 12, 0, tzinfo=timezone.utc)  # last complete week: W43


def _log(store_path, rows):
    with Store.open(store_path) as s:
        for recipient, kind, subject, week, state in rows:
            s.conn.execute("INSERT INTO sent_log (recipient, subject_kind, subject_id, week, state, updated_utc) "
                           "VALUES (?, ?, ?, ?, ?, '2026-01-01T00:00:00+00:00')", (recipient, kind, subject, week, state))


def test_a_failed_week_is_due_with_the_next_run_up_to_four_weeks(people, store_path):
    _log(store_path, [("maya@example.org", "athlete", "maya", "2026-W38", "sent"),
                      ("maya@example.org", "athlete", "maya", "2026-W39", "failed"),
                      ("maya@example.org", "athlete", "maya", "2026-W41", "sent"),
                      ("maya@example.org", "athlete", "maya", "2026-W42", "failed"),
                      ("kim@example.org", "roster", "kim", "2026-W42", "uncertain")])
    with Store.open(store_path) as s:
        got = {(p.kind, p.subject_id, p.week) for p in plan(s, now=MONDAY_W44)}
        last_only = {(p.kind, p.subject_id, p.week) for p in plan(s, now=MONDAY_W44, catch_up=False)}
        w43 = date(2026, 10, 19)
        # W39 failed too, but lies more than four weeks back: not sent any more
        assert [f"{w:%G-W%V}" for w in due_weeks(s, "maya@example.org", "athlete", "maya", w43)] == [
            "2026-W40", "2026-W42", "2026-W43"]
    # maya: W40 was never tried after her first mail (the machine was off), W42 failed; ben was
    # never mailed: last week only
    assert got == {("athlete", "maya", "2026-W40"), ("athlete", "maya", "2026-W42"), ("athlete", "maya", "2026-W43"),
                   ("athlete", "ben", "2026-W43"), ("roster", "kim", "2026-W42"), ("roster", "kim", "2026-W43"),
                   ("roster", "lee", "2026-W43")}
    assert last_only == {("athlete", "maya", "2026-W43"), ("athlete", "ben", "2026-W43"),
                         ("roster", "kim", "2026-W43"), ("roster", "lee", "2026-W43")}


def test_catching_up_sends_the_failed_week_once(people, smtp, store_path):
    settings = smtp_settings()
    monday = MONDAY_W44
    with Store.open(store_path) as s:
        smtp.stop()  # Monday of W43: the server is down
        res = run(s, plan(s, now=monday - timedelta(weeks=1)), mail_from=settings.mail_from,
                  transport=SmtpTransport(settings, sleep=lambda _: None))
        assert len(res.failed) == 4 and not res.sent
        smtp.start()
        res = run(s, plan(s, now=monday), mail_from=settings.mail_from, transport=SmtpTransport(settings))
        assert not res.failed and len(res.sent) == 8  # W42 (failed last time) and W43, for each of 4
        res = run(s, plan(s, now=monday), mail_from=settings.mail_from, transport=SmtpTransport(settings))
        assert not res.sent and len(res.skipped) == 4
    got = copies(smtp)
    assert set(got.values()) == {1} and len(got) == 8


def test_email_without_week_is_the_catch_up_and_week_last_the_last_week_only(cli, people, smtp):
    r = cli("email", "--dry-run")
    assert r.exit_code == 0 and "4 messages planned" in r.output
    r = cli("email", "--week", "last", "--dry-run")
    assert r.exit_code == 0 and "4 messages planned" in r.output


# ---------------------------------------------------------------- one athlete's bad data
def test_one_athletes_report_failing_never_stops_the_others(cli, people, smtp, monkeypatch):
    import runload.mail.content as content

    real = content.athlete_content

    def flaky(store, athlete_id, week_start, **kw):
        if athlete_id == "ben":
            raise ValueError("math domain error")
        return real(store, athlete_id, week_start, **kw)

    monkeypatch.setattr(content, "athlete_content", flaky)
    r = cli("email", "--week", WEEK)
    assert r.exit_code == 1
    assert "Sent 3, skipped 0 already sent, failed 1." in r.output
    line = next(x for x in r.output.splitlines() if x.startswith("FAILED"))
    assert line == ("FAILED: weekly summary ben 2026-W42 -> ben@example.org: cannot build the weekly summary: runload "
                    "could not handle some of the stored data (`runload report --athlete ben --week 2026-W42` shows "
                    "the same problem)")
    assert "ValueError" not in r.output and "math domain" not in r.output
    monkeypatch.setattr(content, "athlete_content", real)
    assert "Sent 1, skipped 3" in cli("email", "--week", WEEK).output  # the next run sends it


def test_a_pain_entry_from_year_one_in_an_old_store_stops_no_other_mail(cli, people, smtp, store_path):
    assert cli("pain", "add", "--athlete", "ben", "--no-input", "--date", "2026-10-14", "--pain-after", "3").exit_code == 0
    with Store.open(store_path) as s:  # written before dates were checked
        s.conn.execute("UPDATE pain_entries SET date = '0001-01-01'")
    r = cli("email", "--week", WEEK)
    assert "Traceback" not in r.output and "Error" not in r.output
    got = copies(smtp)
    # maya and her coach kim never see ben's data: their mail goes whatever ben's does
    assert got[("maya@example.org", WEEK)] == 1 and got[("kim@example.org", WEEK)] == 1, (got, r.output)
    for who in ("ben@example.org", "lee@example.org"):  # sent, or failed with words for a person
        failed = [x for x in r.output.splitlines() if x.startswith("FAILED") and who in x]
        assert got[(who, WEEK)] == 1 or (failed and "could not handle some of the stored data" in failed[0]), r.output


# ---------------------------------------------------------------- headers
def test_a_hostile_display_name_cannot_change_the_recipient(cli, people, smtp, store_path):
    long_name = "Maya Lindqvist, the fastest runner of the club " + "<attacker@evil.example>, x"
    with Store.open(store_path) as s:  # written before names were checked
        s.conn.execute("UPDATE athletes SET name = ? WHERE id = 'maya'", (long_name,))
    assert cli("email", "--week", WEEK, "--athlete", "maya").exit_code == 0
    msg = next(m for r, m in smtp.messages if r == ["maya@example.org"])
    assert [a.addr_spec for a in msg["To"].addresses] == ["maya@example.org"]
    from email.utils import getaddresses

    assert [a for _, a in getaddresses([str(msg["To"])])] == ["maya@example.org"]
    r = cli("coach", "add", "eve", "--email", "eve@example.org", "--name", "Eve\r\nBcc: attacker@evil.example")
    assert r.exit_code == 2


def test_mail_from_that_is_not_an_address_is_a_clear_error(cli, people, smtp, monkeypatch):
    monkeypatch.setenv("RUNLOAD_MAIL_FROM", "runload@example.net>, attacker@evil.example")
    r = cli("email", "--week", WEEK)
    assert r.exit_code == 2 and "RUNLOAD_MAIL_FROM (or [smtp] from)" in r.output and smtp.messages == []


def test_unreachable_server_reason_is_for_a_person(cli, people, monkeypatch):
    from smtp_server import free_port

    monkeypatch.setenv("RUNLOAD_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("RUNLOAD_SMTP_PORT", str(free_port()))
    monkeypatch.setenv("RUNLOAD_SMTP_SECURITY", "none")
    monkeypatch.setenv("RUNLOAD_SMTP_BACKOFF_S", "0")
    started = time.monotonic()
    r = cli("email", "--week", WEEK)
    assert r.exit_code == 1
    assert "Error" not in r.output and "Errno" not in r.output and "ConnectionRefusedError" not in r.output
    assert r.output.count("cannot reach the mail server at 127.0.0.1:") == 4 + 3  # 4 failed, 3 retries of the first
    assert time.monotonic() - started < 60


def test_escape_sequences_in_stored_names_reach_no_mail_part(cli, people, smtp, store_path):
    from builders import ESCAPES
    from checks import raw_controls

    with Store.open(store_path) as s:  # written before names were checked
        s.conn.execute("UPDATE coaches SET name = ? WHERE id = 'kim'", (f"Kim{ESCAPES}",))
        s.conn.execute("UPDATE athletes SET name = ? WHERE id = 'maya'", (f"Maya{ESCAPES}",))
    r = cli("email", "--week", WEEK)
    assert r.exit_code == 0, r.output
    assert raw_controls(r.output) == []
    for rcpts, msg in smtp.messages:
        assert raw_controls(str(msg["Subject"])) == [] and raw_controls(str(msg["To"])) == []
        for part in ("plain", "html"):
            body = msg.get_body((part,))
            if body is not None:
                assert raw_controls(body.get_content().replace("\r", "")) == [], (rcpts, part)
