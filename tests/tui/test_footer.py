"""The footer (tui/widgets/footer.py) shows the same keys as Textual's, with less work on the
UI thread: its keys are rebuilt only when the bindings they show changed (issue 18)."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Footer
from textual.widgets._footer import FooterKey

from tests.tui.pilot import settled
from tui.screens.help import HelpScreen
from tui.screens.main import MainScreen
from tui.testing import demo_app


def footer_keys(screen) -> list[FooterKey]:  # noqa: ANN001
    return list(screen.query_one(Footer).query(FooterKey))


async def test_coming_back_to_the_main_screen_keeps_its_footer_keys(tmp_path: Path):
    app = demo_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot)
        screen = app.screen
        assert isinstance(screen, MainScreen)
        keys = footer_keys(screen)
        assert keys
        app.push_screen(HelpScreen(screen.keys))
        await settled(pilot)
        app.pop_screen()
        await settled(pilot)
        assert app.screen is screen
        assert footer_keys(screen) == keys  # the same widgets: not built again


async def test_the_footer_follows_the_bindings_when_they_change(tmp_path: Path):
    app = demo_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot)
        shown = [(key.key_display, key.description) for key in footer_keys(app.screen)]
        await pilot.press("tab")  # the holdings pane: its own keys (expand) in the footer
        await settled(pilot)
        now = [(key.key_display, key.description) for key in footer_keys(app.screen)]
        assert now != shown
        assert not any(key.has_class("-compact") for key in footer_keys(app.screen) if "-command-palette"
                       not in key.classes)  # fmt: skip
