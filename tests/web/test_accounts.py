"""runload user add|list|remove|passwd, the store's web-app tables and WAL mode, and the red-flag mail
a pain entry in the app sends to the athlete's coaches through the exactly-once mail path."""

from __future__ import annotations

import re
import sqlite3
import warnings

import pytest

from runload.store import SCHEMA_VERSION, Store
from smtp_server import serve_for_runload
from web_fixtures import PASSWORD, TODAY

pytestmark = pytest.mark.slow  # the web app on a store built from the sample athletes

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from runload.web import accounts  # noqa: E402 - after starlette's warnings are silenced


@pytest.fixture
def people(cli, athlete, store_path):
    assert cli("coach", "add", "kim", "--email", "kim@example.org", "--athlete", "ana").exit_code == 0
    return store_path


def test_user_add_reads_the_password_from_standard_input(cli, people):
    r = cli("user", "add", "ana", "--athlete", "ana", input=PASSWORD + "\n")
    assert r.exit_code == 0 and r.output == "Added login ana (athlete ana)\n"
    r = cli("user", "add", "kim", "--coach", "kim", input=PASSWORD + "\n")
    assert r.exit_code == 0
    assert cli("user", "list").output == "ana\tathlete\tana\nkim\tcoach\tkim\n"
    with Store.open(people) as store:
        stored = store.conn.execute("SELECT password_hash FROM users WHERE login = 'ana'").fetchone()[0]
        assert stored.startswith("$argon2id$") and PASSWORD not in stored
        assert accounts.authenticate(store, "ana", PASSWORD) == accounts.User("ana", "athlete", "ana")
        assert accounts.authenticate(store, "ana", PASSWORD + "x") is None
        assert accounts.authenticate(store, "nobody", PASSWORD) is None


@pytest.mark.parametrize("args, words", [
    (["ana"], "give either --athlete ID or --coach ID"),
    (["ana", "--athlete", "ana", "--coach", "kim"], "give either --athlete ID or --coach ID"),
    (["ana", "--athlete", "nobody"], "unknown athlete 'nobody'"),
    (["ana", "--coach", "nobody"], "unknown coach 'nobody'"),
    (["bad login", "--athlete", "ana"], "login 'bad login' must be letters"),
])
def test_user_add_refuses_what_it_cannot_use(cli, people, args, words):
    r = cli("user", "add", *args, input=PASSWORD + "\n")
    assert r.exit_code == 2 and words in r.output


def test_a_short_password_or_a_taken_login_is_refused(cli, people):
    r = cli("user", "add", "ana", "--athlete", "ana", input="short\n")
    assert r.exit_code == 2 and "at least 8 characters" in r.output
    assert cli("user", "add", "ana", "--athlete", "ana", input=PASSWORD + "\n").exit_code == 0
    r = cli("user", "add", "ana", "--coach", "kim", input=PASSWORD + "\n")
    assert r.exit_code == 2 and "login 'ana' already exists" in r.output


def test_passwd_changes_the_password_and_ends_the_sessions(cli, people):
    cli("user", "add", "ana", "--athlete", "ana", input=PASSWORD + "\n")
    with Store.open(people) as store:
        token, _ = accounts.open_session(store, accounts.User("ana", "athlete", "ana"))
        assert accounts.find_session(store, token) is not None
    r = cli("user", "passwd", "ana", input="another good one\n")
    assert r.exit_code == 0 and r.output == "Changed the password of ana\n"
    with Store.open(people) as store:
        assert accounts.find_session(store, token) is None
        assert accounts.authenticate(store, "ana", PASSWORD) is None
        assert accounts.authenticate(store, "ana", "another good one") is not None
    assert cli("user", "passwd", "nobody", input="another good one\n").exit_code == 2


def test_remove_deletes_the_login_and_its_sessions(cli, people):
    cli("user", "add", "ana", "--athlete", "ana", input=PASSWORD + "\n")
    with Store.open(people) as store:
        token, _ = accounts.open_session(store, accounts.User("ana", "athlete", "ana"))
    assert cli("user", "remove", "ana").output == "Removed login ana\n"
    with Store.open(people) as store:
        assert accounts.find_session(store, token) is None and accounts.list_users(store) == []
    assert cli("user", "remove", "ana").exit_code == 2
    assert cli("user", "list").output.startswith("No logins yet")


def test_signed_values_cannot_be_altered():
    key = bytes(32)
    signed = accounts.sign(key, "abc")
    assert accounts.unsign(key, signed) == "abc"
    assert accounts.unsign(bytes([1]) * 32, signed) is None
    assert accounts.unsign(key, "abd" + signed[3:]) is None
    assert accounts.unsign(key, "abc") is None and accounts.unsign(key, None) is None
    assert accounts.unsign(key, "é." + signed.split(".")[1]) is None


def test_the_store_upgrades_to_the_web_app_schema_in_wal_mode(people):
    assert SCHEMA_VERSION >= 9
    with Store.open(people) as store:
        assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        tables = {r[0] for r in store.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"users", "web_sessions", "coach_notes", "web_keys"} <= tables


def test_a_schema_8_store_is_upgraded_and_keeps_its_data(people):
    conn = sqlite3.connect(people)
    for table in ("users", "web_sessions", "coach_notes", "web_keys"):
        conn.execute(f"DROP TABLE {table}")
    conn.execute("ALTER TABLE activities DROP COLUMN door_checked")  # schema 10's
    conn.execute("PRAGMA user_version = 8")
    conn.commit()
    conn.close()
    with Store.open(people) as store:
        assert store.schema_version == SCHEMA_VERSION and store.get_athlete("ana").name == "Ana Test"
        assert accounts.list_users(store) == []


def test_serve_warns_when_listening_beyond_this_machine(cli, people, monkeypatch):
    import uvicorn

    seen = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: seen.update(kw))
    r = cli("serve", "--host", "0.0.0.0", "--port", "8099")
    assert r.exit_code == 0 and "Warning: listening on 0.0.0.0" in r.output and "reverse proxy" in r.output
    assert seen["host"] == "0.0.0.0" and seen["port"] == 8099
    r = cli("serve")
    assert "Warning" not in r.output and seen["host"] == "127.0.0.1" and seen["port"] == 8080
    assert "red-flag mails to coaches are off" in r.output


# ---------------------------------------------------------------- the red-flag mail
@pytest.fixture
def smtp(monkeypatch):
    server = serve_for_runload(monkeypatch)
    yield server
    server.stop()


def test_a_red_flag_logged_in_the_app_mails_the_coach_once(cli, people, smtp):
    from runload.cli.serve import _mailer
    from runload.web.app import create_app

    cli("user", "add", "ana", "--athlete", "ana", input=PASSWORD + "\n")
    mailer, why = _mailer(str(people))
    assert why is None
    app = create_app(people, today=lambda tz: TODAY, mailer=mailer)
    c = TestClient(app, follow_redirects=False)
    token = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/login").text).group(1)
    assert c.post("/login", data={"login": "ana", "password": PASSWORD, "csrf_token": token}).status_code == 303
    token = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/athletes/ana/pain/new").text).group(1)
    r = c.post("/athletes/ana/pain", data={"csrf_token": token, "pain_after": "4",
                                           "calf_swelling_redness_warmth": "yes"})
    assert r.status_code == 200 and "Your coach is told today." in r.text
    assert len(smtp.messages) == 1
    rcpts, msg = smtp.messages[0]
    assert rcpts == ["kim@example.org"]
    assert msg["Subject"] == f"runload: red flag logged by Ana Test on {TODAY.isoformat()}"
    body = msg.get_body(("plain",)).get_content()
    assert "calf swelling, redness or warmth (urgent)" in body and "same-day urgent care" in body
    # the same entry again (a retry, a restarted server): the sent-log says it went
    with Store.open(people) as store:
        entry_id = store.pain_entries("ana")[-1].id
        flags = __import__("runload.web.alerts", fromlist=["entry_flags"]).entry_flags(store, "ana", entry_id, TODAY)
        assert store.sent_state(("kim@example.org", "red-flag", f"ana/{entry_id}", "2026-W42")) == "sent"
    assert mailer("ana", entry_id, TODAY, flags) is False
    assert len(smtp.messages) == 1
