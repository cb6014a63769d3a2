"""Ending `harvest import` and `harvest report` without the interpreter's teardown.

A normal exit dismantles every loaded module, function and class one by one: 15–25 ms of CPU
at the end of each small import or report, for a process about to vanish. These two commands
close everything themselves (the store when their engine goes, with the function that made it;
they write only to stdout and stderr), so once they return, all that is left of an exit is what
is done here: no other thread still running, stdout and stderr flushed, the atexit handlers run.
Anything doubtful (a thread, a stream that will not flush, an exchange client loaded to fill
prices) and the normal exit follows.

The legs cache's write (engine.store.legs_cache: ~0.5 s of CPU after a fresh fetch of a million
legs) is left to the exit too, where the platform can fork: once stdout and stderr are flushed
and the atexit handlers have run, a child forked here writes the file (the usual atomic temp +
rename, owner-only) and the process ends at once, its output and exit code as they were, its
caller not waiting for the file. The child is detached from the terminal and from every file the
process had open (stdin, stdout and stderr on /dev/null: a pipe reading the report sees its end
when the process ends), touches no store connection, no logging and no polars, and can only end
by os._exit, whatever the write does. Killed midway it leaves a temp file the next write sweeps
(engine.core.files.sweep_killed_writes). Where the exit is the normal one, or fork fails, the
write is done in this process before it ends (an atexit handler), as it is everywhere else."""

from __future__ import annotations

import atexit
import contextlib
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
    if hasattr(os, "fork"):
        from engine.store import forking, legs_cache

        forking.allow()  # a cold load of a large ledger: half of the fetch in a child
        legs_cache.defer_writes()
        atexit.register(legs_cache.write_pending)  # a normal exit (and a failed fork) writes it


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
        _write_behind()
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


def _write_behind() -> None:
    """The legs cache's deferred write, in a child forked for it (see the module's docstring);
    the process goes on to its exit without waiting. A failed fork leaves it to the atexit handler."""
    legs_cache = sys.modules.get("engine.store.legs_cache")  # loaded by arm, where writes defer
    if legs_cache is None or not legs_cache.pending():
        return
    try:
        child = os.fork()
    except OSError:
        return
    if child == 0:  # pragma: no cover - the child, measured by tests/cli/test_quick_exit.py's subprocess
        written = False
        try:
            gc.disable()
            with contextlib.suppress(OSError):
                os.setsid()  # not the terminal's: a Ctrl-C or a hangup after the report leaves it be
            devnull = os.open(os.devnull, os.O_RDWR)
            for fd in (0, 1, 2):
                os.dup2(devnull, fd)
            os.closerange(3, _max_fd())
            legs_cache.write_pending()
            written = True
        finally:
            os._exit(0 if written else 1)
    legs_cache.drop_pending()


def _max_fd() -> int:
    try:
        return max(int(os.sysconf("SC_OPEN_MAX")), 256)
    except (OSError, ValueError):
        return 4096
