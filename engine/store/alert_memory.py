"""The monitor's alert memory (table alert_state): which alerts are active, the value each was
last sent at and when. Read and updated in one write transaction, so two monitors' cycles (or
cron runs of `harvest watch --once`) never both announce the same crossing."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from engine.core.units import EpochMicros
from engine.store.store import write_transaction


class StoredAlertMemory:
    """Valid inside `stored_alert_memory` only (one transaction)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def active(self) -> dict[str, tuple[int, EpochMicros]]:
        """Active alerts: key -> (value it was last sent at, when it was sent)."""
        return {
            key: (int(value), sent)
            for key, value, sent in self.conn.execute(
                "SELECT key, value, sent_at FROM alert_state WHERE active = 1"
            )
        }

    def rearm(self, keys: Iterable[str]) -> None:
        """These no longer hold: their next crossing is announced at once."""
        self.conn.executemany("UPDATE alert_state SET active = 0 WHERE key = ?", [(key,) for key in keys])

    def sent(self, key: str, value: int, at: EpochMicros) -> None:
        self.conn.execute(
            "INSERT INTO alert_state (key, active, value, sent_at) VALUES (?, 1, ?, ?) ON CONFLICT(key) DO UPDATE "
            "SET active = 1, value = excluded.value, sent_at = excluded.sent_at",
            (key, str(value), at),
        )


@contextmanager
def stored_alert_memory(conn: sqlite3.Connection) -> Iterator[StoredAlertMemory]:
    with write_transaction(conn) as transaction:
        yield StoredAlertMemory(transaction)
