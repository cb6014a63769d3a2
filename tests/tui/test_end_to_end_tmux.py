"""The real `harvest demo` in a real terminal (tmux): keys in, screen out, clean exit."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
import uuid

import pytest

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
]
# a private tmux server: sessions the user (or another test) has open cannot resize this one
TMUX = ["tmux", "-L", f"harvest-e2e-{uuid.uuid4().hex[:8]}", "-f", "/dev/null"]


def screen(session: str) -> str:
    return subprocess.run([*TMUX, "capture-pane", "-t", session, "-p"], capture_output=True, text=True).stdout


def wait_for(session: str, text: str, seconds: float = 30) -> str:
    """Poll the screen until `text` shows (bounded: fails after `seconds`)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        shown = screen(session)
        if text in shown:
            return shown
        time.sleep(0.2)
    raise AssertionError(f"{text!r} never appeared; screen was:\n{screen(session)}")


def wait_gone(session: str, text: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if text not in screen(session):
            return
        time.sleep(0.2)
    raise AssertionError(f"{text!r} never went away; screen was:\n{screen(session)}")


def test_demo_in_tmux(tmp_path):
    session = f"harvest-e2e-{uuid.uuid4().hex[:8]}"
    # COLUMNS/LINES inherited from the test process would override the pane size Textual detects
    command = (
        f"env -u COLUMNS -u LINES HARVEST_HOME={tmp_path} {sys.executable} -m tui --as-of 2026-11-24 demo; "
        "echo EXITED:$?; sleep 30"
    )
    subprocess.run([*TMUX, "new-session", "-d", "-s", session, "-x", "120", "-y", "40", command], check=True)
    try:
        wait_for(session, "prices live")
        wait_for(session, "Holdings")
        wait_for(session, "Candidates")
        wait_for(session, "Checklist")
        subprocess.run([*TMUX, "send-keys", "-t", session, "Space"], check=True)
        wait_for(session, "Checklist — 1 step(s)")
        subprocess.run([*TMUX, "send-keys", "-t", session, "?"], check=True)
        wait_for(session, "not tax advice")
        subprocess.run([*TMUX, "send-keys", "-t", session, "Escape"], check=True)
        wait_gone(session, "harvest — keys")
        subprocess.run([*TMUX, "send-keys", "-t", session, "q"], check=True)
        wait_for(session, "EXITED:0")
        assert "Traceback" not in screen(session)
    finally:
        subprocess.run([*TMUX, "kill-server"], capture_output=True)
