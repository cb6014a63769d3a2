"""The legs fetched by two processes (engine.store.forked_fetch): wherever the split falls, the
result is the plain fetch's, value for value and type for type (INTEGER and TEXT amounts, NULLs,
non-ASCII refs, the rarely-set fields, sale identifications); a writer committing between the
parent's snapshot and the child's, a child that fails, is killed, or leaves a garbled or short
record, and a refused fork all give the parent's own fetch of the rest; a process with another
thread, one with no CPU likely free (the load average, a single CPU), or one never allowed to
fork (the app, tests, scripts), does not fork; the legs cache written from a split fetch reads
back as the store's legs."""

from __future__ import annotations

import os
import signal
import sqlite3
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from engine.imports.generic_csv import parse_csv
from engine.store import forked_fetch, forking, ledger_tables, legs_cache, legs_handover, legs_query
from engine.store.connection import read_snapshot
from engine.store.store import Store, keys_of

CSV = "timestamp,account,asset,side,quantity,price,fee,trade_id,counterpart_account,tx_id,lots\n"
ROWS = (
    "2026-01-01T00:00:00Z,kraken,BTC,buy,1.5,100,0.1,K1,,,\n"
    "2026-01-02T00:00:00Z,kraken,BTC,sell,0.5,120,0,Kü€2,,,\n"  # a non-ASCII ref
    "2026-01-02T00:00:00Z,ledger,ETH,buy,2,50,1,L1,,,\n"  # a fee in the quote: two legs, one time
    "2026-01-03T00:00:00Z,kraken,BTC,sell,0.25,90000000000,0,K3,,,\n"  # usd past 64 bits: TEXT
    "2026-01-03T00:00:00Z,kraken,SHIB,buy,1000000000000,0.00001,0,K5,,,\n"  # quantity past 64 bits
    "2026-01-04T00:00:00Z,kraken,BTC,transfer_out,0.5,,0,K4,ledger,0xabc,\n"  # no USD value: NULL
    "2026-01-04T00:10:00Z,ledger,BTC,transfer_in,0.5,,0,L2,kraken,0xabc,\n"
    "2026-01-05T00:00:00Z,ledger,ETH,sell,1,60,0,L3,,,L1:1\n"  # an identification
    "2026-01-06T00:00:00Z,kraken,ETH,buy,3,70,0.5,K6,,,\n"
    "2026-01-07T00:00:00Z,kraken,ETH,transfer_out,1,,0,K7,ledger,0xdef,\n"  # extras late in the ledger
    "2026-01-07T00:05:00Z,ledger,ETH,transfer_in,1,,0,L4,kraken,0xdef,\n"
    "2026-01-08T00:00:00Z,kraken,ETH,sell,1,80,0.25,K8,,,\n"
)
PLAIN_ROWS = "".join(
    f"2026-02-{day:02d}T00:00:00Z,kraken,SOL,buy,{day},10,0,S{day},,,\n" for day in range(1, 21)
)
MORE = "2026-03-01T00:00:00Z,kraken,XBT,buy,1,100,0,K9,,,\n"
SINGLE_THREADED, FREE_CORE = forking.single_threaded, forking.free_core
SHARES = (0.0, 0.1, 0.3, 0.5, forked_fetch.PARENT_SHARE, 0.9, 0.999)


@pytest.fixture(autouse=True)
def may_fork_here(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every ledger is large enough, and this process may fork (the test runner's own threads are
    no reader of the store: the child touches only its own connection and the scratch file)."""
    monkeypatch.setattr(forked_fetch, "MIN_LEGS", 0)
    monkeypatch.setattr(forking, "_allowed", True)
    monkeypatch.setattr(forking, "single_threaded", lambda: True)
    monkeypatch.setattr(forking, "free_core", lambda: True)  # a busy or pinned runner tests it too
    monkeypatch.setattr(legs_cache, "CHUNK", 3)  # several chunks of legs and of extras in the cache
    monkeypatch.setattr(legs_query, "CHUNK", 3)  # several fetches, and records handed over


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "s.sqlite3") as opened:
        add(opened, ROWS)
        yield opened


def add(store: Store, rows: str) -> None:
    store.import_events(keys_of(parse_csv(CSV + rows, "f.csv")), "f", frozenset({"USD"}))


READ = ledger_tables._read_legs  # the plain fetch (the tests' spy replaces the module's)


def plain(conn: sqlite3.Connection) -> legs_cache.Fetched:
    with read_snapshot(conn):
        return READ(conn, "", ())


def types(fetched: legs_cache.Fetched) -> list[tuple[type, ...]]:
    legs, extras = fetched
    return [tuple(map(type, row)) for row in [*legs, *(extras or [])]]


@pytest.fixture
def parts(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The parts the parent reads itself ("<": its own part; ">=": the rest, after a fallback)."""
    parent, seen = os.getpid(), []
    real = READ

    def spy(
        conn: sqlite3.Connection,
        where: str,
        args: tuple[object, ...],
        between: Callable[[], object] | None = None,
    ) -> legs_cache.Fetched:
        if os.getpid() == parent:
            seen.append(">=" if ">=" in where else "<" if where else "all")
        return real(conn, where, args, between)

    monkeypatch.setattr(ledger_tables, "_read_legs", spy)
    return seen


def split_fetch(store: Store, write: bool = False) -> legs_cache.Fetched:
    with read_snapshot(store.conn):
        return ledger_tables._fetch_legs(store.conn, store.legs_cache_path(), write)


@pytest.mark.parametrize("share", SHARES)
def test_the_split_fetch_is_the_plain_fetch_wherever_it_falls(
    store: Store, parts: list[str], monkeypatch: pytest.MonkeyPatch, share: float
):
    add(store, PLAIN_ROWS)
    monkeypatch.setattr(forked_fetch, "PARENT_SHARE", share)
    expected = plain(store.conn)
    fetched = split_fetch(store)
    assert parts == ["<"]  # the child's part was used: the parent read only its own
    assert fetched == expected
    assert types(fetched) == types(expected)
    legs, extras = fetched
    assert any(isinstance(leg[4], str) for leg in legs)
    assert any(isinstance(leg[3], str) for leg in legs)
    assert any(leg[4] is None for leg in legs)
    assert any("ü€" in leg[5] for leg in legs)
    assert extras is not None
    assert {e[1] for e in extras} >= {"ledger", "kraken"}
    assert any(e[0] for e in extras)  # an identification


@pytest.mark.parametrize("share", [0.0, 0.5, 0.999])
def test_no_extras_on_either_side_is_none_as_in_the_plain_fetch(
    tmp_path: Path, parts: list[str], monkeypatch: pytest.MonkeyPatch, share: float
):
    monkeypatch.setattr(forked_fetch, "PARENT_SHARE", share)
    with Store(tmp_path / "s.sqlite3") as store:
        add(store, PLAIN_ROWS)
        assert split_fetch(store) == plain(store.conn)
        assert split_fetch(store)[1] is None
    assert parts == ["<", "<"]


def test_the_ledger_loaded_through_the_split_is_the_stores(store: Store, parts: list[str]):
    add(store, PLAIN_ROWS)
    expected = ledger_tables.load_ledger(store.conn)  # no cache path: never split
    assert parts == ["all"]
    assert store.ledger() == expected  # identifications, pools and aliases applied as before
    assert parts == ["all", "<"]


def test_a_writer_committing_between_the_snapshots_means_the_parent_reads_the_rest(
    store: Store, parts: list[str], monkeypatch: pytest.MonkeyPatch
):
    """The child's snapshot is taken after an import committed (in the fork, deterministically):
    its key is not the parent's, so its legs are not used; the result is the parent's snapshot."""
    add(store, PLAIN_ROWS)
    before = plain(store.conn)
    real_fork = os.fork

    def commit_then_fork() -> int:
        with Store(store.path) as writer:
            add(writer, MORE)
        return real_fork()

    monkeypatch.setattr(forking.os, "fork", commit_then_fork)
    assert split_fetch(store) == before
    assert parts == ["<", ">="]
    after = plain(store.conn)
    assert "K9" in {leg[5] for leg in after[0]}
    assert after != before


def in_child(monkeypatch: pytest.MonkeyPatch, name: str, replacement: Callable[..., object]) -> None:
    """legs_cache.`name` replaced, in the forked child only; "records": what the child hands
    over (legs_handover.records, its pieces joined, then sent as one)."""
    parent = os.getpid()
    if name == "records":
        pieces = legs_handover.records

        def whole(*args: object) -> bytes:
            return b"".join(pieces(*args))  # type: ignore[arg-type]

        def sent(*args: object) -> object:
            return [replacement(whole, *args)] if os.getpid() != parent else pieces(*args)  # type: ignore[arg-type]

        monkeypatch.setattr(legs_handover, "records", sent)
        return
    real = getattr(legs_cache, name)

    def maybe(*args: object) -> object:
        return replacement(real, *args) if os.getpid() != parent else real(*args)

    monkeypatch.setattr(legs_cache, name, maybe)


def _raise(real: Callable[..., object], *args: object) -> object:
    raise RuntimeError("the child fails")


def _killed(real: Callable[..., object], *args: object) -> object:
    os.kill(os.getpid(), signal.SIGKILL)
    return real(*args)


def _garbled(real: Callable[..., object], *args: object) -> object:
    data = real(*args)
    assert isinstance(data, bytes)
    return data[: len(legs_cache.header(str(args[0])))] + b"\x00garbage" * 9


def _short(real: Callable[..., object], *args: object) -> object:
    data = real(*args)
    assert isinstance(data, bytes)
    return data[:-7]


def _overlong(real: Callable[..., object], *args: object) -> object:
    data = real(*args)
    assert isinstance(data, bytes)
    return data + data[-40:]


@pytest.mark.parametrize(
    ("name", "replacement"),
    [
        ("cache_key", _raise),
        ("cache_key", _killed),
        ("records", _garbled),
        ("records", _short),
        ("records", _overlong),
    ],
)
def test_a_failed_child_means_the_parent_reads_the_rest(
    store: Store,
    parts: list[str],
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    replacement: Callable[..., object],
):
    add(store, PLAIN_ROWS)
    expected = plain(store.conn)
    in_child(monkeypatch, name, replacement)
    fetched = split_fetch(store)
    assert fetched == expected
    assert types(fetched) == types(expected)
    assert parts == ["<", ">="]


def test_a_refused_fork_means_the_parent_reads_the_rest(
    store: Store, parts: list[str], monkeypatch: pytest.MonkeyPatch
):
    def refused() -> int:
        raise OSError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(forking.os, "fork", refused)
    assert split_fetch(store) == plain(store.conn)
    assert parts == ["<", ">="]


def no_fork() -> int:
    raise AssertionError("forked")


def test_a_process_never_allowed_or_with_threads_does_not_fork(
    store: Store, parts: list[str], monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(forking.os, "fork", no_fork)
    monkeypatch.setattr(forking, "_allowed", False)
    assert split_fetch(store) == plain(store.conn)
    monkeypatch.setattr(forking, "_allowed", True)
    monkeypatch.setattr(forking, "single_threaded", SINGLE_THREADED)  # the real check
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert not forking.single_threaded()
        assert split_fetch(store) == plain(store.conn)
    finally:
        stop.set()
        other.join()
    assert parts == ["all", "all"]


def test_a_small_ledger_no_free_cpu_or_no_key_does_not_fork(
    store: Store, parts: list[str], monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(forking.os, "fork", no_fork)
    monkeypatch.setattr(forked_fetch, "MIN_LEGS", 10_000)
    assert split_fetch(store) == plain(store.conn)
    monkeypatch.setattr(forked_fetch, "MIN_LEGS", 0)
    with read_snapshot(store.conn):
        assert forked_fetch.fetch(store.conn, None, READ) is None
    monkeypatch.setattr(forking, "free_core", FREE_CORE)  # the real check, on a machine made busy
    monkeypatch.setattr(forking, "runnable_now", lambda: 2)  # this process and one other, 2 CPUs
    monkeypatch.setattr(forking.os, "getloadavg", lambda: (0.1, 1.0, 1.0))  # (not asked)
    monkeypatch.setattr(forking.os, "sched_getaffinity", lambda _: {0, 1})
    assert not forking.free_core()
    assert split_fetch(store) == plain(store.conn)
    monkeypatch.setattr(forking, "runnable_now", lambda: 1)  # only this one: the 1-minute
    monkeypatch.setattr(forking.os, "getloadavg", lambda: (1.9, 1.0, 1.0))  # average is the past
    assert forking.free_core()
    monkeypatch.setattr(forking, "runnable_now", lambda: None)  # no count: the load average
    assert not forking.free_core()
    monkeypatch.setattr(forking.os, "getloadavg", lambda: (0.1, 1.0, 1.0))
    assert forking.free_core()
    monkeypatch.setattr(forking.os, "sched_getaffinity", lambda _: {1})  # pinned to one CPU
    assert not forking.free_core()
    assert split_fetch(store) == plain(store.conn)
    assert parts == ["all", "all", "all"]


def test_the_tasks_runnable_now_are_read_from_the_kernels_load_line(tmp_path: Path):
    line = tmp_path / "loadavg"
    line.write_text("1.62 1.40 3.08 3/93 14717\n")
    assert forking.runnable_now(str(line)) == 3
    for garbled in ("", "1.62 1.40 3.08\n", "1.62 1.40 3.08 x/93 1\n"):
        line.write_text(garbled)
        assert forking.runnable_now(str(line)) is None
    assert forking.runnable_now(str(tmp_path / "missing")) is None


def test_the_legs_cache_written_from_a_split_fetch_is_the_stores_legs(
    store: Store, parts: list[str], monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(legs_cache, "MIN_LEGS", 0)
    add(store, PLAIN_ROWS)
    fetched = split_fetch(store, write=True)
    assert parts == ["<"]
    path = legs_cache.cache_path(store.path)
    assert path.stat().st_mode & 0o777 == 0o600
    with read_snapshot(store.conn):
        key = legs_cache.cache_key(store.conn)
    assert key is not None
    kept = legs_cache.load(path, key)
    assert kept == fetched == plain(store.conn)
    assert kept is not None
    assert types(kept) == types(fetched)
