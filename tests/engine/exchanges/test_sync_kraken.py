"""Kraken's ledger synced: real ccxt against the loopback Kraken (tests/loopback/kraken.py and
kraken_ledger.py). Trades several pages deep, deposits and withdrawals, staking and earn rewards,
allocations into staking, spend/receive instant buys (one straddling a page) end as lots equal to
the history and to the balances, with no trade counted twice; later syncs are incremental; 429s,
rate-limit errors, resets and kill -9 end as a clean sync; Kraken's recorded candles value a
reward as the fake's do."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from engine.config.load import Config, load_config
from engine.core import fixedpoint as fp
from engine.exchanges.venues.kraken_ledger import asset_code
from engine.ledger.lots import match_lots
from engine.store.store import Store
from tests.engine.exchanges.test_sync import config_file
from tests.loopback import LoopbackExchange
from tests.loopback import kraken_ledger as book
from tests.loopback.checks import held, killed_at, natural_keys, resumed, synced
from tests.loopback.server import Transfer, Venue
from tests.support import SHARED

T0 = 1_767_225_600_000  # 2026-01-01T00:00:00Z
MIN = 60_000
TRADES = 150  # 300 ledger rows: seven Ledgers pages, three TradesHistory pages


def history(kr: Venue) -> None:
    """Trades, a deposit and a withdrawal with its fee, rewards (staking, earn, opt-in), earn
    allocations and the older spot-to-staking transfers, instant buys (cash, crypto for crypto,
    a sale) — the last one straddling the first two Ledgers pages."""
    kr.deposits.append(Transfer("FTdep1", "0xdep1", "BTC", Decimal(2), Decimal(0), T0 - 10 * MIN))
    kr.move("BTC", Decimal(2))
    kr.deposits.append(Transfer("FTdep2", "0xdep2", "DOT", Decimal(100), Decimal(0), T0 - 9 * MIN))
    kr.move("DOT", Decimal(100))
    for i in range(TRADES):
        side = "sell" if i % 4 == 3 else "buy"
        kr.trade("ETH/USD" if i % 2 else "BTC/USD", side, "0.01", str(2000 + i), T0 + i * MIN, fee="0.5")
    later = T0 + TRADES * MIN
    kr.withdrawals.append(Transfer("FTwd1", "0xwd1", "BTC", Decimal("0.5"), Decimal("0.0002"), later))
    kr.move("BTC", -Decimal("0.5002"))
    book.allocate(kr, "DOT", "60", later + 1 * MIN, "DOT.S")
    book.allocate(kr, "DOT", "20", later + 2 * MIN, "DOT28.S", earn=False)
    for n in range(3):
        book.reward(kr, "DOT.S", "0.25", later + (3 + n) * MIN)
    book.reward(kr, "DOT28.S", "0.5", later + 6 * MIN, earn=True)
    book.reward(kr, "BTC.M", "0.0001", later + 7 * MIN, earn=True)
    book.instant(kr, "USD", "300", "ETH", "0.1", later + 8 * MIN, fee="4.5")
    book.instant(kr, "ETH", "0.05", "DOT", "25", later + 9 * MIN)
    book.instant(kr, "DOT", "10", "USD", "55", later + 10 * MIN)
    book.instant(kr, "USD", "60", "BTC", "0.001", later + 11 * MIN, fee="0.9")  # straddles pages
    for i in range(24):  # 48 newer rows and a reward: the buy's halves end page 1 and open page 2
        kr.trade("BTC/USD", "buy", "0.001", "60000", later + (20 + i) * MIN, fee="0.1")
    book.reward(kr, "DOT.S", "0.25", later + 50 * MIN)
    kr.closes.update({"DOT/USD": Decimal("5.5"), "BTC/USD": Decimal(60000), "ETH/USD": Decimal(3000)})
    kr.tickers.update({"DOT/USD": Decimal(6), "BTC/USD": Decimal(61000), "ETH/USD": Decimal(3100)})


def kraken_config(
    tmp_path: Path, fx: LoopbackExchange, monkeypatch: pytest.MonkeyPatch, **extra: object
) -> Path:
    """A config file with the Kraken account alone (`extra`: more of its settings)."""
    data = yaml.safe_load(config_file(tmp_path, fx, monkeypatch).read_text())
    data["accounts"] = [{**data["accounts"][1], **extra}]
    path = tmp_path / "kraken.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def kraken_only(tmp_path: Path, fx: LoopbackExchange, monkeypatch: pytest.MonkeyPatch) -> Config:
    return load_config(str(kraken_config(tmp_path, fx, monkeypatch)))


def balances(kr: Venue) -> dict[str, Decimal]:
    """The venue's balances as one asset each (DOT.S is DOT), cash left out."""
    folded: dict[str, Decimal] = {}
    for code, amount in kr.balances.items():
        folded[asset_code(code)] = folded.get(asset_code(code), Decimal(0)) + amount
    return {asset: amount for asset, amount in folded.items() if asset != "USD" and amount}


def test_the_ledger_ends_as_lots_equal_to_the_history_and_the_balances(tmp_path, monkeypatch):
    with LoopbackExchange() as fx:
        history(fx.kraken)
        config = kraken_only(tmp_path, fx, monkeypatch)
        store = Store(tmp_path / "s.sqlite3")
        report = synced(config, store)
        assert (report.complete, report.rejected, report.mismatches, report.pending) == (True, [], [], 0)
        listed = book.render(book.rows(fx.kraken, {t.id: f"T{t.id:05d}" for t in fx.kraken.trades}))
        assert [row["type"] for row in listed[49:51]] == ["receive", "spend"]  # one buy, two pages
        assert len(listed) == 2 * (TRADES + 24) + 21
        assert sum("/0/private/Ledgers" in r for r in fx.requests) == 8  # 369 rows, 50 a page
        assert held(store) == balances(fx.kraken)  # = the history's net, staking folded in
        sides = dict(store.conn.execute("SELECT side, count(*) FROM events GROUP BY side").fetchall())
        trades = TRADES + 24
        assert sides == {"buy": trades - TRADES // 4 + 3, "sell": TRADES // 4 + 1, "income": 6,
                         "transfer_in": 2, "transfer_out": 1}  # fmt: skip
        # a trade is in the ledger too (refid = its id): stored once, from TradesHistory
        assert store.conn.execute("SELECT count(*) FROM events WHERE trade_id LIKE 'T%'").fetchone() == (
            trades,
        )
        # the deposit stream's record (with its hash) and the ledger's are one record
        assert store.conn.execute(
            "SELECT trade_id, tx_id FROM events WHERE side = 'transfer_in' ORDER BY ts"
        ).fetchall() == [("deposit:FTdep1", "0xdep1"), ("deposit:FTdep2", "0xdep2")]
        withdrawal = store.conn.execute(
            "SELECT quantity, fee FROM events WHERE side = 'transfer_out'"
        ).fetchone()
        assert withdrawal == (str(fp.parse("0.5")), str(fp.parse("0.0002")))
        # rewards as income valued from the minute's candle; staked codes folded into their asset
        rewards = store.conn.execute(
            "SELECT asset, quantity, price, quote FROM events WHERE side = 'income' ORDER BY ts"
        ).fetchall()
        dot = (str(fp.parse("5.5")), "USD")
        assert [(a, q, *p) for a, q, *p in rewards[:4]] == [
            ("DOT", str(fp.parse(x)), *dot) for x in ("0.25", "0.25", "0.25", "0.5")
        ]
        assert rewards[4] == ("BTC", str(fp.parse("0.0001")), str(fp.parse("60000")), "USD")
        # instant buys as trades: the spent side the quote, the fee where Kraken charged it
        instant = store.conn.execute(
            "SELECT side, asset, quote, quantity, price, fee, fee_asset FROM events WHERE trade_id LIKE 'RI%' ORDER BY ts"
        ).fetchall()
        units = lambda text: str(fp.parse(text))  # noqa: E731
        assert instant == [
            ("buy", "ETH", "USD", units("0.1"), units("3000"), units("4.5"), "USD"),
            ("buy", "DOT", "ETH", units("25"), units("0.002"), units("0"), "ETH"),
            ("sell", "DOT", "USD", units("10"), units("5.5"), units("0"), "USD"),
            ("buy", "BTC", "USD", units("0.001"), units("60000"), units("0.9"), "USD"),
        ]


def test_a_second_sync_is_incremental(tmp_path, monkeypatch):
    with LoopbackExchange() as fx:
        history(fx.kraken)
        config = kraken_only(tmp_path, fx, monkeypatch)
        store = Store(tmp_path / "s.sqlite3")
        synced(config, store)
        later = T0 + (TRADES + 100) * MIN
        book.reward(fx.kraken, "DOT.S", "0.3", later)
        fx.kraken.trade("BTC/USD", "sell", "0.01", "61000", later + MIN, fee="0.5")
        fx.requests.clear()
        report = synced(config, store)
        assert (report.added, report.mismatches) == (2, [])
        private = [r for r in fx.requests if "/0/private/" in r]
        assert sum("Ledgers" in r for r in private) == 1  # one page: the new rows above the watermark
        assert sum("TradesHistory" in r for r in private) == 1
        assert len(private) == 5, private  # balance, deposits, withdrawals, trades, ledger
        assert held(store) == balances(fx.kraken)


def test_429s_rate_limit_errors_and_resets_end_as_a_clean_sync(tmp_path, monkeypatch):
    with LoopbackExchange() as fx:
        history(fx.kraken)
        config = kraken_only(tmp_path, fx, monkeypatch)
        synced(config, Store(tmp_path / "clean.sqlite3"))
        fx.inject("/0/private/Ledgers", "status", times=2, status=429, body="Too Many Requests")
        fx.inject(
            "/0/private/Ledgers", "status", times=1, status=200, body='{"error":["EAPI:Rate limit exceeded"]}'
        )
        fx.inject("/0/private/Ledgers", "reset", times=2)
        fx.inject("/0/private/TradesHistory", "reset", times=1)
        faulty = Store(tmp_path / "faulty.sqlite3")
        assert synced(config, faulty).complete
        faulty.close()
        assert not [f for f in fx.faults if f.times]  # every fault was met
        assert natural_keys(tmp_path / "faulty.sqlite3") == natural_keys(tmp_path / "clean.sqlite3")


@pytest.mark.slow
def test_kill_9_mid_ledger_then_resume_equals_a_clean_sync(tmp_path, monkeypatch):
    with LoopbackExchange() as fx:
        history(fx.kraken)
        path = kraken_config(tmp_path, fx, monkeypatch)
        synced(load_config(str(path)), Store(tmp_path / "clean.sqlite3"))
        expected = natural_keys(tmp_path / "clean.sqlite3")
        home = tmp_path / "home"
        for nth in (2, 5):  # the first kill cuts apart the instant buy straddling pages 1 and 2
            killed_at(fx, home, path, "/0/private/Ledgers", nth)
            assert natural_keys(home / "harvest.sqlite3") <= expected
        resumed(fx, home, path)
        assert natural_keys(home / "harvest.sqlite3") == expected


def test_kraken_recorded_candles_value_a_reward_as_the_fake_does(tmp_path, monkeypatch):
    """Kraken's recorded OHLC response (shared/fixtures: XBTUSDT), served as recorded, and the
    fake's own candle with that close value an opt-in BTC reward at one price."""
    fixtures = SHARED / "fixtures" / "ccxt" / "kraken.response.subset.json"
    if not fixtures.exists():
        pytest.skip("shared fixtures not present")
    recorded = json.loads(fixtures.read_text())["methods"]["fetchOHLCV"][0]
    hour_ms, *_ohlc, close, _volume = recorded["parsedResponse"][0]
    rows = []
    for served in ("fake", "recorded"):
        with LoopbackExchange() as fx:
            book.reward(fx.kraken, "BTC.M", "0.0002", hour_ms, earn=True)
            if served == "recorded":
                fx.kraken.recorded["/0/public/OHLC"] = recorded["httpResponse"]
            else:
                fx.kraken.closes["BTC/USDT"] = Decimal(str(close))
            path = kraken_config(tmp_path, fx, monkeypatch, quote_as_usd=["USD", "USDT"])
            store = Store(tmp_path / f"{served}.sqlite3")
            assert synced(load_config(str(path)), store).complete
            rows.append(store.conn.execute(
                "SELECT side, asset, quantity, price, quote, ts, trade_id FROM events"
            ).fetchall())  # fmt: skip
    assert rows[0] == rows[1]
    ((side, asset, quantity, price, quote, ts, _trade_id),) = rows[0]
    assert (side, asset, quantity, price, quote) == ("income", "BTC", str(fp.parse("0.0002")),
                                                     str(fp.parse(str(close))), "USD")  # fmt: skip
    assert ts == hour_ms * 1000


def test_a_reward_without_a_candle_is_flagged_never_zero(tmp_path, monkeypatch):
    with LoopbackExchange() as fx:
        book.reward(fx.kraken, "SOL.S", "2", T0)  # no SOL candle: Kraken no longer serves that minute
        store = Store(tmp_path / "s.sqlite3")
        assert synced(kraken_only(tmp_path, fx, monkeypatch), store).complete
        assert store.conn.execute("SELECT asset, price FROM events").fetchall() == [("SOL", None)]
        result = match_lots(store.ledger(), "fifo")
        assert [w for w in result.warnings if "SOL" in w] == [
            "ledger:LX0001-STAK-SOLS: no USD price for SOL in USD; basis unknown"
        ]
