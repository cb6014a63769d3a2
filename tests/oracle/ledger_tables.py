"""The store write of an import as it was before the speed work (engine/store/ledger_tables.py
at e5011f3): one row at a time through legs_for and executemany. Kept as the oracle the fast
write is checked against (tests/engine/store/test_fast_import.py); not used by harvest."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from engine.core.errors import StoreError
from engine.core.units import EpochSeconds
from engine.ledger.events import Event
from engine.store.connection import begin_immediate
from engine.store.encoding import optional_units_text, pack, units_text
from tests.oracle.legs import Leg, legs_for


@dataclass(frozen=True)
class ImportSummary:
    batch_id: int | None
    rows: int
    added: int
    # records whose id the store already holds with other values (kept as stored; say so)
    conflicts: tuple[str, ...] = ()

    @property
    def duplicates(self) -> int:
        return self.rows - self.added


def keys_of(events: Iterable[Event]) -> list[tuple[str, Event]]:
    """Natural keys for a batch, numbering identical rows so real repeats are all kept."""
    seen: dict[str, int] = {}
    keyed: list[tuple[str, Event]] = []
    for event in events:
        base = event.natural_key(0)
        occurrence = seen.get(base, 0)
        seen[base] = occurrence + 1
        keyed.append((base if occurrence == 0 or event.trade_id else event.natural_key(occurrence), event))
    return keyed


def import_events(
    conn: sqlite3.Connection,
    path: Path,
    events: Sequence[tuple[str, Event]],
    source: str,
    usd_assets: frozenset[str],
    also: Callable[[sqlite3.Connection], None] | None = None,
) -> ImportSummary:
    """Add (natural_key, event) pairs in one transaction; known natural keys are skipped.
    `also` runs inside the same transaction (a sync cursor moves with its page)."""
    added = 0
    try:
        begin_immediate(conn)
        batch_id = conn.execute(
            "INSERT INTO batches (source, imported_at, rows, added) VALUES (?, ?, ?, 0)",
            (source, EpochSeconds(int(time.time())), len(events)),
        ).lastrowid
        assert batch_id is not None
        stored = _stored_records(conn, [key for key, _ in events])
        known = set(stored)
        conflicts = tuple(
            key for key, event in events if key in stored and stored[key] != _record_values(event)
        )
        # ids assigned here (the write lock is held) so both tables load with executemany
        next_id = conn.execute("SELECT coalesce(max(id), 0) + 1 FROM events").fetchone()[0]
        event_rows: list[tuple[object, ...]] = []
        leg_rows: list[tuple[object, ...]] = []
        pool_ids = _pool_ids(conn)
        for key, event in events:
            if key in known:
                continue
            known.add(key)
            event_id = next_id + added
            event_rows.append((event_id, *_event_values(key, batch_id, event)))
            for leg in legs_for(event, event_id, usd_assets):
                pool_id = pool_ids.get((leg.account, leg.asset))
                if pool_id is None:
                    pool_id = conn.execute(
                        "INSERT INTO pools (account, asset) VALUES (?, ?)", (leg.account, leg.asset)
                    ).lastrowid
                    assert pool_id is not None
                    pool_ids[(leg.account, leg.asset)] = pool_id
                leg_rows.append(_leg_values(event_id, pool_id, leg))
            added += 1
        conn.executemany(_EVENT_INSERT, event_rows)
        conn.executemany(_LEG_INSERT, leg_rows)
        conn.execute("UPDATE batches SET added = ? WHERE id = ?", (added, batch_id))
        if also is not None:
            also(conn)
        conn.execute("COMMIT")
    except sqlite3.Error as exc:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise StoreError(f"{path}: import failed, nothing written: {exc}") from None
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return ImportSummary(batch_id, len(events), added, conflicts)


_RECORD_COLUMNS = "asset, side, ts, quantity, price, quote, fee, fee_asset, subtotal, value_usd"


def _record_values(e: Event) -> tuple[object, ...]:
    """What makes a record the same record (the trade itself, not its notes), as stored."""
    return (e.asset, e.side, e.timestamp, units_text(e.quantity), optional_units_text(e.price), e.quote,
            units_text(e.fee), e.fee_asset, optional_units_text(e.subtotal),
            optional_units_text(e.value_usd))  # fmt: skip


def _stored_records(conn: sqlite3.Connection, keys: list[str]) -> dict[str, tuple[object, ...]]:
    found: dict[str, tuple[object, ...]] = {}
    for start in range(0, len(keys), 900):
        chunk = keys[start : start + 900]
        marks = ",".join("?" * len(chunk))
        for key, *values in conn.execute(
            f"SELECT natural_key, {_RECORD_COLUMNS} FROM events WHERE natural_key IN ({marks})", chunk
        ):
            found[key] = tuple(values)
    return found


def _pool_ids(conn: sqlite3.Connection) -> dict[tuple[str, str], int]:
    return {(a, b): i for i, a, b in conn.execute("SELECT id, account, asset FROM pools")}


_EVENT_INSERT = (
    "INSERT INTO events (id, natural_key, batch_id, account, asset, side, ts, quantity, price, quote, "
    "fee, fee_asset, price_usd, fee_usd, trade_id, tx_id, address, note, counterpart_account, lots, "
    "source, subtotal, value_usd) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
)


_LEG_INSERT = (
    "INSERT INTO legs (event_id, seq, pool_id, kind, ts, quantity, usd, ref, identification, "
    "counterpart, tx_id, flag) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)"
)


def _event_values(key: str, batch_id: int, e: Event) -> tuple[object, ...]:
    return (
        key,
        batch_id,
        e.account,
        e.asset,
        e.side,
        e.timestamp,
        units_text(e.quantity),
        optional_units_text(e.price),
        e.quote,
        units_text(e.fee),
        e.fee_asset,
        optional_units_text(e.price_usd),
        optional_units_text(e.fee_usd),
        e.trade_id,
        e.tx_id,
        e.address,
        e.note,
        e.counterpart_account,
        e.lots,
        e.source,
        optional_units_text(e.subtotal),
        optional_units_text(e.value_usd),
    )


def _leg_values(event_id: int, pool_id: int, leg: Leg) -> tuple[object, ...]:
    return (
        event_id,
        leg.seq,
        pool_id,
        leg.kind,
        leg.timestamp,
        pack(leg.quantity),
        pack(leg.usd),
        leg.ref,
        leg.identification,
        leg.counterpart,
        leg.tx_id,
        leg.flag,
    )
