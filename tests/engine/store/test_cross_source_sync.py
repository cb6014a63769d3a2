"""End to end with real ccxt against the fake Kraken on 127.0.0.1: `harvest import` of Kraken's
trades.csv, then `harvest sync` of the same account, then a dry run of a longer export: every
trade is stored once, the summaries say which source had it first, and the balances reconcile."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml

from tests.loopback import LoopbackExchange, ccxt_urls
from tui.cli.main import main

T0 = 1_767_225_600_000  # 2026-01-01T00:00:00Z
MIN = 60_000
HEADER = '"txid","ordertxid","pair","time","type","ordertype","price","cost","fee","vol","margin","misc","ledgers"\n'


def trades_csv(fx: LoopbackExchange, count: int) -> str:
    """Kraken's trades.csv for the first `count` trades: the txid is TradesHistory's key."""
    rows = []
    for t in fx.kraken.trades[:count]:
        when = datetime.fromtimestamp(t.ms / 1000, UTC).strftime("%Y-%m-%d %H:%M:%S.%f")[:-2]
        pair = "XXBTZUSD" if t.symbol == "BTC/USD" else "XETHZUSD"
        rows.append(f'"T{t.id:05d}","O{t.id}","{pair}","{when}","{t.side}","limit",{t.price},'
                    f'{t.price * t.amount},{t.fee},{t.amount},0,"",""\n')  # fmt: skip
    return HEADER + "".join(rows)


@pytest.mark.slow
def test_import_then_sync_then_dry_run_count_each_trade_once(tmp_path: Path, monkeypatch, capsys):
    with LoopbackExchange() as fx:
        for i in range(70):
            fx.kraken.trade("ETH/USD" if i % 2 else "BTC/USD", "buy", "0.5", str(2000 + i), T0 + i * MIN + 123,
                            fee="1")  # fmt: skip
        monkeypatch.setenv("KR_KEY", fx.kraken.api_key)
        monkeypatch.setenv("KR_SECRET", fx.kraken.secret)
        monkeypatch.setenv("HARVEST_HOME", str(tmp_path / "home"))
        config = tmp_path / "config.yaml"
        config.write_text(yaml.safe_dump({"tax": {"timezone": "UTC"}, "accounts": [
            {"name": "kraken", "exchange": "kraken", "api_key_env": "KR_KEY", "secret_env": "KR_SECRET",
             "ccxt": {"enableRateLimit": False, "timeout": 2000, "urls": ccxt_urls("kraken", fx.base_url)}}]}))  # fmt: skip
        first, whole = tmp_path / "trades.csv", tmp_path / "trades-all.csv"
        first.write_text(trades_csv(fx, 40))
        whole.write_text(trades_csv(fx, 70))

        assert main(["--config", str(config), "import", str(first)]) == 0
        assert f"imported 40 new event(s) from {first} (0 already in the store)" in capsys.readouterr().out
        assert main(["--config", str(config), "sync"]) == 0
        out = capsys.readouterr().out
        assert "kraken: 30 new record(s) of 210 fetched" in out  # 70 trades and their 140 ledger rows
        assert "  40 already imported from a file (the same records: kept once)" in out
        assert "the exchange reports" not in out  # the ledger's holdings are the exchange's balances
        assert main(["--config", str(config), "import", str(whole), "--dry-run"]) == 0
        assert capsys.readouterr().out.splitlines()[-1] == (
            f"dry run: 0 new event(s) from {whole} (70 already in the store, 30 of them already synced from "
            "the exchange); nothing written"
        )
