"""Work done ahead of an import's read (tui.cli.import_ahead): the `harvest` process importing
into a home whose config cache does not hold its config, or that has no store yet, forks a child
that parses the config and makes the store while the file is read — the same output, exit code
and store as an in-process import, which never forks; a child that fails (an error, an exit code)
changes nothing; nothing left to do, no child; a wrong config is said by the import in the same
words and leaves no store, and so does a refused file."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from engine.imports import columnar
from tests.engine.imports.test_import_oracle import dump
from tests.support import HEADER, ROOT, run_cli

TRADES = (
    HEADER
    + "\n"
    + "".join(f"2025-01-{d:02d}T15:00:00Z,kraken,BTC,buy,1,{40000 + d},10,B{d}\n" for d in range(1, 21))
)

# `harvest import FILE` as the `harvest` process runs it, a CPU taken as idle; the parent says
# how many children it forked, whether the store was there when it opened it and whether the
# cache is there at the end; CHILD: how the child fails; PATH: "columnar" for the columnar stream
PROBE = """
import atexit, os, sys
from engine.imports import columnar
from engine.store import connection, forking
if sys.argv[3] == "columnar":
    columnar.COLUMNAR_MIN_LINES = 0
from tui.cli import import_ahead
forking.single_threaded = lambda: True  # in case the interpreter keeps a thread of its own
forking.free_core = lambda: True  # and a busy or pinned runner
parent, CHILD, forks, opened = os.getpid(), sys.argv[2], [], []
fork, work, connect = forking.forked, import_ahead._work, connection.connect
forking.forked = lambda *a: forks.append(1) or fork(*a)
def spy(*args):
    if CHILD == "raises":
        raise RuntimeError("the child fails")
    if CHILD == "exits":
        os._exit(3)
    work(*args)
import_ahead._work = spy
def opening(path, readonly):
    if os.getpid() == parent:
        opened.append(path.exists())
    return connect(path, readonly)
connection.connect = opening
home = os.environ["HARVEST_HOME"]
atexit.register(lambda: print("forked:", len(forks), "store there:", opened,
                              "cache:", os.path.exists(os.path.join(home, "config.cache")),
                              "store:", os.path.exists(os.path.join(home, "harvest.sqlite3")), file=sys.stderr))
sys.argv = ["harvest", "import", sys.argv[1]]
from tui.cli.main import main
sys.exit(main())
"""


def probe(trades: Path, child: str = "fine", path: str = "rows") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", PROBE, str(trades), child, path], cwd=ROOT, capture_output=True, text=True
    )


def store_rows(home: Path) -> dict[str, list[tuple[object, ...]]]:
    with sqlite3.connect(home / "harvest.sqlite3") as conn:
        rows = dump(conn)
    conn.close()
    return rows


def homes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, config_text: str) -> Path:
    """The config (HARVEST_CONFIG), the in-process run's home set; the probe's home returned."""
    config = tmp_path / "config.yaml"
    config.write_text(config_text)
    monkeypatch.setenv("HARVEST_CONFIG", str(config))
    monkeypatch.setenv("HARVEST_HOME", str(tmp_path / "in-process"))
    ahead = tmp_path / "ahead"
    ahead.mkdir()  # (a home that exists: the cache is written only into one)
    return ahead


@pytest.mark.parametrize("path", ["rows", "columnar"])
@pytest.mark.parametrize("child", ["fine", "raises", "exits"])
def test_the_harvest_process_works_ahead_and_a_failed_child_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], child: str, path: str
):
    ahead = homes(tmp_path, monkeypatch, "tax:\n  timezone: America/New_York\n")
    trades = tmp_path / "trades.csv"
    trades.write_text(TRADES)
    if path == "columnar":
        monkeypatch.setattr(columnar, "COLUMNAR_MIN_LINES", 0)
    code, out, err = run_cli(capsys, "import", str(trades))  # in-process: never forks
    monkeypatch.setenv("HARVEST_HOME", str(ahead))
    done = probe(trades, child, path)
    assert (done.returncode, done.stdout) == (code, out)
    made = child == "fine"  # the store there when the import opened it: the child's
    assert done.stderr == f"{err}forked: 1 store there: [{made}] cache: True store: True\n"
    assert store_rows(ahead) == store_rows(tmp_path / "in-process")
    # the cache holds the config, the store is there: nothing to do ahead
    (tmp_path / "more.csv").write_text(TRADES.replace(",B", ",C"))
    again = probe(tmp_path / "more.csv", child)
    assert again.returncode == 0
    assert again.stderr == "forked: 0 store there: [True] cache: True store: True\n"
    # an edited config, the store there: the config alone
    (tmp_path / "config.yaml").write_text("tax:\n  timezone: America/Chicago\n")
    (tmp_path / "last.csv").write_text(TRADES.replace(",B", ",D"))
    last = probe(tmp_path / "last.csv", child)
    assert last.returncode == 0
    assert last.stderr == "forked: 1 store there: [True] cache: True store: True\n"


def test_a_wrong_config_is_said_by_the_import_as_ever_and_no_store_is_made(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    ahead = homes(tmp_path, monkeypatch, "tax:\n  timezone: [America/New_York\n")
    trades = tmp_path / "trades.csv"
    trades.write_text(TRADES)
    code, out, err = run_cli(capsys, "import", str(trades))
    assert code != 0
    assert "config.yaml" in err
    monkeypatch.setenv("HARVEST_HOME", str(ahead))
    done = probe(trades)
    assert (done.returncode, done.stdout) == (code, out)
    assert done.stderr == f"{err}forked: 1 store there: [] cache: False store: False\n"


def test_a_missing_config_is_said_by_the_import_as_ever_and_no_store_is_made(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    ahead = homes(tmp_path, monkeypatch, "")
    monkeypatch.setenv("HARVEST_CONFIG", str(tmp_path / "missing.yaml"))
    trades = tmp_path / "trades.csv"
    trades.write_text(TRADES)
    code, out, err = run_cli(capsys, "import", str(trades))
    assert code != 0
    assert "missing.yaml" in err
    monkeypatch.setenv("HARVEST_HOME", str(ahead))
    done = probe(trades)  # (a store to make: the child forked for it)
    assert (done.returncode, done.stdout) == (code, out)
    assert done.stderr == f"{err}forked: 1 store there: [] cache: False store: False\n"
    assert list(ahead.iterdir()) == []


@pytest.mark.parametrize("child", ["fine", "exits"])
def test_a_refused_file_leaves_no_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], child: str
):
    ahead = homes(tmp_path, monkeypatch, "tax:\n  timezone: America/New_York\n")
    trades = tmp_path / "trades.csv"
    trades.write_text(TRADES + "2025-02-01T15:00:00Z,kraken,BTC,buy,-1,40000,10,X1\n")
    code, out, err = run_cli(capsys, "import", str(trades))
    assert code != 0
    assert not (tmp_path / "in-process" / "harvest.sqlite3").exists()
    monkeypatch.setenv("HARVEST_HOME", str(ahead))
    done = probe(trades, child)
    assert (done.returncode, done.stdout) == (code, out)
    cached = child == "fine"  # (the import itself never loads the config of a refused file)
    assert done.stderr == f"{err}forked: 1 store there: [] cache: {cached} store: False\n"
    assert sorted(p.name for p in ahead.iterdir()) == ["config.cache"] * cached
