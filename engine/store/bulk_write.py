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

import ctypes
import os
import sqlite3
import sys
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

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
    write_back(conn)  # (the rows are written: the disk takes them while the index is built)
    conn.execute(index[0])


def write_back(conn: sqlite3.Connection) -> None:
    """Start the disk writing what the batch has written to the store's file so far, without
    waiting (Linux's sync_file_range): a first import's ~280 MB are otherwise all written by its
    commit's fsync, on the import's critical path, since far less than the kernel's threshold
    for writing back on its own. Only where the store's file is open once in this process (its
    connection's descriptor, found in /proc/self/fd: none is opened here, whose closing would
    drop SQLite's locks on the file); anywhere else nothing is done and the commit writes it all
    as before. What is on disk earlier is only what SQLite has already written to the file."""
    if not sys.platform.startswith("linux"):
        return
    found = conn.execute("PRAGMA database_list").fetchall()
    name = next((file for _seq, schema, file in found if schema == "main"), "")
    with suppress(OSError, AttributeError, ValueError):
        fds = Path("/proc/self/fd")
        mine = [int(fd.name) for fd in fds.iterdir() if _points_to(fd, name)]
        if name and len(mine) == 1:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.sync_file_range(mine[0], ctypes.c_int64(0), ctypes.c_int64(0), _SYNC_FILE_RANGE_WRITE)


_SYNC_FILE_RANGE_WRITE = 2


def _points_to(fd: Path, name: str) -> bool:
    try:
        return os.readlink(fd) == name
    except OSError:  # (closed meanwhile)
        return False
