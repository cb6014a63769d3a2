"""A heartbeat on the app's event loop: a task that wakes every `interval` and records the gap
since its last beat. A gap much longer than the interval is a stall — the loop was kept from
running (a UI-thread computation, a lock wait, or a worker holding the GIL). Each beat also
records the UI thread's own CPU time since the last one (`busy`): on a machine shared with
other work, a gap can be long only because the CPU was busy elsewhere, while `busy` is what
the app itself did on the UI thread without yielding, and the time the UI thread waited for a
core (`waited`: Linux's run-queue delay, /proc/thread-self/schedstat; 0 where there is none), so
a gap is its CPU, its wait for a core, and the rest — its wait for the GIL (another thread of
the process in a C call, or taking its turns) or a sleep. Used by
bench/bench_tui.py and the stall test; the app itself never starts one."""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import os
import time
from dataclasses import dataclass, field


class RunQueueDelay:
    """The calling thread's time spent runnable but waiting for a CPU, seconds (Linux's
    /proc/thread-self/schedstat; always 0.0 where the system does not say). Opened once, on the
    thread it is about; each read is one pread made with the GIL held: a call that let the GIL go
    would make the UI thread wait to take it back — up to a switch interval while a worker holds
    it — which is the very wait measured."""

    def __init__(self) -> None:
        self.fd = -1
        with contextlib.suppress(OSError, AttributeError):
            self.fd = os.open("/proc/thread-self/schedstat", os.O_RDONLY)
            self.pread = ctypes.PyDLL(None).pread
            self.pread.argtypes = (ctypes.c_int, ctypes.c_char_p, ctypes.c_size_t, ctypes.c_long)
            self.pread.restype = ctypes.c_ssize_t
            self.buffer = ctypes.create_string_buffer(128)

    def __call__(self) -> float:
        if self.fd < 0:
            return 0.0
        size = self.pread(self.fd, self.buffer, 127, 0)
        fields = self.buffer.raw[: max(size, 0)].split()  # run time, run-queue delay, slices (ns)
        return int(fields[1]) / 1e9 if len(fields) > 1 else 0.0

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1


@dataclass
class Heartbeat:
    interval: float = 0.01
    phase: str = "start"  # what the app is doing now: the gaps are kept per phase
    gaps: dict[str, list[float]] = field(default_factory=dict)  # phase -> seconds between beats
    busy: dict[str, list[float]] = field(default_factory=dict)  # phase -> UI-thread CPU seconds in each
    ends: dict[str, list[float]] = field(default_factory=dict)  # phase -> perf_counter at each beat
    waited: dict[str, list[float]] = field(default_factory=dict)  # phase -> seconds waiting for a CPU
    task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self.task = asyncio.get_running_loop().create_task(self._beat())

    async def _beat(self) -> None:
        run_queue_delay = RunQueueDelay()  # the loop's thread: the UI's
        try:
            await self._beats(run_queue_delay)
        finally:
            run_queue_delay.close()

    async def _beats(self, run_queue_delay: RunQueueDelay) -> None:
        last, last_cpu, last_wait = time.perf_counter(), time.thread_time(), run_queue_delay()
        while True:
            await asyncio.sleep(self.interval)
            now, cpu, wait = time.perf_counter(), time.thread_time(), run_queue_delay()
            self.gaps.setdefault(self.phase, []).append(now - last)
            self.busy.setdefault(self.phase, []).append(cpu - last_cpu)
            self.waited.setdefault(self.phase, []).append(wait - last_wait)
            self.ends.setdefault(self.phase, []).append(now)
            last, last_cpu, last_wait = now, cpu, wait

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
