"""A screen that lets the event loop turn between its messages once they have taken a while.

Why: Textual's message pump handles every message already in a screen's queue in one step of
the event loop (awaiting a queue that has an item does not yield), so messages that each take a
while add up to one long turn of the UI thread. Opening the detail screen handled its
ScreenResume (a layout pass and the screen's first whole paint, ~30-35 ms of UI-thread CPU at
100,000 lots) and the Resize that pass posts (another layout pass and paint, ~6-8 ms) in one
44-46 ms step — the detail phase's longest beat (bench/bench_tui.py, 2026-12-02).

How: after each message the pump adds the CPU the UI thread spent on it; once that passes
SPLIT_CPU and another message is waiting, it waits for a timer's turn before the next, so the
loop runs what else is due first (input, other widgets' messages, and timers already due: a
plain `sleep(0)` only goes to the back of the ready queue, which the loop runs before it looks
at its timers). The order of this
screen's messages is unchanged and each message is still handled whole; only when the rest
are handled moves to the next turn, as already happens whenever the queue runs dry."""

from __future__ import annotations

import asyncio
import time

from textual.message import Message
from textual.screen import Screen

SPLIT_CPU = 0.008  # seconds of UI-thread CPU in one step after which the next message waits a turn
AFTER_TIMERS = 1e-6  # seconds: any positive delay is a timer, run after the timers already due


class SplitsLongTurns(Screen[None]):
    """Mixed in before Screen (and before other mixins that override `_dispatch_message`)."""

    _turn_cpu = 0.0  # this step's messages' CPU so far (seconds)

    async def _dispatch_message(self, message: Message) -> None:
        started = time.thread_time()
        await super()._dispatch_message(message)
        self._turn_cpu += time.thread_time() - started
        if self._pending_message is None and self._message_queue.empty():  # the step ends here
            self._turn_cpu = 0.0
        elif self._turn_cpu >= SPLIT_CPU:
            self._turn_cpu = 0.0
            await asyncio.sleep(AFTER_TIMERS)
