"""runload email (not built yet)"""

from __future__ import annotations

import click

from runload.cli._common import not_built


@click.command("email", context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
def email() -> None:
    """Not built yet: weekly summaries by email are planned."""
    not_built("email", "weekly summaries by email are planned")()
