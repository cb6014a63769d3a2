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
import gc
import os
import sys

COMMANDS = ("import", "report")  # checked to leave nothing open behind them

_armed = False  # this process is `harvest` itself, running one of COMMANDS to its exit_now
_left: list[object] = []  # data left for the exit to drop with the process


def arm() -> None:
    """Say this process ends by exit_now once its command returns (tui.cli.main, for `harvest`
    itself: never for a caller running main in-process)."""
    global _armed
    _armed = True


def leave(data: object) -> bool:
    """Keep `data` for the process's end to drop instead of freeing it object by object (a
    million-row report's ledger results: ~0.2 s of CPU), frozen out of the collector's later
    scans (with every other object so far: exit_now unfreezes them if the normal exit follows).
    Only once armed; False (the caller frees it as before) otherwise. Anything `data` holds open
    must be closed first: nothing here closes it."""
    if not _armed:
        return False
    gc.freeze()
    _left.append(data)
    return True


def exit_now(code: int) -> None:
    """End the process with `code` as sys.exit would, minus the teardown; returns (and the
    caller exits normally) when it cannot be sure that skips nothing. Then what was left to the
    exit (leave) is freed and the collector sees every object again, so the teardown is the
    normal one."""
    if _skips_nothing():
        atexit._run_exitfuncs()
        os._exit(code)
    if _left:
        _left.clear()
        gc.unfreeze()


def _skips_nothing() -> bool:
    if "ccxt" in sys.modules:  # an exchange was asked (prices filled): its clients close in the teardown
        return False
    threading = sys.modules.get("threading")
    if threading is not None and threading.active_count() > 1:
        return False
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):  # a closed pipe, a closed stream: the normal exit reports it as before
        return False
    return True
