"""`harvest` alone: the app on the user's own store and config. The command line builds what
talks to the exchanges — the live price feed and the sync the app runs — so the app itself
imports neither ccxt nor engine.exchanges."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TYPE_CHECKING, TextIO

from engine.core.errors import HarvestError
from tui.cli.context import open_engine, prices_file, store_file_prices

if TYPE_CHECKING:
    from pathlib import Path

    from engine.api import Engine
    from engine.core.units import Amount, EpochMicros
    from engine.exchanges.live_prices import LivePrices
    from tui.session import Session, SyncRunner


def cmd_app(args: argparse.Namespace, out: TextIO) -> int:
    from engine.config.load import resolve_config_path
    from tui.app import HarvestApp
    from tui.feed import LiveFeed, PriceFeed, StoredFeed
    from tui.session import Session

    engine = open_engine(args)
    config = engine.config
    # no accounts: the app's `s` says how to add them instead of starting a sync
    runner = store_sync(engine) if config.accounts else None
    session = Session(
        engine, config_path=config.path or resolve_config_path(args.config)[0], sync=runner, use_cache=True
    )
    live = start_live_prices(session)
    feed: PriceFeed = (
        LiveFeed(live, session.save_prices)
        if live is not None
        else StoredFeed(
            file_prices_reader(engine, prices_file(engine, args.app_prices), session),
            interval=float(config.prices.poll_seconds),
        )
    )
    try:
        HarvestApp(session, feed).run()
    finally:
        if live is not None:
            live.stop()
    return 0


def file_prices_reader(
    engine: Engine, path: Path | None, session: Session
) -> Callable[[], tuple[dict[str, Amount], EpochMicros | None]]:
    """The store's last prices; with a prices file, the file first — stored again whenever it
    changes, so a user without exchange keys keeps the app current by rewriting one CSV."""
    if path is None:
        return session.stored_prices
    seen: list[float] = []

    def read() -> tuple[dict[str, Amount], EpochMicros | None]:
        try:
            changed = path.stat().st_mtime
        except OSError:
            changed = None
        if changed is not None and (not seen or seen[-1] != changed):
            seen.append(changed)
            with session.lock:  # the engine's store is shared with the app's workers
                store_file_prices(engine, path)
        return session.stored_prices()

    return read


def start_live_prices(session: Session) -> LivePrices | None:
    """Stream prices from the configured exchanges, when there are any."""
    config = session.engine.config
    if not config.accounts:
        return None
    from engine.exchanges.ccxt_adapter import open_client
    from engine.exchanges.live_prices import LivePrices

    def assets() -> set[str]:
        with session.lock:  # the engine is shared with the app's workers
            return {lot.asset for lot in session.engine.lots().open_lots}

    live = LivePrices(config, assets, open_client)
    live.start()
    return live


def step_text(account: str, done: int, total: int, what: str) -> str:
    """A sync step as the app's status line says it: `binance: trades BTC/USDT 3/40` (the one
    being read, of how many), or `kraken: deposits` for a step that is not counted."""
    return f"{account}: {what} {min(done + 1, total)}/{total}" if total > 1 else f"{account}: {what}"


def store_sync(engine: Engine) -> SyncRunner:
    """What `harvest sync` does, for the app: every account into the engine's store through a
    connection of its own, so the app's reads never wait on the exchanges' network I/O. The
    app reloads (and reconciles its checklist) after it."""

    def run(progress: Callable[[str], None]) -> str:
        from engine.exchanges.price_fill import fill_configured
        from engine.exchanges.sync import sync_accounts
        from engine.store.store import open_store

        def report(account: str, done: int, total: int, what: str) -> None:
            progress(step_text(account, done, total, what))

        store = open_store(engine.store.path)
        try:
            results = sync_accounts(engine.config, store, None, report)
            # then, as `harvest sync` does, the prices records came without (README: Prices for history)
            prices = fill_configured(store, engine.config, engine.clock, engine.calendar.day)
        finally:
            store.close()
        failed = [f"{r.account}: {r.error}" for r in results if not r.ok]
        failed += [
            f"{r.account}: incomplete: " + "; ".join(r.incomplete) for r in results if r.ok and r.incomplete
        ]
        failed += [f"prices: {source}: {reason}" for source, reason in sorted(prices.failures.items())]
        added = sum(r.added for r in results)
        if failed:
            raise HarvestError(f"{added} new record(s); failed: " + "; ".join(failed))
        filled = f", {prices.filled_count} price(s) filled in" if prices.filled_count else ""
        return f"{added} new record(s) from {len(results)} account(s){filled}"

    return run
