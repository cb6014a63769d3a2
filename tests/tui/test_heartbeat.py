"""The heartbeat's account of a beat (tui.heartbeat): the gap, the UI thread's CPU, and its wait
for a CPU, each beat of the phase it ran in; the wait read from the thread's own schedstat with
the GIL held, and 0 where the system does not say."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import pytest

from tui import heartbeat
from tui.heartbeat import Heartbeat, RunQueueDelay


def test_each_beat_has_its_gap_cpu_and_wait_in_its_phase():
    async def beats() -> Heartbeat:
        beat = Heartbeat(interval=0.001, phase="one")
        beat.start()
        while len(beat.gaps.get("one", [])) < 3:
            await asyncio.sleep(0.001)
        beat.phase = "two"
        while len(beat.gaps.get("two", [])) < 3:
            await asyncio.sleep(0.001)
        beat.stop()
        return beat

    beat = asyncio.run(beats())
    for phase in ("one", "two"):
        lengths = {len(kept[phase]) for kept in (beat.gaps, beat.busy, beat.waited, beat.ends)}
        assert len(lengths) == 1
        assert all(wait >= 0 for wait in beat.waited[phase])
        assert all(0 <= wait <= gap for wait, gap in zip(beat.waited[phase], beat.gaps[phase], strict=True))


@pytest.mark.skipif(not Path("/proc/thread-self/schedstat").exists(), reason="Linux's schedstat")
def test_the_wait_is_the_threads_own_and_only_grows():
    mine = RunQueueDelay()
    first = mine()
    theirs: list[float] = []
    thread = threading.Thread(target=lambda: theirs.append(RunQueueDelay()()))
    thread.start()
    thread.join()
    assert mine() >= first >= 0
    assert theirs[0] >= 0
    expected = int(Path("/proc/thread-self/schedstat").read_text().split()[1]) / 1e9
    assert abs(mine() - expected) < 0.1  # the same thread's figure as the file's, in seconds
    mine.close()
    assert mine() == 0.0


def test_no_schedstat_reads_as_no_wait(monkeypatch: pytest.MonkeyPatch):
    def missing(*_args: object) -> int:
        raise FileNotFoundError

    monkeypatch.setattr(heartbeat.os, "open", missing)
    assert RunQueueDelay()() == 0.0
