"""One account's exchange through ccxt: construction (the one client factory), the retry policy,
and the conversion of ccxt's unified records (floats) into exact harvest events at the edge.
With `live_prices` (which streams through ccxt.pro), the only modules that import ccxt."""

from __future__ import annotations

import time
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

import ccxt

from engine.config.load import AccountConfig
from engine.core import fixedpoint as fp
from engine.core.errors import AccountError
from engine.core.units import EpochMillis, millis_to_micros
from engine.exchanges.credentials import environment_hint, load_credentials, redact
from engine.ledger.events import Event

T = TypeVar("T")
MAX_RATE_LIMIT_TRIES = 6
MAX_NETWORK_TRIES = 4
FUTURE_SLACK_MS = 86_400_000  # a record dated more than a day ahead is not believed


def wall_clock_ms() -> EpochMillis:
    """Now, in epoch milliseconds (what exchanges speak)."""
    return EpochMillis(int(time.time() * 1000))


class ExchangeError(AccountError):
    """An account could not be synced (named, with the reason); other accounts go on."""


class StreamUnavailable(ExchangeError):
    """One stream of an account cannot be fetched (ccxt's ArgumentsRequired or NotSupported, or a
    key without the permission): that stream is skipped, named, and the account is incomplete."""


def deep_merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def exchange_settings(account: AccountConfig, credentials: dict[str, str]) -> dict[str, Any]:
    """ccxt's constructor config for an account: harvest's defaults, the account's `ccxt:` section
    on top, the credentials last (so a config can never override them by accident)."""
    settings = deep_merge({"enableRateLimit": True, "timeout": 30_000}, account.ccxt)
    return deep_merge(settings, credentials)


def open_client(account: AccountConfig, *, sleep: Callable[[float], None] = time.sleep) -> ExchangeClient:
    """The one way harvest connects to an account: its credentials from the environment (or the
    secrets file) and harvest's retry policy. `sleep` is the retry wait (the monitor passes an
    interruptible one)."""
    return ExchangeClient(account, load_credentials(account), sleep=sleep)


def to_decimal(value: Any) -> Decimal | None:
    """ccxt's floats to exact decimals through their shortest repr (0.1 stays 0.1)."""
    if value is None or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


class ExchangeClient:
    def __init__(
        self,
        account: AccountConfig,
        credentials: dict[str, str],
        *,
        sleep: Callable[[float], None] = time.sleep,
        now_ms: Callable[[], EpochMillis] = wall_clock_ms,
    ) -> None:
        self.account = account
        self.credentials = credentials
        self.sleep = sleep
        self.now_ms = now_ms
        exchange_class = getattr(ccxt, account.exchange, None)
        if account.exchange not in ccxt.exchanges or exchange_class is None:
            raise ExchangeError(
                account.name, f"unknown exchange id {account.exchange!r} (a ccxt id, e.g. kraken)"
            )
        self.exchange = exchange_class(exchange_settings(account, credentials))
        self.id: str = account.exchange

    # -- calls with harvest's retry policy --------------------------------------------------

    def call(self, what: str, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Rate limits back off and retry (bounded); network trouble retries, then stops the
        account; authentication and other exchange errors stop it at once."""
        rate_tries = network_tries = 0
        while True:
            try:
                return function(*args, **kwargs)
            except (ccxt.RateLimitExceeded, ccxt.DDoSProtection) as exc:
                rate_tries += 1
                if rate_tries >= MAX_RATE_LIMIT_TRIES:
                    raise self.failure(f"{what}: still rate limited after {rate_tries} tries", exc) from None
                self.sleep(min(60.0, 2.0**rate_tries))
            except (ccxt.ArgumentsRequired, ccxt.NotSupported, ccxt.PermissionDenied) as exc:
                # this call can never work as asked: the stream is skipped, never the account
                detail = redact(str(exc), self.credentials)[:200]
                raise StreamUnavailable(
                    self.account.name, f"{what}: {type(exc).__name__}: {detail}"
                ) from None
            except ccxt.AuthenticationError as exc:
                hint = environment_hint(self.account)
                raise self.failure(f"authentication failed (check {hint})", exc) from None
            except (ccxt.NetworkError, ccxt.OperationFailed) as exc:
                network_tries += 1
                if network_tries >= MAX_NETWORK_TRIES:
                    raise self.failure(
                        f"{what}: exchange unreachable after {network_tries} tries", exc
                    ) from None
                self.sleep(min(30.0, 1.0 * 2**network_tries))
            except ccxt.BaseError as exc:
                raise self.failure(f"{what} failed", exc) from None
            except (AttributeError, TypeError, KeyError, ValueError, IndexError) as exc:
                # ccxt trips over a malformed body (an HTTP 200 with broken JSON, say)
                raise self.failure(f"{what}: malformed response from the exchange", exc) from None

    def failure(self, reason: str, exc: BaseException) -> ExchangeError:
        detail = redact(str(exc), self.credentials)[:200]
        return ExchangeError(self.account.name, f"{reason}: {type(exc).__name__}: {detail}")

    def load_markets(self) -> dict[str, Any]:
        markets: dict[str, Any] = self.call("load_markets", self.exchange.load_markets)
        if not markets:  # a broken reply can parse as "no markets": never sync against that
            raise ExchangeError(
                self.account.name, "load_markets: the exchange listed no markets (malformed response?)"
            )
        return markets

    def has(self, capability: str) -> bool:
        """True only for real support: False, None and 'emulated' are not support here."""
        return self.exchange.has.get(capability) is True

    def trade_features(self) -> dict[str, Any]:
        features = (self.exchange.features or {}).get("spot") or {}
        found = features.get("fetchMyTrades") or {}
        return found if isinstance(found, dict) else {}

    def balance(self) -> dict[str, Decimal]:
        raw = self.call("fetch_balance", self.exchange.fetch_balance)
        totals = raw.get("total") or {}
        result: dict[str, Decimal] = {}
        for currency, amount in totals.items():
            value = to_decimal(amount)
            if value is not None and value >= 0:
                result[str(currency)] = value
        return result

    def my_trades(
        self, symbol: str | None, since: EpochMillis | None, limit: int | None, params: dict[str, Any]
    ) -> list[dict[str, Any]]:
        trades: list[dict[str, Any]] = self.call(
            "fetch_my_trades", self.exchange.fetch_my_trades, symbol, since, limit, params
        )
        return trades

    def method(self, name: str, *args: Any) -> Any:
        """Any ccxt method (unified or implicit API, e.g. `v2PrivateGetAccounts`) under the retry
        policy: what a venue module needs beyond the calls above."""
        return self.call(name, getattr(self.exchange, name), *args)

    def transfers(
        self, kind: str, since: EpochMillis | None, until: EpochMillis | None = None
    ) -> list[dict[str, Any]]:
        """Deposits or withdrawals (`kind` "transfer": both, from fetchDepositsWithdrawals)."""
        name = {"deposit": "fetch_deposits", "withdrawal": "fetch_withdrawals"}.get(
            kind, "fetch_deposits_withdrawals"
        )
        params = {} if until is None else {"until": until}
        records: list[dict[str, Any]] = self.call(
            name, getattr(self.exchange, name), None, since, None, params
        )
        return records

    def minute_closes(self, symbol: str, since_ms: EpochMillis, limit: int) -> dict[int, Decimal | None]:
        """1-minute closes from `since_ms` on, by minute (an exchange omits minutes without
        trades, and may give fewer candles than asked); a close that is not a positive number is
        None."""
        candles = self.call("fetch_ohlcv", self.exchange.fetch_ohlcv, symbol, "1m", since_ms, limit)
        found: dict[int, Decimal | None] = {}
        for candle in candles or []:
            if candle and isinstance(candle[0], int) and candle[0] >= since_ms:
                close = to_decimal(candle[4])
                found[candle[0]] = close if close is not None and close > 0 else None
        return found

    def tickers(self, symbols: list[str]) -> dict[str, Decimal]:
        raw = self.call("fetch_tickers", self.exchange.fetch_tickers, symbols)
        prices = {}
        for symbol, ticker in (raw or {}).items():
            last = to_decimal((ticker or {}).get("last"))
            if last is not None and last > 0:  # an HTTP 200 with broken JSON parses as last=None
                prices[symbol] = last
        return prices

    def close(self) -> None:
        session = getattr(self.exchange, "session", None)
        if session is not None:
            session.close()

    # -- records to events ------------------------------------------------------------------

    def trade_event(self, trade: dict[str, Any]) -> Event | str:
        """A unified trade as an Event, or why it is rejected (never stored as zero)."""
        ident = trade.get("id")
        label = f"trade {ident}" if ident else "a trade without id"
        symbol = trade.get("symbol") or ""
        if "/" not in symbol or ":" in symbol:
            return f"{label}: not a spot trade ({symbol or 'no symbol'})"
        base, quote = symbol.split("/", 1)
        side = trade.get("side")
        amount, price = to_decimal(trade.get("amount")), to_decimal(trade.get("price"))
        timestamp = trade.get("timestamp")
        if side not in ("buy", "sell"):
            return f"{label}: unknown side {side!r}"
        if amount is None or amount <= 0:
            return f"{label}: missing or non-positive amount"
        if price is None or price <= 0:
            return f"{label}: missing or non-positive price"
        if not isinstance(timestamp, int) or timestamp <= 0 or timestamp > self.now_ms() + FUTURE_SLACK_MS:
            return f"{label}: missing or impossible timestamp"
        fee_cost, fee_currency = Decimal(0), quote
        fee = trade.get("fee") or {}
        if fee.get("cost") is not None:
            cost = to_decimal(fee.get("cost"))
            if cost is None or cost < 0:
                return f"{label}: bad fee {fee.get('cost')!r}"
            fee_cost, fee_currency = cost, str(fee.get("currency") or quote)
        try:
            event = Event(
                account=self.account.name,
                asset=base,
                side=side,
                timestamp=millis_to_micros(EpochMillis(timestamp)),
                quantity=fp.from_decimal(amount),
                price=fp.from_decimal(price),
                fee=fp.from_decimal(fee_cost),
                quote=quote,
                fee_asset=fee_currency,
                trade_id=str(ident) if ident else None,
                source=f"ccxt:{self.id}",
            )
        except fp.FixedPointError as exc:
            return f"{label}: {exc}"
        beyond = event.out_of_range()
        return event if beyond is None else f"{label}: {beyond}"

    def transfer_event(self, record: dict[str, Any], kind: str) -> Event | str | None:
        """A deposit or withdrawal as transfer_in/transfer_out; None while it is not complete."""
        ident = record.get("id") or record.get("txid")
        label = f"{kind} {ident}"
        if record.get("status") not in (None, "ok"):
            return None
        amount = to_decimal(record.get("amount"))
        currency, timestamp = record.get("currency"), record.get("timestamp")
        if amount is None or amount <= 0 or not currency:
            return f"{label}: missing amount or currency"
        if not isinstance(timestamp, int) or timestamp <= 0 or timestamp > self.now_ms() + FUTURE_SLACK_MS:
            return f"{label}: missing or impossible timestamp"
        fee = record.get("fee") or {}
        fee_cost = to_decimal(fee.get("cost")) or Decimal(0)
        try:
            event = Event(
                account=self.account.name,
                asset=str(currency),
                side="transfer_in" if kind == "deposit" else "transfer_out",
                timestamp=millis_to_micros(EpochMillis(timestamp)),
                quantity=fp.from_decimal(amount),
                price=None,
                fee=fp.from_decimal(fee_cost if kind == "withdrawal" else Decimal(0)),
                quote="USD",
                fee_asset=str(fee.get("currency") or currency),
                trade_id=f"{kind}:{ident}" if ident else None,
                tx_id=record.get("txid"),
                address=record.get("address"),
                source=f"ccxt:{self.id}",
            )
        except fp.FixedPointError as exc:  # one bad record is rejected; the rest of the history goes on
            return f"{label}: {exc}"
        beyond = event.out_of_range()
        return event if beyond is None else f"{label}: {beyond}"
