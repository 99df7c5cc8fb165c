"""Build a mail run's messages on every core, each athlete assessed once.

Drawing the charts of a hundred weekly summaries is most of an email run. :func:`prepare`
builds the athletes' summaries in worker processes (each with its own connection to the store
and the run's rulebook); each returns the summary and the athlete's roster line for that week,
so a coach's roster is put together from lines already made, and no athlete is assessed twice.
Sending stays in the calling process, in order, one message at a time (exactly once is the
sent-log's job, not this module's).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date
from typing import Any

from runload.calendar import week_period
from runload.errors import RunloadError
from runload.mail.content import athlete_report, report_content, roster_from_rows
from runload.report.roster import roster_row
from runload.session import Assessor
from runload.store import Store

PARALLEL_FROM = 8  # below this many messages, starting processes costs more than it saves

_ASSESSOR: Any = None


@dataclass(frozen=True)
class Failed:
    """A message whose content could not be built; ``reason`` is for a person."""

    reason: str


def _init(path: str, book: Any) -> None:
    global _ASSESSOR

    _ASSESSOR = Assessor(Store.open(path, create=False), book)


def _summary(athlete_id: str, week: date, today: date, with_content: bool) -> tuple[Any, Any]:
    """(content or Failed or None, roster line or Failed) for one athlete and week."""

    try:
        rep = athlete_report(_ASSESSOR, athlete_id, week, today=today)
    except Exception as exc:  # noqa: BLE001 - one athlete's data never stops another's mail
        failed = Failed(_why(exc))
        return (failed if with_content else None), failed
    row = roster_row(rep, today)
    if not with_content:
        return None, row
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
    """Contents for ``planned`` (index -> Content or :class:`Failed`), built in parallel, or
    None when the run is too small (or the store is in memory) to be worth processes."""
    if workers is None:
        workers = min(os.cpu_count() or 1, 8)
    if len(planned) < PARALLEL_FROM or workers < 2 or str(store.path) == ":memory:":
        return None

    rows: dict[tuple[str, date], Any] = {}
    out: dict[int, Any] = {}
    with ProcessPoolExecutor(max_workers=workers, initializer=_init, initargs=(str(store.path), book)) as pool:
        mails = {i: pool.submit(_summary, p.subject_id, p.week_start, today, True)
                 for i, p in enumerate(planned) if p.kind == "athlete"}
        for i, fut in mails.items():
            content, row = fut.result()
            out[i] = content
            rows[(planned[i].subject_id, planned[i].week_start)] = row
        needed = {(a, p.week_start) for p in planned if p.kind == "roster" for a in p.athlete_ids} - set(rows)
        lines = {key: pool.submit(_summary, key[0], key[1], today, False) for key in sorted(needed)}
        for key, fut in lines.items():
            rows[key] = fut.result()[1]
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
