"""The rule engine: rule files (``rules/*.toml``) read and validated, selected by the config,
evaluated against one athlete's context into findings (a metric may give the whole history as
columns, judged at once), and their examples run.

Modules: ``schema`` (reading and validating rule files), ``context`` (what a metric sees, and the
metric registry), ``select`` (the config's selection and overrides), ``engine`` (bands,
templates, findings), ``examples`` (the examples harness).
"""

from runload.rules.context import Context, MetricColumns, MetricValue, get_metric, metric
from runload.rules.engine import (
    effective_threshold,
    evaluate,
    evaluate_each,
    history_start,
    profile_factor,
)
from runload.rules.examples import check_example, example_context, run_example, validate
from runload.rules.schema import (
    Band,
    Rule,
    Stricter,
    find_rule,
    load_rule,
    load_rules,
    parse_rule,
    rule_files,
)
from runload.rules.select import athlete_settings, extra_rule_paths, select_rules

__all__ = [
    "Band", "Context", "MetricColumns", "MetricValue", "Rule", "Stricter", "athlete_settings", "check_example", "effective_threshold",
    "evaluate", "evaluate_each", "example_context", "extra_rule_paths", "find_rule", "get_metric", "history_start",
    "load_rule", "load_rules", "metric", "parse_rule", "profile_factor", "rule_files", "run_example",
    "select_rules", "validate",
]
