"""The config parsed ahead (tui.cli.config_ahead): the `harvest` process importing into a home whose
config cache does not hold its config forks a child that parses it while the file is read, then
loads it from the cache — the same output, exit code and store as an in-process import, which
never forks; a child that fails (an error, an exit code) changes nothing; a config the cache
holds forks no child; a config that is wrong is said by the parent in the same words."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.engine.imports.test_import_oracle import dump
from tests.support import HEADER, ROOT, run_cli

TRADES = (
    HEADER
    + "\n"
    + "".join(f"2025-01-{d:02d}T15:00:00Z,kraken,BTC,buy,1,{40000 + d},10,B{d}\n" for d in range(1, 21))
)

# `harvest import FILE` as the `harvest` process runs it, a CPU taken as idle; the parent says
# how many children it forked and whether the cache was there after; CHILD: how the child fails
PROBE = """
import atexit, os, sys
from engine.store import forking
from tui.cli import config_ahead
forking.single_threaded = lambda: True  # in case the interpreter keeps a thread of its own
forking.free_core = lambda: True  # and a busy or pinned runner
parent, CHILD, forks, fork = os.getpid(), sys.argv[2], [], forking.forked
forking.forked = lambda *a: forks.append(1) or fork(*a)
load = config_ahead._load
def spy(cli_path):
    if CHILD == "raises":
        raise RuntimeError("the child fails")
    if CHILD == "exits":
        os._exit(3)
    load(cli_path)
config_ahead._load = spy
cache = os.path.join(os.environ["HARVEST_HOME"], "config.cache")
atexit.register(lambda: print("forked:", len(forks), os.path.exists(cache), file=sys.stderr))
sys.argv = ["harvest", "import", sys.argv[1]]
from tui.cli.main import main
sys.exit(main())
"""


def probe(trades: Path, child: str = "fine") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", PROBE, str(trades), child], cwd=ROOT, capture_output=True, text=True
    )


def store_rows(home: Path) -> dict[str, list[tuple[object, ...]]]:
    with sqlite3.connect(home / "harvest.sqlite3") as conn:
        rows = dump(conn)
    conn.close()
    return rows


@pytest.mark.parametrize("child", ["fine", "raises", "exits"])
def test_the_harvest_process_parses_the_config_ahead_and_a_failed_child_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], child: str
):
    config = tmp_path / "config.yaml"
    config.write_text("tax:\n  timezone: America/New_York\n")
    monkeypatch.setenv("HARVEST_CONFIG", str(config))
    trades = tmp_path / "trades.csv"
    trades.write_text(TRADES)
    monkeypatch.setenv("HARVEST_HOME", str(tmp_path / "in-process"))
    code, out, err = run_cli(capsys, "import", str(trades))  # in-process: never forks
    ahead = tmp_path / "ahead"
    ahead.mkdir()  # (a home that exists: the cache is written only into one)
    monkeypatch.setenv("HARVEST_HOME", str(ahead))
    done = probe(trades, child)
    assert (done.returncode, done.stdout) == (code, out)
    assert done.stderr == f"{err}forked: 1 True\n"
    assert store_rows(ahead) == store_rows(tmp_path / "in-process")
    # the cache holds it now: the next import forks nothing
    (tmp_path / "more.csv").write_text(TRADES.replace(",B", ",C"))
    again = probe(tmp_path / "more.csv", child)
    assert again.returncode == 0
    assert again.stderr == "forked: 0 True\n"


def test_a_wrong_config_is_said_by_the_parent_as_ever(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    config = tmp_path / "config.yaml"
    config.write_text("tax:\n  timezone: [America/New_York\n")
    monkeypatch.setenv("HARVEST_CONFIG", str(config))
    trades = tmp_path / "trades.csv"
    trades.write_text(TRADES)
    monkeypatch.setenv("HARVEST_HOME", str(tmp_path / "in-process"))
    code, out, err = run_cli(capsys, "import", str(trades))
    assert code != 0
    assert "config.yaml" in err
    ahead = tmp_path / "ahead"
    ahead.mkdir()
    monkeypatch.setenv("HARVEST_HOME", str(ahead))
    done = probe(trades)
    assert (done.returncode, done.stdout) == (code, out)
    assert done.stderr == f"{err}forked: 1 False\n"
