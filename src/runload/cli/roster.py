"""runload roster (not built yet)"""

from __future__ import annotations

import click

from runload.cli._common import not_built


@click.command("roster", context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
def roster() -> None:
    """Not built yet: the coach's roster of athletes by risk is planned."""
    not_built("roster", "the coach's roster of athletes by risk is planned")()
