"""Binance (and Binance.US, the same API on its own host; binanceus.py adds its staking): trades per market by `fromId` (ids
count per market, so a trade is known by its market and id); deposits and withdrawals served
90 days a request, and only the last 90 days without a start time, so the whole history is
walked window by window from the exchange's launch."""

from __future__ import annotations

from engine.exchanges.paging import TradesById
from engine.exchanges.streams import Balance, Markets, Stream, SyncContext, Venue
from engine.exchanges.venues.generic import PerMarket, trade_limit, transfer_streams

# (first day worth asking, days a request)
TRANSFER_HISTORY = {
    "binance": (1_498_867_200_000, 90),  # 2017-07
    "binanceus": (1_567_296_000_000, 90),  # 2019-09
}


def streams(ctx: SyncContext, markets: Markets, balance: Balance) -> list[Stream]:
    client = ctx.client
    limit = trade_limit(client) or 1000
    found = transfer_streams(client, TRANSFER_HISTORY.get(client.id, TRANSFER_HISTORY["binance"]))
    found.append(PerMarket(markets, balance, lambda symbol: TradesById(symbol, limit)))
    return found


VENUE = Venue(streams)
