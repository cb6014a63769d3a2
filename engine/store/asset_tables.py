"""The user's asset identity (engine.ledger.identity) read from the store: the alias and
migration decisions in force, and the records a migration names, found by natural key (so a
decision survives re-imports), or as a person names one (a trade id, E<event id>)."""

from __future__ import annotations

import sqlite3

from engine.core import fixedpoint as fp
from engine.core.units import Amount, EpochMicros
from engine.ledger.decisions import ALIAS, MIGRATION
from engine.ledger.identity import AssetIdentity, Record, identity_from, migration_keys
from engine.store import decision_tables
from engine.store.encoding import read_units

DECISIONS_SINCE = 11  # the schema version that added the decisions table
_RECORD = (
    "SELECT natural_key, account, asset, side, ts, quantity, quote, coalesce(trade_id, 'E' || id), subtotal, "
    "price FROM events"
)


def asset_identity(conn: sqlite3.Connection) -> AssetIdentity:
    """The aliases and migrations in force (none in a store older than the decisions)."""
    if conn.execute("PRAGMA user_version").fetchone()[0] < DECISIONS_SINCE:
        return AssetIdentity()
    decisions = [d for d in decision_tables.decisions(conn) if d.kind in (ALIAS, MIGRATION)]
    if not decisions:
        return AssetIdentity()
    return identity_from(decisions, records_by_key(conn, migration_keys(decisions)))


def records_by_key(conn: sqlite3.Connection, keys: list[str]) -> dict[str, Record]:
    found: dict[str, Record] = {}
    for start in range(0, len(keys), 900):
        chunk = keys[start : start + 900]
        marks = ",".join("?" * len(chunk))
        for row in conn.execute(f"{_RECORD} WHERE natural_key IN ({marks})", chunk):
            record = _record(row)
            found[record.key] = record
    return found


def records_named(conn: sqlite3.Connection, name: str) -> list[Record]:
    """The records a person's name for one may mean: its natural key, `E<event id>`, or its
    trade id (which two accounts may share)."""
    text = name.strip()
    rows = conn.execute(f"{_RECORD} WHERE natural_key = ?", (text,)).fetchall()
    if not rows and text[:1] in "Ee" and text[1:].isdigit():
        rows = conn.execute(f"{_RECORD} WHERE id = ? AND trade_id IS NULL", (int(text[1:]),)).fetchall()
    if not rows:
        rows = conn.execute(f"{_RECORD} WHERE trade_id = ? ORDER BY id", (text,)).fetchall()
    return [_record(row) for row in rows]


def pool_assets(conn: sqlite3.Connection) -> set[str]:
    """Every asset code the stored records hold (as the sources wrote them, before aliases)."""
    return {r[0] for r in conn.execute("SELECT DISTINCT asset FROM pools")}


def _record(row: tuple[object, ...]) -> Record:
    key, account, asset, side, ts, quantity, quote, ref, subtotal, price = row
    amount = read_units(str(quantity))
    if subtotal is not None:
        quote_quantity: Amount | None = read_units(str(subtotal))
    else:
        quote_quantity = None if price is None else fp.mul(amount, read_units(str(price)))
    return Record(
        key=str(key),
        account=str(account),
        asset=str(asset),
        side=str(side),
        timestamp=EpochMicros(int(str(ts))),
        quantity=amount,
        quote=str(quote),
        ref=str(ref),
        quote_quantity=quote_quantity,
    )
