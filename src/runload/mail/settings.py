"""SMTP settings from the environment and the config file's ``[smtp]`` table.

The environment wins over the file. The password is read from ``RUNLOAD_SMTP_PASSWORD`` (or the
config file the user wrote); runload never writes it anywhere and never logs it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

# the [smtp] keys, their defaults and the security choices are declared with the others
from runload.config import DEFAULT_PORTS, DEFAULTS, ENV_NAMES, smtp_values
from runload.errors import InputError
from runload.textsafe import check_address

SECURITY: tuple[str, ...] = tuple(DEFAULT_PORTS)  # each security has its default port


@dataclass(frozen=True)
class SmtpSettings:
    """The mail server's settings, checked; the defaults are :data:`runload.config.SETTINGS`'."""

    host: str
    port: int
    security: str = DEFAULTS["security"]
    user: str | None = None
    password: str | None = field(default=None, repr=False)  # never printed
    mail_from: str = DEFAULTS["from"]
    cafile: str | None = None
    timeout_s: float = 30.0
    retries: int = DEFAULTS["retries"]
    backoff_s: float = DEFAULTS["backoff_s"]


def mail_from_setting(config: Mapping[str, Any] | None = None, env: Mapping[str, str] | None = None) -> str:
    """The sender address: ``RUNLOAD_MAIL_FROM``, else ``[smtp] from``, else runload@localhost;
    InputError when it is not one plain address."""

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
