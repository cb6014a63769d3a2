"""The legs kept beside the store (engine.store.legs_cache): a load from the file is the store's
load, value for value and type for type (INTEGER and TEXT amounts, NULLs, non-ASCII refs, the
rarely-set fields); every write to the legs makes the file stale (an import, a price filled, a
user's price, a leg deleted or changed, a migration), and what is read beside the legs (aliases,
sale identifications, pools) is read from the store every time; a damaged, foreign or stale file
is ignored and rewritten, a store made anew at its path never reads its predecessor's file; small
ledgers and read-only stores write nothing; the file is owner-only and no temp file stays."""

from __future__ import annotations

import marshal
import os
import re
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from engine.api import Engine
from engine.config.load import Config, TaxConfig
from engine.core.files import STALE_TEMP_S
from engine.core.units import EpochMicros
from engine.exchanges.price_fill import fill_prices
from engine.imports.formats import Options
from engine.imports.generic_csv import parse_csv
from engine.imports.importer import read_file
from engine.imports.price_history import read_history_file
from engine.ledger.decisions import ALIAS
from engine.ledger.records import Ledger
from engine.planning.planner import Planner
from engine.review import actions
from engine.review.problems import find_review
from engine.store import legs_cache
from engine.store.ledger_tables import load_ledger
from engine.store.store import Store, keys_of
from tests.support import as_schema

CSV = "timestamp,account,asset,side,quantity,price,fee,trade_id,counterpart_account,tx_id,lots\n"
ROWS = (
    "2026-01-01T00:00:00Z,kraken,BTC,buy,1.5,100,0.1,K1,,,\n"
    "2026-01-02T00:00:00Z,kraken,BTC,sell,0.5,120,0,Kü€2,,,\n"  # a non-ASCII ref
    "2026-01-02T00:00:00Z,ledger,ETH,buy,2,50,1,L1,,,\n"
    "2026-01-03T00:00:00Z,kraken,BTC,sell,0.25,90000000000,0,K3,,,\n"  # usd past 64 bits: TEXT
    "2026-01-03T00:00:00Z,kraken,SHIB,buy,1000000000000,0.00001,0,K5,,,\n"  # quantity past 64 bits
    "2026-01-04T00:00:00Z,kraken,BTC,transfer_out,0.5,,0,K4,ledger,0xabc,\n"  # no USD value: NULL
    "2026-01-04T00:10:00Z,ledger,BTC,transfer_in,0.5,,0,L2,kraken,0xabc,\n"
    "2026-01-05T00:00:00Z,ledger,ETH,sell,1,60,0,L3,,,L1:1\n"  # an identification
)
MORE = "2026-02-01T00:00:00Z,kraken,XBT,buy,1,100,0,K9,,,\n"
KRAKEN = Path(__file__).resolve().parents[2] / "fixtures" / "imports" / "kraken" / "with-subclass.csv"
NOW = EpochMicros(1_780_000_000_000_000)


@pytest.fixture(autouse=True)
def every_ledger_is_cached(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(legs_cache, "MIN_LEGS", 0)
    monkeypatch.setattr(legs_cache, "CHUNK", 3)  # several chunks of legs and of extras


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "s.sqlite3") as opened:
        add(opened, ROWS)
        yield opened


def add(store: Store, rows: str) -> None:
    store.import_events(keys_of(parse_csv(CSV + rows, "f.csv")), "f", frozenset({"USD"}))


def from_store(store: Store) -> Ledger:
    return load_ledger(store.conn)  # no cache


def traced_load(store: Store) -> tuple[Ledger, bool]:
    """(the ledger Store.ledger() loads, whether it read the legs table)."""
    statements: list[str] = []
    store.conn.set_trace_callback(statements.append)
    try:
        ledger = store.ledger()
    finally:
        store.conn.set_trace_callback(None)
    return ledger, any(re.search(r"FROM legs\b", s) for s in statements)


def cached(store: Store) -> Ledger:
    """A load that reads the file (asserted), after one that wrote it."""
    store.ledger()
    ledger, read_legs = traced_load(store)
    assert not read_legs
    return ledger


def test_a_cached_load_is_the_stores_load(store: Store):
    fresh = from_store(store)
    assert not legs_cache.cache_path(store.path).exists()
    first, read_legs = traced_load(store)
    assert read_legs
    assert first == fresh
    again = cached(store)
    assert again == fresh
    assert [tuple(map(type, leg)) for leg in again.legs] == [tuple(map(type, leg)) for leg in fresh.legs]
    legs = fresh.legs
    assert any(isinstance(leg[4], str) for leg in legs)
    assert any(isinstance(leg[3], str) for leg in legs)
    assert any(leg[4] is None for leg in legs)
    assert any("ü€" in leg[5] for leg in legs)
    extras = [leg[6] for leg in legs if leg[6] is not None]
    assert {e.counterpart for e in extras} >= {"ledger", "kraken"}
    assert any(e.identification for e in extras)


def test_flagged_legs_and_a_price_fill_make_it_stale(tmp_path: Path):
    engine = Engine(Config(tax=TaxConfig(timezone="UTC")), Store(tmp_path / "s.sqlite3"), lambda: NOW)
    with engine.store as store:
        engine.store_import(read_file(KRAKEN, Options(None, None, None)))
        assert any(leg[6] is not None and leg[6].flag for leg in cached(store).legs)
        history = tmp_path / "history.csv"
        history.write_text(
            "asset,timestamp,price\nSOL,2024-03-10T00:00:00Z,150\nSOL,2024-03-17T00:00:00Z,160\n"
        )
        fill_prices(store, engine.config, NOW, engine.calendar.day, history_file=read_history_file(history))
        ledger, read_legs = traced_load(store)
        assert read_legs
        assert ledger == from_store(store) != Ledger({}, [])
        assert cached(store) == from_store(store)


def test_an_import_makes_it_stale(store: Store):
    cached(store)
    add(store, MORE)
    ledger, read_legs = traced_load(store)
    assert read_legs
    assert ledger == from_store(store)
    assert "K9" in {leg[5] for leg in ledger.legs}
    assert cached(store) == ledger


@pytest.mark.parametrize(
    "change",
    ["DELETE FROM legs WHERE ref = 'K3'", "UPDATE legs SET usd = 7 WHERE ref = 'K1' AND kind = 0"],
)
def test_a_leg_deleted_or_changed_makes_it_stale(store: Store, change: str):
    """No price fill or batch with it (migration 15's triggers): fails without them."""
    before = cached(store)
    with store.conn:
        store.conn.execute(change)
    ledger, read_legs = traced_load(store)
    assert read_legs
    assert ledger == from_store(store) != before


def test_a_users_price_and_its_undo_make_it_stale(tmp_path: Path):
    """`harvest review price` and its undo rewrite a record's legs (fill_tables.save_user_fill):
    every load after each is the store's."""
    engine = Engine(Config(tax=TaxConfig(timezone="UTC")), Store(tmp_path / "s.sqlite3"), lambda: NOW)
    with engine.store as store:
        engine.store_import(read_file(KRAKEN, Options(None, None, None)))
        planner = Planner(engine)
        before = cached(store)
        (fee,) = [p for p in find_review(planner).problems if p.ref == "L0W1A1-AAAAA-000020:fee"]
        said = actions.price(planner, fee.id, "60000")
        assert store.ledger() == from_store(store) != before
        assert cached(store) == from_store(store)
        actions.undo(planner, said.decision_id)
        assert store.ledger() == from_store(store) == before


def test_aliases_and_identifications_are_read_from_the_store(store: Store):
    """A decision or a sale's identification leaves the file current (the legs as they were):
    both are applied to the legs as they are read, from the store each time."""
    add(store, MORE)
    cached(store)
    store.record_decision(ALIAS, "XBT", {"asset": "BTC"}, "", NOW)
    with store.conn:
        store.conn.execute(
            "INSERT INTO identifications (account, asset, lots, quantity, recorded_at, source, sale_ref) "
            "VALUES ('kraken', 'BTC', 'K1:0.25', '1', 0, 'test', 'K3')"
        )
    ledger, read_legs = traced_load(store)
    assert not read_legs
    assert ledger == from_store(store)
    assert "XBT" not in {asset for _, asset in ledger.pools.values()}
    assert any(leg[6] is not None and leg[6].identification == "K1:0.25" for leg in ledger.legs)


def test_a_store_of_an_older_schema_is_never_cached(store: Store):
    """Before migration 15 a leg deleted or changed did not move the mark: such a store (opened
    read-only by this harvest, so not migrated) neither reads nor writes the file."""
    cached(store)
    file = legs_cache.cache_path(store.path)
    written = file.stat().st_mtime_ns
    as_schema(store.conn, 14)
    assert legs_cache.cache_key(store.conn) is None
    assert traced_load(store)[1]
    assert traced_load(store)[1]
    assert file.stat().st_mtime_ns == written


def test_a_store_made_anew_at_its_path_is_not_read_from_the_cache(store: Store):
    cached(store)
    path = store.path
    store.close()
    for name in (path.name, f"{path.name}-wal", f"{path.name}-shm"):
        (path.parent / name).unlink(missing_ok=True)
    assert legs_cache.cache_path(path).exists()  # left behind by the user's rm
    with Store(path) as again:
        add(again, ROWS)  # the same history: every count and latest id as before
        ledger, read_legs = traced_load(again)
        assert read_legs
        assert ledger == from_store(again)


def record(value: object) -> bytes:
    data = marshal.dumps(value)
    return len(data).to_bytes(4, "little") + data


@pytest.mark.parametrize(
    "damage",
    ["empty", "foreign", "header only", "truncated", "not marshal", "not a chunk", "too few", "one too many"],
)
def test_a_damaged_file_is_ignored_and_rewritten(store: Store, damage: str):
    cached(store)
    file = legs_cache.cache_path(store.path)
    whole = file.read_bytes()
    key = legs_cache.cache_key(store.conn)
    assert key is not None
    head = legs_cache.header(key)
    legs = len(from_store(store).legs)
    file.write_bytes(
        {
            "empty": b"",
            "foreign": b"PK\x03\x04" + whole[4:],
            "header only": head,
            "truncated": whole[: len(whole) // 2],
            "not marshal": head + b"\x10\x00\x00\x00\xff\xfe garbage........",
            "not a chunk": head + record((legs, -1)) + record(5),
            "too few": head + record((legs, -1)) + record([(1, 0, 0, 1, 1, "r", None)]),
            "one too many": whole + record([(1, 0, 0, 1, 1, "r", None)]),
        }[damage]
    )
    ledger, read_legs = traced_load(store)
    assert read_legs
    assert ledger == from_store(store)
    assert file.read_bytes().startswith(head)  # rewritten
    assert cached(store) == from_store(store)


def test_the_file_is_owner_only_and_no_temp_file_stays(store: Store):
    cached(store)
    file = legs_cache.cache_path(store.path)
    assert file.stat().st_mode & 0o777 == 0o600
    assert sorted(p.name for p in store.path.parent.iterdir() if "legs" in p.name) == [file.name]


def test_a_small_ledger_writes_nothing_and_drops_a_stale_file(store: Store, monkeypatch: pytest.MonkeyPatch):
    cached(store)
    monkeypatch.setattr(legs_cache, "MIN_LEGS", 1_000)
    file = legs_cache.cache_path(store.path)
    assert not traced_load(store)[1]  # still current: read (it was written)
    add(store, MORE)
    ledger, read_legs = traced_load(store)
    assert read_legs
    assert ledger == from_store(store)
    assert not file.exists()
    store.ledger()
    assert not file.exists()


def test_a_read_only_store_reads_the_file_and_never_writes_it(store: Store):
    path = store.path
    file = legs_cache.cache_path(path)
    store.close()
    with Store(path, readonly=True) as readonly:
        readonly.ledger()
        assert not file.exists()
    with Store(path) as writable:
        cached(writable)
    with Store(path, readonly=True) as readonly:
        ledger, read_legs = traced_load(readonly)
        assert not read_legs
        assert ledger == from_store(readonly)


def test_a_file_that_cannot_be_written_is_skipped(store: Store):
    legs_cache.cache_path(store.path).mkdir()  # a directory where the file would go
    ledger, read_legs = traced_load(store)
    assert read_legs
    assert ledger == from_store(store)
    assert traced_load(store)[1]
    assert [p.name for p in store.path.parent.iterdir() if p.name.endswith(".tmp")] == []


def test_a_killed_writes_temp_file_is_swept_and_another_writes_kept(store: Store):
    file = legs_cache.cache_path(store.path)
    killed, underway = (file.with_name(f".{file.name}.{tag}.tmp") for tag in ("killed", "underway"))
    for temp in (killed, underway):
        temp.write_bytes(b"partial")
    old = time.time() - STALE_TEMP_S - 60
    os.utime(killed, (old, old))
    cached(store)
    assert not killed.exists()
    assert underway.exists()


def legs_token(store: Store) -> str:
    return str(store.conn.execute("SELECT token FROM legs_generation").fetchone()[0])


def test_the_legs_generation_moves_with_every_write_path_to_the_legs_and_only_those(store: Store):
    seen = [legs_token(store)]

    def moved() -> bool:
        seen.append(legs_token(store))
        return seen[-1] not in seen[:-1]

    def run(*statements: tuple[str, tuple[object, ...]]) -> None:
        with store.conn:
            for sql, values in statements:
                store.conn.execute(sql, values)

    event_id = store.conn.execute("SELECT min(event_id) FROM legs").fetchone()[0]
    fill = (
        "INSERT INTO price_fills (event_id, asset, price, source, interval, priced_at, filled_at) "
        "VALUES (?, 'BTC', '1', 'file', 'file', 0, 0)"
    )
    add(store, MORE)  # an import batch
    assert moved()
    run((fill, (event_id,)))
    assert moved()
    run(("UPDATE price_fills SET price = '2'", ()))
    assert moved()
    run(("DELETE FROM price_fills", ()))
    assert moved()
    run(("UPDATE legs SET usd = 5 WHERE event_id = ?", (event_id,)))
    assert moved()
    run(("DELETE FROM legs WHERE event_id = ?", (event_id,)))
    assert moved()
    store.record_decision(ALIAS, "XBT", {"asset": "BTC"}, "", NOW)
    run(("INSERT INTO identifications (account, asset, lots, quantity, recorded_at, source, sale_ref) "
         "VALUES ('kraken', 'BTC', 'K1:0.25', '1', 0, 'test', 'K3')", ()))  # fmt: skip
    assert not moved()


@pytest.mark.parametrize(
    "change", ["DELETE FROM legs WHERE ref = 'K3'", "UPDATE legs SET usd = 7 WHERE ref = 'K1'"]
)
def test_a_leg_deleted_or_changed_moves_the_ledger_mark_too(store: Store, change: str):
    """The app's reload and start-up cache notice it as they notice a price fill."""
    mark = store.ledger_mark()
    with store.conn:
        store.conn.execute(change)
    assert store.ledger_mark() != mark


def test_a_deferred_write_waits_for_write_pending_and_writes_what_was_fetched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """Deferred (the `harvest` command: tui.cli.quick_exit), a load writes nothing; what it fetched
    is written by write_pending, whatever the process did to the ledger's lists meanwhile (a
    ledger without extras or aliases hands over the fetched list itself), and a file already
    holding the same key (another process's) is left as it is."""
    monkeypatch.setattr(legs_cache, "_deferring", True)
    monkeypatch.setattr(legs_cache, "_pending", {})
    with Store(tmp_path / "s.sqlite3") as store:
        add(store, "".join(ROWS.splitlines(keepends=True)[:3]))  # buys and a sale: no extras
        file = legs_cache.cache_path(store.path)
        fresh = from_store(store)
        loaded, read_legs = traced_load(store)
        assert read_legs
        assert loaded == fresh
        assert not file.exists()
        assert legs_cache.pending()
        loaded.legs.clear()  # the caller's list, changed before the write
        legs_cache.write_pending()
        assert not legs_cache.pending()
        assert cached(store) == fresh
        written = file.stat().st_mtime_ns
        file.chmod(0o400)  # a rewrite would replace it (and make it 0600 again)
        store.ledger()  # read from the file: nothing deferred
        assert not legs_cache.pending()
        legs_cache.keep(file, legs_cache.cache_key(store.conn) or "", ([], None))
        legs_cache.write_pending()
        assert (file.stat().st_mtime_ns, file.stat().st_mode & 0o777) == (written, 0o400)


def test_dropped_writes_are_set_aside_not_freed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """drop_pending runs in the `harvest` process right after it forks the child that writes the
    file: it forgets the write without freeing the copied lists, which would touch every leg's
    reference count (and so copy every page of legs the child shares) just before the exit."""
    monkeypatch.setattr(legs_cache, "_deferring", True)
    monkeypatch.setattr(legs_cache, "_pending", {})
    monkeypatch.setattr(legs_cache, "_set_aside", [], raising=False)
    leg = (1, 0, 0, 10, 5, "ref", None)
    legs = [leg]
    legs_cache.keep(tmp_path / "s.legs", "key", (legs, None))  # type: ignore[arg-type]
    del legs
    references = sys.getrefcount(leg)  # the caller's name and the kept copy of the list
    legs_cache.drop_pending()
    assert not legs_cache.pending()
    assert sys.getrefcount(leg) == references  # the kept copy still holds it: nothing freed
    legs_cache.write_pending()
    assert not (tmp_path / "s.legs").exists()


def test_the_file_is_written_a_record_at_a_time_never_joined(store: Store, monkeypatch: pytest.MonkeyPatch):
    """The file's bytes go to the write as the header and each record's length and marshal bytes:
    joined first, a million legs' ~67 MiB were one copy under the GIL (44 ms of CPU while the
    app's UI waited). What is written is what the reader takes back (the load is the store's)."""
    from engine.core import files

    written: list[object] = []
    real = files.write_atomic_bytes

    def spy(path: Path, data: object, mode: int = files.PRIVATE) -> None:
        written.append(data)
        real(path, data, mode)  # type: ignore[arg-type]

    monkeypatch.setattr(files, "write_atomic_bytes", spy)
    store.ledger()  # fetched from the store: written
    (parts,) = written
    assert isinstance(parts, list)
    legs = from_store(store).legs
    chunks = -(-len(legs) // legs_cache.CHUNK)  # CHUNK legs a record (the extras' records besides)
    assert len(parts) >= 1 + 2 * (1 + chunks)
    assert all(isinstance(part, bytes) for part in parts)
    assert max(map(len, parts)) < len(b"".join(parts)) // 2  # no part is the file
    assert cached(store) == from_store(store)
