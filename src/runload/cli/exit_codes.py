"""What ``runload`` exits with, by name. The values are the ones the README documents; scripts
and cron jobs rely on them.

====  ==========================================================================================
0     OK: done, nothing to flag
1     FINDINGS: ``check --fail-on`` found a finding at or above that severity, ``plan check``: the
      plan breaks a limit (or a red flag stands), ``rules validate``: an example does not give
      its findings. FAILED (the same 1): ``import``, ``sync`` or ``batch import`` had files that
      failed, ``email`` could not send (or holds) a message, ``batch compute`` could not assess
      an athlete
2     USAGE: bad usage (click's own code for a mistyped command or option); INPUT_ERROR (the
      same 2): bad input, an unknown athlete, a missing file, an unreadable store
====  ==========================================================================================
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """``runload``'s exit codes (FAILED is another name for 1, INPUT_ERROR for 2)."""

    OK = 0
    FINDINGS = 1
    FAILED = 1  # files, messages or athletes that failed: a later run may do better
    USAGE = 2
    INPUT_ERROR = 2  # what runload.errors.RunloadError.exit_code says

