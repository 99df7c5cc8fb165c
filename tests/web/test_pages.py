"""What the app keeps between views: one assessment per athlete and version of their data, the
weekly chart redrawn only when what it draws changes (not after a pain entry), the page's report
parts rendered once, blocking work in bounded pools; and the pages still say what ``runload
report`` says (status, limits, findings) after all that keeping."""

from __future__ import annotations

import pytest

import threading
import time


from runload.store import Store
from web_fixtures import csrf, login, pain_form
from web_fixtures import TODAY

pytestmark = pytest.mark.slow  # the web app on a store built from the sample athletes

CHART = "/athletes/maya/charts/weekly_distance.svg?view=16w"


def test_a_second_view_assesses_nothing_and_a_pain_entry_assesses_once(app):
    pages = app.state.pages
    c = login(app, "maya")
    first = c.get("/")
    assessed = pages.counts["assessed"]
    again = c.get("/")
    assert again.status_code == 200 and pages.counts["assessed"] == assessed
    assert csrf(first.text) == csrf(again.text)  # the session's own parts are per request, the same session
    r = c.post("/athletes/maya/pain", data={"csrf_token": pain_form(c), "pain_after": "3", "notes": "kept apart"})
    assert r.status_code == 200
    assert pages.counts["assessed"] == assessed + 1  # the answer's status is the new assessment's
    page = c.get("/").text
    assert "kept apart" in page and pages.counts["assessed"] == assessed + 1  # the page reads that one


def test_a_pain_entry_does_not_redraw_the_weekly_chart_but_a_run_does(app):
    pages = app.state.pages
    c = login(app, "maya")
    svg = c.get(CHART).content
    drawn = pages.counts["charts drawn"]
    assert c.get(CHART).content == svg and pages.counts["charts drawn"] == drawn
    c.post("/athletes/maya/pain", data={"csrf_token": pain_form(c), "pain_after": "2"})
    assert c.get(CHART).content == svg and pages.counts["charts drawn"] == drawn
    with Store.open(app.state.store_path, create=False) as store:
        run = [a for a in store.activities("maya") if a.is_run][-1]
        store.correct_activity(run.id, {"distance_m": run.distance_m + 5000})
    new = c.get(CHART).content
    assert pages.counts["charts drawn"] == drawn + 1 and new != svg


def test_another_session_gets_its_own_token_around_the_kept_parts(app):
    kim, lee = login(app, "kim"), login(app, "lee")
    a, b = kim.get("/athletes/maya").text, login(app, "maya").get("/athletes/maya").text
    assert csrf(a) != csrf(b)
    assert "Leave the note" in a and "Leave the note" not in b  # the coach's form is not kept with the report
    assert "Log pain after a run" in b and "Log pain after a run" not in a
    assert lee.get("/athletes/maya").status_code == 403


def test_the_page_says_what_runload_report_says(app, web_store):
    """Status, each of next week's limits and each finding, for the same athlete and day."""
    import json

    from click.testing import CliRunner

    from runload.cli import main
    from runload.report import fmt

    for athlete in ("maya", "ben"):
        out = CliRunner().invoke(main, ["--store", str(web_store), "report", "--athlete", athlete, "--format", "json"],
                                 env={"RUNLOAD_TODAY": TODAY.isoformat()}, catch_exceptions=False)
        assert out.exit_code == 0, out.output
        rep = json.loads(out.output)
        page = login(app, athlete).get("/").text.replace("&#39;", "'").replace("&amp;", "&")
        assert rep["status"]["label"] in page and rep["status"]["summary"] in page
        for f in rep["findings"]:
            assert f["title"] in page, f["title"]
        limits = [v for v in rep["limits"].values() if isinstance(v, dict) and v["km"] is not None]
        for lim in limits:
            assert f'{lim["label"]}</div><div class="num">at most {fmt.distance(lim["km"], rep["athlete"]["units"])}' in page, lim
        assert page.count('<div class="cap">') == len(limits)


def test_the_app_reads_the_store_in_wal_mode(app):
    with Store.open(app.state.store_path, create=False) as store:
        assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_blocking_work_runs_in_bounded_pools():
    import anyio

    from runload.web.app import Pools

    pools = Pools({"pages": 2, "writes": 1})
    running, most = {"pages": 0, "writes": 0}, {"pages": 0, "writes": 0}
    lock = threading.Lock()

    def work(kind):
        with lock:
            running[kind] += 1
            most[kind] = max(most[kind], running[kind])
        time.sleep(0.05)
        with lock:
            running[kind] -= 1

    async def main():
        async with anyio.create_task_group() as tg:
            for i in range(6):
                tg.start_soon(pools.run, "pages" if i % 2 else "writes", work, "pages" if i % 2 else "writes")

    anyio.run(main)
    assert most == {"pages": 2, "writes": 1}
