"""Where a process may hand work to a forked child: engine.store.forked_fetch.allow installs its
fork (the `harvest` command, bench_core's timed process), and the large lot match
(engine.ledger.lots_split) asks for it here — so the match's layer does not import the store's,
and a process that never allowed it (the app, the tests' engine, a script) never forks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol


class Wait(Protocol):
    """A forked child's end: the bytes its work returned, or None (it failed, was killed — `kill`
    kills it first — or wrote a short record)."""

    def __call__(self, kill: bool = False) -> bytes | None: ...


# runs `work` in a forked child now; returns its Wait, or None when this process may not fork now
Fork = Callable[[Callable[[], bytes]], Wait | None]

_fork: Fork | None = None
_ready: Callable[[], bool] = bool  # (never asked while no fork is installed)


def install(fork: Fork | None, ready: Callable[[], bool] = lambda: True) -> None:
    """Let this process fork work with `fork` (None: never) whenever `ready()` says it may now
    (a CPU free, one thread: asked before any work is prepared for a child)."""
    global _fork, _ready
    _fork, _ready = fork, ready


def installed() -> Fork | None:
    """The fork, when one is installed and may be used now."""
    return _fork if _fork is not None and _ready() else None
