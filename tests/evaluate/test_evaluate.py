"""runload evaluate: the warnings measured against the injuries that followed them."""

from __future__ import annotations

import gzip
import hashlib
import json
import math
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from evaluate_data import planted
from conftest import REPO
from runload.cli import main
from runload.evaluate import lovdal
from runload.evaluate.evaluation import evaluate, judged_book, measure
from runload.evaluate.judge import Judgement, judge
from runload.evaluate.labelled import CaseList, Labelled
from runload.evaluate.measures import naive_interval
from runload.rules.book import Rulebook

pytestmark = pytest.mark.slow  # generated athletes through runload evaluate

ROW_KEYS = {"rule_id", "severity", "horizon_days", "units", "flagged", "total", "injuries_flagged", "injuries_total",
            "relative_risk", "ci_low", "ci_high", "sensitivity", "ppv"}


@pytest.fixture(scope="module")
def book() -> Rulebook:
    return Rulebook.load(config={})


def _cli(*args: str) -> dict:
    r = CliRunner().invoke(main, ["evaluate", *args, "--format", "json", "--workers", "1"])
    assert r.exit_code == 0, r.output
    return json.loads(r.output)


def _row(out: dict, rule: str, severity: str, horizon: int = 7, units: str = "day") -> dict:
    return next(r for r in out["rows"] if (r["rule_id"], r["severity"], r["horizon_days"], r["units"])
                == (rule, severity, horizon, units))


def _includes_one(r: dict) -> bool:
    return r["ci_low"] is not None and r["ci_low"] <= 1 and (r["ci_high"] is None or r["ci_high"] >= 1)


@pytest.fixture(scope="module")
def planted_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    out = {}
    for name, after in (("after", True), ("before", False)):
        folder = tmp_path_factory.mktemp(name)
        training, injuries = planted(folder, after=after, seed=4, athletes=6)
        out[name] = _cli("--training", str(training), "--injuries", str(injuries), "--horizon", "7", "--seed", "1")
    return out


def test_the_json_rows_per_rule_severity_horizon_and_unit(planted_runs: dict[str, dict]) -> None:
    out = planted_runs["after"]
    assert {"rows", "status_auc", "not_judged"} <= set(out)
    assert all(ROW_KEYS <= set(r) for r in out["rows"])
    assert {r["units"] for r in out["rows"]} == {"day", "week"}
    assert all(set(n) == {"rule_id", "reason"} for n in out["not_judged"])
    assert "cadence-drop" in {n["rule_id"] for n in out["not_judged"]}  # no cadence in a training CSV
    week = _row(out, "status", "caution", units="week")
    day = _row(out, "status", "caution")
    assert 0 < week["total"] < day["total"] / 5  # one judged day a week


def test_a_planted_spike_signal_is_found_and_unrelated_rules_are_not(planted_runs: dict[str, dict]) -> None:
    out = planted_runs["after"]
    spike = _row(out, "single-run-spike", "caution")
    assert spike["flagged"] > 0 and spike["relative_risk"] > 1.5 and spike["ci_low"] > 1, spike
    assert spike["sensitivity"] > 0.5
    for rule in ("weekly-progression", "rolling-7day-progression", "acute-chronic-ratio"):
        r = _row(out, rule, "info")
        assert r["flagged"] > 0 and _includes_one(r), r


def test_injuries_planted_before_the_spikes_give_no_effect(planted_runs: dict[str, dict]) -> None:
    # a look-ahead would let the spike 'predict' the injury 3 days before it
    spike = _row(planted_runs["before"], "single-run-spike", "caution")
    assert spike["flagged"] > 0 and spike["relative_risk"] < 1 and not spike["ci_low"] > 1, spike


def test_the_cluster_interval_is_wider_than_the_naive_one_when_one_athlete_holds_most_injuries() -> None:
    rng = np.random.default_rng(7)
    start = date(2025, 1, 6)
    judgements, onsets = [], {}
    for n in range(12):
        a = f"a{n}"
        flagged = rng.random(200) < (0.5 if n == 0 else 0.2)
        for i in range(200):
            judgements.append(Judgement(a, start + timedelta(days=i), 1, {"r": 1} if flagged[i] else {}))
        days = (np.flatnonzero(flagged)[::4] + 2) if n == 0 else [int(rng.integers(200))]
        onsets[a] = tuple(sorted({start + timedelta(days=int(d)) for d in days}))
    lab = Labelled("made up", CaseList([]), onsets, {f"a{n}": start + timedelta(days=230) for n in range(12)})

    class Rule:
        id, bands = "r", ()

    ev = measure(lab, judgements, [Rule()], [], horizons=(7,), seed=2)
    r = next(x for x in ev.rows if x["rule_id"] == "r" and x["units"] == "day")
    # the counts the naive interval needs, from the same rows
    a = r["ppv"] * r["flagged"]
    c = r["rate_not_flagged"] * (r["total"] - r["flagged"])
    lo, hi = naive_interval(a, r["flagged"], c, r["total"] - r["flagged"])
    assert lo < r["relative_risk"] < hi
    assert math.log(r["ci_high"] / r["ci_low"]) > 1.5 * math.log(hi / lo), (r, lo, hi)


def test_the_lovdal_copies_are_the_published_files() -> None:
    for name, (_inner, digest) in lovdal.FILES.items():
        data = gzip.decompress((lovdal.DATA_DIR / f"{name}.csv.gz").read_bytes())
        assert hashlib.sha256(data).hexdigest() == digest


def _expected(df: pd.DataFrame, flagged: pd.Series, h: int) -> dict[str, float]:
    """Counts for one flag in plain pandas: a row of day D is judged as of D - 1; injured when
    the athlete has an injury row dated D .. D + h - 1; followed up when D - 1 + h <= their last
    Date."""
    last = df.groupby("Athlete ID")["Date"].transform("max")
    injured = np.zeros(len(df), dtype=bool)
    for _athlete, g in df.groupby("Athlete ID"):
        days = g.loc[g["injury"] == 1, "Date"].to_numpy()
        for i, d in zip(g.index, g["Date"].to_numpy()):
            injured[i] = bool(((days >= d) & (days <= d + h - 1)).any())
    ok = (df["Date"] - 1 + h <= last).to_numpy()
    f, y = flagged.to_numpy()[ok], injured[ok]
    rr = (y[f].mean()) / (y[~f].mean())
    return {"flagged": int(f.sum()), "total": int(ok.sum()), "relative_risk": float(rr)}


def test_lovdal_figures_for_the_10_percent_rule_and_a_7_21_ratio_match_plain_pandas(book: Rulebook) -> None:
    path = lovdal.default_path("lovdal-week")
    lab = lovdal.read("lovdal-week", path, athletes=2)
    out = evaluate(lab, book, horizons=(7, 28), seed=0).to_dict()
    df = pd.read_csv(path)
    df = df[df["Athlete ID"].isin(sorted(df["Athlete ID"].unique())[:2])]
    df = df.sort_values(["Athlete ID", "Date"], kind="stable").reset_index(drop=True)
    w0, w1, w2 = df["total kms"], df["total kms.1"], df["total kms.2"]
    # the 10% rule: the newest week more than 10% over the athlete's recent normal (the higher of
    # the two weeks before it), from a base of 10 km
    ref = np.maximum(w1, w2)
    ten = (w0 - 1.1 * ref > 1e-6) & (ref >= 10)
    # 7:21 ratio (coupled): the newest week's daily mean over the 3 weeks', at 1.5 or more or under
    # 0.8; judged when the history starts 21 days back (the oldest week ran) and reaches the judged
    # day (the newest week ran on two days or more, not all on its longest day: runload does not
    # know the days after the last activity), and the middle week ran (a week without data is a gap)
    ratio = w0 / ((w0 + w1 + w2) / 3)
    judged = (w2 > 0) & (w1 > 0) & ((7 - df["nr. rest days"]).round() >= 2) & (w0 > df["max km one day"])
    ratio_flag = judged & ((ratio >= 1.5) | (ratio < 0.8))
    for rule, sev, flag in (("weekly-progression", "info", ten), ("acute-chronic-ratio-7-21", "info", ratio_flag)):
        for h in (7, 28):
            exp = _expected(df, flag, h)
            got = _row(out, rule, sev, h)
            assert got["flagged"] == exp["flagged"] and got["total"] == exp["total"], (rule, h, got, exp)
            assert got["relative_risk"] == pytest.approx(exp["relative_risk"], rel=1e-3), (rule, h, got, exp)
            assert exp["flagged"] > 50


@pytest.mark.parametrize("layout", ["lovdal-week", "lovdal-day"])
def test_leaving_out_the_rules_the_rows_cannot_judge_changes_no_flag_and_no_status(book: Rulebook,
                                                                                 layout: str) -> None:
    from dataclasses import replace

    lab = lovdal.read(layout, lovdal.default_path(layout), athletes=1)
    rows = lab.cases.split(150)[1]
    judged, not_judged = judged_book(replace(lab, variants=()), book)  # the variant is one more rule
    full = judge(rows, book)
    part = judge(rows, judged)
    assert [j.status for j in full] == [j.status for j in part]
    assert [j.flags for j in full] == [j.flags for j in part]
    assert any(j.flags for j in full) and not_judged


def test_an_engine_gives_the_judgements_of_the_serial_run(book: Rulebook) -> None:
    from runload.batch.engines import ProcessEngine

    lab = lovdal.read("lovdal-week", lovdal.default_path("lovdal-week"), athletes=1)
    rows = lab.cases.split(60)[2]
    jb, _ = judged_book(lab, book)
    eng = ProcessEngine(2)
    try:
        assert judge(rows, jb, eng, part_days=20) == judge(rows, jb)
    finally:
        eng.close()


@pytest.mark.parametrize("fmt", ["text", "md", "csv", "html"])
def test_every_format_renders_the_same_rows(tmp_path, fmt: str) -> None:
    training, injuries = planted(tmp_path, athletes=2, weeks=8)
    out = tmp_path / f"out.{fmt}"
    r = CliRunner().invoke(main, ["evaluate", "--training", str(training), "--injuries", str(injuries),
                                  "--horizon", "14", "--format", fmt, "-o", str(out), "--workers", "1"])
    assert r.exit_code == 0, r.output
    text = out.read_text(encoding="utf-8")
    assert "weekly-progression" in text and "status" in text
    if fmt == "html":
        assert "<svg" in text and "relative risk" in text
    if fmt == "csv":
        head = text.splitlines()[0].split(",")
        assert set(head) >= ROW_KEYS


def test_input_errors_say_what_is_wrong(tmp_path) -> None:
    r = CliRunner().invoke(main, ["evaluate"])
    assert r.exit_code == 2 and "give one source" in r.output
    bad = tmp_path / "t.csv"
    bad.write_text("athlete,day,km\nx,2025-01-01,5\n", encoding="utf-8")
    r = CliRunner().invoke(main, ["evaluate", "--training", str(bad), "--injuries", str(bad)])
    assert r.exit_code == 2 and "no column 'date'" in r.output
    r = CliRunner().invoke(main, ["evaluate", "--layout", "lovdal-day", str(bad)])
    assert r.exit_code == 2 and "not the lovdal-day layout" in r.output


def test_the_benchmark_runs_on_a_slice() -> None:
    import importlib.util

    path = REPO / "benchmarks" / "bench_evaluate.py"
    spec = importlib.util.spec_from_file_location("bench_evaluate", path)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    out = bench.main(["--athletes", "1", "--rows", "80", "--workers", "1", "--naive-rows", "20"])
    assert set(out) == set(lovdal.LAYOUTS)
    assert all(o["rows"] == 80 and o["wall_s"] > 0 and o["naive_s"] > 0 for o in out.values())


def test_the_evidence_page_is_the_stored_results_with_the_rule_files_as_they_are() -> None:
    import importlib.util

    path = REPO / "scripts" / "evidence_on_outcomes.py"
    spec = importlib.util.spec_from_file_location("evidence_on_outcomes", path)
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    assert script.check() == []


def test_the_store_is_evaluated_with_pain_episodes_as_the_events(tmp_path) -> None:
    from runload.evaluate.labelled import run
    from runload.models import Athlete, PainEntry
    from runload.store import Store

    start = date(2026, 3, 2)
    store = Store.open(tmp_path / "s.sqlite")
    for a in ("ana", "bo"):
        store.add_athlete(Athlete(id=a, name=a.title()))
        with store.atomic() as conn:
            for i in range(0, 70, 2):
                km = 22.0 if (a == "ana" and i == 40) else 8.0
                store.insert_activity(conn, a, run(a, start + timedelta(days=i), km, minutes=km * 6))
    # a pain episode reaching 6/10 three days after the long run, settled a week later; bo's
    # episode stays at 3/10: not an event
    store.add_pain_entries("ana", [PainEntry(start + timedelta(days=43), side="right", pain_after=6),
                                   PainEntry(start + timedelta(days=50), side="right", pain_after=0)])
    store.add_pain_entries("bo", [PainEntry(start + timedelta(days=30), side="left", pain_after=3),
                                  PainEntry(start + timedelta(days=33), side="left", pain_after=0)])
    store.close()
    path = str(tmp_path / "s.sqlite")
    out = _cli("--store", path, "--athlete", "ana", "--athlete", "bo", "--horizon", "7")
    spike = _row(out, "single-run-spike", "warning")
    assert spike["injuries_total"] == 1 and spike["injuries_flagged"] == 1 and spike["flagged"] > 0
    # the days of both episodes are not at risk: 69 judged days each, 8 + 4 of them in an episode,
    # and the last 7 days lack a whole horizon
    assert _row(out, "status", "caution")["total"] == 2 * 69 - 8 - 4 - 2 * 7
    assert "pain-monitoring-score" not in {n["rule_id"] for n in out["not_judged"]}
    r = CliRunner().invoke(main, ["evaluate", "--store", path, "--athlete", "nobody"])
    assert r.exit_code == 2 and "nobody" in r.output


def test_dask_gives_the_result_of_the_serial_run(tmp_path) -> None:
    pytest.importorskip("distributed", reason="runload[dask] is not installed")
    training, injuries = planted(tmp_path, athletes=2, weeks=8)
    args = ["evaluate", "--training", str(training), "--injuries", str(injuries), "--format", "json"]
    serial = CliRunner().invoke(main, [*args, "--workers", "1"])
    dask = CliRunner().invoke(main, [*args, "--engine", "dask", "--workers", "1"])
    assert serial.exit_code == 0 and dask.exit_code == 0, dask.output
    assert json.loads(serial.output) == json.loads(dask.output)


def test_a_status_rank_is_its_place_in_the_one_level_order():
    # judge() keeps each day's status rank (runload.assess) and measure() reads it against models.LEVELS
    from runload.assess import STATUS_LABELS, Status
    from runload.models import LEVELS, RedFlagLevel, Severity, level_rank

    assert set(STATUS_LABELS) == set(LEVELS)
    assert all(Status(level, "", "").rank == level_rank(level) for level in LEVELS)
    assert sorted(Severity, key=lambda s: s.rank) == sorted(Severity, key=lambda s: level_rank(s.value))
    assert sorted(RedFlagLevel, key=lambda r: r.rank) == sorted(RedFlagLevel, key=level_rank)
