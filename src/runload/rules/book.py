"""The rules and the config, loaded once per process and passed to every assessment.

:meth:`Rulebook.load` reads the config file and every rule file (the bundled ``rules/`` and the
config's extra folders) once; :meth:`Rulebook.for_athlete` gives one athlete's rules after the
config's selection and overrides, and their metric settings. A Rulebook is plain data (it pickles
to worker processes) and touches no file after loading.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from runload.calendar import first_weekday_setting
from runload.config import config_path, default_rules_dir, load_config
from runload.errors import InputError
from runload.rules.schema import Rule, load_rules
from runload.rules.select import athlete_settings, extra_rule_paths, select_rules


@dataclass(frozen=True)
class Rulebook:
    """Every loaded rule, the config they were selected with, and the first weekday."""

    rules: tuple[Rule, ...]
    config: Mapping[str, Any] = field(default_factory=dict)
    first_weekday: int = 0
    _per_athlete: dict[str, tuple[tuple[Rule, ...], dict[str, Any]]] = field(
        default_factory=dict, repr=False, compare=False)

    @classmethod
    def load(cls, config: Mapping[str, Any] | None = None, paths: Sequence[str | Path] | None = None) -> "Rulebook":
        """Read the config (``runload.config.load_config`` unless given) and the rule files
        (the bundled ``rules/`` and the config's ``rules.paths``, unless ``paths`` is given)."""
        from_file = config is None
        config = load_config() if config is None else config
        if paths is None:
            paths = [default_rules_dir(), *extra_rule_paths(config)]
        book = cls(tuple(load_rules(paths)), config, first_weekday_setting(config))
        try:
            select_rules(book.rules, config)  # a bad [rules] section is an error now, not per athlete
            for athlete_id in config.get("athletes", {}):  # and so is a bad [athletes.ID.rules]
                select_rules(book.rules, config, athlete_id)
        except InputError as err:
            if from_file and err.path is None:
                raise InputError(err.message, path=config_path()) from None
            raise
        return book

    @classmethod
    def of(cls, rules: Sequence[Rule], config: Mapping[str, Any] | None = None) -> "Rulebook":
        """A Rulebook of rules already loaded (tests, notebooks, rule examples)."""
        config = dict(config or {})
        return cls(tuple(rules), config, first_weekday_setting(config))

    def for_athlete(self, athlete_id: str | None) -> tuple[tuple[Rule, ...], dict[str, Any]]:
        """The enabled rules for ``athlete_id`` after ``[rules]`` and ``[athletes.ID.rules]``,
        and the athlete's metric settings (``[athletes.ID]`` keys other than ``rules``)."""
        key = athlete_id or ""
        if key not in self._per_athlete:
            self._per_athlete[key] = (tuple(select_rules(self.rules, self.config, athlete_id)),
                                      athlete_settings(self.config, athlete_id))
        return self._per_athlete[key]
