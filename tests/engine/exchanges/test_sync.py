"""`harvest sync` with real ccxt against a fake Binance and Kraken on 127.0.0.1 (tests/loopback):
paging beyond one page, incremental syncs, USD values, faults, bad keys, kill -9 and resume."""

from __future__ import annotations

import random
import signal
import time
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from engine.config.load import load_config
from engine.core import fixedpoint as fp
from engine.exchanges.ccxt_adapter import ExchangeClient
from engine.exchanges.sync import sync_accounts
from engine.store.store import Store
from tests.loopback import LoopbackExchange, ccxt_urls
from tests.loopback.binance import OPTIONS
from tests.loopback.checks import natural_keys, sync_process
from tests.support import SHARED

T0 = 1_767_225_600_000  # 2026-01-01T00:00:00Z
MIN = 60_000


def fill(fx: LoopbackExchange) -> None:
    """1,200 BTC/USDT and 30 ETH/BTC trades on Binance (two pages of 1,000), 120 on Kraken
    (three pages of 50), a deposit and a withdrawal, 1-minute closes for USD values."""
    rng = random.Random(1)
    for i in range(1200):
        side = "sell" if i % 3 == 2 else "buy"
        fx.binance.trade("BTC/USDT", side, "0.01", str(30000 + rng.randint(-500, 500)), T0 + i * MIN,
                         fee="0.00001" if side == "buy" else "0.3", fee_currency="BTC" if side == "buy" else "USDT")  # fmt: skip
    for i in range(30):
        fx.binance.trade(
            "ETH/BTC", "buy", "0.1", "0.05", T0 + (2000 + i) * MIN, fee="0.0001", fee_currency="ETH"
        )
    fx.binance.closes["ETH/USDT"] = Decimal(1500)
    fx.binance.closes["BTC/USDT"] = Decimal(30000)
    for i in range(120):
        fx.kraken.trade("ETH/USD" if i % 2 else "BTC/USD", "buy", "0.5", str(2000 + i), T0 + i * MIN, fee="1")
    from tests.loopback.server import Transfer

    fx.kraken.deposits.append(Transfer("D1", "0xdep", "BTC", Decimal("0.2"), Decimal(0), T0 + 500 * MIN))
    fx.kraken.move("BTC", Decimal("0.2"))


def config_file(tmp_path: Path, fx: LoopbackExchange, monkeypatch, bn_key: str | None = None) -> Path:
    monkeypatch.setenv("BN_KEY", bn_key or fx.binance.api_key)
    monkeypatch.setenv("BN_SECRET", fx.binance.secret)
    monkeypatch.setenv("KR_KEY", fx.kraken.api_key)
    monkeypatch.setenv("KR_SECRET", fx.kraken.secret)
    config = {
        "tax": {"timezone": "UTC"},
        "accounts": [
            {"name": "binance", "exchange": "binance", "api_key_env": "BN_KEY", "secret_env": "BN_SECRET",
             "quote_as_usd": ["USD", "USDT"],
             "ccxt": {"enableRateLimit": False, "timeout": 2000, "urls": ccxt_urls("binance", fx.base_url), "options": OPTIONS}},
            {"name": "kraken", "exchange": "kraken", "api_key_env": "KR_KEY", "secret_env": "KR_SECRET",
             "ccxt": {"enableRateLimit": False, "timeout": 2000, "urls": ccxt_urls("kraken", fx.base_url)}},
        ],
    }  # fmt: skip
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


def no_wait(account):  # noqa: ANN001, ANN201
    from engine.exchanges.credentials import load_credentials

    return ExchangeClient(account, load_credentials(account), sleep=lambda seconds: None)


@pytest.mark.slow
def test_full_then_incremental_sync(tmp_path, monkeypatch):
    with LoopbackExchange() as fx:
        fill(fx)
        config = load_config(str(config_file(tmp_path, fx, monkeypatch)))
        store = Store(tmp_path / "s.sqlite3")
        reports = sync_accounts(config, store, client_factory=no_wait)
        assert [(r.account, r.ok, r.rejected, r.mismatches) for r in reports] == [
            ("binance", True, [], []), ("kraken", True, [], [])
        ]  # fmt: skip
        assert [r.added for r in reports] == [1230, 121]
        assert store.event_count() == 1230 + 121
        trade_pages = [r for r in fx.requests if "/myTrades" in r]
        assert sum("symbol=BTCUSDT" in r for r in trade_pages) == 2  # 1,000 + 200
        assert sum("TradesHistory" in r for r in fx.requests) == 3  # 50, 50 and a short last page of 20
        # an ETH/BTC trade is valued from ETH/USDT's 1-minute close
        price_usd = store.conn.execute(
            "SELECT DISTINCT price_usd FROM events WHERE asset = 'ETH' AND quote = 'BTC'"
        ).fetchall()
        assert price_usd == [(str(fp.parse("1500")),)]  # fixed-point units, as the store writes amounts
        # incremental: nothing new means one page per stream, and no new event
        fx.requests.clear()
        again = sync_accounts(config, store, client_factory=no_wait)
        assert [r.added for r in again] == [0, 0]
        trades = [r for r in fx.requests if "/myTrades" in r]
        assert len(trades) == len(reports[0].markets_scanned)  # one page a market: nothing re-paged
        assert [r for r in trades if "symbol=BTCUSDT" in r][0].count("fromId=1201") == 1
        kraken = [r for r in fx.requests if "/0/private/" in r]
        assert sum("TradesHistory" in r for r in kraken) == sum("Ledgers" in r for r in kraken) == 1
        assert len(kraken) == 5, kraken  # balance, deposits, withdrawals, trades, ledger
        fx.binance.trade("BTC/USDT", "buy", "0.01", "31000", T0 + 5000 * MIN)
        fx.kraken.trade("BTC/USD", "sell", "0.1", "41000", T0 + 5000 * MIN, fee="1")
        third = sync_accounts(config, store, client_factory=no_wait)
        assert [r.added for r in third] == [1, 1]
        assert store.event_count() == 1230 + 121 + 2


def test_faults_are_retried_or_stop_only_that_account(tmp_path, monkeypatch):
    with LoopbackExchange() as fx:
        fill(fx)
        config = load_config(str(config_file(tmp_path, fx, monkeypatch)))
        store = Store(tmp_path / "s.sqlite3")
        fx.inject("/api/v3/myTrades", "status", times=3)  # a 429 storm: backs off, goes on
        fx.inject("/0/private/TradesHistory", "reset", times=2)  # resets: retried
        reports = sync_accounts(config, store, client_factory=no_wait)
        assert [r.ok for r in reports] == [True, True]
        fx.inject("/api/v3/account", "status", times=10, status=503, body="<html>down</html>")
        reports = sync_accounts(config, store, client_factory=no_wait)
        assert reports[0].error.startswith("fetch_balance: exchange unreachable after 4 tries")
        assert reports[1].ok


def test_bad_keys_name_the_variables_and_other_accounts_go_on(tmp_path, monkeypatch, capsys):
    from tui.cli.main import main

    with LoopbackExchange() as fx:
        fill(fx)
        path = config_file(tmp_path, fx, monkeypatch, bn_key="not-the-key")
        monkeypatch.setenv("HARVEST_HOME", str(tmp_path / "home"))
        code = main(["--config", str(path), "sync"])
        out = capsys.readouterr().out
        assert code == 1
        assert "binance: FAILED: authentication failed (check BN_KEY / BN_SECRET)" in out
        assert "not-the-key" not in out
        assert "kraken: 121 new record(s)" in out


def test_malformed_json_and_records_are_rejected_not_stored(tmp_path, monkeypatch):
    from engine.exchanges.live_prices import LivePrices

    with LoopbackExchange() as fx:
        fx.binance.tickers["BTC/USDT"] = Decimal(31000)
        config = load_config(str(config_file(tmp_path, fx, monkeypatch)))
        live = LivePrices(config, lambda: {"BTC"}, no_wait)
        fx.inject("/api/v3/ticker/24hr", "badjson")
        assert live.poll() == {}  # HTTP 200 with broken JSON: no price, not zero
        assert live.poll() == {"BTC": 31000 * 10**18}


@pytest.mark.slow
def test_kill_9_mid_sync_then_resume_has_no_gap_and_no_duplicate(tmp_path, monkeypatch):
    with LoopbackExchange() as fx:
        fill(fx)
        config = config_file(tmp_path, fx, monkeypatch)
        reference = Store(tmp_path / "reference.sqlite3")
        assert all(r.ok for r in sync_accounts(load_config(str(config)), reference, client_factory=no_wait))
        expected = natural_keys(tmp_path / "reference.sqlite3")
        fx.latency = 0.02  # slow enough to be caught between pages
        rng = random.Random(7)
        for _ in range(5):
            proc = sync_process(tmp_path / "home", config)
            time.sleep(rng.uniform(0.3, 2.5))
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=30)
            got = natural_keys(tmp_path / "home" / "harvest.sqlite3")
            assert got <= expected  # never anything that is not in a clean sync
        fx.latency = 0
        proc = sync_process(tmp_path / "home", config)
        assert proc.wait(timeout=120) == 0
        with Store(tmp_path / "home" / "harvest.sqlite3") as store:
            assert (
                store.conn.execute(
                    "SELECT count(*) FROM events GROUP BY natural_key HAVING count(*) > 1"
                ).fetchall()
                == []
            )
        assert natural_keys(tmp_path / "home" / "harvest.sqlite3") == expected


def wait_until(condition, seconds: float = 20) -> None:  # noqa: ANN001
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError("condition never held")


@pytest.mark.slow
def test_websocket_prices_stream_and_come_back_after_a_drop(tmp_path, monkeypatch):
    from engine.exchanges.live_prices import LivePrices

    with LoopbackExchange() as fx:
        fx.binance.tickers["BTC/USDT"] = Decimal(31000)
        config = load_config(str(config_file(tmp_path, fx, monkeypatch)))
        config = type(config)(**{**config.__dict__, "accounts": config.accounts[:1]})
        live = LivePrices(config, lambda: {"BTC"}, no_wait)
        live.start()
        try:
            wait_until(lambda: live.latest()[0].get("BTC") == 31000 * 10**18)
            fx.set_ticker("BTC/USDT", "32000")
            wait_until(lambda: live.latest()[0].get("BTC") == 32000 * 10**18)
            fx.drop_websockets()  # the stream drops: the next watch reconnects, with backoff
            wait_until(lambda: bool(fx.sockets))
            fx.set_ticker("BTC/USDT", "33000")
            wait_until(lambda: live.latest()[0].get("BTC") == 33000 * 10**18)
            assert live.last_error is not None  # the drop was seen, and survived
        finally:
            live.stop()


STEPS = [
    "/api/v3/exchangeInfo", "/api/v3/account", "/api/v3/myTrades", "/api/v3/klines",
    "/0/public/AssetPairs", "/0/private/BalanceEx", "/0/private/TradesHistory", "/0/private/DepositStatus",
    "/0/private/Ledgers",
]  # fmt: skip
FAULTS = [("status", 429), ("status", 500), ("reset", 0), ("badjson", 0)]


@pytest.mark.slow
def test_a_fault_at_every_step_then_a_resume_equals_a_clean_sync(tmp_path, monkeypatch):
    with LoopbackExchange() as fx:
        fill(fx)
        config = load_config(str(config_file(tmp_path, fx, monkeypatch)))
        reference = Store(tmp_path / "reference.sqlite3")
        assert all(r.ok for r in sync_accounts(config, reference, client_factory=no_wait))
        expected = natural_keys(tmp_path / "reference.sqlite3")
        injected = 0
        for index, step in enumerate(STEPS):
            for kind, status in FAULTS:
                path = tmp_path / f"s-{index}-{kind}-{status}.sqlite3"
                store = Store(path)
                fx.inject(step, kind, times=6, status=status)  # beyond the retries: that account stops
                sync_accounts(config, store, client_factory=no_wait)
                fx.faults.clear()
                assert all(r.ok for r in sync_accounts(config, store, client_factory=no_wait))  # the resume
                store.close()
                assert natural_keys(path) == expected, (step, kind)
                injected += 1
        assert injected == len(STEPS) * len(FAULTS)


def test_a_recorded_real_response_and_the_fake_give_the_same_lot(tmp_path, monkeypatch):
    """Binance's recorded LTC/USDT sale (shared/fixtures) and the same trade served by the fake
    become the same ledger event."""
    import json

    fixtures = SHARED / "fixtures" / "ccxt" / "binance.response.subset.json"
    if not fixtures.exists():
        pytest.skip("shared fixtures not present")
    recorded = json.loads(fixtures.read_text())["methods"]["fetchMyTrades"][0]["parsedResponse"][0]
    with LoopbackExchange() as fx:
        fx.binance.trade("LTC/USDT", "buy", "1", "60", recorded["timestamp"] - 1000)
        fx.binance.trade(
            "LTC/USDT", "sell", "0.2", "69.63", recorded["timestamp"], fee="0.013926", fee_currency="USDT"
        )
        config = load_config(str(config_file(tmp_path, fx, monkeypatch)))
        store = Store(tmp_path / "s.sqlite3")
        sync_accounts(config, store, only="binance", client_factory=no_wait)
        served = store.conn.execute(
            "SELECT side, quantity, price, fee, fee_asset, quote, ts FROM events WHERE side = 'sell'"
        ).fetchone()
    from engine.config.load import AccountConfig

    event = ExchangeClient(AccountConfig(name="binance", exchange="binance"), {}).trade_event(recorded)
    assert not isinstance(event, str)
    amounts = tuple(str(fp.parse(text)) for text in ("0.2", "69.63", "0.013926"))
    assert served == ("sell", *amounts, "USDT", "USDT", event.timestamp)


def test_a_failed_account_is_named_once_in_every_report(tmp_path, monkeypatch, capsys):
    """ "binance: FAILED: binance: environment variable …": the credentials error named its
    account and every report (the CLI's, the app's notification, the monitor's) named it again."""
    from engine.api import Engine
    from engine.core.errors import HarvestError
    from tui.cli.app_command import store_sync
    from tui.cli.main import main

    monkeypatch.delenv("NOT_SET_KEY", raising=False)
    secrets = tmp_path / "kraken.yaml"
    secrets.write_text("apiKey: k\nsecret: s\n")
    secrets.chmod(0o644)
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump({"tax": {"timezone": "UTC"}, "accounts": [
        {"name": "binance", "exchange": "binance", "api_key_env": "NOT_SET_KEY"},
        {"name": "kraken", "exchange": "kraken", "secrets_file": str(secrets)},
    ]}))  # fmt: skip
    config = load_config(str(path))
    reports = sync_accounts(config, Store(tmp_path / "s.sqlite3"))
    assert [r.error for r in reports] == [
        "environment variable NOT_SET_KEY is not set",
        f"secrets file {secrets} is readable by others (mode 0644); run chmod 600 {secrets}",
    ]
    monkeypatch.setenv("HARVEST_HOME", str(tmp_path / "home"))
    assert main(["--config", str(path), "sync"]) == 1
    out = capsys.readouterr().out
    assert "binance: FAILED: environment variable NOT_SET_KEY is not set (kept what was fetched)" in out
    assert (out.count("binance"), out.count("kraken:")) == (1, 1)
    with pytest.raises(HarvestError) as failed:  # the app's sync runner: its error notification
        store_sync(Engine(config, Store(tmp_path / "app.sqlite3")))(lambda text: None)
    assert str(failed.value).startswith("0 new record(s); failed: binance: environment variable NOT_SET_KEY")
    assert (str(failed.value).count("binance"), str(failed.value).count("kraken:")) == (1, 1)
