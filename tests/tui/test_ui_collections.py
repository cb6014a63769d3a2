"""The objects alive when the app starts (its modules' functions, classes and tables, the app
itself) are kept out of the collector's full collections, which would scan them all holding
the UI thread (a 50-60 ms beat at the first load with 100,000 lots, issue 18)."""

from __future__ import annotations

import gc
import sys
import threading
from pathlib import Path

import pytest

from tests.tui.pilot import settled
from tui.app import FULL_COLLECTION, MIDDLE_COLLECTION, SWITCH_INTERVAL, YOUNG_COLLECTION
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
    ticks (middle ones, every 3 young ones, stay under ~40 ms); full ones, over the screens'
    objects, took 78-99 ms at 1,000,000 lots and come a tenth as often. The process's thresholds
    are put back when the app ends."""
    before = gc.get_threshold()
    app = demo_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot)
        running = gc.get_threshold()
    assert running == (YOUNG_COLLECTION, MIDDLE_COLLECTION, FULL_COLLECTION)
    assert before[0] < YOUNG_COLLECTION
    assert before[2] < FULL_COLLECTION
    assert gc.get_threshold() == before


async def test_the_gil_changes_hands_sooner_while_the_app_runs(tmp_path: Path):
    """The UI thread takes the GIL back at every turn of its loop: beside a worker running Python
    it waited up to Python's 5 ms switch interval each time (beats of 1-5 ms of UI CPU lasting
    40-190 ms at a million lots). The process's interval is put back when the app ends."""
    before = sys.getswitchinterval()
    app = demo_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot)
        running = sys.getswitchinterval()
    assert running == pytest.approx(SWITCH_INTERVAL) != pytest.approx(before)
    assert sys.getswitchinterval() == before
