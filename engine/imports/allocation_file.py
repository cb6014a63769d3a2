"""An allocation the user wrote or edited (`harvest transition propose --format csv` is one):
rows of account, asset, lot and quantity — which units of unused basis go to which account.
Other columns (acquired, basis, unit_basis) are ignored: harvest takes them from the lot, so an
edited basis cannot creep in. Read whole, or refused with FILE:LINE: column: problem."""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from engine.core.units import Amount
from engine.imports.side_csv import read_sheet

COLUMNS = ("account", "asset", "lot", "quantity")


class Request(NamedTuple):
    line: int
    account: str
    asset: str
    lot: str
    quantity: Amount


def read_allocation_file(path: Path) -> tuple[str, list[Request]]:
    """(the file's label, its requests); CsvImportError naming every bad cell."""
    sheet = read_sheet(path, COLUMNS)
    cells = sheet.cells
    requests = []
    for line, record in sheet.rows:
        cells.start(record, line)
        names = {column: cells.get(column) for column in ("account", "asset", "lot")}
        for column, value in names.items():
            if not value:
                cells.bad(column, "missing value")
        quantity = cells.number("quantity")
        if quantity is not None and quantity <= 0:
            cells.bad("quantity", f"must be more than 0, got {cells.get('quantity')}")
            continue
        if quantity is not None and all(names.values()):
            requests.append(Request(line, names["account"], names["asset"].upper(), names["lot"], quantity))
    if not requests and not sheet.problems:
        sheet.problems.append(f"{sheet.label}:{sheet.header_line + 1}: row: no allocation rows")
    sheet.refuse_if_problems()
    return sheet.label, requests
