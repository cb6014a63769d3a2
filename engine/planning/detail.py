"""One asset in one account, in detail: its lots, and what harvesting its losing lots now does
to this year's tax, two ways, each labelled where it is shown:

- alone: as if it were the only sale this year — the candidates' own computation on this asset
  by itself (the same under-water groups, tax function and deferred-tax rule);
- after the plan: the figures its rows show in the candidate list (engine.planning.scan) — its
  share of the active plan when planned, else what it adds after the plan's unsold steps and the
  candidates ranked above it — so the detail screen and the list never disagree."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

import polars as pl

from engine.core import fixedpoint as fp
from engine.core.dates import days_to_long_term
from engine.core.units import ZERO, Amount, DayOrdinal, EpochMicros
from engine.planning.candidates import NOTHING, Candidate, CostModel, rank_candidates
from engine.planning.marginal_tax import collectible_rule, tax_function
from engine.planning.positions import LotGroup, price_groups, prices_frame
from engine.planning.scan_context import ScanContext
from engine.planning.warnings import is_nft

COST_LEVELS = 8  # the chart's level lines at lot costs: more than this is noise


@dataclass(frozen=True)
class LotDetail:
    lot_id: str
    quantity: Amount
    basis: Amount | None  # None: unknown basis
    acquired_day: DayOrdinal
    days_to_long_term: int  # 0: a sale today is long-term
    unrealized: Amount | None  # None: unknown basis or no price


@dataclass(frozen=True)
class AfterPlan:
    """This asset's rows in the candidate list, summed: its figures after the plan."""

    loss: Amount  # negative
    savings_this_year: Amount
    carryforward_created: Amount
    trading_cost: Amount
    planned_steps: tuple[int, ...]  # the plan's steps that sell it (empty: not planned)
    plan_steps: int  # unsold steps in the active plan
    rows: int  # its rows in the list (a term planned, the other not: one of each)

    @property
    def net_savings(self) -> Amount:
        return Amount(self.savings_this_year - self.trading_cost)


@dataclass(frozen=True)
class AssetDetail:
    account: str
    asset: str
    lots: list[LotDetail]  # oldest first: every lot, or the first `lot_rows` asked for
    lot_count: int  # every lot of the holding (more than len(lots) when they were capped)
    cost_levels: list[Amount]  # unit costs of the largest lots with a known basis, largest first
    price: Amount | None
    trade_prices: list[tuple[EpochMicros, Amount]]  # (time, USD per unit) from the user's own trades
    tax_before: Decimal  # this year's tax without harvesting
    tax_after: Decimal  # ... after selling every losing lot now
    carryforward_created: Amount
    deferred_tax: Amount  # tax pushed to the rebuy's eventual sale (as the candidates compute it)
    loss: Amount  # the losing lots' unrealized loss, negative (0: none under water)
    trading_cost: Amount = ZERO  # selling the losing lots alone, and the rebuy
    after_plan: AfterPlan | None = None  # None: no row in the candidate list


def asset_detail(
    context: ScanContext,
    prices: dict[str, Amount],
    account: str,
    asset: str,
    trade_prices: list[tuple[EpochMicros, Amount]],
    ranked: Sequence[Candidate] = (),
    plan_steps: int = 0,
    lot_rows: int | None = None,
    cost_levels: int = COST_LEVELS,
) -> AssetDetail:
    """`ranked`: the candidate list at the same prices (the scan's, after the active plan of
    `plan_steps` unsold steps), for the figures after the plan. `lot_rows`: the oldest lots
    to describe one by one (None: all), `cost_levels`: how many of the largest lots' unit costs
    to give. Both are picked in polars, so a holding of 100,000 lots costs no Python object per
    lot (a screen shows a few thousand at most; building them all held the GIL ~100 ms)."""
    price = prices.get(asset)
    own = context.frame.filter((pl.col("account") == account) & (pl.col("asset") == asset))
    oldest = own.sort("acquired_day", "lot_id")
    lots = [
        LotDetail(
            lot_id, quantity, basis, acquired_day, days_to_long_term(acquired_day, context.today),
            None if basis is None or price is None else Amount(fp.mul(quantity, price) - basis),
        )
        for lot_id, quantity, basis, acquired_day in (oldest if lot_rows is None else oldest.head(lot_rows))
        .select("lot_id", "quantity", "basis", "acquired_day")
        .iter_rows()
    ]  # fmt: skip
    losing = (
        [] if price is None else [g for g in price_groups(own, prices_frame({asset: price})) if g.under_water]
    )
    tax = tax_function(context.profile, context.params, *context.realized)
    harvest = context.config.harvest
    collectible = collectible_rule(context.config.tax)
    alone = rank_candidates(
        losing,
        tax,
        CostModel(harvest.fee_rate, harvest.spread),
        context.tax_result.marginal_long_term,
        sides_for=_sides,
        collectible=collectible,
    )
    harvested = NOTHING
    for group in losing:
        harvested = harvested.plus(group.basis - group.value, group.long_term, collectible(group.asset))
    before, after = tax(NOTHING), tax(harvested)
    return AssetDetail(
        account=account,
        asset=asset,
        lots=lots,
        lot_count=own.height,
        cost_levels=largest_lots_unit_costs(oldest, cost_levels),
        price=price,
        trade_prices=trade_prices,
        tax_before=fp.to_decimal(before.total_tax),
        tax_after=fp.to_decimal(after.total_tax),
        carryforward_created=Amount(after.carryforward - before.carryforward),
        deferred_tax=Amount(sum(c.deferred_tax for c in alone)),
        loss=Amount(sum(c.loss for c in alone)),
        trading_cost=Amount(sum(c.trading_cost for c in alone)),
        after_plan=_after_plan([c for c in ranked if (c.account, c.asset) == (account, asset)], plan_steps),
    )


def largest_lots_unit_costs(oldest: pl.DataFrame, count: int) -> list[Amount]:
    """The unit costs of the `count` largest lots with a known basis, largest first, the older
    first among equal quantities (`oldest`: the holding's lots, oldest first)."""
    largest = (
        oldest.filter(pl.col("basis").is_not_null())
        .with_row_index("age")
        .top_k(count, by=["quantity", "age"], reverse=[False, True])
        .sort(["quantity", "age"], descending=[True, False])
    )
    return [Amount(unit) for unit in largest.get_column("unit_cost")]


def _after_plan(rows: list[Candidate], plan_steps: int) -> AfterPlan | None:
    if not rows:
        return None
    return AfterPlan(
        loss=Amount(sum(c.loss for c in rows)),
        savings_this_year=Amount(sum(c.savings_this_year for c in rows)),
        carryforward_created=Amount(sum(c.carryforward_created for c in rows)),
        trading_cost=Amount(sum(c.trading_cost for c in rows)),
        planned_steps=tuple(sorted(c.planned_step for c in rows if c.planned_step is not None)),
        plan_steps=plan_steps,
        rows=len(rows),
    )


def _sides(group: LotGroup) -> int:
    """Trades per candidate, as the scan counts them: an NFT is sold, not rebought."""
    return 1 if is_nft(group.asset) else 2
