"""Coinbase synced completely: real ccxt against the loopback Coinbase (tests/loopback/coinbase.py),
signing CDP JWTs with an EC key made here. Fills several cursor pages deep, sends, receives,
staking, rewards, Convert trades and simple buys end as lots equal to the history and to the
balances; later syncs are incremental; 429 pages, resets and kill -9 end as a clean sync."""

from __future__ import annotations

import json
import random
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from engine.config.load import AccountConfig, load_config
from engine.core import fixedpoint as fp
from engine.exchanges.ccxt_adapter import ExchangeClient
from engine.exchanges.sync import sync_accounts
from engine.ledger.lots import match_lots
from engine.store.store import Store
from tests.engine.exchanges.test_sync import no_wait
from tests.loopback import LoopbackExchange, ccxt_urls
from tests.loopback.checks import held, killed_at, natural_keys, resumed, synced
from tests.loopback.coinbase import CoinbaseVenue
from tests.support import SHARED

T0 = 1_767_225_600_000  # 2026-01-01T00:00:00Z
MIN = 60_000
FILLS = 3_000
HTML_429 = "<html><head><title>429 Too Many Requests</title></head><body>Too Many Requests</body></html>"


def history(cb: CoinbaseVenue, fills: int = FILLS) -> None:
    """Fills on three products (several pages of 250), and in the v2 transactions: a send out with
    a network fee, receives (new and old style), a pending send, staking with rewards, a Convert,
    a simple buy and sell, and a type harvest does not sync."""
    rng = random.Random(14)
    cb.fill(
        "BTC-USD", "buy", "1", "29000", T0 - MIN, commission="10"
    )  # funds the ETH-BTC buys from the start
    for i in range(fills):
        product = ("BTC-USD", "ETH-USD", "ETH-BTC")[i % 3]
        price = {"BTC-USD": 30000, "ETH-USD": 2000, "ETH-BTC": 0}[product] + rng.randint(-50, 50)
        side = "sell" if i % 5 == 4 else "buy"
        if product == "ETH-BTC":
            cb.fill(product, side, "0.1", "0.065", T0 + i * MIN, commission="0.00001")
        else:
            cb.fill(product, side, "0.01", str(price), T0 + i * MIN, commission="0.5")
    later = T0 + fills * MIN
    cb.send("BTC", "0.1", "0.0001", later + 1 * MIN, "0xsendbtc", "bc1qcold")
    cb.receive("ETH", "1.5", later + 2 * MIN, "0xrecveth")
    cb.receive("SOL", "10", later + 3 * MIN, "0xrecvsol", kind="send")  # the older style: a send, positive
    cb.stake("ETH", "1", later + 4 * MIN)
    for n in range(3):
        cb.reward("ETH", "0.001", "2.5", later + (5 + n) * MIN)
    cb.reward("SOL", "0.05", "7.5", later + 8 * MIN, kind="inflation_reward")
    cb.stake("ETH", "0.4", later + 9 * MIN, unstake=True)
    cb.convert("SOL", "4", "ADA", "1000", "600", later + 10 * MIN)
    cb.simple("buy", "ADA", "500", "250", "2.99", later + 11 * MIN)
    cb.simple("sell", "ADA", "100", "55", "0.99", later + 12 * MIN)
    cb.closes["ETH/USD"] = Decimal(2000)  # ETH-BTC fills are valued from ETH's USD close
    cb.tickers.update({"BTC/USD": Decimal(90000), "ETH/USD": Decimal(3000), "SOL/USD": Decimal(150),
                       "ADA/USD": Decimal("0.5")})  # fmt: skip


def config_file(tmp_path: Path, fx: LoopbackExchange, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CB_KEY", fx.coinbase.key_name)
    monkeypatch.setenv("CB_SECRET", fx.coinbase.pem)  # a CDP key's PEM, several lines
    config = {
        "tax": {"timezone": "UTC"},
        "accounts": [{"name": "coinbase", "exchange": "coinbase", "api_key_env": "CB_KEY", "secret_env": "CB_SECRET",
                      "ccxt": {"enableRateLimit": False, "timeout": 3000, "urls": ccxt_urls("coinbase", fx.base_url)}}],
    }  # fmt: skip
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


def crypto(balances: dict[str, Decimal]) -> dict[str, Decimal]:
    return {asset: amount for asset, amount in balances.items() if asset != "USD" and amount}


def test_a_deep_history_ends_as_lots_equal_to_the_history_and_the_balances(tmp_path, monkeypatch):
    with LoopbackExchange() as fx:
        history(fx.coinbase)
        # still pending at the first sync: not in the balance yet, read again next time
        pending = fx.coinbase.send(
            "BTC", "0.05", "0.0001", T0 + (FILLS + 20) * MIN, "0xlater", status="pending"
        )
        config = load_config(str(config_file(tmp_path, fx, monkeypatch)))
        store = Store(tmp_path / "s.sqlite3")
        report = synced(config, store)
        assert report.complete
        assert (report.rejected, report.mismatches, report.pending) == ([], [], 1)
        fill_pages = [r for r in fx.requests if "/historical/fills" in r]
        assert len(fill_pages) == FILLS // 250 + 1  # newest first, by cursor, to the end
        assert held(store) == crypto(fx.coinbase.balances())  # = the history's net
        sides = dict(store.conn.execute("SELECT side, count(*) FROM events GROUP BY side").fetchall())
        assert sides == {"buy": 1 + FILLS - FILLS // 5 + 2, "sell": FILLS // 5 + 2, "income": 4,
                         "transfer_in": 2, "transfer_out": 1}  # fmt: skip
        send = store.conn.execute(
            "SELECT quantity, fee, tx_id, address FROM events WHERE side = 'transfer_out'"
        ).fetchone()
        assert send == (str(fp.parse("0.1")), str(fp.parse("0.0001")), "0xsendbtc", "bc1qcold")
        reward = store.conn.execute(
            "SELECT price, quote FROM events WHERE side = 'income' AND asset = 'ETH'"
        ).fetchone()
        assert reward == (str(fp.parse("2500")), "USD")  # $2.50 for 0.001 ETH
        assert all(claims["sub"] == fx.coinbase.key_name for claims in fx.coinbase.jwt_claims)
        # the pending send completes: the next sync stores it, and the lots follow
        pending.status = "completed"
        fx.coinbase.wallet("BTC").balance += pending.amount
        fx.coinbase.wallet("BTC").updated_ms += 1
        again = synced(config, store)
        assert (again.added, again.pending, again.mismatches) == (1, 0, [])
        assert held(store) == crypto(fx.coinbase.balances())


def test_a_second_sync_is_incremental(tmp_path, monkeypatch):
    with LoopbackExchange() as fx:
        history(fx.coinbase)
        config = load_config(str(config_file(tmp_path, fx, monkeypatch)))
        store = Store(tmp_path / "s.sqlite3")
        synced(config, store)
        later = T0 + (FILLS + 100) * MIN
        fx.coinbase.fill("BTC-USD", "buy", "0.02", "31000", later, commission="0.5")
        fx.coinbase.reward("ETH", "0.002", "5", later + MIN)
        fx.requests.clear()
        report = synced(config, store)
        assert (report.added, report.mismatches) == (2, [])
        reads = [
            r
            for r in fx.requests
            if "/fills" in r or "/transactions" in r or r.startswith("GET /api.coinbase.com/v2/accounts?")
        ]
        assert len(reads) <= 5, reads  # fills once, the wallet list, the two wallets that changed
        assert not [r for r in reads if "cursor=" in r or "starting_after=" in r]  # no history re-paged
        assert held(store) == crypto(fx.coinbase.balances())


def test_429_html_pages_and_resets_end_as_a_clean_sync(tmp_path, monkeypatch):
    with LoopbackExchange() as fx:
        history(fx.coinbase, fills=900)
        config = load_config(str(config_file(tmp_path, fx, monkeypatch)))
        synced(config, Store(tmp_path / "clean.sqlite3"))
        fx.inject("/historical/fills", "html", times=3, status=429, body=HTML_429)
        fx.inject("/transactions", "reset", times=2)
        fx.inject("/v2/accounts", "html", times=1, status=429, body=HTML_429)
        faulty = Store(tmp_path / "faulty.sqlite3")
        assert synced(config, faulty).complete
        faulty.close()
        assert not [f for f in fx.faults if f.times]  # every fault was met
        assert natural_keys(tmp_path / "faulty.sqlite3") == natural_keys(tmp_path / "clean.sqlite3")


@pytest.mark.slow
def test_kill_9_at_chosen_requests_then_resume_equals_a_clean_sync(tmp_path, monkeypatch):
    with LoopbackExchange() as fx:
        history(fx.coinbase, fills=1500)
        config = config_file(tmp_path, fx, monkeypatch)
        synced(load_config(str(config)), Store(tmp_path / "clean.sqlite3"))
        expected = natural_keys(tmp_path / "clean.sqlite3")
        home = tmp_path / "home"
        # mid-way through the fills' pages, then mid-way through a wallet's transactions
        runs = [
            killed_at(fx, home, config, "/historical/fills", 3),
            killed_at(fx, home, config, "/transactions", 2),
        ]
        assert natural_keys(home / "harvest.sqlite3") <= expected
        # the second run resumed the fills where the first was killed, not from the newest page
        assert "cursor=" in [r for r in runs[1] if "/historical/fills" in r][0]
        resumed(fx, home, config)
        assert natural_keys(home / "harvest.sqlite3") == expected


def test_the_recorded_real_responses_parse_to_the_same_events_as_the_fakes(tmp_path, monkeypatch):
    """Coinbase's recorded ADA/USDT fill and v2 accounts page (shared/fixtures), served as
    recorded, give the events and balance the fake's own rendering of the same records gives."""
    fixtures = SHARED / "fixtures" / "ccxt" / "coinbase.response.subset.json"
    if not fixtures.exists():
        pytest.skip("shared fixtures not present")
    methods = json.loads(fixtures.read_text())["methods"]
    recorded_fill = methods["fetchMyTrades"][0]
    recorded_balance = methods["fetchBalance"][0]
    raw = recorded_fill["httpResponse"]["fills"][0]
    rows = []
    for served in ("fake", "recorded"):
        with LoopbackExchange() as fx:
            if served == "recorded":
                fx.coinbase.recorded["/api/v3/brokerage/orders/historical/fills"] = recorded_fill[
                    "httpResponse"
                ]
                fx.coinbase.recorded["/v2/accounts"] = recorded_balance["httpResponse"]
            else:  # the same fill and wallets, as the fake renders them
                fx.coinbase.fill("ADA-USDT", raw["side"], raw["size"], raw["price"], 1700993987504,
                                 commission=raw["commission"], trade_id=raw["trade_id"])  # fmt: skip
                for wallet in fx.coinbase.wallets:
                    wallet.balance = Decimal(0)
                fx.coinbase.wallet("MASK", "MASK Wallet")
                fx.coinbase.wallet("ADA", "Staked ADA").balance = Decimal("5.047160")
            config = load_config(str(config_file(tmp_path, fx, monkeypatch)))
            store = Store(tmp_path / f"{served}.sqlite3")
            (report,) = sync_accounts(config, store, client_factory=no_wait)
            rows.append(store.conn.execute(
                "SELECT side, asset, quote, quantity, price, fee, fee_asset, ts, trade_id FROM events"
            ).fetchall())  # fmt: skip
            # the balance read from the wallets (here unexplained by a history of one sale)
            balance = {asset: exchange for asset, _ledger, exchange in report.mismatches}
            assert balance == {"ADA": fp.parse("5.04716"), "USDT": 0}
    assert rows[0] == rows[1]
    event = ExchangeClient(AccountConfig(name="coinbase", exchange="coinbase"), {}).trade_event(
        recorded_fill["parsedResponse"][0]
    )
    assert not isinstance(event, str)
    ((side, asset, quote, quantity, price, fee, fee_asset, ts, trade_id),) = rows[0]
    assert (side, asset, quote, fee_asset, ts, trade_id) == (
        event.side, event.asset, event.quote, event.fee_asset, event.timestamp, event.trade_id
    )  # fmt: skip
    assert (quantity, price, fee) == (str(event.quantity), str(event.price), str(event.fee))


def test_sync_stores_current_prices_so_scan_has_them(tmp_path, monkeypatch, capsys):
    """`harvest scan` after `harvest sync` used to say "no prices: … or run harvest sync"."""
    from tui.cli.main import main

    with LoopbackExchange() as fx:
        history(fx.coinbase, fills=30)
        path = config_file(tmp_path, fx, monkeypatch)
        monkeypatch.setenv("HARVEST_HOME", str(tmp_path / "home"))
        assert main(["--config", str(path), "sync"]) == 0
        with Store(tmp_path / "home" / "harvest.sqlite3") as store:
            prices, _oldest = store.last_prices()
            sources = {row[0] for row in store.conn.execute("SELECT source FROM prices")}
        assert prices == {"BTC": fp.parse("90000"), "ETH": fp.parse("3000"), "SOL": fp.parse("150"),
                          "ADA": fp.parse("0.5")}  # fmt: skip
        assert sources == {"sync"}
        capsys.readouterr()
        assert main(["--config", str(path), "scan"]) == 0
        captured = capsys.readouterr()
        assert "no prices" not in captured.out + captured.err


def test_a_coinbase_send_pairs_with_its_kraken_deposit_by_hash_else_by_the_window(tmp_path, monkeypatch):
    """Synced transfers carry their basis across accounts: one by its on-chain hash, one without
    a hash on the Kraken side by asset, amount and time (no counterpart_account anywhere)."""
    from tests.loopback.server import Transfer

    with LoopbackExchange() as fx:
        fx.coinbase.fill("BTC-USD", "buy", "1", "30000", T0)
        fx.coinbase.send("BTC", "0.5", "0.0001", T0 + 10 * MIN, "0xsame")
        fx.coinbase.send("BTC", "0.2", "0.0001", T0 + 20 * MIN, "0xcoinbaseonly")
        fx.kraken.deposits.append(Transfer("K1", "0xsame", "BTC", Decimal("0.5"), Decimal(0), T0 + 40 * MIN))
        fx.kraken.deposits.append(Transfer("K2", "", "BTC", Decimal("0.2"), Decimal(0), T0 + 51 * MIN))
        fx.kraken.move("BTC", Decimal("0.7"))
        config_file(tmp_path, fx, monkeypatch)
        monkeypatch.setenv("KR_KEY", fx.kraken.api_key)
        monkeypatch.setenv("KR_SECRET", fx.kraken.secret)
        data = yaml.safe_load((tmp_path / "config.yaml").read_text())
        data["accounts"].append({"name": "kraken", "exchange": "kraken", "api_key_env": "KR_KEY",
                                 "secret_env": "KR_SECRET", "ccxt": {"enableRateLimit": False, "timeout": 3000,
                                                                     "urls": ccxt_urls("kraken", fx.base_url)}})  # fmt: skip
        (tmp_path / "config.yaml").write_text(yaml.safe_dump(data))
        store = Store(tmp_path / "s.sqlite3")
        reports = sync_accounts(load_config(str(tmp_path / "config.yaml")), store, client_factory=no_wait)
        assert [(r.account, r.complete, r.mismatches) for r in reports] == [
            ("coinbase", True, []),
            ("kraken", True, []),
        ]
        kraken = sorted(
            (lot.quantity, lot.basis)
            for lot in match_lots(store.ledger()).open_lots
            if lot.account == "kraken"
        )
        assert kraken == [(fp.parse("0.2"), fp.parse("6000")), (fp.parse("0.5"), fp.parse("15000"))]


def test_a_jwt_signed_with_another_key_is_refused_and_named(tmp_path, monkeypatch):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    other = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )
    with LoopbackExchange() as fx:
        config = load_config(str(config_file(tmp_path, fx, monkeypatch)))
        monkeypatch.setenv("CB_SECRET", other.decode())
        (report,) = sync_accounts(config, Store(tmp_path / "s.sqlite3"), client_factory=no_wait)
        assert report.error is not None
        assert report.error.startswith("authentication failed (check CB_KEY / CB_SECRET)")
        assert "invalid signature" in report.error
