"""The headless monitor (`harvest watch`): sync on schedule, refresh prices, recompute, alert.

One monitor per store (a lock file); a TUI over SSH reads the same store meanwhile (WAL).
Exchange outages do not stop it: it keeps alerting on what it has and marks data stale."""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TextIO

from engine.api import Engine
from engine.core import units
from engine.core.errors import HarvestError
from engine.core.files import append_private
from engine.monitor.alerts import Alert, conditions, decide
from engine.monitor.sinks import deliver
from engine.planning.planner import Planner
from engine.planning.prices import prices_stale


class MonitorLocked(HarvestError):
    exit_code = 3


@dataclass
class MonitorLock:
    path: Path
    handle: IO[str] | None = None

    def __enter__(self) -> MonitorLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self.path, "a+", encoding="utf-8")  # noqa: SIM115 - held for the monitor's life
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "?"
            handle.close()
            raise MonitorLocked(
                f"another harvest watch (pid {holder}) is running on this store; stop it first"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        self.handle = handle
        return self

    def __exit__(self, *exc: object) -> None:
        if self.handle is not None:
            fcntl.flock(self.handle, fcntl.LOCK_UN)
            self.handle.close()


@dataclass
class Monitor:
    engine: Engine
    # latest prices and when observed
    prices: Callable[[], tuple[dict[str, units.Amount], units.EpochMicros | None]]
    sync: Callable[[], list[str]] | None = None  # returns problems (account: reason)
    out: TextIO | None = None
    text_format: bool = True
    log_path: Path | None = None
    sleep: Callable[[float], None] = field(default=lambda seconds: None)
    last_sync: units.EpochMicros | None = None
    problems: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.planner = Planner(self.engine)

    def note(self, text: str) -> None:
        self.problems.append(text)
        if self.log_path is not None:
            append_private(self.log_path, text + "\n")

    def cycle(self) -> list[Alert]:
        config = self.engine.config
        now = self.engine.clock()
        if self.sync is not None and (
            self.last_sync is None or now - self.last_sync >= config.watch.sync_minutes * 60_000_000
        ):
            for problem in self.sync():
                self.note(f"sync: {problem}")
            self.last_sync = now
            self.planner.refresh()
        prices, observed = self.prices()
        stale = prices_stale(observed, now, config.prices.stale_after_seconds)
        tick = self.planner.tick(prices)
        holding = conditions(
            tick.candidates,
            config.alerts,
            self.engine.today(),
            self.engine.tax_year(),
            self.engine.store,
            now,
            stale,
        )
        raised = decide(self.engine.store, holding, config.alerts, now)
        for alert in raised:
            deliver(alert, config.alerts.sinks, out=self.out, text_format=self.text_format, sleep=self.sleep,
                    problems=self.note)  # fmt: skip
        return raised

    def run(self, stop: threading.Event, interval: float) -> None:
        """Cycles until `stop` is set (SIGTERM/SIGINT set it; the wait wakes at once)."""
        while not stop.is_set():
            try:
                self.cycle()
            except HarvestError as exc:  # keep watching; say what went wrong
                self.note(str(exc))
            stop.wait(interval)
