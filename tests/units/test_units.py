"""Display units: a runner who chose miles reads miles everywhere; the store and every number a
script reads stay in kilometres. Conversions are worked by hand with 1 mi = 1.609344 km."""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import replace
from pathlib import Path

import pytest

from runload import units
from runload.models import Finding, Severity
from runload.report import render
from runload.rules import load_rules, run_example
from runload.store import Store
from runload.units import UnitFormatter, fmt
from builders import SAMPLES, WEEK, import_sample, report
from checks import check_golden, flat, validate

KM_NUMBER = re.compile(r"\d km\b")


# ---------------------------------------------------------------- the helpers
def test_conversions_by_hand() -> None:
    assert units.KM_PER_MI == 1.609344
    assert units.from_km(16.09344, "mi") == pytest.approx(10.0)
    assert units.to_km(10.0, "mi") == pytest.approx(16.09344)
    assert units.from_km(12.3, "km") == 12.3
    assert units.distance(42.195, "mi") == "26.2 mi"  # a marathon: 26.218757... mi
    assert units.distance(42.195, "km") == "42.2 km"
    assert units.distance(None, "mi") == "-"
    assert units.number(500, "mi", 0) == "311"  # 310.685...
    assert units.pace(6.0, "mi") == "9.66 min/mi"  # 6 min/km x 1.609344 = 9.656...
    assert units.pace(6.0, "km") == "6.00 min/km"
    assert units.quantity(800.0, " km", "mi") == (pytest.approx(497.097, abs=0.001), " mi")
    assert units.quantity(45.0, "%", "mi") == (45.0, "%")  # unit-free values stay as they are
    with pytest.raises(ValueError, match="km or mi"):
        units.check_units("furlongs")


def test_formatter_specs() -> None:
    assert fmt("{d:dist} in {n} runs", "mi", d=16.09344, n=3) == "10.0 mi in 3 runs"
    assert fmt("{d:dist} in {n} runs", "km", d=16.09344, n=3) == "16.1 km in 3 runs"
    assert fmt("{d:dist.0}, {d:dist.2}", "mi", d=520.0) == "323 mi, 323.11 mi"
    assert fmt("{p:pace}", "mi", p=5.0) == "8.05 min/mi"
    # a load is converted only when it is a distance load
    assert fmt("{x:load} a day", "mi", x=8.04672, load_unit="km") == "5.0 mi a day"
    assert fmt("{x:load} a day", "mi", x=42.0, load_unit="min") == "42.0 min a day"
    # ordinary specs are untouched, so km templates written the old way still read the same
    assert fmt("{v:+.0f}% ({x:.1f} km)", "mi", v=12.4, x=3.0) == "+12% (3.0 km)"
    with pytest.raises(ValueError, match="needs a number"):
        UnitFormatter("mi").format("{x:dist}", x="ten")


def test_bundled_rule_texts_name_no_kilometres_for_a_mile_reader() -> None:
    """Every rule example, re-run for an athlete who reads miles: no "12.3 km" in any message or
    advice (the same examples in km are what `runload rules validate` checks)."""
    seen_miles = 0
    for rule in load_rules():
        for ex in rule.examples:
            ex_mi = {**ex, "athlete": {**ex.get("athlete", {}), "units": "mi"}}
            for f in run_example(rule, ex_mi):
                assert not KM_NUMBER.search(f.message), (rule.id, f.message)
                assert not KM_NUMBER.search(f.advice), (rule.id, f.advice)
                seen_miles += " mi" in f.message + f.advice
    assert seen_miles >= 10


def test_shoe_finding_numbers_in_miles() -> None:
    from runload.report.fmt import finding_numbers

    f = Finding(rule_id="shoe-mileage", severity=Severity.INFO, title="t", message="m", advice="a", evidence="e",
                value=520.0, threshold=500.0, unit=" km")
    assert finding_numbers(f) == "520 km (threshold 500 km)"
    assert finding_numbers(f, "mi") == "323.1 mi (threshold 310.7 mi)"
    pct = replace(f, value=45.0, threshold=30.0, unit="%")
    assert finding_numbers(pct, "mi") == finding_numbers(pct) == "+45% (threshold 30%)"


# ---------------------------------------------------------------- the commands
def _to_miles(cli, athlete_id: str) -> None:
    r = cli("athlete", "edit", athlete_id, "--units", "mi")
    assert r.exit_code == 0, r.output
    assert "units km -> mi" in r.output


def test_athlete_edit(cli, athlete) -> None:
    r = cli("athlete", "edit", "ana", "--units", "mi", "--email", "ana@example.org", "--hr-max", "190",
            "--injury", "calf strain 2025")
    assert r.exit_code == 0, r.output
    shown = json.loads(cli("athlete", "show", "ana", "--json").output)
    assert (shown["units"], shown["email"], shown["hr_max_bpm"]) == ("mi", "ana@example.org", 190)
    assert shown["previous_injuries"] == ["calf strain 2025"]
    assert shown["name"] == "Ana Test" and shown["timezone"] == "Europe/Stockholm"  # untouched
    r = cli("athlete", "edit", "ana", "--clear", "email", "--clear", "injuries")
    assert r.exit_code == 0 and "email ana@example.org -> -" in r.output
    shown = json.loads(cli("athlete", "show", "ana", "--json").output)
    assert shown["email"] is None and shown["previous_injuries"] == [] and shown["units"] == "mi"
    for args, words in ((["--units", "yd"], "Invalid value"), ([], "nothing to change"),
                        (["--timezone", "Mars/Olympus"], "unknown time zone"),
                        (["--hr-rest", "100", "--hr-max", "100"], "below maximum"),
                        (["--email", "a@b.co", "--clear", "email"], "give one of them")):
        r = cli("athlete", "edit", "ana", *args)
        assert r.exit_code == 2 and words in r.output, (args, r.output)
    assert cli("athlete", "edit", "nobody", "--units", "mi").exit_code == 2
    assert json.loads(cli("athlete", "show", "ana", "--json").output)["hr_max_bpm"] == 190  # nothing lost


def test_weeks_in_miles(cli, ana: Store) -> None:
    ana.close()
    km_json = json.loads(cli("weeks", "--athlete", "ana", "--format", "json").output)
    km_csv = cli("weeks", "--athlete", "ana", "--format", "csv").output
    _to_miles(cli, "ana")
    mi_json = json.loads(cli("weeks", "--athlete", "ana", "--format", "json").output)
    for k, m in zip(km_json, mi_json, strict=True):
        assert {key: m[key] for key in k} == k  # the kilometre keys do not move
        assert m["distance_mi"] == pytest.approx(k["distance_km"] / 1.609344, abs=0.006)
        assert m["longest_run_mi"] == pytest.approx(k["longest_run_km"] / 1.609344, abs=0.006)
    rows = list(csv.DictReader(io.StringIO(cli("weeks", "--athlete", "ana", "--format", "csv").output)))
    assert list(rows[0])[-2:] == ["distance_mi", "longest_run_mi"]
    assert list(csv.DictReader(io.StringIO(km_csv)))[0].keys() <= rows[0].keys()
    table = cli("weeks", "--athlete", "ana").output
    head = table.splitlines()[0].split()
    assert head[:5] == ["week", "mi", "runs", "longest", "mi"]
    # week of 2026-04-27: 41.04 km with a longest of 19.5 km -> 25.5 mi and 12.1 mi
    line = next(x for x in table.splitlines() if x.startswith("2026-04-27"))
    assert line.split()[1:4] == ["25.5", "4", "12.1"]
    assert next(w for w in km_json if w["week_start"] == "2026-04-27")["longest_run_km"] == 19.5


def test_check_and_pain_status_in_miles(cli, ana: Store) -> None:
    ana.close()
    _to_miles(cli, "ana")
    out = flat(cli("check", "--athlete", "ana", "--all").output)
    # the 19.5 km long run: 12.1 mi
    assert "Run on 2026-05-03: 12.1 mi" in out
    assert not KM_NUMBER.search(out)
    status = flat(cli("pain", "status", "--athlete", "ana").output)
    # 41.0 km after 31.2 km -> 25.5 mi after 19.4 mi; 19.5 km against 10.1 km -> 12.1 mi against 6.3 mi
    assert "(week of 2026-04-27: 25.5 mi after 19.4 mi)" in status
    assert "(12.1 mi against 6.3 mi)" in status
    assert not KM_NUMBER.search(status)
    record = json.loads(cli("pain", "status", "--athlete", "ana", "--json").output)
    load = record["episodes"][0]["load"]
    assert (load["week_km"], load["week_prev_km"], load["spike_km"]) == (41.0, 31.2, 19.5)  # km stay km


@pytest.mark.slow  # every output in miles
def test_report_in_miles_keeps_the_json_numbers(ana: Store) -> None:
    km = report(ana, week=WEEK)
    a = ana.get_athlete("ana")
    ana.update_athlete(replace(a, units="mi"))
    mi = report(ana, week=WEEK)
    jk, jm = json.loads(render(km, "json")), json.loads(render(mi, "json"))
    validate(jm, "report.schema.json")
    assert jm["athlete"]["units"] == "mi" and jk["athlete"]["units"] == "km"
    for key in ("weeks", "shoes", "as_of", "status", "earlier_findings"):
        assert jm[key] == jk[key], key
    assert [(f["rule_id"], f["value"], f["threshold"], f["unit"]) for f in jm["findings"]] == \
           [(f["rule_id"], f["value"], f["threshold"], f["unit"]) for f in jk["findings"]]
    text = render(mi, "text")
    assert "Shoes (running mi, all time)" in text
    # Nova: 172.2 km -> 107 mi; Pegasus: 136.6 km -> 85 mi
    nova = next(s for s in mi.shoes if s.gear.startswith("Nova"))
    assert re.search(rf"Nova <b>5</b>\s+{round(nova.distance_km / 1.609344)}\s", text)
    for name in ("text", "md", "html"):
        out = render(mi, name)
        body = out.split("Pain log")[0] + out.split("Pain log")[-1].split("</table>")[-1]
        assert not KM_NUMBER.search(body), name
    html = render(mi, "html")
    assert "<th class=\"num\">mi</th>" in html and "Longest mi" in html


@pytest.mark.slow  # every output in miles
def test_weekly_mail_in_miles(ana: Store) -> None:
    from runload.mail.content import athlete_content

    ana.update_athlete(replace(ana.get_athlete("ana"), units="mi"))
    from runload.session import Assessor

    content = athlete_content(Assessor(ana), "ana", WEEK, today=WEEK)
    assert "Shoes (running mi, all time)" in content.text and "12.1 mi" in content.text
    assert "Longest mi" in content.html
    assert not KM_NUMBER.search(content.text.split("Pain log")[0])


def test_shoe_chart_in_miles(ana: Store) -> None:
    from runload.report.charts import render as render_chart

    a = ana.get_athlete("ana")
    ana.update_athlete(replace(a, units="mi"))
    svg = render_chart(report(ana, week=WEEK), "shoes", "svg").decode()
    assert "311-497 mi" in svg and "mi run in this shoe" in svg and "km" not in svg


@pytest.mark.slow  # every output in miles
def test_roster_says_which_units(cli, store_path: Path) -> None:
    from builders import roster_store

    store = roster_store(store_path)
    store.update_athlete(replace(store.get_athlete("cara"), units="mi"))
    store.close()
    out = cli("roster", "--week", "2026-W22").output
    head = next(line for line in out.splitlines() if line.startswith("#"))
    assert "week distance" in head  # mixed units: each cell says which
    cara = next(line for line in out.splitlines() if "(cara)" in line)
    ana = next(line for line in out.splitlines() if "(ana)" in line)
    assert "21.7 mi" in cara  # 35.0 km = 21.75 mi
    assert "39.2 km" in ana  # a kilometre athlete keeps kilometres
    data = json.loads(cli("roster", "--week", "2026-W22", "--format", "json").output)
    validate(data, "roster.schema.json")
    by = {r["id"]: r for r in data["athletes"]}
    assert (by["cara"]["units"], by["cara"]["week_km"]) == ("mi", 35.0) and by["ana"]["units"] == "km"
    assert "mi" in cli("roster", "--week", "2026-W22", "--format", "html").output
    # everyone in miles: the heading names the unit once
    with Store.open(store_path) as st:
        for a in st.list_athletes():
            st.update_athlete(replace(a, units="mi"))
    out = cli("roster", "--week", "2026-W22").output
    assert "week mi" in out and "24.4" in out and "39.2" not in out  # 39.2 km = 24.36 mi


@pytest.mark.slow  # imports a sample athlete's whole history
@pytest.mark.skipif(not (SAMPLES / "maya").is_dir(), reason="sample_activities/ not here yet")
def test_golden_maya_in_miles(cli) -> None:
    import_sample(cli, "maya")
    km = json.loads(cli("report", "--athlete", "maya", "--format", "json").output)
    _to_miles(cli, "maya")
    text = cli("report", "--athlete", "maya").output
    check_golden("report-maya-mi.txt", text)
    check_golden("report-maya-mi.md", cli("report", "--athlete", "maya", "--format", "md").output)
    t = flat(text)
    # by hand: 12.3 km = 7.64 mi, 11.2 km = 6.96 mi, cap 12.8 km = 7.95 mi, reference 11.98 km = 7.44 mi,
    # 5.1 km = 3.17 mi, 4.8 km = 2.98 mi, 56.0 km = 34.80 mi, 40.0 km = 24.85 mi, 25.6 km = 15.91 mi,
    # 16.0 km = 9.94 mi
    assert "The 7 days to 2026-10-18 ran 7.6 mi, +10% on the 7 days before (7.0 mi)." in t
    # limits rounded down in miles, the same number in the limit lines and in the advice:
    # the last week (12.3 km, +9.8%: over the 7% of a previous injury) counts only as 11.2 km x 1.07 =
    # 11.9 km (7.4 mi, rounded down); x 1.07 = 12.7 km = 7.89 mi shows as 7.8; 4.8 km = 2.98 mi as 2.9
    assert ("Week's running distance: at most 7.8 mi (7% above 7.4 mi: the week of 2026-10-12 (the highest of "
            "your last 4 complete weeks, 7.6 mi) counts only up to 7% over its own reference") in t
    assert "the longest run under 2.9 mi" in t
    assert "Longest single run: at most 2.9 mi (7% above 2.8 mi, the longest run of the 30 days to 2026-10-24" in t
    assert "(week of 2026-08-10: 34.8 mi after 24.9 mi)" in t and "(15.9 mi against 9.9 mi)" in t
    mi = json.loads(cli("report", "--athlete", "maya", "--format", "json").output)
    assert mi["weeks"] == km["weeks"]
    keys = ("week", "longest_run", "per_run")
    assert {k: mi["limits"][k]["km"] for k in keys if k in mi["limits"]} == \
           {k: km["limits"][k]["km"] for k in keys if k in km["limits"]}
