"""How many table lines one turn of the event loop paints anew; the rest on the next turns.

Why: a change that restyles whole tables (a focus move tints the table it leaves and the one it
enters, every cell of both) had Textual paint every visible line of both in one turn: at
100,000 lots expanding a holding painted ~20 new lines of 11 cells (~1 ms each) beside the
panes' borders and scroll bars, a 30-41 ms turn right after the focus move's restyle (15-20
ms), one heartbeat beat of 55-68 ms. Under a budget, a screen's paint takes LINES_PER_TURN new
lines; a line past it is blank for that frame (not what it showed before: a row that moved or
changed would show stale figures) and is painted in the next turn (FastTable asks for it again). Only a screen's own paint is metered
(`metered`, around Screen._compositor_refresh): a screenshot or a test reading lines directly
gets every line painted."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager

from textual.screen import Screen

LINES_PER_TURN = 16  # new lines a turn (~1 ms each at 100,000 lots, 11 cells): 8 made a tick's repaint ~10 ms later, measured


class PaintBudget:
    def __init__(self, lines: int = LINES_PER_TURN) -> None:
        self.lines = lines
        self.left = lines
        self.metering = 0  # inside a screen's paint: the budget applies
        self.loop: asyncio.AbstractEventLoop | None = None  # the turn's loop: a reset is due on it

    def take(self) -> bool:
        """One new line painted now (True), or not until the next turn (False)."""
        if not self.metering:
            return True
        loop = asyncio.get_running_loop()
        if self.loop is not loop:  # the first line of this turn (or of another loop's)
            self.loop, self.left = loop, self.lines
            loop.call_soon(self.reset)  # after this turn's callbacks: the next turn's budget
        if self.left <= 0:
            return False
        self.left -= 1
        return True

    def reset(self) -> None:
        self.loop = None

    @contextmanager
    def metered(self) -> Iterator[None]:
        self.metering += 1
        try:
            yield
        finally:
            self.metering -= 1


BUDGET = PaintBudget()


class MeteredPaint(Screen[None]):
    """A screen whose paints (the compositor's refresh) are metered by BUDGET."""

    def _compositor_refresh(self) -> None:
        with BUDGET.metered():
            super()._compositor_refresh()
