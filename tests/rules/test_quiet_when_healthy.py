"""Healthy training stays quiet; a spike still speaks first.

The generated histories of ``benchmarks/histories.py`` (the ones ``benchmarks/bench_noise.py``
measures): a 3:1 periodised build and a steady 120-160 km a week athlete are "on track" in their
build weeks and the step back up after a cutback, and a long run 50% longer than usual (more
than 30% over the month's longest) leads its week as a caution, with the weekly rise beside it.
"""

from __future__ import annotations

import importlib.util
import sys
from datetime import timedelta

import pytest

from conftest import REPO
from runload.assess import assess
from runload.rules.book import Rulebook

pytestmark = pytest.mark.slow  # hundreds of generated histories

_PATH = REPO / "benchmarks" / "histories.py"
_spec = importlib.util.spec_from_file_location("runload_bench_histories", _PATH)
histories = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = histories  # dataclasses look their module up by name
_spec.loader.exec_module(histories)

BOOK = Rulebook.load(config={})  # the bundled rules, default severities


def _statuses(hist, kinds):
    return {ws: assess(hist.data, BOOK, ws + timedelta(days=6)).status
            for kind in kinds for ws in hist.weeks(kind)}


def test_a_three_one_build_and_its_step_ups_stay_on_track():
    hist = histories.three_one_build(years=1)
    assert len(hist.weeks("step-up")) >= 10
    loud = {ws: s.level for ws, s in _statuses(hist, ("build", "step-up")).items() if s.level not in ("ok", "info")}
    assert loud == {}
    # the step back up is about +30% on the cutback, but only a return to the level of the weeks
    # before it (the athlete's recent normal): no jump, and the weekly table still shows the +30%
    ws = hist.weeks("step-up")[3]
    a = assess(hist.data, BOOK, ws + timedelta(days=6))
    assert not [g for f in a.current for g in (f, *f.supporting) if g.rule_id == "weekly-progression"]
    row = a.weekly.loc[a.weekly["week_start"] == ws] if "week_start" in a.weekly else a.weekly.loc[[ws]]
    assert float(row["change_pct"].iloc[0]) == pytest.approx(32.2, abs=3)


def test_a_steady_high_mileage_athlete_stays_on_track_in_build_weeks():
    hist = histories.elite(weeks=30)
    builds = hist.weeks("build")
    assert len(builds) >= 8
    statuses = _statuses(hist, ("build",))
    assert {ws: s.level for ws, s in statuses.items() if s.level not in ("ok", "info")} == {}
    assert all(s.label.startswith("On track") for s in statuses.values())


@pytest.mark.parametrize("make", [lambda: histories.three_one_build(years=1), lambda: histories.elite(weeks=30)])
def test_a_spike_week_still_leads_with_the_spike(make):
    hist = make()
    week = hist.weeks("build")[-2]
    spiked = histories.with_spike(hist, week, 1.5)
    a = assess(spiked.data, BOOK, week + timedelta(days=6))
    lead = a.current[0]
    assert lead.rule_id == "single-run-spike" and lead.value > 30  # a moderate spike
    assert a.status.level == "caution"
    # whatever else fired on that week supports the spike; none of it leads
    assert all(s.rule_id != "single-run-spike" for s in lead.supporting)
    # the same week without the spike says nothing that raises the status
    assert assess(hist.data, BOOK, week + timedelta(days=6)).status.level in ("ok", "info")
