"""The footer (tui/widgets/footer.py) shows the same keys as Textual's, with less work on the
UI thread: its keys are rebuilt only when the bindings they show changed (issue 18)."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

from tests.tui.pilot import settled
from tui.screens.detail import DetailScreen
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


def shown(keys: list[FooterKey]) -> list[tuple[object, ...]]:
    return [
        (
            key.key,
            key.key_display,
            key.description,
            key.action,
            key._disabled,
            key.tooltip,
            sorted(key.classes),
        )
        for key in keys
    ]


async def test_a_focus_move_updates_the_keys_in_place_as_textual_would_build_them(tmp_path: Path):
    """The holdings' and the candidates' keys are as many: a move between the panes changes the
    keys' text, not the widgets (rebuilt, each was mounted, styled and painted anew)."""
    app = demo_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot)
        keys = footer_keys(app.screen)
        before = shown(keys)
        await pilot.press("shift+tab")  # the holdings pane
        await settled(pilot)
        assert footer_keys(app.screen) == keys  # the same widgets
        moved = shown(keys)
        assert moved != before
        footer = app.screen.query_one(Footer)
        footer.call_later(footer.recompose)  # what Textual's footer builds for these bindings
        await settled(pilot)
        rebuilt = footer_keys(app.screen)
        assert rebuilt != keys
        assert shown(rebuilt) == moved
        await pilot.press("tab")  # the candidates again
        await settled(pilot)
        assert shown(footer_keys(app.screen)) == before
        await pilot.press("tab")  # the checklist has more keys: built anew
        await settled(pilot)
        assert len(footer_keys(app.screen)) > len(keys)


async def test_the_detail_screen_gets_its_footer_after_its_first_frame(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """Its keys (a widget each) are mounted and painted in a turn of their own, not in the one
    that opens the screen, and show the screen's bindings."""
    at_mount: list[bool] = []
    real_on_mount = DetailScreen.on_mount

    def on_mount(screen: DetailScreen) -> None:
        at_mount.append(bool(screen.query(Footer)))
        real_on_mount(screen)

    monkeypatch.setattr(DetailScreen, "on_mount", on_mount)
    app = demo_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot)
        await pilot.press("shift+tab", "enter")  # the holdings pane, a holding's details
        await settled(pilot)
        screen = app.screen
        assert isinstance(screen, DetailScreen)
        assert at_mount == [False]
        actions = {key.action for key in footer_keys(screen)}
        assert {binding.action for binding in screen.BINDINGS if getattr(binding, "show", True)} <= actions
