"""FastTable paints exactly what DataTable paints (the oracle): the same rows in both, on
hypothesis-generated cells — styles and spans, left/right/centre/full justification, every
overflow, cells wider than their column, wide characters, tabs and line breaks (the stock path),
markup strings — every line of the table compared segment for segment, cursor row included."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.text import Text
from textual.app import App, ComposeResult
from textual.containers import Vertical
from textual.coordinate import Coordinate
from textual.geometry import Region
from textual.widgets import DataTable

from tui.widgets.fast_table import CELL_CACHE_SIZE, ROW_CACHE_SIZE, FastTable
from tui.widgets.fitted_table import rebuild, refit

STYLES = ["", "bold", "red", "dim italic", "green on black", "underline #ff8800"]
CHARS = st.sampled_from(list("ab $,.-0123456789") + ["日", "本", "é", "…", "✓", "▾"])
JUSTIFY = st.sampled_from([None, "left", "right", "center", "full", "default"])
OVERFLOW = st.sampled_from([None, "fold", "crop", "ellipsis"])


@st.composite
def cells(draw: st.DrawFn) -> Text | str:
    plain = draw(st.text(CHARS, max_size=14))
    if draw(st.integers(0, 9)) == 0:
        plain += draw(st.sampled_from(["\tx", "\nsecond line", " "]))
    if draw(st.integers(0, 7)) == 0:  # a string: DataTable reads it as markup
        return draw(st.sampled_from(["", "[b]bold[/b] x", "plain", "  spaced  ", "$1,234.56"]))
    text = Text(
        plain,
        style=draw(st.sampled_from(STYLES)),
        justify=draw(JUSTIFY),
        overflow=draw(OVERFLOW),
        no_wrap=draw(st.sampled_from([None, None, True, False])),
    )
    for _ in range(draw(st.integers(0, 2))):
        start = draw(st.integers(0, len(plain)))
        text.stylize(draw(st.sampled_from(STYLES[1:])), start, draw(st.integers(start, len(plain) + 2)))
    return text


TABLES = st.integers(1, 5).flatmap(
    lambda columns: st.tuples(
        st.lists(st.integers(1, 12), min_size=columns, max_size=columns),  # explicit widths
        st.lists(st.lists(cells(), min_size=columns, max_size=columns), min_size=1, max_size=6),
        st.lists(cells().filter(lambda c: isinstance(c, Text)), min_size=columns, max_size=columns),
    )
)


class TwoTables(App[None]):
    CSS = "DataTable { height: 10; width: 70; }"

    def compose(self) -> ComposeResult:
        yield DataTable(id="stock", cursor_type="row", zebra_stripes=True)
        yield FastTable(id="fast", cursor_type="row", zebra_stripes=True)


def fill(table: DataTable[Any], widths: list[int], rows: list[list[Text | str]], labels: list[Text]) -> None:
    table.clear(columns=True)
    for index, (label, width) in enumerate(zip(labels, widths, strict=True)):
        table.add_column(label, width=width, key=str(index))
    table.add_rows(rows)


def painted(table: DataTable[Any]) -> list[list[tuple[str, object]]]:
    """Every line of the table as the screen would get it (Widget.render_lines: the path a
    paint takes), as (text, style) pairs."""
    table.refresh()  # nothing kept from before the rows changed
    lines = table.render_lines(Region(0, 0, table.size.width, table.size.height))
    return [[(segment.text, segment.style) for segment in line] for line in lines]


async def test_fast_table_paints_what_data_table_paints():
    app = TwoTables()
    async with app.run_test(size=(80, 24)) as pilot:
        app.set_focus(None)  # the stock table would be drawn focused, the fast one not
        await pilot.pause()
        stock = app.query_one("#stock", DataTable)
        fast = app.query_one("#fast", FastTable)

        @settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
        @given(TABLES)
        def same(table: tuple[list[int], list[list[Text | str]], list[Text]]) -> None:
            widths, rows, labels = table
            fill(stock, widths, rows, labels)
            fill(fast, widths, rows, labels)
            assert painted(fast) == painted(stock)

        same()
        assert len(fast._painted) > 0  # the fast path was taken, not only DataTable's


CHANGES = st.tuples(
    st.lists(st.tuples(st.integers(0, 5), st.integers(0, 4), cells()), max_size=6),  # cells
    st.integers(0, 5),  # the cursor's row
    st.one_of(st.none(), st.lists(st.integers(1, 12), min_size=5, max_size=5)),  # new widths
)


async def test_after_changes_fast_table_still_paints_what_data_table_paints():
    """Painted cells and lines are kept by content: after cell updates, a cursor move and new
    widths, nothing kept from before may show (each table painted before and after)."""
    app = TwoTables()
    async with app.run_test(size=(80, 24)) as pilot:
        app.set_focus(None)
        await pilot.pause()
        stock = app.query_one("#stock", DataTable)
        fast = app.query_one("#fast", FastTable)

        @settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
        @given(TABLES, CHANGES)
        def same(table: tuple[list[int], list[list[Text | str]], list[Text]], changes: Any) -> None:
            widths, rows, labels = table
            edits, cursor, new_widths = changes
            for each in (stock, fast):
                fill(each, widths, rows, labels)
            assert painted(fast) == painted(stock)
            edits = [(Coordinate(r, c), cell) for r, c, cell in edits if r < len(rows) and c < len(widths)]
            fast.update_cells(edits)
            for at, cell in edits:
                stock.update_cell_at(at, cell)
            for each in (stock, fast):
                each.move_cursor(row=min(cursor, len(rows) - 1), animate=False)
                if new_widths is not None:
                    refit(each, new_widths[: len(widths)])
            assert painted(fast) == painted(stock)

        same()
        assert len(fast._painted_lines) > 0  # lines were kept and reused, not only painted anew


async def test_update_cells_shows_every_change_after_one_refresh():
    app = TwoTables()
    async with app.run_test(size=(80, 24)) as pilot:
        fast = app.query_one("#fast", FastTable)
        stock = app.query_one("#stock", DataTable)
        rows: list[list[Text | str]] = [[Text("a"), Text("1", justify="right")], [Text("b"), Text("2")]]
        for table in (fast, stock):
            fill(table, [4, 4], rows, [Text("name"), Text("n")])
        app.set_focus(None)
        await pilot.pause()
        before = painted(fast)
        changes = [(Coordinate(0, 1), Text("10", justify="right")), (Coordinate(1, 0), Text("bb"))]
        fast.update_cells(changes)
        for at, value in changes:
            stock.update_cell_at(at, value)
        assert fast.get_row_at(0)[1].plain == "10"
        assert fast.get_row_at(1)[0].plain == "bb"
        assert painted(fast) == painted(stock) != before
        assert len(fast._painted) > 0  # painted by the fast path, not DataTable's


async def test_new_column_widths_repaint_the_cells_at_those_widths():
    app = TwoTables()
    async with app.run_test(size=(80, 24)) as pilot:
        fast = app.query_one("#fast", FastTable)
        stock = app.query_one("#stock", DataTable)
        rows: list[list[Text | str]] = [[Text("abc"), Text("12,345", justify="right")]]
        for table in (fast, stock):
            fill(table, [3, 6], rows, [Text("name"), Text("n")])
        app.set_focus(None)
        await pilot.pause()
        before = painted(fast)
        for table in (fast, stock):
            refit(table, [5, 8])  # a tick's wider figure: the fast table keeps its painted cells
        assert painted(fast) == painted(stock) != before


async def test_added_rows_give_the_same_scrollable_size_without_measuring_each_cell():
    app = TwoTables()
    async with app.run_test(size=(80, 24)) as pilot:
        fast = app.query_one("#fast", FastTable)
        stock = app.query_one("#stock", DataTable)
        rows: list[list[Text | str]] = [
            [Text(f"lot {n}"), Text(f"{n * 7:,}", justify="right")] for n in range(150)
        ]
        for table in (fast, stock):
            fill(table, [7, 9], rows[:40], [Text("lot"), Text("quantity")])
        await pilot.pause()
        for table in (fast, stock):
            table.add_rows(rows[40:])  # as the detail screen adds its lots a slice at a time
        await pilot.pause()
        assert fast.virtual_size == stock.virtual_size
        assert fast.virtual_size.height == 151  # the header and every row
        assert fast.max_scroll_y == stock.max_scroll_y > 0


async def test_a_rebuild_with_the_same_columns_paints_what_a_new_table_would():
    app = TwoTables()
    async with app.run_test(size=(80, 24)) as pilot:
        fast = app.query_one("#fast", FastTable)
        stock = app.query_one("#stock", DataTable)
        labels = [Text("lot"), Text("quantity", justify="right")]
        for table in (fast, stock):
            rebuild(table, labels, [[Text("a"), Text("1", justify="right")]])
        app.set_focus(None)
        await pilot.pause()
        columns = list(fast.ordered_columns)
        rows: list[list[Text | str]] = [
            [Text(f"lot {n}"), Text(f"{n:,}", justify="right")] for n in range(990, 1010)
        ]
        for table in (fast, stock):  # stock: columns dropped and added again; fast: kept, refitted
            rebuild(table, labels, rows)
        await pilot.pause()
        assert list(fast.ordered_columns) == columns
        assert [column.width for column in fast.ordered_columns] == [8, 8]
        assert painted(fast) == painted(stock)


async def test_ticks_leave_the_render_caches_a_few_screens_worth():
    """DataTable keys its row, row-renderable, line and cell caches by its update count, so each
    tick leaves every entry dead; at DataTable's sizes (1,000 rows, 10,000 cells a table) they
    and FastTable's own held ~150,000 objects after 150 ticks, which every full collection scans
    on the UI thread. Bounded here, however many ticks."""
    app = TwoTables()
    async with app.run_test(size=(80, 24)) as pilot:
        fast = app.query_one("#fast", FastTable)
        rows: list[list[Text | str]] = [[Text(f"r{row}"), Text("0", justify="right")] for row in range(10)]
        fill(fast, [4, 6], rows, [Text("name"), Text("n")])
        for tick in range(1, 60):  # 10 rows a tick: 590 rows' renders, all but the last 10 dead
            fast.update_cells(
                (Coordinate(row, 1), Text(str(tick * 100 + row), justify="right")) for row in range(10)
            )
            painted(fast)
        await pilot.pause()
        # DataTable's row and line caches fill only for lines it paints itself (not these)
        caches = (fast._row_render_cache, fast._row_renderable_cache, fast._line_cache)
        assert all(len(cache) <= ROW_CACHE_SIZE for cache in caches), [len(cache) for cache in caches]
        assert len(fast._row_renderable_cache) > 0
        assert fast._cell_render_cache.maxsize <= CELL_CACHE_SIZE
        assert fast.get_row_at(9)[1].plain == "5909"


class BoxedTables(App[None]):
    CSS = """
    DataTable { height: 6; width: 40; }
    .boxed DataTable > .datatable--cursor { background: red; }
    """

    def compose(self) -> ComposeResult:
        with Vertical(id="box"):
            yield DataTable(id="stock", cursor_type="row", zebra_stripes=True)
            yield FastTable(id="fast", cursor_type="row", zebra_stripes=True)


async def test_an_ancestors_class_repaints_cells_only_when_their_styles_changed():
    """Textual tells every descendant its styles were updated when an ancestor's class changes
    (a pane's -active as the focus moves): the painted cells stay unless the styles they were
    painted with changed, and the table paints what DataTable paints either way."""
    app = BoxedTables()
    async with app.run_test(size=(80, 24)) as pilot:
        fast = app.query_one("#fast", FastTable)
        stock = app.query_one("#stock", DataTable)
        rows: list[list[Text | str]] = [
            [Text(f"r{row}"), Text(str(row), justify="right")] for row in range(4)
        ]
        for table in (fast, stock):
            fill(table, [4, 6], rows, [Text("name"), Text("n")])
        app.set_focus(None)
        await pilot.pause()
        before = painted(fast)
        assert before == painted(stock)
        lines = {key: fast._painted_lines.get(key) for key in list(fast._painted_lines.keys())}
        assert lines
        box = app.query_one("#box")
        box.add_class("-other")  # no rule names it: nothing looks different
        await pilot.pause()
        assert all(fast._painted_lines.get(key) is line for key, line in lines.items())  # kept
        assert painted(fast) == painted(stock) == before
        box.add_class("boxed")  # the cursor's colour changes: the cells painted before go
        await pilot.pause()
        assert painted(fast) == painted(stock) != before
