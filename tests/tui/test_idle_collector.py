"""The collector's middle collections run in a turn of their own when the app is idle, not in
the middle of a paint (tui/idle_collector.py), and never while a worker has paused it."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from engine.core.collector import paused_gc
from tests.tui.pilot import settled
from tui.idle_collector import AGAIN, LATE, LOOK, IdleCollector
from tui.testing import demo_app


class FakeLoop:
    def __init__(self) -> None:
        self.now = 100.0
        self.calls: list[float] = []  # when each look was asked for

    def time(self) -> float:
        return self.now

    def call_at(self, when: float, callback: Callable[..., object], *args: object) -> object:
        self.calls.append(when)
        return _Handle()


class _Handle:
    def cancel(self) -> None:
        pass


@pytest.fixture
def thresholds() -> Iterator[None]:
    before = gc.get_threshold()
    gc.set_threshold(10_000, 3, before[2])
    try:
        yield
    finally:
        gc.set_threshold(*before)


def test_a_middle_collection_due_next_runs_now(thresholds: None):
    gc.collect()
    for _ in range(3):  # three young collections: the next one would be a middle one
        gc.collect(0)
    assert gc.get_count()[1] == 3
    assert IdleCollector(FakeLoop()).collect() == 1  # type: ignore[arg-type]
    assert gc.get_count()[1] == 0


def test_many_young_objects_are_collected_at_a_quiet_moment(thresholds: None):
    gc.collect()
    kept = [[n] for n in range(7_000)]  # tracked containers: past half the young threshold
    assert IdleCollector(FakeLoop()).collect() == 0  # type: ignore[arg-type]
    assert gc.get_count()[0] < 1_000
    assert len(kept) == 7_000


def test_nothing_is_collected_soon_after_a_collection(thresholds: None):
    gc.collect()
    assert IdleCollector(FakeLoop()).collect() is None  # type: ignore[arg-type]


def test_nothing_is_collected_while_a_worker_has_paused_the_collector(thresholds: None):
    gc.collect()
    for _ in range(3):
        gc.collect(0)
    with paused_gc():
        assert IdleCollector(FakeLoop()).collect() is None  # type: ignore[arg-type]
        assert gc.get_count()[1] == 3


def test_a_late_look_looks_again_shortly_instead_of_adding_to_the_turn(thresholds: None):
    loop = FakeLoop()
    collector = IdleCollector(loop)  # type: ignore[arg-type]
    gc.collect()
    for _ in range(3):
        gc.collect(0)
    loop.now = 200.0
    collector._look(due=200.0 - 2 * LATE)  # other work held the loop past the look's time
    assert gc.get_count()[1] == 3  # not collected
    assert loop.calls == [200.0 + AGAIN]
    loop.now = 200.0 + AGAIN
    collector._look(due=200.0 + AGAIN)  # on time
    assert gc.get_count()[1] == 0
    assert loop.calls[-1] == 200.0 + AGAIN + LOOK


async def test_the_app_collects_in_turns_of_its_own_and_stops_when_it_ends(tmp_path: Path):
    app = demo_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot)
        collector = app.idle_collector
        assert collector is not None
        assert collector.handle is not None
    assert collector.handle is None
