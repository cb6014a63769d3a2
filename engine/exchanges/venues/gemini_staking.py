"""Gemini Staking, through the endpoints ccxt 4.5.90 declares for gemini (its implicit API; ccxt
has no ledger for Gemini):

- POST /v1/staking/history: each provider's transactions. Interest is income at the USD price
  Gemini gives for the token at the reward (`priceAmount` in `priceCurrency`), else valued from
  the minute's candle, else flagged — never zero. Deposit (exchange to staking), Redeem,
  RedeemPayment and AdminRedeem (back) are nothing taxable: the coins stay the account's. An
  admin credit or debit adjustment is rejected by name (read again next sync), never guessed.
  Read forward from the stored time (`since`, ascending, 500 a request), each next request from
  the newest time seen (ids dedupe the overlap), until a short page; a rejected record holds the
  cursor below it.
- POST /v1/balances/staking: added to the exchange balance, so staked coins reconcile.
Gemini Earn (/v1/earn/…, the program closed in 2022-23) is not read: its interest comes from
Gemini's transaction history file."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from engine.exchanges.ccxt_adapter import StreamUnavailable, to_decimal
from engine.exchanges.paging import Record
from engine.exchanges.streams import Balance, SyncContext, income_event
from engine.ledger.events import Event

PAGE = 500  # /v1/staking/history: `limit` at most
INTEREST = "Interest"
MOVES = {"Deposit", "Redeem", "RedeemPayment", "AdminRedeem"}  # between exchange and staking


def staking_event(record: Record, account: str, usd_assets: frozenset[str]) -> Event | str | None:
    """One staking transaction as income; None for a move between the account's own balances;
    a string says why it is rejected."""
    kind, ident = str(record.get("transactionType") or ""), record.get("transactionId")
    label = f"gemini staking {ident} ({kind})"
    if kind in MOVES:
        return None
    if kind != INTEREST:
        return f"{label}: this type is not synced; import Gemini's transaction history for it"
    asset, ms = str(record.get("amountCurrency") or ""), record.get("dateTime")
    amount, unit = to_decimal(record.get("amount")), to_decimal(record.get("priceAmount"))
    if not asset or ident is None or amount is None or amount <= 0:
        return f"{label}: missing asset, id or amount"
    if not isinstance(ms, int) or ms <= 0:
        return f"{label}: missing or impossible time"
    priced = unit is not None and unit > 0 and str(record.get("priceCurrency") or "").upper() in usd_assets
    return income_event(
        label,
        account,
        asset,
        ms,
        amount,
        f"staking:{ident}",
        "ccxt:gemini",
        unit_usd=unit if priced else None,
    )


@dataclass
class StakingHistory:
    name: str = "staking"

    def run(self, ctx: SyncContext) -> None:
        stored = ctx.cursor(self.name)
        since = int(stored) if stored else None
        held = False  # once a record is rejected the cursor stays below it for the rest of this run
        while True:
            params: dict[str, object] = {"limit": PAGE, "sortAsc": True}
            if since is not None:
                params["since"] = ctx.client.exchange.iso8601(since)
            body = ctx.client.method("privatePostV1StakingHistory", params)
            records = [t for provider in body or [] if isinstance(provider, dict)
                       for t in provider.get("transactions") or [] if isinstance(t, dict)]  # fmt: skip
            if not records:
                return
            events: list[Event] = []
            for record in records:
                converted = staking_event(record, ctx.account.name, ctx.usd_assets)
                if isinstance(converted, str):
                    ctx.report.rejected.append(converted)
                    held = True
                elif converted is not None:
                    events.append(converted)
            newest = max(int(t.get("dateTime") or 0) for t in records)
            ctx.report.fetched += len(records)
            ctx.commit(events, self.name, None if held else str(newest))
            if len(records) < PAGE:
                return
            # a full page within one millisecond: step past it rather than ask it again
            since = newest if since is None or newest > since else since + 1


def balance(ctx: SyncContext) -> Balance:
    """The exchange balance with the staked amounts added (a key without staking access: the
    exchange balance alone, and the account is reported incomplete)."""
    totals = dict(ctx.client.balance())
    try:
        rows = ctx.client.method("privatePostV1BalancesStaking", {})
    except StreamUnavailable as exc:
        ctx.report.incomplete.append(f"staking balance: {exc.reason}")
        return totals
    for row in rows or []:
        code, amount = (row or {}).get("currency"), to_decimal((row or {}).get("balance"))
        if code and amount is not None and amount > 0:
            asset = str(ctx.client.exchange.safe_currency_code(code))
            totals[asset] = totals.get(asset, Decimal(0)) + amount
    return totals
