"""The hot path: from the open lots and a set of prices to ranked candidates, the positions the
data-quality gate blocks, and the priced groups the holdings show."""

from __future__ import annotations

from dataclasses import dataclass, replace

import polars as pl

from engine.core import fixedpoint as fp
from engine.core.units import Amount
from engine.planning.candidates import Blocked, Candidate, CostModel, rank_candidates
from engine.planning.marginal_tax import tax_function
from engine.planning.positions import LotGroup, group_lots, price_groups, prices_frame
from engine.planning.scan_context import ScanContext
from engine.planning.warnings import is_nft, warnings_for


@dataclass
class Tick:
    """One recompute at one set of prices."""

    candidates: list[Candidate]
    blocked: list[Blocked]
    groups: list[LotGroup]  # every priced group, under water or not (holdings use them)


def scan(context: ScanContext, prices: dict[str, Amount], with_lot_ids: bool = False) -> Tick:
    """The hot path: one polars pass over the open lots, then the tax model per group."""
    config = context.config
    price_frame = prices_frame(prices)
    groups = price_groups(context.frame, price_frame)
    min_loss = fp.from_decimal(config.harvest.min_loss)
    blocked: dict[tuple[str, str], list[str]] = {pool: list(r) for pool, r in context.quality.items()}
    for total in context.totals:
        if total.asset not in prices:
            blocked.setdefault((total.account, total.asset), []).append("no current price")
    eligible = [
        g
        for g in groups
        if g.under_water and (g.account, g.asset) not in blocked and g.basis - g.value > min_loss
    ]
    if with_lot_ids:
        eligible = [replace(g, lot_ids=_lot_ids(context, price_frame, g)) for g in eligible]
    tax = tax_function(context.profile, context.params, *context.realized)
    costs = CostModel(config.harvest.fee_rate, config.harvest.spread)
    candidates = rank_candidates(
        eligible,
        tax,
        costs,
        context.tax_result.marginal_long_term,
        lambda group: warnings_for(context, group),
        lambda group: 1 if is_nft(group.asset) else 2,
    )
    candidates.sort(key=lambda c: c.rank)
    return Tick(
        candidates=candidates,
        blocked=[
            Blocked(account, asset, tuple(sorted(set(r)))) for (account, asset), r in sorted(blocked.items())
        ],
        groups=groups,
    )


def _lot_ids(context: ScanContext, price_frame: pl.DataFrame, group: LotGroup) -> tuple[str, ...]:
    lots = group_lots(context.frame, price_frame, group.account, group.asset, group.long_term)
    return tuple(lots.get_column("lot_id").to_list())
