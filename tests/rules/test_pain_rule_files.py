"""The pain rule files: well formed, one file per red flag, metrics registered, and (with the rule
engine) every example gives the findings it promises."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from conftest import REPO

import runload.rules
from runload.rules.context import get_metric
from runload.pain.signs import RED_FLAGS

FILES = sorted((REPO / "rules").glob("pain-*.toml"))
HAS_ENGINE = hasattr(runload.rules, "load_rule") and hasattr(runload.rules, "check_example")


def load(path: Path) -> dict:
    with path.open("rb") as fh:
        return tomllib.load(fh)


def test_every_red_flag_and_the_model_has_a_rule_file():
    ids = {p.stem for p in FILES}
    assert {f"pain-red-flag-{f}" for f in RED_FLAGS} <= ids
    assert {"pain-red-flag-unrelieved-two-weeks", "pain-monitoring-score", "pain-monitoring-morning",
            "pain-monitoring-weekly-rise", "pain-monitoring-not-applicable", "pain-episode-load"} <= ids


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_pain_rule_file_is_well_formed(path):
    data = load(path)
    assert data["id"] == path.stem and data["kind"] == "pain"
    assert get_metric(data["metric"]) is not None
    for key in ("name", "title", "evidence_level", "evidence", "rationale", "message", "advice"):
        assert data[key].strip(), key
    assert data["citations"], "a pain rule cites its source"
    severities = {b["severity"] for b in data["bands"]}
    if path.stem.startswith("pain-red-flag-"):
        assert severities <= {"emergency", "urgent", "warning"}
        if data["metric"] == "pain_red_flag":
            assert data["params"]["flag"] == path.stem.removeprefix("pain-red-flag-")
    examples = data["examples"]
    assert any(e["expect"] for e in examples) and any(not e["expect"] for e in examples)


@pytest.mark.skipif(not HAS_ENGINE, reason="the rule engine (runload.rules.load_rule) is not on this branch yet")
@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_pain_rule_examples(path):
    rule = runload.rules.load_rule(path)
    problems = [p for ex in rule.examples for p in runload.rules.check_example(rule, ex)]
    assert problems == []
