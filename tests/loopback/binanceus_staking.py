"""Binance.US staking for the Binance fake on its own host: the two signed endpoints ccxt 4.5.90
declares for `binanceus` that harvest reads — staking rewards history (asset, amount, usdValue,
time, tranId, autoRestaked; `startTime`/`endTime`, `page` from 1 and `limit` up to 500, newest
first) and the staking balance (asset, stakingAmount, rewardAsset, apr, apy, autoRestake) — as
the Binance.US API documentation lists their fields. A venue's staking lives in its `ledger`."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from aiohttp import web

REWARDS = "/sapi/v1/staking/stakingRewardsHistory"
BALANCE = "/sapi/v1/staking/stakingBalance"
PATHS = (REWARDS, BALANCE)
MAX_PAGE = 500


@dataclass
class Reward:
    tran_id: int
    asset: str
    amount: Decimal
    usd_value: Decimal | None
    ms: int
    restaked: bool  # True: into the staking balance; False: into the spot balance

    def body(self) -> dict[str, Any]:
        value = {} if self.usd_value is None else {"usdValue": f"{self.usd_value:f}"}
        return {"asset": self.asset, "amount": f"{self.amount:f}", **value, "time": self.ms, "tranId": self.tran_id,
                "autoRestaked": self.restaked}  # fmt: skip


@dataclass
class Stake:
    asset: str
    amount: Decimal  # into staking (negative: out of it)
    ms: int


def stake(venue: Any, asset: str, amount: str, ms: int) -> None:
    """Spot into staking (a negative amount: back): the spot balance moves, nothing else."""
    venue.ledger.append(Stake(asset, Decimal(amount), ms))
    venue.move(asset, -Decimal(amount))


def reward(venue: Any, asset: str, amount: str, usd: str | None, ms: int, restaked: bool = False) -> Reward:
    made = Reward(7_000_000 + len(venue.ledger), asset, Decimal(amount), None if usd is None else Decimal(usd), ms,
                  restaked)  # fmt: skip
    venue.ledger.append(made)
    if not restaked:
        venue.move(asset, made.amount)
    return made


def staked(venue: Any) -> dict[str, Decimal]:
    """What sits in staking: stakes net of unstakes, and the rewards restaked."""
    totals: dict[str, Decimal] = {}
    for entry in venue.ledger:
        if isinstance(entry, Stake) or (isinstance(entry, Reward) and entry.restaked):
            totals[entry.asset] = totals.get(entry.asset, Decimal(0)) + entry.amount
    return {asset: amount for asset, amount in totals.items() if amount}


def handle(venue: Any, path: str, q: Any) -> web.Response:
    if path == BALANCE:
        return web.json_response({"data": [
            {"asset": asset, "stakingAmount": f"{amount:f}", "rewardAsset": asset, "apr": "0.05", "apy": "0.0512",
             "autoRestake": True}
            for asset, amount in staked(venue).items()
        ]})  # fmt: skip
    start, end = int(q.get("startTime", 0)), int(q.get("endTime", 2**62))
    limit, page = min(int(q.get("limit", MAX_PAGE)), MAX_PAGE), int(q.get("page", 1))
    rewards = [e for e in venue.ledger if isinstance(e, Reward) and start <= e.ms <= end]
    rewards.sort(key=lambda r: (-r.ms, -r.tran_id))
    chosen = rewards[(page - 1) * limit : page * limit]
    return web.json_response({"data": [r.body() for r in chosen], "total": len(rewards)})
