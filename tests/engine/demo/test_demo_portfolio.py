"""The bundled demo: deterministic, coherent (no oversold pool, no broken identification) and
worth harvesting on any day of the year."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from engine.api import Engine
from engine.core import fixedpoint as fp
from engine.demo import portfolio as demo
from engine.planning.planner import Planner
from engine.store.store import Store
from tests.support import clock_at


def demo_engine(tmp_path: Path, today: date) -> Engine:
    path = tmp_path / "demo.csv"
    demo.write_csv(demo.demo_rows(today), path)
    engine = Engine(
        demo.demo_config(), Store(tmp_path / "s.sqlite3"), clock_at(f"{today.isoformat()}T12:00:00")
    )
    engine.import_csv(path)
    return engine


def test_same_day_same_rows():
    assert demo.demo_rows(date(2026, 11, 24)) == demo.demo_rows(date(2026, 11, 24))
    assert demo.demo_rows(date(2026, 11, 24)) != demo.demo_rows(date(2026, 11, 25))


@pytest.mark.parametrize("today", [date(2026, 11, 24), date(2027, 1, 3), date(2027, 6, 30)])
def test_demo_is_coherent_and_has_something_to_harvest(tmp_path, today):
    engine = demo_engine(tmp_path, today)
    result = engine.lots()
    assert result.shortfalls == []
    assert not [w for w in result.warnings if "lacks" in w or "unknown" in w or "no matching" in w]
    rows, excluded = engine.realized(today.year)
    assert excluded == []
    assert sum(r.gain for r in rows) > fp.parse("10000")  # gains this year worth offsetting
    assert {r.account for r in rows} >= {"coinbase", "kraken", "ledger"}
    prices = {asset: fp.from_decimal(p) for asset, p in demo.demo_prices(today).items()}
    candidates, blocked = Planner(engine).scan(prices)
    assert blocked == []
    assert {c.asset for c in candidates} >= {"SOL", "AVAX", "LINK"}
    assert any(c.net_savings > 0 for c in candidates)


def test_transferred_lots_keep_their_dates(tmp_path):
    engine = demo_engine(tmp_path, date(2026, 11, 24))
    ledger_lots = [lot for lot in engine.lots().open_lots if lot.account == "ledger"]
    assert ledger_lots
    assert all(lot.lot_id.startswith("CB-") for lot in ledger_lots)


def test_scaled_rows_are_many_unique_buys():
    rows = list(demo.scaled_rows(date(2026, 11, 24), 5000))
    assert len(rows) == 5000
    assert len({r["trade_id"] for r in rows}) == 5000
    assert {r["side"] for r in rows} == {"buy"}


def test_price_path_is_seeded_and_positive():
    path = demo.price_path("BTC", demo.demo_prices(date(2026, 11, 24))["BTC"], 500)
    assert path == demo.price_path("BTC", demo.demo_prices(date(2026, 11, 24))["BTC"], 500)
    assert min(path) > 0
    tiny = demo.price_path("PEPE", demo.demo_prices(date(2026, 11, 24))["PEPE"], 500)
    assert min(tiny) > 0
