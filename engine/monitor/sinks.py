"""Where alerts go: one sink at a time (the monitor's outbox records each delivery apart). A
failing sink is retried with backoff and logged; it never stops the monitor (a webhook being
down must not silence the log). Every try of a sink is bounded in time and in what it
captures, and ends at once when the monitor is asked to stop."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from engine.core.files import append_private
from engine.monitor.alerts import Alert
from engine.monitor.sink_processes import Interrupted, run_bounded, webhook_label

RETRIES = 3
TRY_SECONDS = 10.0  # one try of one sink; longer is a failure (a hung webhook or command)


def deliver_to(
    alert: Alert,
    sink: dict[str, str],
    *,
    out: TextIO | None = None,
    text_format: bool = True,
    sleep: Callable[[float], None] = time.sleep,
    stop: threading.Event | None = None,
) -> str | None:
    """One sink, with retries and backoff; None when delivered, else what went wrong."""
    for attempt in range(RETRIES):
        if stop is not None and stop.is_set():
            return f"alert sink {sink['type']}: not delivered (the monitor is stopping)"
        try:
            _send(alert, sink, out, text_format, stop)
            return None
        except Interrupted:
            continue  # the loop head says so
        except Exception as exc:  # any failure of a sink is contained here
            if attempt == RETRIES - 1:
                return (
                    f"alert sink {sink['type']} failed after {RETRIES} tries{_where(sink)}: "
                    f"{type(exc).__name__}: {exc}"
                )
            sleep(0.5 * 2**attempt)
    return f"alert sink {sink['type']}: not delivered"


def _where(sink: dict[str, str]) -> str:
    # a webhook's path and query often hold its token (Slack, ntfy topics): never log them
    return f" ({webhook_label(sink['url'])})" if sink["type"] == "webhook" else ""


def _send(
    alert: Alert, sink: dict[str, str], out: TextIO | None, text_format: bool, stop: threading.Event | None
) -> None:
    kind = sink["type"]
    if kind in ("stdout", "bell"):
        import sys

        stream = out or sys.stdout
        if kind == "stdout":
            stream.write((f"[harvest] {alert.message}" if text_format else alert.as_json()) + "\n")
        else:
            stream.write("\a")
        stream.flush()
    elif kind == "log":
        append_private(Path(sink["path"]).expanduser(), alert.as_json() + "\n")
    elif kind == "desktop":
        import shutil

        notifier = shutil.which("notify-send")
        if notifier:
            run_bounded([notifier, "harvest", alert.message], None, TRY_SECONDS, stop)
    elif kind == "webhook":
        _in_thread(lambda: _post(sink["url"], sink.get("format", "generic"), alert), TRY_SECONDS, stop)
    elif kind == "command":
        run_bounded(sink["run"], alert.as_json(), TRY_SECONDS, stop)


def _in_thread(work: Callable[[], None], seconds: float, stop: threading.Event | None) -> None:
    """Run `work` in a daemon thread and wait for it at most `seconds`, or until `stop`; an
    abandoned try finishes (or times out) on its own without holding the monitor."""
    failure: list[BaseException] = []
    done = threading.Event()

    def run() -> None:
        try:
            work()
        except BaseException as exc:  # handed to the waiting thread
            failure.append(exc)
        finally:
            done.set()

    threading.Thread(target=run, name="harvest-sink", daemon=True).start()
    deadline = time.monotonic() + seconds
    while not done.wait(0.05):
        if stop is not None and stop.is_set():
            raise Interrupted
        if time.monotonic() > deadline:
            raise TimeoutError(f"no answer within {seconds:g} s")
    if failure:
        raise failure[0]


def _post(url: str, style: str, alert: Alert) -> None:
    import urllib.request

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
    with urllib.request.urlopen(request, timeout=TRY_SECONDS) as response:  # noqa: S310 - the user's own URL
        if response.status >= 300:
            raise OSError(f"HTTP {response.status}")
