"""What a sync must never lose, against a fake Binance shaped like the real one: trade ids
counted per market, deposits still pending at sync time, history served in 90-day windows,
positions closed before the first sync, and one record harvest cannot represent."""

from __future__ import annotations

import time
from decimal import Decimal

import pytest

from engine.config.load import load_config
from engine.exchanges.sync import sync_accounts
from engine.ledger.lots import match_lots
from engine.store.store import Store
from tests.engine.exchanges.test_sync import MIN, T0, config_file, no_wait
from tests.loopback import LoopbackExchange
from tests.loopback.server import Transfer

pytestmark = pytest.mark.slow
DAY = 86_400_000


def binance_only(tmp_path, fx, monkeypatch):
    config = load_config(str(config_file(tmp_path, fx, monkeypatch)))
    return config.__class__(**{**config.__dict__, "accounts": [config.accounts[0]]})


def sync(config, store):
    (report,) = sync_accounts(config, store, client_factory=no_wait)
    assert report.ok, report.error
    return report


def test_trade_ids_repeat_across_markets_and_every_trade_is_kept(tmp_path, monkeypatch):
    with LoopbackExchange() as fx:
        fx.binance.closes["ETH/USDT"] = Decimal(2000)
        fx.binance.closes["BTC/USDT"] = Decimal(30000)
        for i in range(20):
            fx.binance.trade("BTC/USDT", "buy", "0.1", "30000", T0 + i * MIN)
            fx.binance.trade("ETH/USDT", "buy", "1", "2000", T0 + i * MIN)
        fx.binance.trade("ETH/USDT", "sell", "20", "2100", T0 + 100 * MIN)  # ETH id 21, BTC ids 1..20
        assert {t.id for t in fx.binance.trades if t.symbol == "BTC/USDT"} <= {
            t.id for t in fx.binance.trades
        }
        config = binance_only(tmp_path, fx, monkeypatch)
        store = Store(tmp_path / "s.sqlite3")
        report = sync(config, store)
        assert report.added == 41
        assert store.event_count() == 41
        gains = [r for r in match_lots(store.ledger(), "fifo").realized if r.asset == "ETH"]
        assert sum(r.gain for r in gains) == 2000 * 10**18  # 20 ETH sold 100 above cost
        assert sync(config, store).added == 0  # and nothing doubles on the next sync


def test_a_deposit_pending_at_sync_time_is_imported_once_it_completes(tmp_path, monkeypatch):
    with LoopbackExchange() as fx:
        now = T0 + 200 * DAY
        fx.binance.now_ms = now
        fx.binance.deposits.append(Transfer("D1", "0xa", "BTC", Decimal("0.5"), Decimal(0), now - 10 * DAY))
        pending = Transfer("D2", "0xb", "BTC", Decimal("0.25"), Decimal(0), now - 5 * DAY, complete=False)
        fx.binance.deposits.append(pending)
        fx.binance.deposits.append(Transfer("D3", "0xc", "BTC", Decimal("1"), Decimal(0), now - 3 * DAY))
        fx.binance.move("BTC", Decimal("1.75"))
        config = binance_only(tmp_path, fx, monkeypatch)
        store = Store(tmp_path / "s.sqlite3")
        first = sync_with_clock(config, store, now)
        assert (first.added, first.pending) == (2, 1)
        pending.complete = True
        second = sync_with_clock(config, store, now + DAY)
        assert (second.added, second.pending) == (1, 0)
        assert sync_with_clock(config, store, now + 2 * DAY).added == 0


def sync_with_clock(config, store, now_ms):
    (report,) = sync_accounts(config, store, client_factory=no_wait, now_ms=lambda: now_ms)
    assert report.ok, report.error
    return report


def test_transfer_history_older_than_90_days_is_walked_in_windows(tmp_path, monkeypatch):
    with LoopbackExchange() as fx:
        today = int(time.time() * 1000)
        first_sync = today - 200 * DAY
        fx.binance.now_ms = first_sync
        times = [
            first_sync - 1000 * DAY,
            first_sync - 400 * DAY,
            first_sync - 100 * DAY,
            first_sync - 2 * DAY,
        ]
        for n, ms in enumerate(times):
            fx.binance.deposits.append(Transfer(f"D{n}", f"0x{n}", "BTC", Decimal(1), Decimal(0), ms))
        fx.binance.withdrawals.append(
            Transfer("W1", "0xw", "BTC", Decimal("0.5"), Decimal(0), first_sync - 300 * DAY)
        )
        fx.binance.move("BTC", Decimal("3.5"))
        config = binance_only(tmp_path, fx, monkeypatch)
        store = Store(tmp_path / "s.sqlite3")
        first = sync_with_clock(config, store, first_sync)
        assert first.added == 5
        assert first.mismatches == []
        # today: a quiet stretch longer than a window, then a deposit; the cursor kept moving
        fx.binance.now_ms = today
        fx.binance.deposits.append(Transfer("D9", "0x9", "BTC", Decimal(2), Decimal(0), today - 3 * DAY))
        fx.binance.move("BTC", Decimal(2))
        fx.requests.clear()
        second = sync_with_clock(config, store, today)
        assert second.added == 1
        deposit_requests = [r for r in fx.requests if "deposit/hisrec" in r]
        assert 1 <= len(deposit_requests) <= 4  # from the cursor on, not the whole history again


def test_positions_closed_before_the_first_sync_are_found(tmp_path, monkeypatch):
    with LoopbackExchange() as fx:
        fx.binance.closes["BTC/USDT"] = Decimal(30000)
        fx.binance.closes["ETH/USDT"] = Decimal(2000)
        # USDT in; BTC bought and ETH bought with it through ETH/BTC; all sold back to USDT
        fx.binance.trade("BTC/USDT", "buy", "1", "30000", T0)
        fx.binance.trade("ETH/BTC", "buy", "10", "0.05", T0 + MIN)
        fx.binance.trade("ETH/BTC", "sell", "10", "0.06", T0 + 2 * MIN)
        fx.binance.trade("BTC/USDT", "sell", "1", "31000", T0 + 3 * MIN)
        fx.binance.balances = {"USDT": Decimal(5000)}
        config = binance_only(tmp_path, fx, monkeypatch)
        store = Store(tmp_path / "s.sqlite3")
        report = sync(config, store)
        assert report.added == 4
        assert {"BTC/USDT", "ETH/BTC"} <= set(report.markets_scanned)
        realized = match_lots(store.ledger(), "fifo").realized
        assert {r.asset for r in realized} == {"BTC", "ETH"}


def test_an_unrepresentable_deposit_is_rejected_and_the_rest_goes_on(tmp_path, monkeypatch):
    with LoopbackExchange() as fx:
        now = T0 + 30 * DAY
        fx.binance.now_ms = now
        # 1e-19 BTC: a real amount ccxt passes on exactly, finer than harvest's 18 places
        fx.binance.deposits.append(
            Transfer("BAD", "0xbad", "BTC", Decimal("1E-19"), Decimal(0), now - 9 * DAY)
        )
        fx.binance.deposits.append(Transfer("OK", "0xok", "BTC", Decimal("0.5"), Decimal(0), now - 5 * DAY))
        fx.binance.move("BTC", Decimal("0.5"))
        config = binance_only(tmp_path, fx, monkeypatch)
        store = Store(tmp_path / "s.sqlite3")
        report = sync_with_clock(config, store, now)
        assert report.added == 1
        assert len(report.rejected) == 1
        assert "more than 18 decimal places" in report.rejected[0]
