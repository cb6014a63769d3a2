"""A large ledger's legs fetched by two processes: the fetch of a million legs from SQLite is
~2 s of one core (SQLite's stepping ~1 s, the row tuples ~1 s), and the cold `harvest report`
and `bench_core.py` otherwise leave the machine's other core idle through it.

Where the process may fork (`allow`: the `harvest` command itself, tui.cli.quick_exit, and
bench_core's timed process, never the app, the tests' engine or a script), is one thread
(the OS's count: a library's pool would be copied half-held) and has a CPU free (the tasks
runnable now: see engine.store.forking.free_core; a busy machine keeps the one-process fetch), a load that finds no
legs cache splits the legs at PARENT_SHARE of their count, in processing order (the clustered key
ts, event_id, seq: a seek, ~35 ms with the count). The parent forks; the child opens its OWN
read-only connection (never touches the parent's), reads in one read transaction the legs from
the split on (and their extras), and writes them with their key to an anonymous file (memfd),
a marshal record a fetched chunk, saying on a pipe how far it has written
(engine.store.legs_handover) — while the parent fetches the legs before the split in its own
snapshot and, between its chunks, decodes those of the child's that have arrived (~0.55 µs a
leg against ~2 µs from SQLite). The parent then waits for the child's last chunks, reaps it and
takes its part only when the child ended with 0 and wrote a whole part under the key the parent
read in ITS snapshot (the legs' generation moves with every write to `legs`: the same key, the
same legs).
Any other outcome — fork refused, the child's failure or signal, a writer committing between
the two snapshots, a short or garbled record — and the parent fetches the rest itself: the
result is always the plain fetch's, at worst slower. The child ends only by os._exit (in a
finally: it never returns into the caller's code, prints nothing, flushes nothing), is always
reaped (killed first if the parent is interrupted), and its file closes with it.

Why the child may read: SQLite keeps per-process state of the files it has open (the POSIX locks
it believes it holds), which the child inherits as copied memory, so its new connection may
count the parent's read locks as its own without taking them. The parent holds those locks for
real, in its read transaction, until the child has been reaped: no checkpoint can overwrite the
WAL frames of the parent's snapshot meanwhile, and a child that read a newer snapshot has another
key, so its legs are not used. The child writes nothing to the store (`mode=ro`).

The split (measured 2026-12-01, in-process, 1M legs): the parent's part and the child's each ~1 s
when the other core is free; the parent then unmarshalled the child's in ~0.3 s, after it had
waited for all of it — now it decodes it while the child still fetches (2026-12-02: docs/performance.md,
*Ledger load*), and takes half instead of 54%. A thread instead
(its own connection, the other half) took longer than one fetch (4.6 s wall, 6.0 s CPU against
2.3 s): Python's sqlite3 releases and retakes the GIL around every row's step, so two fetching
threads hand it over a million times."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from typing import BinaryIO, Protocol

from engine.store import forking, legs_cache, legs_handover, legs_query

# the parent's share: it also decodes the child's part, while the child still fetches
# (legs_handover), so the two end together near half (see the module's docstring)
PARENT_SHARE = 0.45
MIN_LEGS = 100_000  # below this the fetch is a tenth of a second: not worth a fork
ORDER = legs_query.ORDER  # the clustered key: processing order


class ReadPart(Protocol):
    """Reads the legs (and their extras) of one part of the table, in processing order: a WHERE
    clause on (ts, event_id, seq) with its parameters ("" and () for all of them), calling
    `between` (when given) after each chunk it fetches."""

    def __call__(
        self,
        conn: sqlite3.Connection,
        where: str,
        args: tuple[object, ...],
        between: Callable[[], object] | None = None,
    ) -> legs_cache.Fetched: ...


last = ""  # how the last fetch here went ("split", "parent read the rest"): for bench/ to print


def fetch(conn: sqlite3.Connection, key: str | None, read: ReadPart) -> legs_cache.Fetched | None:
    """Every leg and the extras, as read(conn, "", ()) returns them, half by a forked child; None
    when this process should not fork (not allowed, threads, no key, a small ledger): the caller
    fetches them itself. Call it inside the read transaction `key` was read in."""
    if key is None or not forking.may_fork():
        return None
    (count,) = conn.execute("SELECT count(*) FROM legs").fetchone()
    if count < MIN_LEGS:
        return None
    split = conn.execute(
        "SELECT ts, event_id, seq FROM legs" + ORDER + " LIMIT 1 OFFSET ?", (int(count * PARENT_SHARE),)
    ).fetchone()
    path = _main_file(conn)
    if split is None or path is None:
        return None
    before, after = " WHERE (ts, event_id, seq) < (?, ?, ?)", " WHERE (ts, event_id, seq) >= (?, ?, ?)"
    notify, told = os.pipe()  # the child tells how far its part is written (legs_handover)
    try:
        with forking.scratch() as scratch:
            try:
                theirs = forking.forked(scratch, lambda: _child(path, after, split, scratch, notify, told))
            finally:
                os.close(told)  # the child's end: its exit closes the last one, the handover's end
            incoming = legs_handover.Incoming(scratch.fileno(), notify, key)
            try:
                mine = read(conn, before, split, incoming.poll)  # the child's chunks decoded as they come
                rest = incoming.finish()
            finally:
                status = theirs()  # the child reaped, whatever happens here
            rest = rest if status == 0 else None
    finally:
        os.close(notify)
    global last
    last = "split"
    if rest is None:  # no fork, a failed child, another snapshot: the rest from this one
        rest = read(conn, after, split)
        last = "parent read the rest"
    return _joined(mine, rest)


def _joined(first: legs_cache.Fetched, second: legs_cache.Fetched) -> legs_cache.Fetched:
    """Two consecutive parts as one fetch: the extras None only when neither part has any."""
    legs = first[0]
    legs += second[0]
    if first[1] is None and second[1] is None:
        return legs, None
    return legs, (first[1] or []) + (second[1] or [])


def _main_file(conn: sqlite3.Connection) -> str | None:
    for _, name, file in conn.execute("PRAGMA database_list"):
        if name == "main":
            return str(file) or None  # "": an in-memory store
    return None


def _child(  # pragma: no cover - runs in the forked child only
    path: str, where: str, split: tuple[object, ...], scratch: BinaryIO, notify: int, told: int
) -> None:
    """The child's part: its own read-only connection, one read transaction, the legs from the
    split on, written to the scratch file chunk by chunk under the key read in that transaction
    (the parent compares it with its own), each write told on the pipe (legs_handover)."""
    os.close(notify)
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None)
    conn.execute("BEGIN")
    own = legs_cache.cache_key(conn)
    if own is None:
        raise RuntimeError("no key")
    legs_handover.send(legs_handover.records(own, conn, where, split), scratch.fileno(), told)
