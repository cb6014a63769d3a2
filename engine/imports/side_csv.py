"""A small CSV file read whole, for the side files harvest reads beside the ledger (an
allocation to record, opening lots, a Form 1099-DA): its header and rows with their line
numbers, and the same FILE:LINE: column: problem discipline as the importers (engine.imports.rows).
Unreadable, empty or ragged files are refused with every problem at once."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from engine.core.errors import CsvImportError
from engine.imports.rows import Cells


@dataclass
class Sheet:
    label: str
    header_line: int
    cells: Cells  # the columns by name; `start` a row before reading it
    rows: list[tuple[int, list[str]]]
    problems: list[str]

    def refuse_if_problems(self) -> None:
        if self.problems:
            raise CsvImportError(self.label, self.problems)


def read_sheet(path: Path, required: tuple[str, ...]) -> Sheet:
    """The file's rows, or CsvImportError (missing columns named on the header line)."""
    label = str(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")  # tolerate the BOM spreadsheets write
    except OSError as exc:
        raise CsvImportError(label, [f"{label}: cannot read: {exc.strerror or exc}"]) from None
    except UnicodeDecodeError as exc:
        raise CsvImportError(label, [f"{label}: not UTF-8 text (byte {exc.start})"]) from None
    return sheet_of(text, label, required)


def sheet_of(text: str, label: str, required: tuple[str, ...]) -> Sheet:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    records: list[tuple[int, list[str]]] = []
    problems: list[str] = []
    try:
        for record in reader:
            if any(cell.strip() for cell in record):
                records.append((reader.line_num, record))
    except csv.Error as exc:
        problems.append(f"{label}:{reader.line_num}: row: {exc}")
    if not records:
        raise CsvImportError(label, [f"{label}:1: header: the file is empty; expected a header row"])
    header_line, header = records[0]
    cells = Cells(label, header, problems, None)
    if not cells.require(header_line, required):
        raise CsvImportError(label, problems)
    rows = []
    for line, record in records[1:]:
        if len(record) != len(header) and any(cell.strip() for cell in record[len(header) :]):
            problems.append(f"{label}:{line}: row: {len(record)} cells, header has {len(header)}")
            continue
        rows.append((line, record[: len(header)] + [""] * (len(header) - len(record))))
    return Sheet(label, header_line, cells, rows, problems)
