"""The import's store write leaves the connection as it found it: foreign keys are checked by
SQLite again after a batch (they are off only while one is written) and the page cache is back
to its size, whether the batch was written or refused; and what it writes references only rows
that exist."""

from __future__ import annotations

import pytest

from engine.core.errors import StoreError
from engine.imports.generic_csv import parse_csv
from engine.store.store import Store, keys_of

CSV = "timestamp,account,asset,side,quantity,price,fee,trade_id\n"
ROWS = "2026-01-01T00:00:00Z,kraken,BTC,buy,1,100,0,K1\n2026-01-02T00:00:00Z,ledger,ETH,sell,2,50,1,L1\n"


def settings(store: Store) -> tuple[int, int]:
    return (
        store.conn.execute("PRAGMA foreign_keys").fetchone()[0],
        store.conn.execute("PRAGMA cache_size").fetchone()[0],
    )


def test_a_written_batch_leaves_foreign_keys_on_and_the_cache_as_it_was(tmp_path):
    with Store(tmp_path / "s.sqlite3") as store:
        before = settings(store)
        assert before[0] == 1
        summary = store.import_events(keys_of(parse_csv(CSV + ROWS, "f.csv")), "f", frozenset({"USD"}))
        assert summary.added == 2
        assert settings(store) == before
        assert store.conn.execute("PRAGMA foreign_key_check").fetchall() == []
        with pytest.raises(Exception, match="FOREIGN KEY"):  # SQLite checks references again
            store.conn.execute("INSERT INTO legs (event_id, seq, pool_id, kind, ts, quantity, ref) "
                               "VALUES (999, 0, 999, 0, 0, 1, 'x')")  # fmt: skip


def test_a_refused_batch_leaves_foreign_keys_on_and_writes_nothing(tmp_path):
    with Store(tmp_path / "s.sqlite3") as store:
        before = settings(store)
        events = keys_of(parse_csv(CSV + ROWS, "f.csv"))
        broken = [events[0], (events[1][0], events[1][1]._replace(asset=None))]  # NOT NULL refuses it
        with pytest.raises(StoreError, match="nothing written"):
            store.import_events(broken, "f", frozenset({"USD"}))
        assert settings(store) == before
        assert store.event_count() == 0
        assert store.conn.execute("SELECT count(*) FROM batches").fetchone()[0] == 0


def test_a_first_import_looks_for_no_twin_and_a_later_one_does(tmp_path, monkeypatch):
    """A store holding no record has nothing to find the batch's fills in (engine.ledger
    .cross_source): the first import skips the look-up; any later one asks, as before."""
    from engine.store import ledger_tables

    asked: list[int] = []
    lookup = ledger_tables.twins_in_store
    monkeypatch.setattr(
        ledger_tables,
        "twins_in_store",
        lambda conn, events, source: asked.append(len(events)) or lookup(conn, events, source),
    )
    more = "2026-01-03T00:00:00Z,kraken,BTC,sell,1,120,0,K2\n"
    with Store(tmp_path / "s.sqlite3") as store:
        first = store.import_events(keys_of(parse_csv(CSV + ROWS, "f.csv")), "f", frozenset({"USD"}))
        assert (first.added, asked) == (2, [])
        second = store.import_events(keys_of(parse_csv(CSV + ROWS + more, "g.csv")), "g", frozenset({"USD"}))
        assert (second.added, second.duplicates, asked) == (1, 2, [1])
