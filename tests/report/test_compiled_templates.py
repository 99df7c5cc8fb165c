"""The HTML templates are compiled once and kept between runs, safely: a fresh process reads
them compiled, a damaged or unusable folder only means compiling again, and the page is the same."""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

import jinja2
import pytest

from runload.calendar import week_period
from runload.report import html
from runload.report.model import Roster

ROSTER = Roster(week_period(date(2026, 6, 22)), date(2026, 6, 28), [])


@pytest.fixture
def temp_folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """The system's temporary folder for this test (where the compiled templates go)."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    html._env.cache_clear()
    yield tmp_path
    html._env.cache_clear()


def _compiles(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the templates a fresh environment compiles from then on."""
    compiled: list[str] = []
    real = jinja2.Environment.compile

    def counting(self: jinja2.Environment, source: str, name: str | None = None, *args: object, **kw: object) -> object:
        compiled.append(str(name))
        return real(self, source, name, *args, **kw)  # type: ignore[call-overload]

    monkeypatch.setattr(jinja2.Environment, "compile", counting)
    html._env.cache_clear()
    return compiled


def test_a_new_process_reads_the_templates_compiled(temp_folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    compiled = _compiles(monkeypatch)
    first = html.render_roster_html(ROSTER)
    assert "roster.html.j2" in compiled
    files = sorted((temp_folder / next(p.name for p in temp_folder.iterdir())).iterdir())
    assert files and all(f.name.startswith("runload-") and f.stat().st_mode & 0o077 == 0 for f in files)

    compiled.clear()
    html._env.cache_clear()  # as a new process
    assert html.render_roster_html(ROSTER) == first
    assert compiled == []


def test_a_damaged_file_is_compiled_again(temp_folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = html.render_roster_html(ROSTER)
    folder = next(temp_folder.iterdir())
    for f in folder.iterdir():
        f.write_bytes(f.read_bytes()[:40])  # cut short
    compiled = _compiles(monkeypatch)
    assert html.render_roster_html(ROSTER) == first
    assert "roster.html.j2" in compiled


def test_another_runload_or_jinja_compiles_its_own(temp_folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    html.render_roster_html(ROSTER)
    monkeypatch.setattr(html, "__version__", "0.0.0-other")
    compiled = _compiles(monkeypatch)
    html.render_roster_html(ROSTER)
    assert "roster.html.j2" in compiled


def test_without_a_usable_folder_the_templates_compile_as_before(temp_folder: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    first = html.render_roster_html(ROSTER)
    not_a_folder = temp_folder / "file"
    not_a_folder.write_text("x")
    monkeypatch.setattr(tempfile, "tempdir", str(not_a_folder))
    assert html._compiled() is None
    compiled = _compiles(monkeypatch)
    assert html.render_roster_html(ROSTER) == first
    assert "roster.html.j2" in compiled
