"""How the store writes amounts: one encoding, fixed-point integer units (10**-18, engine.core
.fixedpoint) as their decimal digits ("1500000000000000000" is 1.5). Legs hold them as SQLite
INTEGER when they fit 64 bits (the ledger load is the hot path), as the same digits in TEXT
otherwise; every other amount column is TEXT digits.

Until schema 5 the events table held its amounts as decimal strings ("1.5"); migration 5 turns
them into units with `harvest_units`, registered on the connection that migrates. A
specific identification ("LOT:QTY;...", in events.lots, steps.lots, identifications.lots) is not
an amount column: it keeps the decimal quantities of the import format the user writes."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

from engine.core import fixedpoint as fp
from engine.core.units import Amount

INT64 = 2**63  # a legs amount below this magnitude is stored as INTEGER, else as its digits
UNITS_EVENTS_SINCE = 5  # the schema version from which events hold units, not decimal strings


def units_text(units: Amount) -> str:
    return str(units)


def optional_units_text(units: Amount | None) -> str | None:
    return None if units is None else str(units)


def read_units(stored: int | str) -> Amount:
    return Amount(int(stored))


def pack(units: Amount | None) -> int | str | None:
    """A legs column: INTEGER when it fits SQLite's 64 bits, else its digits as TEXT."""
    if units is None:
        return None
    return units if -INT64 <= units < INT64 else str(units)


def pack_column(column: Iterable[int]) -> list[int | str]:
    """pack of each amount of a column with no None (in one comprehension: a call per amount
    costs more than the test)."""
    return [units if -INT64 <= units < INT64 else str(units) for units in column]


def _decimal_to_units(text: str | None) -> str | None:
    """The migration's conversion: "1.5" -> "1500000000000000000" (exact; NULL stays NULL)."""
    return None if text is None else str(fp.parse(text))


def register_functions(conn: sqlite3.Connection) -> None:
    """The SQL functions a migration may call."""
    conn.create_function("harvest_units", 1, _decimal_to_units, deterministic=True)
