"""bulk_write.write_back: the disk asked to take what the batch has written to the store's file
(sync_file_range, not waited for) through the connection's own descriptor, found in
/proc/self/fd, and never through a descriptor opened for it; nothing is asked where the file is
open twice in the process, or is no file."""

from __future__ import annotations

import os
import sqlite3
import sys
from pathlib import Path

import pytest

from engine.store import bulk_write

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="Linux's /proc and sync_file_range"
)


class _Libc:
    def __init__(self) -> None:
        self.calls: list[tuple[int, int, int, int]] = []

    def sync_file_range(self, fd: int, offset: object, length: object, flags: int) -> int:
        self.calls.append((fd, offset.value, length.value, flags))  # type: ignore[attr-defined]
        return 0


@pytest.fixture
def libc(monkeypatch: pytest.MonkeyPatch) -> _Libc:
    fake = _Libc()
    monkeypatch.setattr(bulk_write.ctypes, "CDLL", lambda *args, **kwargs: fake)
    return fake


def _descriptors(path: Path) -> list[int]:
    return [int(fd) for fd in os.listdir("/proc/self/fd") if _link(fd) == str(path)]


def _link(fd: str) -> str:
    try:
        return os.readlink(f"/proc/self/fd/{fd}")
    except OSError:
        return ""


def test_the_store_written_is_handed_to_the_disk_through_its_connections_descriptor(tmp_path, libc):
    path = tmp_path / "s.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (x)")
    conn.execute("INSERT INTO t VALUES (1)")
    (fd,) = _descriptors(path)
    bulk_write.write_back(conn)
    assert libc.calls == [(fd, 0, 0, 2)]  # the whole file, SYNC_FILE_RANGE_WRITE: not waited for
    assert _descriptors(path) == [fd]  # none opened (or closed: SQLite's locks are the file's)
    conn.commit()
    assert conn.execute("SELECT x FROM t").fetchall() == [(1,)]
    conn.close()


def test_a_store_open_twice_in_the_process_or_in_memory_is_left_to_the_commit(tmp_path, libc):
    path = tmp_path / "s.sqlite3"
    conn, other = sqlite3.connect(path), sqlite3.connect(path)
    conn.execute("CREATE TABLE t (x)")
    other.execute("SELECT * FROM sqlite_master").fetchall()  # (its descriptor open too)
    bulk_write.write_back(conn)
    bulk_write.write_back(sqlite3.connect(":memory:"))
    assert libc.calls == []
    conn.close()
    other.close()


def test_on_the_real_libc_it_asks_and_returns(tmp_path):
    path = tmp_path / "s.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (x)")
    conn.executemany("INSERT INTO t VALUES (?)", [(n,) for n in range(1000)])
    bulk_write.write_back(conn)
    conn.commit()
    assert conn.execute("SELECT count(*) FROM t").fetchone() == (1000,)
    conn.close()
