"""USD prices at past minutes from exchanges' public candles, through ccxt with no keys.

For an asset at a minute, each exchange of `prices.history_sources` is asked in order, on the
first of its markets ASSET/QUOTE for QUOTE in `prices.history_quotes` (default USD, then USDC,
then USDT: a stablecoin close is taken as that many US dollars, and the market is recorded with
the price). Candles are tried finest first: the 1-minute candle containing the minute, else the
nearest 1-minute candle within 15 minutes, else an hourly one within 3 hours, else a daily one
within a day (each as the exchange offers them); the price is the close of a candle containing or
before the minute, the open of one after it, and the interval is recorded. Minutes near each
other share one request (300 candles each), and ccxt's rate limiter paces the requests.

Every answer, a price or why there is none, is cached in the store per asset, minute and exchange,
so asking again makes no request (`retry_missing` asks again where none was found). An exchange
that fails (unreachable after harvest's retries, an error) is named with the reason and asked
nothing more this run; what it was to price is left unpriced rather than taken from the next
exchange, so a value never depends on which exchange happened to be down."""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Sequence
from typing import Any, NamedTuple

import ccxt

from engine.config.load import AccountConfig, PricesConfig
from engine.core import fixedpoint as fp
from engine.core.errors import ConfigError
from engine.core.units import (
    MICROS_PER_DAY,
    MICROS_PER_HOUR,
    MICROS_PER_MINUTE,
    Amount,
    EpochMicros,
    EpochMillis,
    micros_to_millis,
    millis_to_micros,
)
from engine.exchanges.ccxt_adapter import ExchangeClient, ExchangeError, to_decimal
from engine.ledger.price_needs import FoundPrice
from engine.store.fill_tables import Cached
from engine.store.store import Store

CANDLES_PER_REQUEST = 300  # Coinbase's cap; Kraken, Binance and the others give at least as many
Key = tuple[str, EpochMicros]  # (asset, minute)


class Step(NamedTuple):
    """One rung of the candle ladder: a ccxt timeframe, its width, and how far a candle may be."""

    timeframe: str
    width: int  # micros
    reach: int  # micros: the farthest a candle of this width may be from the minute it prices
    words: str


LADDER = (
    Step("1m", MICROS_PER_MINUTE, 15 * MICROS_PER_MINUTE, "15 minutes"),
    Step("1h", MICROS_PER_HOUR, 3 * MICROS_PER_HOUR, "3 hours"),
    Step("1d", MICROS_PER_DAY, MICROS_PER_DAY, "a day"),
)


class Candle(NamedTuple):
    opened: EpochMicros
    open: Amount
    close: Amount


def nearest(
    candles: Sequence[Candle], at: EpochMicros, width: int, reach: int
) -> tuple[Candle, Amount] | None:
    """The candle nearest `at` within `reach` (the one containing it first; of two as near, the
    earlier) and its price nearest in time: the close of a candle containing or before `at`, the
    open of one after it."""

    def distance(candle: Candle) -> tuple[int, bool, int]:
        inside = candle.opened <= at < candle.opened + width
        gap = candle.opened - at if at < candle.opened else max(0, at - (candle.opened + width))
        return gap, not inside, candle.opened

    if not candles:
        return None
    best = min(candles, key=distance)
    if distance(best)[0] > reach:
        return None
    return best, best.open if at < best.opened else best.close


def public_client(
    source: str, settings: dict[str, Any], sleep: Callable[[float], None] = time.sleep
) -> ExchangeClient:
    """An exchange's public API through ccxt (no credentials), with harvest's retry policy and
    ccxt's rate limiter; `settings` (prices.history_ccxt) merged into its constructor config."""
    return ExchangeClient(AccountConfig(name=source, exchange=source, ccxt=settings), {}, sleep=sleep)


class CandleHistory:
    """Prices at past minutes from the candles of `sources`, cached in the store."""

    def __init__(
        self,
        store: Store,
        sources: Sequence[str],
        quotes: Sequence[str],
        client_factory: Callable[[str], ExchangeClient],
        now: Callable[[], EpochMicros],
        retry_missing: bool = False,
    ) -> None:
        unknown = [s for s in sources if s not in ccxt.exchanges]
        if unknown:
            raise ConfigError(
                f"prices.history_sources: unknown exchange id {unknown[0]!r} (a ccxt id, e.g. kraken)"
            )
        self.store = store
        self.sources = list(sources)
        self.quotes = list(quotes)
        self.client_factory = client_factory
        self.now = now
        self.retry_missing = retry_missing
        self.failures: dict[str, str] = {}  # source -> why it was asked nothing more

    @classmethod
    def from_config(
        cls, store: Store, prices: PricesConfig, now: Callable[[], EpochMicros], retry_missing: bool = False
    ) -> CandleHistory:
        def factory(source: str) -> ExchangeClient:
            return public_client(source, prices.history_ccxt.get(source, {}))

        return cls(store, prices.history_sources, prices.history_quotes, factory, now, retry_missing)

    def lookup(self, keys: Collection[Key]) -> dict[Key, FoundPrice | str]:
        """Each (asset, minute): its price, or why none was found (every source's reason)."""
        found: dict[Key, FoundPrice] = {}
        whys: dict[Key, list[str]] = {key: [] for key in keys}
        pending = sorted(set(keys))
        for source in self.sources:
            if not pending:
                break
            cached = self.store.cached_history(source, pending)
            ask = []
            for key in pending:
                hit = cached.get(key)
                if hit is not None and hit.found is not None:
                    found[key] = hit.found
                elif hit is not None and not self.retry_missing:
                    whys[key].append(f"{source}: {hit.why}")
                else:
                    ask.append(key)
            answers: dict[Key, Cached] = {}
            failure = self.ask(source, ask, answers) if ask else None
            self.store.save_history(source, answers, self.now())
            for key, answer in answers.items():
                if answer.found is not None:
                    found[key] = answer.found
                else:
                    whys[key].append(f"{source}: {answer.why}")
            unasked = {key for key in ask if key not in answers}
            if failure is not None:
                self.failures[source] = failure
                for key in unasked:
                    whys[key].append(f"{source} unreachable")
            # a key the failed source was to price waits for it: never priced by the next source
            pending = [key for key in pending if key not in found and key not in unasked]
        return {key: found.get(key) or "; ".join(whys[key]) or "no source asked" for key in keys}

    def ask(self, source: str, keys: list[Key], answers: dict[Key, Cached]) -> str | None:
        """Ask one exchange for these keys, adding each answer; why it failed (None: it did not)."""
        try:
            client = self.client_factory(source)
        except ExchangeError as exc:
            return exc.reason
        try:
            markets = client.load_markets()
            ladder = [step for step in LADDER if step.timeframe in (client.exchange.timeframes or {})]
            if not client.has("fetchOHLCV") or not ladder:
                answers.update({key: Cached(None, "serves no candles") for key in keys})
                return None
            by_asset: dict[str, list[EpochMicros]] = {}
            for asset, minute in keys:
                by_asset.setdefault(asset, []).append(minute)
            for asset, minutes in by_asset.items():
                market = next(
                    (f"{asset}/{q}" for q in self.quotes if f"{asset}/{q}" in markets and q != asset), None
                )
                if market is None:
                    why = f"no {asset} market in {', '.join(self.quotes)}"
                    answers.update({(asset, minute): Cached(None, why) for minute in minutes})
                    continue
                left = sorted(minutes)
                for step in ladder:
                    priced = self.candle_prices(client, source, market, step, left)
                    answers.update({(asset, minute): Cached(point, None) for minute, point in priced.items()})
                    left = [minute for minute in left if minute not in priced]
                    if not left:
                        break
                why = f"no {market} candle within {ladder[-1].words}"
                answers.update({(asset, minute): Cached(None, why) for minute in left})
        except ExchangeError as exc:
            return exc.reason
        finally:
            client.close()
        return None

    def candle_prices(
        self, client: ExchangeClient, source: str, market: str, step: Step, minutes: list[EpochMicros]
    ) -> dict[EpochMicros, FoundPrice]:
        """Prices of these minutes (in order) from `step`'s candles: one request serves every
        minute whose reach lies inside the span it asked for."""
        found: dict[EpochMicros, FoundPrice] = {}
        span: tuple[int, int, list[Candle]] | None = None
        for minute in minutes:
            low, high = minute - step.reach, minute + step.reach
            if span is None or not (span[0] <= low and high <= span[1]):
                since = low // step.width * step.width
                candles = fetch_candles(client, market, step.timeframe, since)
                span = (since, since + CANDLES_PER_REQUEST * step.width, candles)
            chosen = nearest(span[2], minute, step.width, step.reach)
            if chosen is not None:
                candle, price = chosen
                found[minute] = FoundPrice(price, source, market, step.timeframe, candle.opened)
        return found


def fetch_candles(client: ExchangeClient, market: str, timeframe: str, since: int) -> list[Candle]:
    """Candles from `since` on (epoch micros); a candle without a positive open and close is
    dropped (a broken reply never prices anything at zero)."""
    raw = client.method(
        "fetch_ohlcv", market, timeframe, micros_to_millis(EpochMicros(since)), CANDLES_PER_REQUEST
    )
    candles = []
    for row in raw or []:
        if not isinstance(row, list) or len(row) < 5 or not isinstance(row[0], int):
            continue
        opened, close = to_decimal(row[1]), to_decimal(row[4])
        if opened is None or close is None or opened <= 0 or close <= 0:
            continue
        try:
            candles.append(
                Candle(millis_to_micros(EpochMillis(row[0])), fp.from_decimal(opened), fp.from_decimal(close))
            )
        except fp.FixedPointError:  # finer than 18 places: not a price harvest can hold exactly
            continue
    return candles
