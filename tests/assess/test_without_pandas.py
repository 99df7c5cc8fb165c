"""An assessment needs no pandas: importing runload's assessment, its session and the roster, and
running ``runload check`` and ``runload roster`` on a store, never load it (pandas and pyarrow cost
most of a process's start-up). pandas loads only when a frame is asked for: a report's tables and
charts, evaluate, a batch on Dask."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from builders import WEEK, roster_store

NO_PANDAS = "assert 'pandas' not in sys.modules, sorted(m for m in sys.modules if m.startswith('pandas'))[:5]"


def _python(code: str) -> str:
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr[-3000:]
    return r.stdout


def test_importing_the_assessment_loads_no_pandas() -> None:
    _python(f"import runload.assess, runload.session, runload.report.roster; import sys; {NO_PANDAS}")


def test_check_and_roster_on_a_store_load_no_pandas(store_path: Path) -> None:
    roster_store(store_path).close()
    sunday = (WEEK + timedelta(days=6)).isoformat()
    code = "\n".join([
        "import sys",
        "from runload.cli import main",
        f"for args in (['--store', {str(store_path)!r}, 'check', '--athlete', 'ana', '--all', '--as-of', {sunday!r}],",
        f"             ['--store', {str(store_path)!r}, 'roster', '--week', '2026-W22']):",
        "    try:",
        "        main(args, standalone_mode=False)",
        "    except SystemExit:",
        "        pass",
        NO_PANDAS,
    ])
    out = _python(code)
    assert "The knee locks" in out and "Cara Steady" in out, out  # the check and the roster both ran
