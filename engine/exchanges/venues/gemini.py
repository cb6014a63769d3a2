"""Gemini: its API pages everything the same way — from a `timestamp` (ms) the oldest `limit`
records on or after it (listed newest first) — so each stream walks forward, the next request
from the newest time seen (re-read: ids dedupe it), until a short page.

- Trades need a symbol: the markets read are those of assets the account holds or ever held
  (balances, then transfers and trades as they are read — never every market Gemini lists, most
  quoted in USD). A trade Gemini fully reversed (`break: full`) never happened and is skipped.
- Deposits and withdrawals come only from `fetchDepositsWithdrawals` (/v1/transfers, 50 a page);
  a pending one, or one rejected, holds the cursor below it.
- Staking rewards (and the staked balance) through Gemini's staking endpoints: gemini_staking.py.
  Read before the trades, like the transfers: a reward names an asset whose markets are read."""

from __future__ import annotations

from dataclasses import dataclass

from engine.core.units import EpochMillis
from engine.exchanges.paging import Record
from engine.exchanges.streams import Balance, Markets, Stream, SyncContext, Venue
from engine.exchanges.venues.gemini_staking import StakingHistory
from engine.exchanges.venues.gemini_staking import balance as staking_balance
from engine.exchanges.venues.generic import PerMarket

TRADES_PAGE = 500  # /v1/mytrades: limit_trades at most
TRANSFERS_PAGE = 50  # /v1/transfers: limit_transfers at most


def newest(records: list[Record]) -> int:
    return max(int(record.get("timestamp") or 0) for record in records)


@dataclass
class MarketTrades:
    """One market's trades, forward from the stored time (the time itself re-read)."""

    symbol: str
    traded: bool = False

    @property
    def name(self) -> str:
        return f"trades {self.symbol}"

    def run(self, ctx: SyncContext) -> None:
        stream = f"trades:{self.symbol}"
        stored = ctx.cursor(stream)
        self.traded = stored is not None
        since, held = int(stored or 0), False
        while True:
            # the time as Gemini's own parameter, in ms: ccxt's `since` is sent in seconds and
            # then filtered again on its side, which would cut a full page short
            page = ctx.client.my_trades(self.symbol, None, TRADES_PAGE, {"timestamp": since})
            if not page:
                return
            self.traded = True
            kept = [t for t in page if (t.get("info") or {}).get("break") != "full"]
            last = newest(page)
            # once a record is rejected the cursor stays below it for the rest of this run
            held = not ctx.store_trades(kept, stream, None if held else str(last)) or held
            if len(page) < TRADES_PAGE:
                return
            since = last if last > since else since + 1  # a full page within one ms: step past it


@dataclass
class Transfers:
    name: str = "deposits and withdrawals"

    def run(self, ctx: SyncContext) -> None:
        stream = "transfers"
        since = int(ctx.cursor(stream) or 0)
        ceiling: int | None = None  # below the first pending or rejected record
        while True:
            records: list[Record] = ctx.client.method(
                "fetch_deposits_withdrawals", None, since, TRANSFERS_PAGE, {}
            )
            if not records:
                return
            last = newest(records)  # fiat and all: the history up to here is read
            ceiling = ctx.store_transfers(records, None, stream, EpochMillis(since), last, ceiling)
            if len(records) < TRANSFERS_PAGE:
                return
            since = last if last > since else since + 1


def streams(ctx: SyncContext, markets: Markets, balance: Balance) -> list[Stream]:
    return [Transfers(), StakingHistory(), PerMarket(markets, balance, MarketTrades, through_cash=False)]


VENUE = Venue(streams, staking_balance)
