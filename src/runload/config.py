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


def default_config_path() -> Path:
    """The per-user config file, e.g. ``~/.config/runload/config.toml`` on Linux."""
    from platformdirs import user_config_path

    return user_config_path(APP_NAME, appauthor=False) / "config.toml"


def resolve_config_path() -> Path:
    """``RUNLOAD_CONFIG`` if set, else the per-user default."""
    env = os.environ.get(CONFIG_ENV)
    return Path(env).expanduser() if env else default_config_path()


def load_config(path: str | os.PathLike[str] | None = None) -> dict:
    """The config file as a dict; ``{}`` when the default file does not exist.

    A file named explicitly (argument or ``RUNLOAD_CONFIG``) must exist. Errors name the file
    (and the line for TOML syntax errors).
    """
    import tomllib

    from runload.errors import InputError

    explicit = path is not None or bool(os.environ.get(CONFIG_ENV))
    p = Path(path).expanduser() if path is not None else resolve_config_path()
    if not p.is_file():
        if explicit:
            raise InputError("config file not found", path=p)
        return {}
    try:
        with p.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"not valid TOML: {exc}", path=p) from None
    except OSError as exc:
        raise InputError(f"cannot read config: {exc.strerror}", path=p) from None
