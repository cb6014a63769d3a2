"""Realized and unrealized gains from matched lots, dated in the tax time zone."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from engine.core import fixedpoint as fp
from engine.core.dates import days_to_long_term
from engine.core.lean_dataclass import lean_dataclass
from engine.core.units import ZERO, Amount, DayOrdinal
from engine.ledger.realized_slices import rows_in_days
from engine.ledger.records import LONG, SHORT, Excluded, LotResult, OpenLot, RealizedRow


@lean_dataclass(frozen=True)
class Totals:
    """Proceeds, cost basis and gain summed over realized rows."""

    proceeds: Amount = ZERO
    cost_basis: Amount = ZERO
    gain: Amount = ZERO


def realized_rows(result: LotResult, year: int | None = None) -> tuple[Sequence[RealizedRow], list[Excluded]]:
    """The realized slices (and the excluded ones) of one tax year, or of all years (a match's
    slices stay in columns: engine.ledger.realized_slices)."""
    if year is None:
        return result.realized, result.excluded
    first, last = date(year, 1, 1).toordinal(), date(year, 12, 31).toordinal()
    return (
        rows_in_days(result.realized, first, last),
        [e for e in result.excluded if first <= e.sold_day <= last],
    )


def totals_by_year(rows: Iterable[RealizedRow]) -> dict[int, dict[str, Totals]]:
    """Proceeds, cost basis and gain per tax year and term (both terms in every year shown)."""
    sums: dict[int, dict[str, list[int]]] = {}
    for row in rows:
        per_year = sums.get(row.year)
        if per_year is None:
            per_year = sums[row.year] = {SHORT: [0, 0, 0], LONG: [0, 0, 0]}
        entry = per_year[row.term]
        entry[0] += row.proceeds
        entry[1] += row.cost_basis
        entry[2] += row.gain
    return {
        year: {
            term: Totals(proceeds=Amount(p), cost_basis=Amount(c), gain=Amount(g))
            for term, (p, c, g) in per_year.items()
        }
        for year, per_year in sorted(sums.items())
    }


@lean_dataclass(frozen=True, slots=True)
class LotRow:
    """An open lot as of a day, with its unrealized result when a price is known."""

    lot: OpenLot
    acquired_day: DayOrdinal
    term: str
    days_to_long_term: int
    price: Amount | None
    value: Amount | None
    unrealized: Amount | None

    def __init__(
        self,
        lot: OpenLot,
        acquired_day: DayOrdinal,
        term: str,
        days_to_long_term: int,
        price: Amount | None,
        value: Amount | None,
        unrealized: Amount | None,
    ) -> None:
        put = object.__setattr__  # (the generated __init__, written out: see lean_dataclass)
        put(self, "lot", lot)
        put(self, "acquired_day", acquired_day)
        put(self, "term", term)
        put(self, "days_to_long_term", days_to_long_term)
        put(self, "price", price)
        put(self, "value", value)
        put(self, "unrealized", unrealized)

    @property
    def unit_cost(self) -> Amount | None:
        if self.lot.basis is None:
            return None
        return fp.unit_price(self.lot.basis, self.lot.quantity)


def open_lot_rows(
    lots: Sequence[OpenLot], today: DayOrdinal, prices: dict[str, Amount] | None = None
) -> list[LotRow]:
    rows: list[LotRow] = []
    for lot in lots:
        wait = days_to_long_term(lot.acquired_day, today)
        price = prices.get(lot.asset) if prices else None
        value = fp.mul(lot.quantity, price) if price is not None else None
        rows.append(
            LotRow(
                lot=lot,
                acquired_day=lot.acquired_day,
                term=LONG if wait == 0 else SHORT,
                days_to_long_term=wait,
                price=price,
                value=value,
                unrealized=Amount(value - lot.basis) if value is not None and lot.basis is not None else None,
            )
        )
    return rows
