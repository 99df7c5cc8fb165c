"""SMTP settings from the environment and the config file's ``[smtp]`` table.

The environment wins over the file. The password is read from ``RUNLOAD_SMTP_PASSWORD`` (or the
config file the user wrote); runload never writes it anywhere and never logs it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from runload.errors import InputError

SECURITY = ("ssl", "starttls", "none")


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    security: str = "starttls"
    user: str | None = None
    password: str | None = field(default=None, repr=False)  # never printed
    mail_from: str = "runload@localhost"
    cafile: str | None = None
    timeout_s: float = 30.0
    retries: int = 3
    backoff_s: float = 2.0


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


def mail_from_setting(config: Mapping[str, Any] | None = None, env: Mapping[str, str] | None = None) -> str:
    """The sender address: ``RUNLOAD_MAIL_FROM``, else ``[smtp] from``, else runload@localhost;
    InputError when it is not one plain address."""
    from runload.textsafe import check_address

    value = smtp_values(config, env)["from"][0] or DEFAULTS["from"]
    return check_address(str(value).strip(), what="RUNLOAD_MAIL_FROM (or [smtp] from)", local=True)


def smtp_settings(config: Mapping[str, Any] | None = None, env: Mapping[str, str] | None = None) -> SmtpSettings:
    """Settings from ``env`` (default: os.environ) over ``config['smtp']``; InputError if unusable."""
    values = smtp_values(config, env)

    def pick(key: str) -> Any:
        return values[key][0]

    def named(key: str) -> str:
        """Where the value the message is about was set: the variable, or the file's key."""
        source = values[key][1]
        return ENV_NAMES[key] if source.startswith("environment") else f"[smtp] {key} in the config file"

    def number(key: str, kind: type) -> Any:
        value = pick(key)
        try:
            if isinstance(value, bool):
                raise ValueError
            return kind(value)
        except (TypeError, ValueError):
            raise InputError(f"{named(key)} must be a number, not {value!r}") from None

    security = str(pick("security")).lower()
    if security not in SECURITY:
        raise InputError(f"{named('security')} must be one of {', '.join(SECURITY)}, not {security!r}")
    host = pick("host")
    if not host:
        raise InputError("no mail server set: set RUNLOAD_SMTP_HOST (or [smtp] host in the config file)")
    port = number("port", int)
    retries = number("retries", int)
    backoff_s = number("backoff_s", float)
    mail_from = mail_from_setting(config, env)
    return SmtpSettings(host=str(host), port=port, security=security, user=pick("user"),
                        password=pick("password"), mail_from=str(mail_from), cafile=pick("cafile"),
                        retries=max(0, retries), backoff_s=max(0.0, backoff_s))
