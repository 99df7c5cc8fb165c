"""`make demo`'s script, run as a newcomer runs it: plain runload commands on the samples."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, SAMPLES

pytestmark = pytest.mark.slow  # make demo's whole script


@pytest.mark.skipif(not (SAMPLES / "maya").is_dir(), reason="sample activities not generated")
def test_demo_script_runs_and_shows_what_matters(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("RUNLOAD_")}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["TMPDIR"] = str(tmp_path)
    env["RUNLOAD_DEMO_SITE"] = str(tmp_path / "site")  # not into the source tree
    r = subprocess.run(["bash", str(REPO / "scripts" / "demo.sh")], env=env, capture_output=True, text=True,
                       timeout=300, stdin=subprocess.DEVNULL)
    assert r.returncode == 0, r.stderr
    out = r.stdout
    assert "Traceback" not in out + r.stderr
    assert "Imported 103 files (103 activities); 0 duplicates; 0 already known; 0 failed." in out
    assert "Imported 128 files (128 activities)" in out
    assert "2026-08-10  56.0     5        25.6" in out  # Maya's +40% week in the weeks table
    assert "+40.0% !" in out
    assert "Pain that rest has not relieved for more than two weeks" in out
    assert "Status: See a clinician about the knee" in out  # the red flag stands in 2026-W37
    assert "Pain began on 2026-08-18 2 days after a +40% week" in out
    assert "runload report: Maya Lindqvist (maya)" in out and "runload report: Ben Okafor (ben)" in out
    assert out.count("not a diagnosis") >= 2
    assert "maya: " in out and "sample_activities/maya/activities: nothing new (103 already known)" in out
    assert f"Wrote {tmp_path}/site/index.html: the roster of week 2026-W42 with 2 athlete pages" in out
    assert (tmp_path / "site" / "athletes" / "maya.html").is_file()
    assert not list(tmp_path.glob("tmp*/demo.sqlite"))  # the throwaway store is gone
