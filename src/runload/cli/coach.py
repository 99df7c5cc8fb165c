"""runload coach (not built yet)"""

from __future__ import annotations

import click

from runload.cli._common import not_built


@click.command("coach", context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
def coach() -> None:
    """Not built yet: coaches and their athletes are planned."""
    not_built("coach", "coaches and their athletes are planned")()
