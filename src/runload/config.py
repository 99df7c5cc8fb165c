"""Where things live: the store, the rules, the config file; what the config file may hold.

Precedence for the store: ``--store PATH`` option, then ``RUNLOAD_STORE``, then the per-user
data directory (platformdirs), found by :mod:`runload.places`. :func:`load_config` reads the config file and checks its shape
(:func:`check_config`): a table or key runload does not read is an error naming it and the file,
never silently ignored. :func:`effective_settings` says what each setting is and where it came
from (``runload config show``).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from platformdirs import user_config_path

from runload.calendar import WEEKDAYS, first_weekday_setting
from runload.errors import InputError
from runload.places import APP_NAME, STORE_ENV, default_store_path
from runload.textfile import read_utf8

RULES_ENV = "RUNLOAD_RULES"


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
    return user_config_path(APP_NAME, appauthor=False) / "config.toml"


def load_config(path: Path | None = None) -> dict[str, Any]:
    """The config file's tables, or {} when there is none. A broken file, or one holding a table
    or key runload does not read, is an InputError naming the file (see :func:`check_config`)."""
    path, data = _read_config(path)
    check_config(data, path)
    return data


def _read_config(path: Path | None = None) -> tuple[Path, dict[str, Any]]:
    named = path is not None or bool(os.environ.get(CONFIG_ENV))
    path = path or config_path()
    if not os.path.lexists(path):
        if named:  # a config the user pointed at explicitly must exist: a typo is not "no config"
            raise InputError("no such config file (set by RUNLOAD_CONFIG)", path=path)
        return path, {}
    text = read_utf8(path, what="config file", max_bytes=MAX_CONFIG_BYTES)  # a device or a pipe is refused
    import tomllib  # noqa: PLC0415 - only when there is a file to read: finding the store path needs no TOML parser

    try:
        return path, tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"not valid TOML: {exc}", path=path) from None


# ---------------------------------------------------------------- what the file may hold
@dataclass(frozen=True)
class Kind:
    """What a key's value must be: ``accepts`` tells, ``must`` says it in an error's words
    (``{where}`` is the key, ``{value!r}`` the value given)."""

    name: str
    accepts: Callable[[object], bool]
    must: str


def _is_number(v: object) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _is_texts(v: object) -> bool:
    return isinstance(v, list) and all(isinstance(x, str) for x in v)


TABLE = Kind("table", lambda v: isinstance(v, dict), "a table ([{where}]), not a value")
#: A table whose keys are not declared here: a rule's params and thresholds (runload.rules.select
#: checks them against the rule).
FREE_TABLE = Kind("table", lambda v: isinstance(v, dict), "a table ([{where}]), not a value")
NUMBER = Kind("number", _is_number, "a number, not {value!r}")
TEXT = Kind("text", lambda v: isinstance(v, str), "a text, not {value!r}")
BOOL = Kind("true or false", lambda v: isinstance(v, bool), "true or false, not {value!r}")
SINGLE = Kind("value", lambda v: not isinstance(v, (dict, list)), "a single value")
WEEKDAY = Kind("weekday", lambda v: not isinstance(v, dict), "a weekday name, not a table")
RULE_IDS = Kind("rule ids", _is_texts, "a list of rule ids")
FOLDERS = Kind("folders", _is_texts, "a list of folders")
SEVERITIES = Kind("severities", lambda v: isinstance(v, str) or _is_texts(v),
                  "a severity or a list of severities (one per band)")

ANY = "*"  # a table name the file chooses: an athlete id, a rule id


@dataclass(frozen=True)
class Setting:
    """One key the config file may hold: the table it sits in (``""`` for the top of the file,
    ``*`` for a name the file chooses, as ``athletes.*``), its name, the kind of value, the
    default, what it does, and the environment variable that wins over the file (``[smtp]``)."""

    table: str
    name: str
    kind: Kind
    default: object = None
    help: str = ""
    env: str | None = None

    @property
    def key(self) -> str:
        """The dotted key, ``smtp.port`` or ``athletes.*.min_base_km``."""
        return f"{self.table}.{self.name}" if self.table else self.name


def _rules_settings(table: str, *, paths: bool) -> list[Setting]:
    """``[rules]`` and ``[athletes.ID.rules]`` (runload.rules.select): the same keys, extra rule
    folders only at the top."""
    over = f"{table}.override.{ANY}"
    return [
        Setting(table, "disable", RULE_IDS, [], "rules not to run"),
        Setting(table, "only", RULE_IDS, [], "run only these rules"),
        *([Setting(table, "paths", FOLDERS, [], "more folders of rule files")] if paths else []),
        Setting(table, "override", TABLE, {}, "changes to a rule, by rule id"),
        Setting(f"{table}.override", ANY, TABLE, help="the changes to one rule"),
        Setting(over, "params", FREE_TABLE, help="the rule's parameters"),
        Setting(over, "severity", SEVERITIES, help="the severity of each band"),
        Setting(over, "thresholds", FREE_TABLE, help="the threshold of each band, by severity"),
        Setting(over, "enabled", BOOL, help="false turns the rule off"),
    ]


def _smtp(name: str, env: str, default: object, help: str) -> Setting:
    return Setting("smtp", name, SINGLE, default, help, env)


def _athlete(name: str, help: str, kind: Kind = NUMBER) -> Setting:
    """A metric setting of ``[athletes.ID]``: the metrics read it after a rule's own params
    (runload.rules.load_metrics ``_setting``), so each rule's default applies when it is unset."""
    return Setting(f"athletes.{ANY}", name, kind, None, help)


#: Every key the config file may hold, each table's in the order an error lists them. The
#: checker (:func:`check_config`), ``[smtp]``'s environment and defaults (:func:`smtp_values`) and
#: ``runload config show`` (:func:`effective_settings`) all read this list.
SETTINGS: tuple[Setting, ...] = (
    Setting("", "week_start", WEEKDAY, "monday", "the first day of the week (a weekday name or 0-6)"),
    Setting("", "rules", TABLE, help="which rules run, and changes to them"),
    Setting("", "smtp", TABLE, help="the mail server (runload email); the environment wins over it"),
    Setting("", "athletes", TABLE, help="settings of one athlete, by athlete id"),
    *_rules_settings("rules", paths=True),
    # [smtp], read by runload.mail.settings, which checks the values
    _smtp("host", "RUNLOAD_SMTP_HOST", None, "the mail server"),
    _smtp("port", "RUNLOAD_SMTP_PORT", None, "its port (default: 465 for ssl, 587 for starttls, 25 for none)"),
    _smtp("security", "RUNLOAD_SMTP_SECURITY", "starttls", "ssl, starttls or none"),
    _smtp("user", "RUNLOAD_SMTP_USER", None, "the login"),
    _smtp("password", "RUNLOAD_SMTP_PASSWORD", None, "the password (never shown)"),
    _smtp("cafile", "RUNLOAD_SMTP_CAFILE", None, "certificates to trust instead of the system's"),
    _smtp("retries", "RUNLOAD_SMTP_RETRIES", 3, "tries after a failed send"),
    _smtp("backoff_s", "RUNLOAD_SMTP_BACKOFF_S", 2.0, "seconds before the first retry (doubling)"),
    _smtp("from", "RUNLOAD_MAIL_FROM", "runload@localhost", "the sender address"),
    Setting("athletes", ANY, TABLE, help="one athlete's settings"),
    Setting(f"athletes.{ANY}", "rules", TABLE, help="which rules run for the athlete, and changes to them"),
    # tests/config/test_config_file.py keeps these equal to what the metrics read
    _athlete("acute_days", "the acute window of the load ratio, in days"),
    _athlete("baseline_days", "days of runs the cadence baseline is taken from"),
    _athlete("baseline_weeks", "weeks the hard-running share is compared with"),
    _athlete("chronic_days", "the chronic window of the load ratio, in days"),
    _athlete("latest_only", "judge the rolling 7 days on the last day with data only", BOOL),
    _athlete("load", "the load measure (distance, duration, srpe, trimp)", TEXT),
    _athlete("method", "the load ratio's method (rac, ewma, uncoupled)", TEXT),
    _athlete("min_base_km", "the smallest reference week a rise is judged on, in km"),
    _athlete("min_baseline_weeks", "weeks of hard-running share needed before it is judged"),
    _athlete("min_ctl", "the smallest fitness a ramp is judged on"),
    _athlete("min_days", "days of history (or of a gap) a rule needs"),
    _athlete("min_runs", "matched runs the cadence baseline needs"),
    _athlete("retire_at_km", "the distance at which a shoe is worn out, in km"),
    _athlete("silence_days", "days without a run after which the load ratio says nothing"),
    _athlete("speed_tolerance_pct", "how close in speed runs for the cadence baseline are, in percent"),
    _athlete("threshold_pace_s_per_km", "the pace from which running is hard, in seconds per km"),
    _athlete("window_days", "the rolling window of the 7-day progression, in days"),
    _athlete("zone4_fraction", "the share of maximum heart rate where zone 4 starts"),
    *_rules_settings(f"athletes.{ANY}.rules", paths=False),
)


def settings_in(table: str) -> tuple[Setting, ...]:
    """The settings of one table (``smtp``, ``athletes.*``), in their order."""
    return tuple(s for s in SETTINGS if s.table == table)


#: Metric settings of ``[athletes.ID]`` (``min_base_km`` also sets the weekly frame's base).
ATHLETE_SETTINGS: tuple[str, ...] = tuple(s.name for s in settings_in(f"athletes.{ANY}") if s.name != "rules")
# ``[smtp]``: where each key can also come from (the environment, which wins over the file), and
# the defaults; the default port follows the security.
ENV_NAMES: dict[str, str] = {s.name: s.env for s in settings_in("smtp") if s.env}
DEFAULTS: dict[str, Any] = {s.name: s.default for s in settings_in("smtp") if s.name != "port"}
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


def check_config(data: Mapping[str, Any], path: Path | str | None = None) -> None:
    """InputError naming the file and the key for a table or key runload does not read, or a
    value of the wrong kind (a table where a value belongs, and the reverse), from
    :data:`SETTINGS`. Values are checked where they are used (rules.select, calendar,
    mail.settings), and all of them by ``runload config check``."""
    _check_table(data, "", "", path)


def _check_table(tab: Mapping[str, Any], table: str, where: str, path: Path | str | None) -> None:
    """Check the keys of ``tab`` (the file's ``where``, declared as ``table``) and, a table at a
    time, what they hold."""
    declared = settings_in(table)
    names = [s.name for s in declared]
    if ANY not in names:
        for key in tab:
            if key not in names:
                kind = "table" if isinstance(tab[key], dict) else "key"
                name = f"{where}.{key}" if where else key
                shown = f"[{name}]" if kind == "table" else f"'{name}'"
                raise InputError(f"unknown {kind} {shown} ({f'[{where}]' if where else 'the file'} may hold: "
                                 f"{', '.join(names)})", path=path)
    for s in declared:
        for key in (list(tab) if s.name == ANY else [s.name] if s.name in tab else []):
            value = tab[key]
            here = f"{where}.{key}" if where else key
            if not s.kind.accepts(value):
                raise InputError(f"'{here}' must be " + s.kind.must.format(where=here, value=value), path=path)
            if s.kind is TABLE:
                _check_table(value, s.key, here, path)


# ---------------------------------------------------------------- what is in force, and why
@dataclass(frozen=True)
class InForce:
    """One setting in force: its key (``smtp.port``), value, and where it came from: ``default``,
    the config file's path, ``environment NAME`` or ``command line --option``."""

    key: str
    value: object
    source: str


def effective_settings(store_option: str | None = None, store_from: str = "command line --store") -> list[InForce]:
    """Every setting runload would use now, each with where it came from; the config file is
    read (and checked) as every command reads it. The SMTP password is never shown, only
    whether it is set. ``store_option`` is the ``--store`` value given (``store_from`` says how)."""
    env = os.environ
    out: list[InForce] = []
    path = config_path()
    data = load_config()
    exists = path.is_file()
    out.append(InForce("config file", str(path) + ("" if exists else " (none there: defaults apply)"),
                       f"environment {CONFIG_ENV}" if env.get(CONFIG_ENV) else "default"))
    if store_option:
        out.append(InForce("store", str(Path(store_option).expanduser()), store_from))
    elif env.get(STORE_ENV):
        out.append(InForce("store", str(Path(env[STORE_ENV]).expanduser()), f"environment {STORE_ENV}"))
    else:
        out.append(InForce("store", str(default_store_path()), "default"))
    rules_env = env.get(RULES_ENV)
    out.append(InForce("rules folder", str(Path(rules_env).expanduser()) if rules_env else str(default_rules_dir()),
                       f"environment {RULES_ENV}" if rules_env else "default"))
    here = str(path)
    out.append(InForce("week_start", WEEKDAYS[first_weekday_setting(data)],
                       here if "week_start" in data else "default"))
    rules = data.get("rules", {})
    for s in settings_in("rules"):
        if s.kind is not TABLE:
            out.append(InForce(s.key, rules.get(s.name, s.default), here if s.name in rules else "default"))
    for rule_id, o in sorted(rules.get("override", {}).items()):
        for key, value in o.items():
            out.append(InForce(f"rules.override.{rule_id}.{key}", value, here))
    for key, (value, source) in smtp_values(data, env).items():
        if key == "password" and value is not None:
            value = "(set, not shown)"
        out.append(InForce(f"smtp.{key}", value, here if source == "file" else source))
    for athlete_id, ath in sorted(data.get("athletes", {}).items()):
        for key, value in sorted(_flatten(ath).items()):
            out.append(InForce(f"athletes.{athlete_id}.{key}", value, here))
    for name in ("RUNLOAD_TODAY", "NO_COLOR"):
        if name in env:
            out.append(InForce(name, env[name], f"environment {name}"))
    return out


def _flatten(tab: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in tab.items():
        if isinstance(value, dict) and value:
            out.update(_flatten(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out
