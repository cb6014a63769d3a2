"""The slow path (the load worker) starts while the main screen composes, not once its widgets
have mounted and been styled: that took 0.1-0.3 s of the first frame (issue 18). What the load
says before the status line is there still shows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.message import Message

from engine.planning import slow_path_cache
from tests.tui.pilot import settled
from tui.messages import SnapshotReady
from tui.screens.main import MainScreen
from tui.testing import demo_app
from tui.widgets.status_line import StatusLine


async def test_the_load_is_under_way_before_the_main_screen_mounts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    app = demo_app(tmp_path)
    at_mount: list[bool] = []
    on_mount = MainScreen.on_mount

    def recording(screen: MainScreen) -> None:
        at_mount.append(any(worker.group == "load" for worker in app.workers))
        on_mount(screen)

    monkeypatch.setattr(MainScreen, "on_mount", recording)
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot)
        assert isinstance(app.screen, MainScreen)
        assert app.screen.shown is not None
    assert at_mount == [True]


async def test_progress_said_before_the_status_line_mounted_is_shown(tmp_path: Path):
    app = demo_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot)
        screen = app.screen
        assert isinstance(screen, MainScreen)
        screen.unsaid = "loading: matching lots and computing the tax figures…"
        screen.say_unsaid()  # as its mount does
        line = screen.query_one(StatusLine)
        assert line.display
        assert str(line.render()) == "loading: matching lots and computing the tax figures…"


async def test_the_start_up_cache_is_written_once_the_first_frame_is_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """Writing the slow path's results for the next start (~0.3 s at 100,000 lots) no longer
    delays the first frame: the snapshot goes to the screen and all three panes fill first, then
    the file is written, once per load."""
    app = demo_app(tmp_path)
    app.session.planner.use_cache = True
    events: list[str] = []
    save = slow_path_cache.save

    def saving(*args: Any) -> None:
        whole = isinstance(app.screen, MainScreen) and app.screen.shown is not None
        events.append("saved after the frame" if whole else "saved before the frame")
        save(*args)

    monkeypatch.setattr(slow_path_cache, "save", saving)
    post = MainScreen.post_message

    def posting(screen: MainScreen, message: Message) -> bool:
        if isinstance(message, SnapshotReady):
            events.append("snapshot")
        return post(screen, message)

    monkeypatch.setattr(MainScreen, "post_message", posting)
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot)
        await app.workers.wait_for_complete()
        assert events[:2] == ["snapshot", "saved after the frame"]
        assert len([event for event in events if event.startswith("saved")]) == 1
        assert slow_path_cache.cache_path(app.session.engine.store).exists()
