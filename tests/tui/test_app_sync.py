"""The s key: the command line's sync runner, off the UI thread and outside the session lock."""

from __future__ import annotations

import threading
from pathlib import Path

from engine.core.errors import HarvestError
from tests.tui.pilot import notifications, settled, settled_but_sync, table
from tui.testing import demo_app
from tui.widgets.status_line import StatusLine


async def test_sync_progress_updates_one_status_line_and_the_summary_is_a_notification(tmp_path: Path):
    started, release = threading.Event(), threading.Event()

    def runner(progress) -> str:  # noqa: ANN001
        progress("kraken: markets")
        progress("kraken: trades BTC/USD 2/3")
        started.set()
        assert release.wait(timeout=60), "the test never released the runner"
        return "3 new record(s) from 1 account(s)"

    app = demo_app(tmp_path, sync=runner)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await settled(pilot)
            await pilot.press("s")
            for _ in range(1000):  # bounded: the worker thread gets there
                if started.is_set():
                    break
                await pilot.pause()
            status = app.screen.query_one(StatusLine)
            assert status.display
            assert str(status.render()) == "sync · kraken: trades BTC/USD 2/3"  # the latest step, in place
            assert not [
                message for message, _ in notifications(app) if "kraken" in message
            ]  # no toast a step
            release.set()
            await settled(pilot)
            assert not status.display
            assert ("sync: 3 new record(s) from 1 account(s)", "information") in notifications(app)
            assert table(app, "candidates").row_count > 0
    finally:
        release.set()


async def test_a_failed_sync_is_an_error_notification_and_the_app_goes_on(tmp_path: Path):
    def runner(progress) -> str:  # noqa: ANN001
        raise HarvestError("2 new record(s); failed: kraken: timed out")

    app = demo_app(tmp_path, sync=runner)
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot)
        await pilot.press("s")
        await settled(pilot)
        assert ("2 new record(s); failed: kraken: timed out", "error") in notifications(app)
        await pilot.press("space")
        await settled(pilot)
        assert table(app, "checklist").row_count == 1


async def test_the_app_stays_responsive_while_the_runner_waits_on_the_network(tmp_path: Path):
    started, release = threading.Event(), threading.Event()

    def runner(progress) -> str:  # noqa: ANN001
        started.set()
        assert release.wait(timeout=60), "the test never released the runner"
        return "0 new record(s) from 1 account(s)"

    app = demo_app(tmp_path, sync=runner)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await settled(pilot)
            await pilot.press("s")
            for _ in range(1000):  # bounded: the worker thread starts the runner
                if started.is_set():
                    break
                await pilot.pause()
            assert started.is_set()
            await pilot.press("tab")  # a key handled while the runner waits
            assert table(app, "checklist").has_focus
            await pilot.press("shift+tab", "space")  # a worker that takes the engine's lock
            await settled_but_sync(pilot)
            assert table(app, "checklist").row_count == 1  # so the runner holds no lock
            assert not release.is_set()
            await pilot.press("s")
            assert any("already running" in message for message, _ in notifications(app))
            release.set()
            await settled(pilot)
            assert ("sync: 0 new record(s) from 1 account(s)", "information") in notifications(app)
    finally:
        release.set()
