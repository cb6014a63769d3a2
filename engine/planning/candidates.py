"""Harvest candidates: what realizing each loss now is worth in tax dollars.

A candidate is the lots of one asset in one account that are under water and share a term
(if sold today). Its value is marginal: harvesting it after better candidates are chosen
saves `tax(chosen) - tax(chosen + it)`, which shrinks once losses exceed all gains plus the
ordinary-income limit (the rest only carries forward). Candidates are therefore ranked by a
greedy walk — each step takes the candidate with the largest marginal net saving — and every
figure a candidate shows is its value at that point of the walk."""

from __future__ import annotations

import heapq
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from engine.core import fixedpoint as fp

if TYPE_CHECKING:  # polars loads with positions; keep it off the import/report path
    from engine.planning.positions import LotGroup

SHORT, LONG = "short", "long"


@dataclass(frozen=True)
class TaxOutcome:
    """What the tax model says for a given extra harvested ST and LT loss (fixed-point)."""

    total_tax: int
    carryforward: int


TaxFn = Callable[[int, int], TaxOutcome]


@dataclass(frozen=True)
class Candidate:
    account: str
    asset: str
    term: str
    quantity: int
    value: int
    cost_basis: int
    lots: int
    days_to_long_term: int
    savings_this_year: int = 0
    carryforward_created: int = 0
    trading_cost: int = 0
    deferred_tax: int = 0
    warnings: tuple[str, ...] = ()
    rank: int = 0
    lot_ids: tuple[str, ...] = ()

    @property
    def loss(self) -> int:
        """The unrealized loss, as a negative amount."""
        return self.value - self.cost_basis

    @property
    def net_savings(self) -> int:
        return self.savings_this_year - self.trading_cost


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

    def cost(self, value: int, sides: int) -> int:
        per_side = fp.from_decimal(self.fee_rate + self.spread)
        return fp.mul(value, per_side) * sides


def rank_candidates(
    groups: Sequence[LotGroup],
    tax: TaxFn,
    costs: CostModel,
    long_term_rate: Decimal,
    warnings_for: Callable[[LotGroup], tuple[str, ...]] = lambda group: (),
    sides_for: Callable[[LotGroup], int] = lambda group: 2,
) -> list[Candidate]:
    """Greedy by marginal net savings (lazy: a candidate's value only falls as more is chosen,
    so a stale upper bound that still beats the rest is re-evaluated, not every candidate)."""
    st_chosen = lt_chosen = 0
    base = tax(0, 0)
    current = base

    def marginal(group: LotGroup) -> tuple[int, int, int]:
        loss = group.basis - group.value  # positive amount
        extra_st = st_chosen + (loss if not group.long_term else 0)
        extra_lt = lt_chosen + (loss if group.long_term else 0)
        after = tax(extra_st, extra_lt)
        saving = current.total_tax - after.total_tax
        created = after.carryforward - current.carryforward
        return saving, created, saving - costs.cost(group.value, sides_for(group))

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
        if group.long_term:
            lt_chosen += loss
        else:
            st_chosen += loss
        current = tax(st_chosen, lt_chosen)
        cost = costs.cost(group.value, sides_for(group))
        deferred = (
            fp.from_decimal(fp.quantize(fp.to_decimal(loss) * long_term_rate)) if sides_for(group) == 2 else 0
        )
        ranked.append(
            Candidate(
                group.account, group.asset, LONG if group.long_term else SHORT, group.quantity, group.value,
                group.basis, group.lots, group.min_days_to_long_term, saving, created, cost, deferred,
                warnings_for(group), len(ranked) + 1, group.lot_ids,
            )
        )  # fmt: skip
    return ranked
