"""Where things live: the store, the rules, the config file.

Precedence for the store: ``--store PATH`` option, then ``RUNLOAD_STORE``, then the per-user
data directory (platformdirs). Nothing here touches the disk.
"""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "runload"
STORE_ENV = "RUNLOAD_STORE"
RULES_ENV = "RUNLOAD_RULES"


def default_store_path() -> Path:
    """The per-user default store file, e.g. ``~/.local/share/runload/runload.sqlite``."""
    from platformdirs import user_data_path

    return user_data_path(APP_NAME, appauthor=False) / "runload.sqlite"


def resolve_store_path(option: str | os.PathLike[str] | None = None) -> Path:
    """The store path from the option, else the environment, else the per-user default."""
    if option:
        return Path(option).expanduser()
    env = os.environ.get(STORE_ENV)
    if env:
        return Path(env).expanduser()
    return default_store_path()


def default_rules_dir() -> Path:
    """The bundled ``rules/`` folder: packaged in a wheel, or the source tree's top level."""
    env = os.environ.get(RULES_ENV)
    if env:
        return Path(env).expanduser()
    packaged = Path(__file__).resolve().parent / "_rules"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "rules"
