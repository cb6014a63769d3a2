"""What the problems list and the user's decisions read from the store: records by natural key
(what decisions name), transfers by address (own wallets), the natural key behind a leg (what a
problem's stable key is made from), and the unclassified rows. Reading only."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

from engine.core.units import Amount, EpochMicros
from engine.ledger.decided import DecidedRecord, DecisionRecords, normal_address
from engine.ledger.events import Event
from engine.store.connection import read_snapshot
from engine.store.encoding import read_units

_COLUMNS = (
    "natural_key, id, account, asset, side, ts, quantity, price, quote, fee, fee_asset, price_usd, fee_usd, "
    "trade_id, tx_id, address, note, counterpart_account, lots, source, subtotal, value_usd"
)
_TRANSFERS = "side IN ('transfer_in', 'transfer_out')"
LegName = tuple[str, EpochMicros, str]  # (account, time, leg ref): how a problem names its record


def decision_records(conn: sqlite3.Connection, keys: set[str], addresses: set[str]) -> DecisionRecords:
    """The records these natural keys name, and the transfers naming these (normalised) addresses."""
    with read_snapshot(conn):
        by_key = {record.key: record for record in records_by_key(conn, keys)}
        by_address: list[DecidedRecord] = []
        if addresses:
            rows = conn.execute(f"SELECT {_COLUMNS} FROM events WHERE {_TRANSFERS} AND address IS NOT NULL")
            by_address = [
                record
                for record in map(_record, rows)
                if normal_address(record.event.address or "") in addresses
            ]
    return DecisionRecords(by_key, by_address)


def records_by_key(conn: sqlite3.Connection, keys: Iterable[str]) -> list[DecidedRecord]:
    wanted = sorted(keys)
    found: list[DecidedRecord] = []
    for start in range(0, len(wanted), 900):
        chunk = wanted[start : start + 900]
        marks = ",".join("?" * len(chunk))
        found.extend(
            map(_record, conn.execute(f"SELECT {_COLUMNS} FROM events WHERE natural_key IN ({marks})", chunk))
        )
    return found


def reviewable_records(conn: sqlite3.Connection) -> list[DecidedRecord]:
    """Every transfer and unclassified row, in time order: what a decision may name."""
    rows = conn.execute(
        f"SELECT {_COLUMNS} FROM events WHERE {_TRANSFERS} OR side = 'unclassified' ORDER BY ts, id"
    )
    return list(map(_record, rows))


def unclassified_records(conn: sqlite3.Connection) -> list[DecidedRecord]:
    """The rows no importer could classify, in time order (with their natural keys)."""
    if conn.execute("PRAGMA user_version").fetchone()[0] < 9:  # an older store opened read-only
        return []
    rows = conn.execute(f"SELECT {_COLUMNS} FROM events WHERE side = 'unclassified' ORDER BY ts, id")
    return list(map(_record, rows))


def natural_keys(conn: sqlite3.Connection, names: Iterable[LegName]) -> dict[LegName, str]:
    """The natural key of the event behind each leg named (account, time, ref): a lookup on the
    legs' primary key (time first). A name no leg has (a row without legs) is looked for among
    the events of that time."""
    found: dict[LegName, str] = {}
    with read_snapshot(conn):
        for name in set(names):
            account, ts, ref = name
            row = conn.execute(
                "SELECT e.natural_key FROM legs l JOIN events e ON e.id = l.event_id "
                "JOIN pools p ON p.id = l.pool_id WHERE l.ts = ? AND l.ref = ? AND p.account = ?",
                (ts, ref, account),
            ).fetchone()
            if row is None:
                row = conn.execute(
                    "SELECT natural_key FROM events WHERE ts = ? AND account = ? "
                    "AND coalesce(trade_id, 'E' || id) = ?",
                    (ts, account, ref),
                ).fetchone()
            if row is not None:
                found[name] = str(row[0])
    return found


def _record(row: tuple[object, ...]) -> DecidedRecord:
    (key, event_id, account, asset, side, ts, quantity, price, quote, fee, fee_asset, price_usd, fee_usd,
     trade_id, tx_id, address, note, counterpart, lots, source, subtotal, value_usd) = row  # fmt: skip
    event = Event(
        account=str(account),
        asset=str(asset),
        side=str(side),
        timestamp=EpochMicros(int(str(ts))),
        quantity=_units(quantity) or Amount(0),
        price=_units(price),
        fee=_units(fee) or Amount(0),
        quote=str(quote),
        fee_asset=str(fee_asset),
        price_usd=_units(price_usd),
        fee_usd=_units(fee_usd),
        trade_id=_text(trade_id),
        tx_id=_text(tx_id),
        address=_text(address),
        note=_text(note),
        counterpart_account=_text(counterpart),
        lots=_text(lots),
        source=str(source),
        subtotal=_units(subtotal),
        value_usd=_units(value_usd),
    )
    return DecidedRecord(str(key), int(str(event_id)), event)


def _units(stored: object) -> Amount | None:
    return None if stored is None else read_units(str(stored))


def _text(stored: object) -> str | None:
    return None if stored is None else str(stored)
