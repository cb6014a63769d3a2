"""The `harvest` process itself fetches a large ledger's legs in two processes
(engine.store.forked_fetch, allowed by tui.cli.quick_exit.arm): its report is byte for byte the
in-process one, and a child that fails (an error, an exit code, garbage in its record) changes
neither the output nor the exit code; nothing is printed from the child."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import HEADER, ROOT, run_cli

TRADES = (
    HEADER
    + "\n"
    + "".join(
        f"2025-01-{day:02d}T15:00:00Z,kraken,BTC,buy,1,{40000 + day},10,B{day}\n"
        f"2026-02-{day:02d}T15:00:00Z,kraken,BTC,sell,0.5,{100000 - day},10,S{day}\n"
        for day in range(1, 21)
    )
)

# the report as `harvest` runs it, every ledger large enough to split; the parent says which
# parts it fetched itself ("<" its own; ">=" the rest, after the child failed); CHILD: how the
# child fails (in the child only)
PROBE = """
import atexit, os, sys
from engine.store import forked_fetch, forking, ledger_tables, legs_handover
forked_fetch.MIN_LEGS = 0
forking.single_threaded = lambda: True  # in case the interpreter keeps a thread of its own
forking.free_core = lambda: True  # and a busy or pinned runner
parent, seen, read, records = os.getpid(), [], ledger_tables._read_legs, legs_handover.records
CHILD = sys.argv[1]
def spy(conn, where, args, between=None):
    if os.getpid() == parent:
        seen.append(">=" if ">=" in where else "<" if where else "all")
    return read(conn, where, args, between)
def handed(*args):  # what the child hands over, in the child
    if CHILD == "raises":
        raise RuntimeError("the child fails")
    if CHILD == "exits":
        os._exit(3)
    data = b"".join(records(*args))
    return [data[:-9] + b"garbage!!" if CHILD == "garbage" else data]
ledger_tables._read_legs, legs_handover.records = spy, handed
atexit.register(lambda: print("parts", *seen, file=sys.stderr))
sys.argv = ["harvest", "report", "realized", "--format", "csv"]
from tui.cli.main import main
sys.exit(main())
"""


@pytest.mark.parametrize(
    ("child", "parts"), [("fine", "<"), ("raises", "< >="), ("exits", "< >="), ("garbage", "< >=")]
)
def test_the_harvest_process_splits_the_fetch_and_a_failed_child_changes_nothing(
    home: Path, capsys: pytest.CaptureFixture[str], child: str, parts: str
):
    (home / "trades.csv").write_text(TRADES)
    assert run_cli(capsys, "import", str(home / "trades.csv"))[0] == 0
    code, expected, _ = run_cli(capsys, "report", "realized", "--format", "csv")  # in-process: no fork
    done = subprocess.run([sys.executable, "-c", PROBE, child], cwd=ROOT, capture_output=True, text=True)
    assert (done.returncode, done.stdout) == (code, expected)
    assert done.stdout.count("\n") == 21  # the header and the 20 sales' slices
    assert done.stderr == f"parts {parts}\n"
