"""`harvest import --dry-run` on the exports of tax tools and apps (Koinly, CoinTracker,
CoinLedger, Crypto.com, Binance.US, Cash App, Robinhood): the summary names the format and
layout found and what the rows became; --formats lists each one."""

from __future__ import annotations

from pathlib import Path

import pytest

from tui.cli.main import main

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "imports"
SUMMARIES = {
    "koinly/transaction-history.csv": (
        "Koinly transaction export (transaction history, 20 columns)",
        "13 event(s): 4 trade(s), 4 transfer(s), 3 income, 4 with a fee (2 paid in crypto)",
    ),
    "koinly-template/universal.csv": (
        "Koinly universal template (universal, 12 columns), account koinly",
        "13 event(s): 4 trade(s), 3 transfer(s), 2 income, 2 fee row(s), 1 migration(s), 5 with a fee "
        "(4 paid in crypto)",
    ),
    "cointracker/transaction-history.csv": (
        "CoinTracker transaction export (transaction history, 21 columns)",
        "12 event(s): 4 trade(s), 4 transfer(s), 2 income, 4 with a fee (2 paid in crypto)",
    ),
    "cointracker-template/template.csv": (
        "CoinTracker CSV template (template, 8 columns), account cointracker",
        "10 event(s): 4 trade(s), 3 transfer(s), 1 income, 1 fee row(s), 3 with a fee (2 paid in crypto)",
    ),
    "crypto-com/with-transaction-hash.csv": (
        "Crypto.com App transaction history (with transaction hash, 11 columns), account crypto.com",
        "17 event(s): 7 trade(s), 4 transfer(s), 5 income",
    ),
    "crypto-com/classic.csv": (
        "Crypto.com App transaction history (classic, 10 columns), account crypto.com",
        "4 event(s): 2 trade(s), 1 transfer(s), 1 income",
    ),
    "binance-us/tax-report.csv": (
        "Binance.US transaction history (tax report, 21 columns), account binance.us",
        "11 event(s): 5 trade(s), 2 transfer(s), 3 income, 4 with a fee (2 paid in crypto)",
    ),
    "binance-us/underscored.csv": (
        "Binance.US transaction history (underscored, 21 columns), account binance.us",
        "3 event(s): 2 trade(s), 1 income, 2 with a fee",
    ),
    "cash-app/date-first.csv": (
        "Cash App statement (date first, 14 columns), account cash app",
        "8 event(s): 4 trade(s), 2 transfer(s), 1 income, 5 with a fee (1 paid in crypto)",
    ),
    "cash-app/id-first.csv": (
        "Cash App statement (id first, 14 columns), account cash app",
        "3 event(s): 1 trade(s), 1 transfer(s), 1 income, 1 with a fee",
    ),
    "robinhood/account-activity.csv": (
        "Robinhood account activity (account activity, 9 columns), account robinhood",
        "7 event(s): 6 trade(s), 1 transfer(s)",
    ),
    "coinledger/export.csv": (
        "CoinLedger transaction export (export, 11 columns)",
        "12 event(s): 4 trade(s), 2 transfer(s), 2 income, 1 fee row(s), 5 with a fee (3 paid in crypto)",
    ),
    "coinledger-template/universal.csv": (
        "CoinLedger universal template (universal, 11 columns)",
        "11 event(s): 4 trade(s), 4 transfer(s), 2 income, 2 with a fee (1 paid in crypto)",
    ),
}


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("HARVEST_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("HARVEST_CONFIG", str(tmp_path / "config.yaml"))
    return tmp_path


@pytest.mark.parametrize("name", sorted(SUMMARIES))
def test_dry_run_names_the_format_and_layout(home, capsys, name):
    path = FIXTURES / name
    assert main(["import", str(path), "--dry-run"]) == 0
    lines = capsys.readouterr().out.splitlines()
    found, events = SUMMARIES[name]
    assert lines[0] == f"{path}: {found}"
    assert lines[1] == f"  {events}"
    assert not (home / "home").exists()


def test_formats_lists_each_with_where_to_export_it(home, capsys):
    assert main(["import", "--formats"]) == 0
    out = capsys.readouterr().out
    assert "koinly: Koinly transaction export\n  export: app.koinly.io → Transactions" in out
    assert "koinly-template: Koinly universal template\n" in out
    assert "cointracker: CoinTracker transaction export\n  export: cointracker.io → Transactions" in out
    assert "cointracker-template: CoinTracker CSV template\n" in out
    assert "crypto-com: Crypto.com App transaction history\n  export: Crypto.com App → Accounts" in out
    assert "binance-us: Binance.US transaction history\n  export: binance.us → Profile" in out
    assert "cash-app: Cash App statement\n  export: Cash App → Activity" in out
    assert "robinhood: Robinhood account activity\n  export: robinhood.com → Account" in out
    assert "no fee: the spread is in the price" in out
    assert "coinledger: CoinLedger transaction export\n  export: app.coinledger.io → Transactions" in out
    assert "coinledger-template: CoinLedger universal template\n" in out
