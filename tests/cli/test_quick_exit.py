"""`harvest import` and `harvest report` end without the interpreter's teardown
(tui/cli/quick_exit.py): the same output, exit code and files as a normal exit, atexit
handlers still run, and a process with another thread alive exits normally."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.support import HEADER, ROOT, run_cli

TRADES = f"{HEADER}\n2025-01-05T15:00:00Z,kraken,BTC,buy,1,40000,10,K1\n2026-02-01T15:00:00Z,kraken,BTC,sell,0.5,100000,10,K2\n"

# a module-level object whose __del__ runs in the teardown; an atexit handler; then the command
PROBE = """
import atexit, sys, threading
class Torn:
    def __del__(self):
        print("torn down", flush=True)
torn = Torn()
atexit.register(print, "atexit ran")
if sys.argv[1] == "thread":
    threading.Thread(target=threading.Event().wait, daemon=True).start()
sys.argv = ["harvest", *sys.argv[2:]]
from tui.cli.main import main
sys.exit(main())
"""


def harvest(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "tui", *argv], cwd=ROOT, capture_output=True, text=True)


def test_the_processes_say_and_leave_what_the_commands_do_in_process(home: Path, capsys):
    (home / "trades.csv").write_text(TRADES)
    imported = harvest("import", str(home / "trades.csv"))
    files = sorted(p.name for p in (home / "home").iterdir())
    assert files == ["harvest.sqlite3"]  # the store closed before the exit (no -wal, no -shm left)
    reported = harvest("report", "realized", "--format", "csv")
    assert sorted(p.name for p in (home / "home").iterdir()) == ["config.cache", "harvest.sqlite3"]
    again = run_cli(capsys, "import", str(home / "trades.csv"))  # in-process: nothing new this time
    assert (imported.returncode, reported.returncode, again[0]) == (0, 0, 0)
    assert "imported 2 new event(s)" in imported.stdout
    assert reported.stdout == run_cli(capsys, "report", "realized", "--format", "csv")[1]
    assert reported.stdout.count("\n") == 2  # the header and the one sale's slice

    (home / "bad.csv").write_text(f"{HEADER}\n2025-01-05T15:00:00Z,kraken,BTC,buy,-1,40000,10,K9\n")
    refused = harvest("import", str(home / "bad.csv"))
    code, out, err = run_cli(capsys, "import", str(home / "bad.csv"))
    assert (refused.returncode, refused.stdout, refused.stderr) == (code, out, err)
    assert code != 0
    assert "nothing imported" in err


def test_atexit_handlers_run_and_the_teardown_is_skipped(home: Path):
    (home / "trades.csv").write_text(TRADES)
    for argv in (["import", str(home / "trades.csv")], ["report", "realized", "--format", "csv"]):
        done = subprocess.run(
            [sys.executable, "-c", PROBE, "alone", *argv], cwd=ROOT, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr
        assert done.stdout.splitlines()[-1] == "atexit ran"
        assert "torn down" not in done.stdout


def test_another_thread_alive_means_a_normal_exit(home: Path):
    done = subprocess.run(
        [sys.executable, "-c", PROBE, "thread", "report", "realized", "--format", "csv"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-2:] == ["atexit ran", "torn down"]


def test_the_harvest_process_leaves_the_reports_data_to_its_exit(home: Path, capsys, monkeypatch):
    """Armed (the `harvest` process itself), `report realized` closes its store and leaves the
    engine's data to the exit, frozen out of the collector, instead of freeing a million rows'
    objects one by one; in-process (main with argv, a caller's process) it frees them as before,
    and says the same either way."""
    import sqlite3

    import pytest

    from engine.api import Engine
    from tui.cli import quick_exit

    (home / "trades.csv").write_text(TRADES)
    assert run_cli(capsys, "import", str(home / "trades.csv"))[0] == 0
    left: list[object] = []
    frozen: list[int] = []
    monkeypatch.setattr(quick_exit, "_left", left)
    monkeypatch.setattr(quick_exit.gc, "freeze", lambda: frozen.append(1))
    freed = run_cli(capsys, "report", "realized", "--format", "csv")
    assert (left, frozen) == ([], [])  # not armed: freed as the command returns
    monkeypatch.setattr(quick_exit, "_armed", True)
    kept = run_cli(capsys, "report", "realized", "--format", "csv")
    assert kept == freed
    assert frozen == [1]
    [engine] = left
    assert isinstance(engine, Engine)
    assert len(engine.lots().realized) == 1  # the match's results, kept
    with pytest.raises(sqlite3.ProgrammingError):  # the store closed before the exit
        engine.store.conn.execute("SELECT 1")


def test_the_harvest_process_leaves_the_imports_data_to_its_exit(home: Path, capsys, monkeypatch):
    """Armed, `import` closes its store and leaves the rows it read and its engine to the exit,
    frozen out of the collector (which would scan each of them once it is back on); in-process
    it frees them as before, and says the same either way."""
    import sqlite3

    import pytest

    from engine.api import Engine
    from tui.cli import quick_exit

    (home / "trades.csv").write_text(TRADES)
    left: list[object] = []
    frozen: list[int] = []
    monkeypatch.setattr(quick_exit, "_left", left)
    monkeypatch.setattr(quick_exit.gc, "freeze", lambda: frozen.append(1))
    freed = run_cli(capsys, "import", str(home / "trades.csv"))
    assert (left, frozen) == ([], [])  # not armed: freed as the command returns
    (home / "home" / "harvest.sqlite3").unlink()
    monkeypatch.setattr(quick_exit, "_armed", True)
    kept = run_cli(capsys, "import", str(home / "trades.csv"))
    assert kept == freed
    assert "imported 2 new event(s)" in kept[1]
    assert frozen == [1]
    [(engine, reports)] = left
    assert isinstance(engine, Engine)
    assert [len(report.events) for report in reports] == [2]  # the rows read, kept
    with pytest.raises(sqlite3.ProgrammingError):  # the store closed before the exit
        engine.store.conn.execute("SELECT 1")
    assert sorted(p.name for p in (home / "home").iterdir()) == ["config.cache", "harvest.sqlite3"]
