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


def mail_from_setting(config: Mapping[str, Any] | None = None, env: Mapping[str, str] | None = None) -> str:
    """The sender address: ``RUNLOAD_MAIL_FROM``, else ``[smtp] from``, else runload@localhost;
    InputError when it is not one plain address."""
    from runload.textsafe import check_address

    env = os.environ if env is None else env
    value = env.get("RUNLOAD_MAIL_FROM") or (config or {}).get("smtp", {}).get("from") or "runload@localhost"
    return check_address(str(value).strip(), what="RUNLOAD_MAIL_FROM (or [smtp] from)", local=True)


def smtp_settings(config: Mapping[str, Any] | None = None, env: Mapping[str, str] | None = None) -> SmtpSettings:
    """Settings from ``env`` (default: os.environ) over ``config['smtp']``; InputError if unusable."""
    env = os.environ if env is None else env
    table = dict((config or {}).get("smtp", {}))

    def pick(key: str, default: Any = None) -> Any:
        value = env.get(f"RUNLOAD_SMTP_{key.upper()}")
        return value if value not in (None, "") else table.get(key, default)

    security = str(pick("security", "starttls")).lower()
    if security not in SECURITY:
        raise InputError(f"RUNLOAD_SMTP_SECURITY must be one of {', '.join(SECURITY)}, not {security!r}")
    host = pick("host")
    if not host:
        raise InputError("no mail server set: set RUNLOAD_SMTP_HOST (or [smtp] host in the config file)")
    default_port = {"ssl": 465, "starttls": 587, "none": 25}[security]
    try:
        port = int(pick("port", default_port))
    except (TypeError, ValueError):
        raise InputError("RUNLOAD_SMTP_PORT must be a number") from None
    try:
        retries = int(pick("retries", 3))
        backoff_s = float(pick("backoff_s", 2.0))
    except (TypeError, ValueError):
        raise InputError("RUNLOAD_SMTP_RETRIES and RUNLOAD_SMTP_BACKOFF_S must be numbers") from None
    mail_from = mail_from_setting(config, env)
    return SmtpSettings(host=str(host), port=port, security=security, user=pick("user"),
                        password=pick("password"), mail_from=str(mail_from), cafile=pick("cafile"),
                        retries=max(0, retries), backoff_s=max(0.0, backoff_s))
