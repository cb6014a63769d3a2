"""The `legs` table read as a ledger load reads it: every leg's fields in processing order (the
clustered key ts, event_id, seq), and the rarely-set fields of the few legs that have them, in
the same order — read CHUNK rows at a time (`fetchmany`), never in one C call over a million.

Why chunks: a fetch is one long C call, and a thread that wants the GIL (the app's UI while its
worker loads) can only take it where the fetch lets go. Python's `sqlite3` lets go around every
row's step, so the wait is short either way (measured 2026-12-02 with the UI's stand-in at
real-time priority — a thread sleeping 1 ms — beside a worker fetching a million legs: the
longest gap 3-32 ms with `fetchall`, 3-27 ms in chunks of 20,000, at load 3-5; ~100 ms either
way at load 14-15, the worker preempted while it holds the GIL), but a chunk
loop also leaves room for bytecode (the extras' check below) and costs nothing: the same CPU
(single fetch, paired, see docs/performance.md, *Ledger load*)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from typing import Any

CHUNK = 20_000  # rows a fetchmany call (~40 ms of CPU at most on a busy machine)
ORDER = " ORDER BY ts, event_id, seq"  # the clustered key: processing order
FIELDS = "pool_id, kind, ts, quantity, usd, ref, has_extra"  # a LegRow, has_extra in its place
EXTRA_FIELDS = "identification, counterpart, tx_id, flag"  # a LegExtra, of the legs with has_extra


def legs_sql(where: str = "") -> str:
    """Every leg's fields (or those of one part: `where`, on the clustered key), in order."""
    return "SELECT " + FIELDS + " FROM legs" + where + ORDER


def extras_sql(where: str = "") -> str:
    """The rarely-set fields of the legs that have them (of one part: `where`), in order. It
    scans every leg again (~0.1 s of CPU at a million): asked only when a leg read has them."""
    return (
        "SELECT "
        + EXTRA_FIELDS
        + " FROM legs"
        + (where + " AND has_extra" if where else " WHERE has_extra")
        + ORDER
    )


def chunks(conn: sqlite3.Connection, sql: str, args: tuple[object, ...] = ()) -> Iterator[list[Any]]:
    """The query's rows, CHUNK at a time."""
    fetch = conn.execute(sql, args).fetchmany
    while part := fetch(CHUNK):
        yield part
