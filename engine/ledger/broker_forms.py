"""Form 1099-DA rows as harvest keeps them: one row per reported sale (or per part of a sale the
broker reports apart: covered short-term, covered long-term, noncovered), in the form's boxes
(2026 Form 1099-DA and its instructions). A form the user imports is kept in the store as one
record per account and tax year (kind `form_1099da` among the user's decisions: what they
brought, with its time), replaced by a later import of the same account and year. A sale typed
from a paper form is one such record of its own (source `entered by hand`, its time), kept until
the user removes it (undoes the decision)."""

from __future__ import annotations

from datetime import date
from typing import Any, NamedTuple

from engine.core import fixedpoint as fp
from engine.core.units import Amount, DayOrdinal
from engine.ledger.decisions import FORM_1099DA, Decision

SHORT, LONG, ORDINARY = "short", "long", "ordinary"
HAND = "entered by hand"  # the source of a sale typed from a paper form: one decision per sale


# the form's fields as a sale entered by hand names them (the import and the CLI's options)
ENTRY_FIELDS: dict[str, str] = {
    "account": "account", "code": "1a code", "name": "1b asset name", "asset": "asset (harvest's code)",
    "units": "1c units", "acquired": "1d date acquired", "sold": "1e date sold", "proceeds": "1f proceeds",
    "basis": "1g cost basis", "reported": "2 basis reported", "term": "6 term", "customer": "8 customer info",
    "noncovered": "9 noncovered", "moved": "12a units transferred in", "checkbox": "Form 8949 box",
}  # fmt: skip


class FormRow(NamedTuple):
    line: int  # in the file it came from
    account: str
    asset: str  # harvest's code (the `asset` column, else from box 1b's name)
    name: str  # box 1b (or 1a's code when 1b is blank)
    units: Amount  # box 1c
    acquired: DayOrdinal | None  # box 1d; None: blank or "various"
    sold: DayOrdinal  # box 1e
    proceeds: Amount  # box 1f
    basis: Amount | None  # box 1g; None: blank
    basis_reported: bool  # box 2: the basis was reported to the IRS
    term: str | None  # box 6: short, long, ordinary, or None (blank)
    customer_info: bool  # box 8: the broker relied on acquisition information you gave it
    noncovered: bool  # box 9
    transferred_in: Amount | None  # box 12a: units of the sale transferred in to the broker
    checkbox: str | None  # "Applicable checkbox on Form 8949" (G-L), when the form prints one
    entry: int | None = None  # entered by hand (from a paper form): its decision's id

    @property
    def year(self) -> int:
        return date.fromordinal(self.sold).year


def _day(value: object) -> DayOrdinal | None:
    return None if not value else DayOrdinal(date.fromisoformat(str(value)).toordinal())


def _iso(day: DayOrdinal | None) -> str | None:
    return None if day is None else date.fromordinal(day).isoformat()


def _units(value: Amount | None) -> str | None:
    return None if value is None else fp.fmt(value, 0)


def to_detail(rows: list[FormRow], source: str) -> dict[str, object]:
    return {
        "source": source,
        "rows": [
            [r.line, r.asset, r.name, _units(r.units), _iso(r.acquired), _iso(r.sold), _units(r.proceeds),
             _units(r.basis), r.basis_reported, r.term, r.customer_info, r.noncovered, _units(r.transferred_in),
             r.checkbox]
            for r in rows
        ],
    }  # fmt: skip


def from_decision(decision: Decision) -> list[FormRow]:
    account = decision.subject.rsplit(":", 1)[0]
    detail: dict[str, Any] = decision.detail
    entry = decision.id if detail.get("source") == HAND else None
    rows = []
    for line, asset, name, units, acquired, sold, proceeds, basis, reported, term, info, noncovered, moved, box in detail["rows"]:  # fmt: skip
        rows.append(FormRow(int(line), account, str(asset), str(name), fp.parse(units), _day(acquired),
                            DayOrdinal(date.fromisoformat(sold).toordinal()), fp.parse(proceeds),
                            None if basis is None else fp.parse(basis), bool(reported), term, bool(info),
                            bool(noncovered), None if moved is None else fp.parse(moved), box, entry))  # fmt: skip
    return rows


def subject(account: str, year: int) -> str:
    return f"{account}:{year}"


def stored_forms(decisions: list[Decision], year: int | None = None) -> dict[str, list[FormRow]]:
    """account -> the rows of its Form 1099-DA for `year` (all years when None), as imported last."""
    found: dict[str, list[FormRow]] = {}
    for decision in sorted(decisions, key=lambda d: d.id):
        if decision.kind != FORM_1099DA or not decision.active:
            continue
        form_year = int(decision.subject.rsplit(":", 1)[1])
        if year is None or form_year == year:
            account = decision.subject.rsplit(":", 1)[0]
            found.setdefault(account, []).extend(from_decision(decision))
    return found
