"""A large import's bulk write (engine.store.bulk_write): into a store holding no more records
than the file, the batch runs under a rollback journal (no WAL, when no other connection has the
store open) and the natural key's index is dropped and built again after the rows. The store
must come out as the oracle's (tests/oracle) row for row — into an empty store, into one holding
rows, with a record listed twice in the file — all or nothing when the write fails mid-way, and
in WAL mode with the index afterwards; with another connection open (the app) the switch is
refused and the batch goes through the WAL, which that connection sees as a change."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bench.synth import write_csv
from engine.core.errors import StoreError
from engine.imports.importer import read_text
from engine.store import columnar_import
from engine.store.bulk_write import NATURAL_KEY_INDEX
from engine.store.store import Store
from tests.engine.imports.test_columnar_oracle import NO_OPTIONS, stores
from tests.engine.imports.test_import_oracle import USD_ONLY, dump

Seen = list[tuple[str, int, bool]]


@pytest.fixture
def seen(monkeypatch: pytest.MonkeyPatch) -> Seen:
    """(journal mode, synchronous, whether the natural key's index exists) at each part's insert."""
    found: Seen = []
    insert = columnar_import._insert_events

    def probed(conn: sqlite3.Connection, *args: object) -> None:
        found.append(state(conn))
        insert(conn, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(columnar_import, "_insert_events", probed)
    monkeypatch.setattr(columnar_import, "EVENTS_PER_CHUNK", 700)  # several parts a file
    from engine.imports import columnar

    monkeypatch.setattr(columnar, "COLUMNAR_MIN_LINES", 0)
    return found


def state(conn: sqlite3.Connection) -> tuple[str, int, bool]:
    indexed = conn.execute("SELECT count(*) FROM sqlite_master WHERE name = ?", (NATURAL_KEY_INDEX,))
    return (
        conn.execute("PRAGMA journal_mode").fetchone()[0],
        conn.execute("PRAGMA synchronous").fetchone()[0],
        bool(indexed.fetchone()[0]),
    )


FULL, NORMAL = 2, 1
BULK = ("delete", FULL, False)  # a rollback journal, synchronous FULL, the index dropped
AS_EVER = ("wal", NORMAL, True)


def harvest_csv(tmp_path: Path, rows: int, seed: int = 1) -> str:
    path = tmp_path / f"trades-{rows}-{seed}.csv"
    write_csv(path, rows, seed)
    return path.read_text()


def with_repeats(text: str) -> str:
    """The file with a record listed twice (its trade id) and a row without an id twice (kept)."""
    lines = text.splitlines(keepends=True)
    no_id = lines[1].split(",")
    return text + lines[2] + ",".join(no_id[:-1] + ["\n"]) * 2


def test_a_file_into_an_empty_store_is_written_in_bulk_as_the_oracle_writes_it(tmp_path, seen):
    text = with_repeats(harvest_csv(tmp_path, 2_000))
    found = stores([text], NO_OPTIONS, USD_ONLY)
    assert found["columnar"] == found["oracle"]
    assert seen == [BULK] * 3


def test_a_file_into_a_store_with_fewer_rows_is_written_in_bulk(tmp_path, seen):
    large = harvest_csv(tmp_path, 2_000)
    small = "".join(large.splitlines(keepends=True)[:601])  # its first 600 rows: known to the store
    found = stores([small, with_repeats(large)], NO_OPTIONS, USD_ONLY)
    assert found["columnar"] == found["oracle"]
    assert found["columnar"][0][1][2] == 1_400 + 2  # the new rows, and the row without an id twice
    assert seen == [BULK] + [BULK] * 3


def test_a_file_into_a_store_with_more_rows_is_written_as_ever(tmp_path, seen):
    small, large = harvest_csv(tmp_path, 600, seed=2), harvest_csv(tmp_path, 2_000)
    found = stores([large, small], NO_OPTIONS, USD_ONLY)
    assert found["columnar"] == found["oracle"]
    assert seen == [BULK] * 3 + [AS_EVER]


@pytest.mark.parametrize("first", [None, 600], ids=["empty store", "store with rows"])
def test_a_failure_mid_way_writes_nothing_and_leaves_the_store_as_it_was(tmp_path, seen, monkeypatch, first):
    with Store(tmp_path / "s.sqlite3") as store:
        if first:
            report = read_text(harvest_csv(tmp_path, first, seed=2), "a.csv", NO_OPTIONS)
            store.import_frame(report.frame, "a", USD_ONLY)  # type: ignore[arg-type]
        before = dump(store.conn)
        insert_legs = columnar_import._insert_legs
        calls = []

        def failing(conn: sqlite3.Connection, legs: object) -> None:
            calls.append(1)
            if len(calls) == 2:  # the second part: the first part's rows are in, the index dropped
                raise sqlite3.OperationalError("disk I/O error")
            insert_legs(conn, legs)  # type: ignore[arg-type]

        monkeypatch.setattr(columnar_import, "_insert_legs", failing)
        report = read_text(harvest_csv(tmp_path, 2_000), "b.csv", NO_OPTIONS)
        with pytest.raises(StoreError, match="import failed, nothing written: disk I/O error"):
            store.import_frame(report.frame, "b", USD_ONLY)  # type: ignore[arg-type]
        assert seen[-2:] == [BULK, BULK]
        assert dump(store.conn) == before
        assert state(store.conn) == AS_EVER  # the index back, the WAL again
    with Store(tmp_path / "s.sqlite3") as reopened:
        assert dump(reopened.conn) == before


def test_with_another_connection_open_the_batch_goes_through_the_wal(tmp_path, seen):
    """The app holds the store open and reloads after another process's import: the switch is
    refused at once (no wait), the import written as ever, and the app's connection sees it."""
    path = tmp_path / "s.sqlite3"
    with Store(path) as app, Store(path) as importing:
        version = app.data_version()
        report = read_text(harvest_csv(tmp_path, 2_000), "b.csv", NO_OPTIONS)
        summary = importing.import_frame(report.frame, "b", USD_ONLY)  # type: ignore[arg-type]
        assert seen == [("wal", NORMAL, False)] * 3  # the index still built after the rows
        assert app.data_version() != version
        assert app.event_count() == summary.added == 2_000
        assert importing.conn.execute("PRAGMA busy_timeout").fetchone()[0] == 15_000
        assert state(importing.conn) == AS_EVER
