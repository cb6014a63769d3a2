"""A screen under an opaque one is not painted (Textual's list of the screens showing through
the top one always held the one just under it: each of its turns with something to paint then
repainted the whole top screen, ~30 times in a tenth of a second with the detail screen over
the main one at 100,000 lots). A dialog lets the screen under it show, so that one still is."""

from __future__ import annotations

from pathlib import Path
from unittest import mock

from textual._compositor import Compositor
from textual.screen import Screen
from textual.widgets import Static

from tests.tui.pilot import settled
from tui.keys import DEFAULT_KEYS
from tui.screens.dialogs import ConfirmScreen
from tui.screens.main import MainScreen
from tui.testing import demo_app
from tui.widgets.header_bar import HeaderBar


class Covering(Screen[None]):
    def compose(self):  # noqa: ANN201
        yield Static("over the main screen")


async def test_a_screen_covered_by_an_opaque_one_does_not_repaint_it(tmp_path: Path):
    app = demo_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot)
        main = app.screen
        assert isinstance(main, MainScreen)
        await app.push_screen(Covering())
        await pilot.pause()
        assert not main.is_current
        full = mock.patch.object(Compositor, "render_full_update", autospec=True,
                                 side_effect=Compositor.render_full_update)  # fmt: skip
        with full as repaints:
            for n in range(5):  # the main screen's header changes under the covering screen
                main.query_one(HeaderBar).update(f"header {n}")
                await pilot.pause()
        assert repaints.call_count == 0  # the code before: a full repaint for each change
        app.pop_screen()
        await pilot.pause()
        assert main.is_current


async def test_a_dialog_leaves_the_screen_under_it_painted(tmp_path: Path):
    app = demo_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot)
        main = app.screen
        assert isinstance(main, MainScreen)
        await app.push_screen(ConfirmScreen("Export?", DEFAULT_KEYS))
        await pilot.pause()
        assert app.screen.styles.background.a < 1
        assert main.is_current  # it shows through the dialog's background
