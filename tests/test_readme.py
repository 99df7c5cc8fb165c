"""The README's commands are real: every ``runload ...`` line in its code blocks names existing
commands and options with valid values (parsed by the real click commands, not run)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import click
import pytest

from runload.cli import main

README = Path(__file__).resolve().parents[1] / "README.md"


def readme_commands() -> list[str]:
    text = README.read_text(encoding="utf-8")
    out = []
    for block in re.findall(r"```(?:sh|)\n(.*?)```", text, flags=re.S):
        joined = block.replace("\\\n", " ")
        for line in joined.splitlines():
            line = line.split("  #")[0].strip()
            if line.startswith("runload "):
                out.append(line)
    return out


def test_readme_has_commands():
    assert len(readme_commands()) >= 30


@pytest.mark.parametrize("line", readme_commands())
def test_readme_command_parses(line, tmp_path, monkeypatch):
    # Run from a folder holding what the examples name: the samples, and a rules folder of one's own.
    (tmp_path / "sample_activities").symlink_to(README.parent / "sample_activities")
    (tmp_path / "my-rules").mkdir()
    monkeypatch.chdir(tmp_path)
    args = shlex.split(re.sub(r"\[[^\]]*\]", "", line))[1:]  # optional parts in [brackets] dropped
    cmd: click.Command = main
    parent = click.Context(main, info_name="runload")
    rest = list(args)
    while isinstance(cmd, click.Group):
        name = rest.pop(0)
        sub = cmd.get_command(parent, name)
        assert sub is not None, f"unknown command {name!r} in: {line}"
        cmd = sub
        parent = click.Context(cmd, info_name=name, parent=parent)
    with cmd.make_context(cmd.name or "x", rest, parent=parent.parent) as ctx:
        assert ctx.params is not None
