"""Binance.US: Binance's streams (binance.py) on its own hosts, plus its staking, which only
Binance.US's own endpoints give — ccxt 4.5.90 declares them for `binanceus` (implicit API), while
its `fetch_ledger` serves Binance's derivatives wallets only (NotSupported for spot).

- Rewards (GET /sapi/v1/staking/stakingRewardsHistory: asset, amount, usdValue, time, tranId,
  autoRestaked): income at the USD value Binance.US gives (usdValue), else valued from the
  minute's candle, else flagged — never zero. Asked in 90-day windows from the launch, as the
  transfer history is (the cursor a day behind now), page after page within a window; a
  rejected reward holds the cursor below it. Read before the trades, like the transfers: a
  reward names an asset whose markets are read.
- The staking balance (GET /sapi/v1/staking/stakingBalance) is added to the spot balance: staked
  coins and restaked rewards are the account's. Moving into or out of staking is nothing
  taxable, so the staking history itself is not read."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from engine.exchanges.ccxt_adapter import StreamUnavailable, to_decimal
from engine.exchanges.paging import Record
from engine.exchanges.streams import (
    DAY_MS,
    SETTLE_MS,
    SINCE_OVERLAP_MS,
    Balance,
    Markets,
    Stream,
    SyncContext,
    Venue,
    income_event,
)
from engine.exchanges.venues import binance
from engine.ledger.events import Event

REWARDS_PAGE = 500  # stakingRewardsHistory: `limit` at most
WINDOW_DAYS = 90


def reward_event(record: Record, account: str) -> Event | str:
    """One staking reward as income (its price the USD value per unit, or None to be valued),
    or why it is rejected."""
    ident = record.get("tranId")
    label = f"binanceus staking reward {ident}"
    asset, ms = str(record.get("asset") or ""), record.get("time")
    try:
        amount = Decimal(str(record.get("amount")))
        usd = Decimal(str(record.get("usdValue"))) if record.get("usdValue") not in (None, "") else None
    except (InvalidOperation, ValueError):
        return f"{label}: missing amount or value"
    if not asset or ident is None or not amount.is_finite() or amount <= 0:
        return f"{label}: missing asset, id or amount"
    if not isinstance(ms, int) or ms <= 0:
        return f"{label}: missing or impossible time"
    return income_event(
        label,
        account,
        asset,
        ms,
        amount,
        f"reward:{ident}",
        "ccxt:binanceus",
        total_usd=usd if usd is not None and usd > 0 else None,
    )


@dataclass
class StakingRewards:
    first_ms: int  # the first day worth asking (the exchange's launch)
    name: str = "staking rewards"

    def run(self, ctx: SyncContext) -> None:
        stored = ctx.cursor(self.name)
        now = ctx.now_ms()
        start = int(stored) - SINCE_OVERLAP_MS if stored else self.first_ms
        ceiling: int | None = None  # the cursor stays below the first rejected reward
        while start <= now:
            end = min(start + WINDOW_DAYS * DAY_MS - 1, now)
            page = 1
            while True:
                params = {"startTime": start, "endTime": end, "page": page, "limit": REWARDS_PAGE}
                body = ctx.client.method("sapiGetStakingStakingRewardsHistory", params)
                data = body.get("data") if isinstance(body, dict) else None
                records = [r for r in data or [] if isinstance(r, dict)]
                events: list[Event] = []
                for record in records:
                    converted = reward_event(record, ctx.account.name)
                    if isinstance(converted, str):
                        ctx.report.rejected.append(converted)
                        held = int(record.get("time") or start) - 1
                        ceiling = held if ceiling is None else min(ceiling, held)
                    else:
                        events.append(converted)
                ctx.report.fetched += len(records)
                if len(records) < REWARDS_PAGE:  # the window is whole: the cursor may pass it
                    settled = min(end, now - SETTLE_MS)
                    cursor = settled if ceiling is None else min(settled, ceiling)
                    ctx.commit(events, self.name, str(cursor) if cursor > 0 else None)
                    break
                ctx.commit(events, self.name, None)
                page += 1
            start = end + 1


def balance(ctx: SyncContext) -> Balance:
    """The spot balance with the staked amounts added (a key without staking access: the spot
    balance alone, and the account is reported incomplete)."""
    totals = dict(ctx.client.balance())
    try:
        body = ctx.client.method("sapiGetStakingStakingBalance", {})
    except StreamUnavailable as exc:
        ctx.report.incomplete.append(f"staking balance: {exc.reason}")
        return totals
    rows = body.get("data") if isinstance(body, dict) else None
    for row in rows or []:
        amount = to_decimal((row or {}).get("stakingAmount"))
        asset = str((row or {}).get("asset") or "")
        if asset and amount is not None and amount > 0:
            totals[asset] = totals.get(asset, Decimal(0)) + amount
    return totals


def streams(ctx: SyncContext, markets: Markets, balance: Balance) -> list[Stream]:
    """Binance's, the rewards before the trades (a reward names an asset whose markets are read)."""
    first_ms, _days = binance.TRANSFER_HISTORY["binanceus"]
    *transfers, trades = binance.streams(ctx, markets, balance)
    return [*transfers, StakingRewards(first_ms), trades]


VENUE = Venue(streams, balance)
