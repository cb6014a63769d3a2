"""The realized-gains CSV row by row, for reports too small to pay for importing polars: the same
bytes as formatting each cell with fp.fmt and date.isoformat and passing every cell through
csv_output.spreadsheet_safe, with the work per row cut down — amounts formatted by slicing their
decimal digits (no big-int divmod), each distinct day, account, asset and term rendered once and
looked up, lot and sale ids checked a column at a time, numbers and dates (never a formula) not
checked."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from itertools import chain
from typing import Any, TypeVar

from engine.core.fixedpoint import DIGITS
from engine.ledger.realized_slices import RealizedSlices
from engine.ledger.records import RealizedRow
from engine.reports.csv_output import spreadsheet_safe

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # csv_output's: a spreadsheet reads a formula
QUOTED = frozenset(',"\r\n')  # what makes the csv module quote a cell (with "\n" line ends)
_Cell = TypeVar("_Cell", str, int)


_PADS = ["0" * (DIGITS - n) for n in range(DIGITS + 1)]  # pads n digits to DIGITS


def quantity_text(units: int) -> str:
    """fp.fmt(units, 0), by slicing the decimal digits: the quantity column's text."""
    if units < 0:
        return "-" + quantity_text(-units)
    digits = str(units)
    n = len(digits)
    if n > DIGITS:
        fraction = digits[n - DIGITS :].rstrip("0")
        return f"{digits[: n - DIGITS]}.{fraction}" if fraction else digits[: n - DIGITS]
    fraction = (_PADS[n] + digits).rstrip("0")
    return f"0.{fraction}" if fraction else "0"


def money_text(units: int) -> str:
    """fp.fmt(units, 2), by slicing the decimal digits: the proceeds, basis and gain columns'
    text. (One function for each of the two shapes: a sixth fewer instructions a cell than one
    taking the places, 2026-12-02.)"""
    if units < 0:
        return "-" + money_text(-units)
    digits = str(units)
    n = len(digits)
    if n > DIGITS:
        fraction = digits[n - DIGITS :].rstrip("0")
        whole = digits[: n - DIGITS]
    else:
        fraction = (_PADS[n] + digits).rstrip("0")
        whole = "0"
    if len(fraction) > 1:
        return f"{whole}.{fraction}"
    return f"{whole}.{fraction:0<2}"


def csv_cell(cell: str) -> str:
    """A non-empty text cell as csv_output.csv_text writes it: guarded against formulas, quoted as
    the csv module quotes (a non-empty cell alone on a row is written as the cell and "\n")."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow([spreadsheet_safe(cell)])
    return buffer.getvalue()[:-1]


def _plain(cell: str) -> bool:
    """Written as it is: nothing the csv module quotes, no formula start (an empty cell too)."""
    return not cell.startswith(FORMULA_START) and QUOTED.isdisjoint(cell)


def _text_cell(cell: str) -> str:
    return cell if _plain(cell) else csv_cell(cell)


def all_plain(cells: Iterable[str]) -> bool:
    """Whether every cell is written as it is, by a few C-speed scans of the cells joined by NUL:
    a formula start shows at the start or after a NUL (a NUL inside a cell can only make this
    say no, and each cell is then checked alone)."""
    joined = "\0".join(cells)
    return not (
        joined.startswith(FORMULA_START)
        or any(character in joined for character in QUOTED)
        or any("\0" + start in joined for start in FORMULA_START)
    )


def _rendered(values: Iterable[_Cell], render: Callable[[_Cell], str]) -> dict[_Cell, str]:
    """Each distinct value's text, rendered once: accounts, assets, terms and days repeat."""
    return {value: render(value) for value in set(values)}


def _iso_day(ordinal: int) -> str:
    return date.fromordinal(ordinal).isoformat()


def realized_rows_csv(columns: Sequence[str], rows: Sequence[RealizedRow]) -> str:
    return csv_line(columns) + realized_rows_lines(rows)


def realized_rows_lines(rows: Sequence[RealizedRow]) -> str:
    """The CSV lines of rows, without the header: each row one f-string of looked-up texts and
    its four amounts (numbers and dates are never quoted, never a formula). The matcher's slices
    (RealizedSlices) are read in their columns: no RealizedRow is built for a row."""
    return lines_of_columns(*columns_of(rows))


def columns_of(rows: Sequence[RealizedRow]) -> tuple[list[Any], ...]:
    """RealizedRow's fields in its order, one list each: the matcher's columns as they are (no
    RealizedRow built), or any other rows' fields."""
    if isinstance(rows, RealizedSlices):
        return rows.columns()
    return tuple(map(list, zip(*rows, strict=True))) if rows else ([],) * len(RealizedRow._fields)


def lines_of_columns(
    accounts: list[str],
    assets: list[str],
    quantities: list[int],
    acquired: list[int],
    sold: list[int],
    proceeds: list[int],
    bases: list[int],
    gains: list[int],
    terms: list[str],
    lot_ids: list[str],
    sale_ids: list[str],
) -> str:
    account = _rendered(accounts, _text_cell)
    asset = _rendered(assets, _text_cell)
    term = _rendered(terms, _text_cell)
    day = _rendered(chain(acquired, sold), _iso_day)
    # lot and sale ids nearly always go as they are: checked a column at a time
    lots, sales = (
        column if all_plain(column) else [_text_cell(cell) for cell in column]
        for column in (lot_ids, sale_ids)
    )
    units, money = quantity_text, money_text
    return "".join(
        [
            f"{account[a]},{asset[s]},{units(q)},{day[d]},{day[e]},{money(p)},{money(b)},{money(g)},"
            f"{term[t]},{lot},{sale}\n"
            for a, s, q, d, e, p, b, g, t, lot, sale in zip(
                accounts,
                assets,
                quantities,
                acquired,
                sold,
                proceeds,
                bases,
                gains,
                terms,
                lots,
                sales,
                strict=True,
            )
        ]
    )


def csv_line(cells: Sequence[str]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(cells)
    return buffer.getvalue()
