"""The specific-identification log: which lots were named for which sale, when that was
recorded, and when the sale happened — the record US rules require (no later than the sale).
It goes out with the user's decisions (engine.reports.decision_log): both are the taxpayer's
records of choices the data alone does not show."""

from __future__ import annotations

from collections.abc import Sequence

from engine.core.dates import iso_utc
from engine.core.units import seconds_to_micros
from engine.ledger.decisions import Decision
from engine.store.identifications import imported_identifications, recorded_identifications
from engine.store.store import Store

Row = tuple[str, str, str | None, str, str, str | None, str, str]


def identification_log(store: Store) -> list[Row]:
    rows: list[Row] = []
    # recorded by the checklist (before the sale; the sale is matched later)
    for r in recorded_identifications(store.conn):
        if r.sold_at is None:
            in_time = "sale not yet seen"
        else:
            in_time = "yes" if r.recorded_at <= r.sold_at else "NO: after the sale"
        sold = None if r.sold_at is None else iso_utc(r.sold_at)
        rows.append((r.account, r.asset, r.sale_ref, r.lots, iso_utc(r.recorded_at), sold, r.source, in_time))
    # given in an imported file's `lots` column: recorded when that file was imported
    for i in imported_identifications(store.conn):
        recorded = seconds_to_micros(i.imported_at)
        in_time = "yes" if recorded <= i.sold_at else "from your records (imported after the sale)"
        rows.append(
            (i.account, i.asset, i.sale_ref, i.lots, iso_utc(recorded), iso_utc(i.sold_at), i.source, in_time)
        )
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


def identifications_json(rows: list[Row], decisions: Sequence[Decision] = ()) -> str:
    import json

    from engine.reports.decision_log import decisions_json

    payload = {
        "identifications": [dict(zip(IDENTIFICATION_COLUMNS, r, strict=True)) for r in rows],
        "decisions": decisions_json(decisions),
    }
    return json.dumps(payload, indent=2) + "\n"


def identifications_csv(rows: list[Row], decisions: Sequence[Decision] = ()) -> str:
    """The log, then (after a blank line) the decisions with their own header."""
    from engine.reports.csv_output import csv_text
    from engine.reports.decision_log import decisions_csv

    return csv_text(IDENTIFICATION_COLUMNS, rows) + "\n" + decisions_csv(decisions)


def identifications_table(rows: list[Row], decisions: Sequence[Decision] = ()) -> str:
    from engine.reports.decision_log import decisions_table
    from engine.reports.ledger_reports import table

    log = table(IDENTIFICATION_COLUMNS, [[str(c) if c is not None else "" for c in r] for r in rows])
    return log + "\nYour decisions (harvest review):\n" + decisions_table(decisions)
