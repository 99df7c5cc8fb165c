"""runload rules: list, show and validate the risk-rule files."""

from __future__ import annotations

import click

from runload.cli._common import echo
from runload.cli.exit_codes import ExitCode
from runload.cli.options import Output, output_options
from runload.cli.suggest import SuggestingGroup


def _rules(extra: bool = True):  # noqa: ANN202 - list[Rule], imported lazily
    from runload.config import default_rules_dir, load_config
    from runload.rules import extra_rule_paths, load_rules

    paths = [default_rules_dir()]
    if extra:
        paths += extra_rule_paths(load_config())
    return load_rules(paths)


@click.group("rules", cls=SuggestingGroup)
def rules() -> None:
    """List, show and validate the risk rules (one TOML file each, see rules/README.md)."""


@rules.command("list")
@output_options(["text", "json"])
def list_rules(out: Output) -> None:
    """One line per rule: id, kind, metric, event family, severities, name."""
    from runload.cli.records import rule_record
    from runload.report.table import table

    if out.is_json:
        out.json([rule_record(r) for r in _rules()])
        return
    rows = []
    for r in _rules():
        sev = "/".join(dict.fromkeys(b.severity.value for b in r.bands))
        rows.append([r.id, r.kind, r.metric, sev, "yes" if r.enabled else "no", r.name])
    out.line(table(["id", "kind", "metric", "severity", "enabled", "name"], rows, align="llllll"))


@rules.command("table")
@output_options(["text", "md", "json"])
def table_cmd(out: Output) -> None:
    """The rules table, written from the rule files: what each rule measures, its bands and
    severities, the profile's factors, the history it needs and its evidence (training-load
    rules, then pain rules). ``--format md`` is the table rules/README.md holds."""
    from runload.rules.table import rules_table

    # rule files from the config's extra folders are text anyone may have written: shown, never obeyed
    out.write(rules_table(_rules(), out.format))


@rules.command("show")
@click.argument("rule_id")
def show(rule_id: str) -> None:
    """Everything a rule says: thresholds, profile adjustments, evidence, citations."""
    from runload.cli.suggest import did_you_mean
    from runload.errors import NotFoundError
    from runload.rules.schema import OPS, OUTCOME_EVIDENCE, find_rule

    known = _rules()
    try:
        r = find_rule(known, rule_id)
    except NotFoundError as err:
        hint = did_you_mean(rule_id, [k.id for k in known])
        if not hint:
            raise
        raise NotFoundError(f"{err}{hint}") from None
    lines = [f"{r.id}: {r.name}", f"  title:     {r.title}", f"  kind:      {r.kind}",
             f"  metric:    {r.metric} {dict(r.params) if r.params else ''}".rstrip(),
             f"  file:      {r.path}", f"  enabled:   {'yes' if r.enabled else 'no'}"]
    if r.min_history_days:
        lines.append(f"  needs:     {r.min_history_days} days of history")
    lines.append("  bands:")
    for b in r.bands:
        label = f"  ({b.label})" if b.label else ""
        lines.append(f"    {b.severity.value:<9} value {OPS[b.op]} {b.threshold:g}{r.unit}{label}")
    for s in r.stricter:
        who = "previous injury" if s.when == "previous_injury" else f"age {s.age} or more"
        lines.append(f"  stricter:  x{s.factor:g} with {who}: {s.note}")
    lines.append(f"  evidence:  {r.evidence_level}")
    if r.outcome_evidence:
        lines.append(f"  outcome:   {r.outcome_evidence} (default severity at most "
                     f"{OUTCOME_EVIDENCE[r.outcome_evidence].value})")
    lines += ["", r.evidence, "", r.rationale.strip(), "", "Citations:"]
    lines += [f"  - {c}" for c in r.citations] or ["  (none: a convention)"]
    lines += ["", f"Message: {r.message}", f"Advice:  {r.advice}",
              f"Examples: {len(r.examples)} ({sum(1 for e in r.examples if e['expect'])} fire, "
              f"{sum(1 for e in r.examples if not e['expect'])} silent)"]
    echo("\n".join(lines))


@rules.command("validate")
@click.argument("path", required=False, type=click.Path(exists=True))
@click.pass_context
def validate_cmd(ctx: click.Context, path: str | None) -> None:
    """Check rule files (default: the bundled rules and the config's extra folders) and run
    their examples. Exit 2 on an invalid file (the message names the file and the key), 1 when
    an example does not give its expected findings."""
    from runload.config import default_rules_dir, load_config
    from runload.rules import extra_rule_paths, validate

    paths = [path] if path else [default_rules_dir(), *extra_rule_paths(load_config())]
    found, problems = validate(paths)
    for p in problems:
        echo(p, err=True)
    n_examples = sum(len(r.examples) for r in found)
    if problems:
        echo(f"{len(problems)} example problem(s) in {len(found)} rule(s).", err=True)
        ctx.exit(ExitCode.FINDINGS)
    echo(f"{len(found)} rule(s) valid, {n_examples} example(s) pass.")
