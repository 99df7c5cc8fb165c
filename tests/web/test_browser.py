"""The web app served by uvicorn on 127.0.0.1: entries written at once from many clients all
land, and a person's paths through it in Debian's headless Chromium driven by Selenium (skipped,
with the reason, where chromium or chromium-driver is absent; CI installs them)."""

from __future__ import annotations

import os
import re
import shutil
import socket
import threading
import time
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from runload.store import Store
from web_fixtures import PASSWORD, TODAY, make_store

pytestmark = pytest.mark.slow  # uvicorn and Chromium

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
needs_browser = pytest.mark.skipif(CHROMIUM is None or DRIVER is None,
                                   reason="Debian's chromium and chromium-driver are not installed "
                                          "(apt-get install chromium chromium-driver)")
# RUNLOAD_SCREENSHOTS=DIR keeps the screenshots for a person to look at
SHOTS = os.environ.get("RUNLOAD_SCREENSHOTS")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_store(tmp_path_factory.mktemp("browser") / "store.sqlite")


@pytest.fixture
def live(built: Path, tmp_path: Path):
    """The app on a free port of 127.0.0.1, stopped after the test."""
    import uvicorn

    from runload.web.app import create_app

    path = tmp_path / "live.sqlite"
    shutil.copy(built, path)
    app = create_app(path, today=lambda tz: TODAY)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=_free_port(), log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.config.port}"
    for _ in range(100):
        try:
            if httpx.get(f"{base}/healthz").status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.05)
    else:
        raise RuntimeError("the server did not start")
    yield base, path
    server.should_exit = True
    thread.join(10)


def _token(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def test_entries_written_at_once_from_many_clients_all_land(live):
    base, path = live
    errors: list[str] = []

    def writer(k: int) -> None:
        # a generous timeout: the machine may be busy, and a login costs an Argon2 hash
        try:
            with httpx.Client(base_url=base, timeout=120) as c:
                r = c.post("/login", data={"login": "maya", "password": PASSWORD,
                                           "csrf_token": _token(c.get("/login").text)})
                if r.status_code != 303:
                    errors.append(f"login {r.status_code}")
                    return
                token = _token(c.get("/athletes/maya/pain/new").text)
                for i in range(5):
                    day = TODAY - timedelta(days=k * 5 + i)
                    r = c.post("/athletes/maya/pain", data={"csrf_token": token, "pain_after": "2", "side": "left",
                                                            "date": day.isoformat(), "notes": f"writer {k} entry {i}"})
                    if r.status_code != 200:
                        errors.append(f"entry {k}/{i}: {r.status_code}")
        except httpx.HTTPError as exc:
            errors.append(f"writer {k}: {exc!r}")

    threads = [threading.Thread(target=writer, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(600)
    assert errors == []
    with Store.open(path, create=False) as store:
        notes = {e.notes for e in store.pain_entries("maya") if e.notes.startswith("writer ")}
    assert notes == {f"writer {k} entry {i}" for k in range(8) for i in range(5)}


@pytest.fixture
def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars"):
        opts.add_argument(arg)
    driver = webdriver.Chrome(service=Service(executable_path=DRIVER), options=opts)
    yield driver
    driver.quit()


def _size(driver, width: int) -> None:
    driver.set_window_size(width, 900)


def _shot(driver, tmp_path: Path, name: str, width: int) -> Path:
    """A screenshot of the whole page at ``width`` px (kept in RUNLOAD_SCREENSHOTS if set)."""
    driver.set_window_size(width, 900)
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(width, min(max(height + 140, 600), 6000))  # the window's frame: the page's own height
    png = tmp_path / f"{name}-{width}.png"
    driver.save_screenshot(str(png))
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        shutil.copy(png, Path(SHOTS) / png.name)
    assert png.stat().st_size > 5000
    return png


def _log_in(driver, base: str, login: str) -> None:
    from selenium.webdriver.common.by import By

    driver.get(f"{base}/login")
    driver.find_element(By.NAME, "login").send_keys(login)
    driver.find_element(By.NAME, "password").send_keys(PASSWORD)
    driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()


def _wait_title(driver, start: str) -> None:
    """Wait for the next page (a form was sent, a link followed)."""
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, 20).until(lambda d: d.title.startswith(start))


def _no_sideways_scroll(driver) -> None:
    assert driver.execute_script("return document.documentElement.scrollWidth <= window.innerWidth + 1")


@needs_browser
def test_a_runner_logs_a_calf_sign_from_a_phone_and_sees_urgent_care(live, browser, tmp_path):
    from selenium.webdriver.common.by import By

    base, path = live
    _size(browser, 390)
    _log_in(browser, base, "maya")
    _wait_title(browser, "runload: Maya")
    assert "Maya Lindqvist" in browser.find_element(By.TAG_NAME, "h1").text
    assert browser.execute_script("return window.innerWidth") <= 390
    _no_sideways_scroll(browser)
    _shot(browser, tmp_path, "athlete", 390)
    _shot(browser, tmp_path, "athlete", 1280)
    _size(browser, 390)
    browser.find_element(By.LINK_TEXT, "Log pain after a run").click()
    _wait_title(browser, "runload: log pain")
    _shot(browser, tmp_path, "pain-form", 390)
    _size(browser, 390)
    browser.find_element(By.NAME, "pain_after").send_keys("4")
    browser.find_element(By.CSS_SELECTOR, "input[name=side][value=right]").click()
    calf = browser.find_element(By.NAME, "calf_swelling_redness_warmth")
    browser.execute_script("arguments[0].scrollIntoView()", calf)
    calf.click()
    browser.find_element(By.CSS_SELECTOR, "form.app button[type=submit]").click()
    _wait_title(browser, "runload: pain logged")
    alert = browser.find_element(By.CSS_SELECTOR, "[role=alert]").text
    assert "See a clinician today" in alert and "same-day urgent care" in alert and "emergency number" in alert
    _no_sideways_scroll(browser)
    _shot(browser, tmp_path, "pain-logged", 390)
    with Store.open(path, create=False) as store:
        e = store.pain_entries("maya")[-1]
    assert e.calf_swelling_redness_warmth and e.pain_after == 4 and e.side == "right"
    # the plan check as a form, on the same phone
    browser.get(f"{base}/athletes/maya/plan")
    _wait_title(browser, "runload: plan check")
    browser.find_element(By.NAME, "runs").send_keys("2026-10-19:6\n2026-10-22:8\n2026-10-25:14:long")
    browser.find_element(By.XPATH, "//button[text()='Check']").click()
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(browser, 60).until(lambda d: d.find_elements(By.CSS_SELECTOR, "[aria-label=Verdict]"))
    _no_sideways_scroll(browser)
    _shot(browser, tmp_path, "plan-check", 390)


@needs_browser
def test_a_coach_opens_the_roster_drills_in_and_leaves_a_note(live, browser, tmp_path):
    from selenium.webdriver.common.by import By

    base, _path = live
    _size(browser, 1280)
    _log_in(browser, base, "kim")
    _wait_title(browser, "runload roster")
    assert browser.find_element(By.TAG_NAME, "h1").text.startswith("Roster")
    _shot(browser, tmp_path, "roster", 1280)
    _shot(browser, tmp_path, "roster", 390)
    _size(browser, 390)
    _no_sideways_scroll(browser)
    browser.find_element(By.PARTIAL_LINK_TEXT, "Maya Lindqvist").click()
    _wait_title(browser, "runload: Maya")
    assert "Maya Lindqvist" in browser.find_element(By.TAG_NAME, "h1").text
    browser.find_element(By.NAME, "text").send_keys("Keep this week easy, then we talk.")
    browser.find_element(By.XPATH, "//button[text()='Leave the note']").click()
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(browser, 20).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".note"))
    assert "Keep this week easy, then we talk." in browser.find_element(By.CSS_SELECTOR, ".note").text
    browser.find_element(By.XPATH, "//button[text()='Log out']").click()
    _wait_title(browser, "runload: log in")
    _log_in(browser, base, "maya")
    _wait_title(browser, "runload: Maya")
    assert "Keep this week easy, then we talk." in browser.find_element(By.CSS_SELECTOR, ".note").text
    _shot(browser, tmp_path, "athlete-with-note", 390)


@needs_browser
def test_every_page_fits_a_phone_and_a_desktop_without_scrolling_sideways(live, browser, tmp_path):
    """Each of a runner's and a coach's pages at 390 and 1280 px: nothing wider than the window
    (a long table scrolls inside its own box, never the page), and a shoe added from the phone."""
    from selenium.webdriver.common.by import By

    base, path = live
    _size(browser, 390)
    _log_in(browser, base, "maya")
    _wait_title(browser, "runload: Maya")
    browser.find_element(By.LINK_TEXT, "Shoes").click()
    _wait_title(browser, "runload: shoes")
    browser.find_element(By.NAME, "name").send_keys("Road pair")
    browser.find_element(By.NAME, "retire_km").send_keys("700")
    browser.find_element(By.NAME, "default").click()
    browser.find_element(By.XPATH, "//button[text()='Add the shoe']").click()
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(browser, 20).until(lambda d: d.find_elements(By.CSS_SELECTOR, "[role=status]"))
    assert "Added shoe Road pair" in browser.find_element(By.CSS_SELECTOR, "[role=status]").text
    with Store.open(path, create=False) as store:
        assert store.default_shoe("maya") == "Road pair"
    pages = {"athlete": "/athletes/maya", "athlete-year": "/athletes/maya?view=year", "shoes": "/athletes/maya/shoes",
             "pain-form": "/athletes/maya/pain/new", "import": "/athletes/maya/import", "plan": "/athletes/maya/plan"}
    for who, paths in (("maya", pages), ("kim", {"roster": "/", "coach-athlete": "/athletes/ben"})):
        if who == "kim":
            browser.delete_all_cookies()
            _size(browser, 390)
            _log_in(browser, base, "kim")
            _wait_title(browser, "runload roster")
        for name, p in paths.items():
            for width in (390, 1280):
                _size(browser, width)
                browser.get(base + p)
                assert browser.execute_script("return document.readyState") == "complete"
                wide = browser.execute_script(
                    "return [...document.querySelectorAll('body *')].filter(e => !e.closest('.scroll'))"
                    ".filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)"
                    ".map(e => e.tagName + '.' + e.className).slice(0, 5)")
                assert wide == [], (name, width, wide)
                # every button reads: white text only on a filled button (a colour the style
                # sheet no longer defines leaves it transparent, white on white)
                unreadable = browser.execute_script(
                    "return [...document.querySelectorAll('button, a.button')].filter(b => {"
                    " const s = getComputedStyle(b); return s.color === 'rgb(255, 255, 255)' &&"
                    " ['rgba(0, 0, 0, 0)', 'rgb(255, 255, 255)', 'transparent'].includes(s.backgroundColor); })"
                    ".map(b => b.textContent.trim())")
                assert unreadable == [], (name, width, unreadable)
                _no_sideways_scroll(browser)
                _shot(browser, tmp_path, name, width)
