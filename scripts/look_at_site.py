#!/usr/bin/env python3
"""Build a coach's site for the sample athletes with `runload site`, screenshot every page in
headless Chromium at desktop and phone width, and write `screenshots.html` showing them side by
side, so a person can look at them.

    .venv/bin/python scripts/look_at_site.py [--out DIR] [--week 2026-W42] [--store PATH [--coach ID]]

Without --store it builds a throwaway store from sample_activities/ with plain runload commands
(as scripts/look_at_reports.py does). Needs Debian's `chromium` on PATH (apt-get install
chromium). Not part of `make test` (tests/report/test_site.py clicks through the same site there).
"""

from __future__ import annotations

import argparse
import html
import os
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from look_at_reports import RUNLOAD, ROOT, run, sample_store, screenshot  # noqa: E402

SIZES = {"desktop": (1280, 4000), "phone": (390, 8000)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=ROOT / "build" / "look-site")
    ap.add_argument("--week", default="2026-W42", help="The week of the site (default: the samples' last).")
    ap.add_argument("--store", type=Path, help="Use this store instead of importing the samples.")
    ap.add_argument("--coach", help="Only this coach's athletes (with --store).")
    opts = ap.parse_args()
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        sys.exit("chromium is not on PATH (Debian: apt-get install chromium)")
    out = opts.out
    site = out / "site"
    shots = out / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, NO_COLOR="1")
        if opts.store:
            env["RUNLOAD_STORE"] = str(opts.store)
        else:
            env["RUNLOAD_STORE"] = str(Path(tmp) / "look.sqlite")
            sample_store(Path(tmp), env)
        coach = ["--coach", opts.coach] if opts.coach else []
        r = run([*RUNLOAD, "site", str(site), "--week", opts.week, *coach], env)
        print(" ", r.stdout.strip())
    pages = [site / "index.html", *sorted((site / "athletes").glob("*.html"))]
    rows = []
    for page in pages:
        name = page.relative_to(site).with_suffix("").as_posix().replace("/", "-")
        cells = []
        for kind, size in SIZES.items():
            png = shots / f"{name}-{kind}.png"
            screenshot(chromium, page, png, size)
            cells.append(f'<td><a href="{html.escape(png.name)}"><img src="{html.escape(png.name)}" '
                         f'width="{size[0] // 3}" alt="{html.escape(name)} at {size[0]} px"></a></td>')
        rows.append(f"<tr><th>{html.escape(page.relative_to(site).as_posix())}</th>{''.join(cells)}</tr>")
    sheet = shots / "screenshots.html"
    sheet.write_text("<!doctype html><meta charset=utf-8><title>runload site screenshots</title>"
                     "<style>td,th{vertical-align:top;padding:.5rem;text-align:left}</style>"
                     "<table><tr><th>page</th><th>1280 px</th><th>390 px</th></tr>" + "".join(rows) + "</table>",
                     encoding="utf-8")
    print(f"Look at {sheet} (every page at 1280 and 390 px), or open {site / 'index.html'} and click through")


if __name__ == "__main__":
    main()
