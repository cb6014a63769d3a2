"""Building a plan from a scan: the chosen candidates' exact lots at current prices, each step
re-valued along the plan (exact marginal savings even when the last candidate sells only in
part), and the rebuy time."""

from __future__ import annotations

from engine.config.load import Config
from engine.core import fixedpoint as fp
from engine.core.units import ZERO, Amount, hours_after
from engine.planning.candidates import NOTHING, Candidate, CostModel
from engine.planning.marginal_tax import collectible_rule, tax_function
from engine.planning.order_steps import round_down_to_step
from engine.planning.plans import Plan, PlanStep, chosen_candidates, pick_lots
from engine.planning.positions import group_lots, prices_frame
from engine.planning.scan_context import ScanContext
from engine.planning.warnings import is_nft


def build_plan(
    context: ScanContext,
    candidates: list[Candidate],
    prices: dict[str, Amount],
    goal: str,
    target: Amount | None,
) -> Plan:
    """Steps for the chosen candidates, each re-valued along the plan (exact marginal savings
    even when the last candidate is only partly sold)."""
    if goal == "offset_gains":
        target = offset_target(context)
    plan = Plan(goal, target_loss=target)
    price_frame = prices_frame(prices)
    tax = tax_function(context.profile, context.params, *context.realized)
    costs = CostModel(context.config.harvest.fee_rate, context.config.harvest.spread)
    collectible = collectible_rule(context.config.tax)
    chosen = NOTHING
    before = tax(chosen)
    for candidate, take_loss in chosen_candidates(candidates, goal, target):
        long_term = candidate.term == "long"
        lots_frame = group_lots(context.frame, price_frame, candidate.account, candidate.asset, long_term)
        lots = list(lots_frame.select("lot_id", "quantity", "basis", "acquired_day").iter_rows())
        price = prices[candidate.asset]
        picks = pick_lots(lots, price, take_loss)
        step = context.amount_steps.get((candidate.account, candidate.asset))
        rounded_to_step = None
        if step is not None and sum(p.quantity for p in picks) % step:  # whole steps, rounded down
            picks, rounded_to_step = (
                round_down_to_step(picks, step, {lot[0]: (lot[1], lot[2]) for lot in lots}),
                step,
            )
            if not picks:
                continue  # less than one step under water: nothing the exchange would take
        quantity = Amount(sum(p.quantity for p in picks))
        basis = Amount(sum(p.cost_basis for p in picks))
        proceeds = fp.mul(quantity, price)
        chosen = chosen.plus(basis - proceeds, long_term, collectible(candidate.asset))
        after = tax(chosen)
        nft = is_nft(candidate.asset)
        plan.steps.append(
            PlanStep(
                number=len(plan.steps) + 1,
                account=candidate.account,
                asset=candidate.asset,
                term=candidate.term,
                quantity=quantity,
                lots=picks,
                expected_proceeds=proceeds,
                cost_basis=basis,
                savings_this_year=Amount(before.total_tax - after.total_tax),
                carryforward_created=Amount(after.carryforward - before.carryforward),
                trading_cost=costs.cost(proceeds, 1 if nft else 2),
                warnings=candidate.warnings,
                rebuy_after=None if nft else hours_after(context.now, _rebuy_wait_hours(context.config)),
                rounded_to_step=rounded_to_step,
            )
        )
        before = after
    return plan


def _rebuy_wait_hours(config: Config) -> int:
    wash = config.harvest.wash_sale
    if wash.enabled:
        return max(config.harvest.rebuy_wait_hours, (wash.window_days + 1) * 24)
    return config.harvest.rebuy_wait_hours


def offset_target(context: ScanContext) -> Amount:
    """Loss that cancels this year's net gains and uses the ordinary-income limit."""
    result = context.tax_result
    gains = result.net_short_term + result.net_long_term
    limit = context.params.capital_loss_limit[context.profile.filing_status]
    return max(ZERO, fp.from_decimal(fp.quantize(gains + limit)))
