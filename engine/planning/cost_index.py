"""The per-tick pass over the open lots in O(groups · log lots): built once on the slow path.

Each account/asset/term group's known-basis lots are sorted by unit cost, with running totals
of quantity and basis and running minimums of the days to long-term (from either end). At a
price, a lot is under water when its unit cost is above the price, so a binary search finds one
cut point per group: the lots past it are under water, and their totals are differences of two
running totals — the same sums the polars group-by in positions.price_groups takes, exactly.
Lots with equal unit costs always land on the same side of a cut, so their order does not
matter. Derived from the lots frame alone (positions.with_terms), so it can be rebuilt from a
persisted frame; the terms in it are those of the frame's day."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass

import polars as pl

from engine.core import fixedpoint as fp
from engine.core.units import Amount
from engine.planning.positions import LotGroup

GROUP = ("account", "asset", "long_term")
TO_LIST_PIECE = 20_000  # values per polars-to-Python conversion (a couple of ms each)


@dataclass(frozen=True, slots=True)
class CostGroup:
    """One account/asset/term group: rows start..end of the index's sorted frame."""

    account: str
    asset: str
    long_term: bool
    start: int
    end: int


@dataclass(frozen=True, eq=False)
class CostIndex:
    """Known-basis lots sorted by group, then unit cost, with per-group running totals."""

    source: pl.DataFrame  # the frame (positions.with_terms) this was built from
    groups: list[CostGroup]  # in (account, asset, long_term) order
    sorted_lots: pl.DataFrame  # the known-basis lots in that order (lot ids, days: read on demand)
    unit_costs: list[int]  # a Python list: bisect takes well under a microsecond per step
    quantity_through: pl.Series  # running sums within each group, inclusive (Int128: exact)
    basis_through: pl.Series
    days_min_through: pl.Series  # fewest days to long-term among the group's lots up to here
    days_min_from: pl.Series  # ... and among those from here to the group's end
    by_position: pl.DataFrame  # every open lot (any basis) by account and asset: lot_id, days
    positions: dict[tuple[str, str], tuple[int, int]]  # (account, asset) -> its rows of by_position

    def price_groups(self, prices: dict[str, Amount]) -> list[LotGroup]:
        """The same groups, in the same order, as positions.price_groups at these prices."""
        out: list[LotGroup] = []
        quantity, basis = self.quantity_through, self.basis_through
        for group in self.groups:
            price = prices.get(group.asset)
            if price is None:
                continue
            start, end = group.start, group.end
            cut = bisect_right(self.unit_costs, price, start, end)  # lots from `cut` on: under water
            over_quantity = over_basis = 0
            if cut > start:
                over_quantity, over_basis = quantity[cut - 1], basis[cut - 1]
                days = self.days_min_through[cut - 1]
                out.append(_group(group, price, over_quantity, over_basis, cut - start, days, False))
            if cut < end:
                under_quantity, under_basis = quantity[end - 1] - over_quantity, basis[end - 1] - over_basis
                days = self.days_min_from[cut]
                out.append(_group(group, price, under_quantity, under_basis, end - cut, days, True))
        return out

    def under_water_lot_ids(self, group: LotGroup, price: Amount) -> tuple[str, ...]:
        """The ids of a group's lots under water at `price`, oldest first (as positions.group_lots)."""
        found = self._find(group.account, group.asset, group.long_term)
        if found is None:
            return ()
        cut = bisect_right(self.unit_costs, price, found.start, found.end)
        lots = self.sorted_lots.slice(cut, found.end - cut).sort(
            "acquired_day", "lot_id", maintain_order=True
        )
        return tuple(lots.get_column("lot_id").to_list())

    def position_lots(self, account: str, asset: str) -> pl.DataFrame:
        """One account's open lots of one asset, either term, any basis (a slice, not a filter
        over every lot): lot_id and days_to_long_term."""
        start, end = self.positions.get((account, asset), (0, 0))
        return self.by_position.slice(start, end - start)

    def _find(self, account: str, asset: str, long_term: bool) -> CostGroup | None:
        index = bisect_right(self.groups, (account, asset, long_term), key=_group_key) - 1
        if index >= 0 and _group_key(self.groups[index]) == (account, asset, long_term):
            return self.groups[index]
        return None


def cost_index(termed: pl.DataFrame) -> CostIndex:
    """Sort a frame from positions.with_terms once (the slow path) and take its running totals.
    Groups and orders go by numbers (each account/asset position's rank), not by strings."""
    positioned = _by_position(termed)
    lots = positioned.filter(pl.col("basis").is_not_null()).sort(
        "position", "long_term", "unit_cost", maintain_order=True
    )
    numbered = ("position", "long_term")
    bounds = (
        lots.with_row_index("row")
        .group_by(*numbered, maintain_order=True)
        .agg(pl.col("account", "asset").first(), start=pl.col("row").first(), end=pl.col("row").last() + 1)
        .select(*GROUP, "start", "end")
    )
    running = lots.select(
        quantity=pl.col("quantity").cum_sum().over(numbered),
        basis=pl.col("basis").cum_sum().over(numbered),
        days_through=pl.col("days_to_long_term").cum_min().over(numbered),
        days_from=pl.col("days_to_long_term").cum_min(reverse=True).over(numbered),
    )
    spans = (
        positioned.with_row_index("row")
        .group_by("position", maintain_order=True)
        .agg(pl.col("account", "asset").first(), start=pl.col("row").first(), end=pl.col("row").last() + 1)
        .drop("position")
    )
    groups = sorted((CostGroup(*row) for row in bounds.iter_rows()), key=_group_key)
    return CostIndex(
        source=termed,
        groups=groups,
        sorted_lots=lots.select("lot_id", "acquired_day"),
        unit_costs=_python_ints(lots.get_column("unit_cost")),
        quantity_through=running.get_column("quantity"),
        basis_through=running.get_column("basis"),
        days_min_through=running.get_column("days_through"),
        days_min_from=running.get_column("days_from"),
        by_position=positioned.select("lot_id", "days_to_long_term"),
        positions={(account, asset): (start, end) for account, asset, start, end in spans.iter_rows()},
    )


def _by_position(frame: pl.DataFrame) -> pl.DataFrame:
    """`frame` stably sorted by (account, asset), with each row's `position`: its account and
    asset's rank in that order. The slow path's frame comes in that order (open_lot_frame):
    checked, and then only numbered; else numbered keys and a stable one-column sort, about 5x
    faster at a million rows than polars' sort on two string columns. (Polars compares strings
    by their UTF-8 bytes, which order as Python's code points do.)"""
    account, asset = pl.col("account"), pl.col("asset")
    previous_account, previous_asset = account.shift(1), asset.shift(1)
    in_order = (account > previous_account) | ((account == previous_account) & (asset >= previous_asset))
    if frame.select(in_order.fill_null(True).all()).item():
        new_position = (account != previous_account) | (asset != previous_asset)
        return frame.with_columns(position=new_position.fill_null(False).cum_sum().cast(pl.UInt32))
    return _numbered_by_join(frame)


def _numbered_by_join(frame: pl.DataFrame) -> pl.DataFrame:
    """_by_position for a frame in any order."""
    numbered = frame.select("account", "asset").unique().sort("account", "asset").with_row_index("position")
    keyed = frame.join(numbered, on=["account", "asset"], how="left", maintain_order="left")
    return keyed.sort("position", maintain_order=True)


def _python_ints(column: pl.Series) -> list[int]:
    """The column as a list, converted a piece at a time: to_list holds the GIL for the whole
    column (0.1 s of CPU at a million lots), which freezes the app's event loop."""
    values: list[int] = []
    for start in range(0, len(column), TO_LIST_PIECE):
        values.extend(column.slice(start, TO_LIST_PIECE).to_list())
    return values


def _group_key(group: CostGroup) -> tuple[str, str, bool]:
    return (group.account, group.asset, group.long_term)


def _group(
    group: CostGroup, price: Amount, quantity: int, basis: int, lots: int, days: int, under: bool
) -> LotGroup:
    return LotGroup(
        account=group.account,
        asset=group.asset,
        long_term=group.long_term,
        quantity=Amount(quantity),
        basis=Amount(basis),
        value=fp.mul(quantity, price),
        lots=lots,
        min_days_to_long_term=days,
        under_water=under,
    )
