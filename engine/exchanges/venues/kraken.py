"""Kraken: trades newest first, 50 a page by `ofs` offsets (ccxt does not page them), in passes
whose watermark moves only once a pass is whole; deposits and withdrawals by time."""

from __future__ import annotations

from dataclasses import dataclass

from engine.exchanges.paging import trades_by_offset
from engine.exchanges.streams import Balance, Markets, Stream, SyncContext, Venue
from engine.exchanges.venues.generic import transfer_streams

PAGE = 50  # TradesHistory's page: a shorter one is the last


@dataclass
class Trades:
    name: str = "trades"

    def run(self, ctx: SyncContext) -> None:
        trades_by_offset(ctx, PAGE)


def streams(ctx: SyncContext, markets: Markets, balance: Balance) -> list[Stream]:
    return [*transfer_streams(ctx.client), Trades()]


VENUE = Venue(streams)
