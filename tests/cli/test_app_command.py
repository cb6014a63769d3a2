"""Plain `harvest`: the app on the user's store, and the sync the command line builds for it —
progress as short sentences, a one-line summary, a HarvestError naming the failed accounts,
and a store connection of its own (real ccxt against the loopback exchanges)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from engine.api import Engine
from engine.config.load import Config, TaxConfig, load_config
from engine.core.errors import HarvestError, InputError
from engine.store.store import Store
from tests.loopback import LoopbackExchange, ccxt_urls
from tests.loopback.binance import OPTIONS
from tui.cli.app_command import step_text, store_sync

T0 = 1_767_225_600_000  # 2026-01-01T00:00:00Z


def config_file(tmp_path: Path, fx: LoopbackExchange) -> Path:
    urls = {name: ccxt_urls(name, fx.base_url) for name in ("binance", "kraken")}
    config = {
        "tax": {"timezone": "UTC"},
        "accounts": [
            {"name": "binance", "exchange": "binance", "api_key_env": "BN_KEY", "secret_env": "BN_SECRET",
             "ccxt": {"enableRateLimit": False, "timeout": 2000, "urls": urls["binance"], "options": OPTIONS}},
            {"name": "kraken", "exchange": "kraken", "api_key_env": "KR_KEY", "secret_env": "KR_SECRET",
             "ccxt": {"enableRateLimit": False, "timeout": 2000, "urls": urls["kraken"]}},
        ],
    }  # fmt: skip
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


def test_the_app_sync_reports_progress_failures_and_a_summary(tmp_path, monkeypatch):
    monkeypatch.setenv("HARVEST_HOME", str(tmp_path / "home"))
    with LoopbackExchange() as fx:
        for i in range(3):
            fx.kraken.trade("BTC/USD", "buy", "0.5", str(40000 + i), T0 + i * 60_000, fee="1")
        monkeypatch.setenv("BN_KEY", "not-the-key")
        monkeypatch.setenv("BN_SECRET", fx.binance.secret)
        monkeypatch.setenv("KR_KEY", fx.kraken.api_key)
        monkeypatch.setenv("KR_SECRET", fx.kraken.secret)
        engine = Engine(load_config(str(config_file(tmp_path, fx))), Store(tmp_path / "s.sqlite3"))
        engine_writes = engine.store.conn.total_changes
        progress: list[str] = []
        run = store_sync(engine)
        with pytest.raises(HarvestError) as failed:
            run(progress.append)
        assert str(failed.value).startswith(
            "3 new record(s); failed: binance: authentication failed (check BN_KEY / BN_SECRET)"
        )
        assert progress[-5:] == [
            "kraken: deposits 1/4",  # stream by stream: which of how many
            "kraken: withdrawals 2/4",
            "kraken: trades 3/4",
            "kraken: ledger 4/4",
            "kraken: done",
        ]
        # written through the sync's own connection; the app's engine sees it on its next read
        assert engine.store.conn.total_changes == engine_writes
        assert engine.store.event_count() == 3
        monkeypatch.setenv("BN_KEY", fx.binance.api_key)
        assert run(progress.append) == "0 new record(s) from 2 account(s)"


def test_a_counted_step_says_which_of_how_many():
    assert step_text("binance", 2, 40, "trades BTC/USDT") == "binance: trades BTC/USDT 3/40"
    assert step_text("kraken", 0, 1, "deposits") == "kraken: deposits"


def test_without_accounts_the_app_sync_says_how_to_add_them(tmp_path):
    engine = Engine(Config(tax=TaxConfig(timezone="UTC")), Store(tmp_path / "s.sqlite3"))
    with pytest.raises(InputError, match="no exchange accounts configured"):
        store_sync(engine)(lambda text: None)


def test_plain_harvest_opens_the_app_on_stored_prices_without_accounts(tmp_path, monkeypatch):
    from tui.app import HarvestApp
    from tui.cli.main import main
    from tui.feed import StoredFeed

    monkeypatch.setenv("HARVEST_HOME", str(tmp_path / "home"))
    (tmp_path / "config.yaml").write_text("tax:\n  timezone: UTC\nprices:\n  poll_seconds: 7\n")
    monkeypatch.setenv("HARVEST_CONFIG", str(tmp_path / "config.yaml"))
    opened: list[HarvestApp] = []
    monkeypatch.setattr(HarvestApp, "run", lambda app: opened.append(app))
    assert main([]) == 0
    (app,) = opened
    assert isinstance(app.feed, StoredFeed)
    assert app.feed.interval == 7.0
    assert app.session.config_path == tmp_path / "config.yaml"
