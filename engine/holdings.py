"""Holdings per account and asset at current prices: quantity, basis, value, unrealized
gain split short/long — vectorized over the open-lot frame (the per-tick hot path)."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from engine import fixedpoint as fp
from engine.positions import all_groups


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


def holdings(frame: pl.DataFrame, prices: dict[str, int], today: int) -> list[Holding]:
    totals = frame.group_by("account", "asset").agg(
        pl.col("quantity").sum(),
        pl.len().alias("lots"),
        pl.col("basis").sum(),
        pl.col("quantity").filter(pl.col("basis").is_null()).sum().alias("unknown"),
    )
    price_frame = pl.DataFrame(
        {"asset": list(prices), "price": list(prices.values())},
        schema={"asset": pl.String, "price": pl.Int128},
    )
    split: dict[tuple[str, str], dict[bool, int]] = {}
    for group in all_groups(frame, price_frame, today):
        split.setdefault((group.account, group.asset), {})[group.long_term] = group.unrealized
    result = []
    for account, asset, quantity, lots, basis, unknown in totals.sort("account", "asset").iter_rows():
        price = prices.get(asset)
        parts = split.get((account, asset), {})
        value = fp.mul(quantity, price) if price is not None else None
        short, long = (parts.get(False, 0), parts.get(True, 0)) if price is not None else (None, None)
        result.append(Holding(account, asset, quantity, lots, basis or 0, unknown or 0, price, value, short, long))
    return result
