"""What sync keeps about an exchange's markets: the quantity step each account's orders take for
an asset (a plan rounds what it sells down to it)."""

from __future__ import annotations

import sqlite3

from engine.core.units import Amount, EpochMillis
from engine.store.connection import write_transaction
from engine.store.encoding import read_units, units_text

AmountSteps = dict[tuple[str, str], Amount]  # (account, asset) -> the smallest quantity increment


def save_amount_steps(
    conn: sqlite3.Connection, account: str, steps: dict[str, tuple[Amount, str]], now: EpochMillis
) -> None:
    """Replace an account's steps: asset -> (step, the market it is taken from)."""
    with write_transaction(conn):
        conn.execute("DELETE FROM amount_steps WHERE account = ?", (account,))
        conn.executemany(
            "INSERT INTO amount_steps VALUES (?, ?, ?, ?, ?)",
            [(account, asset, units_text(step), market, now) for asset, (step, market) in steps.items()],
        )


def amount_steps(conn: sqlite3.Connection) -> AmountSteps:
    try:
        rows = conn.execute("SELECT account, asset, step FROM amount_steps").fetchall()
    except sqlite3.OperationalError:  # a store read without migrating (read-only, older schema)
        return {}
    return {(account, asset): read_units(step) for account, asset, step in rows}
