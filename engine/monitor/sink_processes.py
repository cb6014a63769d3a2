"""Running an alert sink's program safely: a minimal environment (the exchange keys in ours
must not reach a user's script or notify-send), its own process group (killed whole on a
timeout or a stop, so no child outlives the monitor), and a bounded capture of its output."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
import time
from typing import IO
from urllib.parse import urlsplit

OUTPUT_LIMIT = 4096  # bytes of a sink's stderr kept for the error message; the rest is discarded
# what a notifier or a shell script needs to run, and nothing that could hold a secret
PASSED_ENV = (
    "PATH",
    "HOME",
    "USER",
    "LOGNAME",
    "SHELL",
    "LANG",
    "LC_ALL",
    "LC_CTYPE",
    "TZ",
    "TMPDIR",
    "DISPLAY",
    "WAYLAND_DISPLAY",
    "DBUS_SESSION_BUS_ADDRESS",
    "XDG_RUNTIME_DIR",
)


class Interrupted(Exception):
    """The monitor is stopping: the sink's try was abandoned."""


def sink_environment() -> dict[str, str]:
    return {name: os.environ[name] for name in PASSED_ENV if name in os.environ}


def webhook_label(url: str) -> str:
    """What a log may say of a webhook: its scheme and host, never its path or query."""
    parts = urlsplit(url)
    host = parts.hostname or "?"
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}/…"


def run_bounded(
    command: str | list[str], stdin_text: str | None, seconds: float, stop: threading.Event | None
) -> None:
    """Run `command` (a shell line, or an argv list) with `stdin_text` on its stdin; raise on a
    non-zero exit (with the start of its stderr), a timeout, or `stop` (Interrupted)."""
    proc = subprocess.Popen(
        command,
        shell=isinstance(command, str),
        env=sink_environment(),
        start_new_session=True,
        stdin=subprocess.PIPE if stdin_text is not None else subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    captured = bytearray()
    reader = threading.Thread(target=_drain, args=(proc.stderr, captured), daemon=True)
    reader.start()
    try:
        if stdin_text is not None and proc.stdin is not None:
            threading.Thread(target=_feed, args=(proc.stdin, stdin_text.encode()), daemon=True).start()
        deadline = time.monotonic() + seconds
        while True:
            try:
                proc.wait(timeout=0.05)
                break
            except subprocess.TimeoutExpired:
                if stop is not None and stop.is_set():
                    raise Interrupted from None
                if time.monotonic() > deadline:
                    raise TimeoutError(f"still running after {seconds:g} s; stopped") from None
    except BaseException:
        _kill_group(proc)
        raise
    reader.join(1.0)
    if proc.returncode:
        detail = captured.decode("utf-8", "replace").strip().splitlines()
        raise OSError(f"exit status {proc.returncode}" + (f": {detail[0][:200]}" if detail else ""))


def _feed(pipe: IO[bytes], data: bytes) -> None:
    try:
        pipe.write(data)
        pipe.close()
    except OSError:  # the program exited without reading its input
        pass


def _drain(pipe: IO[bytes] | None, kept: bytearray) -> None:
    """Read the pipe to its end (so the program never blocks on a full pipe), keeping the first
    OUTPUT_LIMIT bytes: a program that prints without end costs no memory."""
    if pipe is None:
        return
    while chunk := pipe.read(65536):
        if len(kept) < OUTPUT_LIMIT:
            kept.extend(chunk[: OUTPUT_LIMIT - len(kept)])
    pipe.close()


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    """Kill the sink's whole process group (a shell line's children included) and reap it."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
