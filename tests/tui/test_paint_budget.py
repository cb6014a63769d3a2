"""A screen's paint takes a budget of new table lines a turn (tui/widgets/paint_budget.py): the
lines past it are blank for one frame (never what they showed before: stale figures) and are
painted in the next turns, ending exactly as one whole paint would (issue 18: a focus move repainted two whole tables in one
turn)."""

from __future__ import annotations

import asyncio

from rich.text import Text
from textual.app import App, ComposeResult
from textual.coordinate import Coordinate
from textual.geometry import Region

from tui.widgets import paint_budget
from tui.widgets.fast_table import FastTable
from tui.widgets.paint_budget import BUDGET, MeteredPaint, PaintBudget

ROWS = 30


async def test_the_budget_is_per_turn_and_only_while_metered():
    budget = PaintBudget(lines=3)
    assert all(budget.take() for _ in range(10))  # not metered: every line now
    with budget.metered():
        assert [budget.take() for _ in range(5)] == [True, True, True, False, False]
        await asyncio.sleep(0)  # the next turn: a new budget
        assert [budget.take() for _ in range(4)] == [True, True, True, False]
    assert budget.take()


class TableScreen(MeteredPaint):
    def compose(self) -> ComposeResult:
        yield FastTable(id="table", cursor_type="row", zebra_stripes=True)


class TableApp(App[None]):
    CSS = "FastTable { height: 1fr; }"

    def on_mount(self) -> None:
        self.push_screen(TableScreen())


def rows(tag: str) -> list[list[Text]]:
    return [[Text(f"{tag} row {n}"), Text(f"{n * 7:,}", justify="right")] for n in range(ROWS)]


def fill(table: FastTable[Text], tag: str) -> None:
    table.clear(columns=True)
    table.add_column(Text("what"), width=20, key="what")
    table.add_column(Text("n", justify="right"), width=8, key="n")
    table.add_rows(rows(tag))


def lines_of(table: FastTable[Text]) -> list[str]:
    """Every line painted now, whole (outside a screen's paint: no budget)."""
    return [strip.text for strip in table.render_lines(Region(0, 0, table.size.width, table.size.height))]


def record_paints(monkeypatch) -> dict[int, str]:  # noqa: ANN001
    """What the screen's paints got for each line of a FastTable, the latest paint's."""
    painted: dict[int, str] = {}
    real = FastTable.render_line

    def render_line(table: FastTable[Text], y: int):  # noqa: ANN202
        strip = real(table, y)
        painted[y] = strip.text
        return strip

    monkeypatch.setattr(FastTable, "render_line", render_line)
    return painted


def shown(table: FastTable[Text], painted: dict[int, str]) -> list[str]:
    return [painted[y] for y in range(table.size.height)]


async def settle(pilot) -> None:  # noqa: ANN001
    for _ in range(10):
        await pilot.pause()


async def test_lines_over_the_budget_are_blank_then_come_in_the_next_turns(monkeypatch):  # noqa: ANN001
    monkeypatch.setattr(BUDGET, "lines", 4)
    painted = record_paints(monkeypatch)
    waited: list[int] = []
    real = FastTable._repaint_deferred

    def repaint_deferred(table: FastTable[Text]) -> None:
        waited.append(len(table._deferred))
        real(table)

    monkeypatch.setattr(FastTable, "_repaint_deferred", repaint_deferred)
    app = TableApp()
    async with app.run_test(size=(40, 24)) as pilot:
        table = app.screen.query_one(FastTable)
        fill(table, "old")
        await settle(pilot)
        assert waited
        assert max(waited) > 4
        before = shown(table, painted)
        assert before == lines_of(table)
        assert before[1].startswith(" old row 0")
        waited.clear()
        table.update_cells((Coordinate(n, 0), Text(f"new row {n}")) for n in range(ROWS))
        app.screen._dirty_widgets.add(table)  # as its Update message does
        app.screen._on_timer_update()  # one paint: the budget's new lines, the rest as before
        now = shown(table, painted)
        fresh = [y for y in range(len(now)) if now[y].startswith(" new row")]
        assert len(fresh) == 4
        waiting = [y for y in range(1, len(now)) if y not in fresh]
        assert waiting
        assert all(not now[y].strip() for y in waiting)  # blank, not the old rows' figures
        await settle(pilot)
        assert waited  # the rest came in later turns
        after = shown(table, painted)
        assert after == lines_of(table)  # as one whole paint
        assert all(line.startswith(" new row") for line in after[1:])


async def test_a_paint_out_of_time_leaves_its_new_lines_for_the_next_turn(monkeypatch):  # noqa: ANN001
    clock = [0.0]
    monkeypatch.setattr(paint_budget.time, "thread_time", lambda: clock[0])
    budget = PaintBudget(lines=10, cpu=0.012)
    with budget.metered():  # the paint starts (its layout pass first)
        clock[0] = 0.020  # the layout pass took longer than the whole budget
        assert budget.take()  # one line a turn all the same
        assert not budget.take()
        await asyncio.sleep(0)
    with budget.metered():  # the next turn's paint
        assert [budget.take() for _ in range(3)] == [True, True, True]
        clock[0] = 0.033  # 13 ms into it
        assert not budget.take()
