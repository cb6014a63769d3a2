"""The active plan at current prices: what its unsold steps save together.

A saved step keeps the figures it had when it was planned (alone, at that day's prices and tax
profile); they go stale as soon as either moves. Here the steps not yet sold (planned,
identified) are re-valued at the current price of their own quantity and lots (loss = basis −
quantity × price) and combined through the one tax function: tax(nothing harvested) −
tax(ΣST, ΣLT and the long-term collectibles' part), the carryforward that creates, less trading
costs — what `harvest plan` says for the same sales. Each step's share is its marginal value along the plan (in step order), so the
shares add up to the whole exactly.

Sold steps whose trade is in the store are left out: the realized totals the tax starts from
have them, and counting them here as well would count them twice. A step marked sold by hand
before its trade arrives still has its lots open and is in no total: it is valued with the
unsold steps (at current prices: an estimate of a sale already made) until the trade is linked."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from engine.core import fixedpoint as fp
from engine.core.units import ZERO, Amount
from engine.planning.candidates import LONG, NOTHING, Collectible, CostModel, Harvested, TaxFn
from engine.planning.checklist import DONE, IDENTIFIED, PLANNED, REBOUGHT, REBUY_DUE, SOLD
from engine.store.checklist_tables import Step

UNSOLD = (PLANNED, IDENTIFIED)  # still to be sold: valued at current prices
SOLD_STATES = (SOLD, REBUY_DUE, REBOUGHT, DONE)  # past the sale


def realized(step: Step) -> bool:
    """Sold, and its trade in the store (linked): the realized totals count it. A step marked
    sold by hand before its trade is imported or synced still has its lots open: it is valued
    with the unsold steps until the trade arrives."""
    return step.state in SOLD_STATES and step.sale_ref is not None


@dataclass(frozen=True)
class StepValue:
    """One unsold step at current prices, and its share of the plan's figures."""

    number: int
    account: str
    asset: str
    term: str
    quantity: Amount
    cost_basis: Amount
    proceeds: Amount  # the step's quantity at the current price
    lot_ids: tuple[str, ...]
    rebuy: bool  # False: an NFT, sold and not bought back
    savings_this_year: Amount  # marginal: after the plan's earlier steps
    carryforward_created: Amount
    trading_cost: Amount

    @property
    def loss(self) -> Amount:
        """Negative while under water (a step now above its cost shows a gain)."""
        return Amount(self.proceeds - self.cost_basis)

    @property
    def net_savings(self) -> Amount:
        return Amount(self.savings_this_year - self.trading_cost)


@dataclass(frozen=True)
class PlanValue:
    """The active plan's unsold steps, combined, at one set of prices."""

    steps: tuple[StepValue, ...]  # in step order
    sold: tuple[int, ...]  # step numbers sold and in the store: in the realized totals
    awaiting: tuple[int, ...]  # marked sold, trade not in the store yet: valued with the unsold
    unpriced: tuple[int, ...]  # unsold steps without a current price: not counted
    harvested: Harvested  # the loss the unsold steps realize (positive), by term and collectibles
    savings_this_year: Amount
    carryforward_created: Amount
    trading_cost: Amount

    @property
    def net_savings(self) -> Amount:
        return Amount(self.savings_this_year - self.trading_cost)

    @property
    def total_loss(self) -> Amount:
        return Amount(sum(step.loss for step in self.steps))


NO_PLAN = PlanValue((), (), (), (), NOTHING, ZERO, ZERO, ZERO)


@lru_cache(maxsize=256)
def step_lot_ids(spec: str) -> tuple[str, ...]:
    """The lot ids of an identification `LOT:QTY;LOT:QTY` (memoised: every tick asks for each
    unsold step's, and a step selling a large position names tens of thousands of lots)."""
    return tuple(part.rsplit(":", 1)[0] for part in spec.split(";") if part)


def value_plan(
    steps: Sequence[Step],
    prices: Mapping[str, Amount],
    tax: TaxFn,
    costs: CostModel,
    collectible: Collectible,
) -> PlanValue:
    """The unsold steps at `prices`, each valued after the ones before it (step order), and
    their sum — which is tax(nothing) − tax(all of them) by construction (the shares
    telescope)."""
    awaiting = [s for s in steps if s.state in SOLD_STATES and not realized(s)]
    unsold = [s for s in steps if s.state in UNSOLD] + awaiting
    if not unsold and not any(realized(s) for s in steps):
        return NO_PLAN
    harvested = NOTHING
    before = tax(harvested)
    start = before
    valued: list[StepValue] = []
    unpriced: list[int] = []
    for step in sorted(unsold, key=lambda s: s.number):
        price = prices.get(step.asset)
        if price is None:
            unpriced.append(step.number)
            continue
        proceeds = fp.mul(step.quantity, price)
        harvested = harvested.plus(step.cost_basis - proceeds, step.term == LONG, collectible(step.asset))
        after = tax(harvested)
        valued.append(
            StepValue(
                number=step.number,
                account=step.account,
                asset=step.asset,
                term=step.term,
                quantity=step.quantity,
                cost_basis=step.cost_basis,
                proceeds=proceeds,
                lot_ids=step_lot_ids(step.lots),
                rebuy=step.rebuy,
                savings_this_year=Amount(before.total_tax - after.total_tax),
                carryforward_created=Amount(after.carryforward - before.carryforward),
                trading_cost=costs.cost(proceeds, 2 if step.rebuy else 1),
            )
        )
        before = after
    return PlanValue(
        steps=tuple(valued),
        sold=tuple(s.number for s in steps if realized(s)),
        awaiting=tuple(sorted(s.number for s in awaiting)),
        unpriced=tuple(unpriced),
        harvested=harvested,
        savings_this_year=Amount(start.total_tax - before.total_tax),
        carryforward_created=Amount(before.carryforward - start.carryforward),
        trading_cost=Amount(sum(v.trading_cost for v in valued)),
    )
