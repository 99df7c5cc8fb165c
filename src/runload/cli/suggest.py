""""Did you mean ...?" for a mistyped command, athlete id or time zone, and the click group every
``runload`` command group is (it suggests the commands it holds)."""

from __future__ import annotations

from collections.abc import Iterable

import click


def close_matches(given: str, known: Iterable[str], n: int = 3) -> list[str]:
    """The names in ``known`` closest to ``given`` (case aside), best first: at most ``n``, and
    only those about as close as the best one (a typo has one answer, not three)."""
    import difflib  # only for a name that is not known: every command starts without it

    by_folded: dict[str, str] = {}
    for name in known:
        by_folded.setdefault(name.casefold(), name)
    folded = given.casefold()
    found = difflib.get_close_matches(folded, list(by_folded), n=n, cutoff=0.6)
    if not found:
        return []
    best = difflib.SequenceMatcher(None, found[0], folded).ratio()
    return [by_folded[f] for f in found if difflib.SequenceMatcher(None, f, folded).ratio() >= best - 0.05]


def did_you_mean(given: str, known: Iterable[str]) -> str:
    """``": did you mean 'maya'?"``, or ``""`` when nothing in ``known`` is close to ``given``."""
    found = close_matches(given, known)
    if not found:
        return ""
    return ": did you mean " + " or ".join(f"'{m}'" for m in found) + "?"


class SuggestingGroup(click.Group):
    """A command group that names the closest commands when given one it does not hold
    (``runload atlete``: "No such command 'atlete'. Did you mean 'athlete'?"). It is click's own
    suggestion where the installed click has one (8.4 and later; options it suggests by itself),
    else the same words from :func:`close_matches`; a group that loads its commands lazily
    (``runload`` itself) gets them too, as it lists them."""

    def resolve_command(self, ctx: click.Context, args: list[str]) -> tuple[str | None, click.Command | None,
                                                                              list[str]]:
        name = click.utils.make_str(args[0]) if args else ""
        if (name and not name.startswith("-") and not ctx.resilient_parsing
                and self.get_command(ctx, name) is None):
            known = self.list_commands(ctx)
            no_such = getattr(click.exceptions, "NoSuchCommand", None)
            if no_such is not None:
                raise no_such(name, possibilities=known, ctx=ctx)
            found = close_matches(name, known)
            ctx.fail(f"No such command {name!r}." + (f" Did you mean {' or '.join(map(repr, found))}?"
                                                     if found else ""))
        return super().resolve_command(ctx, args)
