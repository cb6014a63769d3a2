"""Holdings per account and asset at current prices: quantity, basis, value, unrealized
gain split short/long — put together from the slow path's per-position totals and a tick's
price groups (the vectorized pass over the open lots is positions.price_groups)."""

from __future__ import annotations

from dataclasses import dataclass

from engine.core import fixedpoint as fp
from engine.planning.positions import LotGroup


@dataclass(frozen=True, slots=True)
class Holding:
    account: str
    asset: str
    quantity: int  # every open lot, priced or not
    lots: int
    cost_basis: int  # lots with a known basis
    unknown_basis_quantity: int
    price: int | None
    value: int | None
    unrealized_short: int | None
    unrealized_long: int | None

    @property
    def unrealized(self) -> int | None:
        if self.unrealized_short is None or self.unrealized_long is None:
            return None
        return self.unrealized_short + self.unrealized_long

    @property
    def change(self) -> float | None:
        """Change since basis as a ratio (display only)."""
        if self.unrealized is None or not self.cost_basis:
            return None
        return self.unrealized / self.cost_basis


def holdings(
    totals: list[tuple[str, str, int, int, int, int]], groups: list[LotGroup], prices: dict[str, int]
) -> list[Holding]:
    """Holdings from the slow path's per-position totals and this tick's price groups."""
    split: dict[tuple[str, str], dict[bool, int]] = {}
    for group in groups:
        terms = split.setdefault((group.account, group.asset), {})
        terms[group.long_term] = terms.get(group.long_term, 0) + group.unrealized
    result = []
    for account, asset, quantity, lots, basis, unknown in totals:
        price = prices.get(asset)
        parts = split.get((account, asset), {})
        value = fp.mul(quantity, price) if price is not None else None
        short, long = (parts.get(False, 0), parts.get(True, 0)) if price is not None else (None, None)
        result.append(Holding(account, asset, quantity, lots, basis, unknown, price, value, short, long))
    return result
