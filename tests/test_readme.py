"""The README's and the manual's commands are real: every ``runload ...`` line in the code blocks
of README.md and docs/*.md names existing commands and options with valid values (parsed by the
real click commands, not run). The README stays short, and every link of them leads somewhere."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import click
import pytest

from runload.cli import main

REPO = Path(__file__).resolve().parents[1]
README = REPO / "README.md"
DOCS = REPO / "docs"
# the manual; docs/cli.md is the commands' own --help (tests/cli/test_cli_reference.py)
PAGES = [README, *sorted(p for p in DOCS.glob("*.md") if p.name != "cli.md")]


def page_commands(page: Path) -> list[str]:
    """The ``runload`` lines of the page's ``sh`` (or unlabelled) code blocks, continuation
    lines joined and comments dropped."""
    out, block, fence = [], [], None
    for line in page.read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            if fence is None:
                fence, block = line[3:].strip(), []
                continue
            if fence in ("", "sh"):
                for command in "\n".join(block).replace("\\\n", " ").splitlines():
                    command = command.split("  #")[0].strip()
                    if command.startswith("runload "):
                        out.append(command)
            fence = None
        elif fence is not None:
            block.append(line)
    return out


def readme_commands() -> list[str]:
    return page_commands(README)


def manual_commands() -> list[tuple[str, str]]:
    return [(page.name, line) for page in PAGES for line in page_commands(page)]


def test_readme_has_commands():
    assert len(readme_commands()) >= 10
    assert len(manual_commands()) >= 100


def test_readme_is_short_and_keeps_what_a_newcomer_needs():
    text = README.read_text(encoding="utf-8")
    assert len(text.splitlines()) < 150
    for needed in ("make demo", "make test", "## Exit codes", "not a diagnosis", "docs/runner.md", "docs/coach.md"):
        assert needed in text, needed


@pytest.mark.parametrize("page", PAGES + [DOCS / "cli.md"], ids=lambda p: p.name)
def test_links_lead_somewhere(page):
    text = page.read_text(encoding="utf-8")
    for target in re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", text):
        if "://" in target:
            continue
        assert (page.parent / target).exists(), f"{page.name}: link to {target} leads nowhere"


@pytest.mark.parametrize("page,line", manual_commands())
def test_readme_command_parses(page, line, tmp_path, monkeypatch):
    # Run from a folder holding what the examples name: the samples, a rules folder of one's own
    # and a batch manifest.
    (tmp_path / "sample_activities").symlink_to(README.parent / "sample_activities")
    (tmp_path / "my-rules").mkdir()
    (tmp_path / "files.csv").write_text("athlete,path\n")
    monkeypatch.chdir(tmp_path)
    args = shlex.split(re.sub(r"\[[^\]]*\]", "", line))[1:]  # optional parts in [brackets] dropped
    cmd: click.Command = main
    # with the group's settings, as click makes it: a context without them would give a command
    # a help option of "--help" alone, which click then keeps on the command (and other tests see)
    parent = click.Context(main, info_name="runload", **main.context_settings)
    rest = list(args)
    while isinstance(cmd, click.Group):
        name = rest.pop(0)
        sub = cmd.get_command(parent, name)
        assert sub is not None, f"unknown command {name!r} in: {line}"
        cmd = sub
        parent = click.Context(cmd, info_name=name, parent=parent)
    with cmd.make_context(cmd.name or "x", rest, parent=parent.parent) as ctx:
        assert ctx.params is not None
