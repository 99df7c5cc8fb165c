"""The command reference (docs/cli.md) is every command's --help as it is now, and the commands
speak one grammar: every option has help, --athlete is one option, and every command that prints
data takes the same output options with the same default."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click

from runload.cli.options import AthleteId
from runload.cli.reference import commands, reference_markdown

REPO = Path(__file__).resolve().parents[2]
PAGE = REPO / "docs" / "cli.md"
ALL = list(commands())


def test_the_reference_is_current():
    assert PAGE.read_text(encoding="utf-8") == reference_markdown(), \
        "docs/cli.md differs from the commands' --help: run scripts/cli_reference.py"


def test_the_script_checks_it():
    r = subprocess.run([sys.executable, str(REPO / "scripts" / "cli_reference.py"), "--check"],
                       capture_output=True, text=True, env={"COLUMNS": "37", "PATH": ""})
    assert r.returncode == 0, r.stdout + r.stderr
    assert "up to date" in r.stdout


def test_the_reference_holds_every_command():
    page = PAGE.read_text(encoding="utf-8")
    paths = [path for path, _cmd, _ctx in ALL]
    assert len(paths) > 60 and "runload import list" in paths and "runload batch roster" in paths
    for path in paths:
        assert f"\n## {path}\n" in page, path


def test_every_option_has_help():
    missing = [f"{path} {'/'.join(p.opts)}" for path, cmd, _ctx in ALL for p in cmd.params
               if isinstance(p, click.Option) and not p.hidden and not p.help]
    assert not missing, missing


def test_every_command_says_what_it_does():
    # a command's help is its docstring only when that is a plain literal (one built with + is none)
    silent = [path for path, cmd, _ctx in ALL if not (cmd.help or "").strip()]
    assert not silent, silent


def test_athlete_is_one_option():
    for path, cmd, _ctx in ALL:
        for p in cmd.params:
            if "--athlete" in getattr(p, "opts", ()):
                assert isinstance(p.type, AthleteId), f"{path}: --athlete defined by hand"


def test_output_options_are_one_grammar():
    printing = 0
    for path, cmd, _ctx in ALL:
        params = {p.name: p for p in cmd.params}
        if not ({"fmt", "as_json", "output_path"} & set(params)) and not any(
                "--format" in getattr(p, "opts", ()) or "--json" in getattr(p, "opts", ()) for p in cmd.params):
            continue
        printing += 1
        assert {"fmt", "as_json", "output_path"} <= set(params), path
        fmt = params["fmt"]
        assert fmt.default == "text" and "json" in fmt.type.choices, path  # type: ignore[attr-defined]
        assert params["output_path"].opts == ["--output", "-o"] or set(params["output_path"].opts) == {"-o", "--output"}
    assert printing >= 25
