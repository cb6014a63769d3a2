"""Alert sinks under hostile programs and endpoints: a command that never exits, one that prints
without end, a webhook that never answers; what a sink's program may see of our environment; a
stop request ends every wait at once."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from engine.monitor.alerts import Alert
from engine.monitor.sink_processes import OUTPUT_LIMIT, webhook_label
from engine.monitor.sinks import deliver_to
from tests.support import ROOT

ALERT_FIELDS = ("total", "total_savings", "harvesting now saves $1500.00 net", "1500", 1_790_000_000_000_000)
ALERT = Alert(*ALERT_FIELDS)


def deliver(alert: Alert, sinks: list[dict[str, str]], **options: object) -> list[str]:
    """Every sink in turn, as the monitor's outbox walks them; the problems met."""
    problems = []
    for sink in sinks:
        problem = deliver_to(alert, sink, **options)  # type: ignore[arg-type]
        if problem is not None:
            problems.append(problem)
    return problems


def stop_after(seconds: float) -> threading.Event:
    stop = threading.Event()
    threading.Timer(seconds, stop.set).start()
    return stop


def process_gone(pid: int) -> bool:
    """Gone or a zombie awaiting its reaper (PID 1 here may not reap): not running either way."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return True
    return state == "Z"


def test_a_command_that_never_exits_is_killed_with_its_children_when_the_monitor_stops(tmp_path):
    pids = tmp_path / "pids"
    # the shell starts a child and waits for it: both must die
    command = f"sleep 1000 & echo $! > {pids}; wait"
    started = time.monotonic()
    problems = deliver(
        ALERT, [{"type": "command", "run": command}], stop=stop_after(0.5), sleep=lambda s: None
    )
    assert time.monotonic() - started < 2
    assert problems == ["alert sink command: not delivered (the monitor is stopping)"]
    child = int(pids.read_text())
    deadline = time.monotonic() + 2
    while not process_gone(child) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert process_gone(child)


def test_a_command_past_its_time_is_a_failed_try(tmp_path, monkeypatch):
    monkeypatch.setattr("engine.monitor.sinks.TRY_SECONDS", 0.3)
    started = time.monotonic()
    problems = deliver(ALERT, [{"type": "command", "run": "sleep 1000"}], sleep=lambda s: None)
    assert time.monotonic() - started < 3  # 3 tries of 0.3 s, no waits between them here
    assert len(problems) == 1
    assert "failed after 3 tries" in problems[0]
    assert "still running after 0.3 s" in problems[0]


def test_output_without_end_is_discarded_not_kept():
    """A sink printing 128 MB (to stderr and stdout) and failing: the monitor's memory stays
    small and the message keeps only the start. Measured in a fresh interpreter by its own peak
    (VmHWM; ru_maxrss would carry the forking pytest's peak across exec)."""
    script = f"""
import sys
from engine.monitor.alerts import Alert
from engine.monitor import sinks
from engine.monitor.sinks import deliver_to
sinks.TRY_SECONDS = 300  # a busy machine may pipe slowly: this test is about memory, not time
command = "head -c 67108864 /dev/zero | tr '\\\\0' x >&2; head -c 67108864 /dev/zero; exit 3"
problems = [deliver_to(Alert(*{ALERT_FIELDS!r}), {{"type": "command", "run": command}}, sleep=lambda s: None)]
print(next(int(l.split()[1]) // 1024 for l in open("/proc/self/status") if l.startswith("VmHWM")))
print(problems[0])
"""
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=ROOT
    )
    peak_mb, problem = done.stdout.splitlines()
    assert int(peak_mb) < 120, f"peak {peak_mb} MB"
    assert "exit status 3: xxxx" in problem
    assert len(problem) < OUTPUT_LIMIT


def test_a_command_gets_the_alert_on_stdin_and_no_secrets_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("KRAKEN_SECRET", "s3cr3t-value")
    monkeypatch.setenv("BINANCE_API_KEY", "k3y-value")
    seen_env, seen_stdin = tmp_path / "env", tmp_path / "stdin"
    sink = {"type": "command", "run": f"env > {seen_env}; cat > {seen_stdin}"}
    assert deliver(ALERT, [sink], sleep=lambda s: None) == []
    environment = seen_env.read_text()
    assert "s3cr3t-value" not in environment
    assert "k3y-value" not in environment
    assert "PATH=" in environment
    assert json.loads(seen_stdin.read_text()) == json.loads(ALERT.as_json())


@pytest.fixture
def silent_server():
    """A server that accepts connections and never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    accepted: list[socket.socket] = []
    running = threading.Event()
    running.set()

    def accept() -> None:
        listener.settimeout(0.1)
        while running.is_set():
            try:
                accepted.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    running.clear()
    thread.join(2)
    for connection in accepted:
        connection.close()
    listener.close()


def test_a_webhook_that_never_answers_does_not_hold_a_stopping_monitor(silent_server):
    sink = {"type": "webhook", "url": f"http://127.0.0.1:{silent_server}/hook"}
    started = time.monotonic()
    problems = deliver(ALERT, [sink], stop=stop_after(0.5), sleep=lambda s: None)
    assert time.monotonic() - started < 2
    assert problems == ["alert sink webhook: not delivered (the monitor is stopping)"]


def test_a_webhook_past_its_time_fails_and_its_token_is_never_logged(silent_server, monkeypatch):
    monkeypatch.setattr("engine.monitor.sinks.TRY_SECONDS", 0.3)
    token_url = f"http://127.0.0.1:{silent_server}/services/T000/B000/XXXXsecretXXXX?auth=tok"
    problems = deliver(ALERT, [{"type": "webhook", "url": token_url}], sleep=lambda s: None)
    (problem,) = problems
    assert f"(http://127.0.0.1:{silent_server}/…)" in problem
    assert "secret" not in problem
    assert "tok" not in problem
    assert "services" not in problem


def test_webhook_label_keeps_only_scheme_host_and_port():
    assert webhook_label("https://hooks.slack.com/services/T/B/secret") == "https://hooks.slack.com/…"
    assert webhook_label("http://user:pw@10.0.0.1:8080/x?y=z") == "http://10.0.0.1:8080/…"


def test_sigterm_ends_harvest_watch_within_two_seconds_while_a_sink_hangs(tmp_path):
    """The whole monitor, as a process: an alert goes to a command that never exits."""
    import os
    import signal

    started = tmp_path / "sink-started"
    (tmp_path / "config.yaml").write_text(
        "tax: {timezone: America/New_York, ordinary_taxable_income: 150000}\n"
        "alerts:\n  min_net_savings: 1\n  deadline_days: []\n"
        f"  sinks: [{{type: command, run: 'touch {started}; exec sleep 1000'}}]\n"
    )
    (tmp_path / "ledger.csv").write_text(
        "timestamp,account,asset,side,quantity,price,fee,trade_id\n"
        "2026-01-05T15:00:00Z,kraken,BTC,buy,1,40000,0,K1\n"
        "2026-02-01T15:00:00Z,kraken,ETH,buy,10,4000,0,K2\n"
        "2026-03-01T15:00:00Z,kraken,BTC,sell,1,60000,0,K3\n"
    )
    (tmp_path / "prices.csv").write_text("asset,price\nETH,2000\n")
    env = {
        **os.environ,
        "HARVEST_HOME": str(tmp_path / "home"),
        "HARVEST_CONFIG": str(tmp_path / "config.yaml"),
    }
    harvest = [sys.executable, "-m", "tui"]
    subprocess.run(
        [*harvest, "import", str(tmp_path / "ledger.csv")], env=env, check=True, capture_output=True
    )
    proc = subprocess.Popen([*harvest, "--as-of", "2026-11-24", "watch", "--prices", str(tmp_path / "prices.csv")],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while not started.exists():
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "the alert never reached the sink"
            time.sleep(0.05)
        sent = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=10)
        assert time.monotonic() - sent < 2
        assert proc.returncode == 0
    finally:
        if proc.poll() is None:
            proc.kill()


def test_a_sync_that_hangs_does_not_hold_a_stopping_monitor(tmp_path):
    from tests.engine.monitor.test_monitor import monitor

    watcher, _clock, _prices = monitor(tmp_path, [])
    release = threading.Event()
    watcher.sync = lambda: [] if release.wait(60) else ["never"]
    watcher.stop = stop_after(0.3)
    started = time.monotonic()
    assert watcher.cycle() == []
    assert time.monotonic() - started < 2
    release.set()


def test_log_sink_files_and_their_new_directories_are_owner_only(tmp_path):
    existing = tmp_path / "existing.log"
    existing.write_text("")
    existing.chmod(0o644)
    fresh = tmp_path / "new" / "dir" / "alerts.log"
    sinks = [{"type": "log", "path": str(existing)}, {"type": "log", "path": str(fresh)}]
    assert deliver(ALERT, sinks, sleep=lambda s: None) == []
    assert existing.stat().st_mode & 0o777 == 0o600
    assert fresh.stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "new").stat().st_mode & 0o777 == 0o700
    assert (tmp_path / "new" / "dir").stat().st_mode & 0o777 == 0o700


def test_the_monitor_lock_file_is_owner_only(tmp_path):
    from engine.monitor.monitor import MonitorLock

    with MonitorLock(tmp_path / "home" / "watch.lock"):
        assert (tmp_path / "home" / "watch.lock").stat().st_mode & 0o777 == 0o600
        assert (tmp_path / "home" / "watch.lock").read_text() == str(os.getpid())
