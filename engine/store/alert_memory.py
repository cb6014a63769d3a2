"""The monitor's alert memory (table alert_state): which alerts are active, the value each was
last sent at and when. Read and updated in one write transaction, so two monitors' cycles (or
cron runs of `harvest watch --once`) never both announce the same crossing."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

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

    def queue(self, alert_json: str, sinks: Iterable[str], at: EpochMicros) -> None:
        """The alert, once per sink (as JSON text), to be delivered and marked one by one."""
        self.conn.executemany(
            "INSERT INTO alert_outbox (alert, sink, queued_at) VALUES (?, ?, ?)",
            [(alert_json, sink, at) for sink in sinks],
        )

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


@dataclass(frozen=True)
class Queued:
    id: int
    alert: str  # the alert as JSON
    sink: str  # the sink's config as JSON (sorted keys)
    queued_at: EpochMicros
    tries: int


def pending_alerts(conn: sqlite3.Connection) -> list[Queued]:
    """Alerts not yet delivered to (or dropped for) their sink, oldest first."""
    return [
        Queued(id=row[0], alert=row[1], sink=row[2], queued_at=row[3], tries=row[4])
        for row in conn.execute(
            "SELECT id, alert, sink, queued_at, tries FROM alert_outbox "
            "WHERE delivered_at IS NULL AND dropped_at IS NULL ORDER BY id"
        )
    ]


def mark_delivered(conn: sqlite3.Connection, queued: Queued, at: EpochMicros) -> None:
    with write_transaction(conn):
        conn.execute(
            "UPDATE alert_outbox SET delivered_at = ?, tries = tries + 1 WHERE id = ?", (at, queued.id)
        )


def mark_failed(conn: sqlite3.Connection, queued: Queued, error: str, drop_at: EpochMicros | None) -> None:
    """A failed try; `drop_at` gives up on this sink for this alert (too old, or the sink is gone)."""
    with write_transaction(conn):
        conn.execute(
            "UPDATE alert_outbox SET tries = tries + 1, last_error = ?, dropped_at = ? WHERE id = ?",
            (error, drop_at, queued.id),
        )
