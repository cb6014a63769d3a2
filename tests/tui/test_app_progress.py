"""Never stale, never silent (issue 12 item 14): the demo's `--lots` import says how far it got,
and live prices that stop say why — once, and in the header while it lasts."""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from engine.core.units import Amount, EpochMillis
from tests.tui.pilot import notifications, settled
from tui.app import HarvestApp
from tui.cli.demo_command import demo_app as cli_demo_app
from tui.feed import LiveFeed
from tui.testing import demo_app
from tui.widgets.status_line import StatusLine


async def test_the_demo_says_how_far_its_lots_import_got(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    said: list[str | None] = []
    say = StatusLine.say

    def recording(line: StatusLine, text: str | None) -> None:
        said.append(text)
        say(line, text)

    monkeypatch.setattr(StatusLine, "say", recording)
    app = cli_demo_app(tmp_path, argparse.Namespace(as_of="2026-11-24", lots=20_000, config=None))
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            # the import, the load and the first tick are a chain of workers, each started by the
            # last one's message: on a busy machine one round of `settled` can end between links
            for _ in range(50):
                await settled(pilot)
                if said and said[-1] is None:
                    break
            assert said == [
                "demo: imported 10,000 of 20,000 lots",
                "demo: imported 20,000 of 20,000 lots",
                "loading: matching lots and computing the tax figures…",
                None,  # done: the line is gone
            ]
            assert not app.screen.query_one(StatusLine).display
    finally:
        app.session.engine.store.close()


@dataclass
class FailingStream:
    """The live prices the command line starts, with a problem the test sets."""

    prices: dict[str, Amount] = field(default_factory=dict)
    updated_ms: EpochMillis | None = None
    now: str | None = None
    polls: int = 0

    def latest(self) -> tuple[dict[str, Amount], EpochMillis | None]:
        self.polls += 1
        return dict(self.prices), self.updated_ms

    def problem(self) -> str | None:
        return self.now

    def stop(self, wait: float = 5.0) -> None:
        pass


async def until(pilot, condition) -> None:  # noqa: ANN001
    for _ in range(2000):  # bounded: the feed is polled every 20 ms
        if condition():
            return
        await pilot.pause()
    raise AssertionError("never happened")


async def test_a_failed_live_stream_says_why_once_and_in_the_header(tmp_path: Path):
    session = demo_app(tmp_path).session
    stream = FailingStream()
    app = HarvestApp(session, LiveFeed(stream, session.save_prices, interval=0.02))
    reason = "binance: price stream failed (NetworkError: connection refused); retrying in 4 s"
    async with app.run_test(size=(200, 40)) as pilot:
        await settled(pilot)
        stream.now = reason
        await until(pilot, lambda: any(reason in message for message, _ in notifications(app)))
        await until(pilot, lambda: reason in str(app.screen.query_one("#header").render()))
        polled = stream.polls
        await until(pilot, lambda: stream.polls > polled + 10)  # more polls, the same problem
        told = [(m, s) for m, s in notifications(app) if reason in m]
        assert told == [(f"Live prices: {reason}", "warning")]
        stream.now = None
        await until(pilot, lambda: ("Live prices are back", "information") in notifications(app))
        assert reason not in str(app.screen.query_one("#header").render())
