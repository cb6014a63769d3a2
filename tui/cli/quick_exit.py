"""Ending `harvest import` and `harvest report` without the interpreter's teardown.

A normal exit dismantles every loaded module, function and class one by one: 15–25 ms of CPU
at the end of each small import or report, for a process about to vanish. These two commands
close everything themselves (the store when their engine goes, with the function that made it;
they write only to stdout and stderr), so once they return, all that is left of an exit is what
is done here: no other thread still running, stdout and stderr flushed, the atexit handlers run.
Anything doubtful (a thread, a stream that will not flush, an exchange client loaded to fill
prices) and the normal exit follows."""

from __future__ import annotations

import atexit
import os
import sys

COMMANDS = ("import", "report")  # checked to leave nothing open behind them


def exit_now(code: int) -> None:
    """End the process with `code` as sys.exit would, minus the teardown; returns (and the
    caller exits normally) when it cannot be sure that skips nothing."""
    if "ccxt" in sys.modules:  # an exchange was asked (prices filled): its clients close in the teardown
        return
    threading = sys.modules.get("threading")
    if threading is not None and threading.active_count() > 1:
        return
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):  # a closed pipe, a closed stream: the normal exit reports it as before
        return
    atexit._run_exitfuncs()
    os._exit(code)
