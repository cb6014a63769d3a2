"""Form 8949 rows for digital assets: Part I (short-term) and Part II (long-term), each in its box
— G/J when the broker reported the basis to the IRS on Form 1099-DA, H/K when it reported the
sale without basis, I/L when no 1099-DA reported it (2025 Instructions for Form 8949: boxes C
and F are not for digital assets) — with totals per part and box to carry to Schedule D.

The box of a sale comes from the account's imported Form 1099-DA for the year when there is one
(a sale it lists: box 2 checked or not; a sale it omits: I/L), else from the account's
`form_8949_box` (`covered`: G/J for covered lots, H/K for the rest). A sale the form reports is
written as the broker reported it — its proceeds in (d) and, in G/J, its basis in (e) — with the
codes and adjustment in (f)-(g) that bring (h) to harvest's gain: B for a basis that differs
(the Worksheet for Basis Adjustments: broker's less correct), E for transaction costs the form's
proceeds include, O for other proceeds differences, T for a term the form gets wrong."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from engine.core import fixedpoint as fp
from engine.core.units import DayOrdinal
from engine.ledger.records import LONG, RealizedRow
from engine.reports.csv_output import csv_text
from engine.reports.ledger_reports import table
from engine.reports.reconcile_1099da import Match, Reconciliation

# 2025 Form 8949 boxes for digital assets (1099-DA): with basis reported to the IRS, without,
# or not on a 1099-DA at all
BOXES = {
    ("short", "with_basis"): "G",
    ("short", "without_basis"): "H",
    ("short", "not_reported"): "I",
    ("long", "with_basis"): "J",
    ("long", "without_basis"): "K",
    ("long", "not_reported"): "L",
}
COLUMNS = (
    "part", "box", "description", "date_acquired", "date_sold", "proceeds", "cost_basis", "code", "adjustment",
    "gain", "account", "purchase_price", "sale_price", "lot_id", "sale_id", "address", "tx_ids",
)  # fmt: skip
Covered = Callable[[RealizedRow], bool]


@dataclass(frozen=True)
class Form8949Row:
    part: str  # "I" short-term, "II" long-term
    box: str
    account: str
    asset: str
    quantity: int
    acquired: DayOrdinal | None  # None: VARIOUS (lots bought on several dates)
    sold: DayOrdinal
    proceeds: int  # column (d)
    basis: int  # column (e)
    gain: int  # column (h)
    lot_id: str
    sale_id: str
    code: str = ""  # column (f)
    adjustment: int = 0  # column (g)
    address: str = ""
    tx_ids: str = ""  # the sale's and the lot's on-chain ids, when known

    def cells(self) -> list[str]:
        adjustment = fp.fmt_cents(self.adjustment) if self.code else ""
        return [
            self.part, self.box, f"{fp.fmt(self.quantity, 0)} {self.asset}",
            "VARIOUS" if self.acquired is None else _date(self.acquired), _date(self.sold),
            fp.fmt_cents(self.proceeds), fp.fmt_cents(self.basis), self.code, adjustment, fp.fmt_cents(self.gain),
            self.account, fp.fmt(fp.unit_price(self.basis, self.quantity)),
            fp.fmt(fp.unit_price(self.proceeds, self.quantity)), self.lot_id, self.sale_id, self.address, self.tx_ids,
        ]  # fmt: skip


def _date(ordinal: DayOrdinal) -> str:
    return date.fromordinal(ordinal).strftime("%m/%d/%Y")


def form_rows(
    rows: Sequence[RealizedRow],
    boxes_by_account: dict[str, str],
    chain: dict[tuple[str, str], tuple[str, str]] | None = None,
    covered: Covered | None = None,
    reconciliation: Reconciliation | None = None,
) -> list[Form8949Row]:
    """`chain` maps (account, trade id) to (address, tx id) from the store's events; `covered`
    tells a covered lot; `reconciliation` is the year's Forms 1099-DA matched to the sales."""
    chain = chain or {}
    sales: dict[tuple[str, str], list[RealizedRow]] = {}
    for row in rows:
        sales.setdefault((row.account, row.sale_id), []).append(row)
    result: list[Form8949Row] = []
    for (account, sale_id), slices in sales.items():
        match = reconciliation.match_of(account, sale_id) if reconciliation else None
        if match is not None and len({s.term for s in slices}) == 1:
            result.append(_as_reported(match, slices, _chain_of(chain, slices[0])))
            continue
        with_form = reconciliation is not None and account in _form_accounts(reconciliation)
        for row in slices:
            reporting = _reporting(
                row, match, with_form, boxes_by_account.get(account, "not_reported"), covered
            )
            address, tx_ids = _chain_of(chain, row)
            result.append(Form8949Row(
                "II" if row.term == LONG else "I", BOXES[(row.term, reporting)], row.account, row.asset,
                row.quantity, row.acquired_day, row.sold_day, row.proceeds, row.cost_basis,
                row.gain, row.lot_id, row.sale_id, address=address, tx_ids=tx_ids,
            ))  # fmt: skip
    return sorted(result, key=lambda r: (r.part, r.sold, r.account, r.asset, r.lot_id))


def _form_accounts(reconciliation: Reconciliation) -> set[str]:
    found = {m.sale.account for m in reconciliation.matched} | {
        s.account for s in reconciliation.harvest_only
    }
    return found | {row.account for row in reconciliation.form_only}


def _chain_of(chain: dict[tuple[str, str], tuple[str, str]], row: RealizedRow) -> tuple[str, str]:
    address, sale_tx = chain.get((row.account, row.sale_id.split(":")[0]), ("", ""))
    _lot_address, lot_tx = chain.get((row.account, row.lot_id), ("", ""))
    return address, ";".join(t for t in (sale_tx, lot_tx) if t)


def _reporting(
    row: RealizedRow, match: Match | None, with_form: bool, configured: str, covered: Covered | None
) -> str:
    if match is not None:
        reported = {r.basis_reported for r in match.rows}
        if len(reported) == 2:  # covered and noncovered parts reported apart
            return "with_basis" if covered is not None and covered(row) else "without_basis"
        return "with_basis" if reported == {True} else "without_basis"
    if with_form:
        return "not_reported"  # the account's form does not list this sale
    if configured == "covered":
        return "with_basis" if covered is not None and covered(row) else "without_basis"
    return configured


def _as_reported(match: Match, slices: list[RealizedRow], chain: tuple[str, str]) -> Form8949Row:
    """One row for a sale its Form 1099-DA reports, in the broker's figures, adjusted to
    harvest's gain."""
    term = slices[0].term
    proceeds = sum(s.proceeds for s in slices)
    basis = sum(s.cost_basis for s in slices)
    gain = proceeds - basis
    reported = all(r.basis_reported for r in match.rows)
    broker_proceeds = sum(r.proceeds for r in match.rows)
    broker_basis = (
        sum(r.basis or 0 for r in match.rows) if all(r.basis is not None for r in match.rows) else None
    )
    shown_basis = broker_basis if reported and broker_basis is not None else basis
    codes = set()
    if broker_basis is not None and broker_basis != basis:
        codes.add("B")
    if broker_proceeds > proceeds:
        codes.add("E")  # transaction costs the form's proceeds still include
    elif broker_proceeds < proceeds:
        codes.add("O")
    if any(r.term in ("short", "long") and r.term != term for r in match.rows):
        codes.add("T")
    days = {s.acquired_day for s in slices}
    acquired = next(iter(days)) if len(days) == 1 else None
    return Form8949Row(
        "II" if term == LONG else "I", BOXES[(term, "with_basis" if reported else "without_basis")], slices[0].account,
        slices[0].asset, sum(s.quantity for s in slices), acquired, slices[0].sold_day, broker_proceeds,
        shown_basis, gain, ";".join(s.lot_id for s in slices), slices[0].sale_id, "".join(sorted(codes)),
        gain - (broker_proceeds - shown_basis), chain[0], chain[1],
    )  # fmt: skip


def totals(rows: Sequence[Form8949Row]) -> list[tuple[str, str, int, int, int, int]]:
    """(part, box, proceeds, cost basis, adjustment, gain) per part and box, in form order."""
    sums: dict[tuple[str, str], list[int]] = {}
    for item in rows:
        entry = sums.setdefault((item.part, item.box), [0, 0, 0, 0])
        entry[0] += item.proceeds
        entry[1] += item.basis
        entry[2] += item.adjustment
        entry[3] += item.gain
    return [(part, box, *values) for (part, box), values in sorted(sums.items())]  # type: ignore[misc]


def form_csv(rows: Sequence[Form8949Row]) -> str:
    return csv_text(COLUMNS, [item.cells() for item in rows])


def form_table(rows: Sequence[Form8949Row]) -> str:
    """Part I and Part II (the columns a paper form shows), then the totals per part and box."""
    text = []
    for part, title in (("I", "Part I — short-term"), ("II", "Part II — long-term")):
        records = [item.cells()[1:10] for item in rows if item.part == part]
        text.append(f"{title}\n")
        text.append(table(COLUMNS[1:10], records, right={4, 5, 7, 8}) if records else "  (none)\n")
        text.append("\n")
    text.append("Totals to carry to Schedule D\n")
    sums = [[part, box, fp.fmt_cents(proceeds), fp.fmt_cents(basis), fp.fmt_cents(adjustment), fp.fmt_cents(gain)]
            for part, box, proceeds, basis, adjustment, gain in totals(rows)]  # fmt: skip
    text.append(
        table(("part", "box", "proceeds", "cost_basis", "adjustment", "gain"), sums, right={2, 3, 4, 5})
    )
    return "".join(text)
