"""The cyclic collector's middle collections run in a turn of the event loop of their own, not
in the middle of a paint.

Why: the collector runs when allocations pass its threshold, and the app allocates most while
Textual paints (strips, segments, their caches), so that is where its collections landed: a
middle collection (the young objects and the survivors of the last three young collections,
25,000-35,000 objects at 100,000 lots: strips with their seven caches each, rows of lot cells)
took 10-20 ms of the UI thread and came on top of a 35-50 ms paint — the worst beats of
expanding a holding and opening the detail screen (bench/bench_tui.py, 2026-12-01).

How: every LOOK seconds the UI thread looks at the collector's counts; when the next young
collection would be a middle one (or the young count is past NEARLY of its threshold) it runs
that collection now. A look that comes late (something else just ran in this turn of the loop)
looks again a moment later instead, so the collection does not add to that work. The collector
stays enabled — a look that never comes (a long turn) leaves Python's own collections as before
— and nothing is collected while it is paused (`engine.core.collector.paused_gc`: a worker is
building millions of young objects that a collection would scan)."""

from __future__ import annotations

import asyncio
import gc

LOOK = 0.05  # seconds between looks at the collector's counts
LATE = 0.003  # a look later than this: other work ran in this turn of the loop
AGAIN = 0.004  # seconds until the next look after a late one
NEARLY = 0.5  # of the young threshold: collect young objects at a quiet moment from here on


class IdleCollector:
    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.handle: asyncio.TimerHandle | None = None
        self.collections = [0, 0]  # young and middle collections run here (for tests)

    def start(self) -> None:
        self._after(LOOK)

    def stop(self) -> None:
        if self.handle is not None:
            self.handle.cancel()
            self.handle = None

    def _after(self, delay: float) -> None:
        due = self.loop.time() + delay
        self.handle = self.loop.call_at(due, self._look, due)

    def _look(self, due: float) -> None:
        if self.loop.time() - due > LATE:
            self._after(AGAIN)
            return
        self.collect()
        self._after(LOOK)

    def collect(self) -> int | None:
        """The collection due soonest, if one is near: its generation, or None."""
        if not gc.isenabled():
            return None
        young, middle, _ = gc.get_count()
        young_threshold, middle_threshold, _ = gc.get_threshold()
        if middle >= middle_threshold:  # the next young collection or the one after would be a middle one
            generation = 1
        elif young > NEARLY * young_threshold:
            generation = 0
        else:
            return None
        gc.collect(generation)
        self.collections[generation] += 1
        return generation
