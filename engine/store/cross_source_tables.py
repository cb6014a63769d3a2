"""The store's side of cross-source dedupe (engine.ledger.cross_source): finding a batch's
buys, sells, rewards and transfers the store already holds from the other source, and
remembering the records skipped as such (table `cross_source`: the skipped record's natural key
-> the record kept)."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any, TypeVar

from engine.core.units import EpochMicros
from engine.ledger.cross_source import NO_TWINS, StoredFill, Twins, find_twins, format_of, is_synced
from engine.ledger.events import EXCHANGE_SOURCE, Event
from engine.store.encoding import read_units

CROSS_SOURCE_SINCE = 10  # the schema version that has the table and the index below
# synced buys and sells, spelt as the partial index events_synced_fills (migration 10) is, so
# SQLite uses it
_SYNCED_FILLS = "side IN ('buy', 'sell') AND substr(source, 1, 5) = 'ccxt:'"
_MOVES = "e.side IN ('income', 'transfer_in', 'transfer_out')"
_COLUMNS = (
    "e.id, e.account, e.asset, e.quote, e.side, e.ts, e.quantity, e.subtotal, e.source, b.source, e.fee, "
    "e.fee_asset, e.tx_id"
)
_CHUNK = 900  # SQLite's host parameters per statement, with room to spare
T = TypeVar("T")


def twins_in_store(conn: sqlite3.Connection, events: Sequence[tuple[str, Event]], batch_source: str) -> Twins:
    """The new buys and sells of a batch (natural keys the store does not hold) that the store
    already holds from the other source: call inside the batch's transaction (or a snapshot)."""
    if conn.execute("PRAGMA user_version").fetchone()[0] < CROSS_SOURCE_SINCE:
        return NO_TWINS  # an older store opened read-only (a dry run): it has neither yet
    return find_twins(events, format_of(batch_source), _Lookup(conn))


def may_hold_other(conn: sqlite3.Connection, account: str, synced: bool) -> bool:
    """FillLookup.may_hold_other on its own: the columnar import asks it before it builds a
    batch's buys and sells as Event tuples for twins_in_store."""
    return _Lookup(conn).may_hold_other(account, synced)


def remember(conn: sqlite3.Connection, twins: dict[str, int]) -> None:
    """Record the records skipped as the other source's twins (inside the batch's transaction)."""
    conn.executemany(
        "INSERT OR IGNORE INTO cross_source (natural_key, event_id) VALUES (?, ?)", twins.items()
    )


def _stored(row: Sequence[Any]) -> StoredFill:
    event_id, account, asset, quote, side, ts, quantity, subtotal, source, batch, fee, fee_asset, tx_id = row
    synced = is_synced(source)
    return StoredFill(event_id, account, asset, quote, side, ts, read_units(quantity),
                      None if subtotal is None else read_units(subtotal), synced,
                      source[len(EXCHANGE_SOURCE) :] if synced else format_of(batch), read_units(fee), fee_asset,
                      tx_id)  # fmt: skip


class _Lookup:
    """engine.ledger.cross_source.FillLookup over one connection."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def may_hold_other(self, account: str, synced: bool) -> bool:
        if synced:  # the other source is files: not indexed; the windowed look-ups below decide
            return True
        # a sync stores its pages as batches `ccxt:<account>` (engine.exchanges.streams); the
        # index of synced fills answers for any stored otherwise
        sql = (
            "SELECT EXISTS (SELECT 1 FROM batches WHERE source = ?) "
            f"OR EXISTS (SELECT 1 FROM events WHERE account = ? AND {_SYNCED_FILLS})"
        )
        return bool(self.conn.execute(sql, (EXCHANGE_SOURCE + account, account)).fetchone()[0])

    def remembered(self, keys: Sequence[str]) -> dict[str, int]:
        found: dict[str, int] = {}
        for chunk in _chunks(keys):
            marks = ",".join("?" * len(chunk))
            found.update(
                self.conn.execute(
                    f"SELECT natural_key, event_id FROM cross_source WHERE natural_key IN ({marks})", chunk
                ).fetchall()
            )
        return found

    def by_keys(self, keys: Sequence[str]) -> list[tuple[str, StoredFill]]:
        found: list[tuple[str, StoredFill]] = []
        for chunk in _chunks(keys):
            marks = ",".join("?" * len(chunk))
            rows = self.conn.execute(
                f"SELECT e.natural_key, {_COLUMNS} FROM events e JOIN batches b ON b.id = e.batch_id "
                f"WHERE e.natural_key IN ({marks})",
                chunk,
            ).fetchall()
            found += [(row[0], _stored(row[1:])) for row in rows]
        return found

    def trades_near(
        self, account: str, pair: tuple[str, str], synced: bool, start: EpochMicros, end: EpochMicros
    ) -> list[StoredFill]:
        one, other = pair
        if synced:  # through the index of synced fills, each way round
            sql = (
                f"SELECT {_COLUMNS} FROM events e JOIN batches b ON b.id = e.batch_id WHERE e.id IN ("
                f"SELECT id FROM events WHERE account = ? AND asset = ? AND quote = ? AND ts BETWEEN ? AND ? "
                f"AND {_SYNCED_FILLS} UNION ALL "
                f"SELECT id FROM events WHERE account = ? AND asset = ? AND quote = ? AND ts BETWEEN ? AND ? "
                f"AND {_SYNCED_FILLS})"
            )
            args: tuple[object, ...] = (account, one, other, start, end, account, other, one, start, end)
        else:  # a file's trades, through the legs (clustered by time): the window is a sync page's
            sql = (
                f"SELECT {_COLUMNS} FROM events e JOIN batches b ON b.id = e.batch_id "
                "WHERE e.id IN (SELECT event_id FROM legs WHERE ts BETWEEN ? AND ?) AND e.account = ? "
                "AND e.side IN ('buy', 'sell') AND substr(e.source, 1, 5) <> 'ccxt:' "
                "AND ((e.asset = ? AND e.quote = ?) OR (e.asset = ? AND e.quote = ?))"
            )
            args = (start, end, account, one, other, other, one)
        return [_stored(row) for row in self.conn.execute(sql, args)]

    def moves_near(
        self, account: str, synced: bool, start: EpochMicros, end: EpochMicros
    ) -> list[StoredFill]:
        if synced:  # a file's records against synced ones (not indexed): one pass over the events
            sql = (
                f"SELECT {_COLUMNS} FROM events e JOIN batches b ON b.id = e.batch_id WHERE e.account = ? "
                f"AND {_MOVES} AND substr(e.source, 1, 5) = 'ccxt:' AND e.ts BETWEEN ? AND ?"
            )
            args: tuple[object, ...] = (account, start, end)
        else:  # a sync page's against a file's, through the legs (clustered by time)
            sql = (
                f"SELECT {_COLUMNS} FROM events e JOIN batches b ON b.id = e.batch_id "
                "WHERE e.id IN (SELECT event_id FROM legs WHERE ts BETWEEN ? AND ?) AND e.account = ? "
                f"AND {_MOVES} AND substr(e.source, 1, 5) <> 'ccxt:'"
            )
            args = (start, end, account)
        return [_stored(row) for row in self.conn.execute(sql, args)]

    def taken(self, event_ids: Sequence[int]) -> set[int]:
        found: set[int] = set()
        for chunk in _chunks(event_ids):
            marks = ",".join("?" * len(chunk))
            found.update(
                r[0]
                for r in self.conn.execute(
                    f"SELECT DISTINCT event_id FROM cross_source WHERE event_id IN ({marks})", chunk
                )
            )
        return found


def _chunks(items: Sequence[T]) -> list[Sequence[T]]:
    return [items[start : start + _CHUNK] for start in range(0, len(items), _CHUNK)]
