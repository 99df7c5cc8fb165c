"""runload batch init|athletes|import|compute|roster|export|pull|status"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from runload.cli._common import echo
from runload.cli._period import today_for
from runload.cli.exit_codes import ExitCode
from runload.cli.options import Output, athletes_option, output_options, week_option
from runload.cli.suggest import SuggestingGroup

F = TypeVar("F", bound=Callable[..., Any])
ROSTER_FORMATS = ["text", "md", "html", "json", "csv"]  # runload.report.ROSTER_FORMATS, without importing it


def engine_options(func: F) -> F:
    """``--engine local|dask``, ``--workers N`` and ``--scheduler ADDRESS``."""
    func = click.option("--scheduler", metavar="ADDRESS",
                        help="A running Dask scheduler, e.g. tcp://host:8786 (with --engine dask).")(func)
    func = click.option("--workers", type=click.IntRange(min=1), default=None,
                        help="Processes (local) or LocalCluster workers (dask without --scheduler); "
                             "default: one per core.")(func)
    return click.option("--engine", type=click.Choice(["local", "dask"]), default="local", show_default=True,
                        help="Where the work runs: local processes, or Dask.")(func)


def _open(dataset: str) -> Any:
    from runload.batch.layout import Dataset

    return Dataset.open(dataset)


def _engine(engine: str, workers: int | None, scheduler: str | None) -> Any:
    from runload.batch.engines import make_engine

    return make_engine(engine, workers=workers, scheduler=scheduler)


def _period(week: str | None, today: Any, book: Any = None) -> Any:
    from runload.report.build import resolve_period

    first = book.first_weekday if book is not None else _first_weekday()
    return resolve_period(week=week, today=today, first_weekday=first)


def _first_weekday() -> int:
    from runload.calendar import first_weekday_setting
    from runload.config import load_config

    return first_weekday_setting(load_config())


@click.group(cls=SuggestingGroup)
def batch() -> None:
    """Many athletes at once: a dataset of Parquet tables bucketed by athlete, computed on local
    processes or a Dask cluster, with the same results as the single-store commands."""


@batch.command("init")
@click.argument("dataset")
@click.option("--buckets", type=click.IntRange(min=1, max=100_000), default=64, show_default=True,
              help="How many buckets the athletes are spread over (fixed for the dataset's life).")
def init(dataset: str, buckets: int) -> None:
    """Create an empty dataset at DATASET (a folder or an fsspec URL such as s3://bucket/path)."""
    from runload.batch.layout import Dataset

    ds = Dataset.create(dataset, buckets)
    echo(f"Created dataset {dataset} ({ds.buckets} buckets)")


@batch.command("athletes")
@click.argument("dataset")
@click.option("--from-store", "from_store", type=click.Path(dir_okay=False),
              help="Copy every athlete of this store: profiles, pain logs, clearances, coaches.")
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Add athletes from a CSV (id,name[,timezone,email,sex,birth_year,hr_rest_bpm,hr_max_bpm,"
                   "units,coach,coach_email,coach_name]).")
def athletes(dataset: str, from_store: str | None, csv_path: Path | None) -> None:
    """Add or update the dataset's athletes (from a store, or a CSV)."""
    from runload.batch import jobs

    if (from_store is None) == (csv_path is None):
        raise click.UsageError("give one of --from-store FILE or --csv FILE")
    ds = _open(dataset)
    if from_store is not None:
        from runload.store import Store

        with Store.open(from_store, create=False) as store:
            n = jobs.athletes_from_store(ds, store)
    else:
        assert csv_path is not None
        n = jobs.athletes_from_csv(ds, csv_path)
    echo(f"{n} athletes in {dataset} added or updated")


@batch.command("import")
@click.argument("dataset")
@click.argument("sources", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--layout", type=click.Choice(["athlete-dirs", "manifest"]), default="athlete-dirs", show_default=True,
              help="athlete-dirs: each SOURCE holds one folder per athlete id; manifest: each SOURCE is a CSV "
                   "with athlete and path columns.")
@output_options(["text", "json"])
@engine_options
def import_cmd(dataset: str, sources: tuple[Path, ...], layout: str, out: Output, engine: str,
               workers: int | None, scheduler: str | None) -> None:
    """Import activity files for many athletes, one task per bucket, with the reader, checks and
    deduplication of `runload import` (same summary, same exit codes: 1 when a file failed).
    Files unchanged since they were imported are not read again."""
    from runload.batch import jobs
    from runload.cli.importing import echo_summary

    ds = _open(dataset)
    pairs = jobs.sources_from_dirs(sources) if layout == "athlete-dirs" else jobs.sources_from_manifest(sources)
    eng = _engine(engine, workers, scheduler)
    try:
        result = jobs.import_sources(ds, eng, pairs)
    finally:
        eng.close()
    echo_summary(result.summary, out)
    if result.summary.failed:
        click.get_current_context().exit(ExitCode.FAILED)


@batch.command("compute")
@click.argument("dataset")
@week_option
@click.option("--dirty", is_flag=True, help="Only buckets whose inputs, rules, config or day changed.")
@output_options(["text", "json"])
@engine_options
def compute(dataset: str, week: str | None, dirty: bool, out: Output, engine: str, workers: int | None,
            scheduler: str | None) -> None:
    """Assess every athlete for the week (judged on its last day, or today) and write the roster
    lines, findings and errors of each bucket. Exit code 1 when an athlete's assessment failed."""
    from runload.batch import jobs
    from runload.rules.book import Rulebook

    ds = _open(dataset)
    book = Rulebook.load()  # once, here; each task gets it with its digest
    today = today_for("UTC")
    period = _period(week, today, book)
    eng = _engine(engine, workers, scheduler)
    try:
        done = jobs.compute(ds, eng, book, period, today, dirty=dirty)
    finally:
        eng.close()
    if out.is_json:
        out.json(done)
    else:
        out.line(f"Week {done['week']}: {done['buckets_computed']} of {done['buckets']} buckets computed "
                 f"({done['athletes']} athletes, {done['errors']} failed); {done['buckets_unchanged']} unchanged.")
    if done["errors"]:
        click.get_current_context().exit(ExitCode.FAILED)


@batch.command("roster")
@click.argument("dataset")
@week_option
@click.option("--coach", help="Only this coach's athletes.")
@output_options(ROSTER_FORMATS)
def roster(dataset: str, week: str | None, coach: str | None, out: Output) -> None:
    """The computed roster of the week, most at risk first, rendered as `runload roster` renders
    it (its JSON is the same document)."""
    from runload.batch import jobs
    from runload.report import render_roster
    from runload.textsafe import inline

    ds = _open(dataset)
    period = _period(week, today_for("UTC"))
    ro, errors = jobs.roster(ds, period, coach=coach)
    out.write(render_roster(ro, out.format))
    for e in errors:
        echo(f"not assessed: {inline(e['athlete_id'])}: {inline(e['error'])}", err=True)


@batch.command("export")
@click.option("--store", "store_path", required=True, type=click.Path(dir_okay=False),
              help="The store whose athletes go into the dataset.")
@click.argument("dataset")
def export(store_path: str, dataset: str) -> None:
    """Copy every athlete of a store into the dataset with their activities and the files they
    came from (content hashes kept, so an import into the dataset skips files already there)."""
    from runload.batch import jobs
    from runload.store import Store

    ds = _open(dataset)
    with Store.open(store_path, create=False) as store:
        n = jobs.athletes_from_store(ds, store, with_activities=True)
    echo(f"Exported {n} athletes to {dataset}")


@batch.command("pull")
@click.argument("dataset")
@athletes_option("An athlete to pull (repeatable).", required=True)
@click.option("--store", "store_path", required=True, type=click.Path(dir_okay=False),
              help="The store to copy them into (created if missing).")
def pull(dataset: str, athlete_ids: tuple[str, ...], store_path: str) -> None:
    """Copy athletes from the dataset into a store: what the store lacks (by content hash for
    activities and files, the same run from another file deduplicated as an import does)."""
    from runload.batch import jobs
    from runload.store import Store

    ds = _open(dataset)
    with Store.open(store_path, create=True) as store:
        c = jobs.pull(ds, list(athlete_ids), store)
    echo(f"Pulled {len(athlete_ids)} athletes: {c['athletes']} new, {c['activities']} activities, "
         f"{c['files']} files, {c['pain']} pain entries, {c['clearances']} clearances")


@batch.command("status")
@click.argument("dataset")
@output_options(["text", "json"])
def status(dataset: str, out: Output) -> None:
    """What the dataset holds and which weeks are computed."""
    from runload.batch import jobs

    st = jobs.status(_open(dataset))
    if out.is_json:
        out.json(st)
        return
    out.line(f"Dataset {st['dataset']} (layout {st['layout_version']}, {st['buckets']} buckets)")
    for t, n in st["rows"].items():
        out.line(f"  {t}: {n} rows")
    for w in st["weeks"]:
        out.line(f"  week of {w['week_start']}: {w['buckets_computed']} of {st['buckets']} buckets computed")
