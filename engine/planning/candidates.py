"""Harvest candidates: what realizing each loss now is worth in tax dollars.

A candidate is the lots of one asset in one account that are under water and share a term
(if sold today). Its value is marginal: harvesting it after better candidates are chosen
saves `tax(chosen) - tax(chosen + it)`, which shrinks once losses exceed all gains plus the
ordinary-income limit (the rest only carries forward). Candidates are therefore ranked by a
greedy walk — each step takes the candidate with the largest marginal net saving — and every
figure a candidate shows is its value at that point of the walk. The walk may start from losses
already chosen (the active plan's unsold steps), so the rest is ranked after them."""

from __future__ import annotations

import heapq
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Context, Decimal
from functools import cached_property
from typing import TYPE_CHECKING, NamedTuple

from engine.core import fixedpoint as fp
from engine.core.units import ZERO, Amount

if TYPE_CHECKING:  # polars loads with positions; keep it off the import/report path
    from engine.planning.positions import LotGroup

SHORT, LONG = "short", "long"


@dataclass(frozen=True)
class TaxOutcome:
    """What the tax model says for a given extra harvested ST and LT loss (fixed-point)."""

    total_tax: Amount
    carryforward: Amount


class Harvested(NamedTuple):
    """Losses harvested on top of this year's realized results (positive fixed-point amounts).
    A long-term collectible's loss is in `long_term` and again in `collectibles`, the part the
    28% Rate Gain Worksheet nets (IRC 1(h)(5): collectibles held over a year); a short-term
    collectible's is ordinary short-term."""

    short_term: Amount = ZERO
    long_term: Amount = ZERO
    collectibles: Amount = ZERO

    def plus(self, loss: int, long_term: bool, collectible: bool) -> Harvested:
        if not long_term:
            return self._replace(short_term=Amount(self.short_term + loss))
        part = loss if collectible else 0
        return Harvested(self.short_term, Amount(self.long_term + loss), Amount(self.collectibles + part))


NOTHING = Harvested()
_EXACT = Context(prec=120)  # a $10^15 loss (34 digits) times a rate of up to 50 digits: unrounded


def tax_at(loss: int, rate: Decimal) -> Amount:
    """`loss` times a tax rate, rounded once to 10^-18 (the default 28-digit context would round
    the product of a loss past $10^10 first)."""
    return fp.from_decimal(fp.quantize(_EXACT.multiply(fp.to_decimal(loss), rate)))


TaxFn = Callable[[Harvested], TaxOutcome]  # this year's tax with these losses harvested
Collectible = Callable[[str], bool]  # is this asset a collectible (engine.tax.profile.is_collectible)


@dataclass(frozen=True)
class Candidate:
    account: str
    asset: str
    term: str
    quantity: Amount
    value: Amount
    cost_basis: Amount
    lots: int
    days_to_long_term: int
    savings_this_year: Amount = ZERO
    carryforward_created: Amount = ZERO
    trading_cost: Amount = ZERO
    deferred_tax: Amount = ZERO
    warnings: tuple[str, ...] = ()
    rank: int = 0
    lot_ids: tuple[str, ...] = ()
    planned_step: int | None = None  # the active plan's step this is; its figures are the step's share

    @property
    def loss(self) -> Amount:
        """The unrealized loss, as a negative amount."""
        return Amount(self.value - self.cost_basis)

    @property
    def net_savings(self) -> Amount:
        return Amount(self.savings_this_year - self.trading_cost)


@dataclass(frozen=True)
class Blocked:
    """An asset the data-quality gate keeps out of recommendations, and why."""

    account: str
    asset: str
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class CostModel:
    fee_rate: Decimal
    spread: Decimal

    @cached_property
    def per_side(self) -> Amount:
        """Fee and spread as one fixed-point rate (converted once: the ranking asks per candidate)."""
        return fp.from_decimal(self.fee_rate + self.spread)

    def cost(self, value: Amount, sides: int) -> Amount:
        return Amount(fp.mul(value, self.per_side) * sides)


def rank_candidates(
    groups: Sequence[LotGroup],
    tax: TaxFn,
    costs: CostModel,
    long_term_rate: Decimal,
    warnings_for: Callable[[LotGroup], tuple[str, ...]] = lambda group: (),
    sides_for: Callable[[LotGroup], int] = lambda group: 2,
    chosen: Harvested = NOTHING,
    *,
    collectible: Collectible,
) -> list[Candidate]:
    """Greedy by marginal net savings, starting after the `chosen` losses (the plan's), lazily:
    a candidate's value usually only falls as more is chosen, so a stale upper bound that still
    beats the rest is re-evaluated, not every candidate."""
    current = tax(chosen)

    def harvesting(group: LotGroup) -> Harvested:
        """What is chosen so far, and this group's loss."""
        return chosen.plus(group.basis - group.value, group.long_term, collectible(group.asset))

    def marginal(group: LotGroup) -> tuple[Amount, Amount, Amount]:
        """(tax saved this year, carryforward created, net of trading costs) for this group
        on top of what is chosen so far."""
        after = tax(harvesting(group))
        saving = Amount(current.total_tax - after.total_tax)
        created = Amount(after.carryforward - current.carryforward)
        return saving, created, Amount(saving - costs.cost(group.value, sides_for(group)))

    heap: list[tuple[int, int]] = []
    for index, group in enumerate(groups):
        heap.append((-marginal(group)[2], index))
    heapq.heapify(heap)
    ranked: list[Candidate] = []
    while heap:
        stale, index = heapq.heappop(heap)
        group = groups[index]
        saving, created, net = marginal(group)
        if heap and -net > heap[0][0] and -net != stale:
            heapq.heappush(heap, (-net, index))
            continue
        loss = group.basis - group.value
        chosen = harvesting(group)
        current = tax(chosen)
        sides = sides_for(group)
        deferred = tax_at(loss, long_term_rate) if sides == 2 else ZERO
        ranked.append(
            Candidate(
                account=group.account,
                asset=group.asset,
                term=LONG if group.long_term else SHORT,
                quantity=group.quantity,
                value=group.value,
                cost_basis=group.basis,
                lots=group.lots,
                days_to_long_term=group.min_days_to_long_term,
                savings_this_year=saving,
                carryforward_created=created,
                trading_cost=costs.cost(group.value, sides),
                deferred_tax=deferred,
                warnings=warnings_for(group),
                rank=len(ranked) + 1,
                lot_ids=group.lot_ids,
            )
        )
    return ranked
