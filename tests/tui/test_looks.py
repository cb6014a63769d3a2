"""How the app looks: NO_COLOR, pane borders in every theme, a theme chosen in the palette kept
in the config (and honoured by the demo), and every dialog's own footer."""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.style import Style
from rich.text import Text
from textual.widgets import DataTable, Footer
from textual.widgets._footer import FooterKey

from tests.tui.pilot import notifications, settled, table
from tui.looks import BORDER_CONTRAST, contrast
from tui.screens.detail import DetailScreen
from tui.screens.dialogs import ConfirmScreen, ReasonScreen
from tui.screens.help import HelpScreen
from tui.screens.tax_profile import TaxProfileScreen
from tui.testing import demo_app
from tui.widgets.header_bar import HeaderBar


def styles_of(text: Text) -> list[Style]:
    """Every style a Text carries: its own and its spans'."""
    own = [text.style if isinstance(text.style, Style) else Style.parse(text.style)]
    return own + [
        span.style if isinstance(span.style, Style) else Style.parse(span.style) for span in text.spans
    ]


def coloured(text: Text) -> bool:
    return any(style.color is not None or style.bgcolor is not None for style in styles_of(text))


def negative_cells(t: DataTable, columns: list[int]) -> list[Text]:
    found = []
    for row in range(t.row_count):
        for column in columns:
            cell = t.get_row_at(row)[column]
            if isinstance(cell, Text) and cell.plain.startswith("−$"):
                found.append(cell)
    return found


# -- NO_COLOR ---------------------------------------------------------------------------------


async def test_with_no_color_losses_are_bold_in_the_default_colour_and_nothing_means_by_colour(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("NO_COLOR", "1")
    app = demo_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot)
        assert app.no_color
        losses = negative_cells(table(app, "candidates"), [4]) + negative_cells(
            table(app, "holdings"), [5, 6]
        )
        assert len(losses) > 10
        for cell in losses:
            assert not coloured(cell), cell
            assert Style.parse(str(cell.style)).bold  # told apart by weight (and the minus sign)
        badges = [
            table(app, "candidates").get_row_at(r)[10] for r in range(table(app, "candidates").row_count)
        ]
        assert any(badge.plain for badge in badges)
        assert not any(coloured(badge) for badge in badges)
        assert all(Style.parse(str(span.style)).reverse for badge in badges for span in badge.spans)
        header = app.screen.query_one(HeaderBar).render()
        assert "harvestable −$" in str(header)
        assert all(span.style.foreground is None and span.style.background is None for span in header.spans)


async def test_with_no_color_the_detail_chart_does_not_name_colours(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("NO_COLOR", "1")
    app = demo_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot)
        await pilot.press("enter")
        await settled(pilot)
        assert isinstance(app.screen, DetailScreen)
        plot = app.screen.query_one("#detail-chart")
        chart = "\n".join(plot.render_line(y).text for y in range(plot.size.height))
        legend = str(plot.border_subtitle)
        assert "lot costs and price now (level lines)" in legend
        assert "orange" not in legend + chart
        assert "green" not in legend + chart


async def test_an_empty_no_color_leaves_colour_on(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """no-color.org: only a non-empty NO_COLOR turns colour off."""
    monkeypatch.setenv("NO_COLOR", "")
    app = demo_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot)
        assert not app.no_color
        losses = negative_cells(table(app, "candidates"), [4])
        assert losses
        assert all(Style.parse(str(cell.style)).color == Style.parse("red").color for cell in losses)


async def test_with_no_color_the_greys_keep_stripes_and_pane_borders_visible(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """Textual turns every colour into its grey under NO_COLOR (its Monochrome filter): the
    inactive borders and the zebra stripes must still stand apart from what is behind them."""
    monkeypatch.setenv("NO_COLOR", "1")
    app = demo_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot)
        holdings = app.screen.query_one("#holdings")  # inactive: candidates has the focus
        background = holdings.background_colors[1]
        border = background + holdings.styles.border_top[1]
        assert contrast(border.monochrome, background.monochrome) >= BORDER_CONTRAST
        t = table(app, "holdings")
        plain = t.background_colors[1]
        stripe = plain + t.get_component_styles("datatable--even-row").background
        assert contrast(stripe.monochrome, plain.monochrome) >= 1.25
        active = app.screen.query_one("#candidates")
        assert active.styles.border_top[0] == "heavy"
        assert holdings.styles.border_top[0] == "round"


# -- themes -----------------------------------------------------------------------------------


async def test_inactive_pane_borders_stand_out_in_every_builtin_theme(tmp_path: Path):
    """Light themes once drew them in a grey 1.04–1.26:1 from the background (invisible)."""
    app = demo_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot)
        themes = [name for name in app.available_themes if not name.startswith("ansi-")]  # the terminal's
        assert {"textual-light", "solarized-light", "catppuccin-latte", "rose-pine-dawn"} <= set(themes)
        for name in themes:
            app.theme = name
            await pilot.pause()
            holdings = app.screen.query_one("#holdings")
            assert not holdings.has_class("-active")
            background = holdings.background_colors[1]
            border = background + holdings.styles.border_top[1]
            assert contrast(border, background) >= BORDER_CONTRAST, name


CONFIG = """\
# my settings
tax:
  filing_status: single  # as filed last year
"""


async def choose_theme(pilot, name: str) -> None:  # noqa: ANN001
    """The palette's own way: ctrl+p, its "Theme" command, then the theme's name."""
    await pilot.press("ctrl+p")
    await pilot.press(*"theme")
    await settled(pilot)
    await pilot.press("enter")
    await settled(pilot)
    await pilot.press(*name)
    await settled(pilot)
    await pilot.press("enter")
    await settled(pilot)


async def test_a_theme_chosen_in_the_palette_is_saved_to_the_config(tmp_path: Path):
    config = tmp_path / "config.yaml"  # the file demo_app's session saves to
    config.write_text(CONFIG)
    app = demo_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot)
        assert config.read_text() == CONFIG  # the theme the app starts with is not a choice
        await choose_theme(pilot, "nord")
        assert app.theme == "nord"
        assert app.session.config.ui.theme == "nord"
        assert any(f"Theme nord saved to {config}" in message for message, _ in notifications(app))
    text = config.read_text()
    assert text.startswith(CONFIG)  # comments and the rest kept
    assert "ui:\n  theme: nord\n" in text


async def test_without_a_config_file_the_theme_is_kept_for_the_session_and_the_app_says_where(tmp_path: Path):
    app = demo_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot)
        await choose_theme(pilot, "nord")
        assert app.theme == "nord"
        shown = [message for message, _ in notifications(app) if message.startswith("Theme nord")]
        assert shown
        assert str(tmp_path / "config.yaml") in shown[0]
        assert "not saved" in shown[0]
    assert not (tmp_path / "config.yaml").exists()


def test_the_demo_takes_its_ui_settings_from_the_users_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    from tui.app import HarvestApp
    from tui.cli.main import main

    config = tmp_path / "config.yaml"
    config.write_text("ui:\n  theme: solarized-light\n  keymap: {help: h}\n")
    monkeypatch.setenv("HARVEST_CONFIG", str(config))
    monkeypatch.setenv("HARVEST_HOME", str(tmp_path / "home"))
    started: list[HarvestApp] = []
    monkeypatch.setattr(HarvestApp, "run", lambda self, *args, **kwargs: started.append(self))
    assert main(["demo"]) == 0
    (app,) = started
    assert app.theme_name == "solarized-light"
    assert app.keys.keys("help") == ["h"]
    assert app.session.config.tax == app.session.engine.config.tax  # the demo's own profile otherwise


# -- dialogs ----------------------------------------------------------------------------------


def footer_keys(app) -> list[tuple[str, str]]:  # noqa: ANN001
    footer = app.screen.query_one(Footer)
    return [(key.key_display, key.description) for key in footer.query(FooterKey)]


async def test_every_dialog_shows_its_own_keys_in_a_footer(tmp_path: Path):
    app = demo_app(tmp_path, keymap={"yes": "j"})
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot)
        await pilot.press("question_mark")
        await settled(pilot)
        assert isinstance(app.screen, HelpScreen)
        assert footer_keys(app) == [("esc", "Close")]
        await pilot.press("escape", "t")
        await settled(pilot)
        assert isinstance(app.screen, TaxProfileScreen)
        assert ("^s", "Save") in footer_keys(app)
        assert ("esc", "Cancel") in footer_keys(app)
        await pilot.press("escape", "e")
        await settled(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        assert sorted(footer_keys(app)) == [("j", "Yes"), ("n", "No")]  # the keys in effect
        await pilot.press("n", "space", "tab", "k")  # plan a step, skip it: asks why
        await settled(pilot)
        assert isinstance(app.screen, ReasonScreen)
        assert ("esc", "Cancel") in footer_keys(app)
        await pilot.press("escape", "shift+tab", "enter")
        await settled(pilot)
        assert isinstance(app.screen, DetailScreen)
        assert ("esc", "Back") in footer_keys(app)
