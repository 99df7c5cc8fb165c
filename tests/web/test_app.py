"""The web app through Starlette's TestClient: every page for an athlete, a coach and nobody;
every refusal (another athlete's page, another coach's athlete, a form without its CSRF token,
a session replayed after logout, too many failed logins) a bare 403; pain logged from the form
lands in the store and answers with its care at once; the pages say what the command line says."""

from __future__ import annotations

import re
from datetime import date

import pytest

from conftest import SAMPLES
from runload.store import Store
from runload.web.app import HEADERS
from web_fixtures import PASSWORD, TODAY, client, csrf, login, pain_form

pytestmark = pytest.mark.slow  # the web app on a store built from the sample athletes

# ---------------------------------------------------------------- the fixed surface
def test_healthz_answers_without_a_login(app):
    r = client(app).get("/healthz")
    assert r.status_code == 200 and r.text == "ok"


def test_login_form_has_the_fields_scripts_rely_on(app):
    r = client(app).get("/login")
    assert r.status_code == 200
    for name in ("login", "password", "csrf_token"):
        assert f'name="{name}"' in r.text
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie


def test_every_answer_carries_the_security_headers(app):
    c = login(app, "maya")
    for r in (client(app).get("/healthz"), client(app).get("/login"), client(app).get("/athletes/maya"),
              c.get("/"), c.get("/athletes/ben")):
        for name, value in HEADERS.items():
            assert r.headers[name] == value
    assert "form-action 'self'" in HEADERS["content-security-policy"]
    assert "script-src" not in HEADERS["content-security-policy"]  # default-src 'none': no script at all


# ---------------------------------------------------------------- who sees what
@pytest.mark.parametrize("path", ["/athletes/maya", "/athletes/ben", "/athletes/cleo", "/athletes/maya/pain/new",
                                  "/athletes/nobody"])
def test_nobody_logged_in_is_refused(app, path):
    r = client(app).get(path)
    assert r.status_code == 403 and r.text == "Forbidden"


def test_nobody_logged_in_is_sent_to_the_login_form(app):
    r = client(app).get("/")
    assert r.status_code == 303 and r.headers["location"] == "/login"


def test_an_athlete_sees_their_own_pages_and_no_one_else_s(app):
    c = login(app, "maya")
    home = c.get("/")
    assert home.status_code == 200 and "Maya Lindqvist" in home.text and "Next week" in home.text
    assert c.get("/athletes/maya").status_code == 200
    assert c.get("/athletes/maya?view=year").status_code == 200
    assert c.get("/athletes/maya/pain/new").status_code == 200
    for path in ("/athletes/ben", "/athletes/ben/pain/new", "/athletes/cleo", "/athletes/nobody"):
        r = c.get(path)
        assert r.status_code == 403 and r.text == "Forbidden", path


def test_a_coach_sees_the_roster_of_their_athletes_only(app):
    c = login(app, "kim")
    roster = c.get("/")
    assert roster.status_code == 200
    assert 'href="/athletes/maya"' in roster.text and 'href="/athletes/ben"' in roster.text
    assert "cleo" not in roster.text.lower()
    assert c.get("/athletes/maya").status_code == 200 and c.get("/athletes/ben").status_code == 200
    assert c.get("/athletes/cleo").status_code == 403  # another coach's athlete
    assert c.get("/athletes/maya/pain/new").status_code == 403  # a runner logs their own pain
    other = login(app, "lee")
    assert "Cleo Test" in other.get("/").text
    assert other.get("/athletes/maya").status_code == 403


# ---------------------------------------------------------------- logins and sessions
def test_a_wrong_password_is_refused_without_saying_why(app):
    c = client(app)
    token = csrf(c.get("/login").text)
    wrong = c.post("/login", data={"login": "maya", "password": "not it at all", "csrf_token": token})
    unknown = c.post("/login", data={"login": "nobody", "password": PASSWORD, "csrf_token": token})
    for r in (wrong, unknown):
        assert r.status_code == 403 and "Login refused." in r.text
        assert "runload_session" not in r.headers.get("set-cookie", "")
    assert c.get("/athletes/maya").status_code == 403


def test_logins_are_throttled_after_five_failures(app):
    c = client(app)
    token = csrf(c.get("/login").text)
    for _ in range(5):
        assert c.post("/login", data={"login": "ben", "password": "guess guess", "csrf_token": token}).status_code == 403
    right = c.post("/login", data={"login": "ben", "password": PASSWORD, "csrf_token": token})
    assert right.status_code == 403 and "runload_session" not in right.headers.get("set-cookie", "")
    other = client(app)  # the same address is locked out for every login
    token = csrf(other.get("/login").text)
    assert other.post("/login", data={"login": "maya", "password": PASSWORD, "csrf_token": token}).status_code == 403
    login(app, "maya", address="127.0.0.2")  # another login from another address is not
    far = client(app, "127.0.0.3")  # and ben stays locked from everywhere until the window passes
    token = csrf(far.get("/login").text)
    assert far.post("/login", data={"login": "ben", "password": PASSWORD, "csrf_token": token}).status_code == 403


def test_login_without_its_csrf_token_is_refused(app):
    c = client(app)
    c.get("/login")
    r = c.post("/login", data={"login": "maya", "password": PASSWORD})
    assert r.status_code == 403 and r.text == "Forbidden"
    forged = c.post("/login", data={"login": "maya", "password": PASSWORD, "csrf_token": "x" * 43})
    assert forged.status_code == 403


def test_a_session_replayed_after_logout_is_refused(app):
    c = login(app, "maya")
    cookie = c.cookies.get("runload_session")
    token = csrf(c.get("/athletes/maya").text)
    out = c.post("/logout", data={"csrf_token": token})
    assert out.status_code == 303 and out.headers["location"] == "/login"
    replay = client(app)
    replay.cookies.set("runload_session", cookie)
    assert replay.get("/athletes/maya").status_code == 403
    assert replay.get("/").status_code == 303
    assert replay.post("/athletes/maya/pain", data={"csrf_token": token, "pain_after": "3"}).status_code == 403


def test_a_cookie_with_a_forged_signature_opens_nothing(app):
    c = login(app, "maya")
    value = c.cookies.get("runload_session")
    forged = client(app)
    forged.cookies.set("runload_session", value[:-4] + ("0000" if not value.endswith("0000") else "1111"))
    assert forged.get("/athletes/maya").status_code == 403


def test_logout_needs_the_session_csrf_token(app):
    c = login(app, "maya")
    assert c.post("/logout", data={}).status_code == 403
    assert c.get("/athletes/maya").status_code == 200  # still logged in


# ---------------------------------------------------------------- pain from the form
def test_pain_logged_from_the_form_is_stored_with_its_fields(app, web_store):
    c = login(app, "maya")
    token = pain_form(c)
    r = c.post("/athletes/maya/pain", data={"csrf_token": token, "pain_during": "2", "pain_after": "4",
                                            "side": "left", "location": "back", "swelling": "mild",
                                            "notes": "after hills", "date": "2026-10-18"})
    assert r.status_code == 200 and "Saved" in r.text
    with Store.open(web_store, create=False) as store:
        e = store.pain_entries("maya", start=date(2026, 10, 18), end=date(2026, 10, 18))[-1]
    assert (e.pain_during, e.pain_after, e.side, e.swelling, e.notes) == (2, 4, "left", "mild", "after hills")
    assert not e.calf_swelling_redness_warmth


def test_a_calf_sign_answers_with_urgent_care_and_the_emergency_number_at_once(app, web_store, mails):
    c = login(app, "maya")
    token = pain_form(c)
    r = c.post("/athletes/maya/pain", data={"csrf_token": token, "pain_after": "3", "side": "right",
                                            "calf_swelling_redness_warmth": "yes"})
    assert r.status_code == 200
    # the answer names the level in the status's own words
    assert "See a clinician today" in r.text and "same-day urgent care" in r.text
    assert "call your local emergency number now" in r.text.lower()
    assert 'role="alert"' in r.text
    with Store.open(web_store, create=False) as store:
        e = store.pain_entries("maya", start=TODAY, end=TODAY)[-1]
    assert e.calf_swelling_redness_warmth and e.side == "right"
    assert mails == [("maya", e.id, TODAY, ["urgent"])]  # the coach is told the same day
    page = c.get("/athletes/maya").text
    assert "Red flags: act on these first" in page  # the same assessment the page reads


def test_breathlessness_answers_with_the_emergency_number(app):
    c = login(app, "ben")  # Europe/London: the UK's own number
    token = pain_form(c, "ben")
    r = c.post("/athletes/ben/pain", data={"csrf_token": token, "pain_after": "5", "breathless_chest_pain": "yes"})
    assert r.status_code == 200 and "Emergency: get medical help now" in r.text and "call 999 now" in r.text.lower()


def test_an_entry_without_a_red_flag_mails_no_one(app, mails):
    c = login(app, "maya")
    c.post("/athletes/maya/pain", data={"csrf_token": pain_form(c), "pain_after": "1"})
    assert mails == []


def test_pain_without_csrf_is_refused_and_nothing_is_stored(app, web_store):
    c = login(app, "maya")
    with Store.open(web_store, create=False) as store:
        before = len(store.pain_entries("maya"))
    assert c.post("/athletes/maya/pain", data={"pain_after": "4"}).status_code == 403
    assert c.post("/athletes/maya/pain", data={"pain_after": "4", "csrf_token": "forged"}).status_code == 403
    other = login(app, "ben")  # ben's own token does not log pain for maya
    assert other.post("/athletes/maya/pain", data={"pain_after": "4", "csrf_token": pain_form(other, "ben")}).status_code == 403
    with Store.open(web_store, create=False) as store:
        assert len(store.pain_entries("maya")) == before


@pytest.mark.parametrize("data, words", [({"pain_after": "11"}, "pain after"), ({"pain_after": "1_0"}, "pain after"),
                                         ({"side": "middle", "pain_after": "2"}, "side"), ({}, "nothing to log")])
def test_a_bad_form_comes_back_with_the_reason_and_stores_nothing(app, web_store, data, words):
    c = login(app, "maya")
    with Store.open(web_store, create=False) as store:
        before = len(store.pain_entries("maya"))
    r = c.post("/athletes/maya/pain", data={"csrf_token": pain_form(c), **data})
    assert r.status_code == 400 and words in r.text.lower() and 'name="csrf_token"' in r.text
    with Store.open(web_store, create=False) as store:
        assert len(store.pain_entries("maya")) == before


def test_the_rpe_given_with_pain_rates_that_day_s_run(app, web_store):
    c = login(app, "maya")
    r = c.post("/athletes/maya/pain", data={"csrf_token": pain_form(c), "pain_after": "2", "rpe": "7",
                                            "date": "2026-10-18"})
    assert r.status_code == 200
    with Store.open(web_store, create=False) as store:
        runs = [a for a in store.activities("maya") if a.start_utc.date() == date(2026, 10, 18)]
    assert runs and runs[-1].rpe == 7


# ---------------------------------------------------------------- coaches' notes
def test_a_coach_leaves_a_note_the_athlete_sees(app):
    coach = login(app, "kim")
    page = coach.get("/athletes/maya").text
    r = coach.post("/athletes/maya/notes", data={"csrf_token": csrf(page), "week": "2026-W42",
                                                 "text": "Easy week <b>please</b>"})
    assert r.status_code == 303
    seen = login(app, "maya").get("/").text
    assert "From your coach" in seen and "Easy week &lt;b&gt;please&lt;/b&gt;" in seen


def test_notes_are_refused_for_another_coach_s_athlete_and_without_csrf(app):
    lee = login(app, "lee")
    token = csrf(lee.get("/").text)
    assert lee.post("/athletes/maya/notes", data={"csrf_token": token, "week": "2026-W42", "text": "hi"}).status_code == 403
    kim = login(app, "kim")
    assert kim.post("/athletes/maya/notes", data={"week": "2026-W42", "text": "hi"}).status_code == 403
    maya = login(app, "maya")  # an athlete writes no notes
    assert maya.post("/athletes/maya/notes", data={"csrf_token": csrf(maya.get("/").text), "week": "2026-W42",
                                                   "text": "hi"}).status_code == 403
    assert "From your coach" not in maya.get("/").text


# ---------------------------------------------------------------- the app says what the CLI says
def test_the_roster_and_pages_agree_with_the_command_line(app, web_store):
    from runload.session import Assessor
    from runload.calendar import week_period
    from runload.report.build import report_for
    from runload.report.roster import build_roster

    with Store.open(web_store, create=False) as store:
        judge = Assessor(store)
        ro = build_roster(judge, week_period(TODAY), today=TODAY, athlete_ids=["maya", "ben"], workers=1)
        reports = {i: report_for(judge, i, week="this", today=TODAY) for i in ("maya", "ben")}
    html = login(app, "kim").get("/").text
    order = [m for m in re.findall(r'href="/athletes/(\w+)"', html)]
    assert order == [row.athlete_id for row in ro.rows]
    for i, rep in reports.items():
        page = login(app, "kim").get(f"/athletes/{i}").text
        assert rep.status.label in page and rep.status.summary.replace("'", "&#39;") in page


def test_the_year_view_shows_a_year_of_weeks(app):
    c = login(app, "maya")
    report = app.state.pages.report  # the same cache the pages read
    with Store.open(app.state.store_path, create=False) as store:
        year = report(store, "maya", TODAY, view="year")
        season = report(store, "maya", TODAY, view="season")
    assert len(year.weeks) == 52 and len(season.weeks) == 26
    assert 'aria-current="page">Year' in c.get("/athletes/maya?view=year").text
    assert b"last 52 weeks" in c.get("/athletes/maya/charts/weekly_distance.svg?view=year").content
    assert b"last 26 weeks" in c.get("/athletes/maya/charts/weekly_distance.svg?view=season").content


def test_the_weekly_chart_is_served_to_who_may_see_it(app):
    c = login(app, "maya")
    page = c.get("/athletes/maya").text
    assert 'src="/athletes/maya/charts/weekly_distance.svg?view=16w"' in page
    r = c.get("/athletes/maya/charts/weekly_distance.svg?view=year")
    assert r.status_code == 200 and r.headers["content-type"] == "image/svg+xml" and b"<svg" in r.content
    assert c.get("/athletes/ben/charts/weekly_distance.svg").status_code == 403
    assert client(app).get("/athletes/maya/charts/weekly_distance.svg").status_code == 403
    assert c.get("/athletes/maya/charts/pain.svg").status_code == 404
    assert login(app, "kim").get("/athletes/maya/charts/weekly_distance.svg").status_code == 200


# ---------------------------------------------------------------- watch files and the plan check
MAYA_FILES = sorted((SAMPLES / "maya" / "activities").iterdir())


def test_watch_files_uploaded_go_through_the_importer_with_its_summary(app, web_store):
    c = login(app, "cleo")
    page = c.get("/athletes/cleo/import")
    assert page.status_code == 200 and 'type="file" name="files"' in page.text
    files = [("files", (p.name, p.read_bytes(), "application/octet-stream")) for p in MAYA_FILES[-2:]]
    files.append(("files", ("broken.fit", b"not a fit file at all", "application/octet-stream")))
    r = c.post("/athletes/cleo/import", data={"csrf_token": csrf(page.text)}, files=files)
    assert r.status_code == 200, r.text
    assert "Imported 2 files" in r.text and "1 failed" in r.text and "failed: broken.fit" in r.text
    assert "runload-upload" not in r.text  # the upload's own folder is not shown
    with Store.open(web_store, create=False) as store:
        assert store.activity_count("cleo") == 2
    again = c.post("/athletes/cleo/import", data={"csrf_token": csrf(page.text)}, files=files[:2])
    assert "Imported 0 files" in again.text and "2 already known" in again.text
    assert "Runs this week" in c.get("/athletes/cleo").text or "Weeks" in c.get("/athletes/cleo").text


def test_uploads_are_refused_without_csrf_and_for_anyone_but_the_athlete(app, web_store):
    files = [("files", (MAYA_FILES[-1].name, MAYA_FILES[-1].read_bytes(), "application/octet-stream"))]
    cleo = login(app, "cleo")
    assert cleo.post("/athletes/cleo/import", files=files).status_code == 403
    assert client(app).post("/athletes/cleo/import", files=files).status_code == 403
    lee = login(app, "lee")  # cleo's own coach
    assert lee.get("/athletes/cleo/import").status_code == 403
    assert lee.post("/athletes/cleo/import", data={"csrf_token": csrf(lee.get("/").text)}, files=files).status_code == 403
    with Store.open(web_store, create=False) as store:
        assert store.activity_count("cleo") == 0


def test_the_plan_check_form_answers_as_runload_plan_check_does(app, web_store):
    from runload.session import Assessor
    from runload.plan import check_plan, parse_run_option
    from runload.report.plan import verdict

    runs = ["2026-10-19:6", "2026-10-21:8", "2026-10-25:22:long"]
    with Store.open(web_store, create=False) as store:
        judge = Assessor(store)
        check = check_plan(judge.data("maya"), judge.book, [parse_run_option(r) for r in runs], TODAY,
                           baseline=judge.get("maya", TODAY))
    for who in ("maya", "kim"):
        c = login(app, who)
        page = c.get("/athletes/maya/plan")
        assert page.status_code == 200
        r = c.post("/athletes/maya/plan", data={"csrf_token": csrf(page.text), "runs": "\n".join(runs)})
        assert r.status_code == 200 and verdict(check).replace("'", "&#39;") in r.text
    assert not check.keeps_limits and "Proposed plan" in r.text  # 22 km is far past a 5.3 km run limit
    bad = c.post("/athletes/maya/plan", data={"csrf_token": csrf(page.text), "runs": "tomorrow:5"})
    assert bad.status_code == 400 and "YYYY-MM-DD" in bad.text
    assert c.post("/athletes/maya/plan", data={"runs": "2026-10-19:6"}).status_code == 403
    assert login(app, "lee").get("/athletes/maya/plan").status_code == 403
