"""Shared fixtures: every test gets its own store; nothing touches a developer's real store."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from runload.cli import main

# Fixtures shared by several test modules, each kept with the data it builds: Ana's made-up
# history (``ana``) and the web app's store and app (``built_store``, ``web_store``, ``mails``, ``app``).
pytest_plugins = ["report_fixtures", "web_fixtures"]

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
REAL = SHARED / "real_activities"
SAMPLES = REPO / "sample_activities"

TODAY = "2026-10-18"

needs_real = pytest.mark.skipif(not REAL.is_dir(), reason="../shared/real_activities is not here")


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Point the store and the per-user folders at the test's temporary folder."""
    monkeypatch.setenv("RUNLOAD_STORE", str(tmp_path / "store.sqlite"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.delenv("RUNLOAD_RULES", raising=False)
    # "today" for every command: the Sunday the sample athletes' data ends, so a report without
    # --week means the same week whenever the tests run
    monkeypatch.setenv("RUNLOAD_TODAY", TODAY)


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    return tmp_path / "store.sqlite"


class Cli:
    """Runs runload in-process through click's CliRunner."""

    def __init__(self) -> None:
        self.runner = CliRunner()

    def __call__(self, *args: str, input: str | None = None):  # noqa: A002
        return self.runner.invoke(main, list(args), input=input, catch_exceptions=False)


@pytest.fixture
def cli() -> Cli:
    return Cli()


@pytest.fixture
def athlete(cli: Cli) -> str:
    r = cli("athlete", "add", "ana", "--name", "Ana Test", "--timezone", "Europe/Stockholm")
    assert r.exit_code == 0, r.output
    return "ana"
