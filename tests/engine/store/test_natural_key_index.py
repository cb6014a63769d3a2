"""Migration 13: the events' natural key unique through a named index (events_natural_key) that
a large import may drop and build again, instead of a column constraint. A store written by
schema 12 (events rebuilt here as migration 1 made them, with data in every table that refers
to an event) is migrated on open row for row: the same events, ids, legs, pools, batches and
cross-source memory, foreign keys still enforced, the key still unique."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from engine.imports.generic_csv import parse_csv
from engine.store.migrations import MIGRATIONS, SCHEMA_VERSION
from engine.store.store import Store, keys_of
from tests.engine.imports.test_import_oracle import dump

ROWS = """timestamp,account,asset,side,quantity,price,fee,quote,fee_asset,price_usd,fee_usd,trade_id
2026-01-01T00:00:00Z,kraken,BTC,buy,1.5,30000.25,0.1,USD,USD,,,K1
2026-01-02T00:00:00Z,kraken,ETH,buy,0.00000001,0.05,0.0000001,BTC,BTC,1500,0.3,K2
2026-01-03T00:00:00Z,kraken,PEPE,buy,1000000000000000,0.000000000000000001,0,USD,USD,,,K3
2026-01-04T00:00:00Z,kraken,BTC,sell,1.5,31000,0,USD,USD,,,K4
2026-01-05T00:00:00Z,kraken,BTC,transfer_out,0.25,,0,USD,USD,,,
2026-01-05T00:00:00Z,kraken,BTC,transfer_out,0.25,,0,USD,USD,,,
"""
# migration 12's events table, as migrations 1 and 9 left it: the key a column constraint
SCHEMA_12_EVENTS = """
    CREATE TABLE events (
        id INTEGER PRIMARY KEY, natural_key TEXT NOT NULL UNIQUE,
        batch_id INTEGER NOT NULL REFERENCES batches(id),
        account TEXT NOT NULL, asset TEXT NOT NULL, side TEXT NOT NULL, ts INTEGER NOT NULL,
        quantity TEXT NOT NULL, price TEXT, quote TEXT NOT NULL, fee TEXT NOT NULL,
        fee_asset TEXT NOT NULL, price_usd TEXT, fee_usd TEXT, trade_id TEXT, tx_id TEXT,
        address TEXT, note TEXT, counterpart_account TEXT, lots TEXT, source TEXT NOT NULL,
        subtotal TEXT, value_usd TEXT)"""


def everything(conn: sqlite3.Connection) -> object:
    return (
        dump(conn),
        conn.execute("SELECT * FROM cross_source ORDER BY natural_key").fetchall(),
        conn.execute("SELECT * FROM price_fills ORDER BY id").fetchall(),
        conn.execute("PRAGMA table_info(events)").fetchall(),
    )


def written(path: Path) -> object:
    """A store holding events (two identical rows numbered), legs, pools, a batch, a twin
    remembered and a filled price: everything that refers to an event."""
    with Store(path) as store:
        store.import_events(keys_of(parse_csv(ROWS, "f.csv")), "f", frozenset({"USD"}))
        store.conn.execute("INSERT INTO cross_source VALUES ('other|id|K1', 1)")
        store.conn.execute(
            "INSERT INTO price_fills (event_id, asset, price, source, interval, priced_at, filled_at)"
            " VALUES (2, 'BTC', '1', 'test', '1m', 0, 0)"
        )
        return everything(store.conn)


def as_schema_12(path: Path) -> None:
    """The store as schema 12 holds it: events rebuilt with the key's column constraint."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA foreign_keys = OFF")
    conn.execute("BEGIN")
    # SQLite's rebuild (renaming `events` away would rewrite the references to it)
    conn.execute(SCHEMA_12_EVENTS.replace("CREATE TABLE events", "CREATE TABLE events_12"))
    conn.execute("INSERT INTO events_12 SELECT * FROM events")
    conn.execute("DROP TABLE events")
    conn.execute("ALTER TABLE events_12 RENAME TO events")
    for statement in MIGRATIONS[8].split(";") + MIGRATIONS[9].split(";"):  # the events' indexes
        if "INDEX" in statement and "ON events " in statement:
            conn.execute(statement)
    conn.execute("PRAGMA user_version = 12")
    conn.execute("COMMIT")
    conn.close()


def natural_key_indexes(conn: sqlite3.Connection) -> list[tuple[str, int]]:
    return [
        (name, unique)
        for _, name, unique, *_ in conn.execute("PRAGMA index_list(events)")
        if [col[2] for col in conn.execute(f"PRAGMA index_info('{name}')")] == ["natural_key"]
    ]


def test_a_schema_12_store_migrates_row_for_row(tmp_path: Path) -> None:
    expected = written(tmp_path / "fresh.sqlite3")
    old = tmp_path / "old.sqlite3"
    written(old)
    as_schema_12(old)
    with sqlite3.connect(old) as conn:  # the stand-in is schema 12's: an automatic index, undroppable
        assert natural_key_indexes(conn) == [("sqlite_autoindex_events_1", 1)]
    with Store(old) as store:
        conn = store.conn
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert everything(conn) == expected
        assert natural_key_indexes(conn) == [("events_natural_key", 1)]
        assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1  # back on after the rebuild
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE tbl_name = 'events'")}
        assert names == {"events", "events_natural_key", "events_unclassified", "events_synced_fills"}
        with pytest.raises(sqlite3.IntegrityError, match="UNIQUE constraint failed: events.natural_key"):
            conn.execute("INSERT INTO events SELECT NULL, natural_key, batch_id, account, asset, side, ts, "
                         "quantity, price, quote, fee, fee_asset, price_usd, fee_usd, trade_id, tx_id, address, "
                         "note, counterpart_account, lots, source, subtotal, value_usd FROM events LIMIT 1")  # fmt: skip
        with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):  # legs still refer to events
            conn.execute(
                "INSERT INTO legs (event_id, seq, pool_id, kind, ts, quantity, ref) VALUES (99, 0, 1, 0, 0, 1, 'x')"
            )
        assert (
            "REFERENCES events(id)"
            in conn.execute("SELECT sql FROM sqlite_master WHERE name = 'legs'").fetchone()[0]
        )


def test_a_store_whose_records_refer_to_missing_ones_is_not_migrated(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    written(path)
    as_schema_12(path)
    with sqlite3.connect(path) as conn:  # a leg of an event the store does not hold (foreign keys off)
        conn.execute(
            "INSERT INTO legs (event_id, seq, pool_id, kind, ts, quantity, ref) VALUES (99, 0, 1, 0, 0, 1, 'x')"
        )
    from engine.core.errors import StoreError

    with pytest.raises(StoreError, match="refer to records it does not hold"):
        Store(path)
    with sqlite3.connect(path) as conn:  # left as it was: schema 12, nothing rebuilt
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 12
        assert natural_key_indexes(conn) == [("sqlite_autoindex_events_1", 1)]
