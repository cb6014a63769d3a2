"""A heartbeat on the app's event loop: a task that wakes every `interval` and records the gap
since its last beat. A gap much longer than the interval is a stall — the loop was kept from
running (a UI-thread computation, a lock wait, or a worker holding the GIL). Used by
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
    task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self.task = asyncio.get_running_loop().create_task(self._beat())

    async def _beat(self) -> None:
        last = time.perf_counter()
        while True:
            await asyncio.sleep(self.interval)
            now = time.perf_counter()
            self.gaps.setdefault(self.phase, []).append(now - last)
            last = now

    def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()

    def all_gaps(self) -> list[float]:
        return [gap for gaps in self.gaps.values() for gap in gaps]

    def worst(self) -> tuple[str, float]:
        """The phase with the longest gap, and that gap (seconds)."""
        return max(((phase, max(gaps)) for phase, gaps in self.gaps.items() if gaps), key=lambda p: p[1])


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else 0.0
