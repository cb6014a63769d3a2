"""Keys never leak: a full demo → sync → scan → plan → export → watch cycle with distinctive
keys, then every file written and every line printed is searched for them. And what harvest
writes is owner-only."""

from __future__ import annotations

import base64
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.loopback import LoopbackExchange, ccxt_urls
from tests.loopback.binance import OPTIONS

BN_KEY = "HVSTKEYbinance7f3a9c"
BN_SECRET = "HVSTSECRETbinance51e0d2"
KR_KEY = "HVSTKEYkraken88b1"
KR_SECRET_RAW = b"HVSTSECRETkraken42aa"
KR_SECRET = base64.b64encode(KR_SECRET_RAW).decode()
NEEDLES = [BN_KEY, BN_SECRET, KR_KEY, KR_SECRET, KR_SECRET_RAW.decode()]


@pytest.mark.slow
def test_keys_appear_in_no_file_and_no_output(tmp_path):
    home = tmp_path / "home"
    with LoopbackExchange() as fx:
        fx.binance.api_key, fx.binance.secret = BN_KEY, BN_SECRET
        fx.kraken.api_key, fx.kraken.secret = KR_KEY, KR_SECRET
        fx.binance.trade(
            "BTC/USDT", "buy", "0.5", "90000", 1_767_225_600_000, fee="0.0005", fee_currency="BTC"
        )
        fx.kraken.trade("ETH/USD", "buy", "3", "4000", 1_767_225_600_000, fee="5")
        config = {
            "tax": {"timezone": "UTC", "ordinary_taxable_income": 120000},
            "accounts": [
                {"name": "binance", "exchange": "binance", "api_key_env": "BN_KEY", "secret_env": "BN_SECRET",
                 "quote_as_usd": ["USD", "USDT"],
                 "ccxt": {"enableRateLimit": False, "urls": ccxt_urls("binance", fx.base_url), "options": OPTIONS}},
                {"name": "kraken", "exchange": "kraken", "api_key_env": "KR_KEY", "secret_env": "KR_SECRET",
                 "ccxt": {"enableRateLimit": False, "urls": ccxt_urls("kraken", fx.base_url)}},
            ],
            "alerts": {"min_net_savings": 1, "sinks": [{"type": "stdout"}, {"type": "log", "path": str(tmp_path / "alerts.log")}]},
        }  # fmt: skip
        config_path = tmp_path / "config.yaml"
        config_path.write_text(yaml.safe_dump(config))
        prices = tmp_path / "prices.csv"
        prices.write_text("asset,price\nBTC,60000\nETH,2000\n")
        env = {**os.environ, "HARVEST_HOME": str(home), "HARVEST_CONFIG": str(config_path), "TMPDIR": str(tmp_path),
               "BN_KEY": BN_KEY, "BN_SECRET": BN_SECRET, "KR_KEY": KR_KEY, "KR_SECRET": KR_SECRET}  # fmt: skip
        outputs = []
        steps = [
            ["demo", "--print"],
            ["sync"],
            ["scan", "--prices", str(prices)],
            ["plan", "--save", "--prices", str(prices)],
            ["checklist", "export", "-o", str(tmp_path / "checklist.csv")],
            ["report", "8949", "--year", "2026", "--format", "csv"],
            ["watch", "--once", "--prices", str(prices)],
        ]
        for argv in steps:
            done = subprocess.run(
                [sys.executable, "-m", "tui", *argv], env=env, capture_output=True, text=True, timeout=120
            )
            assert done.returncode == 0, (argv, done.stderr)
            outputs.append(done.stdout + done.stderr)
        # a failing sync prints its error: it must be scrubbed too
        env_bad = {**env, "BN_SECRET": BN_SECRET + "x"}
        failed = subprocess.run(
            [sys.executable, "-m", "tui", "sync"], env=env_bad, capture_output=True, text=True, timeout=120
        )
        outputs.append(failed.stdout + failed.stderr)
    assert "ETH" in outputs[2]  # the cycle did real work
    assert (tmp_path / "checklist.csv").exists()
    assert "[harvest]" in outputs[-2]
    for text in outputs:
        for needle in NEEDLES:
            assert needle not in text
    written = [p for p in tmp_path.rglob("*") if p.is_file() and p != config_path]
    assert any(p.name == "harvest.sqlite3" for p in written)
    for path in written:
        data = path.read_bytes()
        for needle in NEEDLES:
            assert needle.encode() not in data, f"{needle} found in {path}"
    # owner-only: the store, its directory, the log and the exports
    assert stat.S_IMODE(home.stat().st_mode) == 0o700
    for path in [
        home / "harvest.sqlite3",
        home / "watch.log",
        tmp_path / "alerts.log",
        tmp_path / "checklist.csv",
    ]:
        if path.exists():
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


def test_demo_is_offline_and_keyless(tmp_path):
    env = {k: v for k, v in os.environ.items() if "KEY" not in k and "SECRET" not in k}
    env.update(
        {
            "HARVEST_HOME": str(tmp_path / "home"),
            "HARVEST_CONFIG": str(tmp_path / "none.yaml"),
            "TMPDIR": str(tmp_path),
        }
    )
    (tmp_path / "none.yaml").write_text("")
    done = subprocess.run(
        [sys.executable, "-m", "tui", "demo", "--print"], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0
    assert "not tax advice" in done.stdout
    assert not (tmp_path / "home").exists()  # the demo never touches the user's store
    leftovers = [p for p in Path(tmp_path).iterdir() if p.name.startswith("harvest-demo-")]
    assert leftovers == []  # its throwaway directory is gone
