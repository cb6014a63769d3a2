"""The objects alive when the app starts (its modules' functions, classes and tables, the app
itself) are kept out of the collector's full collections, which would scan them all holding
the UI thread (a 50-60 ms beat at the first load with 100,000 lots, issue 18)."""

from __future__ import annotations

import gc
import threading
from pathlib import Path

from tests.tui.pilot import settled
from tui.app import MIDDLE_COLLECTION, YOUNG_COLLECTION
from tui.testing import demo_app


async def test_what_lives_from_the_start_is_frozen_before_the_first_load(tmp_path: Path):
    app = demo_app(tmp_path)
    release = threading.Event()
    load = app.session.load
    app.session.load = lambda progress=None: (release.wait(10), load(progress))[1]  # type: ignore[method-assign]
    gc.unfreeze()  # whatever an earlier test in this process froze
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        frozen = gc.get_freeze_count()  # the load (whose slow path freezes its lots) still waits
        release.set()
        await settled(pilot)
    assert frozen > 10_000  # the modules' objects at least


async def test_young_collections_are_rarer_while_the_app_runs(tmp_path: Path):
    """The app's paints allocate fast: at Python's 700 objects a young collection, a full one
    (every live object scanned on the UI thread, 20-100 ms at 100,000 lots) came every few
    ticks (middle ones, every 3 young ones, stay under ~40 ms). The process's thresholds are put back when the app ends."""
    before = gc.get_threshold()
    app = demo_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot)
        running = gc.get_threshold()
    assert running == (YOUNG_COLLECTION, MIDDLE_COLLECTION, before[2])
    assert before[0] < YOUNG_COLLECTION
    assert gc.get_threshold() == before
