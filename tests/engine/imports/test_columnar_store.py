"""The columnar store write (engine.store.columnar_import) against the row path's
(ledger_tables.import_events) on stores that already hold records: synced fills the file's rows
are twins of (by the exchange's id, by content, two identical fills), rows the store holds, ids
reused with other values, orders overlapping synced fills. Both must say the same (added,
duplicates, the other source's, conflicts, overlaps) and leave the same store, the cross-source
memory included."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from engine.api import batch_source
from engine.imports import columnar
from engine.imports.formats import Options
from engine.imports.importer import FileReport, read_text
from engine.store.store import Store, keys_of
from tests.engine.imports.test_import_oracle import dump
from tests.engine.store.test_cross_source import (
    COINBASE,
    KRAKEN_LEDGERS,
    KRAKEN_SYNCED,
    ORDER_FILLS,
    REPEATED,
    TWIN_FILLS,
    USD_LIKE,
    sync,
    synced,
)
from tests.engine.store.test_cross_source_moves import COINBASE as MOVES_COINBASE
from tests.engine.store.test_cross_source_moves import coinbase_synced

Setup = Callable[[Store], object]


def everything(conn: sqlite3.Connection) -> object:
    return dump(conn), conn.execute("SELECT * FROM cross_source ORDER BY natural_key").fetchall()


def imported(
    tmp_path: Path, setup: Setup, text: str, name: str, columns: bool, account: str | None
) -> object:
    """What importing `text` into a store prepared by `setup` says and leaves."""
    with Store(tmp_path / f"{name}-{columns}.sqlite3") as store:
        setup(store)
        report: FileReport = read_text(text, name, Options(account, None, None))
        assert (report.frame is not None) == columns
        summaries = []
        for _ in range(2):  # and again: every row is now the store's
            summary = (
                store.import_frame(report.frame, batch_source(report), USD_LIKE)
                if report.frame is not None
                else store.import_events(keys_of(report.events), batch_source(report), USD_LIKE)
            )
            summaries.append(summary)
        said = [(s.batch_id, s.rows, s.added, s.conflicts, s.other_source, s.overlaps) for s in summaries]
        return said, everything(store.conn)


def nothing(store: Store) -> None:
    return None


def kraken_synced(store: Store) -> None:
    sync(store, synced("kraken", "kraken", *KRAKEN_SYNCED), "kraken")


def coinbase_order(store: Store) -> None:
    sync(store, synced("coinbase", "coinbase", *ORDER_FILLS), "coinbase")


def twin_fills(store: Store) -> None:
    sync(store, synced("coinbase", "coinbase", *TWIN_FILLS), "coinbase")


def reused_id(store: Store) -> None:
    text = KRAKEN_LEDGERS.replace("-4000.0000", "-4100.0000")  # the same refid, another cost
    store.import_events(
        keys_of(read_text(text, "old.csv", Options(None, None, None)).events), "kraken:old.csv", USD_LIKE
    )


def coinbase_moves_synced(store: Store) -> None:
    """The Coinbase file's send and staking reward, as sync gives them (no hash in the file)."""
    sync(store, coinbase_synced(), "coinbase")


CASES = {
    "kraken by id": (kraken_synced, KRAKEN_LEDGERS, "ledgers.csv", None),
    "kraken reused ids": (reused_id, KRAKEN_LEDGERS, "ledgers.csv", None),
    "coinbase order overlaps": (coinbase_order, COINBASE, "cb.csv", None),
    "coinbase no other source": (nothing, COINBASE, "cb.csv", None),
    "harvest twin fills": (twin_fills, REPEATED, "mine.csv", None),
    "coinbase reward and send synced": (coinbase_moves_synced, MOVES_COINBASE, "cb.csv", None),
}


@pytest.mark.parametrize("case", list(CASES))
def test_the_columnar_write_says_and_stores_what_the_row_path_does(tmp_path, monkeypatch, case):
    setup, text, name, account = CASES[case]
    found = {}
    for columns in (True, False):
        monkeypatch.setattr(columnar, "COLUMNAR_MIN_LINES", 0 if columns else 10**12)
        found[columns] = imported(tmp_path, setup, text, name, columns, account)
    assert found[True] == found[False]
    said = found[True][0]
    assert said[1][2] == 0  # the second import adds nothing
    if case != "coinbase no other source":
        assert said[0][3] or said[0][4] or said[0][5]  # each case meets what it is about
