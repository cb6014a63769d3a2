"""The recorded allocations as the document the taxpayer keeps (`harvest transition show`): for
each asset, the method, when it was made and recorded, whether that was in time, the units each
account held on January 1, 2025 and every unit of unused basis allocated to it, with its original
acquisition date and basis (what Rev. Proc. 2024-28 §4.02(4)-(5) asks the records to show)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date

from engine.core.dates import TaxCalendar, iso_utc
from engine.core.units import Amount, DayOrdinal, EpochMicros
from engine.ledger.allocation import GLOBAL
from engine.planning.allocation import Recorded
from engine.reports.allocation import (
    METHOD_WORDS,
    indented,
    qty,
    slice_cells,
    slice_json,
    total_basis,
    when_text,
)
from engine.reports.csv_output import csv_text
from engine.reports.ledger_reports import table

TITLE = "ALLOCATION OF UNUSED BASIS TO WALLETS AND ACCOUNTS AS OF JANUARY 1, 2025"


def _iso(day: DayOrdinal | None) -> str:
    return "" if day is None else date.fromordinal(day).isoformat()


def _held(held: dict[str, Amount]) -> str:
    parts = ", ".join(f"{account} {qty(quantity)}" for account, quantity in sorted(held.items()))
    return f"{parts}; total {qty(sum(held.values()))}"


def document_text(items: Sequence[Recorded], calendar: TaxCalendar) -> str:
    day = calendar.day_function()
    text = [
        f"{TITLE}\n",
        "Safe harbor of Rev. Proc. 2024-28. Keep this with your books and records.\n",
        f"As of: immediately after the close of December 31, 2024, {calendar.zone} (§3.10).\n",
        "Irrevocable once made (§4.02(6)). Written by harvest from its records; not tax advice.\n",
    ]
    if not items:
        text.append("\nNo allocation recorded (see harvest transition propose and record).\n")
    for item in items:
        allocation = item.allocation
        text.append(f"\n{allocation.asset}: {METHOD_WORDS[allocation.method]}\n")
        lines = [
            (
                "recorded in harvest",
                f"{when_text(calendar, allocation.recorded_at)} (decision {allocation.decision_id})",
            )
        ]
        if allocation.made_on is not None:
            lines.append(("made in your books", _iso(allocation.made_on)))
        if allocation.method == GLOBAL and allocation.rule is not None:
            lines.append(("rule", allocation.rule.words()))
            lines.append(("rule written in your books", _iso(allocation.rule_written_on)))
        if allocation.reason:
            lines.append(("reason", allocation.reason))
        lines.append(("timely", "; ".join(item.flags) if item.flags else _in_time(item, calendar)))
        lines.append(("units held on 2025-01-01", _held(item.held)))
        lines.append(("unused basis allocated",
                      f"{qty(sum(p.quantity for p in allocation.slices))} units, basis {total_basis(allocation.slices)}"))  # fmt: skip
        width = max(len(label) for label, _ in lines)
        text.extend(f"  {label + ':':<{width + 1}} {value}\n" for label, value in lines)
        rows = [slice_cells(piece, allocation.asset, day) for piece in allocation.slices]
        rows = [[row[0], *row[2:]] for row in rows]
        text.append("\n")
        text.append(
            indented(
                table(("account", "lot", "acquired", "quantity", "basis", "unit_basis"), rows, {3, 4, 5})
            )
        )
        for account, pieces in sorted(allocation.by_account().items()):
            text.append(
                f"  {account}: {qty(sum(p.quantity for p in pieces))} held, basis {total_basis(pieces)}\n"
            )
        if item.snapshot is not None and item.snapshot.held != item.held:
            text.append(f"  note: the records now show other holdings on 2025-01-01 ({_held(item.snapshot.held)}); "
                        "the allocation applies as far as it goes\n")  # fmt: skip
    return "".join(text)


def _in_time(item: Recorded, calendar: TaxCalendar) -> str:
    first = None if item.snapshot is None else item.snapshot.first_disposal
    if first is None:
        return "yes: no disposal from 2025 yet, and before the 2025 return's due date"
    when = date.fromordinal(calendar.day(first[0])).isoformat()
    return f"yes: before the first disposal from 2025 ({when} in {first[1]}) and the 2025 return's due date"


def document_json(items: Sequence[Recorded], calendar: TaxCalendar) -> str:
    day = calendar.day_function()
    allocations = []
    for item in items:
        allocation = item.allocation
        rule = allocation.rule
        allocations.append({
            "asset": allocation.asset, "method": allocation.method, "decision": allocation.decision_id,
            "recorded_at": None if allocation.recorded_at is None else iso_utc(allocation.recorded_at), "made_on": _iso(allocation.made_on) or None,
            "rule": None if rule is None else {"order": rule.order, "accounts": list(rule.accounts),
                                               "written_on": _iso(allocation.rule_written_on) or None},
            "reason": allocation.reason, "timely": not item.flags, "flags": list(item.flags),
            "held": {account: qty(quantity) for account, quantity in sorted(item.held.items())},
            "slices": [slice_json(piece, day) for piece in allocation.slices],
        })  # fmt: skip
    document = {"as_of": "2025-01-01", "zone": str(calendar.zone), "allocations": allocations}
    return json.dumps(document, indent=2) + "\n"


def document_csv(items: Sequence[Recorded], calendar: TaxCalendar) -> str:
    day = calendar.day_function()
    rows = [
        [*slice_cells(piece, item.allocation.asset, day), item.allocation.method,
         iso_utc(item.allocation.recorded_at or EpochMicros(0)), _iso(item.allocation.made_on)]
        for item in items for piece in item.allocation.slices
    ]  # fmt: skip
    return csv_text(("account", "asset", "lot", "acquired", "quantity", "basis", "unit_basis", "method",
                     "recorded_at", "made_on"), rows)  # fmt: skip
