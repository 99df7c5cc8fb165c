"""Shoes from the app: add, set the default, retire, through the same checks and store calls as
``runload shoe``; the page says what ``runload shoe list`` says; only the athlete, with the
session's CSRF token, changes their shoes."""

from __future__ import annotations

import pytest

import json

from click.testing import CliRunner

from runload.cli import main
from runload.store import Store
from web_fixtures import client, csrf, login

pytestmark = pytest.mark.slow  # the web app on a store built from the sample athletes


def shoe_list(store_path) -> list[dict]:
    out = CliRunner().invoke(main, ["--store", str(store_path), "shoe", "list", "--athlete", "maya", "--format", "json"],
                             catch_exceptions=False)
    assert out.exit_code == 0, out.output
    return json.loads(out.output)


def test_an_athlete_adds_sets_the_default_and_retires_shoes(app, web_store):
    c = login(app, "maya")
    page = c.get("/athletes/maya/shoes")
    assert page.status_code == 200
    token = csrf(page.text)
    r = c.post("/athletes/maya/shoes", data={"csrf_token": token, "name": "Trail 2", "start_km": "120",
                                             "retire_km": "700", "default": "yes"})
    assert r.status_code == 200 and "Added shoe Trail 2" in r.text
    r = c.post("/athletes/maya/shoes", data={"csrf_token": token, "name": "Road 1"})
    assert r.status_code == 200
    with Store.open(web_store, create=False) as store:
        shoes = {s.name: s for s in store.shoes("maya")}
        assert store.default_shoe("maya") == "Trail 2"
    assert (shoes["Trail 2"].start_km, shoes["Trail 2"].retire_km) == (120.0, 700.0)
    assert c.post("/athletes/maya/shoes/default", data={"csrf_token": token, "name": "Road 1"}).status_code == 200
    r = c.post("/athletes/maya/shoes/retire", data={"csrf_token": token, "name": "Trail 2", "date": "2026-10-01"})
    assert r.status_code == 200 and "Retired shoe Trail 2 on 2026-10-01" in r.text
    with Store.open(web_store, create=False) as store:
        assert store.default_shoe("maya") == "Road 1"
        assert store.get_shoe("maya", "Trail 2").retired_on.isoformat() == "2026-10-01"
    # the page lists what runload shoe list lists, with the same words for each shoe's state
    from runload.shoes import shoe_totals, state_words

    listed = shoe_list(web_store)
    page = c.get("/athletes/maya/shoes").text
    with Store.open(web_store, create=False) as store:
        totals = shoe_totals(store.activities("maya"), store.shoes("maya"))
    assert [t.name for t in totals] == [s["name"] for s in listed]
    for t in totals:
        assert f'<td data-label="Shoe">{t.name}</td>' in page
        assert f'<td data-label="State">{state_words(t) or "-"}</td>' in page
    assert "retired 2026-10-01" in page and "<td data-label=\"State\">default</td>" in page


def test_a_shoe_is_checked_as_runload_shoe_add_checks_it(app, web_store):
    c = login(app, "maya")
    token = csrf(c.get("/athletes/maya/shoes").text)
    for data, words in [({"name": "X", "retire_km": "0"}, "more than 0 km"), ({"name": "X", "start_km": "-3"}, "not a distance"),
                        ({"name": "X", "start_km": "lots"}, "not a number"), ({"name": "  "}, "shoe name")]:
        r = c.post("/athletes/maya/shoes", data={"csrf_token": token, **data})
        assert r.status_code == 400 and words in r.text, (data, r.text[-600:])
    r = c.post("/athletes/maya/shoes/retire", data={"csrf_token": token, "name": "Never added"})
    assert r.status_code == 400 and "no shoe named" in r.text
    with Store.open(web_store, create=False) as store:
        assert [s.name for s in store.shoes("maya")] == []


def test_shoes_are_changed_by_their_athlete_only_and_with_the_csrf_token(app, web_store):
    maya, ben, kim = login(app, "maya"), login(app, "ben"), login(app, "kim")
    assert client(app).get("/athletes/maya/shoes").status_code == 403
    assert ben.get("/athletes/maya/shoes").status_code == 403
    assert kim.get("/athletes/maya/shoes").status_code == 403
    ben_token = csrf(ben.get("/athletes/ben/shoes").text)
    kim_token = csrf(kim.get("/").text)
    for c, token in ((maya, None), (maya, "forged"), (ben, ben_token), (kim, kim_token)):
        for path in ("/athletes/maya/shoes", "/athletes/maya/shoes/default", "/athletes/maya/shoes/retire"):
            data = {"name": "Sneaky", **({"csrf_token": token} if token else {})}
            r = c.post(path, data=data)
            assert r.status_code == 403 and r.text == "Forbidden", (path, token)
    with Store.open(web_store, create=False) as store:
        assert store.shoes("maya") == []
