"""The local store: one SQLite file (WAL) holding every event, its ledger legs and batches, the
checklist, prices and sync state. `Store` is the face callers hold; each concept's SQL lives in
its own module beside it (connection, ledger_tables, price_tables, fill_tables, sync_tables,
checklist_tables, identifications), and Store delegates to them."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from engine.core.units import Amount, EpochMicros, EpochMillis
from engine.ledger.decided import DecidedRecord, DecisionRecords, wanted
from engine.ledger.decisions import Decision
from engine.ledger.events import Event
from engine.ledger.identity import AssetIdentity, Record
from engine.ledger.price_needs import FoundPrice
from engine.ledger.records import Ledger
from engine.store import (
    asset_tables,
    changes,
    decision_tables,
    fill_tables,
    ledger_tables,
    legs_cache,
    market_tables,
    price_tables,
    review_tables,
    sync_tables,
)
from engine.store.connection import connect, default_store_path, read_snapshot, write_transaction
from engine.store.fill_tables import Cached, ListedFill, Refilled
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
        from engine.store.columnar_stream import StreamedFrame

        if isinstance(frame, StreamedFrame):  # written while it was read: committed here
            return frame.finish(source)
        return import_frame(self.conn, self.path, frame.frame, source, usd_assets)

    def preview_import(self, events: Sequence[tuple[str, Event]], source: str) -> ImportSummary:
        """What import_events would add (and skip as the other source's), writing nothing."""
        return ledger_tables.preview_import(self.conn, events, source)

    def known_keys(self, keys: list[str]) -> set[str]:
        """Which of these natural keys the store already holds."""
        return ledger_tables.known_keys(self.conn, keys)

    def ledger(self) -> Ledger:
        """Every ledger leg in processing order, amounts as fixed-point ints (or their digits)."""
        return ledger_tables.load_ledger(self.conn, self.legs_cache_path(), not self.readonly)

    def legs_cache_path(self) -> Path:
        """The legs kept beside the store for large ledgers (engine.store.legs_cache)."""
        return legs_cache.cache_path(self.path)

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

    def checklist_underway(self) -> bool:
        """Whether a step of the saved plan is identified or sold: the steps later trades can
        move on (engine.planning.checklist.reconcile_checklist), asked without loading the
        checklist's and the planner's modules (an import's start-up, when no plan is saved)."""
        return bool(
            self.conn.execute(
                "SELECT EXISTS (SELECT 1 FROM steps s JOIN plans p ON p.id = s.plan_id WHERE p.active = 1 "
                "AND (coalesce(s.identified_at, 0) != 0 OR coalesce(s.sold_at, 0) != 0))"
            ).fetchone()[0]
        )

    def data_version(self) -> int:
        """Moves when another connection (another harvest process) commits to the store."""
        return changes.data_version(self.conn)

    def ledger_mark(self) -> changes.LedgerMark:
        """Moves when what the lots are computed from changes."""
        return changes.ledger_mark(self.conn)

    # -- the user's decisions ------------------------------------------------------------------

    def record_decision(
        self, kind: str, subject: str, detail: dict[str, object], reason: str, now: EpochMicros
    ) -> int:
        """Record a decision (engine.ledger.decisions); the same one in force is kept, not doubled."""
        return decision_tables.record_decision(self.conn, kind, subject, detail, reason, now)

    def undo_decision(self, decision_id: int, now: EpochMicros) -> Decision:
        return decision_tables.undo_decision(self.conn, decision_id, now)

    def decisions(self, include_undone: bool = False) -> list[Decision]:
        return decision_tables.decisions(self.conn, include_undone)

    def asset_identity(self) -> AssetIdentity:
        """The user's asset aliases and migrations in force (the ledger applies them as it loads)."""
        return asset_tables.asset_identity(self.conn)

    def pool_assets(self) -> set[str]:
        """Every asset code the stored records hold, as their sources wrote it."""
        return asset_tables.pool_assets(self.conn)

    def records_named(self, name: str) -> list[Record]:
        """The records a natural key, `E<event id>` or trade id names (a trade id may name several)."""
        return asset_tables.records_named(self.conn, name)

    def decided_ledger(self) -> tuple[Ledger, list[Decision], DecisionRecords]:
        """The ledger, the decisions in force and the records they name, from one snapshot
        (engine.ledger.decided.apply_decisions puts them together)."""
        with read_snapshot(self.conn):
            ledger = ledger_tables.load_ledger(self.conn, self.legs_cache_path(), not self.readonly)
            if self.conn.execute("PRAGMA user_version").fetchone()[0] < decision_tables.DECISIONS_SINCE:
                return ledger, [], DecisionRecords({}, [])
            decisions = decision_tables.decisions(self.conn)
            keys, addresses = wanted(decisions)
            records = review_tables.decision_records(self.conn, keys, addresses)
        return ledger, decisions, records

    def records(self, keys: set[str]) -> list[DecidedRecord]:
        """The records these natural keys name (those the store holds)."""
        return review_tables.records_by_key(self.conn, keys)

    def reviewable_records(self) -> list[DecidedRecord]:
        """Every transfer and unclassified row (what a decision may name), in time order."""
        return review_tables.reviewable_records(self.conn)

    def unclassified_records(self) -> list[DecidedRecord]:
        """The unclassified rows with their natural keys, in time order."""
        return review_tables.unclassified_records(self.conn)

    def natural_keys(self, names: list[review_tables.LegName]) -> dict[review_tables.LegName, str]:
        """The natural key of the event behind each leg named (account, time, ref)."""
        return review_tables.natural_keys(self.conn, names)

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

    # -- prices filled in for records without a USD value (fill_tables) ------------------------

    def flagged_count(self) -> int:
        """How many records have a leg without a USD value."""
        return fill_tables.flagged_count(self.conn)

    def flagged_events(self, with_fills: bool = False) -> list[tuple[int, Event]]:
        """(event id, record) of the records without a USD value (`with_fills`: and those valued by
        filled prices), in time order."""
        return fill_tables.flagged_events(self.conn, with_fills)

    def fills_for(self, event_ids: Sequence[int]) -> dict[int, dict[str, FoundPrice]]:
        return fill_tables.fills_for(self.conn, event_ids)

    def save_refilled(self, refilled: Sequence[Refilled]) -> None:
        """Records valued again: their legs replaced, their fills recorded (one transaction)."""
        fill_tables.save_refilled(self.conn, refilled)

    def save_user_fill(
        self, event_id: int, event: Event, asset: str, found: FoundPrice | None, usd_assets: frozenset[str],
        now: EpochMicros,
    ) -> list[str]:  # fmt: skip
        """A user's price of one record set (or, `found` None, taken away) and its legs valued
        again; returns why its legs still lack a USD value."""
        return fill_tables.save_user_fill(self.conn, event_id, event, asset, found, usd_assets, now)

    def listed_fills(self) -> list[ListedFill]:
        return fill_tables.listed_fills(self.conn)

    def cached_history(
        self, source: str, keys: Sequence[tuple[str, EpochMicros]]
    ) -> dict[tuple[str, EpochMicros], Cached]:
        """What `source`'s candles said for these (asset, minute) keys, where it was asked."""
        return fill_tables.cached_history(self.conn, source, keys)

    def save_history(
        self, source: str, answers: dict[tuple[str, EpochMicros], Cached], now: EpochMicros
    ) -> None:
        fill_tables.save_history(self.conn, source, answers, now)

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
