"""Binance.US (`binanceus`) synced as Binance is: real ccxt against the Binance fake on Binance.US's
own host (api.binance.us, as ccxt builds its URLs). Trades page by `fromId` (never by time from
2010 a day at a time), transfers are walked over the whole history in 90-day windows from the
exchange's launch (not only the last 90 days); the history ends as lots equal to it and to the
balances, a second sync is incremental, and 429s and resets end as a clean sync."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from engine.config.load import AccountConfig, Config, load_config
from engine.core import fixedpoint as fp
from engine.exchanges.ccxt_adapter import ExchangeClient
from engine.store.store import Store
from tests.loopback import LoopbackExchange, ccxt_urls
from tests.loopback import binanceus_staking as staking_fake
from tests.loopback.checks import held, killed_at, natural_keys, resumed, synced
from tests.loopback.server import Transfer, Venue
from tests.support import SHARED

DAY = 86_400_000
MIN = 60_000
NOW = 1_767_225_600_000  # 2026-01-01: the sync's and the venue's clock
LAUNCH = 1_567_296_000_000  # 2019-09-01, where Binance.US's transfer history is asked from
FILLS = 2_100  # three fromId pages of 1,000


def history(us: Venue) -> None:
    """Trades on three markets (one of them three pages deep), deposits years apart (older than
    any 90-day window from now), a withdrawal with its fee."""
    us.now_ms = NOW
    start = NOW - 400 * DAY
    us.deposits.append(Transfer("D1", "0xd1", "BTC", Decimal(3), Decimal(0), NOW - 1500 * DAY))
    us.deposits.append(Transfer("D2", "0xd2", "ETH", Decimal(20), Decimal(0), NOW - 700 * DAY))
    us.move("BTC", Decimal(3))
    us.move("ETH", Decimal(20))
    us.move("USDT", Decimal(100_000))  # cash (fiat deposits are not lots)
    for i in range(FILLS):
        side = "sell" if i % 3 == 2 else "buy"
        us.trade("BTC/USDT", side, "0.001", str(30000 + i), start + i * MIN, fee="0.01")
    for i in range(30):
        us.trade(
            "ETH/BTC", "sell", "0.1", "0.05", start + (FILLS + i) * MIN, fee="0.0001", fee_currency="ETH"
        )
    us.trade("SOL/USDT", "buy", "10", "100", start + 5000 * MIN)
    us.withdrawals.append(Transfer("W1", "0xw1", "BTC", Decimal("0.5"), Decimal("0.0005"), NOW - 30 * DAY))
    us.move("BTC", -Decimal("0.5005"))
    us.closes.update({"ETH/USDT": Decimal(2000), "BTC/USDT": Decimal(40000)})
    staking(us)


SOL_REWARDS, BNB_REWARDS = 250, 520  # daily over three 90-day windows; hourly, two pages in one


def staking(us: Venue) -> None:
    """8 SOL staked, its rewards restaked daily; BNB rewards hourly into the spot balance; an ETH
    reward Binance.US gives no USD value for."""
    staking_fake.stake(us, "SOL", "8", NOW - 300 * DAY)
    for day in range(SOL_REWARDS):
        staking_fake.reward(us, "SOL", "0.002", "0.3", NOW - (290 - day) * DAY, restaked=True)
    for hour in range(BNB_REWARDS):
        staking_fake.reward(us, "BNB", "0.0001", "0.03", NOW - 60 * DAY + hour * 3_600_000)
    staking_fake.reward(us, "ETH", "0.01", None, NOW - 20 * DAY)


def config(tmp_path: Path, fx: LoopbackExchange, monkeypatch: pytest.MonkeyPatch) -> Config:
    monkeypatch.setenv("BNUS_KEY", fx.binanceus.api_key)
    monkeypatch.setenv("BNUS_SECRET", fx.binanceus.secret)
    account = {"name": "binanceus", "exchange": "binanceus", "api_key_env": "BNUS_KEY", "secret_env": "BNUS_SECRET",
               "quote_as_usd": ["USD", "USDT"],
               "ccxt": {"enableRateLimit": False, "timeout": 2000, "urls": ccxt_urls("binanceus", fx.base_url)}}  # fmt: skip
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump({"tax": {"timezone": "UTC"}, "accounts": [account]}))
    return load_config(str(path))


def crypto(us: Venue) -> dict[str, Decimal]:
    """The account's crypto: its spot balances and what it has in staking."""
    totals = dict(us.balances)
    for asset, amount in staking_fake.staked(us).items():
        totals[asset] = totals.get(asset, Decimal(0)) + amount
    return {asset: amount for asset, amount in totals.items() if asset not in ("USD", "USDT") and amount}


def span(request: str) -> tuple[int, int]:
    found = dict(re.findall(r"(startTime|endTime)=(\d+)", request))
    return int(found["startTime"]), int(found["endTime"])


def test_trades_page_by_id_and_transfers_walk_the_whole_history_on_binance_us_hosts(tmp_path, monkeypatch):
    with LoopbackExchange() as fx:
        history(fx.binanceus)
        store = Store(tmp_path / "s.sqlite3")
        report = synced(config(tmp_path, fx, monkeypatch), store, NOW)
        assert (report.complete, report.rejected, report.mismatches) == (True, [], [])
        assert held(store) == crypto(fx.binanceus)  # = the history's net
        assert store.event_count() == FILLS + 30 + 1 + 3 + SOL_REWARDS + BNB_REWARDS + 1
        assert all(r.startswith("GET /api.binance.us/") for r in fx.requests)  # its own hosts only
        trades = [r for r in fx.requests if "/api/v3/myTrades" in r]
        assert all("fromId=" in r and "startTime" not in r for r in trades)  # by id, not by time
        assert sum("symbol=BTCUSDT" in r for r in trades) == 3  # 1,000 + 1,000 + 100
        deposits = [span(r) for r in fx.requests if "/capital/deposit/hisrec" in r]
        assert (deposits[0][0], deposits[-1][1]) == (LAUNCH, NOW)  # from the launch to now
        assert all(end - start < 90 * DAY for start, end in deposits)  # each window 90 days
        assert all(b[0] == a[1] + 1 for a, b in zip(deposits, deposits[1:], strict=False))  # no gap
        # ETH/BTC sales valued from ETH/USDT's candle
        assert store.conn.execute("SELECT DISTINCT price_usd FROM events WHERE quote = 'BTC'").fetchall() == [
            (str(fp.parse("2000")),)
        ]


def test_staking_rewards_are_income_at_their_usd_value_and_staked_coins_are_in_the_balance(
    tmp_path, monkeypatch
):
    """Binance.US's own staking endpoints (ccxt's implicit binanceus API): rewards, restaked or
    not, are income at the USD value Binance.US gives (else its minute's candle); the staking
    balance is read with the spot balance, so 8.5 staked SOL reconcile."""
    with LoopbackExchange() as fx:
        history(fx.binanceus)
        store = Store(tmp_path / "s.sqlite3")
        report = synced(config(tmp_path, fx, monkeypatch), store, NOW)
        assert (report.complete, report.rejected, report.mismatches) == (True, [], [])
        assert crypto(fx.binanceus)["SOL"] == Decimal("10.5")  # 2 spot + 8 staked + 0.5 restaked
        income = store.conn.execute(
            "SELECT asset, count(*), min(price), max(price), quote FROM events WHERE side = 'income' GROUP BY asset"
        ).fetchall()
        units = lambda text: str(fp.parse(text))  # noqa: E731
        assert income == [
            ("BNB", BNB_REWARDS, units("300"), units("300"), "USD"),  # $0.03 for 0.0001 BNB
            ("ETH", 1, units("2000"), units("2000"), "USD"),  # no usdValue: ETH/USDT's candle
            ("SOL", SOL_REWARDS, units("150"), units("150"), "USD"),  # $0.30 for 0.002 SOL
        ]
        rewards = [r for r in fx.requests if "/staking/stakingRewardsHistory" in r]
        windows = sorted({span(r) for r in rewards})
        assert (windows[0][0], windows[-1][1]) == (LAUNCH, NOW)  # 90-day windows, launch to now
        assert all(b[0] == a[1] + 1 for a, b in zip(windows, windows[1:], strict=False))
        assert len(rewards) == len(windows) + 1  # the hourly BNB window: a second page of 500
        assert sum("/staking/stakingBalance" in r for r in fx.requests) == 1


def test_a_second_sync_is_incremental(tmp_path, monkeypatch):
    with LoopbackExchange() as fx:
        history(fx.binanceus)
        settings = config(tmp_path, fx, monkeypatch)
        store = Store(tmp_path / "s.sqlite3")
        first = synced(settings, store, NOW)
        later = NOW + 2 * DAY
        fx.binanceus.now_ms = later
        fx.binanceus.trade("BTC/USDT", "buy", "0.01", "41000", NOW + DAY)
        fx.binanceus.deposits.append(Transfer("D3", "0xd3", "SOL", Decimal(5), Decimal(0), NOW + DAY))
        fx.binanceus.move("SOL", Decimal(5))
        staking_fake.reward(fx.binanceus, "SOL", "0.002", "0.3", NOW + DAY, restaked=True)
        fx.requests.clear()
        report = synced(settings, store, later)
        assert (report.added, report.mismatches) == (3, [])
        trades = [r for r in fx.requests if "/myTrades" in r]
        assert len(trades) == len(first.markets_scanned)  # one request a market: nothing re-paged
        assert [r for r in trades if "symbol=BTCUSDT" in r][0].count(f"fromId={FILLS + 1}&") == 1
        transfers = [r for r in fx.requests if "/capital/" in r]
        assert len(transfers) == 2  # a window each from the cursor, not the history again
        assert sum("/staking/" in r for r in fx.requests) == 2  # one rewards window, the staking balance
        assert held(store) == crypto(fx.binanceus)


def test_429s_and_resets_end_as_a_clean_sync(tmp_path, monkeypatch):
    with LoopbackExchange() as fx:
        history(fx.binanceus)
        settings = config(tmp_path, fx, monkeypatch)
        synced(settings, Store(tmp_path / "clean.sqlite3"), NOW)
        fx.inject("/api.binance.us/api/v3/myTrades", "status", times=3)  # 429: DDoSProtection, backs off
        fx.inject("/api.binance.us/api/v3/myTrades", "reset", times=2)
        fx.inject("/api.binance.us/sapi/v1/capital/deposit/hisrec", "reset", times=2)
        fx.inject("/api.binance.us/sapi/v1/capital/withdraw/history", "status", times=2)
        fx.inject("/api.binance.us/sapi/v1/staking/stakingRewardsHistory", "status", times=2)
        fx.inject("/api.binance.us/sapi/v1/staking/stakingRewardsHistory", "reset", times=1)
        fx.inject("/api.binance.us/sapi/v1/staking/stakingBalance", "reset", times=1)
        faulty = Store(tmp_path / "faulty.sqlite3")
        assert synced(settings, faulty, NOW).complete
        faulty.close()
        assert not [f for f in fx.faults if f.times]  # every fault was met
        assert natural_keys(tmp_path / "faulty.sqlite3") == natural_keys(tmp_path / "clean.sqlite3")


def config_path(tmp_path: Path, fx: LoopbackExchange, monkeypatch: pytest.MonkeyPatch) -> Path:
    config(tmp_path, fx, monkeypatch)
    return tmp_path / "config.yaml"


@pytest.mark.slow
def test_kill_9_mid_windows_and_mid_pages_then_resume_equals_a_clean_sync(tmp_path, monkeypatch):
    """Killed (SIGKILL, a real `harvest sync` process) while walking the deposit windows, while
    paging BTCUSDT by id, then between two pages of a rewards window: each next run resumes where
    the store says, and the last one ends as a clean sync."""
    with LoopbackExchange() as fx:
        history(fx.binanceus)
        path = config_path(tmp_path, fx, monkeypatch)
        synced(load_config(str(path)), Store(tmp_path / "clean.sqlite3"), NOW)
        expected = natural_keys(tmp_path / "clean.sqlite3")
        home = tmp_path / "home"
        killed_at(fx, home, path, "/capital/deposit/hisrec", 10)
        after_windows = killed_at(fx, home, path, ("/stakingRewardsHistory", "page=2"), 1)  # mid-window
        # the deposit windows went on from the cursor the killed run stored, not from the launch
        assert (
            span([r for r in after_windows if "/capital/deposit/hisrec" in r][0])[0] > LAUNCH + 8 * 90 * DAY
        )
        after_rewards = killed_at(fx, home, path, ("/myTrades", "symbol=BTCUSDT"), 2)
        # the rewards went on from the last whole window: the cut one again, not from the launch
        assert (
            span([r for r in after_rewards if "/stakingRewardsHistory" in r][0])[0] > LAUNCH + 20 * 90 * DAY
        )
        assert natural_keys(home / "harvest.sqlite3") <= expected
        last = resumed(fx, home, path)
        first_page = [r for r in last if "/myTrades" in r and "symbol=BTCUSDT" in r][0]
        assert "fromId=1001&" in first_page  # the page the kill cut, not the first again
        assert natural_keys(home / "harvest.sqlite3") == expected


def test_binance_recorded_bodies_on_the_binance_us_host_parse_as_the_fakes(tmp_path, monkeypatch):
    """Binance's recorded LTC/USDT sale and spot account (shared/fixtures, from ccxt's static
    tests: the Binance API, which Binance.US serves on its own host) served as recorded on
    api.binance.us give the events and balance the fake's own rendering of the same records
    gives."""
    fixtures = SHARED / "fixtures" / "ccxt" / "binance.response.subset.json"
    if not fixtures.exists():
        pytest.skip("shared fixtures not present")
    methods = json.loads(fixtures.read_text())["methods"]
    fill, account = methods["fetchMyTrades"][0], methods["fetchBalance"][0]
    raw = fill["httpResponse"][0]
    rows = []
    for served in ("fake", "recorded"):
        with LoopbackExchange() as fx:
            us = fx.binanceus
            if served == "recorded":
                us.recorded["/api/v3/myTrades"] = fill["httpResponse"]
                us.recorded["/api/v3/account"] = account["httpResponse"]
            else:  # the same sale and balances, as the fake renders them
                made = us.trade("LTC/USDT", "sell", raw["qty"], raw["price"], int(raw["time"]), fee=raw["commission"],
                                fee_currency=raw["commissionAsset"])  # fmt: skip
                made.id = int(raw["id"])
                us.balances = {b["asset"]: Decimal(b["free"]) + Decimal(b["locked"])
                               for b in account["httpResponse"]["balances"]}  # fmt: skip
            store = Store(tmp_path / f"{served}.sqlite3")
            report = synced(config(tmp_path, fx, monkeypatch), store, NOW)
            assert all(r.startswith("GET /api.binance.us/") for r in fx.requests)
            rows.append(store.conn.execute(
                "SELECT side, asset, quote, quantity, price, fee, fee_asset, ts, trade_id FROM events"
            ).fetchall())  # fmt: skip
            # the balance read from the account (here unexplained by a history of one sale)
            balance = {asset: exchange for asset, _ledger, exchange in report.mismatches}
            assert balance == {"LTC": fp.parse("0.919741"), "ETH": fp.parse("0.02229833")}
    assert rows[0] == rows[1]
    event = ExchangeClient(AccountConfig(name="binanceus", exchange="binanceus"), {}).trade_event(
        fill["parsedResponse"][0]
    )
    assert not isinstance(event, str)
    ((side, asset, quote, quantity, price, fee, fee_asset, ts, _trade_id),) = rows[0]
    assert (side, asset, quote, fee_asset, ts) == (event.side, event.asset, event.quote, event.fee_asset,
                                                   event.timestamp)  # fmt: skip
    assert (quantity, price, fee) == (str(event.quantity), str(event.price), str(event.fee))
