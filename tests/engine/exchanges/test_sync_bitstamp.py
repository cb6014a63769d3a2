"""Bitstamp synced from user_transactions by id: real ccxt against the loopback Bitstamp
(tests/loopback/bitstamp.py, its v2 signatures verified). Trades three pages deep, deposits (one
below 1 BTC, which ccxt's own parser leaves without a currency), a withdrawal with its fee and a
staking reward end as lots equal to the history and the balances; a second sync reads one page;
429s and resets end as a clean sync; a type harvest does not sync is named and read again."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from engine.config.load import Config, load_config
from engine.core import fixedpoint as fp
from engine.store.store import Store
from tests.loopback import LoopbackExchange, ccxt_urls
from tests.loopback.bitstamp import BitstampVenue
from tests.loopback.checks import held, killed_at, natural_keys, resumed, synced

T0 = 1_767_225_600_000  # 2026-01-01T00:00:00Z
MIN = 60_000
TRADES = 2_500  # with the transfers: three pages of 1,000


def history(bs: BitstampVenue) -> None:
    bs.transfer("0", "USD", "500000", T0 - 10 * MIN)  # fiat: no lot
    bs.transfer("0", "BTC", "0.5", T0 - 9 * MIN)  # below 1: ccxt's parse_transaction finds no currency
    bs.transfer("0", "ETH", "3", T0 - 8 * MIN)
    for i in range(TRADES):
        side = "sell" if i % 3 == 2 else "buy"
        bs.trade("BTC/USD", side, "0.001", str(30000 + i), T0 + i * MIN, fee="0.05")
    later = T0 + TRADES * MIN
    bs.trade("ETH/BTC", "sell", "1", "0.05", later + MIN)
    bs.transfer("1", "BTC", "0.1", later + 2 * MIN, fee="0.0005")
    bs.transfer("27", "ETH", "0.004", later + 3 * MIN)  # a staking reward
    bs.closes.update({"ETH/USD": Decimal(2000), "BTC/USD": Decimal(40000)})
    bs.tickers.update({"BTC/USD": Decimal(41000), "ETH/USD": Decimal(2100)})


def config(tmp_path: Path, fx: LoopbackExchange, monkeypatch: pytest.MonkeyPatch) -> Config:
    monkeypatch.setenv("BS_KEY", fx.bitstamp.api_key)
    monkeypatch.setenv("BS_SECRET", fx.bitstamp.secret)
    account = {"name": "bitstamp", "exchange": "bitstamp", "api_key_env": "BS_KEY", "secret_env": "BS_SECRET",
               "ccxt": {"enableRateLimit": False, "timeout": 2000, "urls": ccxt_urls("bitstamp", fx.base_url)}}  # fmt: skip
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump({"tax": {"timezone": "UTC"}, "accounts": [account]}))
    return load_config(str(path))


def crypto(bs: BitstampVenue) -> dict[str, Decimal]:
    return {asset: amount for asset, amount in bs.balances.items() if asset != "USD" and amount}


def test_user_transactions_end_as_lots_equal_to_the_history_and_the_balances(tmp_path, monkeypatch):
    with LoopbackExchange() as fx:
        history(fx.bitstamp)
        store = Store(tmp_path / "s.sqlite3")
        report = synced(config(tmp_path, fx, monkeypatch), store)
        assert (report.complete, report.rejected, report.mismatches) == (True, [], [])
        assert held(store) == crypto(fx.bitstamp)  # = the history's net
        assert sum("/user_transactions/" in r for r in fx.requests) == 3
        sides = dict(store.conn.execute("SELECT side, count(*) FROM events GROUP BY side").fetchall())
        assert sides == {"buy": TRADES - TRADES // 3, "sell": TRADES // 3 + 1, "transfer_in": 2, "transfer_out": 1,
                         "income": 1}  # fmt: skip
        deposits = store.conn.execute(
            "SELECT asset, quantity FROM events WHERE side = 'transfer_in' ORDER BY ts"
        )
        assert deposits.fetchall() == [("BTC", str(fp.parse("0.5"))), ("ETH", str(fp.parse("3")))]
        withdrawal = store.conn.execute(
            "SELECT quantity, fee, fee_asset FROM events WHERE side = 'transfer_out'"
        )
        assert withdrawal.fetchone() == (str(fp.parse("0.1")), str(fp.parse("0.0005")), "BTC")
        reward = store.conn.execute("SELECT asset, price, quote FROM events WHERE side = 'income'").fetchone()
        assert reward == ("ETH", str(fp.parse("2000")), "USD")  # valued from its minute's candle


def test_a_second_sync_reads_one_page_from_the_last_id(tmp_path, monkeypatch):
    with LoopbackExchange() as fx:
        history(fx.bitstamp)
        settings = config(tmp_path, fx, monkeypatch)
        store = Store(tmp_path / "s.sqlite3")
        synced(settings, store)
        fx.bitstamp.trade("BTC/USD", "sell", "0.01", "42000", T0 + (TRADES + 100) * MIN, fee="0.5")
        fx.bitstamp.transfer("0", "SOL", "12", T0 + (TRADES + 101) * MIN)
        fx.requests.clear()
        report = synced(settings, store)
        assert (report.added, report.mismatches) == (2, [])
        assert [r for r in fx.requests if r.startswith("POST")] == [
            "POST /www.bitstamp.net/api/v2/account_balances/?",
            "POST /www.bitstamp.net/api/v2/user_transactions/?",
        ]
        assert held(store) == crypto(fx.bitstamp)


def test_429s_and_resets_end_as_a_clean_sync(tmp_path, monkeypatch):
    with LoopbackExchange() as fx:
        history(fx.bitstamp)
        settings = config(tmp_path, fx, monkeypatch)
        synced(settings, Store(tmp_path / "clean.sqlite3"))
        fx.inject("/user_transactions/", "html", times=2, status=429, body="<html>Too Many Requests</html>")
        fx.inject("/user_transactions/", "reset", times=2)
        faulty = Store(tmp_path / "faulty.sqlite3")
        assert synced(settings, faulty).complete
        faulty.close()
        assert not [f for f in fx.faults if f.times]  # every fault was met
        assert natural_keys(tmp_path / "faulty.sqlite3") == natural_keys(tmp_path / "clean.sqlite3")


def test_a_type_not_synced_is_named_and_read_again(tmp_path, monkeypatch):
    with LoopbackExchange() as fx:
        fx.bitstamp.transfer("0", "BTC", "1", T0)
        fx.bitstamp.transfer("14", "BTC", "0.2", T0 + MIN)  # a sub-account transfer
        settings = config(tmp_path, fx, monkeypatch)
        store = Store(tmp_path / "s.sqlite3")
        report = synced(settings, store)
        assert report.rejected == [
            "bitstamp transaction 70003 (type 14): this type is not synced; import Bitstamp's transaction export for it"
        ]
        assert store.event_count() == 1
        assert store.cursor("bitstamp", "transactions") is None  # held below it
        assert len(synced(settings, store).rejected) == 1  # read again, still named


@pytest.mark.slow
def test_kill_9_between_pages_then_resume_equals_a_clean_sync(tmp_path, monkeypatch):
    """Killed (SIGKILL, a real `harvest sync` process) before the second page of
    user_transactions: the next run reads the two pages from the stored id on, not three."""
    with LoopbackExchange() as fx:
        history(fx.bitstamp)
        config(tmp_path, fx, monkeypatch)
        path = tmp_path / "config.yaml"
        synced(load_config(str(path)), Store(tmp_path / "clean.sqlite3"))
        expected = natural_keys(tmp_path / "clean.sqlite3")
        home = tmp_path / "home"
        killed_at(fx, home, path, "/user_transactions/", 2)
        assert natural_keys(home / "harvest.sqlite3") <= expected
        assert sum("/user_transactions/" in r for r in resumed(fx, home, path)) == 2
        assert natural_keys(home / "harvest.sqlite3") == expected
