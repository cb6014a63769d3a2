"""The config parsed ahead: `harvest import`, in a `$HARVEST_HOME` whose config cache does not hold
the config file's text (a new home, an edited file), forks a child that loads the config — which
keeps what it parsed in engine.config.cache's file — while the import itself reads its file; the
import waits for the child before it opens its engine, whose load_config then finds the cache
(2-3 ms) instead of importing and running the YAML parser (~25 ms of CPU). Only when a helper
may fork now (engine.store.forking.may_fork: the `harvest` process, one thread, a CPU idle).

The child changes nothing but that cache file (written atomically, as any load writes it): it
prints nothing and ends by os._exit whatever happens, and a child that fails, is killed or
finds the config wrong leaves the parent to load it as ever — a problem is said by the parent,
in the same words."""

from __future__ import annotations

import io
from collections.abc import Callable


def _nothing() -> None:
    return None


def start(cli_path: str | None) -> Callable[[], None]:
    """Fork the child when it would pay; the call returned waits for it (once; a no-op after)."""
    from engine.config.load import parse_ahead
    from engine.store import forking

    if not forking.may_fork() or not parse_ahead(cli_path):
        return _nothing
    wait = forking.forked(io.BytesIO(), lambda: _load(cli_path))
    waited = False

    def finish() -> None:
        nonlocal waited
        if not waited:
            waited = True
            wait()

    return finish


def _load(cli_path: str | None) -> None:  # pragma: no cover - runs in the forked child only
    from engine.config.load import load_config

    load_config(cli_path)
