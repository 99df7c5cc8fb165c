"""A store for the web app's tests: the sample athletes Maya and Ben (their watch files and pain
logs), a third athlete with no data, two coaches, and a login for each."""

from __future__ import annotations

from datetime import date
from pathlib import Path

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

    def run(*args: str, input: str | None = None) -> None:
        r = runner.invoke(main, ["--store", str(path), *args], input=input, catch_exceptions=False)
        assert r.exit_code == 0, r.output

    run("athlete", "add", "maya", "--name", "Maya Lindqvist", "--timezone", "Europe/Stockholm")
    run("athlete", "add", "ben", "--name", "Ben Okafor", "--timezone", "Europe/London")
    run("athlete", "add", "cleo", "--name", "Cleo Test", "--timezone", "UTC")
    run("import", "--athlete", "maya", str(SAMPLES / "maya" / "activities"))
    run("import", "--athlete", "ben", str(SAMPLES / "ben" / "strava_export"))
    run("pain", "import", "--athlete", "maya", str(SAMPLES / "maya" / "pain.csv"))
    run("coach", "add", "kim", "--email", "kim@example.org", "--athlete", "maya", "--athlete", "ben")
    run("coach", "add", "lee", "--email", "lee@example.org", "--athlete", "cleo")
    for login, (role, subject) in LOGINS.items():
        run("user", "add", login, f"--{role}", subject, input=PASSWORD + "\n")
    return path
