"""Realized and unrealized gains from matched lots, dated in the tax time zone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from engine.core import fixedpoint as fp
from engine.core.dates import days_to_long_term
from engine.ledger.records import LONG, SHORT, Excluded, LotResult, OpenLot, RealizedRow


@dataclass
class Totals:
    proceeds: int = 0
    cost_basis: int = 0
    gain: int = 0

    def add(self, row: RealizedRow) -> None:
        self.proceeds += row.proceeds
        self.cost_basis += row.cost_basis
        self.gain += row.gain


def realized_rows(result: LotResult, year: int | None = None) -> tuple[list[RealizedRow], list[Excluded]]:
    """The realized slices (and the excluded ones) of one tax year, or of all years."""
    if year is None:
        return result.realized, result.excluded
    first, last = date(year, 1, 1).toordinal(), date(year, 12, 31).toordinal()
    return (
        [r for r in result.realized if first <= r.sold_day <= last],
        [e for e in result.excluded if first <= e.sold_day <= last],
    )


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
        return fp.unit_price(self.lot.basis, self.lot.quantity)


def open_lot_rows(lots: list[OpenLot], today: int, prices: dict[str, int] | None = None) -> list[LotRow]:
    rows: list[LotRow] = []
    for lot in lots:
        acquired_day = lot.acquired_day
        wait = days_to_long_term(acquired_day, today)
        price = prices.get(lot.asset) if prices else None
        value = fp.mul(lot.quantity, price) if price is not None else None
        unrealized = value - lot.basis if value is not None and lot.basis is not None else None
        rows.append(LotRow(lot, acquired_day, LONG if wait == 0 else SHORT, wait, price, value, unrealized))
    return rows
