"""`harvest sync`: each account's history in through ccxt, resumable, stream by stream.

The account's venue module (venues/) declares its streams — trades, transfers, a ledger — each
paged the way that exchange's API really pages (paging.py). Every page of records lands in one
store transaction together with its stream's cursor, so a sync stopped at any point — kill -9
included — resumes where the store says, with no gap and no duplicate (records also carry
natural keys, so a page fetched twice adds nothing). A stream the exchange cannot give is named
with its reason and the others go on; the account is then reported incomplete. At the end the
ledger is reconciled with the balance, and current prices of held assets are stored."""

from __future__ import annotations

from collections.abc import Callable

from engine.config.load import AccountConfig, Config
from engine.core import fixedpoint as fp
from engine.core.errors import AccountError
from engine.core.units import Amount, EpochMillis, millis_to_micros
from engine.exchanges.ccxt_adapter import ExchangeClient, ExchangeError, StreamUnavailable, open_client
from engine.exchanges.market_precision import amount_steps
from engine.exchanges.streams import AccountReport, Balance, Markets, Progress, SyncContext
from engine.exchanges.venues.registry import venue_for
from engine.store.store import Store

__all__ = ["AccountReport", "AccountSync", "sync_accounts"]


def sync_accounts(
    config: Config,
    store: Store,
    only: str | None = None,
    progress: Progress | None = None,
    client_factory: Callable[[AccountConfig], ExchangeClient] | None = None,
    now_ms: Callable[[], EpochMillis] | None = None,
) -> list[AccountReport]:
    """Sync every configured account (or one); an account that fails does not stop the rest."""
    from engine.core.errors import InputError

    accounts = [a for a in config.accounts if only is None or a.name == only]
    if not accounts:
        if only:
            raise InputError(f"no account named {only!r} in the config")
        raise InputError("no exchange accounts configured (add `accounts:` to the config; see the README)")
    reports = []
    for account in accounts:
        report = AccountReport(account.name)
        try:
            make = client_factory or open_client
            client = make(account)
            try:
                AccountSync(store, account, client, report, progress, now_ms, config).run()
            finally:
                client.close()
        except AccountError as exc:  # the report names the account: the reason alone, not the name again
            report.error = exc.reason
        except Exception as exc:  # keep the other accounts going; say what broke
            from engine.core.errors import HarvestError

            report.error = str(exc) if isinstance(exc, HarvestError) else f"{type(exc).__name__}: {exc}"
        reports.append(report)
    return reports


class AccountSync:
    def __init__(
        self,
        store: Store,
        account: AccountConfig,
        client: ExchangeClient,
        report: AccountReport,
        progress: Progress | None,
        now_ms: Callable[[], EpochMillis] | None,
        config: Config,
    ) -> None:
        self.config = config  # the engine's: the balance check matches the lots as it does
        self.ctx = SyncContext(
            store, account, client, report, progress or (lambda *_: None), now_ms or client.now_ms
        )

    def run(self) -> None:
        ctx = self.ctx
        markets = ctx.client.load_markets()
        # the order step each asset accepts here (its market precision): plans sell whole steps
        steps = amount_steps(markets, int(ctx.client.exchange.precisionMode), ctx.usd_assets)
        ctx.store.save_amount_steps(ctx.account.name, steps, ctx.now_ms())
        venue = venue_for(ctx.client.id)
        balance = venue.balance(ctx) if venue.balance else ctx.client.balance()
        streams = venue.streams(ctx, markets, balance)
        for index, stream in enumerate(streams):
            ctx.say(index, len(streams), stream.name)
            try:
                stream.run(ctx)
            except StreamUnavailable as exc:  # this stream only: the others go on
                ctx.report.incomplete.append(f"{stream.name}: {exc.reason}")
        self.reconcile(balance)
        self.store_prices(markets, balance)
        ctx.say(1, 1, "done")

    def store_prices(self, markets: Markets, balance: Balance) -> None:
        """Current prices of the assets held here, stored as the monitor stores its own (source
        "sync"), so scan, plan, the app and watch have prices after a sync. Best effort: a sync
        is not failed for want of a ticker."""
        from engine.exchanges.live_prices import usd_symbols

        ctx = self.ctx
        held = {asset for asset, amount in balance.items() if amount > 0} - ctx.usd_assets
        quotes = ["USD", *sorted(ctx.usd_assets - {"USD"})]
        symbols = usd_symbols(markets, held, quotes)
        if not symbols:
            return
        try:
            tickers = ctx.client.tickers(sorted(set(symbols.values())))
        except ExchangeError as exc:
            ctx.report.price_error = exc.reason
            return
        prices = {
            asset: fp.from_decimal(tickers[symbol]) for asset, symbol in symbols.items() if symbol in tickers
        }
        if prices:
            ctx.store.save_prices(prices, millis_to_micros(ctx.now_ms()), "sync")
        ctx.report.prices = len(prices)

    def reconcile(self, balance: Balance) -> None:
        """Computed holdings against the exchange's balance; differences are missing history.
        The holdings are the engine's (Engine.account_lots: the user's decisions applied, as the
        lots and reports read them) and the balance's codes are read through the user's aliases,
        so neither a classified row nor an aliased code is a false mismatch."""
        from engine.api import Engine

        ctx = self.ctx
        engine = Engine(self.config, ctx.store)
        held: dict[str, int] = {}
        for lot in engine.account_lots():
            if lot.account == ctx.account.name:
                held[lot.asset] = held.get(lot.asset, 0) + lot.quantity
        identity = ctx.store.asset_identity()
        reported: dict[str, int] = {}
        for code, amount in balance.items():
            asset = identity.canonical(code)
            reported[asset] = reported.get(asset, 0) + fp.from_decimal(amount)
        mismatches: list[tuple[str, Amount, Amount]] = []
        for asset in sorted(set(held) | set(reported)):
            if asset in ctx.usd_assets:
                continue
            exchange = Amount(reported.get(asset, 0))
            ledger = Amount(held.get(asset, 0))
            if abs(exchange - ledger) > max(10**10, abs(exchange) // 10**6):  # 1e-8 or 1 ppm
                mismatches.append((asset, ledger, exchange))
        ctx.store.save_reconciliation(ctx.account.name, mismatches, ctx.now_ms())
        ctx.report.mismatches = mismatches
