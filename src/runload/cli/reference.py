"""The command reference (docs/cli.md): every command's ``--help``, in one Markdown page.

``scripts/cli_reference.py`` writes it; a test checks the page is what the commands say, so
the reference is never behind the code. The help is rendered 80 columns wide whatever the
terminal, so the page is the same on every machine.
"""

from __future__ import annotations

from collections.abc import Iterator

import click

WIDTH = 80
HEADER = """# runload command reference

Every command's `--help`, written by `scripts/cli_reference.py` from the commands themselves (a
test checks it is current: do not edit it by hand). The guides say what the commands are for:
[runner](runner.md), [coach](coach.md), [import](import.md), [config](config.md), [web](web.md).
Every command that prints data takes `--format` (default `text`), `--json` (the same as
`--format json`) and `-o/--output FILE`; see the README for the exit codes.
"""


def commands(root: click.Command | None = None) -> Iterator[tuple[str, click.Command, click.Context]]:
    """Every command and group under ``runload`` (itself first) as (its words, command, a context
    whose help is WIDTH columns wide), each group before its commands, the commands by name."""
    from runload.cli import main

    root = root or main
    ctx = click.Context(root, info_name="runload", **{**root.context_settings, "terminal_width": WIDTH,
                                                        "max_content_width": WIDTH})
    yield from _walk(root, ctx)


def _walk(cmd: click.Command, ctx: click.Context) -> Iterator[tuple[str, click.Command, click.Context]]:
    yield ctx.command_path, cmd, ctx
    # (name, command, parent context, the name its context has)
    subs: list[tuple[str, click.Command, click.Context | None, str]] = []
    for name, sub in getattr(cmd, "subcommands", {}).items():  # `import list`: made as ImportCommand makes it
        subs.append((name, sub, ctx.parent, f"{ctx.info_name} {name}"))
    if isinstance(cmd, click.Group):
        for name in cmd.list_commands(ctx):
            found = cmd.get_command(ctx, name)
            if found is not None:
                subs.append((name, found, ctx, name))
    for _name, sub, parent, info_name in sorted(subs, key=lambda s: s[0]):
        yield from _walk(sub, click.Context(sub, info_name=info_name, parent=parent, **sub.context_settings))


def reference_markdown() -> str:
    """docs/cli.md as it should be."""
    parts = [HEADER]
    for path, cmd, ctx in commands():
        if cmd.hidden:
            continue
        parts.append(f"\n## {path}\n\n```text\n{cmd.get_help(ctx).rstrip()}\n```\n")
    return "".join(parts)
