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


async def test_the_first_focus_goes_to_the_candidates_at_once(tmp_path: Path):
    """Textual focused the first focusable widget (the holdings' table) as the screen composed
    and the screen moved it to the candidates at mount: a blur, a focus and the panes restyled
    twice in the first load's longest turn. The panes' classes are set before they mount, too."""
    focused: list[object] = []
    set_focus = Screen.set_focus

    def spy(screen: Screen[object], widget: object, *args: object, **kwargs: object) -> None:
        if isinstance(screen, MainScreen):
            focused.append(widget)
        set_focus(screen, widget, *args, **kwargs)  # type: ignore[arg-type]

    app = demo_app(tmp_path)
    with mock.patch.object(Screen, "set_focus", autospec=True, side_effect=spy):
        async with app.run_test(size=(120, 40)) as pilot:
            await settled(pilot)
            candidates = table(app, "candidates")
            assert app.screen.focused is candidates
            assert app.screen.query_one("#candidates").has_class("-active")
            shown = {key[0] for key in app.screen.query_one(HarvestFooter).keys_shown or ()}
    assert set(focused) - {None} == {
        candidates
    }  # the code before: the holdings' table first (None: the app ending)
    assert "p" in shown  # the footer has its keys though the focus came before it
