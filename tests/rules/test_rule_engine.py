"""The rule engine: every example in rules/*.toml, validation errors, config, profile."""

from __future__ import annotations

import json
import re

import pytest

from conftest import REPO
from runload.errors import RuleError
from runload.rules import (
    check_example,
    example_context,
    evaluate,
    load_rule,
    load_rules,
    select_rules,
)

RULES_DIR = REPO / "rules"
ALL = load_rules([RULES_DIR])
LOAD_RULES = [r for r in ALL if r.kind == "load"]


@pytest.mark.parametrize("rule,example", [(r, ex) for r in ALL for ex in r.examples],
                         ids=lambda x: x.id if hasattr(x, "id") else x["name"])
def test_rule_example(rule, example):
    assert check_example(rule, example) == []


@pytest.mark.parametrize("rule", ALL, ids=lambda r: r.id)
def test_every_rule_is_documented(rule):
    assert rule.rationale.strip() and rule.evidence.strip() and rule.evidence_level.strip()
    assert rule.citations or rule.evidence_level.startswith("convention")
    assert any(e["expect"] for e in rule.examples) and any(not e["expect"] for e in rule.examples)
    readme = (RULES_DIR / "README.md").read_text()
    assert f"`{rule.id}`" in readme, f"rules/README.md does not mention {rule.id}"


def test_the_readmes_rules_table_is_the_rule_files():
    """One source: the table in rules/README.md is what the rule files say (bands, severities,
    factors, history needed, evidence), as `runload rules table --format md` writes it."""
    from runload.rules.table import readme_block, rules_table

    block = readme_block((RULES_DIR / "README.md").read_text(encoding="utf-8"))
    assert block is not None, "rules/README.md lost its rules table markers"
    assert block == rules_table(ALL, "md"), "rules/README.md's table differs: run scripts/rules_table.py"


def test_the_rules_table_says_what_the_files_say():
    from runload.rules.table import rules_table

    md = rules_table(ALL, "md")
    row = {line.split(" | ")[0].strip("| `"): line for line in md.splitlines() if line.startswith("| `")}
    # the single-run spike: info, caution and warning, the factors of the file (0.7 and 0.9)
    assert ("| info > 10% (small spike (10-30%)); caution > 30% (moderate spike (30-100%)); warning > 100% "
            "(large spike (more than double)) | previous injury x0.7; age 50 or more x0.9 |") in row["single-run-spike"]
    # the rolling rule is judged on the latest day only (a param of the file, in its measures line)
    assert "judged on the latest day only" in row["rolling-7day-progression"]
    assert "| caution > 30% (more than 30% over two weeks) |" in row["two-week-progression"]
    assert "| emergency | breathlessness or chest pain logged alone" in row["pain-red-flag-breathless-chest-pain"]
    # a changed threshold changes the table
    from dataclasses import replace

    spike = next(r for r in ALL if r.id == "single-run-spike")
    moved = replace(spike, bands=(replace(spike.bands[0], threshold=15.0), *spike.bands[1:]))
    assert "info > 15% (small spike" in rules_table([moved], "md")
    data = json.loads(rules_table(ALL, "json"))
    wp = next(r for r in data if r["id"] == "weekly-progression")
    assert [(b["severity"], b["threshold"]) for b in wp["bands"]] == [("info", 10.0), ("info", 30.0)]
    assert wp["outcome_evidence"] == "none"
    # each rule's default severity beside its outcome evidence and its evidence level
    assert "| info to warning | clear | cohort (5,205 runners" in row["single-run-spike"]
    assert "| 7 days | info | none | weak (" in row["weekly-progression"]
    assert "| caution | association | cohort (" in row["two-week-progression"]
    assert wp["measures"] == ("calendar-week km against the highest of the last four complete weeks (not judged "
                              "under a 10 km base)")


def test_rules_table_command(cli):
    from runload.rules.table import rules_table

    r = cli("rules", "table", "--format", "md")
    assert r.exit_code == 0, r.output
    assert r.output == rules_table(ALL, "md")
    text = cli("rules", "table")
    assert text.exit_code == 0 and "Training-load rules:" in text.output and "`" not in text.output
    assert json.loads(cli("rules", "table", "--format", "json").output)[0]["id"] == ALL[0].id


def test_the_load_rules_exist():
    ids = {r.id for r in LOAD_RULES}
    assert {"weekly-progression", "two-week-progression", "rolling-7day-progression", "single-run-spike",
            "acute-chronic-ratio", "monotony-strain", "fitness-ramp", "intensity-jump", "cadence-drop",
            "shoe-mileage", "return-to-run", "data-gap"} <= ids


GOOD = (RULES_DIR / "weekly-progression.toml").read_text()


@pytest.mark.parametrize("edit,key", [
    (lambda s: s.replace('title = "Weekly distance jumped"\n', ""), "title"),
    (lambda s: s.replace('severity = "info"', 'severity = "worrying"', 1), "bands[1].severity"),
    (lambda s: s.replace('severity = "info"', 'severity = "caution"', 1), "bands[1].severity"),
    (lambda s: s.replace('outcome_evidence = "none"\n', ""), "outcome_evidence"),
    (lambda s: s.replace('outcome_evidence = "none"', 'outcome_evidence = "strong"'), "outcome_evidence"),
    (lambda s: s.replace("above = 10.0", "above = 10.0\nbelow = 3.0", 1), "bands[1].above"),
    (lambda s: s.replace("above = 10.0", 'above = "ten"', 1), "bands[1].above"),
    (lambda s: s.replace('metric = "week_change_pct"', 'metric = "week_change_pct"\ncolour = "red"'), "colour"),
    (lambda s: s.replace('factor = 0.7', 'factor = 1.7'), "stricter[1].factor"),
    (lambda s: s.replace('{ day = "2026-06-01", km = 20 }', '{ day = "June", km = 20 }', 1), "examples[1].runs[1].day"),
    (lambda s: s.replace('expect = []', 'expect = [ { severity = "info" } ]'), "examples"),
    (lambda s: s.replace('id = "weekly-progression"', 'id = "weekly_progression"'), "id"),
    (lambda s: s.replace('metric = "week_change_pct"', 'metric = "no_such_metric"'), "metric"),
    (lambda s: s.replace('metric = "week_change_pct"', 'metric = "week_change_pct"\nrepeat = false'), "repeat"),
    (lambda s: s.replace('metric = "week_change_pct"', 'metric = "week_change_pct"\nrepeat = "no"'), "repeat"),
])
def test_validation_errors_name_the_file_and_key(tmp_path, edit, key):
    path = tmp_path / "weekly-progression.toml"
    path.write_text(edit(GOOD))
    with pytest.raises(RuleError) as err:
        load_rules([path])
    assert str(path) in str(err.value)
    assert f"key '{key}'" in str(err.value)


def test_toml_syntax_error_names_file_and_line(tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text('id = "broken"\nname = \n')
    with pytest.raises(RuleError, match=r"broken.toml: not valid TOML: .*line 2"):
        load_rule(path)


def test_duplicate_ids_and_missing_template_fields(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "weekly-progression.toml").write_text(GOOD)
    with pytest.raises(RuleError, match="also the id of"):
        load_rules([RULES_DIR, tmp_path / "a"])
    bad = tmp_path / "weekly-progression.toml"
    bad.write_text(GOOD.replace("on {reference}.", "on {reference} ({prev_kms:dist})."))
    rule = load_rule(bad)
    # the 15% example: the rule's own message (the 35% one reads the >30% band's message)
    fifteen = next(ex for ex in rule.examples if ex["name"].startswith("a 15% jump"))
    with pytest.raises(RuleError, match=r"key 'message'.*\{prev_kms\}"):
        check_example(rule, fifteen)


def _rule(rid):
    return next(r for r in ALL if r.id == rid)


def test_config_selection_and_overrides():
    config = {
        "rules": {"disable": ["monotony-strain"],
                  "override": {"weekly-progression": {"thresholds": {"info": 20}, "params": {"min_base_km": 15}}}},
        "athletes": {"maya": {"rules": {"disable": ["cadence-drop"],
                                         "override": {"weekly-progression": {"thresholds": {"info": 5}}}}}},
    }
    everyone = {r.id: r for r in select_rules(ALL, config)}
    assert "monotony-strain" not in everyone and "cadence-drop" in everyone
    wp = everyone["weekly-progression"]
    assert [b.threshold for b in wp.bands] == [20, 30] and wp.params["min_base_km"] == 15
    # two info bands (10% and, in stronger words, 30%): a list sets both, in file order
    both = {r.id: r for r in select_rules(ALL, {"rules": {"override": {"weekly-progression": {
        "thresholds": {"info": [15, 40]}}}}})}
    assert [(b.severity.value, b.threshold) for b in both["weekly-progression"].bands] == [
        ("info", 15), ("info", 40)]
    from runload.errors import InputError as _InputError
    with pytest.raises(_InputError, match="a list of 2 number"):
        select_rules(ALL, {"rules": {"override": {"weekly-progression": {"thresholds": {"info": [15]}}}}})
    with pytest.raises(_InputError, match="has no warning band"):
        select_rules(ALL, {"rules": {"override": {"weekly-progression": {"thresholds": {"warning": 40}}}}})
    maya = {r.id: r for r in select_rules(ALL, config, "maya")}
    assert "cadence-drop" not in maya and maya["weekly-progression"].bands[0].threshold == 5
    only = select_rules(ALL, {"rules": {"only": ["single-run-spike"]}})
    assert [r.id for r in only] == ["single-run-spike"]
    from runload.errors import InputError
    with pytest.raises(InputError, match="no rule with id 'nope'"):
        select_rules(ALL, {"rules": {"disable": ["nope"]}})


def test_age_makes_progression_stricter_only_from_that_age():
    rule = _rule("weekly-progression")
    ex = {"name": "x", "runs": [{"day": "2026-06-01", "km": 20}, {"day": "2026-06-09", "km": 21.9}], "expect": []}
    young = dict(ex, athlete={"birth_year": 1990})
    old = dict(ex, athlete={"birth_year": 1970})
    assert evaluate(rule, example_context(rule, young)) == []
    [f] = evaluate(rule, example_context(rule, old))
    assert f.threshold == 9.0 and "age 50" in f.message


def next_week_caps(ctx, rules) -> dict:
    """Next week's limits of an example context, as a dict."""
    from dataclasses import asdict

    from runload.limits import next_week_limits

    return asdict(next_week_limits(ctx.frames, rules, ctx.athlete, ctx.as_of or ctx.data_end))


def test_caps_follow_the_rules_and_the_profile():
    rules = [r for r in ALL]
    ex = {"name": "x", "runs": [{"day": "2026-06-01", "km": 8, "times": 4, "every_days": 2},
                                {"day": "2026-06-07", "km": 14}], "expect": []}
    ctx = example_context(ALL[0], ex)
    caps = next_week_caps(ctx, rules)  # week of 06-01: 46 km, over on Sunday 06-07
    assert caps["week_km"] == pytest.approx(50.6) and caps["week_rule"] == "weekly-progression"
    # The 14 km run was itself a 75% spike over 8 km: it counts as 8.8 km (8 x 1.1), not as a base;
    # 8.8 x 1.1 = 9.68 km, rounded down (9.7 would be flagged by the rule it comes from)
    assert caps["longest_run_km"] == 9.6 and caps["longest_run_rule"] == "single-run-spike"
    hurt = example_context(ALL[0], dict(ex, athlete={"previous_injuries": ["knee"]}))
    caps = next_week_caps(hurt, rules)
    assert caps["week_km"] == pytest.approx(46 * 1.07, abs=0.05)
    assert caps["longest_run_km"] == 9.1  # 8 x 1.07 x 1.07 = 9.16, rounded down
    small = example_context(ALL[0], {"name": "x", "as_of": "2026-06-07", "runs": [{"day": "2026-06-01", "km": 3}],
                                     "expect": []})
    assert next_week_caps(small, rules)["week_km"] == 10.0  # base too small: the base is the cap


def test_a_built_up_long_run_is_a_base_a_spike_is_not():
    built = {"name": "x", "as_of": "2026-06-21",
             "runs": [{"day": "2026-05-10", "km": 5}, {"day": "2026-06-01", "km": 10},
                      {"day": "2026-06-08", "km": 11}, {"day": "2026-06-15", "km": 12}], "expect": []}
    assert next_week_caps(example_context(ALL[0], built), ALL)["longest_run_km"] == pytest.approx(13.2)
    spiked = dict(built, runs=[*built["runs"], {"day": "2026-06-21", "km": 20}])
    caps = next_week_caps(example_context(ALL[0], spiked), ALL)
    # 20 km counts as 13.2 km (12 x 1.1), not as a base of 20 km; but that week also jumped (32 km
    # after 10 and 11 km): the two-week rule flags any next week (32 km alone is over 1.3 x 21 km),
    # so the week's limit is a rest week and no single run may exceed it
    assert caps["basis"]["longest_30d_km"] == 13.2 and caps["basis"]["longest_raw_km"] == 20.0
    assert caps["week_km"] == 0.0 and caps["week_rule"] == "two-week-progression"
    assert caps["longest_run_km"] == caps["week_km"] and caps["basis"]["longest_capped_by_week"]


def test_return_to_run_mode_replaces_caps():
    ex = {"name": "x", "as_of": "2026-08-01", "runs": [{"day": "2026-06-01", "km": 10, "times": 3}], "expect": []}
    caps = next_week_caps(example_context(ALL[0], ex), ALL)
    assert caps["mode"] == "return-to-run" and caps["week_km"] is None and "walk-run" in caps["guidance"]


def test_min_history_hides_early_values():
    rule = _rule("acute-chronic-ratio")
    ex = {"name": "x", "runs": [{"day": "2026-06-01", "km": 5, "times": 3}, {"day": "2026-06-04", "km": 30}],
          "expect": []}
    assert evaluate(rule, example_context(rule, ex)) == []


# --- CLI ----------------------------------------------------------------------------------------


def _import_history(cli, athlete, tmp_path):
    """A small history through the real importer: GPX files written here."""
    # A first run five weeks earlier, so the spike rule's 30-day reference is complete.
    days = [("2026-04-10", 5), ("2026-05-04", 8), ("2026-05-06", 8), ("2026-05-10", 10), ("2026-05-12", 8), ("2026-05-14", 8),
            ("2026-05-17", 22)]
    for day, km in days:
        pts = []
        n = int(km * 10)
        for i in range(n + 1):
            lat = 59.0 + i * 0.1 / 111.32  # 100 m steps north
            sec = i * 36
            pts.append(f'<trkpt lat="{lat:.7f}" lon="18.0"><time>{day}T06:{sec // 60 % 60:02d}:{sec % 60:02d}Z</time></trkpt>'
                       if sec < 3600 else
                       f'<trkpt lat="{lat:.7f}" lon="18.0"><time>{day}T{6 + sec // 3600:02d}:{sec // 60 % 60:02d}:{sec % 60:02d}Z</time></trkpt>')
        (tmp_path / f"{day}.gpx").write_text(
            '<?xml version="1.0"?><gpx version="1.1" creator="t" xmlns="http://www.topografix.com/GPX/1/1">'
            f'<trk><type>running</type><trkseg>{"".join(pts)}</trkseg></trk></gpx>')
    r = cli("import", "--athlete", athlete, str(tmp_path))
    assert r.exit_code == 0, r.output


@pytest.mark.slow  # the commands on imported runs
def test_check_weeks_and_rules_commands(cli, athlete, tmp_path):
    _import_history(cli, athlete, tmp_path)
    weeks = json.loads(cli("weeks", "--athlete", athlete, "--format", "json").output)
    assert [w["week_start"] for w in weeks][-2:] == ["2026-05-04", "2026-05-11"]
    assert weeks[0]["week_start"] == "2026-04-06" and weeks[0]["distance_km"] == pytest.approx(5, abs=0.1)
    weeks = weeks[-2:]
    assert weeks[1]["distance_km"] == pytest.approx(38, abs=0.3) and weeks[1]["runs"] == 3
    assert {"week_start", "distance_km", "runs", "longest_run_km", "change_pct"} <= set(weeks[0])

    r = cli("check", "--athlete", athlete, "--week", "2026-W20", "--format", "json")
    assert r.exit_code == 0, r.output
    found = json.loads(r.output)
    ranks = ["info", "caution", "warning", "urgent", "emergency"]
    assert [ranks.index(f["severity"]) for f in found] == sorted((ranks.index(f["severity"]) for f in found), reverse=True)
    # the 38 km week with its 22 km run is one event: the run more than twice the recent longest
    # (a warning: 2.3 times the injury rate) speaks for it, the weekly jump (context, info: no
    # link with injury in outcome data) supports it
    lead = next(f for f in found if f["rule_id"] == "single-run-spike")
    assert lead["severity"] == "warning" and lead["current"] is True
    assert lead["date"] == "2026-05-17" and lead["value"] == pytest.approx(120, abs=3)
    assert lead["message"].endswith("runs more than twice the recent longest went with 2.3 times the injury "
                                    "rate (95% CI 1.5-3.5).")
    week = next(s for s in lead["supporting"] if s["rule_id"] == "weekly-progression")
    assert week["severity"] == "info"
    assert {"rule_id", "severity", "date", "week_start", "value", "threshold", "message"} <= set(week)
    assert not any(f["rule_id"] == "weekly-progression" for f in found)

    assert cli("check", "--athlete", athlete, "--week", "2026-W20", "--fail-on", "warning").exit_code == 1
    assert cli("check", "--athlete", athlete, "--week", "2026-W20", "--fail-on", "urgent").exit_code == 0
    text = cli("check", "--athlete", athlete, "--week", "2026-W20").output
    assert text.index("[warning]") < text.index("[caution]") if "[caution]" in text else True
    assert "Next week: at most" in text and "in the week" in text and "longest run under" in text
    week = json.loads(cli("check", "--athlete", athlete, "--week", "2026-W19", "--format", "json").output)
    # first week: only the 10 km run after two 8 km runs (+25%: the small band, shown at info)
    assert [(f["rule_id"], f["severity"], f["date"]) for f in week] == [("single-run-spike", "info", "2026-05-10")]
    # today (long after the data): nothing of May is current, --all lists the history
    now = json.loads(cli("check", "--athlete", athlete, "--format", "json").output)
    assert not any(f["rule_id"] in ("weekly-progression", "single-run-spike") for f in now)
    history = json.loads(cli("check", "--athlete", athlete, "--all", "--format", "json").output)
    assert any(f["rule_id"] == "single-run-spike" and f["severity"] == "warning" for f in history)
    bad = cli("check", "--athlete", athlete, "--week", "2026-19")
    assert bad.exit_code == 2 and "YYYY-Www" in bad.output


def test_rules_commands(cli, tmp_path, monkeypatch):
    r = cli("rules", "list")
    assert r.exit_code == 0 and "single-run-spike" in r.output and "run_spike_pct" in r.output
    r = cli("rules", "show", "single-run-spike")
    assert r.exit_code == 0 and "Frandsen" in r.output and "x0.7 with previous injury" in r.output
    assert cli("rules", "show", "nope").exit_code == 2
    r = cli("rules", "validate")
    assert r.exit_code == 0 and re.search(r"\d+ rule\(s\) valid, \d+ example\(s\) pass", r.output)
    bad = tmp_path / "weekly-progression.toml"
    bad.write_text(GOOD.replace('severity = "info"', 'severity = "worrying"', 1))
    r = cli("rules", "validate", str(bad))
    assert r.exit_code == 2 and str(bad) in r.output and "bands[1].severity" in r.output
    wrong = tmp_path / "x" / "weekly-progression.toml"
    wrong.parent.mkdir()
    wrong.write_text(GOOD.replace("value = 35.0, threshold = 30.0", "value = 36.0, threshold = 30.0"))
    r = cli("rules", "validate", str(wrong.parent))
    assert r.exit_code == 1 and "value 35.0, expected 36.0" in r.output


def test_config_file_from_environment(cli, athlete, tmp_path, monkeypatch):
    cfg = tmp_path / "config.toml"
    cfg.write_text('[rules]\nonly = ["single-run-spike"]\n')
    monkeypatch.setenv("RUNLOAD_CONFIG", str(cfg))
    _import_history(cli, athlete, tmp_path)
    found = json.loads(cli("check", "--athlete", athlete, "--all", "--format", "json").output)
    assert {f["rule_id"] for f in found} == {"single-run-spike"}
    cfg.write_text('[rules]\nonly = ["single-run-spike"\n')
    r = cli("check", "--athlete", athlete)
    assert r.exit_code == 2 and "config.toml: not valid TOML" in r.output


def test_new_finding_is_the_dataclass_built_with_the_same_fields():
    """The engine's quick constructor gives what ``Finding(...)`` gives, for every field."""
    from dataclasses import fields
    from datetime import date

    from runload.models import Finding, Severity, new_finding

    given = dict(rule_id="r", severity=Severity.CAUTION, title="T", message="m", advice="a", evidence="e", value=1.5,
                 threshold=1.2, unit="%", week_start=date(2026, 5, 4), date=date(2026, 5, 8), citations=("c",),
                 evidence_level="x", outcome_evidence="association", event="load-rise:2026-05-04",
                 until=date(2026, 5, 10))
    quick, slow = new_finding(**given), Finding(**given)
    assert quick == slow and hash(quick) == hash(slow) and quick.__dict__ == slow.__dict__
    assert {f.name for f in fields(Finding)} == {*given, "supporting", "current"}
    assert new_finding("r", Severity.INFO, "T", "m") == Finding("r", Severity.INFO, "T", "m")
