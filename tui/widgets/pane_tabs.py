"""When only one pane fits: which of the three is shown, and the keys that move between them."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from tui.keys import Keys
from tui.widgets.header_bar import Part, fitted

PANE_NAMES = ("Holdings", "Candidates", "Checklist")


class PaneTabs(Static):
    shown: tuple[int, Keys] | None = None

    def show(self, active: int, keys: Keys) -> None:
        self.shown = (active, keys)
        self.redraw()

    def on_resize(self) -> None:
        self.redraw()

    def redraw(self) -> None:
        """Drawn only while shown: hidden (the screen wide enough for every pane), an update
        still asked for a layout pass of the whole screen and a repaint of every pane (a focus
        move's ~20-30 ms at 100,000 lots). Shown again, it gets a resize and draws then."""
        if self.shown is not None and self.display:
            self.update(pane_tabs(*self.shown, self.size.width or None))


def pane_tabs(active: int, keys: Keys, width: int | None = None) -> Text:
    """`Holdings · [Candidates] · Checklist   tab/shift+tab panes · ←/→ columns`: the shown one
    bracketed and bold, so it reads without colour too; the keys give way to a narrow width."""
    tabs = Text(" ")
    for index, name in enumerate(PANE_NAMES):
        if index:
            tabs.append(" · ")
        tabs.append(f"[{name}]" if index == active else name, style="bold" if index == active else "")
    moves = f"   {keys.hint('next_pane')}/{keys.hint('previous_pane')}"
    hints = (Text(f"{moves} panes · ←/→ columns", style="italic"), Text(moves, style="italic"), Text())
    return fitted([Part((tabs,)), Part(hints, give_way=1)], width)
