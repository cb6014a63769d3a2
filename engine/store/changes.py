"""Noticing what another process changed in the store (`harvest import`, `sync`, `watch` beside
the app): SQLite's data version moves when another connection commits; the ledger's marks tell
a change the lots depend on (a new batch of events, a sale linked to its identification) from
one that only needs a recompute (prices, checklist steps). A price filled in for a record values
its legs anew: the fills' latest id is part of the mark."""

from __future__ import annotations

import sqlite3

# (latest import batch, identifications linked to a sale, latest price fill)
LedgerMark = tuple[int, int, int]
FILLS_SINCE = 11  # the schema version with price fills (an older store may be open read-only)


def data_version(conn: sqlite3.Connection) -> int:
    """Changes whenever another connection commits to the store (never for this one's own)."""
    return int(conn.execute("PRAGMA data_version").fetchone()[0])


def ledger_mark(conn: sqlite3.Connection) -> LedgerMark:
    fills = (
        "(SELECT coalesce(max(id), 0) FROM price_fills)"
        if conn.execute("PRAGMA user_version").fetchone()[0] >= FILLS_SINCE
        else "0"
    )
    row = conn.execute(
        "SELECT (SELECT coalesce(max(id), 0) FROM batches), "
        f"(SELECT count(*) FROM identifications WHERE sale_ref IS NOT NULL), {fills}"
    ).fetchone()
    return int(row[0]), int(row[1]), int(row[2])
