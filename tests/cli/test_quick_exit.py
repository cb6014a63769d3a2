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


# `harvest` itself with every ledger's legs cached (MIN_LEGS 0: a real store of 100,000 legs
# takes a minute to make); "failing": a legs cache whose write raises; "thread": another thread
# alive at the exit
CACHING = """
import sys
from engine.store import legs_cache
legs_cache.MIN_LEGS = 0
if sys.argv[1] == "failing":
    def save(*args):
        raise RuntimeError("the write fails")
    legs_cache.save = save
if sys.argv[1] == "thread":  # another thread alive: the normal exit
    import threading
    threading.Thread(target=threading.Event().wait, daemon=True).start()
sys.argv = ["harvest", *sys.argv[2:]]
from tui.cli.main import main
sys.exit(main())
"""

# runs CACHING as a child and then waits for what that child left running: made the reaper of
# its orphans (Linux's PR_SET_CHILD_SUBREAPER), it waits for them without a timer
REAPER = """
import ctypes, json, os, subprocess, sys
if ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0) != 0:
    raise OSError(ctypes.get_errno(), "PR_SET_CHILD_SUBREAPER")
done = subprocess.run([sys.executable, "-c", sys.argv[1], *sys.argv[2:]], capture_output=True, text=True)
orphans = []
while True:
    try:
        _, status = os.waitpid(-1, 0)
    except ChildProcessError:
        break
    orphans.append(os.waitstatus_to_exitcode(status))
print(json.dumps([done.returncode, done.stdout, done.stderr, orphans]))
"""


def report_reaped(how: str) -> tuple[int, str, str, list[int]]:
    """(exit code, stdout, stderr) of `harvest report realized --format csv` run as CACHING, and
    the exit codes of the processes it left behind, each waited for to its end."""
    import json

    done = subprocess.run(
        [sys.executable, "-c", REAPER, CACHING, how, "report", "realized", "--format", "csv"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    code, out, err, orphans = json.loads(done.stdout)
    return code, out, err, orphans


def store_key(path: Path) -> str:
    import sqlite3

    from engine.store import legs_cache

    conn = sqlite3.connect(path)
    try:
        key = legs_cache.cache_key(conn)
    finally:
        conn.close()
    assert key is not None
    return key


linux_only = __import__("pytest").mark.skipif(sys.platform != "linux", reason="PR_SET_CHILD_SUBREAPER")


@linux_only
def test_the_harvest_process_leaves_the_legs_cache_to_a_child_that_the_next_report_reads(home: Path, capsys):
    """The `harvest` process (armed) forks the legs cache's write at its exit and ends without
    it: one child left behind, which writes a valid file under the store's key; the next report
    reads it (nothing fetched from the store, so nothing left to write: no child) and says the same."""
    from engine.store import legs_cache

    (home / "trades.csv").write_text(TRADES)
    assert run_cli(capsys, "import", str(home / "trades.csv"))[0] == 0
    expected = run_cli(capsys, "report", "realized", "--format", "csv")  # in-process, MIN_LEGS as is
    store = home / "home" / "harvest.sqlite3"
    file = legs_cache.cache_path(store)
    assert not file.exists()
    first = report_reaped("writing")
    assert first == (*expected, [0])
    assert file.read_bytes().startswith(legs_cache.header(store_key(store)))
    assert file.stat().st_mode & 0o777 == 0o600
    assert [p.name for p in file.parent.iterdir() if p.name.endswith(".tmp")] == []
    written = file.stat().st_mtime_ns
    assert report_reaped("writing") == (*expected, [])  # read from the file: nothing deferred
    assert file.stat().st_mtime_ns == written


@linux_only
def test_a_failing_write_in_the_child_changes_nothing_the_process_says(home: Path, capsys):
    from engine.store import legs_cache

    (home / "trades.csv").write_text(TRADES)
    assert run_cli(capsys, "import", str(home / "trades.csv"))[0] == 0
    expected = run_cli(capsys, "report", "realized", "--format", "csv")
    assert report_reaped("failing") == (*expected, [1])  # the child failed, the report did not
    store = home / "home" / "harvest.sqlite3"
    assert not legs_cache.cache_path(store).exists()


def test_in_process_the_legs_cache_is_written_as_the_ledger_loads(home: Path, capsys, monkeypatch):
    """main with argv (a caller's process, the tests) never defers the write: the file is there
    when the command returns, nothing is left pending."""
    from engine.store import legs_cache

    monkeypatch.setattr(legs_cache, "MIN_LEGS", 0)
    (home / "trades.csv").write_text(TRADES)
    assert run_cli(capsys, "import", str(home / "trades.csv"))[0] == 0
    store = home / "home" / "harvest.sqlite3"
    assert run_cli(capsys, "report", "realized", "--format", "csv")[0] == 0
    assert not legs_cache.pending()
    assert legs_cache.cache_path(store).read_bytes().startswith(legs_cache.header(store_key(store)))


@linux_only
def test_a_normal_exit_writes_the_legs_cache_itself(home: Path, capsys):
    """Armed, but another thread alive (the normal exit, not exit_now's): the deferred write is
    done by the process itself before it ends (its atexit handler), no child left behind."""
    from engine.store import legs_cache

    (home / "trades.csv").write_text(TRADES)
    assert run_cli(capsys, "import", str(home / "trades.csv"))[0] == 0
    expected = run_cli(capsys, "report", "realized", "--format", "csv")
    assert report_reaped("thread") == (*expected, [])
    store = home / "home" / "harvest.sqlite3"
    assert legs_cache.cache_path(store).read_bytes().startswith(legs_cache.header(store_key(store)))
