"""runload pain (not built yet)"""

from __future__ import annotations

import click

from runload.cli._common import not_built


@click.command("pain", context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
def pain() -> None:
    """Not built yet: the pain log (add, list, import) is planned."""
    not_built("pain", "the pain log (add, list, import) is planned")()
