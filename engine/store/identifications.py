"""Reading the specific identifications the store holds: those the checklist recorded (with
the sale each was later matched to) and those given in an imported file's `lots` column."""

from __future__ import annotations

import sqlite3
from typing import NamedTuple

from engine.core.units import EpochMicros, EpochSeconds


class RecordedIdentification(NamedTuple):
    """Lots named by the checklist before a sale; `sold_at` once the sale is in the store."""

    account: str
    asset: str
    lots: str
    recorded_at: EpochMicros
    source: str
    sale_ref: str | None
    sold_at: EpochMicros | None


class ImportedIdentification(NamedTuple):
    """Lots named on a sale row of an imported file, recorded when that file was imported."""

    account: str
    asset: str
    sale_ref: str
    lots: str
    sold_at: EpochMicros
    imported_at: EpochSeconds
    source: str


def recorded_identifications(conn: sqlite3.Connection) -> list[RecordedIdentification]:
    found = []
    for account, asset, lots, recorded, source, sale_ref in conn.execute(
        "SELECT account, asset, lots, recorded_at, source, sale_ref FROM identifications ORDER BY recorded_at"
    ).fetchall():
        sold = (
            conn.execute(
                "SELECT ts FROM events WHERE account = ? AND coalesce(trade_id, 'E' || id) = ?",
                (account, sale_ref),
            ).fetchone()
            if sale_ref
            else None
        )
        found.append(
            RecordedIdentification(
                account=account,
                asset=asset,
                lots=lots,
                recorded_at=recorded,
                source=source,
                sale_ref=sale_ref,
                sold_at=None if sold is None else sold[0],
            )
        )
    return found


def imported_identifications(conn: sqlite3.Connection) -> list[ImportedIdentification]:
    rows = conn.execute(
        "SELECT e.account, e.asset, coalesce(e.trade_id, 'E' || e.id), e.lots, e.ts, b.imported_at, e.source "
        "FROM events e JOIN batches b ON b.id = e.batch_id WHERE e.lots IS NOT NULL ORDER BY e.ts"
    ).fetchall()
    return [ImportedIdentification._make(row) for row in rows]
