"""Holdings per account and asset at current prices: quantity, basis, value, unrealized
gain split short/long — put together from the slow path's per-position totals and a tick's
price groups (the vectorized pass over the open lots is positions.price_groups)."""

from __future__ import annotations

from dataclasses import dataclass

from engine.core import fixedpoint as fp
from engine.core.units import Amount
from engine.planning.positions import LotGroup, PositionTotal


@dataclass(frozen=True, slots=True)
class Holding:
    account: str
    asset: str
    quantity: Amount  # every open lot, priced or not
    lots: int
    cost_basis: Amount  # lots with a known basis
    unknown_basis_quantity: Amount
    price: Amount | None
    value: Amount | None
    unrealized_short: Amount | None
    unrealized_long: Amount | None

    @property
    def unrealized(self) -> Amount | None:
        if self.unrealized_short is None or self.unrealized_long is None:
            return None
        return Amount(self.unrealized_short + self.unrealized_long)

    @property
    def change(self) -> float | None:
        """Change since basis as a ratio (display only)."""
        if self.unrealized is None or not self.cost_basis:
            return None
        return self.unrealized / self.cost_basis


def holdings(totals: list[PositionTotal], groups: list[LotGroup], prices: dict[str, Amount]) -> list[Holding]:
    """Holdings from the slow path's per-position totals and this tick's price groups."""
    split: dict[tuple[str, str], dict[bool, int]] = {}
    for group in groups:
        terms = split.setdefault((group.account, group.asset), {})
        terms[group.long_term] = terms.get(group.long_term, 0) + group.unrealized
    result = []
    for total in totals:
        price = prices.get(total.asset)
        priced = price is not None
        parts = split.get((total.account, total.asset), {})
        result.append(
            Holding(
                account=total.account,
                asset=total.asset,
                quantity=total.quantity,
                lots=total.lots,
                cost_basis=total.basis,
                unknown_basis_quantity=total.unknown_basis_quantity,
                price=price,
                value=fp.mul(total.quantity, price) if price is not None else None,
                unrealized_short=Amount(parts.get(False, 0)) if priced else None,
                unrealized_long=Amount(parts.get(True, 0)) if priced else None,
            )
        )
    return result
