"""Live USD prices for held assets: ccxt.pro `watch_tickers` where the exchange streams them,
else `fetch_tickers` polling. Runs beside the app or the monitor; reconnects with backoff;
keeps the time of the last update so stale prices are shown as stale."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from engine.config.load import AccountConfig, Config
from engine.core import fixedpoint as fp
from engine.core.units import Amount, EpochMillis
from engine.exchanges.ccxt_adapter import (
    ExchangeClient,
    ExchangeError,
    exchange_settings,
    to_decimal,
    wall_clock_ms,
)


def usd_symbols(markets: dict[str, Any], assets: set[str], usd_quotes: list[str]) -> dict[str, str]:
    """asset -> the market that prices it in USD (or a quote taken as USD), first match wins."""
    chosen: dict[str, str] = {}
    for asset in sorted(assets):
        for quote in usd_quotes:
            symbol = f"{asset}/{quote}"
            if symbol in markets:
                chosen[asset] = symbol
                break
    return chosen


@dataclass
class LivePrices:
    """Latest prices in a thread-safe dict; `poll()` for polling, `start()` for streaming."""

    config: Config
    assets: Callable[[], set[str]]
    client_factory: Callable[[AccountConfig], ExchangeClient]
    now_ms: Callable[[], EpochMillis] = wall_clock_ms
    prices: dict[str, Amount] = field(default_factory=dict)
    updated_ms: EpochMillis | None = None
    last_error: str | None = None  # the last problem seen, even if it has passed since
    problems: dict[str, str] = field(default_factory=dict)  # account -> why its prices stopped, now
    lock: threading.Lock = field(default_factory=threading.Lock)
    _stop: threading.Event = field(default_factory=threading.Event)

    def quotes(self, account: AccountConfig) -> list[str]:
        return ["USD", *[q for q in account.quote_as_usd if q != "USD"]]

    def poll(self) -> dict[str, Amount]:
        """One fetch_tickers round over the accounts until every asset has a price."""
        wanted = set(self.assets())
        found: dict[str, Amount] = {}
        for account in self.config.accounts:
            missing = wanted - set(found)
            if not missing:
                break
            client = self.client_factory(account)
            try:
                markets = client.load_markets()
                symbols = usd_symbols(markets, missing, self.quotes(account))
                if not symbols:
                    continue
                tickers = client.tickers(sorted(set(symbols.values())))
                for asset, symbol in symbols.items():
                    if symbol in tickers:
                        found[asset] = fp.from_decimal(tickers[symbol])
                self.set_problem(account.name, None)
            except ExchangeError as exc:
                self.set_problem(account.name, exc.reason)
            finally:
                client.close()
        if found:
            self.record(found)
        return found

    def record(self, found: dict[str, Amount]) -> None:
        with self.lock:
            self.prices.update(found)
            self.updated_ms = self.now_ms()

    def latest(self) -> tuple[dict[str, Amount], EpochMillis | None]:
        with self.lock:
            return dict(self.prices), self.updated_ms

    def set_problem(self, account: str, reason: str | None) -> None:
        with self.lock:
            if reason is None:
                self.problems.pop(account, None)
            else:
                self.problems[account] = reason
                self.last_error = f"{account}: {reason}"

    def problem(self) -> str | None:
        """Why prices are not coming in now (each failing account and its reason), or None."""
        with self.lock:
            return "; ".join(f"{a}: {r}" for a, r in sorted(self.problems.items())) or None

    # -- streaming --------------------------------------------------------------------------

    def start(self) -> threading.Thread:
        self._thread = threading.Thread(target=self._run, name="harvest-prices", daemon=True)
        self._thread.start()
        return self._thread

    def stop(self, wait: float = 5.0) -> None:
        self._stop.set()
        thread = getattr(self, "_thread", None)
        if thread is not None:
            thread.join(wait)

    def _run(self) -> None:
        asyncio.run(self._stream_all())

    async def _stream_all(self) -> None:
        tasks = [asyncio.create_task(self._stream(account)) for account in self.config.accounts]
        if not tasks:
            return
        while not self._stop.is_set():
            await asyncio.sleep(0.2)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _stream(self, account: AccountConfig) -> None:
        """watch_tickers with reconnect and backoff; polling when the exchange cannot stream."""
        import ccxt.pro as ccxtpro

        backoff = 1.0
        exchange_class = getattr(ccxtpro, account.exchange, None)
        if exchange_class is None or not exchange_class().has.get("watchTickers"):
            while not self._stop.is_set():
                await asyncio.to_thread(self.poll)
                await asyncio.sleep(self.config.prices.poll_seconds)
            return
        from engine.core.errors import HarvestError
        from engine.exchanges.credentials import load_credentials, redact

        try:
            credentials = load_credentials(account)
        except HarvestError as exc:  # the stream never starts: say why instead of going quiet
            reason = str(exc).removeprefix(f"{account.name}: ")  # the account is named once
            self.set_problem(account.name, f"price stream not started: {reason}")
            return
        exchange = exchange_class(exchange_settings(account, credentials))
        try:
            while not self._stop.is_set():
                try:
                    markets = await exchange.load_markets()
                    symbols = usd_symbols(markets, self.assets(), self.quotes(account))
                    by_symbol = {symbol: asset for asset, symbol in symbols.items()}
                    if not by_symbol:
                        return
                    while not self._stop.is_set():
                        await exchange.watch_tickers(sorted(by_symbol))
                        found = {}
                        for symbol, ticker in exchange.tickers.items():  # all, not just this message's
                            last = to_decimal((ticker or {}).get("last"))
                            if symbol in by_symbol and last is not None and last > Decimal(0):
                                found[by_symbol[symbol]] = fp.from_decimal(last)
                        if found:
                            self.record(found)
                            self.set_problem(account.name, None)
                        backoff = 1.0
                except asyncio.CancelledError:
                    raise
                except Exception as exc:  # network drop, exchange error: back off, reconnect
                    detail = redact(str(exc).splitlines()[0] if str(exc) else "", credentials)[:160]
                    reason = f"price stream failed ({type(exc).__name__}{': ' + detail if detail else ''})"
                    self.set_problem(account.name, f"{reason}; retrying in {backoff:.0f} s")
                    await asyncio.sleep(backoff)
                    backoff = min(30.0, backoff * 2)
        finally:
            await exchange.close()
