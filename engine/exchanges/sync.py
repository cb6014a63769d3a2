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
from engine.core.errors import AccountError
from engine.core.units import Amount, EpochMicros, EpochMillis, micros_to_millis
from engine.exchanges.ccxt_adapter import ExchangeClient, open_client
from engine.exchanges.market_precision import amount_steps
from engine.ledger.cross_source import Overlap
from engine.ledger.events import Event
from engine.store.store import Store, keys_of

Progress = Callable[[str, int, int, str], None]  # account, done, total, what
DAY_MS = 86_400_000
SETTLE_MS = DAY_MS  # a windowed cursor stays a day behind now: records can appear a little late
# exchanges that serve deposit/withdrawal history only in windows: (first day worth asking, days)
TRANSFER_HISTORY = {
    "binance": (1_498_867_200_000, 90),
    "binanceus": (1_567_296_000_000, 90),
}  # 2017-07, 2019-09
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
    markets_scanned: list[str] = field(default_factory=list)  # where a symbol is required
    pending: int = 0  # transfers not complete yet: read again by the next sync
    from_files: int = 0  # fills the store already had from an imported file (skipped)
    overlaps: list[Overlap] = field(default_factory=list)  # fills kept beside a file's unmatched trades

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
        self.progress(self.account.name, 0, 1, "markets")
        markets = self.client.load_markets()
        steps = amount_steps(markets, int(self.client.exchange.precisionMode), self.usd_assets)
        self.store.save_amount_steps(self.account.name, steps, self.now_ms())
        self.progress(self.account.name, 0, 1, "balances")
        balance = self.client.balance()
        features = self.client.trade_features()
        # transfers first: a deposit names an asset whose markets must be read for trades
        for kind in ("deposit", "withdrawal"):
            if self.client.has("fetchDeposits" if kind == "deposit" else "fetchWithdrawals"):
                self.progress(self.account.name, 0, 1, f"{kind}s")
                self.transfers(kind)
        if not features.get("symbolRequired"):
            self.progress(self.account.name, 0, 1, "trades")
            if self.client.id == "kraken":
                self.trades_by_offset()
            else:
                self.trades_by_time(None, features.get("limit"))
        else:
            self.trades_per_market(markets, balance, features)
        self.progress(self.account.name, 0, 1, "checking balances")
        self.reconcile(balance)
        self.progress(self.account.name, 1, 1, "done")

    def trades_per_market(
        self, markets: dict[str, Any], balance: dict[str, Decimal], features: dict[str, Any]
    ) -> None:
        """Where the exchange wants a symbol (Binance): every spot market whose base or quote the
        account holds, ever held (its pools: trades, transfers, fees) or trades in (its USD-like
        quotes), growing as trades reveal assets — a position bought and closed before the first
        sync is found through the quote it was bought with. `symbols` in the config narrows it."""
        if self.account.symbols:
            self.report.markets_scanned = list(self.account.symbols)
            for index, symbol in enumerate(self.account.symbols):
                self.progress(self.account.name, index, len(self.account.symbols), f"trades {symbol}")
                self.trades_by_id(symbol, int(features.get("limit") or 1000))
            return
        known = {a for a, q in balance.items() if q > 0} | self.store.traded_assets(self.account.name)
        known |= self.usd_assets
        spot = {
            symbol: (str(market.get("base")), str(market.get("quote")))
            for symbol, market in markets.items()
            if market.get("spot") and market.get("active", True) is not False
        }
        scanned: list[str] = []
        while True:
            due = sorted(
                s
                for s, (base, quote) in spot.items()
                if s not in scanned and (base in known or quote in known)
            )
            if not due:
                break
            for symbol in due:
                self.progress(self.account.name, len(scanned), len(scanned) + len(due), f"trades {symbol}")
                scanned.append(symbol)
                if self.trades_by_id(symbol, int(features.get("limit") or 1000)):
                    known |= set(spot[symbol])  # a trade here: the other side was held too
        self.report.markets_scanned = scanned

    # -- paging strategies ------------------------------------------------------------------

    def trades_by_id(self, symbol: str, limit: int) -> bool:
        """Binance: `fromId` pages in ascending id order, ids counted per market; the cursor is
        the next id. True when the market has any trade (stored before or now)."""
        stream = f"trades:{symbol}"
        cursor = int(self.store.cursor(self.account.name, stream) or 0)
        traded = cursor > 0
        while True:
            page = self.client.my_trades(symbol, None, limit, {"fromId": cursor})
            if not page:
                return traded
            traded = True
            ids = [int(t["id"]) for t in page if str(t.get("id", "")).isdigit()]
            if not ids:  # ids that are not numbers: fromId paging cannot go on; keep what came
                self.store_page(page, stream, None)
                return traded
            cursor = max(ids) + 1
            self.store_page(page, stream, str(cursor))
            if len(page) < limit:
                return traded

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
        """Deposits or withdrawals. The cursor (a time) never passes a record still pending or
        rejected, so it is read again until it is complete (or fixed); where the exchange serves
        history in windows (Binance: 90 days, and only the last 90 without a start time) the
        whole history is walked window by window, the cursor moving with each."""
        stream = f"{kind}s"
        since_text = self.store.cursor(self.account.name, stream)
        history = TRANSFER_HISTORY.get(self.client.id)
        if history is None:
            since = EpochMillis(int(since_text) - SINCE_OVERLAP_MS) if since_text else None
            self.transfer_window(kind, stream, since, None, int(since_text or 0), None)
            return
        first_ms, days = history
        now = self.now_ms()
        start = EpochMillis(int(since_text) - SINCE_OVERLAP_MS if since_text else first_ms)
        ceiling: int | None = None  # the cursor stays below the first pending or rejected record
        while start <= now:
            end = EpochMillis(min(start + days * DAY_MS - 1, now))
            settled = min(end, now - SETTLE_MS)  # the last day may still gain late records
            ceiling = self.transfer_window(kind, stream, start, end, settled, ceiling)
            start = EpochMillis(end + 1)

    def transfer_window(
        self,
        kind: str,
        stream: str,
        since: EpochMillis | None,
        until: EpochMillis | None,
        settled: int,
        ceiling: int | None,
    ) -> int | None:
        """One request's records stored with the cursor they allow; returns the new ceiling."""
        records = self.client.transfers(kind, since, until)
        events: list[Event] = []
        newest = settled
        for record in records:
            if str(record.get("currency") or "") in self.usd_assets:
                continue  # fiat in and out is not a crypto lot
            converted = self.client.transfer_event(record, kind)
            held_at = int(record.get("timestamp") or 0) or None
            if isinstance(converted, str) or converted is None:
                if isinstance(converted, str):
                    self.report.rejected.append(converted)
                else:
                    self.report.pending += 1
                if held_at is not None:
                    ceiling = held_at - 1 if ceiling is None else min(ceiling, held_at - 1)
                else:  # no time to hold the cursor below: hold it where it is
                    ceiling = since if ceiling is None else min(ceiling, since or 0)
                continue
            events.append(self.valued(converted))
            newest = max(newest, micros_to_millis(converted.timestamp))
        self.report.fetched += len(records)
        cursor = newest if ceiling is None else min(newest, ceiling)
        self.commit(events, stream, str(cursor) if cursor > 0 else None)
        return ceiling

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
        self.report.from_files += summary.other_source
        self.report.overlaps += summary.overlaps

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
