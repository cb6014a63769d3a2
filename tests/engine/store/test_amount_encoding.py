"""One encoding for stored amounts: fixed-point units as digits. A store written before schema 5
(events held decimal strings) is migrated on open and reads exactly as a new one; opened
read-only, unmigrated, it still reads right."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from engine.core import fixedpoint as fp
from engine.imports.generic_csv import parse_csv
from engine.store.migrations import SCHEMA_VERSION
from engine.store.store import Store, keys_of
from tests.support import as_schema

ROWS = """timestamp,account,asset,side,quantity,price,fee,quote,fee_asset,price_usd,fee_usd,trade_id
2026-01-01T00:00:00Z,kraken,BTC,buy,1.5,30000.25,0.1,USD,USD,,,K1
2026-01-02T00:00:00Z,kraken,ETH,buy,0.00000001,0.05,0.0000001,BTC,BTC,1500,0.3,K2
2026-01-03T00:00:00Z,kraken,PEPE,buy,1000000000000000,0.000000000000000001,0,USD,USD,,,K3
2026-01-04T00:00:00Z,kraken,BTC,sell,1.5,31000,0,USD,USD,,,K4
2026-01-05T00:00:00Z,kraken,BTC,transfer_out,0.25,,0,USD,USD,,,K5
"""
AMOUNTS = ("quantity", "price", "fee", "price_usd", "fee_usd")


def new_store(path: Path) -> Store:
    store = Store(path)
    events = parse_csv(ROWS, "f.csv")
    store.import_events(keys_of(events), "f", frozenset({"USD"}))
    return store


def events_table(path: Path) -> list[tuple[object, ...]]:
    with sqlite3.connect(path) as conn:
        return conn.execute(f"SELECT natural_key, {', '.join(AMOUNTS)} FROM events ORDER BY id").fetchall()


def as_schema_4(path: Path) -> None:
    """Rewrite a store as schema 4 wrote it: the events' amounts as decimal strings."""
    with sqlite3.connect(path) as conn:
        for column in AMOUNTS:
            for rowid, value in conn.execute(f"SELECT id, {column} FROM events").fetchall():
                old = None if value is None else fp.fmt(int(value), 0)
                conn.execute(f"UPDATE events SET {column} = ? WHERE id = ?", (old, rowid))
        as_schema(conn, 4)


def test_every_amount_column_holds_units(tmp_path):
    new_store(tmp_path / "s.sqlite3").close()
    rows = events_table(tmp_path / "s.sqlite3")
    assert rows[0][1:] == (str(fp.parse("1.5")), str(fp.parse("30000.25")), str(fp.parse("0.1")), None, None)
    assert rows[2][1] == str(
        10**33
    )  # beyond 64 bits (the largest quantity a record may hold): the same digits


def test_a_schema_4_store_is_migrated_and_reads_the_same(tmp_path):
    fresh = new_store(tmp_path / "fresh.sqlite3")
    expected = (fresh.ledger(), fresh.trades_since(0), events_table(tmp_path / "fresh.sqlite3"))
    fresh.close()
    old_path = tmp_path / "old.sqlite3"
    new_store(old_path).close()
    as_schema_4(old_path)
    assert events_table(old_path)[0][1] == "1.5"
    with Store(old_path, readonly=True) as unmigrated:  # read-only: left as it is, read right
        assert unmigrated.trades_since(0) == expected[1]
    with Store(old_path) as migrated:
        assert migrated.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert (migrated.ledger(), migrated.trades_since(0)) == expected[:2]
    assert events_table(old_path) == expected[2]


def test_a_column_is_packed_as_each_amount_is():
    from engine.store.encoding import INT64, pack, pack_column

    column = [0, 1, -1, INT64 - 1, INT64, -INT64, -INT64 - 1, 10**33, -(10**33)]
    assert pack_column(column) == [pack(units) for units in column]  # type: ignore[arg-type]
    assert pack_column(column)[3:7] == [INT64 - 1, str(INT64), -INT64, str(-INT64 - 1)]
