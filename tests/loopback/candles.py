"""Candles a loopback exchange serves for history price lookups: a book of candles by market and
timeframe, served the way each exchange's candle endpoint pages them (Kraken's OHLC: after
`since`, only its latest 720 candles of an interval, whatever `since` asks; Coinbase's: between
`start` and `end`, newest first, at most 350). Where a market has candles in the book they are
served; otherwise a venue's `closes` (one close for any minute) still answer."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

KRAKEN_LATEST = 720  # Kraken's OHLC gives only the latest 720 candles of an interval
COINBASE_CAP = 350
SECONDS = {"1m": 60, "5m": 300, "15m": 900, "30m": 1800, "1h": 3600, "4h": 14_400, "1d": 86_400}
KRAKEN_INTERVALS = {minutes: tf for tf, seconds in SECONDS.items() if (minutes := seconds // 60)}
COINBASE_GRANULARITY = {"ONE_MINUTE": "1m", "FIVE_MINUTE": "5m", "FIFTEEN_MINUTE": "15m", "THIRTY_MINUTE": "30m",
                        "ONE_HOUR": "1h", "ONE_DAY": "1d"}  # fmt: skip


@dataclass
class CandleBook:
    """(symbol, timeframe) -> {open time in ms: (open, close)}."""

    series: dict[tuple[str, str], dict[int, tuple[Decimal, Decimal]]] = field(default_factory=dict)

    def add(self, symbol: str, timeframe: str, opened_ms: int, close: str, open_: str | None = None) -> None:
        self.series.setdefault((symbol, timeframe), {})[opened_ms] = (Decimal(open_ or close), Decimal(close))

    def serves(self, symbol: str) -> bool:
        return any(market == symbol for market, _ in self.series)

    def candles(self, symbol: str, timeframe: str) -> list[tuple[int, Decimal, Decimal]]:
        return sorted((ms, o, c) for ms, (o, c) in self.series.get((symbol, timeframe), {}).items())


def _text(number: Decimal) -> str:
    return f"{number:f}"


def kraken_ohlc(book: CandleBook, symbol: str, interval: int, since_s: int) -> list[list[Any]]:
    """Kraken's rows: [time s, open, high, low, close, vwap, volume, count], after `since`."""
    latest = book.candles(symbol, KRAKEN_INTERVALS[interval])[-KRAKEN_LATEST:]
    return [
        [ms // 1000, _text(o), _text(max(o, c)), _text(min(o, c)), _text(c), _text(c), "1.0", 1]
        for ms, o, c in latest
        if ms // 1000 > since_s
    ]


def coinbase_candles(
    book: CandleBook, symbol: str, granularity: str, start_s: int, end_s: int
) -> list[dict[str, str]]:
    """Coinbase's candles in [start, end), newest first."""
    rows = [
        (ms, o, c)
        for ms, o, c in book.candles(symbol, COINBASE_GRANULARITY[granularity])
        if start_s <= ms // 1000 < end_s
    ]
    return [
        {"start": str(ms // 1000), "low": _text(min(o, c)), "high": _text(max(o, c)), "open": _text(o),
         "close": _text(c), "volume": "1"}
        for ms, o, c in reversed(rows[-COINBASE_CAP:])
    ]  # fmt: skip
