"""runload activity (not built yet)"""

from __future__ import annotations

import click

from runload.cli._common import not_built


@click.command("activity", context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
def activity() -> None:
    """Not built yet: correcting an activity's sport (set-sport) comes with the full importer."""
    not_built("activity", "correcting an activity's sport (set-sport) comes with the full importer")()
