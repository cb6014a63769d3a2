"""Tables whose columns are exactly as wide as their widest cell (or label), on every update.

Why not the stock auto-width columns: DataTable measures them later, on its next idle, and
does not invalidate its line caches when the widths change. A frame painted between adding
rows and that idle is cached with header-width columns and shown again afterwards (numbers
clipped, in some launches only). Here the widths are measured up front and given to each
column explicitly, so every frame is painted at the final widths."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from rich.cells import cell_len
from rich.text import Text
from textual.geometry import Size
from textual.widgets import DataTable

from tui.widgets.fast_table import FastTable

Cell = Text | str


def shown_text(cell: Cell) -> Text:
    """The text the table shows for a cell (a plain string is read as markup, as DataTable does;
    the panes pass Text, so user strings are never markup)."""
    return cell if isinstance(cell, Text) else Text.from_markup(cell, end="")


def cell_width(cell: Cell) -> int:
    lines = shown_text(cell).plain.splitlines()
    return max((cell_len(line) for line in lines), default=0)


def fitted_widths(labels: Sequence[Text], rows: Sequence[Sequence[Cell]]) -> list[int]:
    """Each column's width: its widest cell or its label, whichever is wider."""
    widths = [cell_width(label) for label in labels]
    for cells in rows:
        for index, cell in enumerate(cells):
            width = cell_width(cell)
            if width > widths[index]:
                widths[index] = width
    return widths


def rebuild(
    table: DataTable[Any],
    labels: Sequence[Text],
    rows: Sequence[Sequence[Cell]],
    widths: Sequence[int] | None = None,
) -> list[int]:
    """Replace the table's columns and rows; columns get explicit (fitted) widths. Returns them.
    The view stays scrolled where it was across the rebuild (DataTable.clear scrolls back to
    the left): a price tick that adds a row must not take the last columns away."""
    fitted = list(widths) if widths is not None else fitted_widths(labels, rows)
    place = scroll_place(table)
    if isinstance(table, FastTable) and same_columns(table, labels):
        table.clear()  # the columns stay: only their widths may change (fewer layout passes)
        if [column.width for column in table.ordered_columns] != fitted:
            for column, width in zip(table.ordered_columns, fitted, strict=True):
                column.width = width
            table.widths_changed()
    else:
        table.clear(columns=True)
        for label, width in zip(labels, fitted, strict=True):
            table.add_column(label, width=width, key=label.plain)
    table.add_rows(rows)
    restore_scroll(table, place)
    return fitted


def same_columns(table: DataTable[Any], labels: Sequence[Text]) -> bool:
    columns = table.ordered_columns
    return len(columns) == len(labels) and all(
        column.key.value == label.plain and column.label == label and column.label.justify == label.justify
        for column, label in zip(columns, labels, strict=True)
    )


def refit(table: DataTable[Any], widths: Sequence[int]) -> None:
    """Give the table's columns new explicit widths in place (same rows, as on a price tick):
    drop its render caches so no frame reuses lines drawn at the old widths, and widen its
    scrollable area to match (the table would only remeasure it after adding rows)."""
    place = scroll_place(table)
    for column, width in zip(table.ordered_columns, widths, strict=True):
        column.width = width
    if isinstance(table, FastTable):
        table.widths_changed()
    else:
        table.notify_style_update()  # the public way to drop DataTable's row, cell and line caches
    _set_virtual_width(table)
    restore_scroll(table, place)


def scroll_place(table: DataTable[Any]) -> float:
    """How far the view is scrolled across: 0 at the left, infinity at the right end (where
    it stays when the columns widen: the last column is what the user scrolled to see)."""
    if table.scroll_x and table.scroll_x >= table.max_scroll_x:
        return math.inf
    return table.scroll_x


def restore_scroll(table: DataTable[Any], place: float) -> None:
    if place:
        _set_virtual_width(table)  # the table would only measure it on its next idle
        x = table.max_scroll_x if place == math.inf else place
        table.scroll_to(x=x, animate=False, immediate=True)


def _set_virtual_width(table: DataTable[Any]) -> None:
    total = sum(column.get_render_width(table) for column in table.ordered_columns)
    size = Size(total, table.virtual_size.height)  # tables here have no row labels
    if isinstance(table, FastTable):
        table.set_virtual_size(size)  # no layout pass when only the scroll bars may change
    else:
        table.virtual_size = size
