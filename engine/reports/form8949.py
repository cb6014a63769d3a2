"""Form 8949 rows for digital assets: Part I (short-term) and Part II (long-term), each in its
box by how the account's broker reported it on Form 1099-DA (config `accounts[].form_8949_box`;
default: not reported), with totals per part and box to carry to Schedule D."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from engine.core import fixedpoint as fp
from engine.core.units import DayOrdinal
from engine.ledger.records import LONG, RealizedRow
from engine.reports.csv_output import csv_text
from engine.reports.ledger_reports import table

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


@dataclass(frozen=True)
class Form8949Row:
    part: str  # "I" short-term, "II" long-term
    box: str
    row: RealizedRow
    address: str = ""
    tx_ids: str = ""  # the sale's and the lot's on-chain ids, when known

    def cells(self) -> list[str]:
        r = self.row
        return [
            self.part, self.box, f"{fp.fmt(r.quantity, 0)} {r.asset}", _date(r.acquired_day), _date(r.sold_day),
            fp.fmt_cents(r.proceeds), fp.fmt_cents(r.cost_basis), "", "", fp.fmt_cents(r.gain), r.account,
            fp.fmt(fp.unit_price(r.cost_basis, r.quantity)),
            fp.fmt(fp.unit_price(r.proceeds, r.quantity)), r.lot_id, r.sale_id, self.address, self.tx_ids,
        ]  # fmt: skip


def _date(ordinal: DayOrdinal) -> str:
    return date.fromordinal(ordinal).strftime("%m/%d/%Y")


def form_rows(
    rows: Sequence[RealizedRow],
    boxes_by_account: dict[str, str],
    chain: dict[tuple[str, str], tuple[str, str]] | None = None,
) -> list[Form8949Row]:
    """`chain` maps (account, trade id) to (address, tx id) from the store's events."""
    chain = chain or {}
    result = []
    for row in sorted(rows, key=lambda r: (r.term != "short", r.sold_day, r.account, r.asset, r.lot_id)):
        reporting = boxes_by_account.get(row.account, "not_reported")
        address, sale_tx = chain.get((row.account, row.sale_id.split(":")[0]), ("", ""))
        _lot_address, lot_tx = chain.get((row.account, row.lot_id), ("", ""))
        tx_ids = ";".join(t for t in (sale_tx, lot_tx) if t)
        result.append(
            Form8949Row("II" if row.term == LONG else "I", BOXES[(row.term, reporting)], row, address, tx_ids)
        )
    return result


def totals(rows: Sequence[Form8949Row]) -> list[tuple[str, str, int, int, int]]:
    """(part, box, proceeds, cost basis, gain) per part and box, in form order."""
    sums: dict[tuple[str, str], list[int]] = {}
    for item in rows:
        entry = sums.setdefault((item.part, item.box), [0, 0, 0])
        entry[0] += item.row.proceeds
        entry[1] += item.row.cost_basis
        entry[2] += item.row.gain
    return [(part, box, *values) for (part, box), values in sorted(sums.items())]  # type: ignore[misc]


def form_csv(rows: Sequence[Form8949Row]) -> str:
    return csv_text(COLUMNS, [item.cells() for item in rows])


def form_table(rows: Sequence[Form8949Row]) -> str:
    """Part I and Part II (the columns a paper form shows), then the totals per part and box."""
    text = []
    for part, title in (("I", "Part I — short-term"), ("II", "Part II — long-term")):
        records = [item.cells()[1:10] for item in rows if item.part == part]
        text.append(f"{title}\n")
        text.append(table(COLUMNS[1:10], records, right={4, 5, 8}) if records else "  (none)\n")
        text.append("\n")
    text.append("Totals to carry to Schedule D\n")
    sums = [[part, box, fp.fmt_cents(proceeds), fp.fmt_cents(basis), fp.fmt_cents(gain)]
            for part, box, proceeds, basis, gain in totals(rows)]  # fmt: skip
    text.append(table(("part", "box", "proceeds", "cost_basis", "gain"), sums, right={2, 3, 4}))
    return "".join(text)
