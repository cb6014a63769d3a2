"""Opening the store and its transactions: one SQLite file in WAL mode, created owner-only,
migrated forward on open, refused when foreign or newer than this harvest.

Writers keep transactions short and all-or-nothing (an import batch is one transaction), so a
kill at any point leaves either the whole batch or none of it. Readers (the TUI over SSH) see a
consistent snapshot while the monitor writes."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from engine.core.errors import StoreError
from engine.store.encoding import register_functions
from engine.store.migrations import MIGRATIONS, SCHEMA_VERSION

APP_ID = "harvest"
STORE_NAME = "harvest.sqlite3"


@contextmanager
def write_transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """BEGIN IMMEDIATE (take the write lock up front, so a busy store waits here rather than
    failing mid-way), then COMMIT, or ROLLBACK on any exception."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


@contextmanager
def read_snapshot(conn: sqlite3.Connection) -> Iterator[None]:
    """A read transaction (several SELECTs, one consistent view); nested use is a no-op."""
    if conn.in_transaction:
        yield
        return
    conn.execute("BEGIN")
    try:
        yield
    finally:
        conn.execute("COMMIT")


def default_store_path() -> Path:
    from engine.config.load import data_dir

    return data_dir() / STORE_NAME


def connect(path: Path, readonly: bool) -> sqlite3.Connection:
    """The store's one connection: created owner-only if new, checked to be a harvest store no
    newer than this code, and (unless read-only) in WAL mode and migrated to SCHEMA_VERSION."""
    try:
        if not readonly:
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            if not path.exists():
                # owner-only from the first byte: the store holds the user's tax records
                os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
        elif not path.exists():
            raise StoreError(f"{path}: no store here yet (run `harvest import` or `harvest sync`)")
        uri = f"file:{path}?mode={'ro' if readonly else 'rw'}"
        # one connection, used from the UI thread and workers in turn (callers serialise)
        conn = sqlite3.connect(uri, uri=True, timeout=15, isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA busy_timeout = 15000")
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{path}: not a usable harvest store ({exc})") from None
    except OSError as exc:
        raise StoreError(f"{path}: cannot open store: {exc.strerror or exc}") from None
    if version > SCHEMA_VERSION:
        conn.close()
        raise StoreError(
            f"{path}: store schema {version} is newer than this harvest understands "
            f"({SCHEMA_VERSION}); upgrade harvest"
        )
    if tables and (version == 0 or "meta" not in tables):
        conn.close()
        raise StoreError(f"{path}: this SQLite file is not a harvest store; refusing to touch it")
    if not readonly:
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA foreign_keys = ON")
            migrate(conn, version)
        except sqlite3.OperationalError as exc:
            conn.close()
            raise StoreError(f"{path}: cannot write the store: {exc}") from None
    return conn


def migrate(conn: sqlite3.Connection, version: int) -> None:
    """Run the migrations from `version` up, each in its own transaction."""
    if version < SCHEMA_VERSION:
        register_functions(conn)
    for target in range(version, SCHEMA_VERSION):
        conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in MIGRATIONS[target].split(";"):
                if statement.strip():
                    conn.execute(statement)
            if target == 0:
                conn.execute("INSERT INTO meta VALUES ('app', ?)", (APP_ID,))
            conn.execute(f"PRAGMA user_version = {target + 1}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
