"""A helper child process, forked to use the machine's other core for part of one job (the
legs' fetch, engine.store.forked_fetch; the realized CSV's lines, engine.reports.forked_lines):
whether this process may fork now, an anonymous file for the child's output, the fork and the
wait for it. The child only ever ends by os._exit; the caller always gets the plain one-process
result when anything goes wrong."""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from collections.abc import Callable, Iterator
from typing import BinaryIO

FREE_CORE_MARGIN = (
    0.5  # without a count of runnable tasks: split when the load average is under the CPUs less this
)
_allowed = False


def allow() -> None:
    """This process may fork a helper child: it is the `harvest` command (or bench_core's timed
    process), its only thread on the store, and ends without returning into a caller's code."""
    global _allowed
    _allowed = True


def allowed() -> bool:
    return _allowed


def free_core() -> bool:
    """Whether another CPU is idle now: the process may run on more than one, and the tasks
    runnable at this moment (this one included: Linux's /proc/loadavg) leave one free — or,
    where that count is not to be had, the 1-minute load average does. The count is of now: a
    report run just after an import finds the import's load still in the 1-minute average
    (~1.5 for a minute after a million rows) though both cores are idle. Otherwise the two parts
    take turns with other work — a forked child shares its parent's scheduling group (Linux's
    autogroup: both together get one process's share of a busy machine) — and the marshal round
    trip (~0.5 s of CPU at a million legs: the child's part encoded 0.21 s, decoded 0.27 s) is a
    loss: measured at load 4.5 on 2 CPUs, the split's wall 3.50 s against 2.99 s."""
    affinity = getattr(os, "sched_getaffinity", None)
    cores = len(affinity(0)) if affinity is not None else os.cpu_count() or 1
    if cores < 2:
        return False
    runnable = runnable_now()
    if runnable is not None:
        return runnable < cores
    try:
        load = os.getloadavg()[0]
    except (AttributeError, OSError):  # no load average on this platform
        return True
    return load < cores - FREE_CORE_MARGIN


def runnable_now(loadavg: str = "/proc/loadavg") -> int | None:
    """The tasks runnable at this moment, the caller included (the fourth field's numerator,
    "3/93"); None where the file is missing or another shape."""
    try:
        with open(loadavg, encoding="ascii") as handle:
            return int(handle.read().split()[3].split("/")[0])
    except (OSError, IndexError, ValueError):
        return None


def single_threaded() -> bool:
    """Whether this process runs one thread (the OS's count where it says; else Python's)."""
    with contextlib.suppress(OSError):
        return len(os.listdir("/proc/self/task")) == 1
    threading = sys.modules.get("threading")
    return threading is None or threading.active_count() == 1


@contextlib.contextmanager
def scratch() -> Iterator[BinaryIO]:
    """An anonymous file for the child's part (memory-backed where the platform has memfd)."""
    make = getattr(os, "memfd_create", None)
    if make is None:  # pragma: no cover - platforms without memfd
        import tempfile

        with tempfile.TemporaryFile() as handle:
            yield handle
        return
    with os.fdopen(make("harvest-legs", getattr(os, "MFD_CLOEXEC", 0)), "w+b") as handle:
        yield handle


def forked(scratch: BinaryIO, work: Callable[[], None]) -> Callable[[], int]:
    """Run `work` in a forked child; returns the wait for it: its exit code (-1: killed, or no
    fork). A parent interrupted before it waits kills the child first (see `fetch`)."""
    scratch.flush()
    try:
        child = os.fork()
    except OSError:
        return lambda: -1
    if child == 0:  # pragma: no cover - the child: its outcome is tested through the parent's result
        code = 1
        try:
            work()
            code = 0
        finally:
            os._exit(code)

    def wait() -> int:
        try:
            _, status = os.waitpid(child, 0)
        except BaseException:
            with contextlib.suppress(OSError):
                os.kill(child, signal.SIGKILL)
                os.waitpid(child, 0)
            raise
        return os.waitstatus_to_exitcode(status)

    return wait


def write_all(fd: int, data: bytes) -> None:  # pragma: no cover - runs in the forked child only
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def may_fork() -> bool:
    """Whether a helper child may be forked now: allowed here, on a platform that forks, with a
    CPU idle and this process's only thread."""
    return allowed() and hasattr(os, "fork") and free_core() and single_threaded()
