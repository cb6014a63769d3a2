"""SQLite's count of its own memory turned off for a process about to write a large import.

SQLite as most Linux distributions build it (Debian's 3.40: SQLITE_DEFAULT_MEMSTATUS on, no
lookaside allocator) counts every allocation it makes: each malloc and free takes a global mutex
and updates its statistics. A million-row import binds ~16 values a row, ~10 of them text that
SQLite copies into memory of its own and frees at the next bind, and each row's record and cells
are built in more; with the counting off (sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0), which
SQLite's documentation recommends for speed) the same INSERTs cost about a quarter less CPU, on
the import's critical path (the writer's thread: engine.store.columnar_stream). Nothing stored
changes. What stops working is only what reads the counts (sqlite3_memory_used, sqlite3_status,
the heap limits), none of which harvest or Python's sqlite3 uses.

The setting is the process's, and SQLite takes it only while shut down (sqlite3_shutdown), which
is allowed only with no connection open: so it is done only when no sqlite3.Connection exists in
the process (the collector's objects searched by their distinct types: a few ms) and never where
the library cannot be reached the same way (Linux only, through the sqlite3 module's own library).
`harvest import` asks before it reads a file it will write (both import paths). Anywhere else, or if
SQLite refuses, nothing changes and SQLite initialises itself again at the next connection as
ever. Not taken with it: SQLITE_CONFIG_MULTITHREAD (no mutex per connection: 10-15% less again in
the same measurement) — harvest's connection is shared by threads in turn (check_same_thread off),
and a statement finalised by another thread while one steps would then be unguarded."""

from __future__ import annotations

import ctypes
import gc
import sqlite3
import sys
import threading

SQLITE_CONFIG_MEMSTATUS = 9  # sqlite3.h
_lock = threading.Lock()


def stop_allocation_counting() -> bool:
    """Turn SQLite's memory counting off for this process if no connection is open (and the
    platform allows: see the module's docstring). Whether it is off now."""
    if not sys.platform.startswith("linux"):
        return False
    with _lock:
        try:
            import _sqlite3

            library = ctypes.CDLL(_sqlite3.__file__)  # (its symbols: the SQLite it is linked with)
            shutdown, config = library.sqlite3_shutdown, library.sqlite3_config
        except (ImportError, OSError, AttributeError):  # (a build that hides them)
            return False
        if _connections_open():
            return False
        if shutdown() != 0:
            return False
        return bool(config(SQLITE_CONFIG_MEMSTATUS, ctypes.c_int(0)) == 0)


def _connections_open() -> bool:
    """Whether a sqlite3.Connection exists in the process (open or not yet collected)."""
    found = gc.get_objects()
    try:
        kinds = set(map(type, found))  # (no __class__ asked; the distinct types: a few hundred)
    finally:
        del found
    return any(issubclass(kind, sqlite3.Connection) for kind in kinds)
