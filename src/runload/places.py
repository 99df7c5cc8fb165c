"""Where the store is: the ``--store PATH`` option, then ``RUNLOAD_STORE``, then the per-user
data directory (platformdirs).

Apart from :mod:`runload.config` (where everything else lives, and what the config file may
hold): a command that only opens the store, ``runload import`` say, finds it without loading the
settings' table and checker.
"""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_data_path

APP_NAME = "runload"
STORE_ENV = "RUNLOAD_STORE"


def default_store_path() -> Path:
    """The per-user default store file, e.g. ``~/.local/share/runload/runload.sqlite``."""
    return user_data_path(APP_NAME, appauthor=False) / "runload.sqlite"


def resolve_store_path(option: str | os.PathLike[str] | None = None) -> Path:
    """The store path from the option, else the environment, else the per-user default."""
    if option:
        return Path(option).expanduser()
    env = os.environ.get(STORE_ENV)
    if env:
        return Path(env).expanduser()
    return default_store_path()


__all__ = ["APP_NAME", "STORE_ENV", "default_store_path", "resolve_store_path"]
