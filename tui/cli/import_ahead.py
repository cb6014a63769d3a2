"""What a `harvest import` that will write does before its file is read, in a forked child on the
other CPU: it parses a config the cache does not hold (engine.config.cache keeps what it parsed:
the import's own load then reads that, 2-3 ms, instead of importing and running the YAML parser,
~25 ms of CPU) and, once the config is sound, makes a store that does not exist yet (its schema
and WAL: ~7 ms of CPU and 10-25 ms waiting on the disk's syncs; the import then opens it as an
existing store, ~1 ms). The import reads its file meanwhile and waits for the child before it
opens its engine. Only when a helper may fork (engine.store.forking.may_fork: the `harvest`
process, one thread, a CPU idle) and there is something to do.

The child prints nothing and ends by os._exit whatever happens; one that fails or is killed
leaves the import to do the rest as ever (a config problem said by the import in the same words;
a store half made is finished by the import's open, the schema going in in one transaction). A
store the child made for an import that then fails before opening it, or refuses its file, is
removed again (tui.cli.import_command's sink): such an import leaves none, as before."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path


class Ahead:
    """The child's work, waited for once. `made`: the store it was asked to make (its path, and
    whether the path's directory existed), else None."""

    def __init__(self, wait: Callable[[], int] | None = None, made: tuple[Path, bool] | None = None) -> None:
        self._wait = wait
        self.made = made

    def wait(self) -> None:
        if self._wait is not None:
            wait, self._wait = self._wait, None
            wait()


def start(cli_path: str | None) -> Ahead:
    """Fork the child when it would pay (a config to parse, a store to make)."""
    from engine.config.load import parse_ahead
    from engine.store import forking

    if not forking.may_fork():
        return Ahead()
    parse = parse_ahead(cli_path)
    made = _new_store()
    if not parse and made is None:
        return Ahead()
    store = made[0] if made is not None else None
    return Ahead(forking.forked(io.BytesIO(), lambda: _work(cli_path, store)), made)


def _new_store() -> tuple[Path, bool] | None:
    """The store's path and whether its directory exists, when there is no store there yet."""
    from engine.core.errors import ConfigError
    from engine.store.connection import default_store_path

    try:
        path = default_store_path()
    except ConfigError:  # $HARVEST_HOME names a file: said by the import itself
        return None
    return None if path.exists() else (path, path.parent.exists())


def _work(cli_path: str | None, store: Path | None) -> None:  # pragma: no cover - the child
    from engine.config.load import load_config

    load_config(cli_path)  # parsed and cached, or read from the cache; raises on a wrong or missing one
    if store is not None:  # (made only for a config that loads, as the import would)
        from engine.store.connection import connect

        connect(store, readonly=False).close()
