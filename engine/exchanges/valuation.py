"""USD values a synced record needs and its exchange does not give: from the exchange's own
1-minute candles at the record's minute, cached in the store (a value not found stays unknown,
so the record is flagged downstream, never valued at zero). Candles are asked for a few hundred
minutes at a time, so a history of thousands of crypto-quoted trades costs a few requests."""

from __future__ import annotations

from decimal import Decimal

from engine.core import fixedpoint as fp
from engine.core.units import Amount, EpochMicros, EpochMillis
from engine.exchanges.ccxt_adapter import ExchangeClient
from engine.ledger.events import Event
from engine.store.store import Store

CANDLES_PER_REQUEST = 300  # Coinbase's cap; the other exchanges give at least as many
MINUTE_MS = 60_000


class UsdValuer:
    def __init__(self, store: Store, client: ExchangeClient, usd_assets: frozenset[str]) -> None:
        self.store = store
        self.client = client
        self.usd_assets = usd_assets
        # this sync's candles: closes by symbol and minute, and the spans each request covered
        self.closes: dict[str, dict[int, Decimal | None]] = {}
        self.covered: dict[str, list[tuple[int, int]]] = {}

    def valued(self, event: Event) -> Event:
        """The event with the USD values it lacks filled in where a candle gives them."""
        usd = self.usd_assets
        if event.side == "income" and event.price is None:  # a reward the exchange gives no value for
            found = self.usd_price(event.asset, event.timestamp)
            if found is not None:  # else left without a price: flagged downstream, never zero
                event = event._replace(price=found, quote="USD")
        if event.side in ("buy", "sell", "income") and event.quote not in usd and event.price:
            unit = self.usd_price(event.asset, event.timestamp)
            if unit is None:
                quote_usd = self.usd_price(event.quote, event.timestamp)
                unit = None if quote_usd is None else fp.mul(event.price, quote_usd)
            event = event._replace(price_usd=unit)
        if event.fee and event.fee_asset not in usd and event.fee_asset not in (event.asset, event.quote):
            fee_unit = self.usd_price(event.fee_asset, event.timestamp)
            if fee_unit is not None:
                event = event._replace(fee_usd=fp.mul(event.fee, fee_unit))
        if event.side == "transfer_out" and event.fee:
            unit = self.usd_price(event.asset, event.timestamp)
            if unit is not None:
                event = event._replace(fee_usd=fp.mul(event.fee, unit))
        return event

    def usd_price(self, asset: str, micros: EpochMicros) -> Amount | None:
        """The asset's USD close of the minute of `micros` (cached in the store, keyed by the
        minute in epoch milliseconds as the exchange gives it); None if no market prices it."""
        minute = EpochMillis(micros // 60_000_000 * MINUTE_MS)
        known, price = self.store.usd_price(asset, minute)
        if known:
            return price
        found: Amount | None = None
        for quote in ("USD", *sorted(self.usd_assets - {"USD"})):
            symbol = f"{asset}/{quote}"
            if symbol in (self.client.exchange.markets or {}):
                close = self.close(symbol, minute)
                if close is not None:
                    found = fp.from_decimal(close)
                    break
        self.store.save_usd_price(asset, minute, found, f"ccxt:{self.client.id} 1m close")
        return found

    def close(self, symbol: str, minute: EpochMillis) -> Decimal | None:
        """One minute's close, from candles already fetched this sync when they cover it (a
        minute inside a fetched span without a candle had no trades), else from a new request
        starting at that minute."""
        closes = self.closes.setdefault(symbol, {})
        if minute in closes:
            return closes[minute]
        spans = self.covered.setdefault(symbol, [])
        if any(start <= minute <= end for start, end in spans):
            return None
        fetched = self.client.minute_closes(symbol, minute, CANDLES_PER_REQUEST)
        closes.update(fetched)
        spans.append((minute, max(fetched, default=minute)))  # as far as the candles came, no further
        return closes.get(minute)
