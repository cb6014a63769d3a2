"""The app at the sizes people run it: every column of a side-by-side layout shown (170 wide),
the savings line kept (60×20), the last column reachable (80×24), and which pane is shown
when only one fits."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import DataTable

from tests.tui.pilot import cells, settled, table
from tui.testing import demo_app
from tui.widgets.header_bar import HeaderBar
from tui.widgets.pane_tabs import PaneTabs


def visible_columns(t: DataTable) -> list[str]:
    """The labels of the columns wholly inside the table's visible width (at its scroll)."""
    left, right = int(t.scroll_x), int(t.scroll_x) + t.scrollable_content_region.width
    shown, x = [], 0
    for column in t.ordered_columns:
        width = column.get_render_width(t)
        if left <= x and x + width <= right:
            shown.append(column.label.plain)
        x += width
    return shown


def all_columns(t: DataTable) -> list[str]:
    return [column.label.plain for column in t.ordered_columns]


async def test_side_by_side_at_170_columns_every_column_of_both_tables_shows(tmp_path: Path):
    app = demo_app(tmp_path)
    async with app.run_test(size=(170, 50)) as pilot:
        await settled(pilot)
        assert app.screen.has_class("-wide")
        holdings, candidates = table(app, "holdings"), table(app, "candidates")
        assert holdings.region.y == candidates.region.y  # side by side
        assert visible_columns(holdings) == all_columns(holdings)
        assert visible_columns(candidates) == all_columns(candidates)


async def test_side_by_side_when_both_cannot_fit_the_focused_table_shows_every_column(tmp_path: Path):
    app = demo_app(tmp_path)
    async with app.run_test(size=(170, 50)) as pilot:
        await settled(pilot)
        await pilot.press("shift+tab", "x")  # holdings; its first asset's lots (a wider column)
        await settled(pilot)
        holdings, candidates = table(app, "holdings"), table(app, "candidates")
        assert any("└" in row[1] for row in cells(app, "holdings"))
        assert visible_columns(holdings) == all_columns(holdings)
        await pilot.press("tab")  # candidates
        await settled(pilot)
        assert visible_columns(candidates) == all_columns(candidates)


async def test_at_60x20_the_header_keeps_its_savings_line(tmp_path: Path):
    app = demo_app(tmp_path)
    async with app.run_test(size=(60, 20)) as pilot:
        await settled(pilot)
        header = app.screen.query_one(HeaderBar)
        lines = [header.render_line(y).text for y in range(header.size.height)]
        assert lines[1].startswith(" harvestable −$")
        assert "→ saves $" in lines[1]
        assert " net" in lines[1]
        assert lines[0].startswith(" harvest · 2026")
        assert all(len(line.rstrip()) <= 60 for line in lines)


async def test_at_80x24_the_warn_column_is_reachable_and_stays_so_across_ticks(tmp_path: Path):
    """→ scrolls the narrow table to its last column; a price tick that adds a row rebuilds the
    table and one that widens a number refits it, which once threw the view back to the left
    (every few seconds in the live demo)."""
    app = demo_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settled(pilot)
        candidates = table(app, "candidates")
        assert candidates.has_focus
        assert "warn" not in visible_columns(candidates)  # 80 columns do not hold them all
        for _ in range(candidates.virtual_size.width):
            if "warn" in visible_columns(candidates):
                break
            await pilot.press("right")
        assert "warn" in visible_columns(candidates)
        rows, width = candidates.row_count, candidates.virtual_size.width
        # BTC falls to a third: the ledger's BTC goes under water (a new row), losses widen
        app.session.set_prices({"BTC": app.session.prices["BTC"] // 3}, app.session.engine.clock())
        app.screen.recompute()
        await settled(pilot)
        assert candidates.row_count > rows
        assert candidates.virtual_size.width > width
        assert "warn" in visible_columns(candidates)


async def test_one_pane_at_a_time_shows_which_and_how_to_move(tmp_path: Path):
    app = demo_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settled(pilot)
        tabs = app.screen.query_one(PaneTabs)
        assert tabs.region.height == 1
        assert str(tabs.render()).startswith(" Holdings · [Candidates] · Checklist   tab/shift+tab")
        await pilot.press("tab")
        assert str(tabs.render()).startswith(" Holdings · Candidates · [Checklist]")
        await pilot.press("tab")
        assert str(tabs.render()).startswith(" [Holdings] · Candidates · Checklist")


async def test_with_room_for_every_pane_there_is_no_pane_strip(tmp_path: Path):
    app = demo_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot)
        assert not app.screen.query_one(PaneTabs).region.area


async def test_the_hidden_pane_strip_draws_nothing_until_shown_then_names_the_focused_pane(tmp_path: Path):
    """Hidden (room for every pane), the strip is not updated as the focus moves: an update of
    a hidden widget still asked for a layout pass of the whole screen (issue 18). Shown again (a
    narrower terminal), it names the pane focused meanwhile."""
    app = demo_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot)
        tabs = app.screen.query_one(PaneTabs)
        updates: list[object] = []
        update = tabs.update
        tabs.update = lambda *args, **kwargs: (updates.append(args), update(*args, **kwargs))[1]  # type: ignore[method-assign]
        await pilot.press("tab")
        await settled(pilot)
        assert updates == []  # the code before: one update (and a layout pass) per focus move
        await pilot.resize_terminal(80, 24)
        await settled(pilot)
        assert tabs.region.height == 1
        assert str(tabs.render()).startswith(" Holdings · Candidates · [Checklist]")
