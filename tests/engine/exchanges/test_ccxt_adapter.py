"""The ccxt edge: recorded real responses become exact events; bad records are refused; the
retry policy; credentials never leak into messages."""

from __future__ import annotations

import json
import os
import stat

import ccxt
import pytest

from engine.config.load import AccountConfig
from engine.core import fixedpoint as fp
from engine.core.errors import ConfigError
from engine.exchanges.ccxt_adapter import ExchangeClient, ExchangeError
from engine.exchanges.credentials import CredentialsError, load_credentials, redact
from tests.support import SHARED

FIXTURES = SHARED / "fixtures" / "ccxt"
NOW_MS = 1_795_000_000_000


def client(exchange: str = "binance", **kw: object) -> ExchangeClient:
    account = AccountConfig(name=f"my-{exchange}", exchange=exchange, **kw)  # type: ignore[arg-type]
    return ExchangeClient(account, {"apiKey": "KEY-abcdef", "secret": "SECRET-123456"}, sleep=lambda s: None,
                          now_ms=lambda: NOW_MS)  # fmt: skip


def fixture_trades(name: str) -> list[dict]:
    data = json.loads((FIXTURES / f"{name}.response.subset.json").read_text())
    return data["methods"]["fetchMyTrades"][0]["parsedResponse"]


@pytest.mark.skipif(not FIXTURES.exists(), reason="shared fixtures not present")
def test_recorded_binance_trade_becomes_an_exact_event():
    (trade,) = fixture_trades("binance")
    event = client().trade_event(trade)
    assert not isinstance(event, str)
    # LTC/USDT sell 0.2 at 69.63, fee 0.013926 USDT (floats in, exact decimals out)
    assert (event.asset, event.quote, event.side) == ("LTC", "USDT", "sell")
    assert event.quantity == fp.parse("0.2")
    assert event.price == fp.parse("69.63")
    assert (event.fee, event.fee_asset) == (fp.parse("0.013926"), "USDT")
    assert event.timestamp == 1698138992358 * 1000
    assert event.trade_id == "309520010"


@pytest.mark.skipif(not FIXTURES.exists(), reason="shared fixtures not present")
def test_recorded_coinbase_trade_becomes_an_exact_event():
    trade = fixture_trades("coinbase")[0]
    event = client("coinbase").trade_event(trade)
    assert not isinstance(event, str)
    assert (event.asset, event.quote, event.quantity, event.price) == (
        "ADA",
        "USDT",
        fp.parse("10"),
        fp.parse("0.392"),
    )
    assert event.fee == fp.parse("0.03136")


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"amount": None}, "missing or non-positive amount"),
        ({"amount": -1}, "missing or non-positive amount"),
        ({"price": 0}, "missing or non-positive price"),
        ({"timestamp": NOW_MS + 2 * 86_400_000}, "impossible timestamp"),
        ({"symbol": "BTC/USDT:USDT"}, "not a spot trade"),
        ({"side": "lend"}, "unknown side"),
        ({"fee": {"cost": -1, "currency": "BTC"}}, "bad fee"),
    ],
)
def test_malformed_trades_are_rejected_never_zero(change, reason):
    trade = {"id": "7", "symbol": "BTC/USDT", "side": "buy", "amount": 1.5, "price": 30000.1,
             "timestamp": NOW_MS - 1000, "fee": {"cost": 0.1, "currency": "USDT"}} | change  # fmt: skip
    result = client().trade_event(trade)
    assert isinstance(result, str)
    assert reason in result


def test_transfers_become_transfer_events_when_complete():
    c = client()
    deposit = {"id": "d1", "txid": "0xabc", "currency": "BTC", "amount": 0.5, "timestamp": NOW_MS - 5,
               "status": "ok", "address": "bc1q", "fee": None}  # fmt: skip
    event = c.transfer_event(deposit, "deposit")
    assert not isinstance(event, str)
    assert event is not None
    assert (event.side, event.asset, event.quantity, event.tx_id) == (
        "transfer_in",
        "BTC",
        fp.parse("0.5"),
        "0xabc",
    )
    assert c.transfer_event(deposit | {"status": "pending"}, "deposit") is None
    withdrawal = deposit | {"fee": {"cost": 0.0001, "currency": "BTC"}}
    out = c.transfer_event(withdrawal, "withdrawal")
    assert not isinstance(out, str)
    assert out is not None
    assert (out.side, out.fee) == ("transfer_out", fp.parse("0.0001"))


def test_rate_limits_back_off_then_succeed():
    c = client()
    waits: list[float] = []
    c.sleep = waits.append
    attempts = iter([ccxt.DDoSProtection("429"), ccxt.RateLimitExceeded("-1003"), "fine"])

    def flaky() -> str:
        outcome = next(attempts)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    assert c.call("fetch_balance", flaky) == "fine"
    assert waits == [2.0, 4.0]


def test_network_trouble_retries_then_stops_the_account():
    c = client()
    calls = []

    def down() -> None:
        calls.append(1)
        raise ccxt.ExchangeNotAvailable("503 Service Unavailable")

    with pytest.raises(ExchangeError, match="my-binance: fetch_balance: exchange unreachable after 4 tries"):
        c.call("fetch_balance", down)
    assert len(calls) == 4


def test_bad_keys_name_the_account_and_variables_and_never_the_key():
    account = AccountConfig(name="main", exchange="binance", api_key_env="BN_KEY", secret_env="BN_SECRET")
    c = ExchangeClient(account, {"apiKey": "KEY-abcdef", "secret": "SECRET-123456"}, sleep=lambda s: None)

    def refused() -> None:
        raise ccxt.AuthenticationError('binance {"code":-2015,"msg":"Invalid API-key KEY-abcdef"}')

    with pytest.raises(ExchangeError) as caught:
        c.call("fetch_balance", refused)
    message = str(caught.value)
    assert "main: authentication failed (check BN_KEY / BN_SECRET)" in message
    assert "KEY-abcdef" not in message


def test_unknown_exchange_id_is_a_clear_error():
    with pytest.raises(ExchangeError, match="unknown exchange id 'krakn'"):
        client("krakn")


def test_credentials_from_env_and_a_private_secrets_file(tmp_path, monkeypatch):
    monkeypatch.setenv("K_KEY", "k1")
    monkeypatch.setenv("K_SECRET", "s1")
    account = AccountConfig(name="kr", exchange="kraken", api_key_env="K_KEY", secret_env="K_SECRET")
    assert load_credentials(account) == {"apiKey": "k1", "secret": "s1"}
    monkeypatch.delenv("K_SECRET")
    with pytest.raises(CredentialsError, match="kr: environment variable K_SECRET is not set"):
        load_credentials(account)
    secrets = tmp_path / "secrets.yaml"
    secrets.write_text("apiKey: fk\nsecret: fs\n")
    os.chmod(secrets, 0o644)
    filed = AccountConfig(name="kr", exchange="kraken", secrets_file=str(secrets))
    with pytest.raises(ConfigError, match="readable by others"):
        load_credentials(filed)
    os.chmod(secrets, 0o600)
    assert stat.S_IMODE(secrets.stat().st_mode) == 0o600
    assert load_credentials(filed) == {"apiKey": "fk", "secret": "fs"}


def test_redact_scrubs_keys_and_signatures():
    text = "GET /api/v3/account?timestamp=1&signature=deadbeef01 key=KEY-abcdef"
    assert (
        redact(text, {"apiKey": "KEY-abcdef"})
        == "GET /api/v3/account?timestamp=1&signature=[redacted] key=[redacted]"
    )


def test_a_secrets_file_that_is_a_fifo_is_refused_not_read(tmp_path):
    import os

    fifo = tmp_path / "secrets.yaml"
    os.mkfifo(fifo, 0o600)
    with pytest.raises(CredentialsError, match="is not a regular file"):
        load_credentials(AccountConfig(name="kr", exchange="kraken", secrets_file=str(fifo)))
