"""What `harvest sync` keeps in the store besides events: resumable cursors per account and
stream, and the balance mismatches found by reconciling the ledger with the exchange."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence

from engine.core.units import Amount, EpochMillis
from engine.store.connection import write_transaction
from engine.store.encoding import read_units, units_text


def cursor(conn: sqlite3.Connection, account: str, stream: str) -> str | None:
    row = conn.execute(
        "SELECT cursor FROM sync_cursors WHERE account = ? AND stream = ?", (account, stream)
    ).fetchone()
    return None if row is None else str(row[0])


def cursor_writer(
    account: str, stream: str, value: str, now: EpochMillis
) -> Callable[[sqlite3.Connection], None]:
    """Moves a cursor inside a transaction someone else holds (a page lands with its cursor)."""

    def write(conn: sqlite3.Connection) -> None:
        conn.execute(
            "INSERT INTO sync_cursors VALUES (?, ?, ?, ?) ON CONFLICT(account, stream) DO UPDATE "
            "SET cursor = excluded.cursor, updated_at = excluded.updated_at",
            (account, stream, value, now),
        )

    return write


def save_reconciliation(
    conn: sqlite3.Connection, account: str, rows: Sequence[tuple[str, Amount, Amount]], now: EpochMillis
) -> None:
    """Replace an account's mismatches: (asset, ledger quantity, exchange quantity)."""
    with write_transaction(conn):
        conn.execute("DELETE FROM reconciliation WHERE account = ?", (account,))
        conn.executemany(
            "INSERT INTO reconciliation VALUES (?, ?, ?, ?, ?)",
            [
                (account, asset, units_text(ledger), units_text(exchange), now)
                for asset, ledger, exchange in rows
            ],
        )


def mismatches(conn: sqlite3.Connection) -> list[tuple[str, str, Amount, Amount]]:
    rows = conn.execute("SELECT account, asset, ledger, exchange FROM reconciliation").fetchall()
    return [(a, b, read_units(c), read_units(d)) for a, b, c, d in rows]
