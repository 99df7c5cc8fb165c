"""What ``runload import`` of FIT files on disk loads: the FIT reader, and none of what only
another kind of input needs (archives, other formats, the settings file's TOML parser, reports).
Each module left out is start-up time every import saves; this keeps one from coming back
unnoticed. Run in a process of its own (tests load everything)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from builders import T0, fit_run

# loaded only when a file or a command needs them
NOT_FOR_FIT_FILES = (
    "zipfile",  # an archive (runload.ingest.archives.open_zip)
    "tomllib",  # a config file (runload.config), a rule file
    "runload.config",  # finding the store when neither --store nor RUNLOAD_STORE names it
    "runload.ingest.gpx", "runload.ingest.tcx", "runload.ingest.xmlpoints", "runload.ingest.xmlsafe",
    "runload.ingest.xmlbytes", "lxml",  # GPX and TCX files
    "runload.ingest.strava_api", "runload.ingest.sync",  # runload sync
    "runload.rules", "runload.report", "runload.load", "pandas", "matplotlib",  # checks and reports
)

# run as `python -m runload import ...` runs, then list what the process (not its workers) loaded
PROBE = """
import json, runpy, sys
out, sys.argv = sys.argv[1], ["runload", *sys.argv[2:]]
try:
    runpy.run_module("runload", run_name="__main__")
except SystemExit as done:
    code = done.code
with open(out, "w") as fh:
    json.dump({"exit": code, "modules": sorted(sys.modules)}, fh)
"""


def _runload(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "runload", *args], env=env, capture_output=True, text=True,
                          check=True)


def test_a_fit_import_loads_only_what_fit_files_need(tmp_path: Path) -> None:
    env = {**os.environ, "RUNLOAD_STORE": str(tmp_path / "store.sqlite")}
    _runload(env, "athlete", "add", "ana", "--name", "Ana", "--timezone", "Europe/Stockholm")
    folder = tmp_path / "watch"
    folder.mkdir()
    for day in range(2):
        (folder / f"run{day}.fit").write_bytes(fit_run(T0 + timedelta(days=day), minutes=5))
    listing = tmp_path / "modules.json"
    res = subprocess.run([sys.executable, "-c", PROBE, str(listing), "import", "--athlete", "ana", str(folder),
                          "--json"], env=env, capture_output=True, text=True)
    probe = json.loads(listing.read_text())
    assert probe["exit"] in (0, None), res.stdout + res.stderr
    assert json.loads(res.stdout)["imported"] == 2
    loaded = set(probe["modules"])
    assert "runload.ingest.fit" in loaded  # (what it read with)
    assert sorted(m for m in NOT_FOR_FIT_FILES if m in loaded) == []


def test_finding_the_default_store_loads_no_settings(tmp_path: Path) -> None:
    """Without --store or RUNLOAD_STORE the store is in the per-user data folder
    (runload.places): found without the config file's settings and their TOML parser (the path
    is only worked out here; nothing is written)."""
    code = ("import sys, click; from runload.cli import main; from runload.cli._common import store_path; "
            "print(store_path(click.Context(main, obj={'store': None}))); "
            "print(sorted(m for m in ('runload.config', 'tomllib') if m in sys.modules))")
    env = {k: v for k, v in os.environ.items() if k != "RUNLOAD_STORE"}
    env["XDG_DATA_HOME"] = str(tmp_path)
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         check=True).stdout.splitlines()
    assert out[0].endswith("runload.sqlite") and out[1] == "[]"


def test_the_config_file_parser_loads_only_for_a_file() -> None:
    code = "import sys, runload.config as c; c.config_path(); print('tomllib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
