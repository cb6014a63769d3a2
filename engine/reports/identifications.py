"""The specific-identification log: which lots were named for which sale, when that was
recorded, and when the sale happened — the record US rules require (no later than the sale)."""

from __future__ import annotations

from engine.core.dates import iso_utc
from engine.store.store import Store

Row = tuple[str, str, str | None, str, str, str | None, str, str]


def identification_log(store: Store) -> list[Row]:
    rows: list[Row] = []
    # recorded by the checklist (before the sale; the sale is matched later)
    for account, asset, lots, recorded, source, sale_ref in store.conn.execute(
        "SELECT account, asset, lots, recorded_at, source, sale_ref FROM identifications ORDER BY recorded_at"
    ):
        sold = store.conn.execute(
            "SELECT ts FROM events WHERE account = ? AND coalesce(trade_id, 'E' || id) = ?", (account, sale_ref)
        ).fetchone() if sale_ref else None  # fmt: skip
        in_time = "yes" if sold is None or recorded <= sold[0] else "NO: after the sale"
        rows.append((account, asset, sale_ref, lots, iso_utc(recorded), iso_utc(sold[0]) if sold else None, source,
                     in_time if sold else "sale not yet seen"))  # fmt: skip
    # given in an imported file's `lots` column: recorded when that file was imported
    for account, asset, trade, lots, sold, imported, source in store.conn.execute(
        "SELECT e.account, e.asset, coalesce(e.trade_id, 'E' || e.id), e.lots, e.ts, b.imported_at, e.source "
        "FROM events e JOIN batches b ON b.id = e.batch_id WHERE e.lots IS NOT NULL ORDER BY e.ts"
    ):
        recorded = imported * 1_000_000
        in_time = "yes" if recorded <= sold else "from your records (imported after the sale)"
        rows.append((account, asset, trade, lots, iso_utc(recorded), iso_utc(sold), source, in_time))
    return rows


# -- rendering: the log as JSON, CSV or a table

IDENTIFICATION_COLUMNS = (
    "account",
    "asset",
    "sale_id",
    "lots",
    "recorded_at",
    "sold_at",
    "source",
    "in_time",
)


def identifications_json(rows: list[Row]) -> str:
    import json

    return json.dumps([dict(zip(IDENTIFICATION_COLUMNS, r, strict=True)) for r in rows], indent=2) + "\n"


def identifications_csv(rows: list[Row]) -> str:
    from engine.reports.csv_output import csv_text

    return csv_text(IDENTIFICATION_COLUMNS, rows)


def identifications_table(rows: list[Row]) -> str:
    from engine.reports.ledger_reports import table

    return table(IDENTIFICATION_COLUMNS, [[str(c) if c is not None else "" for c in r] for r in rows])
