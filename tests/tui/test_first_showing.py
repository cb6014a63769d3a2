"""A screen's first showing (issue 18): no second restyle of what mounting just styled
(tui/screens/first_resume.py), and the footer's line held from the first frame
(tui/widgets/footer.py's FooterSpace) so the footer's arrival lays nothing else out again."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual import events
from textual.screen import Screen
from textual.widgets import Footer

from tests.tui.pilot import settled
from tui.screens.detail import DetailScreen
from tui.screens.first_resume import FirstResumeKeepsStyles
from tui.screens.main import MainScreen
from tui.testing import demo_app
from tui.widgets import footer
from tui.widgets.footer import FooterSpace


async def test_a_screen_is_restyled_when_shown_again_but_not_when_first_shown(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    restyled: list[str] = []
    real = Screen._on_screen_resume

    def on_screen_resume(screen: Screen[object], event) -> None:  # noqa: ANN001
        if event.refresh_styles:
            restyled.append(type(screen).__name__)
        real(screen, event)

    monkeypatch.setattr(Screen, "_on_screen_resume", on_screen_resume)
    app = demo_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot)
        assert isinstance(app.screen, MainScreen)
        assert "MainScreen" not in restyled  # first shown: styled as it mounted
        await pilot.press("shift+tab", "enter")  # the holdings pane, a holding's details
        await settled(pilot)
        detail = app.screen
        assert isinstance(detail, DetailScreen)
        assert "DetailScreen" not in restyled
    # shown again later, a screen is restyled as Textual does (its CSS may have changed while it
    # was covered): only the first showing's restyle is turned off
    again = events.ScreenResume()
    FirstResumeKeepsStyles._on_screen_resume(detail, again)
    assert again.refresh_styles


async def test_the_footer_comes_in_its_own_line_without_laying_the_panes_out_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(footer, "FOOTER_PAUSE", 0.3)  # time to look at the screen before it comes
    app = demo_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        regions = []
        while not screen.query(Footer):
            laid_out = isinstance(screen, MainScreen) and screen.is_mounted and screen.query(FooterSpace)
            if laid_out and all(pane.region for pane in screen.panes):
                regions = [pane.region for pane in screen.panes]
            await pilot.pause(0.001)
            screen = app.screen
        await settled(pilot)
        assert isinstance(screen, MainScreen)
        assert regions, "the footer's line was held before the footer came"
        assert [pane.region for pane in screen.panes] == regions
        assert not screen.query(FooterSpace)
        assert screen.query_one(Footer).region.y == 39
