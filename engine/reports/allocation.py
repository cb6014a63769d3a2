"""The 2025 transition on paper: the snapshot as of January 1, 2025, a proposed allocation, and
the recorded allocation — the document the taxpayer keeps with their books (Rev. Proc. 2024-28
§4.02(4)-(5) asks for records of the units per account and of each unit of unused basis).
Tables and text to read, CSV to edit and record, JSON for scripts. Amounts exact."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from typing import Any

from engine.core import fixedpoint as fp
from engine.core.dates import DayOf, TaxCalendar, to_datetime
from engine.core.units import EpochMicros
from engine.ledger.allocation import ACTUAL_UNITS, GLOBAL, Allocation, AssetSnapshot, Slice
from engine.planning.allocation import Proposal, Recorded
from engine.reports.csv_output import csv_text
from engine.reports.ledger_reports import table

METHOD_WORDS = {
    "specific_unit": "specific-unit allocation (Rev. Proc. 2024-28 §5.02(2)(a))",
    GLOBAL: "global allocation (Rev. Proc. 2024-28 §5.02(2)(b))",
    ACTUAL_UNITS: "actual units (harvest's default; not the safe harbor)",
}
SLICE_COLUMNS = ("account", "asset", "lot", "acquired", "quantity", "basis", "unit_basis")


def qty(units: int) -> str:
    return fp.fmt(units, 0)


def _money(units: int | None) -> str:
    return "unknown" if units is None else fp.fmt_cents(units)


def _unit(basis: int | None, quantity: int) -> str:
    return "unknown" if basis is None or not quantity else fp.fmt_cents(fp.unit_price(basis, quantity))


def _day(day: DayOf, micros: EpochMicros) -> str:
    return date.fromordinal(day(micros)).isoformat()


def when_text(calendar: TaxCalendar, micros: EpochMicros | None) -> str:
    return "" if micros is None else f"{to_datetime(micros, calendar.zone):%Y-%m-%d %H:%M} {calendar.zone}"


def slice_cells(piece: Slice, asset: str, day: DayOf) -> list[str]:
    return [piece.account, asset, piece.key, _day(day, piece.acquired), qty(piece.quantity),
            _money(piece.basis), _unit(piece.basis, piece.quantity)]  # fmt: skip


def total_basis(pieces: Sequence[Slice]) -> str:
    if any(p.basis is None for p in pieces):
        return "unknown"
    return fp.fmt_cents(sum(p.basis or 0 for p in pieces))


# -- the snapshot ------------------------------------------------------------------------------


def snapshot_table(
    snapshots: Sequence[AssetSnapshot], in_force: dict[str, Recorded], calendar: TaxCalendar, method: str
) -> str:
    day = calendar.day_function()
    text = [f"Snapshot as of 2025-01-01 (the close of December 31, 2024 in {calendar.zone}); unused basis "
            f"under {method}, one pool per asset until then\n"]  # fmt: skip
    if not snapshots:
        text.append("\nNo units held on 2025-01-01: nothing to allocate.\n")
    for snapshot in snapshots:
        lots = snapshot.unused
        text.append(f"\n{snapshot.asset}: {qty(snapshot.units_held)} held in {len(snapshot.held)} account(s); "
                    f"{qty(snapshot.units_of_basis)} of unused basis in {len(lots)} lot(s), basis "
                    f"{total_basis([Slice('', '', '', lot.quantity, lot.basis, lot.acquired) for lot in lots])}\n")  # fmt: skip
        first = snapshot.first_disposal
        text.append(f"  first disposal from 2025: {'none yet' if first is None else _day(day, first[0]) + ' in ' + first[1]}\n")  # fmt: skip
        recorded = in_force.get(snapshot.asset)
        if recorded is None:
            text.append(
                "  allocation: none recorded (harvest applies actual units; see harvest transition propose)\n"
            )
        else:
            text.append(f"  allocation: {METHOD_WORDS[recorded.allocation.method]}, recorded "
                        f"{when_text(calendar, recorded.allocation.recorded_at)}\n")  # fmt: skip
        held = [[account, qty(quantity)] for account, quantity in snapshot.held.items()]
        text.append(indented(table(("account", "held"), held, right={1})))
        cells = [[lot.key, _day(day, lot.acquired), qty(lot.quantity), _money(lot.basis), _unit(lot.basis, lot.quantity)]
                 for lot in lots]  # fmt: skip
        text.append(
            indented(table(("lot", "acquired", "quantity", "basis", "unit_basis"), cells, right={2, 3, 4}))
        )
        if snapshot.units_of_basis != snapshot.units_held:
            text.append(f"  note: {qty(snapshot.units_of_basis)} of unused basis for {qty(snapshot.units_held)} units "
                        "held (transfer fees, or history missing)\n")  # fmt: skip
    return "".join(text)


def indented(block: str) -> str:
    return "".join(f"  {line}\n" for line in block.splitlines())


def snapshot_json(
    snapshots: Sequence[AssetSnapshot], in_force: dict[str, Recorded], calendar: TaxCalendar, method: str
) -> str:
    day = calendar.day_function()
    assets = []
    for snapshot in snapshots:
        first = snapshot.first_disposal
        recorded = in_force.get(snapshot.asset)
        assets.append({
            "asset": snapshot.asset,
            "held": {account: qty(quantity) for account, quantity in snapshot.held.items()},
            "units_held": qty(snapshot.units_held),
            "units_of_basis": qty(snapshot.units_of_basis),
            "unused": [{"lot": lot.key, "lot_id": lot.lot_id, "acquired": _day(day, lot.acquired),
                        "quantity": qty(lot.quantity), "basis": None if lot.basis is None else fp.fmt(lot.basis)}
                       for lot in snapshot.unused],
            "first_disposal": None if first is None else {"date": _day(day, first[0]), "account": first[1]},
            "allocation": None if recorded is None else recorded.allocation.method,
        })  # fmt: skip
    document = {"as_of": "2025-01-01", "zone": str(calendar.zone), "method": method, "assets": assets}
    return json.dumps(document, indent=2) + "\n"


# -- a proposal --------------------------------------------------------------------------------


def _heading(allocation: Allocation) -> str:
    rule = allocation.rule
    if allocation.method == GLOBAL and rule is not None:
        return f"global rule: {rule.words()}"
    order = []
    for piece in allocation.slices:
        if piece.account not in order:
            order.append(piece.account)
    return f"harvest's suggestion (specific-unit): highest unit basis first, to {', then '.join(order)}"


def proposal_table(proposals: Sequence[Proposal], calendar: TaxCalendar) -> str:
    day = calendar.day_function()
    text = []
    for proposal in proposals:
        allocation = proposal.allocation
        text.append(f"{allocation.asset} — {_heading(allocation)}\n")
        rows = [slice_cells(piece, allocation.asset, day) for piece in allocation.slices]
        rows = [[row[0], *row[2:]] for row in rows]
        text.append(
            indented(
                table(("account", "lot", "acquired", "quantity", "basis", "unit_basis"), rows, {3, 4, 5})
            )
        )
        for account, pieces in allocation.by_account().items():
            total = sum(p.quantity for p in pieces)
            text.append(f"  {account}: {qty(total)} of {qty(proposal.snapshot.held.get(account, 0))} held, "
                        f"basis {total_basis(pieces)}\n")  # fmt: skip
        text.extend(f"  cannot be recorded: {problem}\n" for problem in proposal.problems)
        text.extend(f"  if recorded today: {flag}\n" for flag in proposal.flags)
        text.append("\n")
    return "".join(text) or "No units held on 2025-01-01: nothing to allocate.\n"


def proposal_csv(proposals: Sequence[Proposal], calendar: TaxCalendar) -> str:
    day = calendar.day_function()
    rows = [slice_cells(piece, p.allocation.asset, day) for p in proposals for piece in p.allocation.slices]
    return csv_text(SLICE_COLUMNS, rows)


def proposal_json(proposals: Sequence[Proposal], calendar: TaxCalendar) -> str:
    day = calendar.day_function()
    items = [{
        "asset": p.allocation.asset, "method": p.allocation.method,
        "rule": None if p.allocation.rule is None else {"order": p.allocation.rule.order,
                                                         "accounts": list(p.allocation.rule.accounts)},
        "slices": [slice_json(piece, day) for piece in p.allocation.slices],
        "problems": list(p.problems), "flags_if_recorded_today": list(p.flags),
    } for p in proposals]  # fmt: skip
    return json.dumps(items, indent=2) + "\n"


def slice_json(piece: Slice, day: DayOf) -> dict[str, Any]:
    return {"account": piece.account, "lot": piece.key, "lot_id": piece.lot_id, "acquired": _day(day, piece.acquired),
            "quantity": qty(piece.quantity), "basis": None if piece.basis is None else fp.fmt(piece.basis)}  # fmt: skip
