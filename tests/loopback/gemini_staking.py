"""Gemini Staking for the Gemini fake, as Gemini's REST API documentation lists it: the staking
history (POST /v1/staking/history: one entry per provider with its transactions — transactionId,
transactionType, amountCurrency, amount, priceCurrency and priceAmount on interest, dateTime in
ms — filtered by `since`/`until` (ISO 8601 or ms), `limit` 50 by default and 500 at most, newest
first unless `sortAsc`) and the staking balances (POST /v1/balances/staking)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

PROVIDER = "62b21e17-2534-4b9f-afcf-b7edb609dd8d"
HISTORY = "/v1/staking/history"
BALANCES = "/v1/balances/staking"
PATHS = (HISTORY, BALANCES)


@dataclass
class StakingTx:
    ident: str
    kind: str  # Deposit | Redeem | Interest | AdminCreditAdjustment …
    currency: str
    amount: Decimal
    ms: int
    usd: Decimal | None = None  # the token's USD price at an interest payment

    def body(self) -> dict[str, Any]:
        price = {} if self.usd is None else {"priceCurrency": "USD", "priceAmount": float(self.usd)}
        return {"transactionId": self.ident, "transactionType": self.kind, "amountCurrency": self.currency,
                "amount": float(self.amount), **price, "dateTime": self.ms}  # fmt: skip


def _add(venue: Any, kind: str, currency: str, amount: str, ms: int, usd: str | None = None) -> StakingTx:
    made = StakingTx(f"STK{len(venue.staking):05d}", kind, currency, Decimal(amount), ms,
                     None if usd is None else Decimal(usd))  # fmt: skip
    venue.staking.append(made)
    return made


def stake(venue: Any, currency: str, amount: str, ms: int) -> None:
    """Exchange balance into staking."""
    _add(venue, "Deposit", currency, amount, ms)
    venue.move(currency, -Decimal(amount))


def redeem(venue: Any, currency: str, amount: str, ms: int) -> None:
    """Staking back to the exchange balance."""
    _add(venue, "Redeem", currency, amount, ms)
    venue.move(currency, Decimal(amount))


def interest(venue: Any, currency: str, amount: str, ms: int, usd: str | None) -> StakingTx:
    """A reward, accrued in the staking balance (`usd`: the token's price Gemini gives, or none)."""
    return _add(venue, "Interest", currency, amount, ms, usd)


def adjustment(venue: Any, currency: str, amount: str, ms: int) -> StakingTx:
    return _add(venue, "AdminCreditAdjustment", currency, amount, ms)


def staked(venue: Any) -> dict[str, Decimal]:
    totals: dict[str, Decimal] = {}
    for tx in venue.staking:
        sign = -1 if tx.kind in ("Redeem", "AdminDebitAdjustment") else 1
        totals[tx.currency] = totals.get(tx.currency, Decimal(0)) + sign * tx.amount
    return {currency: amount for currency, amount in totals.items() if amount}


def _ms(value: Any) -> int:
    if isinstance(value, str) and not value.isdigit():
        return int(datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp() * 1000)
    return int(value)


def answer(venue: Any, path: str, form: dict[str, Any]) -> Any:
    if path == BALANCES:
        return [{"type": "Staking", "currency": c, "balance": float(v), "available": 0,
                 "availableForWithdrawal": float(v), "balanceByProvider": {PROVIDER: {"balance": float(v)}}}
                for c, v in staked(venue).items()]  # fmt: skip
    since, until = _ms(form.get("since", 0)), _ms(form.get("until", 2**62))
    limit = min(int(form.get("limit", 50)), 500)
    chosen = sorted((tx for tx in venue.staking if since <= tx.ms <= until), key=lambda tx: (tx.ms, tx.ident),
                    reverse=not form.get("sortAsc", False))[:limit]  # fmt: skip
    return [{"providerId": PROVIDER, "transactions": [tx.body() for tx in chosen]}] if chosen else []
