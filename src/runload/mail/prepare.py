"""Build a mail run's messages on every core, each athlete assessed once.

Drawing the charts of a hundred weekly summaries is most of an email run. :func:`prepare`
builds the athletes' summaries over the session's worker processes (each with its own
connection to the store and the run's rulebook), after building the first one itself (so the
workers start with Pillow, the fonts and the templates loaded); each returns the summary and
the athlete's roster line for that week, so a coach's roster is put together from lines
already made, and no athlete is assessed twice.
Sending stays in the calling process, in order, one message at a time (exactly once is the
sent-log's job, not this module's).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from runload.calendar import week_period
from runload.errors import RunloadError
from runload.mail.content import athlete_report, athlete_row, report_content, roster_from_rows
from runload.report.roster import roster_row
from runload.session import Assessor

PARALLEL_FROM = 8  # below this many messages, starting processes costs more than it saves


@dataclass(frozen=True)
class Failed:
    """A message whose content could not be built; ``reason`` is for a person."""

    reason: str


def _summaries(assessor: Assessor, athlete_id: str, wanted: dict[str, list[tuple[date, bool]]], today: date
               ) -> dict[date, tuple[Any, Any]]:
    """{week: (content or Failed or None, roster line or Failed)} of one athlete, for each week
    ``wanted`` names (with its content, or only its roster line)."""
    return {week: _summary(assessor, athlete_id, week, today, with_content)
            for week, with_content in wanted[athlete_id]}


def _summary(assessor: Assessor, athlete_id: str, week: date, today: date, with_content: bool) -> tuple[Any, Any]:
    """(content or Failed or None, roster line or Failed) for one athlete and week."""

    try:
        if not with_content:  # a line in a coach's roster only: no report built for it
            return None, athlete_row(assessor, athlete_id, week, today=today)
        rep = athlete_report(assessor, athlete_id, week, today=today)
    except Exception as exc:  # noqa: BLE001 - one athlete's data never stops another's mail
        failed = Failed(_why(exc))
        return (failed if with_content else None), failed
    row = roster_row(rep, today)
    try:
        return report_content(rep, week), row
    except Exception as exc:  # noqa: BLE001
        return Failed(_why(exc)), row


def _why(exc: Exception) -> str:
    if isinstance(exc, RunloadError):
        return str(exc)
    return "runload could not handle some of the stored data"


def prepare(store: Any, book: Any, planned: Sequence[Any], *, today: date, workers: int | None = None
            ) -> dict[int, Any] | None:
    """Contents for ``planned`` (index -> Content or :class:`Failed`), built in parallel over
    the athletes (the session's one fan-out, :meth:`runload.session.Assessor.map`), or None when
    the run is too small (or the store is in memory) to be worth processes."""
    if workers is None:
        workers = min(os.cpu_count() or 1, 8)
    if len(planned) < PARALLEL_FROM or workers < 2 or str(store.path) == ":memory:":
        return None

    wanted: dict[str, dict[date, bool]] = {}  # athlete: {week: its mail's content too?}
    for p in planned:
        if p.kind == "athlete":
            wanted.setdefault(p.subject_id, {})[p.week_start] = True
    for p in planned:
        if p.kind == "roster":
            for a in p.athlete_ids:
                wanted.setdefault(a, {}).setdefault(p.week_start, False)
    ids = sorted(wanted)
    weeks = {a: sorted(wanted[a].items()) for a in ids}
    # The first summary is built here, before the workers start: what every one of them needs
    # (Pillow, the fonts, the report's templates, the labels and markers the charts share) is
    # then loaded once for the run, not once in each worker.
    first = next((a for a in ids if any(wanted[a].values())), None)
    made = {first: _summaries(Assessor(store, book), first, weeks, today)} if first is not None else {}
    rest = [a for a in ids if a != first]
    if rest:
        made.update(zip(rest, Assessor(store, book).map(_summaries, rest, weeks, today, workers=workers)))
    rows = {(a, week): row for a in ids for week, (_content, row) in made[a].items()}
    out: dict[int, Any] = {i: made[p.subject_id][p.week_start][0]
                           for i, p in enumerate(planned) if p.kind == "athlete"}
    for i, p in enumerate(planned):
        if p.kind != "roster":
            continue
        got = [rows[(a, p.week_start)] for a in p.athlete_ids]
        bad = next((r for r in got if isinstance(r, Failed)), None)
        if bad is not None:
            out[i] = bad
            continue
        out[i] = roster_from_rows(p.coach_name or p.subject_id, got, week_period(p.week_start, book.first_weekday),
                                  today=today)
    return out
