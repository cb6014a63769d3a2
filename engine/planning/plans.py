"""The harvest plan: which candidates to realize, the exact lots to name, and the rebuys.

Goals: `max_savings` takes every candidate whose marginal net saving is positive;
`offset_gains` takes just enough loss to cancel this year's net gains plus the ordinary-income
limit; `target` takes a loss amount. Candidates come in their greedy rank, so a goal that needs
only part of a candidate sells part of it (the lots with the largest loss per unit first)."""

from __future__ import annotations

from dataclasses import dataclass, field

from engine.core import fixedpoint as fp
from engine.core.units import Amount, DayOrdinal, EpochMicros
from engine.planning.candidates import Candidate

GOALS = ("max_savings", "offset_gains", "target")


@dataclass(frozen=True)
class LotPick:
    lot_id: str
    quantity: Amount
    cost_basis: Amount
    acquired_day: DayOrdinal


@dataclass(frozen=True)
class PlanStep:
    """Sell these lots now, rebuy the same quantity after `rebuy_after` (None: no rebuy)."""

    number: int
    account: str
    asset: str
    term: str
    quantity: Amount
    lots: tuple[LotPick, ...]
    expected_proceeds: Amount
    cost_basis: Amount
    savings_this_year: Amount
    carryforward_created: Amount
    trading_cost: Amount
    warnings: tuple[str, ...]
    rebuy_after: EpochMicros | None
    rounded_to_step: Amount | None = None  # the exchange's quantity step the sale was rounded down to

    @property
    def loss(self) -> Amount:
        return Amount(self.expected_proceeds - self.cost_basis)

    @property
    def net_savings(self) -> Amount:
        return Amount(self.savings_this_year - self.trading_cost)

    @property
    def identification(self) -> str:
        """The specific identification in the import format: LOT:QTY;LOT:QTY."""
        return ";".join(f"{pick.lot_id}:{fp.fmt(pick.quantity, 0)}" for pick in self.lots)


@dataclass
class Plan:
    goal: str
    steps: list[PlanStep] = field(default_factory=list)
    target_loss: Amount | None = None

    @property
    def total_loss(self) -> Amount:
        return Amount(sum(step.loss for step in self.steps))

    @property
    def savings_this_year(self) -> Amount:
        return Amount(sum(step.savings_this_year for step in self.steps))

    @property
    def carryforward_created(self) -> Amount:
        return Amount(sum(step.carryforward_created for step in self.steps))

    @property
    def trading_cost(self) -> Amount:
        return Amount(sum(step.trading_cost for step in self.steps))

    @property
    def net_savings(self) -> Amount:
        return Amount(self.savings_this_year - self.trading_cost)


def chosen_candidates(
    candidates: list[Candidate], goal: str, target_loss: Amount | None
) -> list[tuple[Candidate, Amount]]:
    """(candidate, loss to take from it, positive) in rank order; the last may be partial."""
    if goal not in GOALS:
        raise ValueError(f"unknown goal {goal}")
    picked: list[tuple[Candidate, Amount]] = []
    if goal == "max_savings":
        return [(c, Amount(-c.loss)) for c in candidates if c.net_savings > 0]
    remaining = target_loss or 0
    for candidate in candidates:
        if remaining <= 0:
            break
        take = Amount(min(-candidate.loss, remaining))
        picked.append((candidate, take))
        remaining -= take
    return picked


UnderWaterLot = tuple[str, Amount, Amount, DayOrdinal]  # lot_id, quantity, basis, acquired_day


def pick_lots(lots: list[UnderWaterLot], price: Amount, wanted_loss: Amount) -> tuple[LotPick, ...]:
    """From (lot_id, quantity, basis, acquired_day) under water at `price`, the lots giving
    `wanted_loss`: largest loss per unit first, the last one split by quantity if needed."""

    def loss_per_unit(lot: UnderWaterLot) -> int:
        return fp.unit_price(lot[2], lot[1]) - price

    picks: list[LotPick] = []
    remaining: int = wanted_loss
    for lot_id, quantity, basis, acquired_day in sorted(
        lots, key=lambda lot: (-loss_per_unit(lot), lot[3], lot[0])
    ):
        if remaining <= 0:
            break
        lot_loss = basis - fp.mul(quantity, price)
        if lot_loss <= remaining:
            picks.append(
                LotPick(lot_id=lot_id, quantity=quantity, cost_basis=basis, acquired_day=acquired_day)
            )
            remaining -= lot_loss
            continue
        # part of the lot: the quantity whose loss covers what is left, rounded up to 1e-18
        unit_loss = loss_per_unit((lot_id, quantity, basis, acquired_day))
        part = Amount(min(quantity, -(-remaining * fp.SCALE // unit_loss)))
        picks.append(
            LotPick(
                lot_id=lot_id,
                quantity=part,
                cost_basis=Amount(basis * part // quantity),
                acquired_day=acquired_day,
            )
        )
        remaining = 0
    return tuple(picks)
