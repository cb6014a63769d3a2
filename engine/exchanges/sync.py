"""`harvest sync`: each account's trades, transfers and balances in through ccxt, resumable.

Every page of records lands in one store transaction together with its cursor, so a sync
stopped at any point — kill -9 included — resumes where the store says, with no gap and no
duplicate (records also carry natural keys, so a page fetched twice adds nothing). Where an
exchange returns newest first (Kraken), the cursor only moves once a whole pass is stored."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from engine.config.load import AccountConfig, Config
from engine.core import fixedpoint as fp
from engine.core.units import Amount, EpochMicros, EpochMillis, micros_to_millis
from engine.exchanges.ccxt_adapter import ExchangeClient, ExchangeError, open_client
from engine.ledger.events import Event
from engine.store.store import Store, keys_of

Progress = Callable[[str, int, int, str], None]  # account, done, total, what
SINCE_OVERLAP_MS = 1_000  # since-based cursors re-read a second: ids dedupe the overlap
FIRST_SINCE_MS = EpochMillis(1_262_304_000_000)  # 2010-01-01: "from the beginning" for since-based APIs


@dataclass
class AccountReport:
    account: str
    added: int = 0
    fetched: int = 0
    rejected: list[str] = field(default_factory=list)
    mismatches: list[tuple[str, Amount, Amount]] = field(default_factory=list)  # asset, ledger, exchange
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


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
                AccountSync(config, store, account, client, report, progress, now_ms).run()
            finally:
                client.close()
        except ExchangeError as exc:
            report.error = exc.reason
        except Exception as exc:  # keep the other accounts going; say what broke
            from engine.core.errors import HarvestError

            report.error = str(exc) if isinstance(exc, HarvestError) else f"{type(exc).__name__}: {exc}"
        reports.append(report)
    return reports


class AccountSync:
    def __init__(
        self,
        config: Config,
        store: Store,
        account: AccountConfig,
        client: ExchangeClient,
        report: AccountReport,
        progress: Progress | None,
        now_ms: Callable[[], EpochMillis] | None,
    ) -> None:
        self.config = config
        self.store = store
        self.account = account
        self.client = client
        self.report = report
        self.progress = progress or (lambda *_: None)
        self.now_ms = now_ms or client.now_ms
        self.usd_assets = frozenset({"USD", *account.quote_as_usd})

    def run(self) -> None:
        markets = self.client.load_markets()
        balance = self.client.balance()
        symbols = self.symbols(markets, balance)
        features = self.client.trade_features()
        for index, symbol in enumerate(symbols):
            self.progress(self.account.name, index, len(symbols), f"trades {symbol or 'all markets'}")
            if self.client.id == "binance" and symbol:
                self.trades_by_id(symbol, int(features.get("limit") or 1000))
            elif self.client.id == "kraken":
                self.trades_by_offset()
            else:
                self.trades_by_time(symbol, features.get("limit"))
        for kind in ("deposit", "withdrawal"):
            if self.client.has("fetchDeposits" if kind == "deposit" else "fetchWithdrawals"):
                self.progress(self.account.name, len(symbols), len(symbols), f"{kind}s")
                self.transfers(kind)
        self.reconcile(balance)
        self.progress(self.account.name, len(symbols), len(symbols), "done")

    def symbols(self, markets: dict[str, Any], balance: dict[str, Decimal]) -> list[str | None]:
        """Markets to read: all at once where the exchange allows, else every spot market of
        an asset held or ever traded (or the account's configured `symbols`)."""
        if not self.client.trade_features().get("symbolRequired"):
            return [None]
        if self.account.symbols:
            return list(self.account.symbols)
        assets = {a for a, q in balance.items() if q > 0} | self.store.traded_assets(self.account.name)
        chosen: list[str | None] = []
        chosen += sorted(
            symbol
            for symbol, market in markets.items()
            if market.get("spot") and market.get("base") in assets and market.get("active", True) is not False
        )
        return chosen

    # -- paging strategies ------------------------------------------------------------------

    def trades_by_id(self, symbol: str, limit: int) -> None:
        """Binance: `fromId` pages in ascending id order; the cursor is the next id."""
        stream = f"trades:{symbol}"
        cursor = int(self.store.cursor(self.account.name, stream) or 0)
        while True:
            page = self.client.my_trades(symbol, None, limit, {"fromId": cursor})
            if not page:
                return
            ids = [int(t["id"]) for t in page if str(t.get("id", "")).isdigit()]
            if not ids:  # ids that are not numbers: fromId paging cannot go on; keep what came
                self.store_page(page, stream, None)
                return
            cursor = max(ids) + 1
            self.store_page(page, stream, str(cursor))
            if len(page) < limit:
                return

    def trades_by_offset(self) -> None:
        """Kraken: newest first, 50 a page, `ofs` offsets; the cursor (a time) moves only after
        the whole pass is stored."""
        stream = "trades"
        since = self.store.cursor(self.account.name, stream)
        start = EpochMillis(max(FIRST_SINCE_MS, int(since) - SINCE_OVERLAP_MS)) if since else None
        offset, newest, clean = 0, int(since) if since else 0, True
        while True:
            page = self.client.my_trades(None, start, None, {"ofs": offset})
            if not page:
                break
            newest = max(newest, *(int(t.get("timestamp") or 0) for t in page))
            clean = self.store_page(page, stream, None) and clean
            offset += len(page)
        if newest and clean:
            self.store.set_cursor(self.account.name, stream, str(newest), self.now_ms())

    def trades_by_time(self, symbol: str | None, limit: Any) -> None:
        """Others: ascending by time from the cursor, page after page."""
        stream = f"trades:{symbol or '*'}"
        since_text = self.store.cursor(self.account.name, stream)
        since = EpochMillis(int(since_text) - SINCE_OVERLAP_MS) if since_text else FIRST_SINCE_MS
        while True:
            page = self.client.my_trades(symbol, since, int(limit) if limit else None, {})
            fresh = [t for t in page if int(t.get("timestamp") or 0) >= since]
            if not fresh:
                return
            newest = max(int(t.get("timestamp") or 0) for t in fresh)
            self.store_page(fresh, stream, str(newest))
            if newest <= since or (limit and len(page) < int(limit)):
                return
            since = EpochMillis(newest)

    def transfers(self, kind: str) -> None:
        stream = f"{kind}s"
        since_text = self.store.cursor(self.account.name, stream)
        since = EpochMillis(int(since_text) - SINCE_OVERLAP_MS) if since_text else None
        records = self.client.transfers(kind, since)
        events: list[Event] = []
        newest = int(since_text or 0)
        rejected = False
        for record in records:
            if str(record.get("currency") or "") in self.usd_assets:
                continue  # fiat in and out is not a crypto lot
            converted = self.client.transfer_event(record, kind)
            if isinstance(converted, str):
                self.report.rejected.append(converted)
                rejected = True
            elif converted is not None:
                events.append(self.valued(converted))
                newest = max(newest, micros_to_millis(converted.timestamp))
        self.report.fetched += len(records)
        cursor = str(newest) if newest and not rejected else None
        self.commit(events, stream, cursor)

    # -- storing ----------------------------------------------------------------------------

    def store_page(self, page: list[dict[str, Any]], stream: str, cursor: str | None) -> bool:
        """Store a page; the cursor moves past it only when nothing in it was rejected (a
        rejected record is read again next time rather than skipped for good)."""
        events = []
        rejected = False
        for trade in page:
            converted = self.client.trade_event(trade)
            if isinstance(converted, str):
                self.report.rejected.append(converted)
                rejected = True
            else:
                events.append(self.valued(converted))
        self.report.fetched += len(page)
        self.commit(events, stream, None if rejected else cursor)
        return not rejected

    def commit(self, events: list[Event], stream: str, cursor: str | None) -> None:
        also = self.store.set_cursor_sql(self.account.name, stream, cursor, self.now_ms()) if cursor else None
        summary = self.store.import_events(
            keys_of(events), f"ccxt:{self.account.name}", self.usd_assets, also
        )
        self.report.added += summary.added

    def valued(self, event: Event) -> Event:
        """Fill the USD values a record needs from historical 1-minute prices (cached)."""
        if event.side in ("buy", "sell") and event.quote not in self.usd_assets and event.price:
            unit = self.usd_price(event.asset, event.timestamp)
            if unit is None:
                quote_usd = self.usd_price(event.quote, event.timestamp)
                unit = None if quote_usd is None else fp.mul(event.price, quote_usd)
            event = event._replace(price_usd=unit)
        if (
            event.fee
            and event.fee_asset not in self.usd_assets
            and event.fee_asset not in (event.asset, event.quote)
        ):
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
        minute = EpochMillis(micros // 60_000_000 * 60_000)
        known, price = self.store.usd_price(asset, minute)
        if known:
            return price
        found: Amount | None = None
        for quote in ("USD", *sorted(self.usd_assets - {"USD"})):
            symbol = f"{asset}/{quote}"
            if symbol in (self.client.exchange.markets or {}):
                close = self.client.usd_close(symbol, minute)
                if close is not None:
                    found = fp.from_decimal(close)
                    break
        self.store.save_usd_price(asset, minute, found, f"ccxt:{self.client.id} 1m close")
        return found

    def reconcile(self, balance: dict[str, Decimal]) -> None:
        """Computed holdings against the exchange's balance; differences are missing history."""
        from engine.ledger.lots import match_lots

        result = match_lots(self.store.ledger(), "fifo")
        held: dict[str, int] = {}
        for lot in result.open_lots:
            if lot.account == self.account.name:
                held[lot.asset] = held.get(lot.asset, 0) + lot.quantity
        mismatches: list[tuple[str, Amount, Amount]] = []
        for asset in sorted(set(held) | set(balance)):
            if asset in self.usd_assets:
                continue
            reported = fp.from_decimal(balance.get(asset, Decimal(0)))
            ledger = Amount(held.get(asset, 0))
            if abs(reported - ledger) > max(10**10, abs(reported) // 10**6):  # 1e-8 or 1 ppm
                mismatches.append((asset, ledger, reported))
        self.store.save_reconciliation(self.account.name, mismatches, self.now_ms())
        self.report.mismatches = mismatches
