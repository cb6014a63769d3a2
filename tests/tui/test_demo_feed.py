"""The demo's price feed walks on for as long as the demo runs (issue 12 item 17)."""

from __future__ import annotations

from datetime import date

from engine.core.units import EpochMicros
from tui.feed import DemoFeed


def test_the_demo_feed_goes_on_without_starting_over():
    feed = DemoFeed(date(2026, 11, 24), lambda: EpochMicros(0))
    first = [feed.poll() for _ in range(5)]
    for _ in range(4_995):
        feed.poll()
    again = [feed.poll() for _ in range(5)]
    assert first != again  # the old feed replayed its 5,000 steps from the start
