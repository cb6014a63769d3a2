"""A spreadsheet (XLSX) read as CSV text, so every format reads one kind of input.

Exchanges that export XLSX (Gemini) write numbers as numbers. Excel stores them as doubles,
and the shortest decimal that reads back as the same double (Python's repr) is the figure the
file shows: that is what is kept, never a float. The first sheet is read with fastexcel (calamine)
twice: once as text (dates, times and text as written) and once as numbers, so a number in a
column that also holds text keeps all its digits (fastexcel's own text of a number rounds it).
Line numbers in problems are the sheet's row numbers."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path
from typing import Any

from engine.core.errors import CsvImportError

XLSX_MAGIC = b"PK\x03\x04"  # a ZIP archive: XLSX is one (detected by content, not by name)


def xlsx_as_csv(path: Path, label: str) -> str:
    """The first sheet of a workbook as CSV text (one record per row, header included)."""
    import fastexcel  # loaded only for a spreadsheet

    try:
        reader = fastexcel.read_excel(str(path))
        as_text = reader.load_sheet(0, header_row=None, dtypes="string").to_polars()
        as_numbers = reader.load_sheet(0, header_row=None, dtypes="float").to_polars()
    except Exception as exc:  # fastexcel raises its own types for every broken-workbook case
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise CsvImportError(label, [f"{label}: not a spreadsheet harvest can read: {first}"]) from None
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for texts, numbers in zip(as_text.iter_rows(), as_numbers.iter_rows(), strict=True):
        writer.writerow([_cell(text, number) for text, number in zip(texts, numbers, strict=True)])
    return out.getvalue()


def _cell(text: Any, number: Any) -> str:
    if isinstance(number, float):
        return decimal_text(number)
    return "" if text is None else str(text)


def decimal_text(number: float) -> str:
    """A spreadsheet number as plain decimal text: 1e-08 -> 0.00000001, 5.0 -> 5."""
    value = Decimal(repr(number))
    if value == value.to_integral_value():
        return str(value.quantize(Decimal(1)))
    return format(value.normalize(), "f")
