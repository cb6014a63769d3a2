"""Who held the GIL during a long heartbeat: a sampling watcher for bench_tui.py's `--watch`.

A daemon thread wakes every `interval` (1 ms) and records, for every other thread, its CPU clock
(time.pthread_getcpuclockid) and its innermost frames (sys._current_frames). The watcher needs
the GIL to take a sample, so a C call that holds the GIL for 80 ms shows as an 80 ms hole between
two samples; the thread whose CPU clock advanced across the hole is the one that held it, and
its frames before the hole name the call. For the UI thread's own long turns (bytecode, which
hands the GIL over every switch interval) the samples inside the beat say where it was.

Measurement only: the app never starts one. Costs ~5% of a core (a sample a millisecond)."""

from __future__ import annotations

import gc
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

Stack = tuple[str, ...]  # innermost first: "file:line function"
DEPTH = 6
ROOT = str(Path(__file__).resolve().parent.parent) + "/"


def _stack(frame: object) -> Stack:
    """The innermost DEPTH frames, then the innermost of the project's own (tui/, engine/) when
    none of those is."""
    out: list[str] = []
    ours = False
    while frame is not None and len(out) < 40:
        code = frame.f_code  # type: ignore[attr-defined]
        name = code.co_filename.rsplit("/site-packages/", 1)[-1].removeprefix(ROOT)
        own = name.startswith(("tui/", "engine/"))
        if len(out) < DEPTH or (own and not ours):
            out.append(f"{name}:{frame.f_lineno} {code.co_name}")  # type: ignore[attr-defined]
            if len(out) > DEPTH:
                break
        ours = ours or own
        frame = frame.f_back  # type: ignore[attr-defined]
    return tuple(out)


@dataclass
class Sample:
    at: float  # perf_counter
    cpu: dict[int, float]  # thread ident -> its CPU seconds
    stacks: dict[int, Stack]


@dataclass
class Watcher:
    interval: float = 0.001
    samples: list[Sample] = field(default_factory=list)
    names: dict[int, str] = field(default_factory=dict)
    collections: list[tuple[float, float, int, int]] = field(
        default_factory=list
    )  # start, end, generation, thread
    _stop: threading.Event = field(default_factory=threading.Event)
    _gc_started: tuple[float, float, tuple[int, int, int], Stack] = (0.0, 0.0, (0, 0, 0), ())
    _thread: threading.Thread | None = None

    def _collected(self, phase: str, info: dict[str, int]) -> None:
        now = time.perf_counter()
        if phase == "start":
            self._gc_started = (now, time.thread_time(), gc.get_count(), _stack(sys._getframe(2)))
        else:
            began, cpu, counts, where = self._gc_started
            took = (now - began, time.thread_time() - cpu)
            self.collections.append((began, took, info["generation"], threading.get_ident(), counts, where))

    def start(self) -> None:
        gc.callbacks.append(self._collected)
        self._thread = threading.Thread(target=self._run, name="gil-watch", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        gc.callbacks.remove(self._collected)
        if self._thread is not None:
            self._thread.join()

    def _run(self) -> None:
        me = threading.get_ident()
        clocks: dict[int, int] = {}
        while not self._stop.is_set():
            time.sleep(self.interval)
            frames = sys._current_frames()
            at = time.perf_counter()
            cpu: dict[int, float] = {}
            stacks: dict[int, Stack] = {}
            for ident, frame in frames.items():
                if ident == me:
                    continue
                clock = clocks.get(ident)
                if clock is None:
                    try:
                        clock = clocks[ident] = time.pthread_getcpuclockid(ident)
                    except OSError:
                        continue
                try:
                    cpu[ident] = time.clock_gettime(clock)
                except OSError:
                    continue
                stacks[ident] = _stack(frame)
            del frames
            self.samples.append(Sample(at, cpu, stacks))
            if len(self.names) != len(threading.enumerate()):
                self.names.update({t.ident: t.name for t in threading.enumerate() if t.ident})

    def window(self, start: float, end: float) -> list[Sample]:
        return [s for s in self.samples if start - 0.002 <= s.at <= end + 0.002]

    def explain(self, start: float, end: float, main: int, holes: float = 0.008) -> list[str]:
        """What happened between `start` and `end` (perf_counter): each hole in the samples over
        `holes` with the thread whose CPU ran through it and its frames before, and where the UI
        thread's samples were (its CPU across the window)."""
        samples = self.window(start, end)
        lines: list[str] = []
        for began, (wall, cpu), generation, thread, counts, where in self.collections:
            if began + wall >= start and began <= end and wall > 0.002:
                lines.append(
                    f"    gc gen {generation} on {self.names.get(thread, thread)}: {wall * 1000:.1f} ms"
                    f" (CPU {cpu * 1000:.1f}), counts {counts}, from:"
                )
                lines += [f"        {frame}" for frame in where]
        for before, after in zip(samples, samples[1:], strict=False):
            hole = after.at - before.at
            if hole < holes:
                continue
            ran = sorted(
                ((after.cpu[t] - before.cpu[t], t) for t in after.cpu if t in before.cpu), reverse=True
            )
            held = [f"{self.names.get(t, t)} {cpu * 1000:.0f}ms" for cpu, t in ran[:3] if cpu > 0.001]
            top = ran[0][1] if ran else None
            where = before.stacks.get(top, ()) if top is not None else ()
            lines.append(f"    hole {hole * 1000:.0f} ms, CPU: {', '.join(held) or 'none (descheduled)'}")
            lines += [f"        {frame}" for frame in where]
        if len(samples) >= 2:
            first, last = samples[0], samples[-1]
            ui_cpu = last.cpu.get(main, 0.0) - first.cpu.get(main, 0.0)
            lines.append(f"    UI thread CPU over the window {ui_cpu * 1000:.0f} ms; where it was:")
            where = Counter(s.stacks.get(main, ()) for s in samples)
            for stack, count in where.most_common(3):
                lines.append(f"      {count} samples:")
                lines += [f"        {frame}" for frame in stack]
        return lines

    def holds(self, over: float = 0.015) -> list[tuple[float, float, str, Stack]]:
        """Every hole in the samples in which one thread ran over `over` seconds of CPU: (when,
        its CPU, its name, its frames before the hole), longest first."""
        found = []
        for before, after in zip(self.samples, self.samples[1:], strict=False):
            ran = [(after.cpu[t] - before.cpu[t], t) for t in after.cpu if t in before.cpu]
            if not ran:
                continue
            cpu, top = max(ran)
            if cpu > over:
                found.append((before.at, cpu, self.names.get(top, str(top)), before.stacks.get(top, ())))
        return sorted(found, key=lambda hold: -hold[1])

    def slow_collections(self, over: float = 0.005) -> list[str]:
        return [
            f"gc gen {generation} on {self.names.get(thread, thread)} at {began:.2f}: {wall * 1000:.1f} ms"
            f" (CPU {cpu * 1000:.1f}), counts {counts}, from {where[:1]}"
            for began, (wall, cpu), generation, thread, counts, where in self.collections
            if cpu > over
        ]
