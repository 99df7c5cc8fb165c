#!/usr/bin/env python3
"""Render the sample athletes' HTML reports and roster, screenshot them in headless Chromium
(desktop and phone widths), and write every chart as PNG, so a person can look at them.

    .venv/bin/python scripts/look_at_reports.py [--out DIR] [--store PATH --athlete ID ...]

Without --store it builds a throwaway store from sample_activities/ with plain runload commands
(as scripts/demo.sh does). Needs Debian's `chromium` on PATH (apt-get install chromium). Not part
of `make test`: it is for looking, and the screenshots need a pair of eyes.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "sample_activities"
RUNLOAD = [sys.executable, "-m", "runload"]

# (id, add-athlete arguments as scripts/demo.sh gives them, import paths under sample_activities, pain CSV)
SAMPLE_ATHLETES = [
    ("maya", ["--name", "Maya Lindqvist", "--timezone", "Europe/Stockholm", "--sex", "female",
              "--birth-year", "1991", "--hr-rest", "52", "--hr-max", "188", "--injury", "hamstring strain, right, 2024"],
     ["maya/activities"], "maya/pain.csv"),
    ("ben", ["--name", "Ben Okafor", "--timezone", "America/Denver", "--sex", "male", "--birth-year", "1984",
             "--hr-rest", "48", "--hr-max", "182"], ["ben/strava_export"], "ben/pain.csv"),
]
SIZES = {"desktop": (1280, 6000), "phone": (390, 12000)}


def run(args: list[str], env: dict[str, str], check: bool = True) -> subprocess.CompletedProcess[str]:
    print("$", " ".join(args[2:] if args[:2] == RUNLOAD[:2] else args))
    return subprocess.run(args, env=env, check=check, text=True, capture_output=True)


def sample_store(folder: Path, env: dict[str, str]) -> list[str]:
    """Import the sample athletes into a fresh store; their ids."""
    if not SAMPLES.is_dir():
        sys.exit("sample_activities/ is missing: give --store and --athlete instead")
    ids = []
    for athlete_id, args, paths, pain in SAMPLE_ATHLETES:
        if not (SAMPLES / paths[0]).exists():
            continue
        run([*RUNLOAD, "athlete", "add", athlete_id, *args], env)
        run([*RUNLOAD, "import", "--athlete", athlete_id, *(str(SAMPLES / p) for p in paths)], env, check=False)
        if (SAMPLES / pain).exists():
            r = run([*RUNLOAD, "pain", "import", "--athlete", athlete_id, str(SAMPLES / pain)], env, check=False)
            if r.returncode:
                print("  (pain log not imported:", r.stderr.strip() or r.stdout.strip(), ")")
        ids.append(athlete_id)
    return ids


def screenshot(chromium: str, html: Path, png: Path, size: tuple[int, int]) -> None:
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--hide-scrollbars", f"--user-data-dir={profile}", f"--screenshot={png}",
             f"--window-size={size[0]},{size[1]}", html.as_uri()],
            check=True, capture_output=True, timeout=120,
        )
    print("  screenshot", png)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=ROOT / "build" / "look")
    ap.add_argument("--store", type=Path, help="Use this store instead of importing the samples.")
    ap.add_argument("--athlete", action="append", default=[], help="Athlete ids to render (with --store).")
    ap.add_argument("--week", help="Render this ISO week (default: each athlete's latest).")
    ap.add_argument("--pdf", action="store_true", help="Also print each page to PDF (to check printing).")
    opts = ap.parse_args()
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        sys.exit("chromium is not on PATH (Debian: apt-get install chromium)")
    out = opts.out
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, NO_COLOR="1")
        if opts.store:
            env["RUNLOAD_STORE"] = str(opts.store)
            ids = opts.athlete
        else:
            env["RUNLOAD_STORE"] = str(Path(tmp) / "look.sqlite")
            ids = sample_store(Path(tmp), env)
        week = ["--week", opts.week] if opts.week else []
        pages = []
        for athlete_id in ids:
            html = out / f"{athlete_id}.html"
            run([*RUNLOAD, "report", "--athlete", athlete_id, *week, "--format", "html", "--output", str(html),
                 "--charts", str(out / "charts")], env)
            pages.append(html)
        roster = out / "roster.html"
        run([*RUNLOAD, "roster", *(week or []), "--format", "html", "--output", str(roster)], env)
        pages.append(roster)
        for page in pages:
            for name, size in SIZES.items():
                screenshot(chromium, page, out / f"{page.stem}-{name}.png", size)
            if opts.pdf:
                with tempfile.TemporaryDirectory() as profile:
                    subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                                    f"--user-data-dir={profile}", "--no-pdf-header-footer",
                                    f"--print-to-pdf={out / (page.stem + '.pdf')}", page.as_uri()],
                                   check=True, capture_output=True, timeout=120)
    print(f"Look at {out}: *-desktop.png, *-phone.png, charts/*.png")


if __name__ == "__main__":
    main()
