"""`harvest prices fill|list` and the fill after `harvest import` and `harvest sync`: a Kraken
ledger export whose rewards and crypto trade have no USD value, priced from a historical prices
file and from the loopback Kraken's candles (real ccxt); what is left is listed with why; a bad
file is refused row by row with nothing written; an exchange outage is one line and exit 1; and
the position the gate blocked gets a harvest candidate once its reward is priced."""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from engine.core.dates import parse_timestamp
from tests.loopback import LoopbackExchange, ccxt_urls
from tests.support import ROOT, run_cli

LEDGER = Path(__file__).resolve().parents[1] / "fixtures" / "imports" / "kraken" / "with-subclass.csv"
HISTORY = (
    "asset,timestamp,price\n"
    "SOL,2024-03-10T00:00:00Z,150\n"
    "SOL,1710633600,160\n"  # 2024-03-17T00:00:00Z
    "ETH,2024-04-08T00:00:00Z,3600\n"
    "DOT,2024-06-01T16:00:00Z,7\n"
)
NO_SOURCES = "no exchange asked (prices.history_sources is empty)"


def prices_file(home: Path, text: str = HISTORY) -> Path:
    path = home / "history.csv"
    path.write_text(text)
    return path


def configure(home: Path, **prices: object) -> None:
    (home / "config.yaml").write_text(yaml.safe_dump({"tax": {"timezone": "UTC"}, "prices": prices}))


def candles_config(home: Path, fx: LoopbackExchange) -> None:
    settings = {"urls": ccxt_urls("kraken", fx.base_url), "enableRateLimit": False, "timeout": 2000}
    configure(home, history_sources=["kraken"], history_quotes=["USD"], history_ccxt={"kraken": settings})


def test_import_says_what_needs_a_price_and_fill_prices_it_from_the_file(home: Path, capsys):
    code, out, err = run_cli(capsys, "import", str(LEDGER))
    assert code == 0
    assert out.splitlines()[-1] == f"imported 11 new event(s) from {LEDGER} (0 already in the store)"
    assert err.splitlines()[-1] == (
        "warning: 5 record(s) still need a USD price, left out of results: run `harvest prices fill` "
        "(prices.history_sources is empty: set it to look them up in exchange candles, or give a file)"
    )
    code, out, err = run_cli(capsys, "prices", "fill", "--file", str(prices_file(home)))
    assert (code, err) == (0, "")
    assert out.splitlines()[0] == "filled 4 value(s) (file:history.csv: 4)"
    assert out.splitlines()[1] == "still missing 1 value(s): left out of results, never valued at zero"
    assert out.splitlines()[-1].split() == [
        "BTC", "2024-07-01", "kraken", "1", *f"no row within a day in file:history.csv; {NO_SOURCES}".split()
    ]  # fmt: skip
    code, out, _ = run_cli(capsys, "prices", "fill", "--file", str(prices_file(home)), "--format", "json")
    assert code == 0
    assert json.loads(out) == {
        "filled": [], "replaced": 0, "failures": [],
        "missing": [{"asset": "BTC", "date": "2024-07-01", "account": "kraken", "count": 1,
                     "why": f"no row within a day in file:history.csv; {NO_SOURCES}"}],
    }  # fmt: skip
    code, out, _ = run_cli(capsys, "prices", "list", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [(r["ref"], r["asset"], r["price"], r["source"], r["interval"], r["priced_at"]) for r in rows] == [
        ("L0ST01-AAAAA-000011", "SOL", "150.00", "file:history.csv", "file", "2024-03-10T00:00:00Z"),
        ("L0ST02-AAAAA-000012", "SOL", "160.00", "file:history.csv", "file", "2024-03-17T00:00:00Z"),
        ("L0E2A1-AAAAA-000015", "ETH", "3600.00", "file:history.csv", "file", "2024-04-08T00:00:00Z"),
        ("TT3AAA-BBBBB-CCCC11", "DOT", "7.00", "file:history.csv", "file", "2024-06-01T16:00:00Z"),
    ]
    # the lots report shows the filled values under the same ids
    code, out, _ = run_cli(capsys, "report", "lots", "--format", "csv")
    lots = {r["lot_id"]: r["cost_basis"] for r in csv.DictReader(io.StringIO(out))}
    assert (lots["L0ST01-AAAAA-000011"], lots["TT3AAA-BBBBB-CCCC11"]) == ("0.15", "1050.00")


def test_a_bad_prices_file_is_refused_row_by_row_and_nothing_is_written(home: Path, capsys):
    run_cli(capsys, "import", str(LEDGER))
    bad = prices_file(home, "asset,timestamp,price\nSOL,2024-03-10,150\nETH,2024-04-08T00:00:00Z,0\n")
    code, out, err = run_cli(capsys, "prices", "fill", "--file", str(bad))
    assert (code, out) == (2, "")
    assert err.splitlines() == [
        f"{bad}:2: timestamp: timestamp has no time zone (add Z or an offset): 2024-03-10",
        f"{bad}:3: price: must be more than zero, got 0",
        f"harvest: {bad}: nothing imported (2 problem(s))",
    ]
    assert run_cli(capsys, "prices", "list")[1] == "no prices filled\n"


def test_the_gate_unblocks_the_position_once_its_rewards_are_priced(home: Path, capsys):
    run_cli(capsys, "import", str(LEDGER))
    current = home / "now.csv"
    current.write_text("asset,price\nSOL,50\nETH,3000\nDOT,5\nBTC,60000\n")

    def scan() -> dict:
        code, out, _ = run_cli(capsys, "scan", "--prices", str(current), "--format", "json")
        assert code == 0
        return json.loads(out)

    before = scan()
    assert ("kraken", "SOL") in {(b["account"], b["asset"]) for b in before["blocked"]}
    assert "SOL" not in {c["asset"] for c in before["candidates"]}
    assert run_cli(capsys, "prices", "fill", "--file", str(prices_file(home)))[0] == 0
    after = scan()
    assert ("kraken", "SOL") not in {(b["account"], b["asset"]) for b in after["blocked"]}
    (sol,) = [c for c in after["candidates"] if c["asset"] == "SOL"]
    assert sorted(sol["lot_ids"]) == ["L0ST01-AAAAA-000011", "L0ST02-AAAAA-000012", "RR1AAA-BBBBB-CCCC02"]


def test_import_fills_from_candles_when_exchanges_are_configured(home: Path, capsys):
    with LoopbackExchange() as fx:
        fx.kraken.candles.add("SOL/USD", "1m", parse_timestamp("2024-03-10T00:00:00Z") // 1000, "149")
        candles_config(home, fx)
        code, out, err = run_cli(capsys, "import", str(LEDGER))
        assert code == 0
        assert out.splitlines()[-1] == "prices: filled 1 value(s) (kraken 1m: 1)"
        assert err.splitlines() == [
            "warning: 4 record(s) still need a USD price, left out of results: run `harvest prices fill`"
        ]
        asked = len(fx.requests)
        code, out, _ = run_cli(capsys, "prices", "fill")
        assert (code, out.splitlines()[0]) == (
            0,
            "still missing 4 value(s): left out of results, never valued at zero",
        )
        assert len(fx.requests) == asked  # every answer was cached


def test_an_exchange_outage_is_one_line_and_exit_1_with_the_rest_filled(home: Path, capsys, monkeypatch):
    import engine.exchanges.ccxt_adapter as adapter

    monkeypatch.setattr(adapter, "MAX_NETWORK_TRIES", 1)  # fail at the first 503, without retry waits
    with LoopbackExchange() as fx:
        candles_config(home, fx)
        fx.inject("/0/public/OHLC", "status", times=99, status=503, body="Service Unavailable")
        code, out, err = run_cli(capsys, "import", str(LEDGER))
        assert code == 0  # the import itself succeeded
        outage, missing = err.splitlines()
        assert missing.startswith("warning: 5 record(s) still need a USD price")
        assert outage.startswith("harvest: prices: kraken: fetch_ohlcv: exchange unreachable after 1 tries")
        code, out, err = run_cli(capsys, "prices", "fill", "--file", str(prices_file(home)))
        assert code == 1
        assert out.splitlines()[0] == "filled 4 value(s) (file:history.csv: 4)"
        assert (
            "BTC    2024-07-01  kraken       1  no row within a day in file:history.csv; kraken unreachable"
            in out
        )
        (line,) = err.splitlines()
        assert "kraken" in line


def synced_config(home: Path, fx: LoopbackExchange, monkeypatch: pytest.MonkeyPatch) -> None:
    """A Kraken account on the loopback, the prices file and Kraken's candles for history."""
    monkeypatch.setenv("KR_KEY", fx.kraken.api_key)
    monkeypatch.setenv("KR_SECRET", fx.kraken.secret)
    settings = {"urls": ccxt_urls("kraken", fx.base_url), "enableRateLimit": False, "timeout": 2000}
    config = {"tax": {"timezone": "UTC"},
              "prices": {"history_file": str(prices_file(home)), "history_sources": ["kraken"],
                         "history_ccxt": {"kraken": settings}},
              "accounts": [{"name": "kr", "exchange": "kraken", "api_key_env": "KR_KEY", "secret_env": "KR_SECRET",
                            "ccxt": settings}]}  # fmt: skip
    (home / "config.yaml").write_text(yaml.safe_dump(config))


@pytest.mark.parametrize("offline", [True, False])
def test_sync_fills_too_and_offline_asks_no_exchange(home: Path, capsys, monkeypatch, offline: bool):
    run_cli(capsys, "import", str(LEDGER))
    with LoopbackExchange() as fx:
        synced_config(home, fx, monkeypatch)
        if offline:
            code, out, _ = run_cli(capsys, "prices", "fill", "--offline")
            assert "(--offline)" in out
            assert not [r for r in fx.requests if "/OHLC" in r]
        else:
            code, out, _ = run_cli(capsys, "sync")
            assert "prices: filled 4 value(s) (file:history.csv: 4)" in out.splitlines()
            assert [r for r in fx.requests if "/OHLC" in r]  # the BTC fee was looked up in candles
        assert code == 0


def test_the_apps_sync_fills_too(home: Path, capsys, monkeypatch):
    from tui.cli.app_command import store_sync
    from tui.cli.context import open_engine

    run_cli(capsys, "import", str(LEDGER))
    with LoopbackExchange() as fx:
        synced_config(home, fx, monkeypatch)
        engine = open_engine(argparse.Namespace(config=None, as_of=None))
        try:
            said = store_sync(engine)(lambda step: None)
        finally:
            engine.store.close()
    assert said == "0 new record(s) from 1 account(s), 4 price(s) filled in"


def test_an_import_with_values_to_price_and_no_exchange_configured_loads_no_ccxt(home: Path):
    probe = (
        "import sys\nfrom tui.cli.main import main\n"
        f"code = main(['import', {str(LEDGER)!r}])\n"
        "print(code, ' '.join(sorted({name.split('.')[0] for name in sys.modules})))"
    )
    env = {
        **os.environ,
        "HARVEST_HOME": os.environ["HARVEST_HOME"],
        "HARVEST_CONFIG": os.environ["HARVEST_CONFIG"],
    }
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=ROOT, env=env
    )
    assert "warning: 5 record(s) still need a USD price" in result.stderr
    last = result.stdout.splitlines()[-1]
    assert last.startswith("0 ")
    assert not set(last.split()) & {"polars", "textual", "rich", "ccxt"}


def test_an_unknown_exchange_id_is_a_config_error(home: Path, capsys):
    run_cli(capsys, "import", str(LEDGER))
    configure(home, history_sources=["krakken"])
    code, out, err = run_cli(capsys, "prices", "fill")
    assert (code, out) == (2, "")
    assert err == "harvest: prices.history_sources: unknown exchange id 'krakken' (a ccxt id, e.g. kraken)\n"


def test_a_price_set_in_review_wins_over_the_file_is_listed_with_its_decision_and_undone(home: Path, capsys):
    configure(home)
    assert run_cli(capsys, "import", str(LEDGER))[0] == 0
    code, out, err = run_cli(
        capsys, "review", "price", "L0ST01-AAAAA-000011", "150", "--reason", "Kraken's close"
    )
    assert (code, err) == (0, "")
    assert out == (
        "decision 1: L0ST01-AAAAA-000011 (kraken, 0.001 SOL, 2024-03-10 00:00) valued at $150.00 per SOL "
        "(was: no price)\n"
    )
    day = prices_file(home, "asset,timestamp,price\nSOL,2024-03-10T00:00:00Z,140\n")
    code, out, _ = run_cli(capsys, "prices", "fill", "--file", str(day), "--offline", "--format", "json")
    assert json.loads(out)["filled"] == []  # the user's price stays
    _code, out, _ = run_cli(capsys, "prices", "list", "--format", "csv")
    listed = [row for row in csv.DictReader(io.StringIO(out)) if row["ref"] == "L0ST01-AAAAA-000011"]
    assert [(r["asset"], r["price"], r["source"], r["interval"]) for r in listed] == [
        ("SOL", "150.00", "user:1", "user")
    ]
    assert run_cli(capsys, "review", "undo", "1")[1] == "decision 1 (price) undone\n"
    _code, out, _ = run_cli(capsys, "prices", "list", "--format", "csv")
    assert "L0ST01-AAAAA-000011" not in out  # no fill was there before it: flagged again
    code, out, err = run_cli(capsys, "review", "price", "L0ST01-AAAAA-000011", "abc")
    assert (code, out, err) == (2, "", "harvest: not a price in USD per unit: 'abc'\n")
