"""One store, many users: a monitor writing, two app sessions reading and a CLI importing at the
same time (separate connections, like separate processes) — no "database is locked", no torn
read (every snapshot sees a whole import batch or none of it)."""

from __future__ import annotations

import threading
import time
from decimal import Decimal

import pytest

from engine.api import Engine
from engine.config.load import AlertsConfig, Config, TaxConfig
from engine.imports.generic_csv import parse_csv
from engine.monitor.monitor import Monitor
from engine.store.store import Store, keys_of
from tests.support import HEADER, clock_at, usd
from tui.session import Session

pytestmark = pytest.mark.slow

CONFIG = Config(
    tax=TaxConfig(timezone="America/New_York", ordinary_taxable_income=Decimal(150_000)),
    alerts=AlertsConfig(min_net_savings=Decimal(1), sinks=[], cooldown_minutes=0, rearm_fraction=Decimal(0)),
)


def batch(n: int) -> str:
    # each batch: 10 buys of 1 XYZ; a torn read would show a lot count that is not a multiple of 10
    rows = [f"2026-0{1 + n % 9}-1{i}T12:00:00Z,acct,XYZ,buy,1,{100 + n},0,B{n}-{i}" for i in range(10)]
    return "\n".join([HEADER, *rows]) + "\n"


def test_monitor_writes_while_apps_read_and_the_cli_imports(tmp_path):
    path = tmp_path / "s.sqlite3"
    with Store(path) as store:
        store.import_events(keys_of(parse_csv(batch(0), "b0.csv")), "b0", frozenset({"USD"}))
    clock = clock_at("2026-11-24T12:00:00")
    stop = threading.Event()
    errors: list[BaseException] = []
    lot_counts: list[int] = []

    def guard(work):  # noqa: ANN001, ANN202
        def run() -> None:
            try:
                while not stop.is_set():
                    work()
            except BaseException as exc:  # collected and asserted below
                errors.append(exc)

        return run

    monitor = Monitor(Engine(CONFIG, Store(path), clock), lambda: ({"XYZ": usd("50")}, clock()))

    def monitor_cycle() -> None:
        monitor.engine.store.save_prices({"XYZ": usd("50")}, clock(), "test")
        monitor.planner.refresh()
        monitor.cycle()

    readers = [Session(Engine(CONFIG, Store(path), clock)) for _ in range(2)]

    def read(session: Session):  # noqa: ANN202
        def work() -> None:
            session.load()
            session.set_prices({"XYZ": usd("50")}, clock())
            snapshot = session.snapshot()
            lot_counts.append(sum(h.lots for h in snapshot.holdings))

        return work

    importer = Engine(CONFIG, Store(path), clock)
    counter = iter(range(1, 10_000))

    def import_one() -> None:
        n = next(counter)
        importer.store.import_events(keys_of(parse_csv(batch(n), f"b{n}.csv")), f"b{n}", frozenset({"USD"}))
        time.sleep(0.01)

    threads = [
        threading.Thread(target=guard(w))
        for w in (monitor_cycle, read(readers[0]), read(readers[1]), import_one)
    ]
    for thread in threads:
        thread.start()
    time.sleep(3)
    stop.set()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert len(lot_counts) > 4
    assert all(count % 10 == 0 for count in lot_counts)
