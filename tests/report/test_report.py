"""runload report: one report as data, rendered as text, Markdown, JSON and HTML.

Golden files in tests/golden/ hold the expected text and JSON. They change only on purpose:
regenerate them with ``RUNLOAD_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/report/test_report.py
tests/report/test_roster.py`` and read the diff before committing it.
"""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from pathlib import Path

import pytest

from runload.calendar import week_period
from runload.models import PAIN_SIGN_SHORT, Finding, Severity
from runload.report import build_report, render
from runload.store import Store
from conftest import REPO
from builders import SAMPLES, WEEK, ana_activities, fake_assessment, import_sample, make_store, report
from checks import check_golden, flat, validate

DOCS = REPO / "docs"


# ---------------------------------------------------------------- golden files
def test_golden_text_and_json(ana: Store) -> None:
    rep = report(ana, week=WEEK)
    check_golden("report-ana.txt", render(rep, "text"))
    check_golden("report-ana.json", render(rep, "json"))
    check_golden("report-ana.md", render(rep, "md"))


@pytest.mark.slow  # imports a sample athlete's whole history
@pytest.mark.skipif(not (SAMPLES / "maya").is_dir(), reason="sample_activities/ not here yet")
@pytest.mark.parametrize("athlete_id", ["maya", "ben"])
def test_golden_sample_athletes(cli, athlete_id: str) -> None:
    import_sample(cli, athlete_id)
    for fmt, ext in (("text", "txt"), ("json", "json")):
        r = cli("report", "--athlete", athlete_id, "--format", fmt)
        assert r.exit_code == 0, r.output
        check_golden(f"report-{athlete_id}.{ext}", r.output)


@pytest.mark.slow  # imports a sample athlete's whole history
@pytest.mark.skipif(not (SAMPLES / "ben").is_dir(), reason="sample_activities/ not here yet")
def test_a_typical_week_reads_in_a_minute(cli) -> None:
    """A typical sample week's text report is under 500 words and leads with the status, then
    next week's limits, then the findings; the evidence follows the report's end under "More"."""
    import_sample(cli, "ben")
    text = cli("report", "--athlete", "ben", "--week", "2026-W42").output
    assert len(text.split()) < 500, len(text.split())
    heads = [line for line in text.splitlines() if line and not line.startswith(" ")]
    assert heads[2].startswith("Status: ") and heads[3] == "Next week's limits" and heads[4] == "Findings", heads
    order = ["Status: ", "Next week's limits", "Findings", "Runs in 2026-W42", "Pain log:", "not a diagnosis",
             "\nMore\n", "Evidence and sources", "Last 8 weeks"]
    at = [text.index(x) for x in order]
    assert at == sorted(at), dict(zip(order, at))


def test_red_flags_come_before_the_limits(ana: Store) -> None:
    text = render(report(ana, week=WEEK), "text")
    order = ["Status: SEE A CLINICIAN TODAY", "RED FLAGS", "Next week's limits", "Findings", "not a diagnosis"]
    at = [text.index(x) for x in order]
    assert at == sorted(at), dict(zip(order, at))


# ---------------------------------------------------------------- what the report holds
def test_report_data(ana: Store) -> None:
    rep = report(ana, week=WEEK)
    assert rep.period.label == "2026-W22" and rep.period.start == WEEK and rep.period.end == date(2026, 5, 31)
    assert rep.data_end == date(2026, 6, 7) - timedelta(days=0) or rep.data_end <= rep.period.end
    # 16 weeks shown, ending with the report's week; the weeks of the gap are unknown, not zero
    assert len(rep.weeks) == 16 and rep.weeks[-1].week_start == WEEK
    gap = [w.week_start for w in rep.weeks if not w.has_data]
    assert date(2026, 4, 6) in gap  # wholly inside the 17 days with nothing recorded
    before_first = [w for w in rep.weeks if w.week_start < date(2026, 3, 2)]
    assert all(not w.has_data for w in before_first)
    week = rep.weeks[-1]
    runs = [a for a in ana_activities() if a.is_run and WEEK <= (a.start_utc + timedelta(hours=2)).date() <= rep.period.end]
    assert week.runs == len(runs) == 4
    assert week.distance_km == pytest.approx(sum(a.distance_m for a in runs) / 1000, abs=0.01)
    assert week.cross_training_min == 60.0  # one hour's ride
    # the previous week
    prev = rep.weeks[-2]
    assert week.change_pct == pytest.approx((week.distance_km - prev.distance_km) / prev.distance_km * 100, abs=0.1)
    # shoes: all running km up to the period's end, per shoe
    by_shoe = {s.gear: s for s in rep.shoes}
    expect = sum(a.distance_m for a in ana_activities() if a.gear == "Pegasus 40") / 1000
    assert by_shoe["Pegasus 40"].distance_km == pytest.approx(expect, abs=0.05)
    # pain: worst score of the last 7 days (6, on the 25th) against the 7 before (4, on the 18th)
    assert (rep.pain.trend, rep.pain.last_7d_max, rep.pain.prev_7d_max) == ("rising", 6, 4)
    assert [e.date for e in rep.pain.entries] == [date(2026, 5, 14), date(2026, 5, 18), date(2026, 5, 25)]
    assert rep.pain.entries[-1].flags == (PAIN_SIGN_SHORT["locking"],)  # the one vocabulary of pain signs, short words
    assert rep.disclaimer.startswith("runload gives training information, not a diagnosis")


def test_default_period_is_this_week_so_far(cli, ana: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without --week the report covers this week so far, judged as of today."""
    ana.close()
    monkeypatch.setenv("RUNLOAD_TODAY", "2026-05-27")  # a Wednesday
    data = json.loads(cli("report", "--athlete", "ana", "--format", "json").output)
    assert data["period"]["label"] == "2026-W22" and data["as_of"] == "2026-05-27"
    last = json.loads(cli("report", "--athlete", "ana", "--week", "last", "--format", "json").output)
    assert last["period"]["label"] == "2026-W21" and last["as_of"] == "2026-05-24"


def test_range_period(ana: Store) -> None:
    rep = report(ana, start=date(2026, 5, 1), end=date(2026, 5, 31))
    assert rep.period.kind == "range" and rep.period.label == "2026-05-01 to 2026-05-31"
    assert all(f.date is None or date(2026, 5, 1) <= f.date <= date(2026, 5, 31) for f in rep.findings)
    assert rep.pain.entries[0].date == date(2026, 5, 14)  # the whole range, not only 28 days


def finding(sev: Severity, rule: str = "some-new-rule", day: date | None = WEEK, **kw) -> Finding:
    return Finding(rule_id=rule, severity=sev, title=f"{sev.value} thing", message=f"{sev.value} message",
                   advice="Do this.", evidence="Because of that.", value=12.5, threshold=10.0, unit="%",
                   date=day, citations=("Someone 2020",), evidence_level="weak", **kw)


@pytest.mark.slow  # HTML pages with their charts
def test_any_rule_and_severity_renders_red_flags_first(ana: Store) -> None:
    """Findings of rules the report has never heard of render with their numbers and words;
    urgent and emergency ones come first, in their own section."""
    fs = [finding(Severity.CAUTION), finding(Severity.EMERGENCY, "pain-red-flag-x"), finding(Severity.INFO),
          finding(Severity.WARNING, day=None, week_start=WEEK), finding(Severity.CAUTION, day=date(2026, 1, 1))]
    rep = build_report(fake_assessment(ana, fs), week_period(WEEK))
    assert [f.severity for f in rep.findings] == [Severity.EMERGENCY, Severity.WARNING, Severity.CAUTION, Severity.INFO]
    assert rep.earlier_findings == 1  # the one dated in January is not this week's
    text = flat(render(rep, "text"))
    assert text.index("RED FLAGS") < text.index("[EMERGENCY]") < text.index("Findings") < text.index("[WARNING]")
    assert "Numbers: +12.5% (threshold 10%)" in text
    assert "What to do: Do this." in text
    # why it matters and the sources follow the report's end, under "More" (in full in HTML and Markdown)
    assert text.index("not a diagnosis") < text.index("More") < text.index("(rule some-new-rule): evidence weak.")
    md = render(rep, "md")
    assert md.index("## Red flags") < md.index("EMERGENCY") < md.index("## Findings")
    assert md.index("## More") < md.index("**Why it matters:** Because of that. (Evidence: weak.)")
    html = render(rep, "html")
    assert html.index("Red flags: act on these first") < html.index("pain-red-flag-x") < html.index("some-new-rule")
    folded = html[html.index("<details class=\"why\">"):]
    assert "Because of that. (Evidence: weak.)" in folded[:folded.index("</details>")]
    data = json.loads(render(rep, "json"))
    assert [f["red_flag"] for f in data["findings"]] == [True, False, False, False]
    validate(data, "report.schema.json")


def test_status_ok_without_findings(ana: Store) -> None:
    rep = build_report(fake_assessment(ana, []), week_period(WEEK))
    assert rep.status.level == "ok" and "Nothing flagged" in render(rep, "text")


def test_limits_render_with_their_basis(ana: Store) -> None:
    rep = report(ana, week=WEEK)
    text = flat(render(rep, "text"))
    assert "Next week's limits" in text
    data = json.loads(render(rep, "json"))
    assert data["limits"]["mode"] == rep.limits_mode and data["limits"]["sentence"] == (rep.limits_sentence or None)
    for c in rep.limits:
        if c.value_km is not None:
            assert f"{c.label}: at most {c.value_km:.1f} km" in text
            assert data["limits"][c.key]["km"] == c.value_km


# ---------------------------------------------------------------- the renderings
def test_json_schema_and_stable_keys(ana: Store) -> None:
    data = json.loads(render(report(ana, week=WEEK), "json"))
    validate(data, "report.schema.json")
    gap = next(w for w in data["weeks"] if w["week_start"] == "2026-04-06")
    assert gap["has_data"] is False and gap["distance_km"] is None  # unknown is null, never 0
    empty = json.loads(render(report(ana, week=date(2030, 1, 7)), "json"))
    validate(empty, "report.schema.json")
    assert set(empty) == set(data)  # the same keys whatever there is to say


def test_schema_doc_lists_every_key(ana: Store) -> None:
    doc = (DOCS / "report-schema.md").read_text(encoding="utf-8")
    data = json.loads(render(report(ana, week=WEEK), "json"))
    for key in data:
        assert f"`{key}`" in doc, key


@pytest.mark.slow  # HTML pages with their charts
def test_html_escapes_names_notes_and_shoes(store_path: Path) -> None:
    store = make_store(store_path, name="<script>alert(1)</script>")
    html = render(report(store, week=WEEK), "html")
    assert "<script" not in html.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img src=x" not in html and "&lt;img src=x onerror=" in html
    assert "Nova &lt;b&gt;5&lt;/b&gt;" in html and "<b>5</b>" not in html
    md = render(report(store, week=WEEK), "md")
    assert "<script" not in md and "<img" not in md and "&lt;script&gt;" in md
    assert "knee caught once \\| then fine" in md  # a | inside a cell does not split the table


@pytest.mark.slow  # HTML pages with their charts
def test_html_is_self_contained(ana: Store) -> None:
    html = render(report(ana, week=WEEK), "html")
    assert "Content-Security-Policy" in html and "default-src 'none'" in html
    from html.parser import HTMLParser

    refs: list[str] = []

    class Refs(HTMLParser):
        def handle_starttag(self, tag, attrs):
            refs.extend(v or "" for k, v in attrs if k in ("src", "href", "action", "poster", "data", "srcset"))

    Refs().feed(html)
    refs += re.findall(r"url\(\s*['\"]?([^)'\"]+)", html)
    assert refs, "expected the inlined charts"
    assert all(r.startswith("data:") for r in refs), [r[:40] for r in refs if not r.startswith("data:")]
    assert not re.search(r"https?://|//[a-z0-9]", html.replace("http://www.w3.org/", ""), flags=re.I)
    charts = report(ana, week=WEEK).charts
    assert html.count('<img src="data:image/svg+xml;base64,') == sum(c.available for c in charts) >= 4
    assert '<meta name="viewport"' in html and "@media print" in html


@pytest.mark.slow  # HTML pages with their charts
def test_the_stylesheet_arrives_as_written(ana: Store) -> None:
    """runload's own CSS is not escaped: a quoted font name escaped to &#34; inside <style>
    made the browser drop the whole font list."""
    html = render(report(ana, week=WEEK), "html")
    style = html[html.index("<style>"):html.index("</style>")]
    assert '"Segoe UI"' in style and "&#34;" not in style and "&gt;" not in style


@pytest.mark.slow  # HTML pages with their charts
def test_chart_svgs_contain_no_links(ana: Store) -> None:
    from runload.report.charts import render_available

    rep = report(ana, week=WEEK)
    for name, svg in render_available(rep, "svg").items():
        text = svg.decode()
        links = set(re.findall(r"https?://[^\s\"'<>]+", text))
        # XML namespace names only: identifiers, never fetched
        assert links <= {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}, (name, links)
        assert "<script" not in text and "<image" not in text.replace("<image xlink:href=\"data:", "")


def test_charts_deterministic_and_gap_aware(ana: Store) -> None:
    from runload.report.charts import catalog, render

    rep = report(ana, week=WEEK)
    assert render(rep, "weekly_distance", "svg") == render(rep, "weekly_distance", "svg")
    names = {c.name: c for c in catalog(rep)}
    assert names["weekly_distance"].available and names["pain"].available and names["shoes"].available
    for c in names.values():
        assert c.available or c.note  # every chart left out says why


def test_matplotlib_backend_untouched(ana: Store) -> None:
    import matplotlib

    before = matplotlib.get_backend()
    from runload.report.charts import render

    render(report(ana, week=WEEK), "weekly_distance", "png")
    assert matplotlib.get_backend() == before


# ---------------------------------------------------------------- the command
@pytest.mark.slow  # every format and the charts
def test_cli_formats_output_and_charts(cli, ana: Store, tmp_path: Path) -> None:
    ana.close()
    r = cli("report", "--athlete", "ana", "--week", "2026-W22")
    assert r.exit_code == 0 and "\x1b[" not in r.output  # no colour off a terminal
    assert r.output == render(report(Store.open(tmp_path / "store.sqlite"), week=WEEK), "text")
    r = cli("report", "--athlete", "ana", "--week", "2026-W22", "--color")
    assert "\x1b[" in r.output
    r = cli("report", "--athlete", "ana", "--week", "2026-W22", "--format", "json")
    assert json.loads(r.output)["period"]["label"] == "2026-W22"
    out = tmp_path / "r.html"
    r = cli("report", "--athlete", "ana", "--week", "2026-W22", "--format", "html", "--output", str(out),
            "--charts", str(tmp_path / "charts"))
    assert r.exit_code == 0, r.output
    assert out.read_text(encoding="utf-8").startswith("<!doctype html>")
    pngs = sorted(p.name for p in (tmp_path / "charts").glob("*.png"))
    assert "ana-weekly_distance.png" in pngs and all((tmp_path / "charts" / p).read_bytes()[:4] == b"\x89PNG" for p in pngs)
    r = cli("report", "--athlete", "ana", "--from", "2026-05-01", "--to", "2026-05-31", "--format", "md")
    assert r.exit_code == 0 and "Period 2026-05-01 to 2026-05-31" in r.output


@pytest.mark.parametrize("args, message", [
    (["--week", "2026-W22", "--from", "2026-05-01", "--to", "2026-05-02"], "either --week or --from/--to"),
    (["--from", "2026-05-01"], "--from and --to go together"),
    (["--from", "2026-05-09", "--to", "2026-05-01"], "is after --to"),
    (["--week", "2026-W99"], "does not exist"),
])
def test_cli_bad_periods(cli, ana: Store, args: list[str], message: str) -> None:
    r = cli("report", "--athlete", "ana", *args)
    assert r.exit_code == 2 and message in r.output


def test_cli_unknown_athlete(cli, athlete) -> None:
    r = cli("report", "--athlete", "nobody")
    assert r.exit_code == 2 and r.output.startswith("Error:")


def test_athlete_without_runs(cli, athlete) -> None:
    r = cli("report", "--athlete", "ana", "--format", "html")
    assert r.exit_code == 0 and "No runs imported yet" in r.output
    r = cli("report", "--athlete", "ana", "--format", "json")
    validate(json.loads(r.output), "report.schema.json")
