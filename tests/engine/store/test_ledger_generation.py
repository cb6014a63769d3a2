"""The ledger generation (migration 14): a random token the store's triggers make anew with each
change the lots are computed from, carried by the ledger mark, so the mark (what the app's reload
and the start-up cache's key rely on) never comes back to an earlier value with other contents:
not for another store at the same path, not for a fill dropped and another made in its place."""

from __future__ import annotations

from pathlib import Path

from engine.core.units import EpochMicros
from engine.imports.generic_csv import parse_csv
from engine.ledger.decisions import PAIR
from engine.store.migrations import SCHEMA_VERSION
from engine.store.store import Store, keys_of
from tests.support import HEADER, as_schema

CSV = f"""{HEADER}
2025-01-10T10:00:00Z,kraken,BTC,buy,1,60000,10,B1
2025-06-10T10:00:00Z,kraken,BTC,sell,0.5,40000,10,S1
"""
T0 = EpochMicros(1_767_225_600_000_000)


def imported(path: Path) -> Store:
    store = Store(path)
    store.import_events(keys_of(parse_csv(CSV, "f.csv")), "f", frozenset({"USD"}))
    return store


def token(store: Store) -> str:
    return store.ledger_mark()[-1]


def test_two_stores_with_the_same_history_have_different_marks(tmp_path: Path):
    first, second = imported(tmp_path / "a.sqlite3"), imported(tmp_path / "b.sqlite3")
    assert first.ledger_mark()[:-1] == second.ledger_mark()[:-1]  # every count and latest id alike
    assert first.ledger_mark() != second.ledger_mark()


def test_every_change_the_lots_depend_on_makes_a_new_token(tmp_path: Path):
    store = imported(tmp_path / "s.sqlite3")
    seen = [token(store)]
    made = store.record_decision(PAIR, "k", {"in": "j"}, "", T0)
    seen.append(token(store))
    store.undo_decision(made, EpochMicros(T0 + 1))
    seen.append(token(store))
    store.import_events(keys_of(parse_csv(CSV, "f.csv")), "f", frozenset({"USD"}))  # a batch, nothing new
    seen.append(token(store))
    assert len(set(seen)) == len(seen)


def test_a_fill_dropped_and_another_made_does_not_bring_the_mark_back(tmp_path: Path):
    store = imported(tmp_path / "s.sqlite3")
    conn = store.conn
    event_id = conn.execute("SELECT min(id) FROM events").fetchone()[0]
    fill = "INSERT INTO price_fills (event_id, asset, price, source, interval, priced_at, filled_at) VALUES (?, ?, ?, 'file', 'file', 0, 0)"
    with conn:
        conn.execute(fill, (event_id, "BTC", "1"))
    before = store.ledger_mark()
    with conn:
        conn.execute("DELETE FROM price_fills")
        conn.execute(fill, (event_id, "BTC", "2"))  # the same id again (no AUTOINCREMENT), another price
    after = store.ledger_mark()
    assert after[:-1] == before[:-1]
    assert after != before


def test_an_older_store_gets_its_token_and_triggers_when_opened(tmp_path: Path):
    path = tmp_path / "s.sqlite3"
    with imported(path) as store:
        as_schema(store.conn, 13)
        assert store.conn.execute(
            "SELECT count(*) FROM sqlite_master WHERE name LIKE 'ledger_generation%'"
        ).fetchone() == (0,)
    with Store(path) as store:
        assert store.conn.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)
        first = token(store)
        assert len(first) == 32
        store.record_decision(PAIR, "k", {"in": "j"}, "", T0)
        assert token(store) != first
