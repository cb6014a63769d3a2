"""How many table lines one turn of the event loop paints anew; the rest on the next turns.

Why: a change that restyles whole tables (a focus move tints the table it leaves and the one it
enters, every cell of both) had Textual paint every visible line of both in one turn: at
100,000 lots expanding a holding painted ~20 new lines of 11 cells (~1 ms each) beside the
panes' borders and scroll bars, a 30-41 ms turn right after the focus move's restyle (15-20
ms), one heartbeat beat of 55-68 ms. Under a budget, a screen's paint takes LINES_PER_TURN new
lines; a line past it is blank for that frame (not what it showed before: a row that moved or
changed would show stale figures) and is painted in the next turn (FastTable asks for it again). Only a screen's own paint is metered
(`metered`, around Screen._compositor_refresh): a screenshot or a test reading lines directly
gets every line painted.

The budget is also one of time: once the paint (from the start of the screen's update, its
layout pass included) has used PAINT_CPU of the UI thread's CPU, the lines still new wait for the
next turn too (at least one a turn is painted). Sixteen lines were ~16 ms on their own, but a
turn that first laid the screen out or restyled a table painted them on top of that: expanding
a holding's and the detail screen's paint steps were 33-46 ms of UI-thread CPU at 100,000 and
1,000,000 lots, 20-26 ms of it table lines (bench/bench_tui.py, 2026-12-02)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from contextlib import contextmanager

from textual.screen import Screen

LINES_PER_TURN = 16  # new lines a turn (~1 ms each at 100,000 lots, 11 cells): 8 made a tick's repaint ~10 ms later, measured
PAINT_CPU = 0.012  # seconds of UI-thread CPU a paint may use before its new lines wait a turn


class PaintBudget:
    def __init__(self, lines: int = LINES_PER_TURN, cpu: float = PAINT_CPU) -> None:
        self.lines = lines
        self.left = lines
        self.cpu = cpu
        self.metering = 0  # inside a screen's paint: the budget applies
        self.started = 0.0  # the UI thread's CPU clock when the outermost metered paint began
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
        if self.left < self.lines and time.thread_time() - self.started > self.cpu:
            return False  # out of time (one line a turn is always painted)
        self.left -= 1
        return True

    def reset(self) -> None:
        self.loop = None

    @contextmanager
    def metered(self) -> Iterator[None]:
        if not self.metering:
            self.started = time.thread_time()
        self.metering += 1
        try:
            yield
        finally:
            self.metering -= 1


BUDGET = PaintBudget()


class MeteredPaint(Screen[None]):
    """A screen whose paints (the compositor's refresh, and the update that lays the screen
    out before it) are metered by BUDGET."""

    def _on_timer_update(self) -> None:
        with BUDGET.metered():
            super()._on_timer_update()

    def _compositor_refresh(self) -> None:
        with BUDGET.metered():
            super()._compositor_refresh()
