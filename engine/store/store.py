"""The local store: one SQLite file (WAL) holding every event, its ledger legs and batches, the
checklist, prices and sync state. `Store` is the face callers hold; each concept's SQL lives in
its own module beside it (connection, ledger_tables, price_tables, sync_tables,
checklist_tables, identifications), and Store delegates to them."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from engine.core.units import Amount, EpochMicros, EpochMillis
from engine.ledger.events import Event
from engine.ledger.records import Ledger
from engine.store import changes, ledger_tables, market_tables, price_tables, sync_tables
from engine.store.connection import connect, default_store_path, read_snapshot, write_transaction
from engine.store.ledger_tables import ImportSummary, Trade, Unclassified, keys_of

if TYPE_CHECKING:
    from engine.imports.event_frame import EventFrame

# the names callers import from here
__all__ = [
    "ImportSummary",
    "Store",
    "Trade",
    "Unclassified",
    "keys_of",
    "open_store",
    "read_snapshot",
    "write_transaction",
]


class Store:
    def __init__(self, path: Path, *, readonly: bool = False) -> None:
        self.path = path
        self.readonly = readonly
        self.conn = connect(path, readonly)

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- events and legs ----------------------------------------------------------------------

    def import_events(
        self,
        events: Sequence[tuple[str, Event]],
        source: str,
        usd_assets: frozenset[str],
        also: Callable[[sqlite3.Connection], None] | None = None,
    ) -> ImportSummary:
        """Add (natural_key, event) pairs in one transaction; known natural keys are skipped.
        `also` runs inside the same transaction (a sync cursor moves with its page)."""
        return ledger_tables.import_events(self.conn, self.path, events, source, usd_assets, also)

    def import_frame(self, frame: EventFrame, source: str, usd_assets: frozenset[str]) -> ImportSummary:
        """import_events for events read in columns (engine.imports.columnar): the same rows."""
        from engine.store.columnar_import import import_frame  # loads polars: only for such files

        return import_frame(self.conn, self.path, frame.frame, source, usd_assets)

    def preview_import(self, events: Sequence[tuple[str, Event]], source: str) -> ImportSummary:
        """What import_events would add (and skip as the other source's), writing nothing."""
        return ledger_tables.preview_import(self.conn, events, source)

    def known_keys(self, keys: list[str]) -> set[str]:
        """Which of these natural keys the store already holds."""
        return ledger_tables.known_keys(self.conn, keys)

    def ledger(self) -> Ledger:
        """Every ledger leg in processing order, amounts as fixed-point ints (or their digits)."""
        return ledger_tables.load_ledger(self.conn)

    def trades_since(self, since: EpochMicros) -> list[Trade]:
        """Trades (buys, sells, spends) at or after `since`, in time order."""
        return ledger_tables.trades_since(self.conn, since)

    def chain_ids(self) -> dict[tuple[str, str], tuple[str, str]]:
        """(account, trade id) -> (wallet address, on-chain tx id) for events that have either."""
        return ledger_tables.chain_ids(self.conn)

    def unclassified(self) -> list[Unclassified]:
        """Imported rows of a type harvest cannot read yet (kept, no legs), in time order."""
        return ledger_tables.unclassified(self.conn)

    def traded_assets(self, account: str) -> set[str]:
        return ledger_tables.traded_assets(self.conn, account)

    def event_count(self) -> int:
        return ledger_tables.event_count(self.conn)

    def accounts(self) -> list[str]:
        return ledger_tables.accounts(self.conn)

    def data_version(self) -> int:
        """Moves when another connection (another harvest process) commits to the store."""
        return changes.data_version(self.conn)

    def ledger_mark(self) -> changes.LedgerMark:
        """Moves when what the lots are computed from changes."""
        return changes.ledger_mark(self.conn)

    # -- prices -------------------------------------------------------------------------------

    def trade_prices(self, asset: str, points: int = 2000) -> list[tuple[EpochMicros, Amount]]:
        """(time, USD per unit) of this asset's own trades, thinned to about `points`."""
        return price_tables.trade_prices(self.conn, asset, points)

    def usd_price(self, asset: str, minute: EpochMillis) -> tuple[bool, Amount | None]:
        """(known, price) of an asset's cached 1-minute USD close; price None = not found."""
        return price_tables.usd_price(self.conn, asset, minute)

    def save_usd_price(self, asset: str, minute: EpochMillis, price: Amount | None, source: str) -> None:
        price_tables.save_usd_price(self.conn, asset, minute, price, source)

    def save_prices(self, prices: dict[str, Amount], ts: EpochMicros, source: str) -> None:
        price_tables.save_prices(self.conn, prices, ts, source)

    def last_prices(self) -> tuple[dict[str, Amount], EpochMicros | None]:
        """The last stored price of each asset, and the oldest of their times."""
        return price_tables.last_prices(self.conn)

    # -- sync state ---------------------------------------------------------------------------

    def cursor(self, account: str, stream: str) -> str | None:
        return sync_tables.cursor(self.conn, account, stream)

    def set_cursor_sql(
        self, account: str, stream: str, cursor: str, now: EpochMillis
    ) -> Callable[[sqlite3.Connection], None]:
        return sync_tables.cursor_writer(account, stream, cursor, now)

    def set_cursor(self, account: str, stream: str, cursor: str, now: EpochMillis) -> None:
        with write_transaction(self.conn) as conn:
            sync_tables.cursor_writer(account, stream, cursor, now)(conn)

    def save_reconciliation(
        self, account: str, rows: Sequence[tuple[str, Amount, Amount]], now: EpochMillis
    ) -> None:
        """Replace an account's mismatches: (asset, ledger quantity, exchange quantity)."""
        sync_tables.save_reconciliation(self.conn, account, rows, now)

    def mismatches(self) -> list[tuple[str, str, Amount, Amount]]:
        return sync_tables.mismatches(self.conn)

    def save_amount_steps(self, account: str, steps: dict[str, tuple[Amount, str]], now: EpochMillis) -> None:
        """Replace an account's order quantity steps: asset -> (step, market)."""
        market_tables.save_amount_steps(self.conn, account, steps, now)

    def amount_steps(self) -> market_tables.AmountSteps:
        """(account, asset) -> the quantity step its exchange accepts (where sync found one)."""
        return market_tables.amount_steps(self.conn)


def open_store(path: Path | None = None, *, readonly: bool = False) -> Store:
    return Store(path or default_store_path(), readonly=readonly)
