"""Labelled data in, the table of every warning against the injuries that followed out.

:func:`evaluate` judges every day of the data with the product's own
:func:`runload.assess.assess` (:mod:`runload.evaluate.judge`), then counts, for each rule and
severity and for the status, on athlete-days and on athlete-weeks (the last day of each week,
what a weekly report shows), and for each horizon:

- ``flagged`` of ``total`` judged days, and the injury rate in the next ``horizon_days`` when
  flagged and when not (a day counts once its whole horizon is followed up, and not while the
  athlete is out injured);
- the relative risk with its 95% cluster-bootstrap interval (:mod:`runload.evaluate.measures`);
- sensitivity: of the injuries with a judged day in the ``horizon_days`` before them, the share
  with a flagged one; the positive predictive value: the share of flagged days followed by an
  injury (the flagged injury rate);
- for the status, the area under the ROC curve of its level (no data < ok < info < caution <
  warning < ... ) against an injury within the horizon.

A severity row counts a day as flagged when the rule reached that severity or a higher one.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
from numpy.typing import NDArray

from runload.evaluate.judge import Engine, Judgement, judge
from runload.evaluate.labelled import Labelled
from runload.evaluate.measures import (BOOTSTRAP, auc_from_levels, auc_interval, cluster_interval, counts, draws,
                                       relative_risk)
from runload.evaluate.needs import apply_variants, split_rules
from runload.models import LEVELS, Severity, level_rank
from runload.rules.book import Rulebook
from runload.rules.schema import Rule

HORIZONS = (7, 14, 28)
UNITS = ("day", "week")
STATUS_ID = "status"
# the status levels a status row starts from: what is said at all, a caution, a warning, a clinician
STATUS_ROWS = ("info", "caution", "warning", "clinician")
_KEY = 10_000_000  # athlete index x _KEY + day ordinal: one sortable key per judged day


@dataclass(frozen=True)
class Evaluation:
    """The result: ``rows`` (one per rule or status, severity, horizon and units, the JSON the
    issue fixes), ``status_auc`` per units and horizon, ``not_judged`` rules with the reason,
    and what was evaluated (``source``, ``how``, ``athletes``, ``days``, ``injuries``, ``seed``)."""

    rows: list[dict[str, Any]]
    status_auc: dict[str, dict[str, dict[str, Any]]]
    not_judged: list[dict[str, str]]
    source: str
    how: str
    athletes: int
    days: int
    injuries: int
    seed: int
    bootstrap: int
    variants: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form (NaN and infinity as null)."""
        return _clean({"source": self.source, "how": self.how, "athletes": self.athletes, "days": self.days,
                       "injuries": self.injuries, "seed": self.seed, "bootstrap": self.bootstrap,
                       "variants": self.variants, "rows": self.rows, "status_auc": self.status_auc,
                       "not_judged": self.not_judged})


def _clean(v: Any) -> Any:
    if isinstance(v, float):
        return None if not math.isfinite(v) else round(v, 4)
    if isinstance(v, dict):
        return {k: _clean(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_clean(x) for x in v]
    return v


def judged_book(labelled: Labelled, book: Rulebook) -> tuple[Rulebook, list[dict[str, str]]]:
    """The rulebook the days are judged with (the rules the data can judge, and the labelled
    data's variants) and the rules left out with their reasons."""
    rules, _ = book.for_athlete(None)
    judged, not_judged = split_rules(rules, labelled.window_days, labelled.inputs)
    variants = apply_variants(rules, labelled.variants)
    ids = [r.id for r in judged]
    all_rules = [*book.rules, *variants]
    # the config as it is (an athlete's own selection and settings still apply), with [rules]
    # narrowed to the rules the data can judge
    config = dict(book.config)
    section = dict(config.get("rules", {}))
    section["only"] = ids + [v.id for v in variants]
    section.pop("disable", None)
    section["override"] = {k: o for k, o in section.get("override", {}).items() if k in ids}
    config["rules"] = section
    out = Rulebook.of(all_rules, config)
    return Rulebook(out.rules, out.config, book.first_weekday), not_judged


def evaluate(labelled: Labelled, book: Rulebook, *, horizons: Sequence[int] = HORIZONS, seed: int = 0,
             engine: Engine | None = None, bootstrap: int = BOOTSTRAP,
             progress: Callable[[int], None] | None = None) -> Evaluation:
    """The evaluation of ``labelled`` with ``book`` (see the module docstring)."""
    jbook, not_judged = judged_book(labelled, book)
    judgements = judge(labelled.cases, jbook, engine, progress=progress)
    rules, _ = jbook.for_athlete(None)
    return measure(labelled, judgements, rules, not_judged, horizons=horizons, seed=seed, bootstrap=bootstrap,
                   first_weekday=jbook.first_weekday)


def _severities(rule: Rule) -> list[Severity]:
    return sorted({b.severity for b in rule.bands}, key=lambda s: s.rank) or [Severity.INFO]


def measure(labelled: Labelled, judgements: Sequence[Judgement], rules: Sequence[Rule],
            not_judged: list[dict[str, str]], *, horizons: Sequence[int] = HORIZONS, seed: int = 0,
            bootstrap: int = BOOTSTRAP, first_weekday: int = 0) -> Evaluation:
    """The table from the judgements (see :func:`evaluate`); a status rank is a level's place in
    :data:`runload.models.LEVELS`."""
    athletes = sorted({j.athlete_id for j in judgements} | set(labelled.follow_up))
    index = {a: i for i, a in enumerate(athletes)}
    k = len(athletes)
    cluster = np.array([index[j.athlete_id] for j in judgements], dtype=np.int64)
    day = np.array([j.day.toordinal() for j in judgements], dtype=np.int64)
    order = np.lexsort((day, cluster))
    cluster, day = cluster[order], day[order]
    status = np.array([judgements[i].status for i in order], dtype=np.int64)
    flags = {r.id: np.array([judgements[i].flags.get(r.id, -1) for i in order], dtype=np.int64) for r in rules}
    # outcomes are known up to the athlete's follow-up day (else their last judged day)
    last_judged = np.full(k, -1, dtype=np.int64)
    np.maximum.at(last_judged, cluster, day)
    follow = np.array([labelled.follow_up[a].toordinal() if a in labelled.follow_up else int(last_judged[i])
                       for i, a in enumerate(athletes)], dtype=np.int64)
    at_risk = np.ones(len(day), dtype=bool)
    for a, spans in labelled.out.items():
        if a in index:
            for first, last in spans:
                at_risk &= ~((cluster == index[a]) & (day >= first.toordinal()) & (day <= last.toordinal()))
    onset_c = np.array([index[a] for a, ds in labelled.injuries.items() if a in index for _ in ds], dtype=np.int64)
    onset_d = np.array([d.toordinal() for a, ds in labelled.injuries.items() if a in index for d in ds],
                       dtype=np.int64)
    onset_key = np.sort(onset_c * _KEY + onset_d)
    key = cluster * _KEY + day
    # athlete-weeks: the last day of each week of the rulebook's calendar (what a weekly report judges)
    week_end = np.array([date.fromordinal(d + 1).weekday() == first_weekday for d in day.tolist()], dtype=bool)
    w = draws(k, seed, bootstrap)
    rows: list[dict[str, Any]] = []
    status_auc: dict[str, dict[str, dict[str, Any]]] = {}
    predictors: list[tuple[str, str, NDArray[np.bool_]]] = []
    for r in sorted(rules, key=lambda r: r.id):
        for sev in _severities(r):
            predictors.append((r.id, sev.value, flags[r.id] >= sev.rank))
    # the status levels any day reached (from caution at least): a level no day reached says nothing
    top = max(int(status.max()) if len(status) else 0, level_rank("caution"))
    for level in STATUS_ROWS:
        if level_rank(level) <= top:
            predictors.append((STATUS_ID, level, status >= level_rank(level)))
    for units in UNITS:
        base = at_risk & week_end if units == "week" else at_risk
        sub_key = key[base]
        status_auc[units] = {}
        for h in horizons:
            # injured: an onset in (day, day + h]; eligible: the horizon is followed up
            nxt = np.searchsorted(onset_key, key, side="right")
            has = nxt < len(onset_key)
            hit = np.zeros(len(key), dtype=bool)
            hit[has] = onset_key[nxt[has]] <= key[has] + h
            eligible = base & (day + h <= follow[cluster])
            y = hit[eligible]
            cl = cluster[eligible]
            # the injuries with a judged day in the h days before them
            lo = np.searchsorted(sub_key, onset_key - h, side="left")
            hi = np.searchsorted(sub_key, onset_key, side="left")
            seen = hi > lo
            for rule_id, severity, flagged in predictors:
                f = flagged[eligible]
                per = counts(cl, f, y, k)
                a, n1, c, n0 = per.sum(axis=0)
                rr = float(relative_risk(a, n1, c, n0))
                ci_lo, ci_hi = cluster_interval(per, w)
                cs = np.concatenate([[0], np.cumsum(flagged[base])])
                caught = (cs[hi] - cs[lo] > 0) & seen
                n_inj, n_caught = int(seen.sum()), int(caught.sum())
                rows.append({"rule_id": rule_id, "severity": severity, "horizon_days": int(h), "units": units,
                             "flagged": int(n1), "total": int(n1 + n0), "injuries_flagged": n_caught,
                             "injuries_total": n_inj, "relative_risk": rr, "ci_low": ci_lo, "ci_high": ci_hi,
                             "sensitivity": n_caught / n_inj if n_inj else math.nan,
                             "ppv": float(a / n1) if n1 else math.nan,
                             "rate_flagged": float(a / n1) if n1 else math.nan,
                             "rate_not_flagged": float(c / n0) if n0 else math.nan})
            levels = len(LEVELS)
            st = status[eligible]
            pos = np.stack([np.bincount(cl[(st == lv) & y], minlength=k) for lv in range(levels)], axis=1)
            neg = np.stack([np.bincount(cl[(st == lv) & ~y], minlength=k) for lv in range(levels)], axis=1)
            auc = float(auc_from_levels(pos.sum(axis=0), neg.sum(axis=0)))
            lo_a, hi_a = auc_interval(pos.astype(float), neg.astype(float), w)
            status_auc[units][str(h)] = {"auc": auc, "ci_low": lo_a, "ci_high": hi_a, "total": int(eligible.sum()),
                                         "injured": int(y.sum())}
    variants = [{"rule_id": v.new_id, "from": v.rule_id, "params": dict(v.params), "why": v.why}
                for v in labelled.variants]
    return Evaluation(rows=rows, status_auc=status_auc, not_judged=not_judged, source=labelled.name,
                      how=labelled.how, athletes=len(labelled.follow_up) or k, days=len(judgements),
                      injuries=int(len(onset_key)), seed=seed, bootstrap=bootstrap, variants=variants)
