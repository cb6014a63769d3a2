"""The hot path: from the open lots and a set of prices to ranked candidates, the positions the
data-quality gate blocks, the priced groups the holdings show, and the active plan's value.

One savings model: the active plan's unsold steps are valued first (engine.planning.plan_value),
and the greedy walk ranks every other candidate after them (its tax function starts from the
plan's losses). A candidate the plan already sells stays in the list with its step's share of
the plan; the others show what they add after the plan and the candidates ranked above them.
Rows are ordered by the net they show."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import polars as pl

from engine.core import fixedpoint as fp
from engine.core.units import Amount
from engine.planning.candidates import LONG, Blocked, Candidate, CostModel, rank_candidates, tax_at
from engine.planning.marginal_tax import collectible_rule, tax_function
from engine.planning.plan_value import NO_PLAN, PlanValue, StepValue, value_plan
from engine.planning.positions import LotGroup
from engine.planning.scan_context import ScanContext
from engine.planning.warnings import is_nft, warnings_for
from engine.store.checklist_tables import Step

GroupKey = tuple[str, str, str]  # account, asset, term


@dataclass
class Tick:
    """One recompute at one set of prices."""

    candidates: list[Candidate]
    blocked: list[Blocked]
    groups: list[LotGroup]  # every priced group, under water or not (holdings use them)
    plan: PlanValue = field(default=NO_PLAN)  # the active plan's unsold steps at these prices


def scan(
    context: ScanContext, prices: dict[str, Amount], with_lot_ids: bool = False, plan: Sequence[Step] = ()
) -> Tick:
    """The hot path: one cut point per account/asset/term group, then the tax model per group. `plan`:
    the active plan's steps (the checklist), ranked before everything else."""
    config = context.config
    groups = context.cost_index.price_groups(prices)  # O(groups · log lots), not a pass over the lots
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
    tax = tax_function(context.profile, context.params, *context.realized)
    costs = CostModel(config.harvest.fee_rate, config.harvest.spread)
    collectible = collectible_rule(config.tax)
    valued = value_plan(plan, prices, tax, costs, collectible)
    planned = {(s.account, s.asset, s.term) for s in valued.steps}
    by_key = {_key(g): g for g in eligible}
    unplanned = [g for g in eligible if _key(g) not in planned]
    if with_lot_ids:
        index = context.cost_index
        unplanned = [replace(g, lot_ids=index.under_water_lot_ids(g, prices[g.asset])) for g in unplanned]
    candidates = rank_candidates(
        unplanned,
        tax,
        costs,
        context.tax_result.marginal_long_term,
        lambda group: warnings_for(context, group),
        lambda group: 1 if is_nft(group.asset) else 2,
        chosen=valued.harvested,
        collectible=collectible,
    )
    candidates += [_planned(context, s, by_key.get((s.account, s.asset, s.term))) for s in valued.steps]
    # by the net shown; a tie keeps the plan's step first, then the walk's order
    candidates.sort(key=lambda c: (-c.net_savings, c.planned_step is None, c.planned_step or c.rank))
    candidates = [replace(c, rank=rank) for rank, c in enumerate(candidates, start=1)]
    return Tick(
        candidates=candidates,
        blocked=[
            Blocked(account, asset, tuple(sorted(set(r)))) for (account, asset), r in sorted(blocked.items())
        ],
        groups=groups,
        plan=valued,
    )


def _key(group: LotGroup) -> GroupKey:
    return (group.account, group.asset, LONG if group.long_term else "short")


def _planned(context: ScanContext, step: StepValue, group: LotGroup | None) -> Candidate:
    """A planned step as a candidate row: the step's own quantity, lots and share of the plan.
    The days to long-term come from its lots (the group's, when its lots are under water)."""
    days = group.min_days_to_long_term if group is not None else _days_to_long_term(context, step)
    as_group = LotGroup(
        account=step.account,
        asset=step.asset,
        long_term=step.term == LONG,
        quantity=step.quantity,
        basis=step.cost_basis,
        value=step.proceeds,
        lots=len(step.lot_ids),
        min_days_to_long_term=days,
        under_water=step.proceeds < step.cost_basis,
        lot_ids=step.lot_ids,
    )
    loss = max(0, step.cost_basis - step.proceeds)
    rate = context.tax_result.marginal_long_term
    return Candidate(
        account=step.account,
        asset=step.asset,
        term=step.term,
        quantity=step.quantity,
        value=step.proceeds,
        cost_basis=step.cost_basis,
        lots=len(step.lot_ids),
        days_to_long_term=days,
        savings_this_year=step.savings_this_year,
        carryforward_created=step.carryforward_created,
        trading_cost=step.trading_cost,
        deferred_tax=tax_at(loss, rate) if step.rebuy else Amount(0),
        warnings=warnings_for(context, as_group),
        lot_ids=step.lot_ids,
        planned_step=step.number,
    )


def _days_to_long_term(context: ScanContext, step: StepValue) -> int:
    """Fewest days until one of the step's lots turns long-term (0: long-term already); only
    asked when its lots are no longer under water, so not on every tick."""
    if step.term == LONG:
        return 0
    own = context.cost_index.position_lots(step.account, step.asset)  # a slice, not a pass over every lot
    days = own.filter(pl.col("lot_id").is_in(list(step.lot_ids))).get_column("days_to_long_term")
    return int(days.min()) if len(days) else 0  # type: ignore[arg-type]
