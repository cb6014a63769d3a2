"""Open lots as one polars frame: the hot path that runs on every price tick.

Built once per slow-path recompute (import or sync); each tick joins current prices and
aggregates per account, asset and term with vectorized expressions — no Python loop per lot.
Amounts stay exact: quantities and bases are Int128 fixed-point sums, and the only products
(price x quantity) are taken once per group in Python ints."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import polars as pl

from engine.core import fixedpoint as fp
from engine.core.dates import anniversary
from engine.core.units import ZERO, Amount, DayOrdinal
from engine.ledger.records import OpenLot

LOT_SCHEMA = {
    "account": pl.String,
    "asset": pl.String,
    "lot_id": pl.String,
    "quantity": pl.Int128,
    "basis": pl.Int128,  # null: unknown basis
    "unit_cost": pl.Int128,
    "acquired_day": pl.Int32,
    "anniversary": pl.Int32,  # last day a sale is still short-term
}


def lots_frame(lots: list[OpenLot]) -> pl.DataFrame:
    if not lots:
        return pl.DataFrame(schema=LOT_SCHEMA)
    accounts, assets, lot_ids, quantities, bases, _acquired, days = zip(*lots, strict=True)
    anniversaries = {day: anniversary(day) for day in set(days)}
    return pl.DataFrame(
        {
            "account": accounts,
            "asset": assets,
            "lot_id": lot_ids,
            "quantity": quantities,
            "basis": bases,
            "unit_cost": _unit_costs(quantities, bases),
            "acquired_day": days,
            "anniversary": [anniversaries[day] for day in days],
        },
        schema=LOT_SCHEMA,
    )


def _unit_costs(quantities: tuple[int, ...], bases: tuple[int | None, ...]) -> list[int | None]:
    """fp.unit_price of each lot (None: unknown basis), one fp.div_round call a lot (a million
    lots on the slow path)."""
    div_round, scale = fp.div_round, fp.SCALE
    return [None if b is None else div_round(b * scale, q) for q, b in zip(quantities, bases, strict=True)]


def prices_frame(prices: dict[str, Amount]) -> pl.DataFrame:
    return pl.DataFrame(
        {"asset": list(prices), "price": list(prices.values())},
        schema={"asset": pl.String, "price": pl.Int128},
    )


@dataclass(frozen=True, slots=True)
class LotGroup:
    """The priced, known-basis lots of one asset in one account with one term (if sold today),
    on one side of the price: under water or not."""

    account: str
    asset: str
    long_term: bool
    quantity: Amount
    basis: Amount
    value: Amount
    lots: int
    min_days_to_long_term: int  # 0 for long-term groups
    under_water: bool = True
    lot_ids: tuple[str, ...] = ()

    @property
    def unrealized(self) -> Amount:
        return Amount(self.value - self.basis)


def with_terms(frame: pl.DataFrame, today: DayOrdinal) -> pl.DataFrame:
    """Add the term if sold `today` and the days until long-term (once per day, not per tick)."""
    return frame.with_columns(
        long_term=pl.col("anniversary") < today,
        days_to_long_term=(pl.col("anniversary") + 1 - today).clip(lower_bound=0),
    )


def price_groups(termed: pl.DataFrame, prices: pl.DataFrame) -> list[LotGroup]:
    """The per-tick pass: join prices, split lots under water from the rest, and sum per
    account, asset, term and side in one group-by (a frame from `with_terms`)."""
    grouped = (
        termed.join(prices, on="asset", how="inner")
        .filter(pl.col("basis").is_not_null())
        .group_by("account", "asset", "long_term", (pl.col("unit_cost") > pl.col("price")).alias("under"))
        .agg(
            pl.col("quantity").sum(),
            pl.col("basis").sum(),
            pl.col("price").first(),
            pl.len().alias("lots"),
            pl.col("days_to_long_term").min(),
        )
    )
    groups = [
        LotGroup(
            account=account,
            asset=asset,
            long_term=long_term,
            quantity=qty,
            basis=basis,
            value=fp.mul(qty, price),
            lots=count,
            min_days_to_long_term=days,
            under_water=under,
        )
        for account, asset, long_term, under, qty, basis, price, count, days in grouped.iter_rows()
    ]
    groups.sort(key=lambda g: (g.account, g.asset, g.long_term, g.under_water))
    return groups


def group_lots(
    termed: pl.DataFrame, prices: pl.DataFrame, account: str, asset: str, long_term: bool
) -> pl.DataFrame:
    """The losing lots behind one group, oldest first (for plan steps and lot ids)."""
    return (
        termed.filter(
            (pl.col("account") == account) & (pl.col("asset") == asset) & (pl.col("long_term") == long_term)
        )
        .join(prices, on="asset", how="inner")
        .filter(pl.col("basis").is_not_null() & (pl.col("unit_cost") > pl.col("price")))
        .sort("acquired_day", "lot_id")
    )


class PositionTotal(NamedTuple):
    """One account's open lots of one asset, summed (slow path)."""

    account: str
    asset: str
    quantity: Amount
    lots: int
    basis: Amount  # of the lots whose basis is known
    unknown_basis_quantity: Amount


def position_totals(frame: pl.DataFrame) -> list[PositionTotal]:
    """Per account and asset (slow path): quantity, lot count, known basis, unknown-basis quantity."""
    totals = frame.group_by("account", "asset").agg(
        pl.col("quantity").sum(),
        pl.len().alias("lots"),
        pl.col("basis").sum(),
        pl.col("quantity").filter(pl.col("basis").is_null()).sum().alias("unknown"),
    )
    return [
        PositionTotal(
            account=account,
            asset=asset,
            quantity=qty,
            lots=lots,
            basis=basis or ZERO,
            unknown_basis_quantity=unknown or ZERO,
        )
        for account, asset, qty, lots, basis, unknown in totals.sort("account", "asset").iter_rows()
    ]
