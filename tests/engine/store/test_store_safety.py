"""The store: duplicates never stored twice, foreign or newer files refused untouched, private."""

from __future__ import annotations

import sqlite3
import stat

import pytest

from engine.core.errors import StoreError
from engine.imports.generic_csv import parse_csv
from engine.store.migrations import SCHEMA_VERSION
from engine.store.store import Store, keys_of
from tests.support import as_schema

H = "timestamp,account,asset,side,quantity,price,fee,trade_id"
ROWS = [
    "2026-01-01T00:00:00Z,kraken,BTC,buy,1,100,0,K1",
    "2026-01-02T00:00:00Z,kraken,BTC,buy,1,200,0,K2",
    "2026-01-03T00:00:00Z,kraken,BTC,sell,1,300,0,K3",
]


def load(store: Store, *rows: str, header: str = H) -> int:
    events = parse_csv("\n".join([header, *rows]) + "\n", "f.csv")
    return store.import_events(keys_of(events), "f", frozenset({"USD"})).added


def test_reimport_and_overlap_add_only_new_events(tmp_path):
    store = Store(tmp_path / "s.sqlite3")
    assert load(store, *ROWS[:2]) == 2
    assert load(store, *ROWS[:2]) == 0
    assert load(store, *ROWS[1:]) == 1
    assert store.event_count() == 3
    assert len(store.ledger().legs) == 3


def test_identical_rows_without_ids_are_real_repeats_but_not_reimported(tmp_path):
    store = Store(tmp_path / "s.sqlite3")
    header = "timestamp,account,asset,side,quantity,price,fee"
    row = "2026-01-01T00:00:00Z,kraken,BTC,buy,1,100,0"
    assert load(store, row, row, header=header) == 2
    assert load(store, row, row, header=header) == 0
    assert load(store, row, row, row, header=header) == 1


def test_store_is_private_and_versioned(tmp_path):
    path = tmp_path / "home" / "s.sqlite3"
    Store(path).close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_newer_store_is_refused_untouched(tmp_path):
    path = tmp_path / "s.sqlite3"
    Store(path).close()
    with sqlite3.connect(path) as conn:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    before = path.read_bytes()
    with pytest.raises(StoreError, match="newer than this harvest"):
        Store(path)
    assert path.read_bytes() == before


def test_a_foreign_sqlite_file_is_refused_untouched(tmp_path):
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE recipes (name TEXT)")
        conn.execute("INSERT INTO recipes VALUES ('soup')")
    before = path.read_bytes()
    with pytest.raises(StoreError, match="not a harvest store"):
        Store(path)
    assert path.read_bytes() == before


def test_a_corrupt_file_is_a_clear_error(tmp_path):
    path = tmp_path / "s.sqlite3"
    path.write_bytes(b"this is not a database at all" * 100)
    before = path.read_bytes()
    with pytest.raises(StoreError, match="not a usable harvest store"):
        Store(path)
    assert path.read_bytes() == before


def test_migrations_move_an_old_store_forward(tmp_path):
    from engine.store.migrations import MIGRATIONS

    path = tmp_path / "s.sqlite3"
    conn = sqlite3.connect(path)
    for statement in MIGRATIONS[0].split(";"):
        if statement.strip():
            conn.execute(statement)
    conn.execute("INSERT INTO meta VALUES ('app', 'harvest')")
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()
    with Store(path) as store:
        assert store.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert store.conn.execute("SELECT count(*) FROM steps").fetchone()[0] == 0


def test_migration_6_keys_exchange_trades_by_market_and_keeps_csv_keys(tmp_path):
    """A store from before per-market keys: its exchange trades get `market|id` keys, so the
    next sync recognises them (no duplicate) while CSV rows keep theirs."""
    from engine.ledger.events import Event

    path = tmp_path / "s.sqlite3"
    synced = Event("binance", "BTC", "buy", 1_767_225_600_000_000, 10**17, 30_000 * 10**18, 0, quote="USDT",
                   trade_id="42", source="ccxt:binance")  # fmt: skip
    imported = parse_csv("timestamp,account,asset,side,quantity,price,fee,trade_id\n"
                         "2026-01-01T00:00:00Z,kraken,ETH,buy,1,2000,0,T7\n", "t.csv")  # fmt: skip
    with Store(path) as store:
        store.import_events(keys_of([synced, *imported]), "t", frozenset({"USD", "USDT"}))
        store.conn.execute("UPDATE events SET natural_key = 'binance|id|42' WHERE account = 'binance'")
        as_schema(store.conn, 5)  # as a store before migration 6
    with Store(path) as store:
        keys = sorted(r[0] for r in store.conn.execute("SELECT natural_key FROM events"))
        assert keys == ["binance|id|BTC/USDT|42", "kraken|id|T7"]
        again = store.import_events(keys_of([synced]), "sync", frozenset({"USD", "USDT"}))
        assert (again.added, again.duplicates) == (0, 1)
