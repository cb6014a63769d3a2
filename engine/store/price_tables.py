"""Prices in the store: the last observed price of each asset, the cached 1-minute USD closes a
sync values trades with, and an asset's own trade prices (for the app's chart)."""

from __future__ import annotations

import sqlite3

from engine.core.units import Amount, EpochMicros, EpochMillis
from engine.store.connection import write_transaction
from engine.store.encoding import optional_units_text, read_units, units_text


def save_prices(conn: sqlite3.Connection, prices: dict[str, Amount], ts: EpochMicros, source: str) -> None:
    with write_transaction(conn):
        conn.executemany(
            "INSERT INTO prices (asset, price, ts, source) VALUES (?, ?, ?, ?) ON CONFLICT(asset) DO UPDATE "
            "SET price = excluded.price, ts = excluded.ts, source = excluded.source",
            [(asset, units_text(price), ts, source) for asset, price in prices.items()],
        )


def last_prices(conn: sqlite3.Connection) -> tuple[dict[str, Amount], EpochMicros | None]:
    """The last stored price of each asset, and the oldest of their times."""
    rows = conn.execute("SELECT asset, price, ts FROM prices").fetchall()
    if not rows:
        return {}, None
    return {asset: read_units(price) for asset, price, _ in rows}, min(ts for _, _, ts in rows)


def usd_price(conn: sqlite3.Connection, asset: str, minute: EpochMillis) -> tuple[bool, Amount | None]:
    """(known, price) of an asset's cached 1-minute USD close; price None = not found."""
    row = conn.execute(
        "SELECT price FROM usd_prices WHERE asset = ? AND minute = ?", (asset, minute)
    ).fetchone()
    if row is None:
        return False, None
    return True, None if row[0] is None else read_units(row[0])


def save_usd_price(
    conn: sqlite3.Connection, asset: str, minute: EpochMillis, price: Amount | None, source: str
) -> None:
    with write_transaction(conn):
        conn.execute(
            "INSERT OR REPLACE INTO usd_prices VALUES (?, ?, ?, ?)",
            (asset, minute, optional_units_text(price), source),
        )


def trade_prices(
    conn: sqlite3.Connection, asset: str, points: int = 2000
) -> list[tuple[EpochMicros, Amount]]:
    """(time, USD per unit) of this asset's own trades, thinned to about `points`."""
    rows = conn.execute(
        "SELECT ts, quantity, usd FROM legs JOIN pools p ON p.id = legs.pool_id "
        "WHERE p.asset = ? AND kind IN (0, 1) AND usd IS NOT NULL ORDER BY ts",
        (asset,),
    ).fetchall()
    step = max(1, len(rows) // points)
    from engine.core.fixedpoint import unit_price

    return [
        (ts, unit_price(int(usd), int(qty)))
        for ts, qty, usd in rows[::step]
        if int(qty) > 0 and int(usd) >= 0
    ]
