"""runload config show|check"""

from __future__ import annotations

import json

import click

from runload.cli._common import echo, store_option
from runload.cli.options import Output, output_options
from runload.cli.suggest import SuggestingGroup


@click.group(cls=SuggestingGroup)
def config() -> None:
    """The configuration in force: what each setting is, where it came from, and whether the
    config file holds only what runload reads."""


def _store_given(ctx: click.Context) -> tuple[str | None, str]:
    """The --store value given on the command line (subcommand or main command), and how."""
    from click.core import ParameterSource

    root = ctx.find_root()
    if ctx.get_parameter_source("store_override") is ParameterSource.COMMANDLINE:
        return ctx.obj["store"], "command line --store"
    if root.get_parameter_source("store") is ParameterSource.COMMANDLINE:
        return root.params.get("store"), "command line --store"
    return None, ""


@config.command("show")
@output_options(["text", "json"])
@store_option
@click.pass_context
def show(ctx: click.Context, out: Output) -> None:
    """Every setting in force and where it came from: default, the config file, the environment
    or the command line. The SMTP password is never shown, only whether it is set."""
    from runload.cli.records import setting_record
    from runload.config import effective_settings
    from runload.report.table import table
    from runload.textsafe import inline

    given, how = _store_given(ctx)
    settings = effective_settings(given, how)
    if out.is_json:
        out.json([setting_record(s) for s in settings])
        return
    out.line(table(["setting", "value", "from"],
               [[s.key, inline(_shown(s.value)), inline(s.source)] for s in settings]))


def _shown(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, str):
        return value
    return json.dumps(value)


@config.command("check")
@store_option
@click.pass_context
def check(ctx: click.Context) -> None:
    """Check the config file and the settings from the environment: an unknown table or key, a
    rule id that does not exist, a value of the wrong kind, mail settings that cannot work.
    Exit 2 naming the file and the key; 0 when everything is usable."""
    from runload.config_check import check_settings

    given, _how = _store_given(ctx)
    for line in check_settings(given):
        echo(line)
