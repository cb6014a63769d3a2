"""The tax profile dialog (`t`, issue 12 item 7): the edited keys go onto the config the app runs
with (the demo's time zone, parameters and alerts stay), what depends on them is rebuilt, and a
refused value keeps the dialog open with what was typed, naming the field — never a file that
does not exist."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from textual.widgets import Input, Label, Switch

from tests.tui.pilot import notifications, settled
from tui.screens.main import MainScreen
from tui.screens.tax_profile import TaxProfileScreen
from tui.testing import demo_app


async def open_profile(pilot) -> TaxProfileScreen:  # noqa: ANN001
    await settled(pilot)
    await pilot.press("t")
    screen = pilot.app.screen
    assert isinstance(screen, TaxProfileScreen)
    return screen


def header(app) -> str:  # noqa: ANN001
    return str(app.screen.query_one("#header").render())


async def test_the_demo_applies_the_edited_keys_in_memory_and_keeps_the_rest(tmp_path: Path):
    app = demo_app(tmp_path)
    app.session.config_path = None  # the demo: no config file
    before = app.session.config
    async with app.run_test(size=(120, 40)) as pilot:
        dialog = await open_profile(pilot)
        dialog.query_one("#ordinary_taxable_income", Input).value = "600000"
        await pilot.press("ctrl+s")
        await settled(pilot)
        assert isinstance(app.screen, MainScreen)
        config = app.session.config
        assert config.tax.ordinary_taxable_income == 600000
        assert config.tax.timezone == before.tax.timezone == "America/New_York"
        assert config.tax.assume_latest_params is True
        assert config.alerts == before.alerts
        assert config.lots == before.lots
        assert app.session.engine.calendar.zone.key == "America/New_York"
        shown = [message for message, _ in notifications(app)]
        assert "Tax profile applied for this session; not saved to a file (the demo has none)" in shown
        assert not any(".yaml" in message for message in shown)
        assert sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".yaml") == []


async def test_a_new_tax_year_rebuilds_the_planners_parameters(tmp_path: Path):
    """The demo assumes the latest figures for later years: a tax year with no published
    figures works only when the planner's cached parameters are rebuilt for it."""
    app = demo_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        dialog = await open_profile(pilot)
        dialog.query_one("#year", Input).value = "2031"
        await pilot.press("ctrl+s")
        await settled(pilot)
        assert isinstance(app.screen, MainScreen)
        assert " 2031 · single" in header(app)
        assert 2031 in app.session.planner.params.years
        assert not [message for message, severity in notifications(app) if severity == "error"]


async def test_a_refused_value_keeps_the_dialog_open_with_what_was_typed(tmp_path: Path):
    app = demo_app(tmp_path)
    before = app.session.config
    async with app.run_test(size=(120, 40)) as pilot:
        dialog = await open_profile(pilot)
        dialog.query_one("#ordinary_taxable_income", Input).value = "95000"
        rate = dialog.query_one("#state_rate", Input)
        rate.value = "0.9"
        await pilot.press("ctrl+s")
        await settled(pilot)
        assert app.screen is dialog
        assert rate.value == "0.9"
        assert dialog.query_one("#ordinary_taxable_income", Input).value == "95000"
        assert rate.has_focus
        assert rate.has_class("-invalid")
        error = str(dialog.query_one("#profile-error", Label).render())
        assert error == "State rate (e.g. 0.05) (tax.state_rate): must be at most 0.5"
        assert app.session.config == before
        assert not (tmp_path / "config.yaml").exists()
        assert not any(".yaml" in message for message, _ in notifications(app))
        rate.value = "0.05"  # corrected: saved
        await pilot.press("ctrl+s")
        await settled(pilot)
        assert isinstance(app.screen, MainScreen)
        assert app.session.config.tax.state_rate == Decimal("0.05")


async def test_a_config_file_that_cannot_be_written_keeps_the_dialog_open(tmp_path: Path):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    app = demo_app(tmp_path)
    app.session.config_path = blocker / "config.yaml"
    before = app.session.config
    async with app.run_test(size=(120, 40)) as pilot:
        dialog = await open_profile(pilot)
        dialog.query_one("#ordinary_taxable_income", Input).value = "70000"
        await pilot.press("ctrl+s")
        await settled(pilot)
        assert app.screen is dialog
        assert dialog.query_one("#ordinary_taxable_income", Input).value == "70000"
        error = str(dialog.query_one("#profile-error", Label).render())
        assert error.startswith(f"cannot create the config file {blocker / 'config.yaml'}: ")
        assert app.session.config == before  # neither the file nor the engine changed


async def test_the_form_1040_fields_are_entered_and_checked_together(tmp_path: Path):
    """Issue 17: interest, dividends, other investment income, an itemized deduction and the
    collectibles part are entered in the dialog; qualified dividends above the ordinary ones are
    refused naming the field, and the wages field does not combine with the shorthand."""
    app = demo_app(tmp_path)
    app.session.config_path = None
    async with app.run_test(size=(120, 40)) as pilot:
        dialog = await open_profile(pilot)
        assert dialog.query_one("#deduction", Input).value == "standard"
        dialog.query_one("#dividends__qualified", Input).value = "5000"
        await pilot.press("ctrl+s")
        await settled(pilot)
        assert app.screen is dialog
        error = str(dialog.query_one("#profile-error", Label).render())
        assert error.startswith("  of which qualified (tax.dividends.qualified): qualified dividends")
        dialog.query_one("#dividends__ordinary", Input).value = "8000"
        dialog.query_one("#ordinary_income", Input).value = "90000"
        await pilot.press("ctrl+s")
        await settled(pilot)
        assert "set one of them, not both" in str(dialog.query_one("#profile-error", Label).render())
        dialog.query_one("#ordinary_taxable_income", Input).value = "0"
        dialog.query_one("#taxable_interest", Input).value = "1200"
        dialog.query_one("#other_investment_income", Input).value = "3000"
        dialog.query_one("#deduction", Input).value = "30000"
        dialog.query_one("#other_capital_gains__collectibles", Input).value = "4000"
        await pilot.press("ctrl+s")
        await settled(pilot)
        assert isinstance(app.screen, MainScreen)
        tax = app.session.config.tax
        assert (tax.ordinary_income, tax.taxable_interest, tax.other_investment_income) == (90000, 1200, 3000)
        assert (tax.ordinary_dividends, tax.qualified_dividends) == (8000, 5000)
        assert (tax.itemized_deduction, tax.other_collectibles) == (Decimal(30000), 4000)


async def test_the_amt_inputs_and_the_tax_table_switch_are_in_the_dialog(tmp_path: Path):
    """Issue 17: the itemized deduction's taxes (Form 6251 line 2a), the other AMT adjustments
    (lines 2b-3) and `tax.tax_table` are edited in the dialog like the rest, at 80x24 too (the
    dialog scrolls), each label on one line of its column."""
    app = demo_app(tmp_path)
    app.session.config_path = None
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await open_profile(pilot)
        heights = {str(label.render()): label.size.height for label in dialog.query(".field-label")}
        new = (
            "  of which taxes (Schedule A 7)",
            "AMT adjustments (Form 6251 2b-3)",
            "Tax Table under $100,000",
        )
        assert [heights.get(label) for label in new] == [1, 1, 1]  # there, and not wrapped
        assert dialog.query_one("#tax_table", Switch).value is True
        dialog.query_one("#deduction", Input).value = "40000"
        dialog.query_one("#itemized_taxes", Input).value = "10000"
        dialog.query_one("#amt_adjustments", Input).value = "-2500"
        dialog.query_one("#tax_table", Switch).value = False
        await pilot.press("ctrl+s")
        await settled(pilot)
        assert isinstance(app.screen, MainScreen)
        tax = app.session.config.tax
        assert (tax.itemized_deduction, tax.itemized_taxes, tax.amt_adjustments) == (40000, 10000, -2500)
        assert tax.tax_table is False
        assert app.session.planner.context.profile.tax_table is False  # the planner computes with it
