"""The code is type-checked and linted at zero findings (settings in pyproject.toml).

mypy checks ``src/runload`` (its ``files``); ruff checks the code, tests, benchmarks, scripts and
notebooks. A finding fails the test with the tool's own lines, so the fix starts from the output.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=600, check=False)


@pytest.mark.slow
def test_mypy_finds_nothing():
    done = _run("mypy")
    assert done.returncode == 0, done.stdout + done.stderr


def test_ruff_finds_nothing():
    done = _run("ruff", "check", "src", "tests", "benchmarks", "scripts", "notebooks")
    assert done.returncode == 0, done.stdout + done.stderr
