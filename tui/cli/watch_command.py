"""`harvest watch`: the headless monitor — sync, refresh prices, recompute, alert — once (for
cron) or until SIGTERM/ctrl+c; one per store."""

from __future__ import annotations

import argparse
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from engine.core.units import Amount, EpochMicros, micros_to_millis
from tui.cli.context import Subparsers, open_engine

if TYPE_CHECKING:
    from engine.api import Engine
    from engine.config.load import AccountConfig
    from engine.exchanges.ccxt_adapter import ExchangeClient

PricesSource = Callable[[], tuple[dict[str, Amount], EpochMicros | None]]  # latest prices and when observed


def add_parser(sub: Subparsers) -> None:
    watch = sub.add_parser("watch", help="headless monitor: sync, refresh prices, recompute, alert")
    watch.add_argument("--once", action="store_true", help="run one cycle and exit (for cron and scripts)")
    watch.add_argument(
        "--format", choices=("text", "json"), default="text", help="alerts on stdout as text or JSON lines"
    )
    watch.add_argument(
        "--prices", type=Path, metavar="FILE", help="use these prices (CSV asset,price) instead of live ones"
    )


def cmd_watch(args: argparse.Namespace, out: TextIO) -> int:
    import signal

    from engine.config.load import data_dir
    from engine.monitor.monitor import Monitor, MonitorLock

    engine = open_engine(args)
    config = engine.config
    home = data_dir()
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())

    def wait(seconds: float) -> None:
        stop.wait(seconds)  # ends at once on SIGTERM: the monitor exits within 2 s

    with MonitorLock(home / "watch.lock"):
        prices_source = _monitor_prices(engine, args.prices)
        sync = _monitor_sync(engine, wait) if config.accounts and args.prices is None else None
        monitor = Monitor(engine, prices_source, sync, out=out, text_format=args.format == "text",
                          log_path=home / "watch.log", sleep=wait)  # fmt: skip
        if args.once:
            monitor.cycle()
        else:
            print(f"harvest watch: monitoring {engine.store.path} (ctrl+c to stop)", file=sys.stderr)
            monitor.run(stop, float(config.prices.poll_seconds))
        for problem in monitor.problems:
            print(f"harvest watch: {problem}", file=sys.stderr)
    if args.once and monitor.attempted and not monitor.delivered:
        # cron should hear of it: every alert owed this run failed on every sink (queued still)
        print(
            "harvest watch: no alert was delivered (every sink failed); the next run retries", file=sys.stderr
        )
        return 1
    return 0


def _monitor_sync(engine: Engine, wait: Callable[[float], None]) -> Callable[[], list[str]]:
    """A sync of every account whose retry waits are `wait`; returns the failures."""

    def sync() -> list[str]:
        from engine.exchanges.ccxt_adapter import open_client
        from engine.exchanges.price_fill import fill_configured
        from engine.exchanges.sync import sync_accounts
        from engine.store.store import open_store

        def client(account: AccountConfig) -> ExchangeClient:
            return open_client(account, sleep=wait)

        # its own connection: the monitor runs the sync in a worker thread it may abandon on SIGTERM
        store = open_store(engine.store.path)
        try:
            reports = sync_accounts(engine.config, store, client_factory=client)
            # then, as `harvest sync` does, the prices records came without (README: Prices for history)
            prices = fill_configured(store, engine.config, engine.clock, engine.calendar.day)
        finally:
            store.close()
        failed = [f"{r.account}: {r.error}" for r in reports if not r.ok]
        failed += [f"prices: {source}: {reason}" for source, reason in sorted(prices.failures.items())]
        return failed + [
            f"{r.account}: incomplete: " + "; ".join(r.incomplete) for r in reports if r.ok and r.incomplete
        ]

    return sync


def _monitor_prices(engine: Engine, path: Path | None) -> PricesSource:
    """Latest prices: a file, else the exchanges (saved to the store), else the store's last."""
    from tui.cli.context import prices_file, store_file_prices

    chosen = prices_file(engine, path)
    if chosen is not None:

        def from_file() -> tuple[dict[str, Amount], EpochMicros | None]:
            return store_file_prices(engine, chosen), engine.clock()  # re-read: the file may change

        return from_file
    if not engine.config.accounts:
        return engine.store.last_prices
    from engine.exchanges.ccxt_adapter import open_client
    from engine.exchanges.live_prices import LivePrices

    live = LivePrices(
        engine.config,
        lambda: {lot.asset for lot in engine.lots().open_lots},
        open_client,
        now_ms=lambda: micros_to_millis(engine.clock()),
    )

    def latest() -> tuple[dict[str, Amount], EpochMicros | None]:
        found = live.poll()
        if found:
            engine.store.save_prices(found, engine.clock(), "live")
        return engine.store.last_prices()  # what we have, stale or not, when an exchange is down

    return latest
