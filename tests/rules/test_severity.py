"""Severity follows the outcome evidence, and the strongest evidence leads an event.

The rule files declare ``outcome_evidence`` (rules/README.md, "Outcome evidence and severity");
the schema caps each band's default severity by it, the evidence notes (section 0) say which rule
has which, and a coach can still raise a rule in the config.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from runload.assess import assess
from runload.errors import InputError
from runload.models import Activity, Athlete, AthleteData, Severity, Sport
from runload.rules.book import Rulebook
from runload.rules.schema import OUTCOME_EVIDENCE, load_rules, outcome_rank
from runload.rules.select import select_rules

ALL = load_rules()
BY_ID = {r.id: r for r in ALL}

# What the evidence notes (section 0 and the rule sections) give each training-load rule: its
# outcome evidence and its default severities, band by band in file order.
EXPECTED = {
    "weekly-progression": ("none", ["info", "info"]),
    "rolling-7day-progression": ("none", ["info", "info"]),
    "two-week-progression": ("association", ["caution"]),
    "single-run-spike": ("clear", ["info", "caution", "warning"]),
    "acute-chronic-ratio": ("none", ["info", "info"]),
    "cadence-drop": ("none", ["info"]),
    "monotony-strain": ("none", ["info"]),
    "fitness-ramp": ("none", ["info"]),
    "climb-jump": ("none", ["info"]),
    "session-load-progression": ("none", ["info"]),
    "shoe-mileage": ("none", ["info", "info", "info"]),
    "intensity-jump": ("none", ["info"]),
    "data-gap": ("none", ["info"]),
    "return-to-run": ("none", ["info"]),
}


def test_every_load_rule_declares_its_outcome_evidence_and_speaks_no_louder():
    load = [r for r in ALL if r.kind == "load"]
    assert {r.id for r in load} == set(EXPECTED), "a new load rule needs its line in EXPECTED"
    for r in load:
        assert r.outcome_evidence in OUTCOME_EVIDENCE, r.id
        top = OUTCOME_EVIDENCE[r.outcome_evidence]
        assert all(b.severity.rank <= top.rank for b in r.bands), r.id


@pytest.mark.parametrize("rule_id", sorted(EXPECTED))
def test_default_severity_is_what_the_evidence_gives(rule_id):
    outcome, severities = EXPECTED[rule_id]
    rule = BY_ID[rule_id]
    assert rule.outcome_evidence == outcome
    assert [b.severity.value for b in rule.bands] == severities


def test_pain_rules_keep_their_own_scale():
    pain = [r for r in ALL if r.kind == "pain"]
    assert pain and all(r.outcome_evidence == "" for r in pain)
    assert BY_ID["pain-red-flag-breathless-chest-pain"].bands[0].severity is Severity.EMERGENCY
    assert BY_ID["pain-monitoring-score"].bands[0].severity is Severity.WARNING
    assert outcome_rank("") < outcome_rank("none") < outcome_rank("association") < outcome_rank("clear")


def test_a_bundled_file_cannot_speak_louder_than_its_evidence(tmp_path):
    from runload.errors import RuleError

    text = BY_ID["cadence-drop"].path.read_text(encoding="utf-8")
    bad = tmp_path / "cadence-drop.toml"
    bad.write_text(text.replace('severity = "info"', 'severity = "caution"', 1))
    with pytest.raises(RuleError, match=r"bands\[1\]\.severity.*outcome_evidence = 'none' allows \(info at most"):
        load_rules([bad])
    # a pain rule does not declare it (red flags are care, not training)
    pain = BY_ID["pain-red-flag-calf"].path.read_text(encoding="utf-8")
    flag = tmp_path / "pain-red-flag-calf.toml"
    flag.write_text(pain.replace("evidence_level =", 'outcome_evidence = "clear"\nevidence_level =', 1))
    with pytest.raises(RuleError, match="outcome_evidence"):
        load_rules([flag])


# ---------------------------------------------------------------- histories
MONDAY = date(2026, 6, 1)


def _data(runs: list[tuple[date, float]]) -> AthleteData:
    acts = tuple(Activity(datetime(d.year, d.month, d.day, 7, tzinfo=timezone.utc), Sport.RUNNING, km * 1000,
                          timer_s=km * 330, utc_offset_s=0, source_hash=f"{d}-{km}") for d, km in runs)
    return AthleteData(Athlete("ana", "Ana"), acts)


def _weeks(*weeks: tuple[float, ...]) -> list[tuple[date, float]]:
    """Runs on Tuesday, Thursday and Sunday of consecutive weeks from MONDAY, after one run six
    weeks before (so the spike rule has a full 30-day window)."""
    runs = [(MONDAY - timedelta(days=40), 5.0)]
    for w, kms in enumerate(weeks):
        ws = MONDAY + timedelta(days=7 * w)
        runs += [(ws + timedelta(days=d), km) for d, km in zip((1, 3, 6), kms)]
    return runs


JUMP = _weeks((5, 5, 10), (5, 5, 10), (5, 5, 10), (6, 6, 11))   # +15% and the 11 km run: 10% longer, no spike
SPIKE_AND_RISE = _weeks((5, 5, 10), (5, 5, 10), (5, 5, 10), (5, 5, 14))   # +20% and a 40% spike
# +35% over two weeks (the first week after a gap is no reference), and a 20% spike
TWO_WEEKS_AND_SPIKE = _weeks((5, 5, 10), (5, 5, 10), (5, 5, 10), (7, 9, 10), (7, 9, 12))


def _check(runs, config=None):
    """The assessment on the last day of the last week (a Sunday)."""
    book = Rulebook.of(ALL, config or {})
    return assess(_data(runs), book, max(d for d, _ in runs))


def test_a_weekly_rise_alone_is_context_not_a_caution():
    a = _check(JUMP)
    # one event: the weekly rise and the same rise over the last 7 days, both context
    week = next(g for f in a.current for g in (f, *f.supporting) if g.rule_id == "weekly-progression")
    assert week.severity is Severity.INFO and week.value == pytest.approx(15.0, abs=0.5)
    assert a.status.level == "info" and a.status.label.startswith("On track")


def test_a_coach_raises_the_weekly_rule_in_the_config():
    raised = {"rules": {"override": {"weekly-progression": {"severity": "caution"}}}}
    a = _check(JUMP, raised)
    lead = a.current[0]
    assert (lead.rule_id, lead.severity, a.status.level) == ("weekly-progression", Severity.CAUTION, "caution")
    # per band, in file order, and per athlete after [rules]
    rules = select_rules(ALL, {"rules": {"override": {"weekly-progression": {"severity": ["info", "warning"]}}}})
    wp = next(r for r in rules if r.id == "weekly-progression")
    assert [b.severity.value for b in wp.bands] == ["info", "warning"]
    per_athlete = {"athletes": {"ana": {"rules": {"override": {"cadence-drop": {"severity": "caution"}}}}}}
    cd = {r.id: r for r in Rulebook.of(ALL, per_athlete).for_athlete("ana")[0]}["cadence-drop"]
    assert cd.bands[0].severity is Severity.CAUTION
    assert {r.id: r for r in Rulebook.of(ALL, per_athlete).for_athlete("ben")[0]}["cadence-drop"].bands[0].severity \
        is Severity.INFO
    # thresholds name the bands by their severity after the change
    both = select_rules(ALL, {"rules": {"override": {"weekly-progression": {
        "severity": "caution", "thresholds": {"caution": [15, 40]}}}}})
    assert [(b.severity.value, b.threshold) for b in next(r for r in both if r.id == "weekly-progression").bands] == [
        ("caution", 15), ("caution", 40)]


@pytest.mark.parametrize("override,error", [
    ({"weekly-progression": {"severity": ["caution"]}}, "a list of 2 severities"),
    ({"weekly-progression": {"severity": "loud"}}, "unknown severity 'loud'"),
    ({"weekly-progression": {"severity": "urgent"}}, "kept for red flags"),
    ({"pain-red-flag-calf": {"severity": "info"}}, "is a red flag"),
    ({"weekly-progression": {"thresholds": {"caution": 15}}}, r"has no caution band \(its bands: info"),
])
def test_a_bad_severity_override_is_an_error_naming_the_key(override, error):
    with pytest.raises(InputError, match=error):
        select_rules(ALL, {"rules": {"override": override}})


def test_the_config_file_takes_a_severity(cli, athlete, tmp_path, monkeypatch):
    cfg = tmp_path / "config.toml"
    cfg.write_text('[rules.override.weekly-progression]\nseverity = "caution"\n')
    monkeypatch.setenv("RUNLOAD_CONFIG", str(cfg))
    assert cli("config", "check").exit_code == 0
    cfg.write_text('[rules.override.weekly-progression]\nseverity = 3\n')
    r = cli("config", "check")
    assert r.exit_code == 2 and "severity' must be a severity or a list of severities" in r.output


def test_a_spike_leads_a_week_that_also_rose():
    a = _check(SPIKE_AND_RISE)
    lead = a.current[0]
    assert lead.rule_id == "single-run-spike" and lead.value == pytest.approx(40.0, abs=0.5)
    assert [s.rule_id for s in lead.supporting if s.rule_id == "weekly-progression"] == ["weekly-progression"]
    assert not any(f.rule_id == "weekly-progression" for f in a.current)
    assert a.status.level == "caution" and a.status.summary.startswith("1 caution")
    # the 10% rule never leads a spike, even raised to the spike's severity: the evidence decides
    raised = _check(SPIKE_AND_RISE, {"rules": {"override": {"weekly-progression": {"severity": "caution"}}}})
    assert raised.current[0].rule_id == "single-run-spike"
    assert raised.status.summary.startswith("1 caution"), "the status counts the lead only"


def test_a_spike_leads_a_two_week_rise_and_the_status_counts_the_lead_only():
    """A 20% spike (the small band, info by default) and a +35% two-week rise (a caution) in one
    week: the spike's evidence is the stronger, so it leads and the status counts it alone."""
    a = _check(TWO_WEEKS_AND_SPIKE)
    lead = a.current[0]
    assert (lead.rule_id, lead.severity) == ("single-run-spike", Severity.INFO)
    two = next(s for s in lead.supporting if s.rule_id == "two-week-progression")
    assert two.severity is Severity.CAUTION and two.value == pytest.approx(35.0, abs=0.5)
    assert a.status.level == "info" and a.status.summary.startswith("1 info")
    # raised to a caution in the config, the small spike leads at caution
    raised = _check(TWO_WEEKS_AND_SPIKE, {"rules": {"override": {"single-run-spike": {
        "severity": ["caution", "caution", "warning"]}}}})
    assert (raised.current[0].rule_id, raised.status.level) == ("single-run-spike", "caution")
