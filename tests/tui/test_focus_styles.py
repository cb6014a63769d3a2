"""A focus move restyles only the nodes whose own rules name `:focus-within`
(tui/screens/focus_styles.py), and every node ends up styled as Textual's restyle of whole
subtrees leaves it."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Input, Label

from tui.screens.focus_styles import OwnFocusWithin

CSS = """
.box { border: round red; height: 8; }
.box:focus-within { border: heavy green; }
Input:focus { background: blue; }
"""


def boxes() -> ComposeResult:
    for n in (1, 2):
        with Vertical(classes="box", id=f"box{n}"):
            yield Label(f"box {n}", id=f"label{n}")
            yield Input(id=f"input{n}")


class OwnScreen(OwnFocusWithin):
    def compose(self) -> ComposeResult:
        yield from boxes()


class PlainScreen(Screen[None]):
    def compose(self) -> ComposeResult:
        yield from boxes()


async def styled_after_moves(screen: Screen[None], monkeypatch) -> tuple[list[tuple[str, str]], list[str]]:  # noqa: ANN001
    app: App[None] = App(css_path=None)
    app.CSS = CSS
    restyled: list[str] = []
    async with app.run_test() as pilot:
        app.stylesheet.add_source(CSS, read_from=("test", ""))
        app.stylesheet.reparse()
        await app.push_screen(screen)
        await pilot.pause()
        real = screen._update_focus_styles

        def update(focused=None, blurred=None):  # noqa: ANN001, ANN202
            apply = app.stylesheet.apply

            def recorded(node, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
                restyled.append(str(node.id))
                return apply(node, *args, **kwargs)

            monkeypatch.setattr(app.stylesheet, "apply", recorded)
            try:
                real(focused, blurred)
            finally:
                monkeypatch.setattr(app.stylesheet, "apply", apply)

        monkeypatch.setattr(screen, "_update_focus_styles", update)
        for target in ("#input1", "#input2", "#input1"):
            screen.query_one(target).focus()
            await pilot.pause()
            await pilot.pause()
        looks = [(str(node.id), node.styles.css) for node in screen.walk_children(with_self=False)]
    return looks, restyled


async def test_only_the_focus_within_nodes_are_restyled_and_all_look_as_textual_leaves_them(monkeypatch):  # noqa: ANN001
    own, own_restyled = await styled_after_moves(OwnScreen(), monkeypatch)
    plain, plain_restyled = await styled_after_moves(PlainScreen(), monkeypatch)
    assert own == plain
    looks = dict(own)
    assert "heavy" in looks["box1"]  # the focus is in box 1
    assert "heavy" not in looks["box2"]
    assert set(own_restyled) == {"box1", "box2"}
    assert {"label1", "input1"} <= set(plain_restyled)  # Textual's whole subtrees
