"""Filling in the USD values a Kraken ledger export lacks (staking and Earn rewards, an ETH->DOT
trade, a withdrawal's fee in BTC): from a historical prices file and from candles (real ccxt
against the loopback Kraken), stored with the record they value, idempotent, kept by a
re-import, a file's price replacing a candle's, and what is left said with its reason."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from engine.api import Engine
from engine.config.load import Config, PricesConfig, TaxConfig
from engine.core import fixedpoint as fp
from engine.core.dates import parse_timestamp
from engine.core.units import EpochMicros
from engine.exchanges.history_prices import CandleHistory, public_client
from engine.exchanges.price_fill import FillReport, MissingGroup, fill_prices
from engine.imports.formats import Options
from engine.imports.importer import read_file
from engine.imports.price_history import HistoryFile, read_history_file
from engine.store.store import Store
from tests.loopback import LoopbackExchange, ccxt_urls
from tests.support import as_schema

LEDGER = Path(__file__).resolve().parents[2] / "fixtures" / "imports" / "kraken" / "with-subclass.csv"
NOW = EpochMicros(1_780_000_000_000_000)
HISTORY = (
    "asset,timestamp,price\n"
    "SOL,2024-03-10T00:00:00Z,150\n"  # the two SOL staking rewards
    "SOL,2024-03-17T00:00:00Z,160\n"
    "ETH,2024-04-08T00:00:00Z,3600\n"  # the Earn reward
    "DOT,2024-06-01T16:00:00Z,7\n"  # the ETH -> DOT trade, by what was received
)


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    store = Store(tmp_path / "store.sqlite3")
    config = Config(tax=TaxConfig(timezone="UTC"))
    opened = Engine(config, store, lambda: NOW)
    opened.store_import(read_file(LEDGER, Options(None, None, None)))
    yield opened
    store.close()


def history_file(tmp_path: Path, text: str = HISTORY) -> HistoryFile:
    path = tmp_path / "history.csv"
    path.write_text(text)
    return read_history_file(path)


def fill(engine: Engine, **kwargs: object) -> FillReport:
    return fill_prices(engine.store, engine.config, NOW, engine.calendar.day, **kwargs)  # type: ignore[arg-type]


def legs(store: Store) -> list[tuple[object, ...]]:
    return store.conn.execute(
        "SELECT event_id, seq, pool_id, kind, quantity, usd, ref, flag FROM legs"
    ).fetchall()


def test_a_prices_file_values_the_records_and_the_rest_stay_flagged_with_the_reason(
    engine: Engine, tmp_path: Path
):
    assert engine.store.flagged_count() == 5
    report = fill(engine, history_file=history_file(tmp_path))
    assert report.filled == Counter({("file:history.csv", "file"): 4})
    assert report.missing == [
        MissingGroup("BTC", "2024-07-01", "kraken", 1,
                     "no row within a day in file:history.csv; no exchange asked (prices.history_sources is empty)"),
    ]  # fmt: skip
    assert engine.store.flagged_count() == 1
    lots = {lot.lot_id: lot.basis for lot in engine.lots().open_lots}
    assert lots["L0ST01-AAAAA-000011"] == fp.parse("0.15")  # 0.001 SOL at $150
    assert lots["L0E2A1-AAAAA-000015"] == fp.parse("1.8")  # 0.0005 ETH at $3,600
    assert lots["TT3AAA-BBBBB-CCCC11"] == fp.parse("1050")  # 150 DOT at $7
    # the withdrawal's fee (0.0002 BTC) has no price: its leg is kept unvalued and flagged, never zero
    (fee_leg,) = engine.store.conn.execute("SELECT usd, flag FROM legs WHERE flag IS NOT NULL").fetchall()
    assert fee_leg == (None, "no USD value for the fee in BTC")
    listed = {
        (f.ref, f.asset, fp.fmt(f.found.price), f.found.source, f.found.interval)
        for f in engine.store.listed_fills()
    }
    assert ("TT3AAA-BBBBB-CCCC11", "DOT", "7.00", "file:history.csv", "file") in listed


def test_a_second_fill_and_a_reimport_change_nothing(engine: Engine, tmp_path: Path):
    fill(engine, history_file=history_file(tmp_path))
    before, mark = legs(engine.store), engine.store.ledger_mark()
    again = fill(engine, history_file=history_file(tmp_path))
    assert (again.filled_count, again.missing_count) == (0, 1)
    assert engine.store.ledger_mark() == mark
    summary = engine.store_import(read_file(LEDGER, Options(None, None, None)))
    assert summary.added == 0
    assert legs(engine.store) == before
    assert engine.store.flagged_count() == 1


def test_a_fill_moves_the_ledger_mark_the_app_watches(engine: Engine, tmp_path: Path):
    mark = engine.store.ledger_mark()
    fill(engine, history_file=history_file(tmp_path, "asset,timestamp,price\nSOL,2024-03-10T00:00:00Z,150\n"))
    assert engine.store.ledger_mark() != mark


def test_candles_fill_what_the_file_lacks_and_the_files_price_then_replaces_a_candles(
    engine: Engine, tmp_path: Path
):
    with LoopbackExchange() as fx:
        t = parse_timestamp("2024-03-10T00:00:00Z") // 1000
        fx.kraken.candles.add("SOL/USD", "1m", t, "149")
        fx.kraken.candles.add("SOL/USD", "1d", parse_timestamp("2024-03-17T00:00:00Z") // 1000, "161")

        def factory(source: str):  # noqa: ANN202
            return public_client(source, {"urls": ccxt_urls(source, fx.base_url), "enableRateLimit": False})

        lookup = CandleHistory(engine.store, ["kraken"], ["USD"], factory, lambda: NOW)
        report = fill(engine, lookup=lookup)
        assert report.filled == Counter({("kraken", "1m"): 1, ("kraken", "1d"): 1})
        assert {(g.asset, g.why) for g in report.missing} == {
            ("BTC", "kraken: no BTC/USD candle within a day"),
            ("DOT", "kraken: no DOT/USD candle within a day | ETH: kraken: no ETH/USD candle within a day"),
            ("ETH", "kraken: no ETH/USD candle within a day"),
        }
        asked = len(fx.requests)
        assert fill(engine, lookup=lookup).filled_count == 0
        assert len(fx.requests) == asked  # the cache answered
        # the user's file wins: its SOL prices replace the candles', the rest comes from it too
        with_file = fill(engine, history_file=history_file(tmp_path), lookup=lookup)
        assert (with_file.filled_count, with_file.replaced) == (4, 2)
        assert fill(engine, history_file=history_file(tmp_path), lookup=lookup).filled_count == 0
        assert len(fx.requests) == asked
    sol = sorted(
        (fp.fmt(f.found.price), f.found.source) for f in engine.store.listed_fills() if f.asset == "SOL"
    )
    assert sol == [("150.00", "file:history.csv"), ("160.00", "file:history.csv")]


def test_a_files_price_for_what_a_trade_gave_replaces_a_candles_for_what_it_received(
    engine: Engine, tmp_path: Path
):
    with LoopbackExchange() as fx:
        fx.kraken.candles.add("DOT/USD", "1m", parse_timestamp("2024-06-01T16:00:00Z") // 1000, "6.5")

        def factory(source: str):  # noqa: ANN202
            return public_client(source, {"urls": ccxt_urls(source, fx.base_url), "enableRateLimit": False})

        assert fill(
            engine, lookup=CandleHistory(engine.store, ["kraken"], ["USD"], factory, lambda: NOW)
        ).filled == (Counter({("kraken", "1m"): 1}))
    lots = {lot.lot_id: lot.basis for lot in engine.lots().open_lots}
    assert lots["TT3AAA-BBBBB-CCCC11"] == fp.parse("975")  # 150 DOT at $6.50
    eth_only = history_file(tmp_path, "asset,timestamp,price\nETH,2024-06-01T16:00:00Z,3600\n")
    report = fill(engine, history_file=eth_only)
    assert (report.filled, report.replaced) == (Counter({("file:history.csv", "file"): 1}), 1)
    engine.invalidate()
    lots = {lot.lot_id: lot.basis for lot in engine.lots().open_lots}
    assert lots["TT3AAA-BBBBB-CCCC11"] == fp.parse("1440")  # the 0.4 ETH given, at $3,600
    trade = [(f.asset, f.found.source) for f in engine.store.listed_fills() if f.ref == "TT3AAA-BBBBB-CCCC11"]
    assert trade == [("ETH", "file:history.csv")]


def test_an_older_store_gains_the_fill_tables_on_open(tmp_path: Path):
    path = tmp_path / "old.sqlite3"
    with Store(path) as store:
        store.import_events([], "t", frozenset({"USD"}))
        as_schema(store.conn, 10)
    with Store(path) as store:
        assert store.flagged_count() == 0
        assert store.listed_fills() == []
        assert store.conn.execute("SELECT name FROM sqlite_master WHERE name = 'legs_flagged'").fetchone()


def test_nothing_to_fill_reads_nothing_but_the_flagged_index(engine: Engine, tmp_path: Path):
    plan = " ".join(
        str(row[-1]) for row in engine.store.conn.execute(
            "EXPLAIN QUERY PLAN SELECT count(DISTINCT event_id) FROM legs WHERE flag IS NOT NULL"
        )
    )  # fmt: skip
    assert "legs_flagged" in plan
    assert PricesConfig().history_sources == []  # nothing reaches the internet unless asked
