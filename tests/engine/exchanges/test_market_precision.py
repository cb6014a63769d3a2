"""The quantity step an exchange account takes orders in (issue 12 item 9): read from ccxt's
market precision by sync and kept in the store, where the planner finds it."""

from __future__ import annotations

from typing import Any

from engine.config.load import load_config
from engine.core import fixedpoint as fp
from engine.exchanges.market_precision import DECIMAL_PLACES, TICK_SIZE, amount_steps
from engine.exchanges.sync import sync_accounts
from engine.store.store import Store
from tests.engine.exchanges.test_sync import config_file, no_wait
from tests.loopback import LoopbackExchange

USD_LIKE = frozenset({"USD", "USDT"})


def market(base: str, quote: str, amount: Any, **extra: Any) -> dict[str, Any]:
    return {
        "base": base,
        "quote": quote,
        "spot": True,
        "active": True,
        "precision": {"amount": amount},
        **extra,
    }


def test_tick_sizes_for_usd_markets_the_coarsest_winning():
    markets = {
        "BTC/USD": market("BTC", "USD", 1e-05),
        "BTC/USDT": market("BTC", "USDT", 1e-04),
        "BTC/EUR": market("BTC", "EUR", 1),  # not where a harvest sale goes
        "ETH/BTC": market("ETH", "BTC", 0.001),
        "SOL/USD": market("SOL", "USD", None),  # no precision given: no step
        "OLD/USD": market("OLD", "USD", 0.1, active=False),
        "PERP/USD": market("PERP", "USD", 0.1, spot=False),
    }
    assert amount_steps(markets, TICK_SIZE, USD_LIKE) == {"BTC": (fp.parse("0.0001"), "BTC/USDT")}


def test_decimal_places_become_steps_and_significant_digits_give_none():
    markets = {"BTC/USD": market("BTC", "USD", 4), "DOGE/USD": market("DOGE", "USD", 0)}
    assert amount_steps(markets, DECIMAL_PLACES, USD_LIKE) == {
        "BTC": (fp.parse("0.0001"), "BTC/USD"),
        "DOGE": (fp.parse("1"), "DOGE/USD"),
    }
    assert amount_steps(markets, 3, USD_LIKE) == {}  # SIGNIFICANT_DIGITS: no fixed step


def test_sync_keeps_each_accounts_steps_in_the_store(tmp_path, monkeypatch):
    with LoopbackExchange() as fx:
        config = load_config(str(config_file(tmp_path, fx, monkeypatch)))
        store = Store(tmp_path / "s.sqlite3")
        assert all(report.ok for report in sync_accounts(config, store, client_factory=no_wait))
        steps = store.amount_steps()
        # Binance's LOT_SIZE stepSize (0.000001) for its USDT markets; Kraken's lot_decimals (8)
        assert steps[("binance", "BTC")] == fp.parse("0.000001")
        assert steps[("binance", "SOL")] == fp.parse("0.000001")
        assert ("binance", "ETH") in steps  # from ETH/USDT, not ETH/BTC
        assert steps[("kraken", "BTC")] == fp.parse("0.00000001")
        store.close()
