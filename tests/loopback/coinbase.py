"""One Coinbase user for the loopback Coinbase (its HTTP side is coinbase_http.py): a CDP key
(an EC P-256 key made here), wallets, Advanced Trade fills and v2 transactions — sends,
receives, fills, rewards, conversions, simple buys and staking moves — built so that balances
follow every record, the way Coinbase shows them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from tests.loopback.candles import CandleBook

PRODUCTS = {"BTC-USD": ("BTC", "USD"), "ETH-USD": ("ETH", "USD"), "SOL-USD": ("SOL", "USD"),
            "ADA-USD": ("ADA", "USD"), "ADA-USDT": ("ADA", "USDT"), "ETH-BTC": ("ETH", "BTC"),
            "USDT-USD": ("USDT", "USD")}  # fmt: skip
FIAT = {"USD"}
KEY_NAME = "organizations/0f0e0d0c-org/apiKeys/1a2b3c4d-key"


def iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def money(amount: Decimal, currency: str) -> dict[str, str]:
    return {"amount": f"{amount:f}", "currency": currency}


@dataclass
class Fill:
    trade_id: str
    product_id: str
    side: str  # BUY | SELL
    price: Decimal
    size: Decimal
    commission: Decimal  # in the quote
    ms: int
    seq: int  # the sequence the fill was recorded in: cursors are built on it


@dataclass
class Wallet:
    id: str
    currency: str
    name: str
    balance: Decimal = Decimal(0)
    updated_ms: int = 0
    type: str = "wallet"


@dataclass
class Transaction:
    id: str
    wallet: str
    type: str
    amount: Decimal
    currency: str
    native: Decimal  # USD
    ms: int
    status: str = "completed"
    extra: dict[str, Any] = field(default_factory=dict)
    seq: int = 0

    def body(self) -> dict[str, Any]:
        return {"id": self.id, "type": self.type, "status": self.status,
                "amount": money(self.amount, self.currency), "native_amount": money(self.native, "USD"),
                "description": None, "created_at": iso(self.ms)[:-5] + "Z", "updated_at": iso(self.ms)[:-5] + "Z",
                "resource": "transaction", "resource_path": f"/v2/accounts/{self.wallet}/transactions/{self.id}",
                "instant_exchange": False, **self.extra}  # fmt: skip


class CoinbaseVenue:
    """One Coinbase user: a CDP key, wallets, fills and v2 transactions, and the fake's shape."""

    def __init__(self) -> None:
        self.private_key = ec.generate_private_key(ec.SECP256R1())
        self.key_name = KEY_NAME
        self.pem = self.private_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        ).decode()
        self.wallets: list[Wallet] = []
        self.fills: list[Fill] = []
        self.transactions: list[Transaction] = []
        self.closes: dict[str, Decimal] = {}  # symbol -> the 1m close of any minute
        self.candles = CandleBook()  # candles by market and timeframe, where a test gives them
        self.tickers: dict[str, Decimal] = {}
        self.fill_page_cap = 250  # fills a page at most, whatever `limit` asks
        self.v2_page_cap = 100  # Coinbase's v2 `limit` is 1..100
        self.seq = 0
        self.jwt_claims: list[dict[str, Any]] = []  # every verified token's claims
        self.recorded: dict[str, Any] = {}  # path -> a recorded real response body, served as is

    # -- building a history ---------------------------------------------------------------

    def wallet(self, currency: str, name: str | None = None) -> Wallet:
        name = name or f"{currency} Wallet"
        for found in self.wallets:
            if found.name == name:
                return found
        made = Wallet(str(uuid.uuid5(uuid.NAMESPACE_URL, name)), currency, name,
                      type="fiat" if currency in FIAT else "wallet")  # fmt: skip
        self.wallets.append(made)
        return made

    def record(
        self, wallet: Wallet, kind: str, amount: Decimal, native: Decimal, ms: int, **extra: Any
    ) -> Transaction:
        self.seq += 1
        made = Transaction(str(uuid.uuid4()), wallet.id, kind, amount, wallet.currency, native, ms,
                           status=extra.pop("status", "completed"), extra=extra, seq=self.seq)  # fmt: skip
        self.transactions.append(made)
        if made.status == "completed":
            wallet.balance += amount
        wallet.updated_ms = max(wallet.updated_ms, ms)
        return made

    def fill(
        self,
        product: str,
        side: str,
        size: str,
        price: str,
        ms: int,
        commission: str = "0",
        trade_id: str = "",
    ) -> Fill:
        """An Advanced Trade fill, and its two v2 advanced_trade_fill transactions."""
        base, quote = PRODUCTS[product]
        self.seq += 1
        made = Fill(trade_id or str(uuid.uuid4()), product, side.upper(), Decimal(price), Decimal(size), Decimal(commission), ms,
                    100_000_000 + self.seq)  # fmt: skip
        self.fills.append(made)
        sign = 1 if made.side == "BUY" else -1
        cost = made.size * made.price
        detail = {"advanced_trade_fill": {"fill_price": price, "product_id": product, "order_id": str(uuid.uuid4()),
                                          "commission": commission, "order_side": side.lower()}}  # fmt: skip
        usd = cost if quote == "USD" else Decimal(0)
        self.record(self.wallet(base), "advanced_trade_fill", sign * made.size, sign * usd, ms, **detail)
        self.record(
            self.wallet(quote),
            "advanced_trade_fill",
            -sign * cost - made.commission,
            -sign * usd,
            ms,
            **detail,
        )
        return made

    def send(
        self,
        currency: str,
        amount: str,
        fee: str,
        ms: int,
        tx_hash: str,
        address: str = "bc1qown",
        status: str = "completed",
    ) -> Transaction:
        """A crypto send out: the wallet pays amount + network fee."""
        sent, cost = Decimal(amount), Decimal(fee)
        network = {"status": "confirmed", "hash": tx_hash, "network_name": currency.lower(),
                   "transaction_fee": money(cost, currency), "transaction_amount": money(sent, currency)}  # fmt: skip
        to = {"resource": "address", "address": address, "currency": currency}
        return self.record(
            self.wallet(currency),
            "send",
            -(sent + cost),
            Decimal(0),
            ms,
            network=network,
            to=to,
            status=status,
        )

    def receive(
        self, currency: str, amount: str, ms: int, tx_hash: str, kind: str = "receive", **extra: Any
    ) -> Transaction:
        network = {"status": "confirmed", "hash": tx_hash, "network_name": currency.lower()}
        origin = {"resource": "address", "address": "0xsender", "currency": currency}
        return self.record(self.wallet(currency), kind, Decimal(amount), Decimal(0), ms, network=network,
                           **{"from": origin}, **extra)  # fmt: skip

    def reward(
        self, currency: str, amount: str, usd: str, ms: int, kind: str = "staking_reward"
    ) -> Transaction:
        return self.record(self.wallet(currency), kind, Decimal(amount), Decimal(usd), ms)

    def convert(self, source: str, amount: str, target: str, got: str, usd: str, ms: int) -> None:
        """A Convert trade: a debit and a credit sharing the trade's id."""
        trade = {"id": str(uuid.uuid4()), "resource": "trade"}
        self.record(self.wallet(source), "trade", -Decimal(amount), -Decimal(usd), ms, trade=trade)
        self.record(self.wallet(target), "trade", Decimal(got), Decimal(usd), ms, trade=trade)

    def simple(self, kind: str, currency: str, amount: str, usd: str, fee: str, ms: int) -> None:
        """A simple-app buy or sell against the USD wallet (the fee is taken in USD)."""
        ref = {kind: {"id": str(uuid.uuid4()), "resource": kind}}
        sign = 1 if kind == "buy" else -1
        self.record(self.wallet(currency), kind, sign * Decimal(amount), sign * Decimal(usd), ms, **ref)
        cash = -sign * Decimal(usd) - Decimal(fee)
        self.record(self.wallet("USD"), kind, cash, cash, ms, **ref)

    def stake(self, currency: str, amount: str, ms: int, unstake: bool = False) -> None:
        """A move between the currency's wallet and its staked wallet: nothing taxable."""
        main, staked = self.wallet(currency), self.wallet(currency, f"Staked {currency}")
        source, target = (staked, main) if unstake else (main, staked)
        kind = "unstaking_transfer" if unstake else "staking_transfer"
        self.record(source, kind, -Decimal(amount), Decimal(0), ms)
        self.record(target, kind, Decimal(amount), Decimal(0), ms)

    def balances(self) -> dict[str, Decimal]:
        totals: dict[str, Decimal] = {}
        for found in self.wallets:
            totals[found.currency] = totals.get(found.currency, Decimal(0)) + found.balance
        return totals
