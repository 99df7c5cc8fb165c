"""Which rules the data can judge, and why not the others.

A rule that cannot be judged on the data is silent on every day (its metric returns nothing, or
nothing its history gate lets through): it is left out of the rulebook the days are judged with,
which changes no finding and no status, and listed with its reason. What each metric reads
beyond the running distance, and how many days of history it needs before it can say anything,
is written here once; ``tests/evaluate/test_evaluate.py`` checks on Lövdal rows that the full rulebook
gives the same flags and status as the judged one.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace

from runload.evaluate.labelled import Variant
from runload.rules.schema import Rule

# metric -> the inputs it reads beyond the running distance and the days (say what they are)
INPUTS: dict[str, tuple[str, ...]] = {
    "cadence_drop_pct": ("cadence",),
    "intensity_share_change": ("heart-rate zones",),
    "shoe_km": ("shoes",),
}
# week_load_change_pct reads the load its rule names
LOAD_INPUTS = {"climb": ("elevation",), "session_load": ("rpe", "duration"), "duration": ("duration",),
               "trimp": ("heart rate",)}


def history_needed(rule: Rule) -> int:
    """Days of history (counting the judged day) before the rule can say anything."""
    p = rule.params
    need = {
        "run_spike_pct": 31,  # the previous 30 days must all be in the history
        "return_to_run": 31,  # a break of 30 days and a run after it
        "ctl_ramp_pct": int(p.get("min_days", 42)),
        "cadence_drop_pct": 2,
        "data_gap_days": int(p.get("min_days", 14)) + 2,  # a run, the silence, a run
        "intensity_share_change": 7 * (int(p.get("min_baseline_weeks", 2)) + 1),
        "monotony": 7,
    }.get(rule.metric, 0)
    return max(need, rule.min_history_days + 1)


def inputs_needed(rule: Rule) -> tuple[str, ...]:
    """What the rule reads beyond running distance and days (``pain`` for the pain rules)."""
    if rule.kind == "pain" or rule.metric.startswith("pain_"):
        return ("pain entries",)
    if rule.metric == "week_load_change_pct" or "load" in rule.params:
        return LOAD_INPUTS.get(str(rule.params.get("load", "distance")), ())
    return INPUTS.get(rule.metric, ())


def split_rules(rules: Sequence[Rule], window_days: int | None, inputs: Iterable[str]
                ) -> tuple[list[Rule], list[dict[str, str]]]:
    """The rules the data can judge, and ``{"rule_id", "reason"}`` for the others."""
    have = set(inputs)
    judged: list[Rule] = []
    not_judged: list[dict[str, str]] = []
    for r in rules:
        missing = [i for i in inputs_needed(r) if i not in have]
        days = history_needed(r)
        if missing:
            not_judged.append({"rule_id": r.id, "reason": f"needs {' and '.join(missing)}, which the data do not hold"})
        elif window_days is not None and days > window_days:
            not_judged.append({"rule_id": r.id, "reason": f"needs {days} days of history; each history holds "
                                                          f"{window_days}"})
        else:
            judged.append(r)
    return judged, not_judged


def apply_variants(rules: Sequence[Rule], variants: Sequence[Variant]) -> list[Rule]:
    """Each variant as one more rule: its rule with the variant's params and history, its own id."""
    out: list[Rule] = []
    for v in variants:
        base = next((r for r in rules if r.id == v.rule_id), None)
        if base is not None:
            out.append(replace(base, id=v.new_id, params={**base.params, **v.params},
                               min_history_days=v.min_history_days, event=None))
    return out
