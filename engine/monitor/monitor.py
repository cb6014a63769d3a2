"""The headless monitor (`harvest watch`): sync on schedule, refresh prices, recompute, alert.

One monitor per store (a lock file); a TUI over SSH reads the same store meanwhile (WAL).
Exchange outages do not stop it: it keeps alerting on what it has and marks data stale."""

from __future__ import annotations

import fcntl
import json
import os
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TextIO

from engine.api import Engine
from engine.core import units
from engine.core.errors import HarvestError
from engine.core.files import append_private, open_private
from engine.monitor.alerts import Alert, conditions, decide, sink_key
from engine.monitor.sinks import deliver_to
from engine.planning.checklist import reconcile_checklist
from engine.planning.planner import Planner
from engine.planning.prices import prices_stale
from engine.store.alert_memory import mark_delivered, mark_failed, pending_alerts

MAX_KEPT_PROBLEMS = 200
GIVE_UP_AFTER = units.MICROS_PER_DAY  # an alert a sink could not take for a day is stale news


class MonitorLocked(HarvestError):
    exit_code = 3


@dataclass
class MonitorLock:
    path: Path
    handle: IO[str] | None = None

    def __enter__(self) -> MonitorLock:
        # held for the monitor's life; owner-only like everything in the data dir
        handle = os.fdopen(open_private(self.path, os.O_RDWR), "r+", encoding="utf-8")
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
    # the latest problems, for `harvest watch` to print at exit (all of them go to watch.log): a
    # monitor running for months with a sink down must not grow without end
    problems: deque[str] = field(default_factory=lambda: deque(maxlen=MAX_KEPT_PROBLEMS))
    stop: threading.Event | None = None  # set by SIGTERM/SIGINT: ends a hung sink or sync at once
    attempted: int = 0  # deliveries tried by the last cycle, and how many got through
    delivered: int = 0

    def __post_init__(self) -> None:
        self.planner = Planner(self.engine)

    def note(self, text: str) -> None:
        """A problem: kept for the caller (printed by `harvest watch`) and logged."""
        self.problems.append(text)
        self.log(text)

    def log(self, text: str) -> None:
        if self.log_path is not None:
            append_private(self.log_path, text + "\n")

    def cycle(self) -> list[Alert]:
        config = self.engine.config
        now = self.engine.clock()
        if self.sync is not None and (
            self.last_sync is None or now - self.last_sync >= config.watch.sync_minutes * 60_000_000
        ):
            synced = self._sync_until_stopped(self.sync)
            if synced is None:  # stopping: the sync's cursors let the next run resume
                return []
            for problem in synced:
                self.note(f"sync: {problem}")
            self.last_sync = now
            self.engine.invalidate()
            for change in reconcile_checklist(self.engine):  # as after every import and sync
                self.log(f"checklist: {change}")
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
        self.deliver_queued(now)
        return raised

    def deliver_queued(self, now: units.EpochMicros) -> None:
        """Every alert still owed to a sink — raised now, or earlier and not delivered (a failing
        sink, a kill mid-delivery) — is tried again; each sink's delivery is recorded apart, so
        nothing is sent twice to a sink that got it. A sink that fails for a day, or is no longer
        configured, is given up on (logged)."""
        store = self.engine.store
        configured = {sink_key(sink): sink for sink in self.engine.config.alerts.sinks}
        down: set[str] = set()  # sinks that failed this cycle: their other alerts wait for the next
        self.attempted = self.delivered = 0
        for queued in pending_alerts(store.conn):
            if self.stop is not None and self.stop.is_set():
                return
            sink = configured.get(queued.sink)
            if sink is None:
                mark_failed(store.conn, queued, "sink no longer configured", now)
                continue
            if queued.sink in down:  # a hung webhook costs one try per cycle, not one per alert
                continue
            self.attempted += 1
            alert = Alert(**json.loads(queued.alert))
            problem = deliver_to(alert, sink, out=self.out, text_format=self.text_format, sleep=self.sleep,
                                 stop=self.stop)  # fmt: skip
            if problem is None:
                self.delivered += 1
                mark_delivered(store.conn, queued, now)
                continue
            down.add(queued.sink)
            give_up = now - queued.queued_at > GIVE_UP_AFTER
            self.note(problem + ("; given up after a day" if give_up else "; will retry next cycle"))
            mark_failed(store.conn, queued, problem, now if give_up else None)

    def _sync_until_stopped(self, sync: Callable[[], list[str]]) -> list[str] | None:
        """Run the sync in a worker thread so a stop request ends the wait at once even while an
        exchange is slow to answer (a slow request cannot be cancelled from outside); None when
        stopped. A sync killed mid-way resumes cleanly: its cursors move with its pages."""
        if self.stop is None:
            return sync()
        outcome: list[str] = []
        done = threading.Event()

        def work() -> None:
            try:
                outcome.extend(sync())
            except Exception as exc:  # reported like an account's failure; the monitor goes on
                outcome.append(f"{type(exc).__name__}: {exc}")
            finally:
                done.set()

        threading.Thread(target=work, name="harvest-sync", daemon=True).start()
        while not done.wait(0.05):
            if self.stop.is_set():
                return None
        return outcome

    def run(self, stop: threading.Event, interval: float) -> None:
        """Cycles until `stop` is set (SIGTERM/SIGINT set it; the wait wakes at once)."""
        self.stop = stop
        while not stop.is_set():
            try:
                self.cycle()
            except HarvestError as exc:  # keep watching; say what went wrong
                self.note(str(exc))
            stop.wait(interval)
