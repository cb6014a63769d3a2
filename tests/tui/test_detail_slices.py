"""The detail screen fills a long lot table a slice at a time (issue 18: 2,000 rows added in one
go held the UI thread for seconds): every row arrives, in order, no add larger than a slice,
the lots formatted by the worker, and a price tick that changes only figures keeps the rows."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from textual.widgets import DataTable

from tests.tui.pilot import settled
from tui.screens import detail as detail_screen
from tui.screens import main as main_screen
from tui.screens.detail import ROWS_PER_SLICE, DetailScreen
from tui.testing import demo_app
from tui.widgets.chart import BackgroundPlot
from tui.widgets.fast_table import FastTable

SHOWN = 400  # lot rows the table shows in the tests


@pytest.mark.slow
async def test_a_long_lot_table_goes_in_slices_and_is_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    batches: list[int] = []
    real_add_rows = DataTable.add_rows

    def counted(table: DataTable, rows):  # noqa: ANN001, ANN202
        rows = list(rows)
        if table.id == "detail-lots":
            batches.append(len(rows))
        return real_add_rows(table, rows)

    monkeypatch.setattr(DataTable, "add_rows", counted)
    formatted_here: list[int] = []
    real_lot_table = detail_screen.lot_table
    monkeypatch.setattr(
        detail_screen, "lot_table", lambda *a: (formatted_here.append(1), real_lot_table(*a))[1]
    )
    # the table's cap below the holding's 536 lots (2,000 would take a slow test of 50,000 lots)
    monkeypatch.setattr(detail_screen, "MAX_TABLE_ROWS", SHOWN)
    monkeypatch.setattr(main_screen, "MAX_TABLE_ROWS", SHOWN)
    app = demo_app(tmp_path, extra_lots=12_000)
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot)
        await pilot.press("shift+tab")  # holdings: the demo's extra lots make each holding long
        await pilot.press("enter")
        await settled(pilot)
        screen = app.screen
        assert isinstance(screen, DetailScreen)
        lots = screen.query_one("#detail-lots", DataTable)
        await settled(pilot)
        assert not screen.slices  # all done
        expected = screen.lot_keys
        assert len(expected) > 3 * ROWS_PER_SLICE  # several slices
        assert [str(lots.get_row_at(i)[0]) for i in range(lots.row_count)][:-1] == expected[:-1]
        assert lots.row_count == len(expected)
        assert max(batches) <= ROWS_PER_SLICE
        # the worker described only the lots the table shows; the title and the last row count
        # every lot of the holding
        d = screen.detail
        held = [
            lot
            for lot in app.session.engine.lots().open_lots
            if (lot.account, lot.asset) == (d.account, d.asset)
        ]
        assert d.lot_count == len(held) > SHOWN
        assert len(d.lots) == SHOWN == len(expected) - 1
        assert str(lots.get_row_at(lots.row_count - 1)[0]) == f"… {len(held) - SHOWN:,} more"
        assert f"· {len(held):,} lot(s)" in str(screen.query_one("#detail-title").render())
        assert (
            formatted_here == []
        )  # the worker formatted them (detail_screen.lot_table not called on the UI)
        # a price tick: the same lots, updated in place (no rebuild)
        batches.clear()
        app.main.recompute()
        await settled(pilot)
        assert batches == []
        assert lots.row_count == len(expected)


def test_the_rows_that_fill_the_view_go_in_small_slices_then_larger_ones():
    bounds = detail_screen.slice_bounds(250)
    assert bounds[0] == (0, 12)
    assert [end - start for start, end in bounds] == [12, 12, 12, 100, 100, 14]
    assert all(a[1] == b[0] for a, b in zip(bounds, bounds[1:], strict=False))  # every row, once, in order
    assert detail_screen.slice_bounds(5) == [(0, 5)]
    assert detail_screen.slice_bounds(0) == []


@pytest.mark.slow
async def test_each_slice_that_fills_the_view_is_painted_before_the_next(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """With a 1 ms pause between them, the three first slices all went in before one paint,
    which then painted the whole view in one turn of the UI thread (~50 ms at 100,000 lots)."""
    order: list[str] = []
    real_add_rows, real_after_paint = DataTable.add_rows, FastTable.call_after_paint

    def added(table: DataTable, rows):  # noqa: ANN001, ANN202
        rows = list(rows)
        if table.id == "detail-lots" and rows:
            order.append(f"add {len(rows)}")
        return real_add_rows(table, rows)

    def after_paint(table: FastTable, callback) -> None:  # noqa: ANN001
        if table.id == "detail-lots":
            order.append("wait for paint")
        real_after_paint(table, callback)

    monkeypatch.setattr(DataTable, "add_rows", added)
    monkeypatch.setattr(FastTable, "call_after_paint", after_paint)
    app = demo_app(tmp_path, extra_lots=12_000)
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot)
        await pilot.press("shift+tab", "enter")
        await settled(pilot)
        assert isinstance(app.screen, DetailScreen)
        await settled(pilot)
    first = order[: order.index(f"add {ROWS_PER_SLICE}")]
    # the rows that fill the view, each painted before the next; the chart's slice after them
    assert first == ["add 12", "wait for paint", "add 12", "wait for paint", "add 12", "wait for paint"]


@pytest.mark.slow
async def test_the_chart_is_drawn_once_every_row_is_in(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """The chart's build (plotext, pure Python, ~35 ms of CPU a figure) shares the GIL with
    whatever the UI thread does meanwhile, so each turn of the UI lasted about twice its CPU:
    drawn after the rows that fill the view, the detail phase's longest beat in bench_tui was
    79-111 ms against 41-61 ms drawn after every row (2026-12-02). The rows go in first; the
    chart is drawn last, and again last after a tick's changed cells."""
    order: list[str] = []
    real_add_rows, real_show_built = DataTable.add_rows, BackgroundPlot.show_built
    real_draw = BackgroundPlot.draw

    def added(table: DataTable, rows):  # noqa: ANN001, ANN202
        rows = list(rows)
        if table.id == "detail-lots" and rows:
            order.append(f"add {len(rows)}")
        return real_add_rows(table, rows)

    def draw(plot: BackgroundPlot, figure, then=None) -> None:  # noqa: ANN001
        order.append("draw")
        real_draw(plot, figure, then)

    def shown(plot: BackgroundPlot, key, text) -> None:  # noqa: ANN001
        order.append("chart built")
        real_show_built(plot, key, text)

    monkeypatch.setattr(DataTable, "add_rows", added)
    monkeypatch.setattr(BackgroundPlot, "draw", draw)
    monkeypatch.setattr(BackgroundPlot, "show_built", shown)
    app = demo_app(tmp_path, extra_lots=12_000)
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot)
        await pilot.press("shift+tab", "enter")
        await settled(pilot)
        assert isinstance(app.screen, DetailScreen)
        await settled(pilot)
        opened = list(order)
        rows = app.screen.query_one("#detail-lots", DataTable).row_count
        # a tick: the changed cells, then the chart again
        order.clear()
        real_update_cells = FastTable.update_cells
        monkeypatch.setattr(
            FastTable,
            "update_cells",
            lambda table, changes: (order.append("cells"), real_update_cells(table, changes)),
        )
        detail = app.screen.detail
        app.session.set_prices({detail.asset: detail.price // 2}, app.session.engine.clock())
        app.main.recompute()
        await settled(pilot)
        tick = list(order)
    drawn_at = opened.index("draw")
    assert opened[:3] == ["add 12", "add 12", "add 12"]
    assert all(step.startswith("add ") for step in opened[:drawn_at])
    assert sum(int(step.split()[1]) for step in opened[:drawn_at]) == rows  # every row in before the draw
    assert opened[drawn_at:] == ["draw", "chart built"]
    assert tick[-2:] == ["draw", "chart built"]
    assert "cells" in tick[:-2]


async def test_a_tick_finds_the_changed_cells_in_the_worker(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Comparing the 2,000 rows shown with a tick's took the UI thread 20-30 ms: the worker that
    formats the rows compares them too, and the screen only updates those cells."""
    comparing: list[threading.Thread] = []
    real_changed_cells = detail_screen.changed_cells

    def compared(old, new):  # noqa: ANN001, ANN202
        comparing.append(threading.current_thread())
        return real_changed_cells(old, new)

    monkeypatch.setattr(detail_screen, "changed_cells", compared)
    # the worker is handed the table shown: Textual's default description of a worker is the
    # repr of its arguments, ~50 ms of the UI thread for 2,000 rows
    reprs: list[int] = []
    monkeypatch.setattr(detail_screen.LotTable, "__repr__", lambda table: (reprs.append(1), "LotTable")[1])
    app = demo_app(tmp_path, extra_lots=2_000)
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot)
        await pilot.press("shift+tab", "enter")
        await settled(pilot)
        screen = app.screen
        assert isinstance(screen, DetailScreen)
        await settled(pilot)
        assert comparing == []  # opened: every row goes in, nothing compared
        shown = screen.detail
        app.session.set_prices({shown.asset: shown.price // 3}, app.session.engine.clock())
        app.main.recompute()
        await settled(pilot)
        assert screen.detail is not shown
        assert comparing
        assert threading.main_thread() not in comparing
        assert reprs == []
        assert screen.lot_table_shown is not None
        assert screen.lot_table_shown.since is None  # the rows before these are not kept alive
        lots = screen.query_one("#detail-lots", DataTable)
        expected = detail_screen.lot_table(screen.detail).rows
        assert [[str(cell) for cell in lots.get_row_at(i)] for i in range(lots.row_count)] == [
            [str(cell) for cell in row] for row in expected
        ]
