"""A class that only changes how its own widget looks restyles that widget alone
(tui/widgets/own_class.py); one a rule names for descendants restyles them as Textual does."""

from __future__ import annotations

from pathlib import Path

from textual.app import App, ComposeResult
from textual.containers import Vertical
from textual.widgets import Label

from tests.tui.pilot import settled
from tui.app import HarvestApp
from tui.screens.main import MainScreen
from tui.testing import demo_app
from tui.widgets.own_class import names_for_descendants, set_own_class

CSS = """
.box { border: round red; }
.box.-on { border: heavy green; }
Screen.-wide .box.-on { height: 5; }
.-deep Label { color: blue; }
"""


class BoxApp(App[None]):
    CSS = CSS

    def compose(self) -> ComposeResult:
        with Vertical(classes="box"):
            yield Label("inside")


def test_a_class_named_only_in_the_last_compound_selector_is_the_nodes_own():
    app = BoxApp()
    sheet = app.stylesheet
    app.stylesheet.add_source(CSS, read_from=("test", ""))
    assert not names_for_descendants(sheet, "-on")
    assert names_for_descendants(sheet, "-deep")
    assert names_for_descendants(sheet, "-wide")


def test_the_apps_active_pane_class_is_its_own():
    app = HarvestApp.__new__(HarvestApp)  # only the class's stylesheet is read
    App.__init__(app, css_path=HarvestApp.CSS_PATH)
    app.stylesheet.read_all(app.css_path)
    assert not names_for_descendants(app.stylesheet, "-active")  # what the main screen relies on
    assert names_for_descendants(app.stylesheet, "-checklist-active")  # the screen's: #top under it


async def test_an_own_class_restyles_the_widget_alone_and_looks_as_textual_would(monkeypatch):  # noqa: ANN001
    app = BoxApp()
    async with app.run_test() as pilot:
        box, label = app.query_one(Vertical), app.query_one(Label)
        restyled: list[object] = []
        real = app.stylesheet.apply

        def apply(node, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
            restyled.append(node)
            return real(node, *args, **kwargs)

        monkeypatch.setattr(app.stylesheet, "apply", apply)
        set_own_class(box, True, "-on")
        assert restyled == [box]
        assert box.styles.border_top[0] == "heavy"
        set_own_class(box, False, "-on")
        assert box.styles.border_top[0] == "round"
        restyled.clear()
        set_own_class(box, True, "-deep")  # a descendant's look: the whole subtree
        assert label in restyled
        await pilot.pause()
        assert label.styles.color.rgb == (0, 0, 255)


async def test_pane_and_focus_moves_leave_every_node_styled_as_a_whole_restyle_would(tmp_path: Path):
    """The main screen after pane switches and a focus move (the panes' -active and
    :focus-within restyled alone): restyling every node again changes nothing."""
    app = demo_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot)
        screen = app.screen
        assert isinstance(screen, MainScreen)
        actives = set()
        for key in ("tab", "tab", "shift+tab", "x", "tab"):
            await pilot.press(key)
            await settled(pilot)
            actives.add(screen.active)
        assert len(actives) > 1  # the active pane moved
        assert [pane.has_class("-active") for pane in screen.panes] == [n == screen.active for n in range(3)]
        looks = [(repr(node), node.styles.css) for node in screen.walk_children(with_self=True)]
        app.stylesheet.update_nodes(list(screen.walk_children(with_self=True)))
        assert [(repr(node), node.styles.css) for node in screen.walk_children(with_self=True)] == looks
