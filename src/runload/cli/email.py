"""runload email"""

from __future__ import annotations

from pathlib import Path

import click

from runload.cli._common import echo, open_store, store_option
from runload.cli.exit_codes import ExitCode
from runload.cli.options import athletes_option


@click.command()
@click.option("--week", default=None,
              help="YYYY-Www, or 'last' for the last complete week only (in each athlete's time zone). "
                   "Default: every week due and not yet sent, up to 4 weeks back.")
@athletes_option("Only these athletes (repeatable).")
@click.option("--dry-run", is_flag=True, help="List what would be sent to whom; send nothing.")
@click.option("--outbox", type=click.Path(file_okay=False, path_type=Path),
              help="Write .eml files to this folder instead of sending.")
@click.option("--force", is_flag=True, help="Send again what was already sent for that week.")
@click.option("--resend", is_flag=True,
              help="Send once more the messages held because they may have arrived (same Message-ID).")
@store_option
@click.pass_context
def email(ctx: click.Context, week: str | None, athlete_ids: tuple[str, ...], dry_run: bool, outbox: Path | None,
          force: bool, resend: bool) -> None:
    """Mail each athlete their weekly summary and each coach their roster, exactly once.

    Without --week, every week due and not yet sent goes (a week whose mail failed goes with the
    next run), up to 4 weeks back. SMTP settings come from RUNLOAD_SMTP_HOST, RUNLOAD_SMTP_PORT,
    RUNLOAD_SMTP_USER, RUNLOAD_SMTP_PASSWORD, RUNLOAD_SMTP_SECURITY (ssl|starttls|none),
    RUNLOAD_SMTP_CAFILE and RUNLOAD_MAIL_FROM, or the [smtp] table of the config file. Progress
    goes to stderr. A message the server may have got without confirming it is tried once more,
    ever; then it is held until you decide (--resend). Exit code 1 when any message failed (a
    later run retries it) or is held, 2 for bad settings or input.
    """
    from runload.config import load_config
    from runload.mail.job import plan, run
    from runload.mail.settings import mail_from_setting, smtp_settings
    from runload.mail.transport import SmtpTransport
    from runload.calendar import parse_week
    from runload.cli._period import today_for
    from runload.textsafe import inline

    last_only = week is not None and week.strip().lower() == "last"
    # "last" is each athlete's own last complete week, decided per athlete by the job
    week_start = None if week is None or last_only else parse_week(week, today_for("UTC")).start

    def log(line: str) -> None:
        echo(inline(line), err=True)  # names and the server's words stay on their line

    config = load_config()
    transport = None
    mail_from = "runload@localhost"
    if not dry_run:
        if outbox is None:
            settings = smtp_settings(config)
            transport = SmtpTransport(settings, log=log)
            mail_from = settings.mail_from
        else:
            mail_from = mail_from_setting(config)
    with open_store(ctx) as store:
        planned = plan(store, week=week_start, catch_up=not last_only, athlete_ids=list(athlete_ids) or None)
        result = run(store, planned, mail_from=mail_from, transport=transport, outbox=outbox,
                     dry_run=dry_run, force=force, resend=resend, log=log)
    if dry_run:
        n = len(planned)
        echo(f"{n} message{'' if n == 1 else 's'} planned, {len(result.skipped)} already sent.")
    elif outbox is not None:
        n = len(result.written)
        echo(f"Wrote {n} message{'' if n == 1 else 's'} to {inline(outbox)}"
             + (f"; {len(result.failed)} could not be built." if result.failed else "."))
    else:
        held = (f"; held {len(result.held)} that may have arrived (see HELD above; --resend sends them once more)"
                if result.held else "")
        echo(f"Sent {len(result.sent)}, skipped {len(result.skipped)} already sent, "
             f"failed {len(result.failed)}{held}.")
    if result.failed or result.held:
        ctx.exit(ExitCode.FAILED)
