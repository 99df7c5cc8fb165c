"""Where things live: the store, the rules, the config file; what the config file may hold.

Precedence for the store: ``--store PATH`` option, then ``RUNLOAD_STORE``, then the per-user
data directory (platformdirs). :func:`load_config` reads the config file and checks its shape
(:func:`check_config`): a table or key runload does not read is an error naming it and the file,
never silently ignored. :func:`effective_settings` says what each setting is and where it came
from (``runload config show``).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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
MAX_CONFIG_BYTES = 2**20  # a settings file a person writes; far more is not one


def config_path() -> Path:
    """The config file: ``RUNLOAD_CONFIG``, else e.g. ``~/.config/runload/config.toml``."""
    env = os.environ.get(CONFIG_ENV)
    if env:
        return Path(env).expanduser()
    from platformdirs import user_config_path

    return user_config_path(APP_NAME, appauthor=False) / "config.toml"


def load_config(path: Path | None = None) -> dict:
    """The config file's tables, or {} when there is none. A broken file, or one holding a table
    or key runload does not read, is an InputError naming the file (see :func:`check_config`)."""
    path, data = _read_config(path)
    check_config(data, path)
    return data


def _read_config(path: Path | None = None) -> tuple[Path, dict]:
    import tomllib

    from runload.errors import InputError

    from runload.textfile import read_utf8

    named = path is not None or bool(os.environ.get(CONFIG_ENV))
    path = path or config_path()
    if not os.path.lexists(path):
        if named:  # a config the user pointed at explicitly must exist: a typo is not "no config"
            raise InputError("no such config file (set by RUNLOAD_CONFIG)", path=path)
        return path, {}
    text = read_utf8(path, what="config file", max_bytes=MAX_CONFIG_BYTES)  # a device or a pipe is refused
    try:
        return path, tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"not valid TOML: {exc}", path=path) from None


# ---------------------------------------------------------------- what the file may hold
# ``[rules]`` and ``[athletes.ID.rules]`` (runload.rules.select); extra folders only at the top.
RULES_KEYS = ("disable", "only", "paths", "override")
ATHLETE_RULES_KEYS = ("disable", "only", "override")
OVERRIDE_KEYS = ("params", "severity", "thresholds", "enabled")
# Metric settings of ``[athletes.ID]``: the names the metrics read after a rule's own params
# (runload.rules.load_metrics ``_setting``; ``min_base_km`` also sets the weekly frame's base).
# tests/test_config.py keeps this list equal to what the metrics read.
ATHLETE_SETTINGS = (
    "acute_days", "baseline_days", "baseline_weeks", "chronic_days", "latest_only", "load",
    "method", "min_base_km", "min_baseline_weeks", "min_ctl", "min_days", "min_runs", "retire_at_km", "silence_days",
    "speed_tolerance_pct", "threshold_pace_s_per_km", "window_days", "zone4_fraction",
)
SETTING_TYPES = {"load": "text", "method": "text", "latest_only": "true or false"}  # the others: numbers
TOP_KEYS = ("week_start", "rules", "smtp", "athletes")


# ``[smtp]`` (read by runload.mail.settings, which checks the values).
# Where each ``[smtp]`` key can also come from: the environment, which wins over the file.
ENV_NAMES = {"host": "RUNLOAD_SMTP_HOST", "port": "RUNLOAD_SMTP_PORT", "security": "RUNLOAD_SMTP_SECURITY",
             "user": "RUNLOAD_SMTP_USER", "password": "RUNLOAD_SMTP_PASSWORD", "cafile": "RUNLOAD_SMTP_CAFILE",
             "retries": "RUNLOAD_SMTP_RETRIES", "backoff_s": "RUNLOAD_SMTP_BACKOFF_S", "from": "RUNLOAD_MAIL_FROM"}
DEFAULTS: dict[str, Any] = {"host": None, "security": "starttls", "user": None, "password": None, "cafile": None,
                            "retries": 3, "backoff_s": 2.0, "from": "runload@localhost"}
DEFAULT_PORTS = {"ssl": 465, "starttls": 587, "none": 25}


def smtp_values(config: Mapping[str, Any] | None = None,
                env: Mapping[str, str] | None = None) -> dict[str, tuple[Any, str]]:
    """{key: (value, source)} for every ``[smtp]`` key, unchecked: source is ``environment
    NAME`` (a variable set and not empty), ``file`` (the config's ``[smtp]``) or ``default``.
    The default port follows the security (465 for ssl, 587 for starttls, 25 for none)."""
    env = os.environ if env is None else env
    table = dict((config or {}).get("smtp", {}))
    out: dict[str, tuple[Any, str]] = {}
    for key, name in ENV_NAMES.items():
        value = env.get(name)
        if value not in (None, ""):
            out[key] = (value, f"environment {name}")
        elif key in table:
            out[key] = (table[key], "file")
        elif key == "port":
            continue  # after security, below
        else:
            out[key] = (DEFAULTS[key], "default")
    if "port" not in out:
        security = str(out["security"][0]).lower()
        out["port"] = (DEFAULT_PORTS.get(security), "default")
    return {key: out[key] for key in ENV_NAMES}

def check_config(data: dict, path: Path | str | None = None) -> None:
    """InputError naming the file and the key for a table or key runload does not read, or a
    table where a value belongs (and the reverse). Values are checked where they are used
    (rules.select, calendar, mail.settings), and all of them by ``runload config check``."""
    from runload.errors import InputError
    smtp_keys = tuple(ENV_NAMES)  # the keys of [smtp], each also from the environment

    def fail(message: str) -> None:
        raise InputError(message, path=path)

    def table(value: object, where: str) -> dict:
        if not isinstance(value, dict):
            fail(f"'{where}' must be a table ([{where}]), not a value")
        return value  # type: ignore[return-value]

    def known(tab: dict, keys: tuple[str, ...], where: str) -> None:
        for key in tab:
            if key not in keys:
                kind = "table" if isinstance(tab[key], dict) else "key"
                name = f"{where}.{key}" if where else key
                shown = f"[{name}]" if kind == "table" else f"'{name}'"
                fail(f"unknown {kind} {shown} ({f'[{where}]' if where else 'the file'} may hold: {', '.join(keys)})")

    def rules_section(value: object, where: str, keys: tuple[str, ...]) -> None:
        sec = table(value, where)
        known(sec, keys, where)
        for key in ("disable", "only", "paths"):
            if key in sec and (not isinstance(sec[key], list) or not all(isinstance(x, str) for x in sec[key])):
                fail(f"'{where}.{key}' must be a list of {'folders' if key == 'paths' else 'rule ids'}")
        for rule_id, o in table(sec.get("override", {}), f"{where}.override").items():
            o = table(o, f"{where}.override.{rule_id}")
            known(o, OVERRIDE_KEYS, f"{where}.override.{rule_id}")
            for key in ("params", "thresholds"):
                if key in o:
                    table(o[key], f"{where}.override.{rule_id}.{key}")
            if "severity" in o and not (isinstance(o["severity"], str) or (
                    isinstance(o["severity"], list) and all(isinstance(x, str) for x in o["severity"]))):
                fail(f"'{where}.override.{rule_id}.severity' must be a severity or a list of severities (one per band)")
            if "enabled" in o and not isinstance(o["enabled"], bool):
                fail(f"'{where}.override.{rule_id}.enabled' must be true or false")

    known(data, TOP_KEYS, "")
    if "week_start" in data and isinstance(data["week_start"], dict):
        fail("'week_start' must be a weekday name, not a table")
    if "rules" in data:
        rules_section(data["rules"], "rules", RULES_KEYS)
    if "smtp" in data:
        smtp = table(data["smtp"], "smtp")
        known(smtp, smtp_keys, "smtp")
        for key, value in smtp.items():
            if isinstance(value, (dict, list)):
                fail(f"'smtp.{key}' must be a single value")
    for athlete_id, ath in table(data.get("athletes", {}), "athletes").items():
        where = f"athletes.{athlete_id}"
        ath = table(ath, where)
        known(ath, ("rules", *ATHLETE_SETTINGS), where)
        if "rules" in ath:
            rules_section(ath["rules"], f"{where}.rules", ATHLETE_RULES_KEYS)
        for key, value in ath.items():
            if key == "rules":
                continue
            want = SETTING_TYPES.get(key, "number")
            ok = (isinstance(value, str) if want == "text" else isinstance(value, bool) if want == "true or false"
                  else isinstance(value, (int, float)) and not isinstance(value, bool))
            if not ok:
                fail(f"'{where}.{key}' must be {'a ' if want != 'true or false' else ''}{want}, not {value!r}")


# ---------------------------------------------------------------- what is in force, and why
@dataclass(frozen=True)
class Setting:
    """One setting in force: its key (``smtp.port``), value, and where it came from: ``default``,
    the config file's path, ``environment NAME`` or ``command line --option``."""

    key: str
    value: object
    source: str


def effective_settings(store_option: str | None = None, store_from: str = "command line --store") -> list[Setting]:
    """Every setting runload would use now, each with where it came from; the config file is
    read (and checked) as every command reads it. The SMTP password is never shown, only
    whether it is set. ``store_option`` is the ``--store`` value given (``store_from`` says how)."""
    from runload.calendar import WEEKDAYS, first_weekday_setting

    env = os.environ
    out: list[Setting] = []
    path = config_path()
    data = load_config()
    exists = path.is_file()
    out.append(Setting("config file", str(path) + ("" if exists else " (none there: defaults apply)"),
                       f"environment {CONFIG_ENV}" if env.get(CONFIG_ENV) else "default"))
    if store_option:
        out.append(Setting("store", str(Path(store_option).expanduser()), store_from))
    elif env.get(STORE_ENV):
        out.append(Setting("store", str(Path(env[STORE_ENV]).expanduser()), f"environment {STORE_ENV}"))
    else:
        out.append(Setting("store", str(default_store_path()), "default"))
    rules_env = env.get(RULES_ENV)
    out.append(Setting("rules folder", str(Path(rules_env).expanduser()) if rules_env else str(default_rules_dir()),
                       f"environment {RULES_ENV}" if rules_env else "default"))
    here = str(path)
    out.append(Setting("week_start", WEEKDAYS[first_weekday_setting(data)],
                       here if "week_start" in data else "default"))
    rules = data.get("rules", {})
    for key in ("disable", "only", "paths"):
        out.append(Setting(f"rules.{key}", list(rules.get(key, [])), here if key in rules else "default"))
    for rule_id, o in sorted(rules.get("override", {}).items()):
        for key, value in o.items():
            out.append(Setting(f"rules.override.{rule_id}.{key}", value, here))
    for key, (value, source) in smtp_values(data, env).items():
        if key == "password" and value is not None:
            value = "(set, not shown)"
        out.append(Setting(f"smtp.{key}", value, here if source == "file" else source))
    for athlete_id, ath in sorted(data.get("athletes", {}).items()):
        for key, value in sorted(_flatten(ath).items()):
            out.append(Setting(f"athletes.{athlete_id}.{key}", value, here))
    for name in ("RUNLOAD_TODAY", "NO_COLOR"):
        if name in env:
            out.append(Setting(name, env[name], f"environment {name}"))
    return out


def _flatten(tab: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in tab.items():
        if isinstance(value, dict) and value:
            out.update(_flatten(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out
