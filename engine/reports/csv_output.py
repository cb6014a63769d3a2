"""The one way harvest writes CSV: a header, rows, `\\n` line ends, and text cells made safe for
spreadsheets. A cell beginning with `=`, `+`, `-`, `@`, a tab or a carriage return is a formula
to Excel, LibreOffice and Google Sheets (an asset or account name like `=HYPERLINK(...)` from an
imported file would run when the export is opened), so such a text cell gets a leading `'`, as
OWASP's CSV-injection guidance and the spreadsheets themselves use for "this is text". Numbers
(`-12.50`) are left as they are."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\Z")


def spreadsheet_safe(cell: object) -> object:
    if isinstance(cell, str) and cell.startswith(_FORMULA_START) and not _NUMBER.match(cell):
        return "'" + cell
    return cell


def csv_text(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([spreadsheet_safe(cell) for cell in row] for row in rows)
    return buffer.getvalue()
