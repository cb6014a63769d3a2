"""The ledger's legs as the store hands them over, kept beside the store in `marshal` form, so a
report on an unchanged store of a million legs reads them back in ~0.5 s of CPU instead of
fetching them row by row from SQLite (~1.5-1.9 s: engine.store.ledger_tables.load_ledger).

One file, `<store>.legs` next to the SQLite file, written atomically (temp file + rename) and
owner-only: the header, then length-prefixed marshal records — the counts, then the legs and the
extras in chunks of CHUNK, one marshal call each, so a thread that wants the GIL (the app's UI
while its worker loads) waits for one chunk, ~2 ms, not for the whole ledger (one call over a
million legs held it 0.4-1.3 s; the heartbeat's longest gap 20-50 ms chunked, at load 8). What
it keeps is exactly what load_ledger's two queries on the `legs` table return
(the rows, and the rarely-set fields of the few legs that have them), nothing derived: the
pools, the sale identifications and the user's aliases are read from the store every time.

It is used only when its key matches: the schema version, this format, the Python and marshal
versions, and the legs' generation, read in the same snapshot as the legs: a random token the
store's triggers make anew with every import batch, price fill added, changed or dropped, and
every leg deleted or changed (migration 15). Legs are only ever inserted with a batch or after
a fill's delete, so no write to `legs` leaves the token where it was, and another store made at
the same path never shares it. A decision or a sale's identification leaves it (and the file)
as it is: they are applied to the legs as they are read, from the store each time.
A missing, stale, truncated or foreign file is ignored (a stale one is known by its first ~80
bytes, the rest not read) and rewritten; a file that cannot be written (a read-only store or
directory, a full disk) is skipped. It is never an error for the user: deleting it is always
safe, the next large load just takes longer and writes it again.

Only ledgers of MIN_LEGS (100,000) legs or more are written: below that the store's fetch takes a
tenth of a second or less, and a first report after an import would pay the write (~0.35 µs a
leg) for little. At a million legs the file is ~67 MiB. It is trusted as the store next to it
is: the user's own file in their own data directory.

When it is written: at once, by the load that fetched the legs (`keep`), unless the process has
said it will write it at its end (`defer_writes`: the `harvest` command itself, whose exit forks
a child for it, tui.cli.quick_exit), so the first report after an import does not wait ~0.5 s for
a file only the next load reads. A deferred write keeps a copy of the two lists it was fetched
as (their rows are tuples: nothing the process does later can change what is written) with the
key they were read under, and writes them with `write_pending`, skipping a file another process
has meanwhile written under the same key."""

from __future__ import annotations

import contextlib
import marshal
import sqlite3
import sys
from pathlib import Path
from typing import Any, BinaryIO

from engine.core.digests import sha256
from engine.ledger.records import LegRow

FORMAT = 1  # bumped when what is stored changes: an older file is then another key, ignored
SUFFIX = ".legs"
MAGIC = b"harvest-legs\n"  # then the key (a sha256 in hex)
MIN_LEGS = 100_000  # smaller ledgers are only fetched from the store (bench_cli 50,000 trades: 50,000 legs)
CHUNK = 4_096  # legs a marshal call (~2 ms): reading or writing never holds the GIL for long
_LENGTH = 4  # bytes of each chunk's length, before it
SINCE = 15  # the schema version whose triggers move the mark on every change to `legs`

# load_ledger's two fetches: every leg's (pool_id, kind, ts, quantity, usd, ref, has_extra), and
# the (identification, counterpart, tx_id, flag) of those with has_extra, in the same order
Fetched = tuple[list[LegRow], list[tuple[str | None, str | None, str | None, str | None]] | None]


def cache_path(store: Path) -> Path:
    return store.with_name(store.name + SUFFIX)


def cache_key(conn: sqlite3.Connection) -> str | None:
    """What the stored legs must have been read under, hashed; None for a store whose schema
    predates the triggers the key relies on (an older store opened read-only): never cached.
    Call it inside the snapshot the legs are (or would be) read from."""
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    if version < SINCE:
        return None
    token = conn.execute("SELECT token FROM legs_generation").fetchone()[0]
    parts = (FORMAT, marshal.version, sys.version_info[:2], version, token)
    return sha256(repr(parts).encode("utf-8")).hexdigest()


def header(key: str) -> bytes:
    """What the file starts with: the format's magic line and the key."""
    return MAGIC + key.encode("ascii")


def load(path: Path, key: str) -> Fetched | None:
    """The legs kept at `path` when its key is `key`; else None (never raises: it is a cache)."""
    try:
        with path.open("rb") as handle:
            return read_from(handle, key)
    except OSError:  # missing, unreadable: read the store instead
        return None


def read_from(handle: BinaryIO, key: str) -> Fetched | None:
    """What `write_to` wrote to `handle` under `key`, to its end; None for another key, a
    truncated, corrupt or overlong record (never raises: the caller reads the store instead)."""
    try:
        expected = header(key)
        if handle.read(len(expected)) != expected:
            return None  # another store's, an older state's or not ours: the rest is not read
        counts = _read(handle)
        legs: list[LegRow] = _read_list(handle, counts[0])
        extras = None if counts[1] < 0 else _read_list(handle, counts[1])
        if handle.read(1):
            return None  # more than was written
    except Exception:  # noqa: BLE001 - truncated, corrupt: read the store instead
        return None
    return legs, extras


def _read(handle: BinaryIO) -> Any:  # noqa: ANN401 - what marshal gives back, checked by the caller
    size = int.from_bytes(_exactly(handle, _LENGTH), "little")
    return marshal.loads(_exactly(handle, size))


def _read_list(handle: BinaryIO, count: int) -> list[Any]:
    """`count` items from chunks of CHUNK: each one marshal call, so a thread that wants the GIL
    (the app's UI) gets it between them instead of waiting for the whole ledger."""
    items: list[Any] = []
    while len(items) < count:
        chunk = _read(handle)
        if not isinstance(chunk, list) or not chunk:
            raise ValueError("not a chunk")
        items += chunk
    if len(items) != count:
        raise ValueError("more items than counted")
    return items


def _exactly(handle: BinaryIO, size: int) -> bytes:
    data = handle.read(size)
    if len(data) != size:
        raise EOFError
    return data


# writes left to the process's end (defer_writes): the file -> the key and what was fetched
_pending: dict[Path, tuple[str, Fetched]] = {}
_set_aside: list[dict[Path, tuple[str, Fetched]]] = []  # dropped, left to the process's end
_deferring = False


def defer_writes() -> None:
    """From now on `keep` leaves each write to `write_pending`, which this process must call as it
    ends (tui.cli.quick_exit, for the `harvest` command: in a child forked at its exit)."""
    global _deferring
    _deferring = True


def keep(path: Path, key: str, fetched: Fetched) -> None:
    """Keep what a load fetched under `key`: written now, or, deferred, at the process's end."""
    if not _deferring:
        save(path, key, fetched)
        return
    legs, extras = fetched  # copied: a caller may change its lists, never the tuples in them
    _pending[path] = (key, (legs[:], None if extras is None else extras[:]))


def pending() -> bool:
    """Whether a deferred write waits for write_pending."""
    return bool(_pending)


def write_pending() -> None:
    """Write what `keep` deferred (a file already holding the same key is left as it is)."""
    while _pending:
        path, (key, fetched) = _pending.popitem()
        if not holds(path, key):
            save(path, key, fetched)


def drop_pending() -> None:
    """Forget the deferred writes (another process, a child forked for them, writes them). Set
    aside, not freed: this runs right after that fork, and freeing the copied lists would touch
    every leg's reference count, so copy each page of legs the child still shares (0.39 s of a
    million-leg report's exit, measured 2026-12-02; the process ends at once after this)."""
    global _pending
    _set_aside.append(_pending)
    _pending = {}


def holds(path: Path, key: str) -> bool:
    """Whether the file at `path` is one written under `key` (by its first bytes)."""
    expected = header(key)
    try:
        with path.open("rb") as handle:
            return handle.read(len(expected)) == expected
    except OSError:
        return False


def save(path: Path, key: str, fetched: Fetched) -> None:
    """Keep what was fetched for the next load; a failure to write is not the user's problem."""
    from engine.core.files import sweep_killed_writes, write_atomic_bytes  # (tempfile: large fetches only)

    with contextlib.suppress(OSError, ValueError):  # ValueError: a value marshal cannot write
        write_atomic_bytes(path, encoded(key, fetched))
    sweep_killed_writes(path)


def encoded(key: str, fetched: Fetched) -> list[bytes | memoryview]:
    """The file's bytes for what was fetched under `key` (read back by read_from), in parts
    written one after the other: joined, a million legs' ~67 MiB were one copy under the GIL
    (44 ms of CPU, the app's UI stood still meanwhile); ValueError for a value marshal cannot
    write."""
    legs, extras = fetched
    parts: list[bytes | memoryview] = [
        header(key),
        *_record((len(legs), -1 if extras is None else len(extras))),
    ]
    for rows in (legs, extras or []):
        for start in range(0, len(rows), CHUNK):
            parts += _record(rows[start : start + CHUNK])
    return parts


def _record(value: tuple[int, int] | list[Any]) -> tuple[bytes, bytes]:
    """A record: its length, then its marshal bytes."""
    data = marshal.dumps(value)
    return len(data).to_bytes(_LENGTH, "little"), data
