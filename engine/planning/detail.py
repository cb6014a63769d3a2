"""One asset in one account, in detail: its lots, and what harvesting its losing lots now does
to this year's tax. The tax effect is the candidates' own computation on this asset alone (the
same under-water groups, the same tax function, the same deferred-tax rule), so the detail
screen never disagrees with the candidate list about what a sale is worth."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import polars as pl

from engine.core import fixedpoint as fp
from engine.core.dates import days_to_long_term
from engine.core.units import ZERO, Amount, DayOrdinal, EpochMicros
from engine.planning.candidates import CostModel, rank_candidates
from engine.planning.marginal_tax import tax_function
from engine.planning.positions import LotGroup, price_groups, prices_frame
from engine.planning.scan_context import ScanContext
from engine.planning.warnings import is_nft


@dataclass(frozen=True)
class LotDetail:
    lot_id: str
    quantity: Amount
    basis: Amount | None  # None: unknown basis
    acquired_day: DayOrdinal
    days_to_long_term: int  # 0: a sale today is long-term
    unrealized: Amount | None  # None: unknown basis or no price


@dataclass(frozen=True)
class AssetDetail:
    account: str
    asset: str
    lots: list[LotDetail]  # oldest first
    price: Amount | None
    trade_prices: list[tuple[EpochMicros, Amount]]  # (time, USD per unit) from the user's own trades
    tax_before: Decimal  # this year's tax without harvesting
    tax_after: Decimal  # ... after selling every losing lot now
    carryforward_created: Amount
    deferred_tax: Amount  # tax pushed to the rebuy's eventual sale (as the candidates compute it)
    loss: Amount  # the losing lots' unrealized loss, negative (0: none under water)


def asset_detail(
    context: ScanContext,
    prices: dict[str, Amount],
    account: str,
    asset: str,
    trade_prices: list[tuple[EpochMicros, Amount]],
) -> AssetDetail:
    price = prices.get(asset)
    own = context.frame.filter((pl.col("account") == account) & (pl.col("asset") == asset))
    lots = [
        LotDetail(
            lot_id, quantity, basis, acquired_day, days_to_long_term(acquired_day, context.today),
            None if basis is None or price is None else Amount(fp.mul(quantity, price) - basis),
        )
        for lot_id, quantity, basis, acquired_day in own.sort("acquired_day", "lot_id")
        .select("lot_id", "quantity", "basis", "acquired_day")
        .iter_rows()
    ]  # fmt: skip
    losing = (
        [] if price is None else [g for g in price_groups(own, prices_frame({asset: price})) if g.under_water]
    )
    tax = tax_function(context.profile, context.params, *context.realized)
    harvest = context.config.harvest
    ranked = rank_candidates(
        losing,
        tax,
        CostModel(harvest.fee_rate, harvest.spread),
        context.tax_result.marginal_long_term,
        sides_for=_sides,
    )
    short_loss = Amount(sum(g.basis - g.value for g in losing if not g.long_term))
    long_loss = Amount(sum(g.basis - g.value for g in losing if g.long_term))
    before, after = tax(ZERO, ZERO), tax(short_loss, long_loss)
    return AssetDetail(
        account=account,
        asset=asset,
        lots=lots,
        price=price,
        trade_prices=trade_prices,
        tax_before=fp.to_decimal(before.total_tax),
        tax_after=fp.to_decimal(after.total_tax),
        carryforward_created=Amount(after.carryforward - before.carryforward),
        deferred_tax=Amount(sum(c.deferred_tax for c in ranked)),
        loss=Amount(sum(c.loss for c in ranked)),
    )


def _sides(group: LotGroup) -> int:
    """Trades per candidate, as the scan counts them: an NFT is sold, not rebought."""
    return 1 if is_nft(group.asset) else 2
