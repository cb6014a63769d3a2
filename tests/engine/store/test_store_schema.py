"""A new store is made from one script (engine.store.schema), not by replaying the migrations:
it must be the store the migrations make, object for object, and fall back to them whenever the
script cannot stand for this schema version or another process made the store first."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from engine.store import connection, schema
from engine.store.encoding import register_functions
from engine.store.migrations import SCHEMA_VERSION

PRAGMAS = ("user_version", "application_id", "page_size", "auto_vacuum", "encoding", "journal_mode")


def replayed(path: Path) -> sqlite3.Connection:
    """A store made the old way: every migration from version 0, as connect did before."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA foreign_keys = ON")
    connection.replay(conn, 0)
    return conn


def described(conn: sqlite3.Connection) -> dict[str, object]:
    """Everything a store's schema is: its objects in order with their text, its pragmas, the
    rows the migrations write (the generations' tokens are random: their form only)."""
    tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
    return {
        "objects": conn.execute(
            "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY rowid"
        ).fetchall(),
        "pragmas": [conn.execute(f"PRAGMA {name}").fetchone()[0] for name in PRAGMAS],
        "meta": conn.execute("SELECT key, value FROM meta ORDER BY key").fetchall(),
        "rows": {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables},
        "tokens": [
            conn.execute(f"SELECT id, length(token), token GLOB '[0-9a-f]*' FROM {t}").fetchall()
            for t in ("ledger_generation", "legs_generation")
        ],
        "columns": {t: conn.execute(f"PRAGMA table_xinfo({t})").fetchall() for t in tables},
        "foreign_keys": {t: conn.execute(f"PRAGMA foreign_key_list({t})").fetchall() for t in tables},
    }


def test_a_new_store_is_the_store_the_migrations_make(tmp_path):
    old = replayed(tmp_path / "old.sqlite3")
    new = connection.connect(tmp_path / "new.sqlite3", readonly=False)
    try:
        made = described(new)
        assert made == described(old)
        assert made["pragmas"][0] == SCHEMA_VERSION
        assert made["meta"] == [("app", connection.APP_ID)]
        assert made["tokens"] == [[(1, 32, 1)], [(1, 32, 1)]]
    finally:
        old.close()
        new.close()


def test_the_script_is_at_this_schema_version():
    assert schema.SCHEMA_AT == SCHEMA_VERSION  # a new migration: write its end state into schema.SCHEMA


def test_a_new_store_is_made_in_one_go_not_replayed(tmp_path, monkeypatch):
    def refused(conn: sqlite3.Connection, version: int) -> None:
        raise AssertionError(f"replayed from {version}")

    monkeypatch.setattr(connection, "replay", refused)
    connection.connect(tmp_path / "s.sqlite3", readonly=False).close()


def test_a_script_not_at_this_version_replays_the_migrations(tmp_path, monkeypatch):
    monkeypatch.setattr(schema, "SCHEMA_AT", SCHEMA_VERSION - 1)
    replays: list[int] = []
    replay = connection.replay
    monkeypatch.setattr(
        connection, "replay", lambda conn, version: replays.append(version) or replay(conn, version)
    )
    new = connection.connect(tmp_path / "new.sqlite3", readonly=False)
    old = replayed(tmp_path / "old.sqlite3")
    try:
        assert replays == [0, 0]
        assert described(new) == described(old)
    finally:
        old.close()
        new.close()


def test_a_store_another_process_made_first_is_left_to_the_migrations(tmp_path):
    path = tmp_path / "s.sqlite3"
    connection.connect(path, readonly=False).close()
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        before = described(conn)
        assert connection.create(conn) is False  # its version is not 0 once the lock is ours
        assert not conn.in_transaction
        assert described(conn) == before
    finally:
        conn.close()


@pytest.mark.parametrize("version", [1, 9, SCHEMA_VERSION - 1])
def test_an_older_store_is_still_migrated_one_step_at_a_time(tmp_path, version):
    old = sqlite3.connect(tmp_path / "old.sqlite3", isolation_level=None)
    old.execute("PRAGMA journal_mode = WAL")
    register_functions(old)
    for target in range(version):  # the store an older harvest left
        old.execute("BEGIN")
        for statement in connection.statements(connection.MIGRATIONS[target]):
            old.execute(statement)
        if target == 0:
            old.execute("INSERT INTO meta VALUES ('app', ?)", (connection.APP_ID,))
        old.execute(f"PRAGMA user_version = {target + 1}")
        old.execute("COMMIT")
    old.close()
    migrated = connection.connect(tmp_path / "old.sqlite3", readonly=False)
    fresh = connection.connect(tmp_path / "new.sqlite3", readonly=False)
    try:
        got, want = described(migrated), described(fresh)
        assert got["pragmas"] == want["pragmas"]
        assert sorted(got["objects"], key=str) == sorted(want["objects"], key=str)  # (the order may differ)
    finally:
        migrated.close()
        fresh.close()
