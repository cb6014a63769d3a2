"""One savings model in the app: the checklist's combined figure, candidates ranked after the
plan, and the detail screen's labelled figures, following prices and the tax profile."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import DataTable, Input
from textual_plotext import PlotextPlot

from engine.core.units import Amount
from engine.planning.checklist import Checklist
from tests.tui.pilot import cells, settled, widths_fit
from tui import format as fmt
from tui.app import HarvestApp
from tui.screens.detail import DetailScreen, after_plan_label
from tui.screens.main import MainScreen
from tui.testing import demo_app

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def checklist_title(app: HarvestApp) -> str:
    return str(app.main.query_one("#checklist").border_title)


def plan_value(app: HarvestApp) -> Amount:
    """What the engine says the saved plan's unsold steps save together at the session's prices."""
    session = app.session
    steps = Checklist(session.engine.store.conn).steps()
    return session.planner.tick(session.prices, plan=steps).plan.savings_this_year


async def test_the_checklist_shows_what_harvest_plan_says_for_the_same_sales(tmp_path: Path):
    """Two candidates planned with `space` (each step priced alone when saved) save together
    what `harvest plan` says for those two sales — not the sum of each alone."""
    app = demo_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot)
        first, second = cells(app, "candidates")[:2]
        await pilot.press("space", "down", "space")
        await settled(pilot)
        session = app.session
        steps = Checklist(session.engine.store.conn).steps()
        assert [(s.account, s.asset) for s in steps] == [(first[1], first[2]), (second[1], second[2])]
        # `harvest plan --goal target --target LOSS` takes the same two candidates, whole
        plan = session.planner.plan(session.prices, "target", Amount(-sum(s.loss for s in steps)))
        assert [(s.account, s.asset, s.quantity) for s in plan.steps] == [
            (s.account, s.asset, s.quantity) for s in steps
        ]
        alone = sum(s.savings for s in steps)
        assert fmt.usd(Amount(alone)) != fmt.usd(plan.savings_this_year)  # what the title once showed
        assert f"plan saves {fmt.usd(plan.savings_this_year)} at current prices" in checklist_title(app)


async def test_the_checklist_figure_follows_prices(tmp_path: Path):
    app = demo_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot)
        await pilot.press("space", "down", "space")
        await settled(pilot)
        before = checklist_title(app)
        assert f"plan saves {fmt.usd(plan_value(app))} at" in before
        step = Checklist(app.session.engine.store.conn).steps()[0]
        app.session.set_prices({step.asset: app.session.prices[step.asset] // 2}, app.session.engine.clock())
        app.main.recompute()
        await settled(pilot)
        after = checklist_title(app)
        assert after != before
        assert f"plan saves {fmt.usd(plan_value(app))} at" in after


@pytest.mark.slow
async def test_the_checklist_figure_follows_a_tax_profile_change(tmp_path: Path):
    app = demo_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot)
        await pilot.press("space", "down", "space")
        await settled(pilot)
        before = checklist_title(app)
        await pilot.press("t")
        app.screen.query_one("#ordinary_taxable_income", Input).value = "600000"
        await pilot.press("ctrl+s")
        await settled(pilot)
        assert isinstance(app.screen, MainScreen)
        after = checklist_title(app)
        assert after != before
        assert f"plan saves {fmt.usd(plan_value(app))} at" in after


async def test_a_planned_candidate_shows_its_share_and_the_rest_ranks_after_it(tmp_path: Path):
    """Plan the second candidate: it now comes first with its value in the plan (alone, as the
    plan's only step), and the former first shows what it adds after the plan."""
    app = demo_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot)
        session = app.session
        first, second = session.planner.scan(session.prices)[0][:2]
        await pilot.press("down", "space")
        await settled(pilot)
        assert (
            app.main.query_one("#candidates").border_title == "Candidates — saves after the plan (✓: in it)"
        )
        rows = cells(app, "candidates")
        planned = [row for row in rows if row[0] == "✓"]
        assert [row[1:3] for row in planned] == [[second.account, second.asset]]
        plan = session.planner.tick(session.prices, plan=Checklist(session.engine.store.conn).steps()).plan
        (step,) = plan.steps
        assert planned[0][7] == fmt.usd(step.savings_this_year)
        assert planned[0][9] == fmt.usd(step.net_savings)
        after = next(row for row in rows if row[1:3] == [first.account, first.asset] and row[0] != "✓")
        assert after[7] != fmt.usd(first.savings_this_year)  # less, now that the plan comes first
        nets = [_dollars(row[9]) for row in rows if row[0] != "?"]
        assert nets == sorted(nets, reverse=True)  # ordered by the net shown


def _dollars(text: str) -> int:
    return int(text.replace("$", "").replace(",", "").replace("−", "-"))


async def test_the_detail_screen_labels_both_figures_and_follows_prices(tmp_path: Path):
    app = demo_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot)
        await pilot.press("space", "down")  # plan the first; then open the second's details
        await settled(pilot)
        row = cells(app, "candidates")[1]
        await pilot.press("enter")
        await settled(pilot)
        screen = app.screen
        assert isinstance(screen, DetailScreen)
        detail = screen.detail
        assert row[1:3] == [detail.account, detail.asset]
        text = str(screen.query_one("#detail-tax").render())
        assert f"Alone (the only sale this year): tax {fmt.usd_decimal(detail.tax_before)}" in text
        assert f"saves {fmt.usd_decimal(detail.tax_before - detail.tax_after)}" in text
        assert detail.after_plan is not None
        assert "After the plan (1 step(s)) and the rows above it: saves " in text
        assert fmt.usd(detail.after_plan.savings_this_year) == row[7]  # the row's own figure
        lots = screen.query_one("#detail-lots", DataTable)
        lots.move_cursor(row=lots.row_count - 1)
        price = app.session.prices[detail.asset]
        app.session.set_prices({detail.asset: price * 3 // 4}, app.session.engine.clock())
        app.main.recompute()
        await settled(pilot)
        assert app.screen is screen
        assert screen.detail.price == price * 3 // 4
        assert screen.detail.loss < detail.loss  # deeper under water
        assert f"loss {fmt.usd(screen.detail.loss)}" in str(screen.query_one("#detail-tax").render())
        assert fmt.price(price * 3 // 4) in str(screen.query_one("#detail-title").render())
        shown = [str(lots.get_row_at(r)[4]) for r in range(lots.row_count)]
        assert shown == [fmt.usd(lot.unrealized, sign=True) for lot in screen.detail.lots]
        assert lots.cursor_row == lots.row_count - 1  # kept across the refresh


@pytest.mark.parametrize("size", [(120, 40), (80, 24)])
async def test_the_detail_lot_table_never_clips(tmp_path: Path, size: tuple[int, int]):
    """At 120 columns the →LT column (246d) was cut off by the pane; at 80 unit cost as well."""
    app = demo_app(tmp_path)
    async with app.run_test(size=size) as pilot:
        await settled(pilot)
        await pilot.press("enter")
        await settled(pilot)
        lots = app.screen.query_one("#detail-lots", DataTable)
        assert widths_fit(lots)
        assert lots.virtual_size.width <= lots.scrollable_content_region.width
        assert "246d" in {str(lots.get_row_at(r)[5]) for r in range(lots.row_count)}


async def test_the_chart_axis_is_in_dollars(tmp_path: Path):
    app = demo_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot)
        await pilot.press("enter")
        await settled(pilot)
        chart = str(app.screen.query_one(PlotextPlot).render()).splitlines()
        axis = [line.split("┤")[0].split("├")[0].strip() for line in chart if "┤" in line or "├" in line]
        labels = [label for label in axis if label]
        assert len(labels) >= 3
        assert all(label.startswith("$") for label in labels)


def test_the_detail_labels_say_which_figures_they_are():
    from engine.planning.detail import AfterPlan

    def label(planned: tuple[int, ...], plan_steps: int, rows: int) -> str:
        return after_plan_label(AfterPlan(0, 0, 0, 0, planned, plan_steps, rows))

    assert label((2,), 3, 1) == "In the plan (step 2 of 3)"
    assert label((2,), 3, 2) == "In the plan (step 2 of 3) and after it"  # its other term is not planned
    assert label((), 3, 1) == "After the plan (3 step(s)) and the rows above it"
    assert label((), 0, 1) == "After the rows above it (no plan yet)"
