"""Noticing what another process changed in the store (`harvest import`, `sync`, `watch` beside
the app): SQLite's data version moves when another connection commits; the ledger's marks tell
a change the lots depend on (a new batch of events, a sale linked to its identification, a user's
decision) from one that only needs a recompute (prices, checklist steps). A price filled in for a
record values its legs anew: the fills' latest id is part of the mark. Counts and latest ids can
come back (a fill dropped and another made; a store deleted and made again at its path): the
mark's last part, a random token the store's triggers make anew with each of those changes
(migration 14), never does."""

from __future__ import annotations

import sqlite3

from engine.store.decision_tables import DECISIONS_SINCE
from engine.store.fill_tables import FILLS_SINCE

# (latest import batch, identifications linked to a sale, decisions made or undone, latest price
# fill, the ledger generation's token): a user's decision (a pair, a classification, an alias) or
# a filled price changes the lots like an import does
LedgerMark = tuple[int, int, int, int, str]
GENERATION_SINCE = 14  # the schema version with the token (an older store may be open read-only)


def data_version(conn: sqlite3.Connection) -> int:
    """Changes whenever another connection commits to the store (never for this one's own)."""
    return int(conn.execute("PRAGMA data_version").fetchone()[0])


def ledger_mark(conn: sqlite3.Connection) -> LedgerMark:
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    decisions = (
        "(SELECT coalesce(max(id), 0) + count(undone_at) FROM decisions)"
        if version >= DECISIONS_SINCE
        else "0"
    )
    fills = "(SELECT coalesce(max(id), 0) FROM price_fills)" if version >= FILLS_SINCE else "0"
    token = "(SELECT token FROM ledger_generation)" if version >= GENERATION_SINCE else "''"
    row = conn.execute(
        "SELECT (SELECT coalesce(max(id), 0) FROM batches), "
        f"(SELECT count(*) FROM identifications WHERE sale_ref IS NOT NULL), {decisions}, {fills}, {token}"
    ).fetchone()
    return int(row[0]), int(row[1]), int(row[2]), int(row[3]), str(row[4])
