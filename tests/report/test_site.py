"""runload site: the roster as index.html, each athlete's report for the week, links both ways;
safe file names and escaped names; self-contained pages; and the sample athletes' site clicked
through in headless Chromium (skipped where Debian's chromium is absent)."""

from __future__ import annotations

import functools
import html
import http.server
import json
import re
import shutil
import struct
import subprocess
import tempfile
import threading
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import SAMPLES
from runload.models import Athlete
from runload.report.site import page_name
from runload.store import Store
from builders import roster_store

pytestmark = pytest.mark.slow  # the sample athletes' site, clicked through in Chromium

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed")


class Refs(HTMLParser):
    """Every link and every address a page would load, by attribute."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.loads: list[str] = []
        self.rows: list[str] = []  # athlete cells' link targets, in table order

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and "href" in a:
            self.links.append(a["href"])
        for key in ("src", "srcset", "poster", "data"):
            if key in a:
                self.loads.append(a[key])
        if tag in ("link", "script", "iframe", "object", "embed"):
            self.loads.append(tag)


def refs(text: str) -> Refs:
    r = Refs()
    r.feed(text)
    return r


def test_page_names_are_safe_and_distinct():
    assert page_name("maya") == "maya.html"
    assert page_name("ben.o_k-2") == "ben.o_k-2.html"
    # case-insensitive disks: Maya and maya must not share a page
    assert page_name("Maya") != page_name("maya") and re.fullmatch(r"maya-[0-9a-f]{10}\.html", page_name("Maya"))
    # names a file system treats specially, and what an older store might hold
    for hostile in ("con", "NUL.x", "../../etc/passwd", "..", ".", "a/b", "a\\b", "x\x00y", "<b>", "é", "a..b", ""):
        name = page_name(hostile)
        assert re.fullmatch(r"[a-z0-9][a-z0-9._-]*\.html", name), hostile
        assert "/" not in name and ".." not in name and name.split(".")[0] not in ("con", "nul")
    assert len({page_name(x) for x in ("a/b", "a\\b", "a b", "a-b")}) == 4


def test_site_cli_writes_the_roster_and_each_report(cli, store_path, tmp_path):
    roster_store(store_path).close()
    out = tmp_path / "site"
    r = cli("site", str(out), "--week", "2026-W22")
    assert r.exit_code == 0, r.output
    assert r.output == f"Wrote {out}/index.html: the roster of week 2026-W22 with 5 athlete pages in {out}/athletes\n"
    assert sorted(p.name for p in (out / "athletes").iterdir()) == \
        ["ana.html", "cara.html", "dev.html", "eli.html", "fay.html"]
    index = (out / "index.html").read_text(encoding="utf-8")
    # the index is the roster, most at risk first, each name linking to that athlete's page
    roster = cli("roster", "--week", "2026-W22", "--format", "json")
    order = [row["id"] for row in json.loads(roster.output)["athletes"]]
    assert refs(index).links == [f"athletes/{a}.html" for a in order]
    # the same rendering as `runload roster --format html`, plus the links
    plain = cli("roster", "--week", "2026-W22", "--format", "html").output
    assert re.sub(r'<a href="[^"]+">(.*?)</a>', r"\1", index).replace(
        "<p class=\"muted\">Each name opens that athlete's report for the week.</p>\n", "") == plain
    for athlete_id in order:
        page = (out / "athletes" / f"{athlete_id}.html").read_text(encoding="utf-8")
        assert refs(page).links == ["../index.html"]
        # the same rendering as `runload report --format html`, plus the way back
        report = cli("report", "--athlete", athlete_id, "--week", "2026-W22", "--format", "html").output
        assert page.replace('  <nav class="site"><a href="../index.html" rel="up">&larr; Roster</a></nav>\n', "") \
            == report
    # the status on the index is the status of the page it opens
    for row in json.loads(roster.output)["athletes"]:
        page = (out / "athletes" / f"{row['id']}.html").read_text(encoding="utf-8")
        assert f'<section class="status lvl-{row["findings_level"]}"' in page


def test_every_page_is_self_contained_and_reads_on_a_phone(cli, store_path, tmp_path):
    roster_store(store_path).close()
    out = tmp_path / "site"
    assert cli("site", str(out), "--week", "2026-W22").exit_code == 0
    for page in [out / "index.html", *sorted((out / "athletes").glob("*.html"))]:
        text = page.read_text(encoding="utf-8")
        assert "default-src 'none'" in text and '<meta name="viewport"' in text, page
        found = refs(text)
        assert all(x.startswith("data:image/") for x in found.loads), (page, found.loads)
        assert all(not re.match(r"[a-z][a-z0-9+.-]*:|//", x, flags=re.I) for x in found.links), found.links
        assert not re.search(r"url\(\s*['\"]?(?!data:)", text), page
        assert not re.search(r"https?://|//[a-z0-9]", text.replace("http://www.w3.org/", ""), flags=re.I), page
        for link in found.links:  # every link leads to a page that is there
            assert (page.parent / link).resolve().is_file(), (page, link)


def test_names_are_escaped_and_odd_ids_get_safe_pages(cli, store_path, tmp_path):
    store = Store.open(store_path)
    # an older store (or a hand-edited one) may hold ids runload would refuse today
    for athlete_id, name in (("Maya", "<script>alert(1)</script>"), ("maya", "Maya \x1b[31mRed"),
                             ("../../escape", 'Quote " and <img src=x onerror=alert(1)>'), ("con", "Con")):
        store.add_athlete(Athlete(athlete_id, name, timezone="UTC"))
    store.close()
    out = tmp_path / "deep" / "site"
    assert cli("site", str(out)).exit_code == 0
    written = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert len(written) == 5 and "index.html" in written
    assert all(re.fullmatch(r"athletes/[a-z0-9][a-z0-9._-]*\.html", p) for p in written if p != "index.html")
    assert not (tmp_path / "escape.html").exists() and not list(tmp_path.glob("*.html"))
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "<script" not in index and "&lt;script&gt;alert(1)&lt;/script&gt;" in index
    assert "<img src=x" not in index and "\x1b" not in index and "\\x1b[31mRed" in index
    for link in refs(index).links:
        assert (out / link).is_file() and link.startswith("athletes/")
        page = (out / link).read_text(encoding="utf-8")
        assert "<script" not in page and "<img src=x" not in page and "\x1b" not in page


def test_coach_site_and_rerun_removes_pages_of_athletes_no_longer_on_it(cli, store_path, tmp_path):
    roster_store(store_path).close()
    assert cli("coach", "add", "kim", "--email", "kim@example.org", "--name", "Kim <Coach>",
               "--athlete", "ana", "--athlete", "dev").exit_code == 0
    out = tmp_path / "kim"
    assert cli("site", str(out), "--week", "2026-W22").exit_code == 0
    assert sorted(p.name for p in (out / "athletes").iterdir()) == [f"{a}.html" for a in "ana cara dev eli fay".split()]
    (out / "athletes" / "notes.html").write_text("<p>the coach's own page</p>")
    r = cli("site", str(out), "--week", "2026-W22", "--coach", "kim")
    assert r.exit_code == 0
    assert r.output == f"Wrote {out}/index.html: the roster of week 2026-W22 with 2 athlete pages in {out}/athletes\n"
    # the others' reports are gone from the coach's site; a page runload did not write stays
    assert sorted(p.name for p in (out / "athletes").iterdir()) == ["ana.html", "dev.html", "notes.html"]
    index = (out / "index.html").read_text(encoding="utf-8")
    assert refs(index).links == ["athletes/ana.html", "athletes/dev.html"]
    assert "Athletes of Kim &lt;Coach&gt;" in index
    r = cli("site", str(out), "--coach", "lee")
    assert r.exit_code == 2 and r.output == "Error: unknown coach 'lee' (see: runload coach list)\n"


def test_a_folder_with_someone_elses_index_is_left_alone(cli, store_path, tmp_path):
    roster_store(store_path).close()
    (tmp_path / "www").mkdir()
    (tmp_path / "www" / "index.html").write_text("<h1>my home page</h1>")
    r = cli("site", str(tmp_path / "www"), "--week", "2026-W22")
    assert r.exit_code == 2
    assert r.output == (f"Error: {tmp_path}/www/index.html: was not written by runload: choose a new or empty "
                        "folder for the site\n")
    assert (tmp_path / "www" / "index.html").read_text() == "<h1>my home page</h1>"
    assert not (tmp_path / "www" / "athletes").exists()
    (tmp_path / "file").write_text("x")
    r = cli("site", str(tmp_path / "file"))
    assert r.exit_code == 2


# ---------------------------------------------------------------- headless Chromium
@pytest.fixture(scope="module")
def sample_site(tmp_path_factory) -> Path:
    """The sample athletes' site for the week their data ends (2026-W42)."""
    from click.testing import CliRunner

    from runload.cli import main

    root = tmp_path_factory.mktemp("sample-site")
    store = str(root / "samples.sqlite")
    runner = CliRunner()
    env = {"RUNLOAD_STORE": store, "RUNLOAD_TODAY": "2026-10-18", "RUNLOAD_CONFIG": "",
           "XDG_CONFIG_HOME": str(root / "xdg")}

    def cli(*args: str) -> None:
        r = runner.invoke(main, list(args), env=env, catch_exceptions=False)
        assert r.exit_code == 0, r.output

    cli("athlete", "add", "maya", "--name", "Maya Lindqvist", "--timezone", "Europe/Stockholm", "--hr-rest", "52",
        "--hr-max", "188", "--sex", "female", "--birth-year", "1991", "--injury", "hamstring strain, right, 2024")
    cli("athlete", "add", "ben", "--name", "Ben Okafor", "--timezone", "America/Denver", "--hr-rest", "48",
        "--hr-max", "182", "--sex", "male", "--birth-year", "1984")
    for who, path in (("maya", SAMPLES / "maya" / "activities"), ("ben", SAMPLES / "ben" / "strava_export")):
        cli("import", "--athlete", who, str(path), "--workers", "1")
        cli("pain", "import", "--athlete", who, str(SAMPLES / who / "pain.csv"))
    cli("site", str(root / "www" / "site"), "--week", "2026-W42")
    return root / "www" / "site"


def chromium(*args: str) -> str:
    with tempfile.TemporaryDirectory() as profile:
        r = subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                            "--disable-background-networking", "--disable-component-update", "--disable-sync",
                            "--disable-extensions", "--disable-dev-shm-usage", "--hide-scrollbars",
                            f"--user-data-dir={profile}", *args],
                           capture_output=True, text=True, timeout=180)
    assert r.returncode == 0, r.stderr[-2000:]
    return r.stdout


# The probe page clicks through the site in a frame of the same origin: each name on the index,
# then the way back, recording what each page shows, what it loaded and whether it fits the width.
PROBE = """<!doctype html><html><body style="margin:0">
<iframe id="f" style="border:0" width="WIDTH" height="900"></iframe><pre id="out">pending</pre>
<script>
const f = document.getElementById("f");
const loaded = () => new Promise(r => f.addEventListener("load", r, {once: true}));
function look() {
  const d = f.contentDocument, w = d.defaultView;
  return {path: w.location.pathname, title: d.title, h1: (d.querySelector("h1") || {}).textContent,
          overflow: d.documentElement.scrollWidth - w.innerWidth,
          images: [...d.images].map(i => i.complete && i.naturalWidth > 0),
          resources: w.performance.getEntriesByType("resource").map(e => e.name),
          links: [...d.querySelectorAll("a[href]")].map(a => a.href)};
}
(async () => {
  let l = loaded(); f.src = "site/index.html"; await l;
  const index = look(), pages = [];
  const n = f.contentDocument.querySelectorAll("td a").length;
  for (let i = 0; i < n; i++) {
    l = loaded(); f.contentDocument.querySelectorAll("td a")[i].click(); await l;
    const page = look();
    l = loaded(); f.contentDocument.querySelector("nav a").click(); await l;
    page.back = f.contentDocument.defaultView.location.pathname;
    pages.push(page);
  }
  document.getElementById("out").textContent = JSON.stringify({index, pages});
})().catch(e => { document.getElementById("out").textContent = "ERROR " + e; });
</script></body></html>"""


@needs_chromium
@pytest.mark.parametrize("width", [1280, 390])
def test_chromium_clicks_through_the_sample_site(sample_site, width):
    root = sample_site.parent
    (root / "probe.html").write_text(PROBE.replace("WIDTH", str(width)))
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    origin = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        dom = chromium("--virtual-time-budget=60000", "--dump-dom", f"{origin}/probe.html")
    finally:
        server.shutdown()
        server.server_close()
    text = html.unescape(re.search(r'<pre id="out">(.*?)</pre>', dom, flags=re.S).group(1))
    assert not text.startswith(("ERROR", "pending")), text
    seen = json.loads(text)
    index = seen["index"]
    assert index["path"] == "/site/index.html" and index["h1"] == "Roster: week 2026-W42"
    assert index["links"] == [f"{origin}/site/athletes/maya.html", f"{origin}/site/athletes/ben.html"]
    assert [p["h1"] for p in seen["pages"]] == ["Maya Lindqvist (maya)", "Ben Okafor (ben)"]
    for page in [index, *seen["pages"]]:
        assert page["overflow"] <= 0, (width, page["path"], page["overflow"])  # no sideways scrolling
        assert all(page["images"]), page["path"]  # every chart drew
        assert all(r.startswith((origin, "data:")) for r in page["resources"]), page["resources"]
    for page in seen["pages"]:
        assert page["back"] == "/site/index.html"
        assert len(page["images"]) >= 4 and page["links"] == [f"{origin}/site/index.html"]


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@needs_chromium
def test_chromium_opens_the_site_from_disk(sample_site):
    dom = chromium("--dump-dom", sample_site.joinpath("index.html").as_uri())
    found = refs(dom)
    assert found.links == ["athletes/maya.html", "athletes/ben.html"]
    assert "Maya Lindqvist (maya)" in dom and "Ben Okafor (ben)" in dom
    for link in found.links:
        page = chromium("--dump-dom", (sample_site / link).as_uri())
        assert '<a href="../index.html" rel="up">' in page
        assert re.search(r"<h1>(Maya Lindqvist|Ben Okafor) <span", page)


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


@needs_chromium
def test_chromium_screenshots_at_desktop_and_phone_width(sample_site, tmp_path):
    for width in (1280, 390):
        for page in ("index.html", "athletes/maya.html"):
            png = tmp_path / f"{page.replace('/', '-')}-{width}.png"
            chromium(f"--screenshot={png}", f"--window-size={width},2000", (sample_site / page).as_uri())
            assert png_size(png) == (width, 2000)
            assert png.stat().st_size > 20_000  # a page drawn, not a blank one


def test_pages_built_in_worker_processes_are_the_same(store_path):
    from datetime import date

    from runload.session import Assessor
    from runload.calendar import week_period
    from runload.report.site import build_site

    roster_store(store_path).close()
    with Store.open(store_path) as store:
        one = build_site(Assessor(store), week_period(date(2026, 5, 25)), today=date(2026, 10, 18), workers=1)
        two = build_site(Assessor(store), week_period(date(2026, 5, 25)), today=date(2026, 10, 18), workers=2)
    assert one.pages.keys() == two.pages.keys() and len(one.pages) == 6
    assert one.pages == two.pages and one.roster == two.roster
