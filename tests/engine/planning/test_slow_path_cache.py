"""The slow-path cache (issue 18): a start on an unchanged store takes the open lots, realized
totals and problems from the file beside the store without matching a lot; any change the
figures depend on — the ledger by another process, a config key, the date — or a damaged file
means the cache is not used (never a wrong number)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import polars as pl
import pytest

from engine.api import Engine
from engine.config.load import LotsConfig
from engine.config.model import UiConfig
from engine.core import fixedpoint as fp
from engine.imports.generic_csv import parse_csv
from engine.planning import slow_path_cache
from engine.planning.planner import Planner
from engine.store.store import Store, keys_of
from tests.support import HEADER, clock_at, engine_from_csv

LEDGER = f"""{HEADER}
2025-01-10T10:00:00Z,kraken,BTC,buy,1,60000,10,B1
2025-06-10T10:00:00Z,kraken,BTC,buy,1,40000,10,B2
2026-02-10T10:00:00Z,kraken,BTC,sell,0.5,30000,10,S1
2026-03-01T10:00:00Z,coinbase,ETH,buy,10,3000,5,E1
"""


def planner_on(engine: Engine, matched: list[int] | None = None) -> Planner:
    """A planner that counts its engine's lot matchings in `matched`."""
    if matched is not None:
        real = engine.lots

        def counted(method: str | None = None):  # noqa: ANN202
            matched.append(1)
            return real(method)

        engine.lots = counted  # type: ignore[method-assign]
    return Planner(engine, use_cache=True)


def reopened(engine: Engine, **changes: object) -> Engine:
    """The same store opened again, as the next start of the app would."""
    config = replace(engine.config, **changes) if changes else engine.config  # type: ignore[arg-type]
    return Engine(config, Store(engine.store.path), engine.clock)


def figures(planner: Planner) -> tuple[object, ...]:
    context = planner.context
    return (
        context.frame.sort("lot_id").to_dicts(),
        context.totals,
        context.realized,
        context.tax_result,
        [problem.key for problem in context.problems],
        context.recent_buys,
    )


@pytest.fixture
def first(tmp_path: Path) -> Engine:
    engine = engine_from_csv(tmp_path, LEDGER)
    Planner(engine, use_cache=True).context  # noqa: B018 - computes and keeps the cache
    assert slow_path_cache.cache_path(engine.store).exists()
    return engine


def test_an_unchanged_store_starts_from_the_cache_with_the_same_figures(first: Engine):
    computed = figures(Planner(reopened(first)))  # no cache: the slow path itself
    matched: list[int] = []
    planner = planner_on(reopened(first), matched)
    assert figures(planner) == computed
    assert matched == []  # not one lot matched
    # the lots themselves are matched when something reads them (the problems list)
    assert sorted(lot.lot_id for lot in planner.context.lots.open_lots) == ["B1", "B2", "E1"]
    assert matched


def test_an_import_by_another_process_is_not_read_from_the_cache(first: Engine, tmp_path: Path):
    with Store(first.store.path) as other:  # `harvest import` elsewhere
        rows = f"{HEADER}\n2026-04-01T10:00:00Z,kraken,SOL,buy,3,150,1,S9\n"
        other.import_events(keys_of(parse_csv(rows, "more.csv")), "test", frozenset({"USD"}))
    matched: list[int] = []
    planner = planner_on(reopened(first), matched)
    assert "SOL" in planner.context.frame["asset"].to_list()
    assert matched  # matched again


def test_a_store_made_anew_at_its_path_is_not_read_from_the_cache(first: Engine):
    """The store deleted and one import of other trades made at the same path, the same day:
    every count and latest id the ledger mark held is as before, the cache beside it stale."""
    path = first.store.path
    first.store.close()
    for name in (path.name, f"{path.name}-wal", f"{path.name}-shm"):
        (path.parent / name).unlink(missing_ok=True)
    assert slow_path_cache.cache_path(first.store).exists()  # left behind by the user's rm
    other = LEDGER.replace("kraken,BTC,buy,1,60000,10,B1", "kraken,BTC,buy,3,60000,10,B1")
    with Store(path) as again:
        again.import_events(keys_of(parse_csv(other, "t.csv")), "test", frozenset({"USD"}))
    matched: list[int] = []
    planner = planner_on(reopened(first), matched)
    remaining = dict(planner.context.frame.select("lot_id", "quantity").iter_rows())
    assert remaining["B1"] == fp.parse("2.5")  # the new store's lot, less the half sold
    assert matched


def test_a_config_key_the_figures_depend_on_is_part_of_the_key(first: Engine):
    matched: list[int] = []
    lifo = planner_on(reopened(first, lots=LotsConfig(method="lifo")), matched)
    # LIFO sold half of B2, the newest lot; the cache (FIFO) has half of B1 left
    remaining = dict(lifo.context.frame.select("lot_id", "quantity").iter_rows())
    assert remaining["B1"] == fp.parse("1")
    assert remaining["B2"] == fp.parse("0.5")
    assert matched


def test_the_theme_is_not_part_of_the_key(first: Engine):
    matched: list[int] = []
    planner_on(reopened(first, ui=UiConfig(theme="nord")), matched).context  # noqa: B018
    assert matched == []


def test_another_day_is_not_read_from_the_cache(first: Engine):
    engine = reopened(first)
    engine.clock = clock_at("2026-11-25T12:00:00")
    matched: list[int] = []
    planner = planner_on(engine, matched)
    assert planner.context.today == first.today() + 1
    assert matched  # matched again


@pytest.mark.parametrize("damage", [b"", b"not a pickle", b"\x80\x05garbage"])
def test_a_corrupt_cache_file_is_ignored_and_rewritten(first: Engine, damage: bytes):
    path = slow_path_cache.cache_path(first.store)
    path.write_bytes(damage)
    computed = figures(Planner(reopened(first)))
    matched: list[int] = []
    assert figures(planner_on(reopened(first), matched)) == computed
    assert matched  # matched again
    assert slow_path_cache.load(
        first.store, slow_path_cache.cache_key(first.store, first.config, first.today())
    )


def test_a_cache_from_another_format_is_ignored(first: Engine, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(slow_path_cache, "FORMAT", slow_path_cache.FORMAT + 1)
    matched: list[int] = []
    planner_on(reopened(first), matched).context  # noqa: B018
    assert matched  # matched again


def test_another_harvest_version_does_not_read_it(first: Engine, monkeypatch: pytest.MonkeyPatch):
    """A change to the engine's code (a fix to the matching, say) is a change of key."""
    monkeypatch.setattr(slow_path_cache, "code_fingerprint", lambda: "another harvest")
    matched: list[int] = []
    planner_on(reopened(first), matched).context  # noqa: B018
    assert matched  # matched again


def test_no_cache_file_unless_asked(tmp_path: Path):
    engine = engine_from_csv(tmp_path, LEDGER)
    Planner(engine).context  # noqa: B018 - the command line's planner
    assert not slow_path_cache.cache_path(engine.store).exists()


def test_amounts_at_the_limits_round_trip_exactly(tmp_path: Path):
    """10^15 units worth $10^15: 10^33 in fixed point, an Int128 in the cached frame."""
    quantity, price = 10**15, 1
    rows = f"{HEADER}\n2026-01-05T10:00:00Z,kraken,SHIB,buy,{quantity},{price},0,BIG\n"
    engine = engine_from_csv(tmp_path, rows, now="2026-11-24T12:00:00")
    computed = figures(Planner(engine, use_cache=True))
    matched: list[int] = []
    planner = planner_on(reopened(engine), matched)
    assert figures(planner) == computed
    assert matched == []
    lot = planner.context.frame.row(0, named=True)
    assert lot["quantity"] == quantity * fp.SCALE
    assert lot["basis"] == quantity * price * fp.SCALE
    assert planner.context.frame.schema["basis"] == pl.Int128


def test_saved_later_the_cache_is_written_when_asked_and_once(tmp_path: Path):
    """The app's planner (save_later) keeps the slow path's results until its first frame is up."""
    engine = engine_from_csv(tmp_path, LEDGER)
    planner = Planner(engine, use_cache=True, save_later=True)
    computed = figures(planner)
    path = slow_path_cache.cache_path(engine.store)
    assert not path.exists()
    planner.save_pending()
    assert path.exists()
    path.unlink()
    planner.save_pending()  # already written: nothing left to write
    assert not path.exists()
    written = Planner(engine, use_cache=True, save_later=True)
    assert figures(written) == computed
    written.save_pending()
    matched: list[int] = []
    assert figures(planner_on(reopened(engine), matched)) == computed
    assert matched == []  # the next start reads what was written


def test_a_stale_cache_is_known_by_its_header_without_being_read(
    first: Engine, monkeypatch: pytest.MonkeyPatch
):
    """A start after an import (another key) reads the file's first bytes only: at a million
    lots the stale file is ~100 MB that unpickling took 0.13-0.19 s of CPU to throw away."""
    unpickled: list[int] = []
    loads = slow_path_cache.pickle.loads

    def counting(data: bytes) -> object:
        unpickled.append(len(data))
        return loads(data)

    monkeypatch.setattr(slow_path_cache.pickle, "loads", counting)
    key = slow_path_cache.cache_key(first.store, first.config, first.today())
    assert slow_path_cache.load(first.store, "0" * 64) is None
    assert unpickled == []
    assert slow_path_cache.load(first.store, key) is not None  # the right key still reads it
    assert len(unpickled) == 1


def test_a_killed_writes_temp_file_is_swept_by_the_next_write(tmp_path: Path):
    """A start killed while it wrote its cache (~100 MB at a million lots) leaves the temp file;
    the next write removes it once it is older than any write under way."""
    import os
    import time

    from engine.core.files import STALE_TEMP_S

    engine = engine_from_csv(tmp_path, LEDGER)
    file = slow_path_cache.cache_path(engine.store)
    killed, underway = (file.with_name(f".{file.name}.{tag}.tmp") for tag in ("killed", "underway"))
    for temp in (killed, underway):
        temp.write_bytes(b"partial")
    old = time.time() - STALE_TEMP_S - 60
    os.utime(killed, (old, old))
    Planner(engine, use_cache=True).context  # noqa: B018 - computes and keeps the cache
    assert file.exists()
    assert not killed.exists()
    assert underway.exists()


def test_the_frame_is_read_and_written_outside_the_pickle(first: Engine, monkeypatch: pytest.MonkeyPatch):
    """The open-lots frame (~100 MB of Arrow IPC at a million lots) follows the pickled objects
    in the file: inside the pickle, `pickle.loads` and `pickle.dumps` copied it in one C call
    each, holding the GIL ~150 ms (the app's UI thread stood still at its start)."""
    pickled: list[int] = []
    loads, dumps = slow_path_cache.pickle.loads, slow_path_cache.pickle.dumps

    def counting_loads(data: bytes) -> object:
        pickled.append(len(data))
        return loads(data)

    def counting_dumps(value: object, protocol: int | None = None) -> bytes:
        data = dumps(value, protocol=protocol)
        pickled.append(len(data))
        return data

    monkeypatch.setattr(slow_path_cache.pickle, "loads", counting_loads)
    monkeypatch.setattr(slow_path_cache.pickle, "dumps", counting_dumps)
    key = slow_path_cache.cache_key(first.store, first.config, first.today())
    inputs = slow_path_cache.load(first.store, key)
    assert inputs is not None
    slow_path_cache.save(first.store, key, inputs)
    again = slow_path_cache.load(first.store, key)
    assert again is not None
    assert again.frame.equals(inputs.frame)
    assert (again.realized_by_year, again.problems, again.recent_buys) == (
        inputs.realized_by_year,
        inputs.problems,
        inputs.recent_buys,
    )
    frame_size = inputs.frame.estimated_size()
    assert len(pickled) == 3
    assert all(size < frame_size for size in pickled), (pickled, frame_size)


def test_a_cache_cut_short_is_ignored(first: Engine):
    """A file cut inside its pickled part or its frame (a full disk) is not read."""
    path = slow_path_cache.cache_path(first.store)
    key = slow_path_cache.cache_key(first.store, first.config, first.today())
    whole = path.read_bytes()
    start = len(slow_path_cache.header(key)) + slow_path_cache.LENGTH_BYTES
    for end in (start + 3, len(whole) - 40):
        path.write_bytes(whole[:end])
        assert slow_path_cache.load(first.store, key) is None
    path.write_bytes(whole)
    assert slow_path_cache.load(first.store, key) is not None


@pytest.mark.parametrize("cached", [False, True])
def test_the_cost_index_is_kept_out_of_collections(tmp_path: Path, cached: bool):
    """The cost index's list of unit costs (a million ints at a million lots) is frozen with the
    lots (deferred_lots.kept_out_of_collections), from a match or from the cache: left young, every
    young and middle collection after a load walked it, ~20 ms each on the UI thread at 1M lots."""
    import gc

    engine = engine_from_csv(tmp_path, LEDGER, now="2026-11-24T12:00:00")
    if cached:
        Planner(engine, use_cache=True).context  # noqa: B018 — writes the cache
        engine = reopened(engine)
    context = Planner(engine, use_cache=True).context
    unit_costs = context.cost_index.unit_costs
    assert unit_costs
    assert gc.is_tracked(unit_costs)
    assert not any(tracked is unit_costs for tracked in gc.get_objects())  # frozen: in no generation
