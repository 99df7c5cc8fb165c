"""A store for the web app's tests: the sample athletes Maya and Ben (their watch files and pain
logs), a third athlete with no data, two coaches, and a login for each; and the fixtures of the
web app's tests (``built_store``, ``web_store``, ``mails``, ``app``: registered in conftest.py)."""

from __future__ import annotations

import re
import shutil
import warnings
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from runload.cli import main

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "sample_activities"
TODAY = date(2026, 10, 18)
PASSWORD = "correct horse battery"
LOGINS = {"maya": ("athlete", "maya"), "ben": ("athlete", "ben"), "cleo": ("athlete", "cleo"),
          "kim": ("coach", "kim"), "lee": ("coach", "lee")}


def make_store(path: Path) -> Path:
    """Build the store at ``path`` through the command line, as a person would."""
    runner = CliRunner()

    def runload(*args: str, input: str | None = None) -> None:
        r = runner.invoke(main, ["--store", str(path), *args], input=input, catch_exceptions=False)
        assert r.exit_code == 0, r.output

    runload("athlete", "add", "maya", "--name", "Maya Lindqvist", "--timezone", "Europe/Stockholm")
    runload("athlete", "add", "ben", "--name", "Ben Okafor", "--timezone", "Europe/London")
    runload("athlete", "add", "cleo", "--name", "Cleo Test", "--timezone", "UTC")
    runload("import", "--athlete", "maya", str(SAMPLES / "maya" / "activities"))
    runload("import", "--athlete", "ben", str(SAMPLES / "ben" / "strava_export"))
    runload("pain", "import", "--athlete", "maya", str(SAMPLES / "maya" / "pain.csv"))
    runload("coach", "add", "kim", "--email", "kim@example.org", "--athlete", "maya", "--athlete", "ben")
    runload("coach", "add", "lee", "--email", "lee@example.org", "--athlete", "cleo")
    for login, (role, subject) in LOGINS.items():
        runload("user", "add", login, f"--{role}", subject, input=PASSWORD + "\n")
    return path


with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from runload.web.app import Throttle, create_app  # noqa: E402 (after starlette's warnings are silenced)


@pytest.fixture(scope="session")
def built_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_store(tmp_path_factory.mktemp("web") / "store.sqlite")


@pytest.fixture
def web_store(built_store: Path, tmp_path: Path) -> Path:
    path = tmp_path / "web.sqlite"
    shutil.copy(built_store, path)
    return path


@pytest.fixture
def mails() -> list:
    return []


@pytest.fixture
def app(web_store: Path, mails: list):
    def mailer(athlete_id, entry_id, day, flags):
        mails.append((athlete_id, entry_id, day, [f.level for f in flags]))
        return True

    return create_app(web_store, today=lambda tz: TODAY, mailer=mailer, throttle=Throttle(limit=5))


def client(app, address: str = "testclient") -> TestClient:
    return TestClient(app, follow_redirects=False, client=(address, 50000))


def csrf(html: str) -> str:
    m = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert m, "no csrf_token in the form"
    return m.group(1)


def login(app, name: str, password: str = PASSWORD, address: str = "testclient") -> TestClient:
    c = client(app, address)
    form = c.get("/login")
    r = c.post("/login", data={"login": name, "password": password, "csrf_token": csrf(form.text)})
    assert r.status_code == 303 and r.headers["location"] == "/", r.text
    return c


def pain_form(c: TestClient, athlete: str = "maya") -> str:
    r = c.get(f"/athletes/{athlete}/pain/new")
    assert r.status_code == 200
    return csrf(r.text)
