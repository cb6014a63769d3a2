"""Opening the store and its transactions: one SQLite file in WAL mode, created owner-only,
migrated forward on open, refused when foreign or newer than this harvest.

Writers keep transactions short and all-or-nothing (an import batch is one transaction), so a
kill at any point leaves either the whole batch or none of it. Readers (the TUI over SSH) see a
consistent snapshot while the monitor writes."""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from engine.core.errors import StoreError
from engine.store.encoding import register_functions
from engine.store.migrations import MIGRATIONS, REBUILDS, SCHEMA_VERSION

APP_ID = "harvest"
STORE_NAME = "harvest.sqlite3"
T = TypeVar("T")


BUSY_TIMEOUT_MS = 15_000  # SQLite's own wait for a lock, per statement
BUSY_TRIES = 4  # a lock is tried this often (a write, or opening the store): a minute for a writer to finish
QUICK_PAUSE_S = 0.002  # after SQLite answers busy at once (no wait of its own): the first pause
QUICK_PAUSE_MAX_S = 0.1  # ... doubling up to this


class StoreBusy(StoreError):
    """Another process held the store's write lock longer than we wait (a large import, say)."""


BUSY_MESSAGE = (
    "the store is busy: another harvest process (an import or a sync) is writing to it; "
    "try again when it has finished"
)


def waiting_out_writers(action: Callable[[], T]) -> T:
    """`action`, tried again while another process holds a lock it needs (SQLite waits
    BUSY_TIMEOUT_MS each time): a minute in all before saying so in one line (StoreBusy).

    SQLite also answers "busy" at once, without its wait, where waiting could deadlock (a read
    lock that would have to become a write lock, another connection recovering the WAL: six
    processes making one new store at once met it). Such an answer is not one of the BUSY_TRIES:
    a short pause (doubling to QUICK_PAUSE_MAX_S), then again, within the same minute in all —
    four instant answers in a millisecond were a StoreBusy for a store free a moment later."""
    budget = BUSY_TRIES * BUSY_TIMEOUT_MS / 1000
    started = time.monotonic()
    tries, pause = 0, QUICK_PAUSE_S
    while True:
        attempt_started = time.monotonic()
        try:
            return action()
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) and "busy" not in str(exc):
                raise
            now = time.monotonic()
            waited = now - attempt_started >= BUSY_TIMEOUT_MS / 2000  # SQLite's own wait ran
            tries += waited
            if tries >= BUSY_TRIES or now - started >= budget:
                raise StoreBusy(BUSY_MESSAGE) from None
            if not waited:
                time.sleep(pause)
                pause = min(pause * 2, QUICK_PAUSE_MAX_S)


def begin_immediate(conn: sqlite3.Connection) -> None:
    """Take the write lock up front (a busy store waits here, never mid-way through a write)."""
    waiting_out_writers(lambda: conn.execute("BEGIN IMMEDIATE"))


@contextmanager
def write_transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """BEGIN IMMEDIATE (see begin_immediate), then COMMIT, or ROLLBACK on any exception."""
    begin_immediate(conn)
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
        conn = sqlite3.connect(
            uri, uri=True, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False
        )
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        try:
            version, tables = waiting_out_writers(lambda: _schema(conn))
        except StoreBusy:
            conn.close()
            raise
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
            # the switch takes an exclusive lock: a writer under the rollback journal (a large
            # import's batch, engine.store.bulk_write) holds it up to its commit
            waiting_out_writers(lambda: conn.execute("PRAGMA journal_mode = WAL"))
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA foreign_keys = ON")
            migrate(conn, version)
        except StoreBusy:
            conn.close()
            raise
        except sqlite3.OperationalError as exc:
            conn.close()
            raise StoreError(f"{path}: cannot write the store: {exc}") from None
    return conn


def _schema(conn: sqlite3.Connection) -> tuple[int, set[str]]:
    """The store's version and tables in one read transaction: another process creating the
    store between two separate reads would look like tables without a version (a foreign file)."""
    conn.execute("BEGIN")
    try:
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    finally:
        conn.execute("COMMIT")
    return version, tables


def statements(script: str) -> list[str]:
    """A migration's statements, one each: cut at every `;` that ends one (a trigger's body holds
    its own `;`s, so a piece is joined to the next until SQLite calls it complete)."""
    found, pending = [], ""
    for piece in script.split(";"):
        pending += piece + ";"
        if sqlite3.complete_statement(pending):
            if pending.strip(" \n;"):
                found.append(pending)
            pending = ""
    if pending.strip(" \n;"):
        found.append(pending)
    return found


def migrate(conn: sqlite3.Connection, version: int) -> None:
    """Run the migrations from `version` up, each in its own transaction; a new store (version
    0) is created at SCHEMA_VERSION in one (create)."""
    if version == 0 and create(conn):
        return
    replay(conn, version)


def create(conn: sqlite3.Connection) -> bool:
    """Make a new store's schema in one transaction (engine.store.schema: what the migrations
    leave, without replaying them). False, writing nothing, when the script is not at this
    SCHEMA_VERSION or another process made the store while we waited for the lock: replay then
    takes it from wherever it is."""
    from engine.store.schema import SCHEMA, SCHEMA_AT

    if SCHEMA_AT != SCHEMA_VERSION:
        return False
    begin_immediate(conn)
    try:
        if conn.execute("PRAGMA user_version").fetchone()[0] != 0:
            conn.execute("COMMIT")
            return False
        for statement in statements(SCHEMA):
            conn.execute(statement)
        conn.execute("INSERT INTO meta VALUES ('app', ?)", (APP_ID,))
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return True


def replay(conn: sqlite3.Connection, version: int) -> None:
    """The migrations from `version` up, each in its own transaction."""
    if version < SCHEMA_VERSION:
        register_functions(conn)
    for target in range(version, SCHEMA_VERSION):
        checking = target in REBUILDS and conn.execute("PRAGMA foreign_keys").fetchone()[0]
        if checking:  # (a no-op inside a transaction: set before it)
            conn.execute("PRAGMA foreign_keys = OFF")
        begin_immediate(conn)
        try:
            if conn.execute("PRAGMA user_version").fetchone()[0] > target:
                # another process migrated (or created) the store while we waited for the lock
                conn.execute("COMMIT")
                continue
            for statement in statements(MIGRATIONS[target]):
                conn.execute(statement)
            if target in REBUILDS and conn.execute("PRAGMA foreign_key_check").fetchone():
                raise StoreError("the store's records refer to records it does not hold; not migrated")
            if target == 0:
                conn.execute("INSERT INTO meta VALUES ('app', ?)", (APP_ID,))
            conn.execute(f"PRAGMA user_version = {target + 1}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        finally:
            if checking:
                conn.execute("PRAGMA foreign_keys = ON")
