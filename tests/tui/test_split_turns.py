"""A screen's queued messages that take a while are handled over several turns of the event loop
(tui/screens/split_turns.py): a timer already due runs between them, as the heartbeat of
bench/bench_tui.py does; Textual alone handled the whole queue in one step."""

from __future__ import annotations

import asyncio
import time

from textual.app import App
from textual.message import Message
from textual.screen import Screen

from tui.screens.split_turns import SPLIT_CPU, SplitsLongTurns


class Slow(Message):
    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name


def burn(seconds: float) -> None:
    until = time.thread_time() + seconds
    while time.thread_time() < until:
        pass


class Recording:
    def __init__(self) -> None:
        self.seen: list[str] = []

    def on_slow(self, message: Slow) -> None:
        self.seen.append(message.name)
        if message.name == "first":  # a timer due at once: does it run before the second?
            asyncio.get_running_loop().call_later(0, self.seen.append, "timer")
        burn(SPLIT_CPU * 1.5)


class SplitScreen(Recording, SplitsLongTurns):
    def __init__(self) -> None:
        Recording.__init__(self)
        SplitsLongTurns.__init__(self)


class PlainScreen(Recording, Screen[None]):
    def __init__(self) -> None:
        Recording.__init__(self)
        Screen.__init__(self)


async def handled(screen: Recording) -> list[str]:
    app: App[None] = App()
    async with app.run_test() as pilot:
        await app.push_screen(screen)  # type: ignore[arg-type]
        await pilot.pause()
        for name in ("first", "second", "third"):
            screen.post_message(Slow(name))  # type: ignore[attr-defined]
        for _ in range(20):
            await pilot.pause()
            if "third" in screen.seen:
                break
    return screen.seen


async def test_a_timer_due_runs_between_two_slow_messages():
    assert await handled(SplitScreen()) == ["first", "timer", "second", "third"]


async def test_without_it_the_queue_goes_in_one_step():  # what the mixin is for
    assert await handled(PlainScreen()) == ["first", "second", "third", "timer"]
