"""Where alerts go. A failing sink is retried with backoff and logged; it never stops the
monitor (a webhook being down must not silence the log)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from engine.core.files import append_private
from engine.monitor.alerts import Alert

RETRIES = 3


def deliver(
    alert: Alert,
    sinks: list[dict[str, str]],
    *,
    out: TextIO | None = None,
    text_format: bool = True,
    sleep: Callable[[float], None] = time.sleep,
    problems: Callable[[str], None] | None = None,
) -> list[str]:
    """Send to every sink; returns the problems met (also passed to `problems`)."""
    met: list[str] = []
    for sink in sinks:
        for attempt in range(RETRIES):
            try:
                _send(alert, sink, out or sys.stdout, text_format)
                break
            except Exception as exc:  # any failure of a sink is contained here
                if attempt == RETRIES - 1:
                    note = (
                        f"alert sink {sink['type']} failed after {RETRIES} tries: {type(exc).__name__}: {exc}"
                    )
                    met.append(note)
                    if problems:
                        problems(note)
                else:
                    sleep(0.5 * 2**attempt)
    return met


def _send(alert: Alert, sink: dict[str, str], out: TextIO, text_format: bool) -> None:
    kind = sink["type"]
    if kind == "stdout":
        out.write((f"[harvest] {alert.message}" if text_format else alert.as_json()) + "\n")
        out.flush()
    elif kind == "bell":
        out.write("\a")
        out.flush()
    elif kind == "log":
        append_private(Path(sink["path"]).expanduser(), alert.as_json() + "\n")
    elif kind == "desktop":
        notifier = shutil.which("notify-send")
        if notifier:
            subprocess.run([notifier, "harvest", alert.message], check=True, timeout=10, capture_output=True)
    elif kind == "webhook":
        _post(sink["url"], sink.get("format", "generic"), alert)
    elif kind == "command":
        subprocess.run(sink["run"], shell=True, input=alert.as_json(), text=True, check=True, timeout=30,
                       capture_output=True)  # fmt: skip


def _post(url: str, style: str, alert: Alert) -> None:
    if style == "ntfy":
        body, headers = alert.message.encode(), {"Title": "harvest", "Tags": alert.kind}
    elif style == "slack":
        body, headers = (
            json.dumps({"text": f"harvest: {alert.message}"}).encode(),
            {"Content-Type": "application/json"},
        )
    else:
        body, headers = alert.as_json().encode(), {"Content-Type": "application/json"}
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 - the user's own URL
        if response.status >= 300:
            raise OSError(f"HTTP {response.status}")
