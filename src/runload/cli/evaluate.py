"""runload evaluate"""

from __future__ import annotations

import sys
from typing import Any

import click

from runload.cli.batch import engine_options
from runload.cli.options import Output, athletes_option, output_options

FORMATS = ["text", "md", "json", "csv", "html"]  # runload.evaluate.render.FORMATS, without importing it
LAYOUTS = ["lovdal-day", "lovdal-week"]


@click.command("evaluate")
@click.argument("file", required=False, type=click.Path(dir_okay=False))
@click.option("--layout", type=click.Choice(LAYOUTS), help="FILE is a Lövdal et al. 2021 file in this layout.")
@click.option("--training", type=click.Path(dir_okay=False),
              help="Training CSV: athlete,date,distance_km (duration_min, rpe, hr_avg, km_hard optional).")
@click.option("--injuries", type=click.Path(dir_okay=False),
              help="Injuries CSV: athlete,date (the onset; body_part, days_lost optional).")
@click.option("--store", "store", is_flag=False, flag_value="", default=None, metavar="[PATH]",
              help="Evaluate the store (this one, or the usual store) with pain episodes reaching 5/10 or a red "
                   "flag as the events.")
@athletes_option("With --store: only these athletes (repeatable).")
@click.option("--horizon", "horizons", type=click.IntRange(1, 365), multiple=True,
              help="Days after a judged day an injury counts (repeatable; default 7, 14 and 28).")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the cluster bootstrap.")
@output_options(FORMATS)
@engine_options
@click.pass_context
def evaluate(ctx: click.Context, file: str | None, layout: str | None, training: str | None, injuries: str | None,
             store: str | None, athlete_ids: tuple[str, ...], horizons: tuple[int, ...], seed: int, out: Output,
             engine: str, workers: int | None, scheduler: str | None) -> None:
    """Measure the warnings against the injuries that followed them: for each rule and severity,
    and for the status, the share of athlete-days and athlete-weeks flagged, the injury rate in
    the next days when flagged and when not, the relative risk with a 95% cluster-bootstrap
    interval by athlete, sensitivity, PPV, and the status level's AUC. Every day is judged by
    the same assessment `runload check` gives, with only what was known that day.

    \b
    runload evaluate --training sessions.csv --injuries injuries.csv
    runload evaluate --layout lovdal-week data/lovdal/week_approach.csv.gz
    runload evaluate --store --athlete ana
    """
    from runload.errors import InputError

    sources = [layout is not None or file is not None, training is not None or injuries is not None,
               store is not None]
    if sum(sources) != 1:
        raise InputError("give one source: --layout LAYOUT FILE, --training FILE --injuries FILE, or --store")
    if athlete_ids and store is None:
        raise InputError("--athlete goes with --store")
    labelled = _read(ctx, file, layout, training, injuries, store, athlete_ids)
    from runload.evaluate.evaluation import HORIZONS, evaluate as run_evaluation
    from runload.evaluate.render import render
    from runload.rules.book import Rulebook

    book = Rulebook.load()
    eng = None
    if engine == "dask" or (workers or 0) > 1 or (workers is None and len(labelled.cases) > 1):
        from runload.batch.engines import make_engine

        eng = make_engine(engine, workers=workers, scheduler=scheduler)
    try:
        ev = run_evaluation(labelled, book, horizons=sorted(set(horizons)) or HORIZONS, seed=seed, engine=eng,
                            progress=_progress(labelled))
    finally:
        if eng is not None:
            eng.close()
        _progress_done()
    out.write(render(ev, out.format))


def _read(ctx: click.Context, file: str | None, layout: str | None, training: str | None, injuries: str | None,
          store: str | None, athlete_ids: tuple[str, ...]) -> Any:
    from runload.errors import InputError

    if store is not None:
        from runload.cli._common import open_store
        from runload.evaluate import squad

        if store:
            ctx.ensure_object(dict)["store"] = store
        with open_store(ctx) as st:  # an unknown athlete is an error naming it
            return squad.read(st, athlete_ids or None)
    if training is not None or injuries is not None:
        if training is None or injuries is None:
            raise InputError("--training and --injuries go together")
        from runload.evaluate import generic

        return generic.read(training, injuries)
    if layout is None or file is None:
        raise InputError("--layout needs a FILE, and a FILE needs --layout (lovdal-day or lovdal-week)")
    from runload.evaluate import lovdal

    return lovdal.read(layout, file)


_BAR: list[Any] = []


def _progress(labelled: Any) -> Any:
    """A progress bar on a terminal (standard error), silent in pipes and under cron."""
    if not sys.stderr.isatty():
        return None
    total = sum(len(c.days) for c in labelled.cases) if hasattr(labelled.cases, "cases") else len(labelled.cases)
    bar = click.progressbar(length=total, label="Judging days", file=sys.stderr)
    bar.__enter__()
    _BAR.append(bar)
    return bar.update


def _progress_done() -> None:
    while _BAR:
        _BAR.pop().__exit__(None, None, None)
