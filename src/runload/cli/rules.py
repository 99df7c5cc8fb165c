"""runload rules (not built yet)"""

from __future__ import annotations

import click

from runload.cli._common import not_built


@click.command("rules", context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
def rules() -> None:
    """Not built yet: listing and validating rule files is planned."""
    not_built("rules", "listing and validating rule files is planned")()
