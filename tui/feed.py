"""Price sources for the app. Each returns new prices when asked (the screen polls it from a
worker): the demo's simulated market, or the prices the store last recorded (written by
`harvest sync` and the monitor)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Protocol

from engine.core import fixedpoint as fp
from engine.core.units import Amount, EpochMicros, EpochMillis, millis_to_micros
from engine.demo import portfolio as demo


class PriceFeed:
    interval: float = 15.0
    label: str = "prices"

    def poll(self) -> tuple[dict[str, Amount], EpochMicros] | None:
        """New prices and the time they were observed, or None when nothing changed."""
        raise NotImplementedError

    def problem(self) -> str | None:
        """Why prices are not coming in right now (shown in the header), or None."""
        return None


@dataclass
class DemoFeed(PriceFeed):
    """A seeded mean-reverting walk with dips per asset, one step per poll, for as long as the
    demo runs: candidates appear, savings move, and nothing touches the network."""

    today: date
    clock: Callable[[], EpochMicros]
    interval: float = 1.0
    label: str = "demo feed"
    walks: dict[str, Iterator[Decimal]] = field(default_factory=dict)
    prices: dict[str, Decimal] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for asset, start in demo.demo_prices(self.today).items():
            self.walks[asset] = demo.price_walk(asset, start)
            self.prices[asset] = next(self.walks[asset])

    def current(self) -> dict[str, Amount]:
        return {asset: fp.from_decimal(price) for asset, price in self.prices.items()}

    def poll(self) -> tuple[dict[str, Amount], EpochMicros] | None:
        self.prices = {asset: next(walk) for asset, walk in self.walks.items()}
        return self.current(), self.clock()


@dataclass
class StoredFeed(PriceFeed):
    """The last prices the store holds; polled so a monitor's or a sync's updates show up."""

    read: Callable[[], tuple[dict[str, Amount], EpochMicros | None]]
    interval: float = 15.0
    label: str = "stored prices"
    seen: EpochMicros | None = None

    def poll(self) -> tuple[dict[str, Amount], EpochMicros] | None:
        prices, oldest = self.read()
        if not prices or oldest is None or oldest == self.seen:
            return None
        self.seen = oldest
        return prices, oldest


class LatestPrices(Protocol):
    """What the live feed reads: a price stream the command line starts (the app never
    imports the exchange layer)."""

    def latest(self) -> tuple[dict[str, Amount], EpochMillis | None]:
        """The latest prices and when they were updated (None: not yet)."""
        ...

    def problem(self) -> str | None:
        """Why prices are not coming in now (each failing account and its reason), or None."""
        ...

    def stop(self, wait: float = 5.0) -> None: ...


@dataclass
class LiveFeed(PriceFeed):
    """Prices from the configured exchanges (streamed where possible, else polled); each new
    set is also saved to the store so a monitor or another window sees it."""

    live: LatestPrices
    save: Callable[[dict[str, Amount], EpochMicros], None]
    interval: float = 1.0
    label: str = "exchanges"
    seen: EpochMillis | None = None

    def poll(self) -> tuple[dict[str, Amount], EpochMicros] | None:
        prices, updated_ms = self.live.latest()
        if not prices or updated_ms is None or updated_ms == self.seen:
            return None
        self.seen = updated_ms
        micros = millis_to_micros(updated_ms)
        self.save(prices, micros)
        return prices, micros

    def problem(self) -> str | None:
        return self.live.problem()
