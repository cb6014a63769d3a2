"""FastTable paints a row cursor's lines itself (no per-line walk up the DOM for the header's
style and the background colours, which DataTable works out for every line and uses only for
fixed columns, row labels or another cursor type), and keeps each cell's text as segments apart
from the row's styles, so rows that moved (lots inserted above them) are restyled, not rendered
again. What it paints stays DataTable's (tests/tui/test_fast_table.py compares the two on
generated tables; here the cases these paths add: rows shifted, the hover cursor shown)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from unittest import mock

from rich.text import Text
from textual.coordinate import Coordinate
from textual.widgets import DataTable

from tests.tui.test_fast_table import TwoTables, fill, painted
from tui.widgets import fast_table
from tui.widgets.fast_table import FastTable

LABELS = [Text("lot"), Text("quantity", justify="right"), Text("value", justify="right")]


def lot_rows(numbers: range) -> list[list[Text | str]]:
    return [
        [
            Text(f"lot {n}"),
            Text(f"{n * 7:,}", justify="right"),
            Text(f"${n:,}.00", style="red", justify="right"),
        ]
        for n in numbers
    ]


@asynccontextmanager
async def two_tables(rows: list[list[Text | str]]) -> AsyncIterator[tuple[FastTable, DataTable]]:
    """The same rows in a FastTable and a stock DataTable side by side, nothing focused."""
    app = TwoTables()
    async with app.run_test(size=(80, 24)) as pilot:
        fast = app.query_one("#fast", FastTable)
        stock = app.query_one("#stock", DataTable)
        for table in (fast, stock):
            fill(table, [8, 8, 10], rows, LABELS)
        app.set_focus(None)
        await pilot.pause()
        yield fast, stock


async def test_rows_inserted_above_are_restyled_not_rendered_again():
    rows = lot_rows(range(10, 18))
    async with two_tables(rows) as (fast, stock):
        assert painted(fast) == painted(stock)
        shifted = lot_rows(range(1, 3)) + rows  # two rows in above the ones shown: every line moves
        for table in (fast, stock):
            fill(table, [8, 8, 10], shifted, LABELS)
        with mock.patch.object(fast_table, "one_line", wraps=fast_table.one_line) as rendered:
            assert painted(fast) == painted(stock)
        assert rendered.call_count == 2 * 3  # the new rows' cells only


async def test_a_line_is_painted_without_walking_the_dom_for_styles_it_does_not_use():
    async with two_tables(lot_rows(range(6))) as (fast, stock):
        painted(fast)
        changes = [(Coordinate(row, 2), Text(f"${row}.50", justify="right")) for row in range(6)]
        fast.update_cells(changes)  # every row's line painted again
        for at, value in changes:
            stock.update_cell_at(at, value)
        with mock.patch.object(fast, "get_component_styles", wraps=fast.get_component_styles) as looked_up:
            assert painted(fast) == painted(stock)
        assert looked_up.call_count == 0  # DataTable: the header's style, once a line


async def test_the_hover_cursor_paints_what_data_table_paints():
    async with two_tables(lot_rows(range(6))) as (fast, stock):
        for row in (2, -1, 4):  # a row, the header, another row
            for table in (fast, stock):
                table._show_hover_cursor = True
                table.hover_coordinate = Coordinate(row, 1)
                table.move_cursor(row=1, animate=False)
            assert painted(fast) == painted(stock)
