"""Which cells of a table differ between two fillings of the same rows: what a price tick
updates in place instead of rebuilding the table.

A cell is compared by what it shows — its text, style, spans and justification — with the style
compared as given: `str(style)` (as this was done) cost ~5 µs a styled cell, 20-30 ms of the UI
thread a tick for the detail screen's 2,000 lots. A look written two ways (a style's name and the
Style itself) counts as a change: one needless update, never a missed one."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.coordinate import Coordinate

from tui.widgets.fitted_table import Cell


def cell_key(cell: Cell) -> tuple[object, ...]:
    if isinstance(cell, Text):
        return cell.plain, cell.style, cell.spans, cell.justify
    return (cell,)


def changed_cells(
    old_rows: Sequence[Sequence[Cell]], new_rows: Sequence[Sequence[Cell]]
) -> list[tuple[Coordinate, Cell]]:
    """The cells of `new_rows` that differ from `old_rows` (the same rows and columns), with
    where they are."""
    return [
        (Coordinate(row_index, column_index), cell)
        for row_index, (new_row, old_row) in enumerate(zip(new_rows, old_rows, strict=True))
        for column_index, (cell, old) in enumerate(zip(new_row, old_row, strict=True))
        if cell is not old and cell_key(cell) != cell_key(old)
    ]
