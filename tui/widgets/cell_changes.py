"""Which cells of a table differ between two fillings of the same rows: what a price tick
updates in place instead of rebuilding the table. One home for the comparison, used by the main
screen's panes on the UI thread and by the detail screen's worker (its 2,000 rows took the UI
thread 20-30 ms a tick to compare).

A cell is compared by what it shows — its text, style, spans and justification; the comparison
before looked at the text and `str(style)` only, so a change of spans alone went unshown, and
formatting a Style object costs ~5 µs. A style is compared as given: the same look written two
ways (a style's name and the Style itself) counts as a change — one needless update, never a
missed one."""

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
