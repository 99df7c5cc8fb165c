"""``runload config check``: whether the configuration in force is usable, line by line.

It reads more than the config file: the rule files it selects (through the rulebook), the mail
settings, and the store's athletes, so it sits above all of them and not in :mod:`runload.config`,
which everything else reads and which therefore imports none of them.
"""

from __future__ import annotations

import os
from pathlib import Path

from runload.calendar import first_weekday_setting
from runload.config import ENV_NAMES, config_path, load_config
from runload.errors import StoreError
from runload.mail.settings import mail_from_setting, smtp_settings
from runload.places import resolve_store_path
from runload.rules.book import Rulebook
from runload.store import Store


def check_settings(store_option: str | None = None) -> list[str]:
    """What ``runload config check`` says of a usable configuration, line by line; raises
    InputError (naming the file and the key) at the first thing that is not usable: the file's
    shape, the rules it selects or tunes (for every athlete it names), the week start and the
    mail settings (checked in full when a mail server is set anywhere)."""
    path = config_path()
    data = load_config()
    lines = [f"Config file {path}: " + ("OK" if path.is_file() else "none there, every setting is its default")]
    book = Rulebook.load()  # reads the file again, as every command does
    first_weekday_setting(data)
    lines.append(f"Rules: {len(book.rules)} loaded, {len(book.for_athlete(None)[0])} in use")
    if os.environ.get(ENV_NAMES["host"]) or data.get("smtp", {}).get("host"):
        s = smtp_settings(data)
        lines.append(f"Mail: {s.host}:{s.port} ({s.security}), from {s.mail_from}")
    else:
        mail_from_setting(data)
        lines.append("Mail: no server set (runload email needs RUNLOAD_SMTP_HOST or [smtp] host)")
    named = sorted(data.get("athletes", {}))
    for athlete_id in named:
        rules, _settings = book.for_athlete(athlete_id)
        for key in sorted(data["athletes"][athlete_id]):
            shadowing = [r.id for r in rules if key in r.params]
            if key != "rules" and shadowing:
                # a rule's own params win over the athlete's settings (runload.rules.load_metrics _setting)
                lines.append(f"Warning: [athletes.{athlete_id}] {key}: rules {', '.join(shadowing)} set it in their "
                             f"own params, which win; for them use [athletes.{athlete_id}.rules.override.RULE] params")
    if named:
        store = resolve_store_path(store_option)
        ids = _athlete_ids(store)
        if ids is not None:
            for athlete_id in named:
                if athlete_id not in ids:
                    lines.append(f"Warning: [athletes.{athlete_id}] names no athlete in the store {store} "
                                 "(its settings apply to nobody there)")
    return lines


def _athlete_ids(path: Path) -> set[str] | None:
    """The athlete ids in the store at ``path``, or None when there is no store to look in."""
    if not path.is_file():
        return None
    try:
        with Store.open(path, create=False) as store:
            return {a.id for a in store.list_athletes()}
    except StoreError:
        return None
