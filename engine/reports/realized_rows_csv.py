"""The realized-gains CSV row by row, for reports too small to pay for importing polars: the same
bytes as formatting each cell with fp.fmt and date.isoformat and passing every cell through
csv_output.spreadsheet_safe, with the work per row cut down — amounts formatted by slicing their
decimal digits (no big-int divmod), each distinct day and text cell rendered once, numbers and
dates (never a formula) not checked."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import date

from engine.core.fixedpoint import DIGITS
from engine.ledger.records import RealizedRow
from engine.reports.csv_output import spreadsheet_safe

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # csv_output's: a spreadsheet reads a formula
QUOTED = frozenset(',"\r\n')  # what makes the csv module quote a cell (with "\n" line ends)
_ZEROS = ["0" * (DIGITS + 1 - n) for n in range(DIGITS + 1)]  # pads n digits to 19


def fixed_text(units: int, min_places: int) -> str:
    """fp.fmt(units, min_places), by slicing the decimal digits."""
    digits = str(-units) if units < 0 else str(units)
    if len(digits) <= DIGITS:
        digits = _ZEROS[len(digits)] + digits
    fraction = digits[-DIGITS:].rstrip("0")
    if len(fraction) < min_places:
        fraction = fraction.ljust(min_places, "0")
    text = f"{digits[:-DIGITS]}.{fraction}" if fraction else digits[:-DIGITS]
    return "-" + text if units < 0 else text


def csv_cell(cell: str) -> str:
    """A non-empty text cell as csv_output.csv_text writes it: guarded against formulas, quoted as
    the csv module quotes (a non-empty cell alone on a row is written as the cell and "\n")."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow([spreadsheet_safe(cell)])
    return buffer.getvalue()[:-1]


def _plain(cell: str) -> bool:
    """Written as it is: nothing the csv module quotes, no formula start (an empty cell too)."""
    return not cell.startswith(FORMULA_START) and QUOTED.isdisjoint(cell)


def realized_rows_csv(columns: Sequence[str], rows: Sequence[RealizedRow]) -> str:
    return csv_line(columns) + realized_rows_lines(rows)


def realized_rows_lines(rows: Sequence[RealizedRow]) -> str:
    """The CSV lines of rows, without the header."""
    days: dict[int, str] = {}
    texts: dict[str, str] = {}  # account, asset and term repeat: each rendered once

    def day(ordinal: int) -> str:
        text = days.get(ordinal)
        if text is None:
            text = days[ordinal] = date.fromordinal(ordinal).isoformat()
        return text

    def repeated(cell: str) -> str:
        text = texts.get(cell)
        if text is None:
            text = texts[cell] = cell if _plain(cell) else csv_cell(cell)
        return text

    def text(cell: str) -> str:
        return cell if _plain(cell) else csv_cell(cell)

    fmt = fixed_text  # numbers and dates: never quoted, never a formula
    return "".join(
        f"{repeated(r[0])},{repeated(r[1])},{fmt(r[2], 0)},{day(r[3])},{day(r[4])},{fmt(r[5], 2)},"
        f"{fmt(r[6], 2)},{fmt(r[7], 2)},{repeated(r[8])},{text(r[9])},{text(r[10])}\n"
        for r in rows
    )


def csv_line(cells: Sequence[str]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(cells)
    return buffer.getvalue()
