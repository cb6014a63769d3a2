"""A large import's store write made cheaper, the rows stored the same (engine.store.columnar_import):

- the rollback journal instead of the WAL for the batch, when no other connection has the store
  open: in WAL mode every page is written twice (to the WAL, then by the checkpoint into the
  store), while a rollback journal saves only the pages that held data before the batch (pages
  appended to the file are not journaled). Switched back to WAL after the commit. With another
  connection open (the app, which reloads after another process's import) SQLite refuses the
  switch and the batch is written through the WAL as ever.
- the natural key's unique index (events_natural_key, migration 13) built once after the rows,
  one sorted pass, instead of a random B-tree insert per row, when the batch adds at least as
  many records as the store holds. Inside the batch's transaction: a failure restores the index
  with everything else, and building it checks the keys' uniqueness as inserting them did."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager, suppress

NATURAL_KEY_INDEX = "events_natural_key"


@contextmanager
def rollback_journal(conn: sqlite3.Connection, wanted: bool) -> Iterator[bool]:
    """Around a batch's transaction: with `wanted`, the store in journal_mode DELETE for it if
    SQLite allows the switch (no other connection open), then WAL again. Yields whether it
    switched. synchronous FULL meanwhile: with a rollback journal, FULL is what keeps a commit
    (and the store) whole through a power cut, as NORMAL does in WAL mode."""
    if not wanted or conn.in_transaction:
        yield False
        return
    timeout = conn.execute("PRAGMA busy_timeout").fetchone()[0]
    conn.execute("PRAGMA busy_timeout = 0")  # another connection open: refused at once, not after a wait
    try:
        mode = conn.execute("PRAGMA journal_mode = DELETE").fetchone()[0]
    except sqlite3.OperationalError:  # "database is locked": another connection has it open
        mode = None
    finally:
        conn.execute(f"PRAGMA busy_timeout = {int(timeout)}")
    if mode != "delete":
        yield False
        return
    synchronous = conn.execute("PRAGMA synchronous").fetchone()[0]
    conn.execute("PRAGMA synchronous = FULL")
    try:
        yield True
    finally:
        conn.execute(f"PRAGMA synchronous = {int(synchronous)}")
        # refused only if another process opened the store meanwhile: its connection sets WAL
        # (connection.connect)
        with suppress(sqlite3.OperationalError):
            conn.execute("PRAGMA journal_mode = WAL")


@contextmanager
def natural_keys_indexed_after(conn: sqlite3.Connection, new_records: int) -> Iterator[None]:
    """Inside a batch's transaction, around its inserts of `new_records` records (their keys
    distinct and new to the store): the natural key's index dropped before and built again
    after, when they are at least as many as the records stored."""
    stored = int(conn.execute("SELECT count(*) FROM events").fetchone()[0])
    found = conn.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?", (NATURAL_KEY_INDEX,)
    )
    index = found.fetchone()
    if new_records == 0 or new_records < stored or index is None:
        yield
        return
    conn.execute(f"DROP INDEX {NATURAL_KEY_INDEX}")
    yield
    conn.execute(index[0])
