"""The `harvest` process itself formats a large realized CSV's lines in two processes
(engine.reports.forked_lines, allowed by tui.cli.quick_exit.arm): its report, written to a pipe
and ended by the quick exit, is byte for byte the in-process one, and a child that fails (an
error, an exit code) changes neither the output nor the exit code; nothing is printed from the
child."""

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
        f"2026-03-{day:02d}T15:00:00Z,kraken,BTC,sell,0.25,{90000 + day},0.5,T{day}\n"
        for day in range(1, 21)
    )
)

# the report as `harvest` runs it, every report large enough to split; the parent says how the
# lines went (forked_lines.last); CHILD: how the child fails (in the child only)
PROBE = """
import atexit, os, sys
from engine.reports import forked_lines
from engine.store import forking
forked_lines.FORK_FROM_ROWS = 0
forking.single_threaded = lambda: True  # in case the interpreter keeps a thread of its own
forking.free_core = lambda: True  # and a busy or pinned runner
parent, lines, CHILD = os.getpid(), forked_lines.lines_of_columns, sys.argv[1]
def spy(*columns):
    if os.getpid() != parent:
        if CHILD == "raises":
            raise RuntimeError("the child fails")
        if CHILD == "exits":
            os._exit(3)
    return lines(*columns)
forked_lines.lines_of_columns = spy
atexit.register(lambda: print("lines:", forked_lines.last, file=sys.stderr))
sys.argv = ["harvest", "report", "realized", "--format", "csv"]
from tui.cli.main import main
sys.exit(main())
"""


@pytest.mark.parametrize(
    ("child", "went"),
    [("fine", "split"), ("raises", "parent wrote the rest"), ("exits", "parent wrote the rest")],
)
def test_the_harvest_process_splits_the_lines_and_a_failed_child_changes_nothing(
    home: Path, capsys: pytest.CaptureFixture[str], child: str, went: str
):
    (home / "trades.csv").write_text(TRADES)
    assert run_cli(capsys, "import", str(home / "trades.csv"))[0] == 0
    code, expected, _ = run_cli(capsys, "report", "realized", "--format", "csv")  # in-process: no fork
    done = subprocess.run([sys.executable, "-c", PROBE, child], cwd=ROOT, capture_output=True, text=True)
    assert (done.returncode, done.stdout) == (code, expected)
    assert done.stdout.count("\n") == 41  # the header and the 40 sales' slices
    assert done.stderr == f"lines: {went}\n"
