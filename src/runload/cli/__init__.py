"""The ``runload`` command line: a thin shell over the library.

Subcommands live in their own modules and are imported only when run, so ``runload --help``
stays fast (no pandas, no matplotlib). Library errors (:class:`runload.errors.RunloadError`)
become a one-line message on stderr and their exit code; no traceback.

Exit codes (:class:`runload.cli.exit_codes.ExitCode`): 0 fine; 1 findings at or above
``--fail-on``, or some files failed to import; 2 bad usage or bad input (unknown athlete, missing
file, unreadable store).
"""

from __future__ import annotations

import atexit
import errno
import gc
import importlib
import os
import sqlite3
from typing import Any

import click

from runload import __version__
from runload.cli.exit_codes import ExitCode
from runload.cli.suggest import SuggestingGroup
from runload.errors import InputError, RunloadError, StoreError

# name -> "module:attribute", loaded on first use
COMMANDS = {
    "athlete": "runload.cli.athlete:athlete",
    "import": "runload.cli.importing:import_cmd",
    "activity": "runload.cli.activity:activity",
    "weeks": "runload.cli.weeks:weeks",
    "check": "runload.cli.check:check",
    "report": "runload.cli.report:report",
    "pain": "runload.cli.pain:pain",
    "roster": "runload.cli.roster:roster",
    "email": "runload.cli.email:email",
    "coach": "runload.cli.coach:coach",
    "rules": "runload.cli.rules:rules",
    "plan": "runload.cli.plan:plan",
    "batch": "runload.cli.batch:batch",
    "source": "runload.cli.source:source",
    "sync": "runload.cli.sync:sync",
    "config": "runload.cli.config:config",
    "site": "runload.cli.site:site",
    "shoe": "runload.cli.shoe:shoe",
    "export": "runload.cli.export:export",
    "serve": "runload.cli.serve:serve",
    "user": "runload.cli.user:user",
    "evaluate": "runload.cli.evaluate:evaluate",
}


# At exit, what the process holds is left out of the garbage collector's passes: the interpreter's
# shutdown collects again and again as it tears its modules down, walking every object it holds
# (numpy, the readers, the store's rows) each time; runload keeps nothing that waits for those
# passes (files and the store are closed when a command returns), and the memory goes back to the
# system with the process. Registered first, so it runs last, after every other exit handler.
atexit.register(gc.freeze)


def one_blas_thread() -> None:
    """Ask numpy's BLAS for one thread, before a command loads numpy: runload multiplies no
    matrix worth a thread pool, and OpenBLAS starting one thread per core at import costs CPU
    time for nothing (a quarter of numpy's import). A value the user set stays."""
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


class RunloadGroup(SuggestingGroup):
    """A click group that loads subcommands lazily, suggests the closest one to a mistyped name,
    and turns RunloadError into exit codes."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        target = COMMANDS.get(name)
        if target is None:
            return None
        module, attr = target.split(":")
        one_blas_thread()
        command: click.Command = getattr(importlib.import_module(module), attr)
        return command

    def invoke(self, ctx: click.Context) -> Any:
        try:
            try:
                return super().invoke(ctx)
            except sqlite3.Error as exc:
                # a store that cannot be written (read-only file or folder, full disk, locked for
                # longer than the busy timeout): the transaction was rolled back, nothing is lost
                from runload.store import describe_sqlite_error

                obj = ctx.obj if isinstance(ctx.obj, dict) else {}
                raise StoreError(f"cannot use the store: {describe_sqlite_error(exc)}",
                                 path=obj.get("store_path")) from None
            except OSError as exc:
                if exc.errno == errno.EPIPE:
                    raise  # output piped into `head`: click exits quietly
                # a file runload was told to write or read (--output, --charts, standard output)
                from runload.outfile import why_not_written

                what = why_not_written(exc) if exc.errno in (errno.ENOSPC, errno.EDQUOT) else exc.strerror or str(exc)
                if exc.filename is None:
                    what = f"cannot write the output: {what}"
                raise InputError(what, path=exc.filename) from None
        except RunloadError as err:
            from runload.cli._common import echo
            from runload.textsafe import inline

            echo(f"Error: {inline(err)}", err=True)  # one line, whatever a file name holds
            ctx.exit(ExitCode(err.exit_code))


@click.group(cls=RunloadGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--store", "store", type=click.Path(dir_okay=False), envvar="RUNLOAD_STORE",
              help="The store file (default: $RUNLOAD_STORE, else a per-user data folder).")
@click.version_option(__version__, prog_name="runload")
@click.pass_context
def main(ctx: click.Context, store: str | None) -> None:
    """runload: watch a runner's training load and warn before it turns into an injury.

    Import watch files (FIT, GPX, TCX, archives), see weekly running distance, check it
    against injury-risk rules, log knee pain, and read or mail reports.
    """
    ctx.obj = {"store": store}
