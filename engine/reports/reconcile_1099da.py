"""Form 1099-DA against harvest's disposals, sale by sale: each reported row is matched to the
sale it reports (same account and asset, date sold, units), and every matched sale shows where the
broker's figures differ from harvest's — proceeds, date, units, basis, term — with the amount and
the likely cause (transferred-in basis, a different lot method or allocation, fees in or out of
proceeds). What is on one side only is listed too. Notice 2026-20 §4.05: for 2025 and 2026 your
own books control when they identified the lots, whatever the form says."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from engine.core import fixedpoint as fp
from engine.core.units import Amount, DayOrdinal
from engine.ledger.broker_forms import FormRow
from engine.ledger.covered import LotOrigins
from engine.ledger.records import Excluded, RealizedRow

FEE_SHARE = 100  # a proceeds difference within 1% of the proceeds: fees in or out of them
TRANSFERRED_IN = ("transferred-in basis: some units came into this account from another account or wallet "
                  "(the 2025 allocation or a transfer); the broker does not know their basis (box 12a)")  # fmt: skip


@dataclass(frozen=True)
class Sale:
    """One of harvest's disposals: its realized slices (and any slices left out of results)."""

    account: str
    asset: str
    sale_id: str
    sold: DayOrdinal
    slices: tuple[RealizedRow, ...]
    left_out: Amount = Amount(0)  # units of the sale harvest left out (unknown basis, …)

    @property
    def quantity(self) -> int:
        return sum(s.quantity for s in self.slices) + self.left_out

    @property
    def proceeds(self) -> int:
        return sum(s.proceeds for s in self.slices)

    @property
    def basis(self) -> int:
        return sum(s.cost_basis for s in self.slices)

    @property
    def terms(self) -> set[str]:
        return {s.term for s in self.slices}


@dataclass(frozen=True)
class Difference:
    field: str  # units, date, proceeds, basis, term
    broker: str
    harvest: str
    amount: Amount | None  # broker's figure less harvest's, for amounts
    cause: str


@dataclass(frozen=True)
class Match:
    sale: Sale
    rows: tuple[FormRow, ...]
    differences: tuple[Difference, ...] = ()


@dataclass
class Reconciliation:
    year: int
    method: str
    matched: list[Match] = field(default_factory=list)
    form_only: list[FormRow] = field(default_factory=list)
    harvest_only: list[Sale] = field(default_factory=list)
    without_form: dict[str, int] = field(default_factory=dict)  # account -> its sales (no form imported)

    def match_of(self, account: str, sale_id: str) -> Match | None:
        for match in self.matched:
            if match.sale.account == account and match.sale.sale_id == sale_id:
                return match
        return None


def sales_of(rows: Sequence[RealizedRow], excluded: Sequence[Excluded]) -> list[Sale]:
    """harvest's disposals, from the realized slices and those left out, in date order."""
    slices: dict[tuple[str, str], list[RealizedRow]] = {}
    for row in rows:
        slices.setdefault((row.account, row.sale_id), []).append(row)
    left_out: dict[tuple[str, str], int] = {}
    named: dict[tuple[str, str], tuple[str, DayOrdinal]] = {
        key: (parts[0].asset, parts[0].sold_day) for key, parts in slices.items()
    }
    for e in excluded:
        left_out[(e.account, e.sale_id)] = left_out.get((e.account, e.sale_id), 0) + e.quantity
        named.setdefault((e.account, e.sale_id), (e.asset, e.sold_day))
    return [
        Sale(
            key[0],
            named[key][0],
            key[1],
            named[key][1],
            tuple(slices.get(key, ())),
            Amount(left_out.get(key, 0)),
        )
        for key in sorted(named, key=lambda k: (named[k][1], k))
    ]


def reconcile(
    year: int,
    method: str,
    sales: Sequence[Sale],
    forms: dict[str, list[FormRow]],
    origins: LotOrigins,
) -> Reconciliation:
    """Match the forms' rows (account -> rows) to the year's sales; `origins` tells the lots
    that came into an account from elsewhere."""
    result = Reconciliation(year, method)
    open_sales = [s for s in sales if s.account in forms]
    for sale in sales:
        if sale.account not in forms:
            result.without_form[sale.account] = result.without_form.get(sale.account, 0) + 1
    rows = [row for account in sorted(forms) for row in forms[account]]
    for near in (0, 1):  # the same date first; then a day apart (another time zone)
        for sale in list(open_sales):
            group = _rows_for(sale, rows, near)
            if group:
                result.matched.append(
                    Match(sale, tuple(group), tuple(_differences(sale, group, method, origins)))
                )
                open_sales.remove(sale)
                for row in group:
                    rows.remove(row)
    result.matched.sort(key=lambda m: (m.sale.sold, m.sale.account, m.sale.sale_id))
    result.form_only = rows
    result.harvest_only = open_sales
    return result


def _rows_for(sale: Sale, rows: list[FormRow], near: int) -> list[FormRow]:
    """The rows reporting this sale: one with its units, else several that add up to them (a
    broker reports covered and noncovered, short- and long-term parts apart), else one within
    1% of its units (a fee taken in units)."""
    candidates = [
        r
        for r in rows
        if r.account == sale.account and r.asset == sale.asset and abs(r.sold - sale.sold) == near
    ]
    exact = [r for r in candidates if r.units == sale.quantity]
    if exact:
        return exact[:1]
    if len(candidates) > 1 and sum(r.units for r in candidates) == sale.quantity:
        return candidates
    close = [r for r in candidates if abs(r.units - sale.quantity) * 100 <= sale.quantity]
    return close[:1]


def _day(day: int) -> str:
    return date.fromordinal(day).isoformat()


def _differences(sale: Sale, rows: Sequence[FormRow], method: str, origins: LotOrigins) -> list[Difference]:
    found: list[Difference] = []
    units = sum(r.units for r in rows)
    if units != sale.quantity:
        found.append(Difference("units", fp.fmt(units, 0), fp.fmt(sale.quantity, 0), None,
                                "a fee taken in units, or a part of the sale reported apart"))  # fmt: skip
    if rows[0].sold != sale.sold:
        found.append(Difference("date", _day(rows[0].sold), _day(sale.sold), None,
                                "another time zone: harvest dates a sale in tax.timezone"))  # fmt: skip
    if sale.left_out:
        found.append(Difference("proceeds", "", "", None, f"harvest left {fp.fmt(sale.left_out, 0)} of this sale out of "
                                "its results (unknown basis or missing history): compare by hand"))  # fmt: skip
        return found
    proceeds = sum(r.proceeds for r in rows)
    if proceeds != sale.proceeds:
        small = abs(proceeds - sale.proceeds) * FEE_SHARE <= max(sale.proceeds, 1)
        cause = ("fees in or out of proceeds (harvest's proceeds are net of the sale's fees: Treas. Reg. "
                 "§1.1001-7(b))") if small else "a different price or quantity"  # fmt: skip
        found.append(_amounts("proceeds", proceeds, sale.proceeds, cause))
    moved = any(origins.moved_in(sale.account, s.lot_id) for s in sale.slices) or any(
        r.transferred_in for r in rows
    )
    acquired = {s.acquired_day for s in sale.slices}
    broker_acquired = {r.acquired for r in rows if r.acquired is not None}
    if all(r.basis is not None for r in rows):
        basis = sum(r.basis or 0 for r in rows)
        if basis != sale.basis:
            found.append(
                _amounts(
                    "basis", basis, sale.basis, _basis_cause(sale, moved, acquired, broker_acquired, method)
                )
            )
    terms = {r.term for r in rows if r.term in ("short", "long")}
    if terms and terms != sale.terms:
        cause = "the lots differ (see basis)" if broker_acquired and broker_acquired != acquired else (
            "the holding period counted differently (long-term only after the anniversary date)")  # fmt: skip
        found.append(Difference("term", "/".join(sorted(terms)), "/".join(sorted(sale.terms)), None, cause))
    return found


def _basis_cause(
    sale: Sale, moved: bool, acquired: set[DayOrdinal], broker: set[DayOrdinal], method: str
) -> str:
    if moved:
        return TRANSFERRED_IN
    if broker and broker != acquired:
        lots = ", ".join(f"{s.lot_id} ({_day(s.acquired_day)})" for s in sale.slices)
        dates = ", ".join(_day(d) for d in sorted(broker))
        return (
            f"a different lot method: harvest ({method}) sold {lots}; the broker's date acquired is {dates}"
        )
    return "a different basis for the same lots (fees added to basis, or another price)"


def _amounts(name: str, broker: int, harvest: int, cause: str) -> Difference:
    return Difference(name, fp.fmt_cents(broker), fp.fmt_cents(harvest), Amount(broker - harvest), cause)
