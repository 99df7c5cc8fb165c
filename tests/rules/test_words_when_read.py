"""Phrases a rule's template quotes are written only when a finding carrying them is read
(runload.models.Deferred), once, and read as the text they write."""

from __future__ import annotations

import pickle

from runload.models import Deferred, Severity, new_finding
from runload.rules.engine import RuleName, RuleWords
from runload.units import fmt


def test_a_phrase_is_written_on_first_read_and_once():
    calls: list[int] = []

    def write(n: int) -> str:
        calls.append(n)
        return f"phrase {n}"

    d = Deferred(write, 3)
    assert calls == []
    assert str(d) == "phrase 3" and f"[{d}]" == "[phrase 3]" and d.render() == "phrase 3" and d == "phrase 3"
    assert calls == [3]


def test_a_finding_writes_the_phrases_it_quotes_only_when_read():
    reference = Deferred(fmt, "the week before ({km:dist})", "mi", km=16.09)
    words = RuleWords(RuleName("weekly-progression", None, "week_change_pct"), "message",
                      "Up on {reference}.", {"reference": reference}, "mi")
    f = new_finding("weekly-progression", Severity.CAUTION, "Weekly rise", words)
    assert reference._text is None  # judged, not read
    copy = pickle.loads(pickle.dumps(f))  # an assessment sent between processes keeps its words unwritten
    assert f.message == copy.message == "Up on the week before (10.0 mi)."
