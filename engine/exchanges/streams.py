"""What every sync stream works with: the account's report, and `SyncContext` — the client, the
store, and the one way a page lands (its events and the stream's cursor in one transaction, so
a sync killed at any point resumes where the store says, with no gap and no duplicate)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, Protocol

from engine.config.load import AccountConfig
from engine.core import fixedpoint as fp
from engine.core.units import Amount, EpochMillis, micros_to_millis, millis_to_micros
from engine.exchanges.ccxt_adapter import ExchangeClient
from engine.exchanges.valuation import UsdValuer
from engine.ledger.cross_source import Overlap
from engine.ledger.events import Event
from engine.store.store import Store, keys_of

Progress = Callable[[str, int, int, str], None]  # account, done, total, what
DAY_MS = 86_400_000
SETTLE_MS = DAY_MS  # a windowed cursor stays a day behind now: records can appear a little late
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
    incomplete: list[str] = field(default_factory=list)  # "stream: why" for each stream not fetched
    prices: int = 0  # current prices stored at the end of the sync
    price_error: str | None = None  # why they could not be fetched
    from_files: int = 0  # fills the store already had from an imported file (skipped)
    overlaps: list[Overlap] = field(default_factory=list)  # fills kept beside a file's unmatched trades

    @property
    def ok(self) -> bool:
        """Nothing stopped the account (it may still be incomplete: see `complete`)."""
        return self.error is None

    @property
    def complete(self) -> bool:
        """Every stream of the account was read: only then is its history the exchange's whole."""
        return self.error is None and not self.incomplete


class Stream(Protocol):
    """One kind of history of an account, paged its own way (see paging.py)."""

    @property
    def name(self) -> str: ...  # what the user reads: "trades", "deposits", "transactions ETH"

    def run(self, ctx: SyncContext) -> None: ...


class SyncContext:
    """One account's sync in progress: what a stream reads from and writes through."""

    def __init__(
        self,
        store: Store,
        account: AccountConfig,
        client: ExchangeClient,
        report: AccountReport,
        progress: Progress,
        now_ms: Callable[[], EpochMillis],
    ) -> None:
        self.store = store
        self.account = account
        self.client = client
        self.report = report
        self.progress = progress
        self.now_ms = now_ms
        self.usd_assets = frozenset({"USD", *account.quote_as_usd})
        self.valuer = UsdValuer(store, client, self.usd_assets)
        self.scratch: dict[str, Any] = {}  # what a venue keeps from its balance for its streams

    def cursor(self, stream: str) -> str | None:
        return self.store.cursor(self.account.name, stream)

    def set_cursor(self, stream: str, cursor: str) -> None:
        self.store.set_cursor(self.account.name, stream, cursor, self.now_ms())

    def say(self, done: int, total: int, what: str) -> None:
        self.progress(self.account.name, done, total, what)

    def commit(self, events: list[Event], stream: str, cursor: str | None) -> None:
        """Events (valued) and the stream's cursor in one transaction."""
        also = self.store.set_cursor_sql(self.account.name, stream, cursor, self.now_ms()) if cursor else None
        valued = [self.valuer.valued(event) for event in events]
        summary = self.store.import_events(
            keys_of(valued), f"ccxt:{self.account.name}", self.usd_assets, also
        )
        self.report.added += summary.added
        self.report.from_files += summary.other_source
        self.report.overlaps += summary.overlaps

    def store_trades(self, page: list[dict[str, Any]], stream: str, cursor: str | None) -> bool:
        """Store a page of unified trades; the cursor moves past it only when nothing in it was
        rejected (a rejected record is read again next time rather than skipped for good)."""
        events = []
        rejected = False
        for trade in page:
            converted = self.client.trade_event(trade)
            if isinstance(converted, str):
                self.report.rejected.append(converted)
                rejected = True
            else:
                events.append(converted)
        self.report.fetched += len(page)
        self.commit(events, stream, None if rejected else cursor)
        return not rejected

    def store_transfers(
        self,
        records: list[dict[str, Any]],
        kind: str | None,
        stream: str,
        since: EpochMillis | None,
        settled: int,
        ceiling: int | None,
    ) -> int | None:
        """One request's deposits/withdrawals (`kind` None: each record says which) stored with
        the cursor they allow: never past a record still pending or rejected, so it is read
        again until it is complete (or fixed). Returns the new ceiling."""
        events: list[Event] = []
        newest = settled
        for record in records:
            if str(record.get("currency") or "") in self.usd_assets:
                continue  # fiat in and out is not a crypto lot
            record_kind = kind or str(record.get("type") or "")
            converted = (
                self.client.transfer_event(record, record_kind)
                if record_kind in ("deposit", "withdrawal")
                else f"transfer {record.get('id')}: unknown type {record_kind!r}"
            )
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
            events.append(converted)
            newest = max(newest, micros_to_millis(converted.timestamp))
        self.report.fetched += len(records)
        cursor = newest if ceiling is None else min(newest, ceiling)
        self.commit(events, stream, str(cursor) if cursor > 0 else None)
        return ceiling


Balance = dict[str, Decimal]
Markets = dict[str, Any]


@dataclass(frozen=True)
class Venue:
    """What a venue module declares: the streams of an account, in the order to read them
    (transfers first: a deposit names an asset whose markets must be read for trades), and, where
    ccxt's fetch_balance does not see the whole account, how to read the balance."""

    streams: Callable[[SyncContext, Markets, Balance], list[Stream]]
    balance: Callable[[SyncContext], Balance] | None = None


def income_event(
    label: str,
    account: str,
    asset: str,
    ms: int,
    quantity: Decimal,
    ident: str,
    source: str,
    *,
    unit_usd: Decimal | None = None,
    total_usd: Decimal | None = None,
) -> Event | str:
    """A reward an exchange's staking history gives, as income: priced at the USD the exchange
    gives (per unit, or a total for the quantity), else unpriced (valued from the minute's
    candle later, else flagged — never zero); or why it cannot be one (a string naming it)."""
    try:
        units = fp.from_decimal(quantity)
        if unit_usd is not None:
            price: Amount | None = fp.from_decimal(unit_usd)
        elif total_usd is not None:
            price = fp.unit_price(fp.from_decimal(total_usd), units)
        else:
            price = None
        event = Event(
            account=account,
            asset=asset,
            side="income",
            timestamp=millis_to_micros(EpochMillis(ms)),
            quantity=units,
            price=price,
            fee=Amount(0),
            trade_id=ident,
            source=source,
        )
    except (fp.FixedPointError, InvalidOperation) as exc:
        return f"{label}: {exc}"
    beyond = event.out_of_range()
    return event if beyond is None else f"{label}: {beyond}"
