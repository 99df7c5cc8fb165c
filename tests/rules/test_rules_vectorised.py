"""The rules judged on whole-history columns against the same rules judged value by value.

:func:`runload.rules.engine.evaluate` judges a metric that gives columns
(:class:`runload.rules.context.MetricColumns`) on its arrays first and writes only the rows at or
past a band; :func:`runload.rules.engine.evaluate_each` judges every value, one at a time. On
random histories, athlete profiles (the ``[[stricter]]`` factors), first weekdays and random
thresholds (many of them exactly a value the metric gives, where ``above`` and ``at_least``
part) both must give the same findings: the same events, levels, numbers and words.
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from runload.models import Activity, Athlete, Sport
from runload.rules.context import Context, MetricColumns, get_metric
from runload.rules.engine import evaluate, evaluate_each
from runload.rules.schema import Rule, load_rules

RULES = [r for r in load_rules() if r.kind == "load"]
COLUMNAR = [r for r in RULES if r.metric in ("week_change_pct", "week_load_change_pct", "two_week_change_pct",
                                              "rolling_change_pct", "run_spike_pct", "acwr", "monotony",
                                              "ctl_ramp_pct")]


def _history(rnd: random.Random) -> list[Activity]:
    """Up to ~300 days: runs most days with some doubles, rides, a break or two, RPE and climb
    on some runs."""
    start = date(2024, 1, 1) + timedelta(days=rnd.randrange(0, 60))
    days = rnd.randrange(20, 300)
    breaks = {rnd.randrange(0, days) for _ in range(rnd.randrange(0, 3))}
    out: list[Activity] = []
    skip = 0
    for i in range(days):
        if i in breaks:
            skip = rnd.choice([5, 15, 35])
        if skip:
            skip -= 1
            continue
        d = start + timedelta(days=i)
        t = datetime(d.year, d.month, d.day, rnd.choice([5, 12, 22]), tzinfo=timezone.utc)
        if rnd.random() < 0.7:
            km = rnd.choice([rnd.uniform(2, 25), float(rnd.randrange(3, 20)), 10.0])
            out.append(Activity(t, Sport.RUNNING, km * 1000, timer_s=km * rnd.uniform(250, 400),
                                utc_offset_s=rnd.choice([0, 3600, -18000]),
                                rpe=rnd.choice([None, rnd.randrange(1, 10)]),
                                elevation_gain_m=rnd.choice([None, rnd.uniform(0, 300)])))
            if rnd.random() < 0.1:
                out.append(Activity(t + timedelta(hours=1), Sport.RUNNING, rnd.uniform(1, 8) * 1000,
                                    timer_s=1800, utc_offset_s=0, rpe=3, elevation_gain_m=20.0))
        if rnd.random() < 0.15:
            out.append(Activity(t, Sport.CYCLING, 30000, timer_s=3600, utc_offset_s=0))
    return out


def _thresholds(rule: Rule, ctx: Context, rnd: random.Random) -> Rule:
    """``rule`` with random thresholds: a value its metric gives (the boundary), or near one,
    or anywhere."""
    fn = get_metric(rule.metric)
    assert fn is not None
    cols = fn(ctx, rule.params)
    given_values = [float(v) for v in cols.values if v == v] if isinstance(cols, MetricColumns) else []
    bands = []
    for band in rule.bands:
        if given_values and rnd.random() < 0.7:
            t = rnd.choice(given_values) + rnd.choice([0.0, 0.0, 1e-9, -1e-9, 1e-7, rnd.uniform(-5, 5)])
        else:
            t = band.threshold * rnd.uniform(0.2, 2.0)
        bands.append(replace(band, threshold=t, op=rnd.choice([band.op, "above", "at_least", "below", "at_most"])))
    return replace(rule, bands=tuple(bands))


def _athlete(rnd: random.Random) -> Athlete:
    return Athlete("a", "Runner", birth_year=rnd.choice([None, 1950, 1975, 1990]),
                   previous_injuries=rnd.choice([(), ("knee",)]), units=rnd.choice(["km", "mi"]),
                   hr_rest_bpm=50, hr_max_bpm=190)


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_columns_give_the_findings_of_every_value(seed: int) -> None:
    rnd = random.Random(seed)
    acts = _history(rnd)
    ctx = Context(athlete=_athlete(rnd), activities=acts, week_start=rnd.randrange(0, 7))
    for rule in COLUMNAR:
        for judged in (rule, _thresholds(rule, ctx, rnd)):
            fast, each = evaluate(judged, ctx), evaluate_each(judged, ctx)
            assert fast == each, (rule.id, judged.bands)  # == compares every field, words too


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_every_load_rule_as_shipped(seed: int) -> None:
    """The bundled rules, columns or not, on random histories: the same findings either way."""
    rnd = random.Random(seed)
    ctx = Context(athlete=_athlete(rnd), activities=_history(rnd), week_start=rnd.randrange(0, 7))
    for rule in RULES:
        assert evaluate(rule, ctx) == evaluate_each(rule, ctx), rule.id


def test_the_columns_judge_fewer_rows_than_the_history_holds() -> None:
    """What the columns are for: on a steady history only the rows near a band are written."""
    rnd = random.Random(7)
    ctx = Context(athlete=_athlete(rnd), activities=_history(rnd))
    acwr = next(r for r in COLUMNAR if r.metric == "acwr")
    from runload.rules.engine import candidates

    fn = get_metric("acwr")
    assert fn is not None
    cols = fn(ctx, acwr.params)
    assert isinstance(cols, MetricColumns)
    assert len(candidates(acwr, ctx, cols)) < len(cols)


def test_a_rule_judged_once_a_week_writes_one_row_a_week() -> None:
    """A rule with ``one_per = "week"`` (the acute:chronic ratio) writes only each week's lead of
    the rows past a band (:func:`runload.rules.engine.week_leads`), and finds what judging every
    value finds."""
    from runload.rules.engine import candidates, week_leads

    rnd = random.Random(7)
    ctx = Context(athlete=_athlete(rnd), activities=_history(rnd))
    acwr = next(r for r in COLUMNAR if r.metric == "acwr")
    acwr = replace(acwr, bands=tuple(replace(b, threshold=1.0) if b.op == "at_least" else b for b in acwr.bands))
    fn = get_metric("acwr")
    assert fn is not None
    cols = fn(ctx, acwr.params)
    assert isinstance(cols, MetricColumns) and cols.weeks is not None
    rows = candidates(acwr, ctx, cols)
    leads = week_leads(acwr, ctx, cols, rows)
    assert len(leads) < len(rows)
    assert len({int(cols.weeks[i]) for i in leads}) == len(leads)
    assert evaluate(acwr, ctx) == evaluate_each(acwr, ctx)


def test_words_are_written_when_read_and_travel_unwritten() -> None:
    """A finding keeps its rule's template and values; the text is written on the first read,
    a copy (``Finding.but``) or a pickle carries them unwritten, and every reading says the same."""
    import pickle

    rnd = random.Random(3)
    ctx = Context(athlete=_athlete(rnd), activities=_history(rnd))
    found = [f for rule in COLUMNAR for f in evaluate(rule, ctx)]
    assert found
    f = found[0]
    assert not isinstance(f.__dict__["_message"], str)  # not written yet
    copy = f.but(current=True)
    travelled = pickle.loads(pickle.dumps(copy))
    assert not isinstance(travelled.__dict__["_message"], str)
    assert f.message == copy.message == travelled.message and f.advice == travelled.advice
    assert isinstance(f.__dict__["_message"], str)  # written once read
