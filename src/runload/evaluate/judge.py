"""Every judged day through the product's own :func:`runload.assess.assess`, on any engine.

A part of the cases (:meth:`split`) is one work unit: :func:`judge_part` assesses each of its
days ``as_of`` that day and keeps, per day, the status level and the highest severity each rule
reached among the findings current that day (a finding's supporting findings count for their own
rules: one event, one finding, but every rule that saw it). Nothing else leaves the worker, so
the words of a finding are never needed beyond what the engine renders anyway.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any, Protocol

from runload.assess import assess
from runload.evaluate.labelled import Cases
from runload.rules.book import Rulebook

#: One judged day as it leaves a worker: athlete, day ordinal, status rank, (rule id, severity rank) pairs.
Row = tuple[str, int, int, tuple[tuple[str, int], ...]]


class Engine(Protocol):
    """Where the parts are judged (runload.batch's engines): ``map(fn, parts, shared)`` gives
    ``[fn(shared, part) for part in parts]``, in order."""

    def map(self, fn: Callable[[Any, Any], Any], units: Sequence[Any], shared: Any = None) -> list[Any]: ...

PART_DAYS = 400  # judged days per work unit: big enough that pickling is cheap beside assess()
BATCH_PARTS = 32  # parts per engine map between two progress reports


@dataclass(frozen=True)
class Judgement:
    """One judged day: the athlete, the day, the status rank
    (:func:`runload.models.level_rank`) and ``{rule_id: severity rank}`` of the rules current."""

    athlete_id: str
    day: date
    status: int
    flags: Mapping[str, int]


def books_by_weekday(book: Rulebook) -> dict[int | None, Rulebook]:
    """The rulebook with each first weekday (a case may be judged with weeks of its own)."""
    out: dict[int | None, Rulebook] = {None: book}
    for k in range(7):
        out[k] = book if k == book.first_weekday else replace(book, first_weekday=k, _per_athlete={})
    return out


def judge_part(books: Mapping[int | None, Rulebook], part: Cases) -> list[Row]:
    """The judgements of one part, as plain tuples (athlete, day ordinal, status rank, flags)."""
    out = []
    for case in part:
        book = books[case.first_weekday]
        for day in case.days:
            a = assess(case.data, book, day)
            flags: dict[str, int] = {}
            for f in a.current:
                for g in (f, *f.supporting):
                    r = g.severity.rank
                    if flags.get(g.rule_id, -1) < r:
                        flags[g.rule_id] = r
            out.append((case.data.athlete.id, day.toordinal(), a.status.rank, tuple(sorted(flags.items()))))
    return out


def judge(cases: Cases, book: Rulebook, engine: Engine | None = None, *, part_days: int = PART_DAYS,
          progress: Callable[[int], None] | None = None) -> list[Judgement]:
    """Every day of ``cases`` judged with ``book`` on ``engine`` (serial when None); the same
    judgements in the same order whatever the engine. ``progress(n)`` hears of every ``n``
    days judged (after each batch of parts an engine returns)."""
    books = books_by_weekday(book)
    parts = cases.split(part_days)
    results: list[list[Row]] = []
    # an engine gets a batch of parts at a time (each part is one unit), so progress can be shown
    batch = 1 if engine is None else BATCH_PARTS
    for i in range(0, len(parts), batch):
        chunk = parts[i:i + batch]
        done = [judge_part(books, p) for p in chunk] if engine is None else engine.map(judge_part, chunk, books)
        results.extend(done)
        if progress is not None:
            progress(sum(len(r) for r in done))
    return [Judgement(a, date.fromordinal(d), s, dict(f)) for part in results for a, d, s, f in part]
