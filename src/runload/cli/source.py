"""runload source add|list|remove"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from runload.cli._common import echo, open_store, store_option
from runload.cli.options import Output, athlete_option, output_options
from runload.cli.suggest import SuggestingGroup

F = TypeVar("F", bound=Callable[..., Any])


@click.group(cls=SuggestingGroup)
def source() -> None:
    """Folders a watch or an app syncs to (or where exports land), imported by `runload sync`."""


_STRAVA = "strava"  # the PATH that names Strava's API (a folder called so: ./strava)


def _strava_options(func: F) -> F:
    for opt in reversed([
        click.option("--client-id", help="Strava: your API application's client id (asked when not given)."),
        click.option("--client-secret-stdin", is_flag=True,
                     help="Strava: read the client secret from standard input (its first line)."),
        click.option("--refresh-token-stdin", is_flag=True,
                     help="Strava: read a refresh token you already hold from standard input (the line after "
                          "the secret): no browser."),
        click.option("--port", type=click.IntRange(0, 65535), default=0,
                     help="Strava: the port of the local callback on 127.0.0.1 (default: any free one)."),
        click.option("--no-browser", is_flag=True, help="Strava: print the authorisation URL, do not open it."),
    ]):
        func = opt(func)
    return func


def _strava_authorise(secrets_file: Any, athlete_id: str, client_id: str | None, client_secret_stdin: bool,
                      refresh_token_stdin: bool, port: int, no_browser: bool) -> None:
    """Get and keep (mode 0600, beside the store) the athlete's Strava authorisation."""
    import sys

    from runload.ingest import strava_api as sa

    lines = iter(sys.stdin.read().splitlines()) if (client_secret_stdin or refresh_token_stdin) else iter(())
    client_id = sa.check_client_id(client_id or click.prompt("Strava client id"))
    secret = (next(lines, "") if client_secret_stdin else click.prompt("Strava client secret", hide_input=True)).strip()
    if not secret:
        raise click.UsageError("no client secret given")
    if refresh_token_stdin:
        token = next(lines, "").strip()
        if not token:
            raise click.UsageError("--refresh-token-stdin: no refresh token on standard input")
        cred = sa.Credentials(client_id, secret, token)
    else:
        cred = sa.authorise(client_id, secret, port=port, open_browser=not no_browser,
                            announce=lambda url: echo(f"Open this page to let runload read your Strava "
                                                      f"activities:\n  {url}", err=True))
    old = sa.load_all(secrets_file).get(athlete_id)
    if old is not None:
        cred.cursor = old.cursor  # a new authorisation keeps where the sync was
    sa.save(secrets_file, athlete_id, cred)


@source.command("add")
@athlete_option("Whose activities land there.")
@click.argument("path", type=click.Path(path_type=str))
@_strava_options
@store_option
@click.pass_context
def add(ctx: click.Context, athlete_id: str, path: str, client_id: str | None, client_secret_stdin: bool,
        refresh_token_stdin: bool, port: int, no_browser: bool) -> None:
    """Add a folder (or an archive that is replaced as it is re-exported) for `runload sync`
    to import for the athlete. It must exist now; a folder that goes missing later is reported
    by `sync`, which still syncs the other sources.

    PATH `strava` adds the athlete's Strava account, through your own Strava API application
    (see the README): runload asks for its client id and secret once and opens Strava's
    authorisation page; the tokens are kept in a file beside the store that only you can read."""
    from pathlib import Path

    from runload.errors import InputError
    from runload.ingest.sync import source_path
    from runload.textsafe import inline

    if path == _STRAVA:
        from runload.ingest import strava_api as sa

        with open_store(ctx) as store:
            if any(s.path == sa.source_path(athlete_id) for s in store.sources(athlete_id)):
                raise InputError("already has Strava as a source (new tokens: runload source auth strava "
                                 f"--athlete {athlete_id})")
            secrets_file = sa.secrets_path(store.path)
        _strava_authorise(secrets_file, athlete_id, client_id, client_secret_stdin, refresh_token_stdin, port, no_browser)
        with open_store(ctx) as store:
            src = store.add_source(athlete_id, sa.source_path(athlete_id))
        echo(f"Source {src.id} of {athlete_id}: Strava (import it now: runload sync --athlete {athlete_id})")
        return
    stored = source_path(path)
    if not Path(stored).exists():
        raise InputError("no such file or folder", path=stored)
    with open_store(ctx) as store:
        src = store.add_source(athlete_id, stored)
    echo(f"Source {src.id} of {athlete_id}: {inline(src.path)} (import it now: runload sync --athlete {athlete_id})")


@source.command("list")
@athlete_option("Only this athlete's sources.", required=False)
@output_options(["text", "json"])
@store_option
@click.pass_context
def list_(ctx: click.Context, athlete_id: str | None, out: Output) -> None:
    """List sources with when each was last synced and what that sync did."""
    from runload.cli.records import source_record
    from runload.report.table import table
    from runload.textsafe import inline

    with open_store(ctx) as store:
        rows = store.sources(athlete_id)
    if out.is_json:
        out.json([source_record(s) for s in rows])
    elif not rows:
        out.line("No sources yet: runload source add --athlete ID PATH")
    else:
        out.line(table(["id", "athlete", "path", "last sync (UTC)", "last result"],
                   [[str(s.id), s.athlete_id, inline(s.path), (s.last_sync_utc or "never")[:16].replace("T", " "),
                     inline(s.last_result or "-")] for s in rows]))


@source.command("remove")
@athlete_option("Whose source it is.")
@click.argument("path", type=click.Path(path_type=str))
@store_option
@click.pass_context
def remove(ctx: click.Context, athlete_id: str, path: str) -> None:
    """Stop syncing a path for the athlete. What it imported stays in the store."""
    from runload.ingest.sync import source_path
    from runload.textsafe import inline

    if path == _STRAVA:
        from runload.ingest import strava_api as sa

        with open_store(ctx) as store:
            src = store.remove_source(athlete_id, sa.source_path(athlete_id))
            secrets_file = sa.secrets_path(store.path)
        sa.save(secrets_file, athlete_id, None)  # its tokens go too
        echo(f"Removed source {src.id} of {athlete_id}: Strava (its activities stay; runload's access can "
             "also be revoked in Strava's settings)")
        return
    with open_store(ctx) as store:
        src = store.remove_source(athlete_id, source_path(path))
    echo(f"Removed source {src.id} of {athlete_id}: {inline(src.path)} (its activities stay)")


@source.command("auth")
@athlete_option("Whose Strava source it is.")
@click.argument("service", type=click.Choice([_STRAVA]))
@_strava_options
@store_option
@click.pass_context
def auth(ctx: click.Context, athlete_id: str, service: str, client_id: str | None, client_secret_stdin: bool,
         refresh_token_stdin: bool, port: int, no_browser: bool) -> None:
    """Authorise runload again (after access was revoked on Strava, or with a new API
    application). The sync goes on where it stopped."""
    from runload.errors import NotFoundError
    from runload.ingest import strava_api as sa

    with open_store(ctx) as store:
        if not any(s.path == sa.source_path(athlete_id) for s in store.sources(athlete_id)):
            raise NotFoundError(f"athlete '{athlete_id}' has no Strava source (add it: runload source add "
                                f"--athlete {athlete_id} strava)")
        secrets_file = sa.secrets_path(store.path)
    _strava_authorise(secrets_file, athlete_id, client_id, client_secret_stdin, refresh_token_stdin, port, no_browser)
    echo(f"Strava authorised again for {athlete_id}")
