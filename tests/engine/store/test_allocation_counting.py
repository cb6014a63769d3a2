"""SQLite's count of its own memory turned off for a large import (engine.store.allocation_counting):
only with no connection in the process (else declined, SQLite as it was), and `harvest import`
stores the same rows with it off. Each case runs in a fresh interpreter: the setting is the
process's, and a test process holds connections of its own."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.engine.imports.test_import_oracle import dump
from tests.support import HEADER, ROOT, run_cli

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="done on Linux only")

# how much memory SQLite counts as in use before and after some work on a new connection, with
# a connection `held` open (or not) while the counting is asked to stop
PROBE = """
import ctypes, gc, json, sqlite3, sys, _sqlite3
from engine.store.allocation_counting import stop_allocation_counting
used = ctypes.CDLL(_sqlite3.__file__).sqlite3_memory_used
used.restype = ctypes.c_int64
def work():
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE t (x TEXT)")
    conn.executemany("INSERT INTO t VALUES (?)", [(str(n) * 20,) for n in range(2000)])
    return conn
first = work()  # counted
counted = used()
if sys.argv[1] == "closed":
    first.close()
    del first
    gc.collect()
stopped = stop_allocation_counting()
before = used()
second = work()
assert second.execute("SELECT count(*) FROM t").fetchone() == (2000,)
print(json.dumps({"counted": counted, "stopped": stopped, "grew": used() - before}))
"""


def probe(held: str) -> dict[str, int]:
    done = subprocess.run([sys.executable, "-c", PROBE, held], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    found: dict[str, int] = json.loads(done.stdout)
    return found


def test_with_no_connection_left_sqlite_stops_counting_its_memory():
    found = probe("closed")
    assert found["counted"] > 0
    assert found["stopped"] is True
    assert found["grew"] == 0  # a new connection's work, not counted


def test_with_a_connection_open_it_is_declined_and_sqlite_counts_as_before():
    found = probe("open")
    assert found["stopped"] is False
    assert found["grew"] > 0


# `harvest import` as the `harvest` process runs it (quick_exit armed), the file taking the
# columnar path and the stream at any size (argv[2] "columnar") or the rows path (a small file's,
# "rows"): what stop_allocation_counting answered
IMPORT = """
import atexit, sys
from engine.imports import columnar
from engine.store import allocation_counting
if sys.argv[2] == "columnar":
    columnar.COLUMNAR_MIN_LINES = 0
stop = allocation_counting.stop_allocation_counting
answers = []
allocation_counting.stop_allocation_counting = lambda: answers.append(stop()) or answers[-1]
sys.argv = ["harvest", "import", sys.argv[1]]
atexit.register(lambda: print("counting stopped:", answers, file=sys.stderr))  # (the process ends by exit_now)
from tui.cli.main import main
sys.exit(main())
"""


@pytest.mark.parametrize("path", ["columnar", "rows"])
def test_the_harvest_process_imports_with_the_counting_off_and_stores_the_same(
    path: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    config = tmp_path / "config.yaml"
    config.write_text("tax:\n  timezone: America/New_York\n")
    monkeypatch.setenv("HARVEST_CONFIG", str(config))
    trades = tmp_path / "trades.csv"
    trades.write_text(
        HEADER
        + "\n"
        + "".join(
            f"2024-01-{1 + n % 28:02d}T{n % 24:02d}:00:00Z,acct{n % 3},{('BTC', 'ETH')[n % 2]},"
            f"{'buy' if n % 4 else 'sell'},0.{n + 1:04d},{100 + n}.5,{n % 3},T{n}\n"
            for n in range(500)
        )
    )
    monkeypatch.setenv("HARVEST_HOME", str(tmp_path / "armed"))
    done = subprocess.run(
        [sys.executable, "-c", IMPORT, str(trades), path], cwd=ROOT, capture_output=True, text=True
    )
    monkeypatch.setenv("HARVEST_HOME", str(tmp_path / "in-process"))
    code, out, _ = run_cli(capsys, "import", str(trades))  # the columnar threshold as it is: the rows path
    assert done.stderr == "counting stopped: [True]\n"
    assert (done.returncode, done.stdout) == (code, out)
    stores = []
    for where in ("armed", "in-process"):
        with sqlite3.connect(tmp_path / where / "harvest.sqlite3") as conn:
            stores.append(dump(conn))
        conn.close()
    assert stores[0] == stores[1]
    assert len(stores[0]["events"]) == 500
