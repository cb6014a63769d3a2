"""A focus move on the main screen repaints what it restyles (the two tables, their panes, the
footer's keys), not the whole screen: Textual's `Screen.focused` is a reactive that repaints
its screen when it changes, which painted every pane, the header and the footer again on each
focus move (~20-30 ms of the UI thread at 100,000 lots, issue 18). MainScreen declares the
same reactive without the repaint; its watcher (the footer's keys follow the focus) still runs."""

from __future__ import annotations

from pathlib import Path
from unittest import mock

from textual._compositor import Compositor
from textual.reactive import Reactive
from textual.screen import Screen

from tests.tui.pilot import settled, table
from tui.screens.main import MainScreen
from tui.testing import demo_app
from tui.widgets.footer import HarvestFooter


def test_textual_still_declares_the_focused_widget_as_a_reactive_of_the_screen():
    """What MainScreen.focused replaces: an upgrade that renamed or stopped declaring it would
    leave MainScreen's a reactive of nothing."""
    assert isinstance(Screen.__dict__["focused"], Reactive)
    assert isinstance(MainScreen.__dict__["focused"], Reactive)


async def test_a_focus_move_repaints_the_panes_not_the_whole_screen(tmp_path: Path):
    app = demo_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot)
        main = app.screen
        assert isinstance(main, MainScreen)
        assert main.focused is table(app, "candidates")
        footer = main.query_one(HarvestFooter)
        full = mock.patch.object(Compositor, "render_full_update", autospec=True,
                                 side_effect=Compositor.render_full_update)  # fmt: skip
        with full as repaints:
            await pilot.press("tab")
            await settled(pilot)
        assert main.focused is table(app, "checklist")
        assert repaints.call_count == 0  # the code before: one, the whole screen, per focus move
        shown = {key[0] for key in footer.keys_shown or ()}
        assert {"a", "k"} <= shown  # the checklist's keys: the footer followed the focus
