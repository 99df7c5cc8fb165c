"""runload serve: the web app, on uvicorn."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING

import click

from runload.cli._common import echo, open_store, store_option

if TYPE_CHECKING:
    from runload.web.alerts import Flag

Mailer = Callable[[str, int, date, "list[Flag]"], bool]  # (athlete id, entry id, day, red flags) -> sent

LOOPBACK = ("127.0.0.1", "localhost", "::1")


def _mailer(store_path: str) -> tuple[Mailer | None, str | None]:
    """The red-flag mailer, or None (with the reason) when no mail server is set."""
    from runload.config import load_config
    from runload.errors import InputError
    from runload.mail.settings import smtp_settings

    config = load_config()
    try:
        settings = smtp_settings(config)
    except InputError as err:
        return None, str(err)

    def send(athlete_id: str, entry_id: int, day: date, flags: list[Flag]) -> bool:
        from runload.mail.transport import SmtpTransport
        from runload.store import Store
        from runload.web.alerts import planned, send as send_all

        with Store.open(store_path, create=False) as store:
            messages = planned(store, athlete_id, entry_id, day, flags)
            if not messages:
                return False
            result = send_all(store, messages, mail_from=settings.mail_from, transport=SmtpTransport(settings),
                              log=lambda line: echo(f"red-flag mail: {line}", err=True))
        return bool(result.sent)

    return send, None


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on. Keep 127.0.0.1 and put a TLS reverse proxy in front to serve others.")
@click.option("--port", default=8080, show_default=True, type=click.IntRange(0, 65535), help="Port to listen on.")
@store_option
@click.pass_context
def serve(ctx: click.Context, host: str, port: int) -> None:
    """Serve the web app: runners' pages and pain log, coaches' roster and notes.

    Logins come from `runload user add`. A red flag logged in the app mails the athlete's
    coaches at once when a mail server is set (RUNLOAD_SMTP_HOST, as for runload email).
    """
    import uvicorn

    from runload.cli._period import today_for
    from runload.web.app import create_app

    with open_store(ctx) as store:
        path = str(store.path)
    if host not in LOOPBACK:
        echo(f"Warning: listening on {host}: anyone who can reach this machine can try to log in, and "
             f"passwords and session cookies cross the network unencrypted. Serve it behind a reverse "
             f"proxy with TLS instead (see the README's Web app section).", err=True)
    mailer, why = _mailer(path)
    if mailer is None:
        echo(f"Note: red-flag mails to coaches are off: {why}", err=True)
    app = create_app(path, today=today_for, mailer=mailer, warm=True)
    echo(f"runload serving {path} on http://{host}:{port}/ (Ctrl-C stops it)", err=True)
    uvicorn.run(app, host=host, port=port, log_level="warning", proxy_headers=True, server_header=False)
