"""Realized and unrealized gains from matched lots, dated in the tax time zone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

from engine import fixedpoint as fp
from engine.dates import TaxCalendar, anniversary, days_to_long_term
from engine.lot_types import LotResult, OpenLot

SHORT, LONG = "short", "long"


class RealizedRow(NamedTuple):
    """One sale-lot slice. Days are date ordinals in the tax zone. (A NamedTuple: a million of
    these are built per report, and tuples are the cheapest immutable record.)"""

    account: str
    asset: str
    quantity: int
    acquired_day: int
    sold_day: int
    proceeds: int
    cost_basis: int
    gain: int
    term: str
    lot_id: str
    sale_id: str

    @property
    def year(self) -> int:
        return date.fromordinal(self.sold_day).year


@dataclass(frozen=True, slots=True)
class Excluded:
    """A slice left out of realized results, and why (never counted as zero)."""

    account: str
    asset: str
    quantity: int
    sold_day: int
    sale_id: str
    lot_id: str | None
    problem: str


@dataclass
class Totals:
    proceeds: int = 0
    cost_basis: int = 0
    gain: int = 0

    def add(self, row: RealizedRow) -> None:
        self.proceeds += row.proceeds
        self.cost_basis += row.cost_basis
        self.gain += row.gain


def realized_rows(
    result: LotResult, calendar: TaxCalendar, year: int | None = None
) -> tuple[list[RealizedRow], list[Excluded]]:
    rows: list[RealizedRow] = []
    excluded: list[Excluded] = []
    bounds = calendar.year_bounds(year) if year is not None else None
    anniversaries: dict[int, int] = {}
    append = rows.append
    new_row = tuple.__new__
    for s in result.realized:
        account, asset, qty, _acq, acquired_day, sold, sold_day, proceeds, basis, lot_id, sale_id, problem = s
        if bounds is not None and not bounds[0] <= sold < bounds[1]:
            continue
        if problem is not None or acquired_day is None or proceeds is None or basis is None:
            excluded.append(Excluded(account, asset, qty, sold_day, sale_id, lot_id, problem or "unknown"))
            continue
        limit = anniversaries.get(acquired_day)
        if limit is None:
            limit = anniversaries[acquired_day] = anniversary(acquired_day)
        term = LONG if sold_day > limit else SHORT
        append(new_row(RealizedRow, (
            account, asset, qty, acquired_day, sold_day, proceeds, basis, proceeds - basis, term,
            lot_id or "", sale_id,
        )))  # fmt: skip
    return rows, excluded


def totals_by_year(rows: list[RealizedRow]) -> dict[int, dict[str, Totals]]:
    totals: dict[int, dict[str, Totals]] = {}
    for row in rows:
        per_year = totals.get(row.year)
        if per_year is None:
            per_year = totals[row.year] = {SHORT: Totals(), LONG: Totals()}
        per_year[row.term].add(row)
    return dict(sorted(totals.items()))


@dataclass(frozen=True, slots=True)
class LotRow:
    """An open lot as of a day, with its unrealized result when a price is known."""

    lot: OpenLot
    acquired_day: int
    term: str
    days_to_long_term: int
    price: int | None
    value: int | None
    unrealized: int | None

    @property
    def unit_cost(self) -> int | None:
        if self.lot.basis is None:
            return None
        return fp.div_round(self.lot.basis * fp.SCALE, self.lot.quantity)


def open_lot_rows(
    lots: list[OpenLot], calendar: TaxCalendar, today: int, prices: dict[str, int] | None = None
) -> list[LotRow]:
    rows: list[LotRow] = []
    for lot in lots:
        acquired_day = lot.acquired_day
        wait = days_to_long_term(acquired_day, today)
        price = prices.get(lot.asset) if prices else None
        value = fp.mul(lot.quantity, price) if price is not None else None
        unrealized = value - lot.basis if value is not None and lot.basis is not None else None
        rows.append(LotRow(lot, acquired_day, LONG if wait == 0 else SHORT, wait, price, value, unrealized))
    return rows
