"""Selling what the exchange accepts: a step's lots trimmed so the quantity is a whole number of
the exchange's amount steps (rounded down — never more than the lots hold). The lots with the
least loss per unit give way first: the picks come largest loss first."""

from __future__ import annotations

from engine.core.units import Amount
from engine.planning.plans import LotPick

LotSize = tuple[Amount, Amount]  # a lot's whole quantity and basis


def round_down_to_step(
    picks: tuple[LotPick, ...], step: Amount, lots: dict[str, LotSize]
) -> tuple[LotPick, ...]:
    """`picks` holding a multiple of `step` in all; empty when they hold less than one step.
    A trimmed lot's basis is its share of the whole lot's (as a partly sold lot's is)."""
    total = sum(pick.quantity for pick in picks)
    excess = total % step
    trimmed: list[LotPick] = []
    for pick in reversed(picks):
        cut = min(excess, pick.quantity)
        excess -= cut
        quantity = Amount(pick.quantity - cut)
        if quantity == 0:
            continue
        if cut:
            whole_quantity, whole_basis = lots[pick.lot_id]
            pick = LotPick(
                lot_id=pick.lot_id,
                quantity=quantity,
                cost_basis=Amount(whole_basis * quantity // whole_quantity),
                acquired_day=pick.acquired_day,
            )
        trimmed.append(pick)
    return tuple(reversed(trimmed))
