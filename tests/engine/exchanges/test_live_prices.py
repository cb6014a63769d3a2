"""Live prices that stop say why (issue 12 item 14): each failing account and its reason, while
it lasts (real ccxt.pro against the loopback exchange)."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from engine.config.load import load_config
from engine.exchanges.live_prices import LivePrices
from tests.engine.exchanges.test_sync import config_file, no_wait, wait_until
from tests.loopback import LoopbackExchange

pytestmark = pytest.mark.slow


def test_a_stream_that_cannot_start_says_why_until_it_recovers(tmp_path, monkeypatch):
    with LoopbackExchange() as fx:
        fx.binance.tickers["BTC/USDT"] = Decimal(31000)
        config = load_config(str(config_file(tmp_path, fx, monkeypatch)))
        config = replace(config, accounts=config.accounts[:1])
        fx.inject("/api/v3/exchangeInfo", "status", times=10**6, status=429)
        live = LivePrices(config, lambda: {"BTC"}, no_wait)
        live.start()
        try:
            wait_until(lambda: live.problem() is not None)
            problem = live.problem() or ""
            assert problem.startswith("binance: price stream failed ("), problem
            assert "Too many requests" in problem
            assert "retrying in" in problem
            fx.faults.clear()
            wait_until(lambda: live.latest()[0].get("BTC") == 31000 * 10**18)
            assert live.problem() is None
        finally:
            live.stop()


def test_a_stream_without_its_keys_says_so_instead_of_going_quiet(tmp_path, monkeypatch):
    with LoopbackExchange() as fx:
        config = load_config(str(config_file(tmp_path, fx, monkeypatch)))
        config = replace(config, accounts=config.accounts[:1])
        monkeypatch.delenv("BN_SECRET")
        live = LivePrices(config, lambda: {"BTC"}, no_wait)
        live.start()
        try:
            wait_until(lambda: live.problem() is not None)
            assert live.problem() == (
                "binance: price stream not started: environment variable BN_SECRET is not set"
            )
        finally:
            live.stop()
