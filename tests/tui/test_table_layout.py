"""A table whose scrollable size changes asks for a layout pass (which repaints the whole screen)
only when that can change the layout: its own size depends on it (auto width or height) or a
scroll bar appears or goes. Rows added below the view (expanding a holding) or a column a digit
wider (a price tick) only repaint the table; what it paints and how far it scrolls are the same
as DataTable's. The main screen clears a holdings width only when one is set (clearing always
asked for a layout pass, every tick)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.text import Text
from textual.app import App, ComposeResult
from textual.widgets import DataTable

from tests.tui.pilot import settled
from tests.tui.test_fast_table import fill, painted
from tui.screens.main import MainScreen
from tui.testing import demo_app
from tui.widgets.fast_table import FastTable
from tui.widgets.fitted_table import refit
from tui.widgets.panes import HoldingsPane


class SizedTables(App[None]):
    CSS = """
    DataTable { height: 8; width: 40; }
    #auto { height: auto; }
    """

    def compose(self) -> ComposeResult:
        yield DataTable(id="stock", cursor_type="row", zebra_stripes=True)
        yield FastTable(id="fast", cursor_type="row", zebra_stripes=True)
        yield FastTable(id="auto", cursor_type="row")


def layouts_asked(widget: Any) -> list[bool]:
    """Record every refresh of `widget` that asks for a layout pass."""
    asked: list[bool] = []
    refresh = widget.refresh

    def spy(*regions: Any, **options: Any) -> Any:
        if options.get("layout"):
            asked.append(True)
        return refresh(*regions, **options)

    widget.refresh = spy
    return asked


def rows(count: int, start: int = 0) -> list[list[Text | str]]:
    return [[Text(f"lot {n}"), Text(f"{n * 7:,}", justify="right")] for n in range(start, start + count)]


async def test_rows_added_below_the_view_repaint_the_table_without_a_layout_pass():
    app = SizedTables()
    async with app.run_test(size=(80, 40)) as pilot:
        fast, stock = app.query_one("#fast", FastTable), app.query_one("#stock", DataTable)
        for table in (fast, stock):
            fill(table, [7, 9], rows(20), [Text("lot"), Text("quantity")])
        app.set_focus(None)
        await pilot.pause()
        assert fast.show_vertical_scrollbar
        asked = layouts_asked(fast)
        for table in (fast, stock):
            table.add_rows(rows(30, start=20))  # as expanding a holding adds its lots
        await pilot.pause()
        assert asked == []  # the code before asked for one
        assert fast.virtual_size == stock.virtual_size
        assert (
            fast.vertical_scrollbar.window_virtual_size == stock.vertical_scrollbar.window_virtual_size == 51
        )
        fast.scroll_end(animate=False, immediate=True)
        stock.scroll_end(animate=False, immediate=True)
        await pilot.pause()
        assert fast.scroll_y == stock.scroll_y == fast.max_scroll_y > 0
        assert painted(fast) == painted(stock)


async def test_a_wider_column_with_room_to_spare_repaints_without_a_layout_pass():
    app = SizedTables()
    async with app.run_test(size=(80, 40)) as pilot:
        fast, stock = app.query_one("#fast", FastTable), app.query_one("#stock", DataTable)
        for table in (fast, stock):
            fill(table, [7, 9], rows(3), [Text("lot"), Text("quantity")])
        app.set_focus(None)
        await pilot.pause()
        asked = layouts_asked(fast)
        for table in (fast, stock):
            refit(table, [7, 12])  # a figure a few digits longer on a tick
        await pilot.pause()
        assert asked == []
        assert fast.virtual_size.width == 7 + 12 + 4  # each column's width and its padding
        assert painted(fast) == painted(stock)


async def test_a_scroll_bar_that_comes_or_goes_still_lays_the_table_out():
    app = SizedTables()
    async with app.run_test(size=(80, 40)) as pilot:
        fast, stock = app.query_one("#fast", FastTable), app.query_one("#stock", DataTable)
        for table in (fast, stock):
            fill(table, [7, 9], rows(2), [Text("lot"), Text("quantity")])
        app.set_focus(None)
        await pilot.pause()
        assert not fast.show_vertical_scrollbar
        assert not fast.show_horizontal_scrollbar
        for table in (fast, stock):
            table.add_rows(rows(20, start=2))
            refit(table, [20, 30])  # wider than the table: a horizontal scroll bar too
        await pilot.pause()
        assert fast.show_vertical_scrollbar
        assert fast.show_horizontal_scrollbar
        assert fast.scrollable_content_region.size == stock.scrollable_content_region.size
        assert painted(fast) == painted(stock)


async def test_a_table_whose_height_follows_its_rows_grows_with_them():
    app = SizedTables()
    async with app.run_test(size=(80, 40)) as pilot:
        auto = app.query_one("#auto", FastTable)
        fill(auto, [7, 9], rows(2), [Text("lot"), Text("quantity")])
        await pilot.pause()
        assert auto.size.height == 3
        auto.add_rows(rows(4, start=2))
        await pilot.pause()
        assert auto.size.height == 7  # laid out again: the header and six rows


async def test_a_tick_on_the_main_screen_asks_for_no_layout_pass(tmp_path: Path):
    app = demo_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot)
        screen = app.screen
        assert isinstance(screen, MainScreen)
        holdings = screen.query_one(HoldingsPane)
        asked = layouts_asked(holdings)
        screen.fit_wide()  # as the end of every snapshot's fill does
        assert asked == []  # the code before cleared the (unset) width: a layout pass a tick
        await pilot.resize_terminal(180, 40)  # side by side: the holdings get the width they need
        await pilot.pause()
        assert holdings.styles.inline.has_rule("width")
        await pilot.resize_terminal(120, 40)
        await pilot.pause()
        assert not holdings.styles.inline.has_rule("width")  # back to the stylesheet's
