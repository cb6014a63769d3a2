"""A heartbeat on the app's event loop: a task that wakes every `interval` and records the gap
since its last beat. A gap much longer than the interval is a stall — the loop was kept from
running (a UI-thread computation, a lock wait, or a worker holding the GIL). Each beat also
records the UI thread's own CPU time since the last one (`busy`): on a machine shared with
other work, a gap can be long only because the CPU was busy elsewhere, while `busy` is what
the app itself did on the UI thread without yielding. Used by
bench/bench_tui.py and the stall test; the app itself never starts one."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field


@dataclass
class Heartbeat:
    interval: float = 0.01
    phase: str = "start"  # what the app is doing now: the gaps are kept per phase
    gaps: dict[str, list[float]] = field(default_factory=dict)  # phase -> seconds between beats
    busy: dict[str, list[float]] = field(default_factory=dict)  # phase -> UI-thread CPU seconds in each
    ends: dict[str, list[float]] = field(default_factory=dict)  # phase -> perf_counter at each beat
    task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self.task = asyncio.get_running_loop().create_task(self._beat())

    async def _beat(self) -> None:
        last, last_cpu = time.perf_counter(), time.thread_time()
        while True:
            await asyncio.sleep(self.interval)
            now, cpu = time.perf_counter(), time.thread_time()  # the loop's thread: the UI's
            self.gaps.setdefault(self.phase, []).append(now - last)
            self.busy.setdefault(self.phase, []).append(cpu - last_cpu)
            self.ends.setdefault(self.phase, []).append(now)
            last, last_cpu = now, cpu

    def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()

    def all_gaps(self) -> list[float]:
        return [gap for gaps in self.gaps.values() for gap in gaps]

    def all_busy(self) -> list[float]:
        return [cpu for busy in self.busy.values() for cpu in busy]

    def worst(self, busy: bool = False) -> tuple[str, float]:
        """The phase with the longest gap (or UI-thread CPU in one beat), and that (seconds)."""
        kept = self.busy if busy else self.gaps
        return max(((phase, max(values)) for phase, values in kept.items() if values), key=lambda p: p[1])


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else 0.0
