"""The bundled sample athletes: what sample_activities/README.md says runload must find.

The weekly numbers below are the README's tables, which the generator's own reader (fitdecode,
gpxpy, xml.etree, haversine) printed independently of runload's importer and load code.
"""

from __future__ import annotations

import json

import pytest
from conftest import SAMPLES

MAYA_WEEKS = [  # Monday, km, runs, longest km
    ("2026-06-01", 30.0, 4, 12.0), ("2026-06-08", 31.6, 4, 12.5), ("2026-06-15", 33.4, 4, 13.0),
    ("2026-06-22", 35.2, 4, 13.5), ("2026-06-29", 37.0, 5, 14.0), ("2026-07-06", 31.0, 4, 11.0),
    ("2026-07-13", 33.6, 4, 14.5), ("2026-07-20", 35.8, 4, 15.0), ("2026-07-27", 37.8, 4, 15.5),
    ("2026-08-03", 40.0, 5, 16.0), ("2026-08-10", 56.0, 5, 25.6), ("2026-08-17", 19.0, 3, 8.0),
    ("2026-08-24", 16.0, 3, 6.0), ("2026-08-31", 7.5, 2, 4.0), ("2026-09-07", 8.0, 2, 4.0),
    ("2026-09-14", 8.5, 2, 4.5), ("2026-09-21", 9.3, 2, 4.8), ("2026-09-28", 10.2, 3, 3.4),
    ("2026-10-05", 11.2, 3, 3.8), ("2026-10-12", 12.3, 3, 4.3),
]
BEN_BUILD = [44.0, 45.2, 46.0, 47.1, 44.6, 46.5, 47.8, 48.6, 45.0, 47.0, 48.2, 49.0, 46.1, 47.5, 48.8, 49.6,
             47.0, 48.3]
BEN_COMEBACK = [12.5, 13.0, 13.5, 14.0, 14.5, 15.0, 15.5, 16.0, 16.5, 17.0]

pytestmark = [pytest.mark.slow,  # imports every sample athlete
              pytest.mark.skipif(not (SAMPLES / "maya").is_dir(), reason="sample activities not generated")]


@pytest.fixture
def samples(cli):
    assert cli("athlete", "add", "maya", "--name", "Maya Lindqvist", "--timezone", "Europe/Stockholm",
               "--hr-rest", "52", "--hr-max", "188", "--sex", "female", "--birth-year", "1991",
               "--injury", "hamstring strain, right, 2024").exit_code == 0
    assert cli("athlete", "add", "ben", "--name", "Ben Okafor", "--timezone", "America/Denver",
               "--hr-rest", "48", "--hr-max", "182", "--sex", "male", "--birth-year", "1984").exit_code == 0
    for who, path in (("maya", SAMPLES / "maya" / "activities"), ("ben", SAMPLES / "ben" / "strava_export")):
        r = cli("import", "--athlete", who, str(path), "--json")
        assert r.exit_code == 0, r.output
        assert json.loads(r.output)["failed"] == []
        assert cli("pain", "import", "--athlete", who, str(SAMPLES / who / "pain.csv")).exit_code == 0


def weeks(cli, who):
    r = cli("weeks", "--athlete", who, "--format", "json")
    assert r.exit_code == 0
    return json.loads(r.output)


def test_maya_weekly_series_matches_the_hand_checked_table(cli, samples):
    got = [(w["week_start"], w["distance_km"], w["runs"], w["longest_run_km"]) for w in weeks(cli, "maya")]
    assert [g[0] for g in got] == [m[0] for m in MAYA_WEEKS]
    for g, m in zip(got, MAYA_WEEKS):
        assert g[1] == pytest.approx(m[1], abs=0.05), g  # GPX track length differs by ~0.1%
        assert g[2:] == pytest.approx(m[2:], abs=0.05), g
    jump = next(w for w in weeks(cli, "maya") if w["week_start"] == "2026-08-10")
    assert jump["change_pct"] == pytest.approx(40.0, abs=0.1)


def test_ben_weekly_series_break_and_time_zone(cli, samples):
    got = weeks(cli, "ben")
    assert got[0]["week_start"] == "2026-03-02" and got[-1]["week_start"] == "2026-10-12"
    km = [w["distance_km"] for w in got]
    assert km[:18] == pytest.approx(BEN_BUILD, abs=0.05)
    assert km[18:23] == [0, 0, 0, 0, 0]  # the five-week break
    # the three break weeks without any file are unknown (no data); the two with a swim are rest
    # weeks. Each of the six weeks from 07-06 is a no-data week or follows one: no change.
    assert [w["no_data"] for w in got[18:23]] == [True, False, True, False, True]
    assert [w["change_pct"] for w in got[18:24]] == [None] * 6
    # Local weeks, not UTC: Sunday-evening runs stay in their own week (README's time-zone trap).
    assert km[23:] == pytest.approx(BEN_COMEBACK, abs=0.05)
    assert [w["runs"] for w in got[23:]] == [3] * 10


def _findings(cli, who, *args):
    r = cli("check", "--athlete", who, "--format", "json", *args)
    assert r.exit_code == 0
    return json.loads(r.output)


def test_maya_findings(cli, samples):
    found = _findings(cli, "maya", "--all")
    by = {(f["rule_id"], f["week_start"] or f["date"]): f for f in found}
    # The 56 km week and its 25.6 km run are one event: the spike speaks (the strongest evidence:
    # a 60% spike is the moderate band, 1.5 times the injury rate), the two-week rise (a caution
    # on weaker evidence) and the +40% week (context) support it with their own numbers.
    spike = by[("single-run-spike", "2026-08-10")]
    assert spike["date"] == "2026-08-16"
    assert spike["severity"] == "caution" and spike["value"] == pytest.approx(60.0, abs=0.1)
    support = {s["rule_id"]: s for s in spike["supporting"]}
    assert support["two-week-progression"]["severity"] == "caution"
    assert support["weekly-progression"]["week_start"] == "2026-08-10"
    assert support["weekly-progression"]["value"] == pytest.approx(40.0, abs=0.1)
    assert support["weekly-progression"]["severity"] == "info"
    assert not any(f["rule_id"] == "weekly-progression" and f["week_start"] == "2026-08-10" for f in found)
    # One pain episode is one finding (not one a day), carrying the load before it.
    episodes = [f for f in found if f["title"] == "Pain episode"]
    assert len(episodes) == 1 and "Pain episode from 2026-08-18" in episodes[0]["message"]
    link = next(s for s in episodes[0]["supporting"] if s["rule_id"] == "pain-episode-load")
    assert "2 days after a +40% week" in link["message"] and "60% longer" in link["message"]
    # Pain not relieved by rest for more than two weeks (19 days): a red flag, resolved since.
    flag = next(f for f in found if f["rule_id"] == "pain-red-flag-unrelieved-two-weeks")
    assert flag["value"] == pytest.approx(19) and flag["current"] is False
    assert not any(f["severity"] in ("urgent", "emergency") for f in found)
    # What is current on the last day of data: the week's +10% and the same rise over the last 7
    # days, one finding, context only (info: the status stays on track)
    now = _findings(cli, "maya")
    assert [(f["rule_id"], f["severity"]) for f in now] == [("rolling-7day-progression", "info")]
    assert [s["rule_id"] for s in now[0]["supporting"]] == ["weekly-progression"]


def test_ben_findings(cli, samples):
    found = _findings(cli, "ben", "--all")
    shoe = next(f for f in found if f["rule_id"] == "shoe-mileage")
    assert "Nike Pegasus 40" in shoe["message"] and shoe["value"] == pytest.approx(993.8, abs=1.5)
    back = next(f for f in found if f["rule_id"] == "return-to-run")
    # last run 2026-07-05, back on 2026-08-10: 35 days without a run (07-06 to 08-09)
    assert back["date"] == "2026-08-10" and back["value"] == pytest.approx(35)
    assert not any(f["rule_id"].startswith("pain-red-flag") for f in found)


def test_maya_caps_never_build_on_the_spike_or_through_pain(cli, samples):
    def limits(week):
        r = cli("report", "--athlete", "maya", "--week", week, "--format", "json")
        assert r.exit_code == 0
        data = json.loads(r.output)
        return data, data["limits"]

    # The Sunday of the spike: the 25.6 km run counts as 16 km x 1.07 (previous injury), not 25.6.
    data, c = limits("2026-W33")
    assert c["longest_run"]["km"] == pytest.approx(16 * 1.07 * 1.07, abs=0.1)
    # the +40% week is no new base: the two-week rule (21% after a previous injury) holds the next week
    assert c["week"]["km"] == 38.1 and c["week"]["rule"] == "two-week-progression"
    # During the pain episode: no increase, and one limit per run.
    data, c = limits("2026-W34")
    assert c["week"]["km"] == pytest.approx(19.0) and c["week"]["rule"] == "pain-monitoring-weekly-rise"
    data, c = limits("2026-W36")
    assert c["mode"] == "held-for-pain" and c["week"]["km"] == pytest.approx(7.5)
    assert c["per_run"]["km"] is not None and c["longest_run"]["km"] == c["per_run"]["km"] <= c["week"]["km"]
    # every number of advice is a limit: the pain episode's advice quotes the per-run limit
    episode = next(f for f in data["findings"] if f["title"] == "Pain episode")
    assert f'each run under {c["per_run"]["km"]:.1f} km' in episode["advice"]
    # Pain unrelieved by rest for 19 days: a red flag; it stands first and replaces the limits.
    data, c = limits("2026-W37")
    assert c["mode"] == "red-flag" and all(c[k]["km"] is None for k in ("week", "longest_run"))
    assert data["findings"][0]["rule_id"] == "pain-red-flag-unrelieved-two-weeks"
    assert data["findings"][0]["red_flag"] is True
    assert data["status"]["label"] == "See a clinician about the knee"
    assert all("run under" not in f["advice"] for f in data["findings"])  # no running advice under a red flag
