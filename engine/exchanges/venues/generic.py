"""Any ccxt exchange without a module of its own: streams chosen from ccxt's `has` and
`features` — trades by time (per market where a symbol is required, in `untilDays` windows where
a request's span is capped), deposits and withdrawals where the API has them, and a stream the
API lacks reported as unavailable (the account is then incomplete, never complete)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from engine.exchanges.ccxt_adapter import ExchangeClient, StreamUnavailable
from engine.exchanges.paging import TradesByTime, TransfersByTime, Unavailable
from engine.exchanges.streams import Balance, Markets, Stream, SyncContext, Venue


class MarketStream(Protocol):
    @property
    def name(self) -> str: ...

    traded: bool

    def run(self, ctx: SyncContext) -> None: ...


@dataclass
class PerMarket:
    """Where the exchange wants a symbol: every spot market whose base or quote the account
    holds, ever held (its pools: trades, transfers, fees) or trades in (its USD-like quotes),
    growing as trades reveal assets — a position bought and closed before the first sync is found
    through the quote it was bought with. `symbols` in the config narrows it. Without
    `through_cash` (an exchange listing hundreds of USD markets), a USD-like quote makes no market
    due: only the assets held or in the history do."""

    markets: Markets
    balance: Balance
    market_stream: Callable[[str], MarketStream]
    name: str = "trades"
    scanned: list[str] = field(default_factory=list)
    through_cash: bool = True

    def run(self, ctx: SyncContext) -> None:
        account = ctx.account
        if account.symbols:
            for index, symbol in enumerate(account.symbols):
                ctx.say(index, len(account.symbols), f"trades {symbol}")
                self.read(ctx, symbol)
            return
        known = {a for a, q in self.balance.items() if q > 0} | ctx.store.traded_assets(account.name)
        known = known | ctx.usd_assets if self.through_cash else known - ctx.usd_assets
        spot = {
            symbol: (str(market.get("base")), str(market.get("quote")))
            for symbol, market in self.markets.items()
            if market.get("spot") and market.get("active", True) is not False
        }
        while True:
            due = sorted(
                s
                for s, (base, quote) in spot.items()
                if s not in self.scanned and (base in known or quote in known)
            )
            if not due:
                break
            for symbol in due:
                ctx.say(len(self.scanned), len(self.scanned) + len(due), f"trades {symbol}")
                if self.read(ctx, symbol):  # a trade here: the other side was held too
                    known |= set(spot[symbol]) - (set() if self.through_cash else ctx.usd_assets)

    def read(self, ctx: SyncContext, symbol: str) -> bool:
        """One market's trades; True when it has any. A market that cannot be read is named."""
        self.scanned.append(symbol)
        ctx.report.markets_scanned = list(self.scanned)
        stream = self.market_stream(symbol)
        try:
            stream.run(ctx)
        except StreamUnavailable as exc:
            ctx.report.incomplete.append(f"{stream.name}: {exc.reason}")
        return stream.traded


def transfer_streams(client: ExchangeClient, history: tuple[int, int] | None = None) -> list[Stream]:
    """Deposits and withdrawals as the API offers them: apart, together, or not at all."""
    deposits, withdrawals = client.has("fetchDeposits"), client.has("fetchWithdrawals")
    if deposits and withdrawals:
        return [TransfersByTime("deposit", history), TransfersByTime("withdrawal", history)]
    if client.has("fetchDepositsWithdrawals"):
        return [TransfersByTime(None, history)]
    found: list[Stream] = []
    for kind, present in (("deposit", deposits), ("withdrawal", withdrawals)):
        if present:
            found.append(TransfersByTime(kind, history))
        else:
            reason = f"the exchange's API (ccxt {client.id}) gives no {kind} history: import them as a file"
            found.append(Unavailable(f"{kind}s", reason))
    return found


def trade_limit(client: ExchangeClient) -> int | None:
    limit = client.trade_features().get("limit")
    return int(limit) if limit else None


def streams(ctx: SyncContext, markets: Markets, balance: Balance) -> list[Stream]:
    client = ctx.client
    features = client.trade_features()
    window = features.get("untilDays")
    window_days = int(window) if window else None
    found = transfer_streams(client)
    if not client.has("fetchMyTrades"):
        found.append(Unavailable("trades", f"the exchange's API (ccxt {client.id}) gives no trade history"))
    elif features.get("symbolRequired"):
        limit = trade_limit(client)
        found.append(PerMarket(markets, balance, lambda symbol: TradesByTime(symbol, limit, window_days)))
    else:
        found.append(TradesByTime(None, trade_limit(client), window_days))
    return found


VENUE = Venue(streams)
