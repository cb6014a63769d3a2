"""Coinbase's v2 transactions (ccxt `fetch_ledger`) as events. Direction is the sign of the
amount; the USD value is the transaction's `native_amount`. Read from the raw record (exact
decimal strings), not ccxt's floats.

- sends and receives (and moves to or from Coinbase Pro / International): transfers, with the
  address and the on-chain hash; a send's network fee is a fee of the transfer.
- staking rewards, interest, inflation rewards, Earn and incentive payouts: income at their value.
- Convert trades, simple-app buys and sells, dust sweeps: each wallet's side is a trade at its
  USD value (the sold side a sale, the bought side a purchase — what a crypto-to-crypto trade is).
- Advanced Trade fills: nothing here (the fills stream has them, with their fees).
- moves between the user's own wallets (staking, vaults, transfers): nothing taxable.
Any other type is rejected by name (read again next sync), never guessed."""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from engine.core import fixedpoint as fp
from engine.core.units import EpochMillis, millis_to_micros
from engine.ledger.events import Event

TRANSFERS = {"send", "receive", "request", "pro_deposit", "pro_withdrawal", "exchange_deposit",
             "exchange_withdrawal", "intx_deposit", "intx_withdrawal"}  # fmt: skip
INCOME = {"staking_reward", "inflation_reward", "interest", "earn_payout", "incentives_rewards_payout"}
TRADES = {"trade", "buy", "sell", "retail_simple_dust"}
NOTHING = {"advanced_trade_fill", "staking_transfer", "unstaking_transfer", "transfer", "vault_withdrawal"}
DONE = "completed"
NEVER_HAPPENED = {"canceled", "failed", "expired"}


def iso_millis(text: object) -> int | None:
    """Coinbase's ISO 8601 times (up to nanoseconds, `Z`) in epoch milliseconds."""
    if not isinstance(text, str) or not text:
        return None
    trimmed = re.sub(r"(\.\d{6})\d+", r"\1", text.replace("Z", "+00:00"))
    try:
        return int(datetime.fromisoformat(trimmed).timestamp() * 1000)
    except ValueError:
        return None


def _decimal(money: Any) -> tuple[Decimal, str] | None:
    if not isinstance(money, dict):
        return None
    try:
        return Decimal(str(money.get("amount"))), str(money.get("currency") or "")
    except (InvalidOperation, ValueError):
        return None


def needs_reading(info: dict[str, Any]) -> bool:
    """False for records that never become events (so their status does not matter)."""
    return info.get("type") not in NOTHING and info.get("status") not in NEVER_HAPPENED


def transaction_event(info: dict[str, Any], account: str, usd_assets: frozenset[str]) -> Event | str | None:
    """One completed v2 transaction as an event; None when nothing taxable happened; a string
    says why it is rejected."""
    kind, ident = str(info.get("type")), str(info.get("id"))
    label = f"coinbase transaction {ident} ({kind})"
    if kind in NOTHING:
        return None
    amount, native = _decimal(info.get("amount")), _decimal(info.get("native_amount"))
    ms = iso_millis(info.get("created_at"))
    if amount is None or amount[0] == 0 or not amount[1]:
        return f"{label}: missing amount"
    if ms is None:
        return f"{label}: missing or impossible time"
    quantity, asset = abs(amount[0]), amount[1]
    try:
        base = Event(
            account=account,
            asset=asset,
            side="income",
            timestamp=millis_to_micros(EpochMillis(ms)),
            quantity=fp.from_decimal(quantity),
            price=None,
            fee=fp.from_decimal(Decimal(0)),
            trade_id=f"{kind}:{ident}",
            source="ccxt:coinbase",
        )
    except fp.FixedPointError as exc:
        return f"{label}: {exc}"
    try:
        if kind in TRANSFERS:
            event = _transfer(info, amount[0], asset, base)
        elif kind in INCOME or kind in TRADES:
            if native is None or native[0] == 0 or not native[1]:
                return f"{label}: no value (native_amount) to price it with"
            price = fp.unit_price(fp.from_decimal(abs(native[0])), base.quantity)
            side = "income" if kind in INCOME else ("buy" if amount[0] > 0 else "sell")
            if kind in INCOME and amount[0] < 0:
                return f"{label}: a negative reward"
            event = base._replace(side=side, price=price, quote=native[1], fee_asset=native[1])
        else:
            return f"{label}: this type is not synced; import Coinbase's transaction report for it"
    except (fp.FixedPointError, InvalidOperation) as exc:
        return f"{label}: {exc}"
    beyond = event.out_of_range()
    return event if beyond is None else f"{label}: {beyond}"


def _transfer(info: dict[str, Any], signed: Decimal, asset: str, base: Event) -> Event:
    network = info.get("network") if isinstance(info.get("network"), dict) else {}
    assert isinstance(network, dict)
    fee = _decimal(network.get("transaction_fee"))
    fee_cost = fee[0] if fee is not None and fee[1] == asset and signed < 0 else Decimal(0)
    ends = [info.get(side) for side in ("to", "from")]
    addresses = [e.get("address") for e in ends if isinstance(e, dict) and e.get("address")]
    return base._replace(
        side="transfer_out" if signed < 0 else "transfer_in",
        quantity=fp.from_decimal(abs(signed) - fee_cost),  # what left on chain; the fee is its own leg
        fee=fp.from_decimal(fee_cost),
        quote="USD",
        fee_asset=asset,
        tx_id=network.get("hash") or None,
        address=str(addresses[0]) if addresses else None,
    )
