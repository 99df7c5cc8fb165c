"""The command line asks numpy's BLAS for one thread before a command loads numpy (OpenBLAS
starting a thread per core at import costs CPU time runload never wins back); a value the user
set stays."""

from __future__ import annotations

import os
import subprocess
import sys

PROBE = """
import os, sys
import click
from runload.cli import main
assert "numpy" not in sys.modules, "the command line loaded numpy before a command was chosen"
for name in ("import", "check", "report", "roster", "email", "serve", "batch"):
    main.get_command(click.Context(main), name)
    assert os.environ["OPENBLAS_NUM_THREADS"]
print(os.environ["OPENBLAS_NUM_THREADS"])
"""


def _probe(**env: str) -> str:
    base = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    res = subprocess.run([sys.executable, "-c", PROBE], env={**base, **env}, capture_output=True, text=True,
                         check=True)
    return res.stdout.strip()


def test_one_blas_thread_before_numpy() -> None:
    assert _probe() == "1"


def test_a_users_setting_stays() -> None:
    assert _probe(OPENBLAS_NUM_THREADS="2") == "2"
