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


def realized_rows_csv(columns: Sequence[str], rows: Sequence[RealizedRow]) -> str:
    days: dict[int, str] = {}
    texts: dict[str, object] = {}  # account, asset and term repeat: each checked once

    def day(ordinal: int) -> str:
        text = days.get(ordinal)
        if text is None:
            text = days[ordinal] = date.fromordinal(ordinal).isoformat()
        return text

    def repeated(cell: str) -> object:
        safe = texts.get(cell)
        if safe is None:
            safe = texts[cell] = spreadsheet_safe(cell)
        return safe

    fmt, safe = fixed_text, spreadsheet_safe
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(
        [
            repeated(r[0]),
            repeated(r[1]),
            fmt(r[2], 0),
            day(r[3]),
            day(r[4]),
            fmt(r[5], 2),
            fmt(r[6], 2),
            fmt(r[7], 2),
            repeated(r[8]),
            safe(r[9]),
            safe(r[10]),
        ]
        for r in rows
    )
    return buffer.getvalue()
