"""The detail screen's chart is built in a worker, never on the UI thread (PlotextPlot builds it
in `render`: 50-150 ms a paint at 120x40); what it shows is unchanged — the detail snapshots
(tests/tui/test_snapshots.py) hold it to what PlotextPlot drew."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from textual_plotext.plot import Plot

from tests.tui.pilot import settled
from tui.screens.detail import DetailScreen
from tui.testing import demo_app
from tui.widgets.chart import BackgroundPlot


async def test_the_detail_chart_is_built_off_the_ui_thread(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    builders: list[threading.Thread] = []
    real_build = Plot.build

    def build(plot: Plot) -> str:
        builders.append(threading.current_thread())
        return real_build(plot)

    monkeypatch.setattr(Plot, "build", build)
    app = demo_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot)
        await pilot.press("enter")
        await settled(pilot)
        assert isinstance(app.screen, DetailScreen)
        chart = app.screen.query_one(BackgroundPlot)
        shown = str(chart.render())
        assert "$" in shown  # the dollar axis: the figure was drawn
        assert builders
        assert threading.main_thread() not in builders
        size = chart.size
        count = len(builders)
        assert str(chart.render()) == shown  # painted again: the text kept, nothing rebuilt
        assert len(builders) == count
        assert chart.built is not None
        assert chart.built[0][1] == size


async def test_drawing_a_figure_never_writes_out_what_it_holds(tmp_path: Path):
    """A figure holds the asset's whole detail (thousands of lots): the build worker names
    itself, instead of Textual's default description, the repr of every argument (10-30 ms of
    the UI thread at each draw with 100,000 lots)."""

    class Figure:
        reprs = 0

        def __call__(self, plot: Plot) -> None:
            plot.plot([1, 2, 3])

        def __repr__(self) -> str:
            Figure.reprs += 1
            return "Figure()"

    app = demo_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot)
        await pilot.press("enter")
        await settled(pilot)
        chart = app.screen.query_one(BackgroundPlot)
        version = chart.version
        chart.draw(Figure())
        await settled(pilot)
        assert chart.built is not None
        assert chart.built[0][0] == version + 1  # built from it
    assert Figure.reprs == 0


async def test_nothing_is_built_before_a_figure_is_drawn_and_the_caller_is_told_when_it_is_shown(
    tmp_path: Path,
):
    """An empty plot's build costs most of a figure's: the chart first painted before its
    figure was drawn built one in a worker that then held the GIL beside the screen's first
    paints. `draw(figure, then)` calls `then` once the figure is shown, and once only."""
    app = demo_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot)
        await pilot.press("enter")
        await settled(pilot)
        chart = app.screen.query_one(BackgroundPlot)
        fresh = BackgroundPlot()
        assert str(fresh.render()) == ""  # not mounted, nothing drawn: nothing to build
        assert fresh.building is None
        told: list[tuple[int, object]] = []
        chart.draw(lambda plot: plot.plot([1, 2, 3]), then=lambda: told.append((chart.version, chart.built)))
        await settled(pilot)
        assert len(told) == 1
        version, built = told[0]
        assert built is not None
        assert built[0][0] == version  # told once that figure was built


async def test_a_failed_build_still_tells_the_caller(tmp_path: Path):
    """The detail screen's other slices wait for the chart: a figure that fails to build must
    not hold them back."""

    def broken(plot: Plot) -> None:
        raise ValueError("no figure")

    app = demo_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot)
        await pilot.press("enter")
        await settled(pilot)
        chart = app.screen.query_one(BackgroundPlot)
        told: list[int] = []
        chart.draw(broken, then=lambda: told.append(1))
        await settled(pilot)
        assert told == [1]
        assert chart.waiting is None
