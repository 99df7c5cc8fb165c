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


CONFIG_ENV = "RUNLOAD_CONFIG"


def config_path() -> Path:
    """The config file: ``RUNLOAD_CONFIG``, else e.g. ``~/.config/runload/config.toml``."""
    env = os.environ.get(CONFIG_ENV)
    if env:
        return Path(env).expanduser()
    from platformdirs import user_config_path

    return user_config_path(APP_NAME, appauthor=False) / "config.toml"


def load_config(path: Path | None = None) -> dict:
    """The config file's tables, or {} when there is none. A broken file is an InputError."""
    import tomllib

    from runload.errors import InputError

    named = path is not None or bool(os.environ.get(CONFIG_ENV))
    path = path or config_path()
    if not path.is_file():
        if named:  # a config the user pointed at explicitly must exist: a typo is not "no config"
            raise InputError("no such config file (set by RUNLOAD_CONFIG)", path=path)
        return {}
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"not valid TOML: {exc}", path=path) from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", path=path) from None
