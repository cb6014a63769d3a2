"""`harvest demo` (issue 12 item 17): its throwaway directory goes however the demo ends — a
terminal hanging up included — and an export the user asked for is not thrown away with it."""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from tests.tui.pilot import notifications, settled
from tui.cli.demo_command import demo_app
from tui.cli.throwaway import throwaway_directory
from tui.screens.dialogs import ConfirmScreen


async def test_an_export_is_written_where_the_user_is_and_outlives_the_demo(tmp_path: Path, monkeypatch):
    here = tmp_path / "here"
    here.mkdir()
    monkeypatch.chdir(here)
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    with throwaway_directory("harvest-demo-") as directory:
        app = demo_app(directory, argparse.Namespace(as_of="2026-11-24", lots=0, config=None))
        try:
            async with app.run_test(size=(120, 40)) as pilot:
                await settled(pilot)
                await pilot.press("space")
                await settled(pilot)
                await pilot.press("e")
                assert isinstance(app.screen, ConfirmScreen)
                await pilot.press("y")
                await settled(pilot)
        finally:
            app.session.engine.store.close()
    assert not directory.exists()
    written = list(here.glob("harvest-checklist-*.csv"))
    assert len(written) == 1
    assert len(written[0].read_text().splitlines()) == 2  # the header and the step
    assert f"wrote 1 step(s) to {written[0]}" in [message for message, _ in notifications(app)]


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
def test_a_terminal_hanging_up_removes_the_throwaway_directory(tmp_path: Path):
    """Closing the terminal (tmux kill-session: the pty goes, its processes get SIGHUP) while the
    demo runs: its throwaway store is removed all the same."""
    tmux = ["tmux", "-L", f"harvest-hup-{uuid.uuid4().hex[:8]}", "-f", "/dev/null"]
    command = (
        f"env -u COLUMNS -u LINES TMPDIR={tmp_path} HARVEST_HOME={tmp_path / 'home'} "
        f"{sys.executable} -m tui --as-of 2026-11-24 demo"
    )
    subprocess.run([*tmux, "new-session", "-d", "-s", "demo", "-x", "120", "-y", "40", command], check=True)
    try:
        deadline = time.monotonic() + 60
        shown = ""
        while "Candidates" not in shown and time.monotonic() < deadline:  # bounded: the app starts
            time.sleep(0.2)
            shown = subprocess.run(
                [*tmux, "capture-pane", "-t", "demo", "-p"], capture_output=True, text=True
            ).stdout
        assert "Candidates" in shown, shown
        [directory] = tmp_path.glob("harvest-demo-*")
        assert (directory / "demo.sqlite3").exists()
        subprocess.run([*tmux, "kill-session", "-t", "demo"], check=True)
        deadline = time.monotonic() + 30
        while directory.exists() and time.monotonic() < deadline:  # bounded: the demo ends
            time.sleep(0.1)
        assert not directory.exists()
    finally:
        subprocess.run([*tmux, "kill-server"], capture_output=True)
