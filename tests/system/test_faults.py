"""Faults from outside: kill -9 at random points, unusable stores, read-only and full disks.
After each: the store opens cleanly, nothing is half-applied, errors are one clear line."""

from __future__ import annotations

import os
import random
import resource
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bench.synth import write_csv
from engine.store.migrations import SCHEMA_VERSION
from engine.store.store import Store
from tests.support import ROOT

KILLS = 8


def harvest(home: Path, *args: str, **kw) -> subprocess.Popen:  # noqa: ANN003
    config = home.parent / "config.yaml"
    if not config.exists():
        config.write_text("tax:\n  timezone: UTC\n")
    env = {**os.environ, "HARVEST_HOME": str(home), "HARVEST_CONFIG": str(config)}
    return subprocess.Popen([sys.executable, "-m", "tui", *args], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, **kw)  # fmt: skip


def consistent(home: Path) -> tuple[int, int]:
    """Open the store the way harvest does and check batches against events; (events, batches)."""
    with Store(home / "harvest.sqlite3") as store:
        conn = store.conn
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        events = conn.execute("SELECT count(*) FROM events").fetchone()[0]
        per_batch = dict(conn.execute("SELECT batch_id, count(*) FROM events GROUP BY batch_id").fetchall())
        for batch_id, added in conn.execute("SELECT id, added FROM batches"):
            assert per_batch.get(batch_id, 0) == added  # a batch is all there or not there
        legs = conn.execute("SELECT count(DISTINCT event_id) FROM legs").fetchone()[0]
        assert legs == events
        assert (
            conn.execute("SELECT count(*) FROM events GROUP BY natural_key HAVING count(*) > 1").fetchall()
            == []
        )
        return events, conn.execute("SELECT count(*) FROM batches").fetchone()[0]


@pytest.mark.slow
def test_kill_9_during_import_leaves_whole_batches_only(tmp_path):
    csv_path = write_csv(tmp_path / "trades.csv", 20_000, seed=3)
    rng = random.Random(11)
    home = tmp_path / "home"
    for _ in range(KILLS):
        proc = harvest(home, "import", str(csv_path))
        time.sleep(rng.uniform(0.05, 1.2))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        events, _batches = consistent(home)
        assert events in (0, 20_000)
    done = harvest(home, "import", str(csv_path))
    assert done.wait(timeout=120) == 0
    assert consistent(home)[0] == 20_000


CHURN = """
import sys
from engine.api import Engine
from engine.planning.checklist import Checklist
from engine.config.load import Config
from engine.store.store import Store
store = Store(__import__("pathlib").Path(sys.argv[1]))
checklist = Checklist(store.conn)
n = 0
while True:
    for step in checklist.steps():
        n += 1
        if step.state == "planned":
            checklist.advance(step.number, n)
        elif step.state == "identified":
            checklist.skip(step.number, f"reason {n}", n)
    # start over: a fresh plan with the same steps
    from engine.planning.plans import LotPick, Plan, PlanStep
    plan = Plan("manual", [PlanStep(i, "k", "SOL", "short", 10**18, (LotPick("L1", 10**18, 10**20, 739000),), 10**20,
                                    2 * 10**20, 10**19, 0, 10**17, (), None) for i in range(1, 6)])
    checklist.save(plan, 2026, n, 24)
"""


@pytest.mark.slow
def test_kill_9_during_checklist_transitions_never_half_applies(tmp_path):
    home = tmp_path / "home"
    Store(home / "harvest.sqlite3").close()
    script = tmp_path / "churn.py"
    script.write_text(CHURN)
    rng = random.Random(5)
    for _ in range(KILLS):
        proc = subprocess.Popen([sys.executable, str(script), str(home / "harvest.sqlite3")], cwd=ROOT)
        time.sleep(rng.uniform(0.3, 1.0))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        with Store(home / "harvest.sqlite3") as store:
            conn = store.conn
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            for step_id, state in conn.execute("SELECT id, state FROM steps"):
                last = conn.execute(
                    "SELECT to_state FROM step_history WHERE step_id = ? ORDER BY rowid DESC LIMIT 1",
                    (step_id,),
                ).fetchone()
                assert (last[0] if last else "planned") == state  # the state and its history agree
                # the identification is recorded in the same transaction as the move to identified
                went_identified = conn.execute(
                    "SELECT count(*) FROM step_history WHERE step_id = ? AND to_state = 'identified'",
                    (step_id,),
                ).fetchone()[0]
                recorded = conn.execute(
                    "SELECT count(*) FROM identifications WHERE step_id = ?", (step_id,)
                ).fetchone()[0]
                assert recorded == went_identified


@pytest.mark.parametrize("kind", ["corrupt", "newer", "foreign"])
def test_unusable_stores_are_one_line_errors_and_untouched(tmp_path, kind):
    home = tmp_path / "home"
    home.mkdir()
    path = home / "harvest.sqlite3"
    if kind == "corrupt":
        path.write_bytes(b"SQLite format 3\x00" + os.urandom(4000))
    elif kind == "newer":
        Store(path).close()
        conn = sqlite3.connect(path)
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
        conn.close()  # checkpoints the WAL: the bytes below are the file's final state
    else:
        conn = sqlite3.connect(path)
        conn.execute("CREATE TABLE photos (id INTEGER)")
        conn.close()
    before = path.read_bytes()
    proc = harvest(home, "report", "lots")
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 1
    assert err.count("\n") == 1
    assert err.startswith("harvest: ")
    assert "Traceback" not in err
    assert path.read_bytes() == before


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores directory permissions")
def test_read_only_data_dir(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    os.chmod(home, 0o500)
    proc = harvest(home, "report", "lots")
    _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 1
    assert err.startswith("harvest: ")


def test_read_only_store_file_even_for_root(tmp_path):
    """Root passes permission checks, so a read-only store is simulated with SQLite's own
    read-only open: the write fails cleanly and nothing changes."""
    home = tmp_path / "home"
    Store(home / "harvest.sqlite3").close()
    ledger = tmp_path / "l.csv"
    ledger.write_text(
        "timestamp,account,asset,side,quantity,price,fee\n2026-01-01T00:00:00Z,k,BTC,buy,1,1,0\n"
    )
    with Store(home / "harvest.sqlite3", readonly=True) as store:
        from engine.core.errors import StoreError

        with pytest.raises(StoreError, match="import failed, nothing written"):
            store.import_events([("k", object())], "x", frozenset())  # type: ignore[list-item]


def _small_disk() -> None:
    resource.setrlimit(resource.RLIMIT_FSIZE, (400_000, 400_000))
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)


@pytest.mark.slow
def test_a_full_disk_is_a_clear_error_and_nothing_half_written(tmp_path):
    home = tmp_path / "home"
    Store(home / "harvest.sqlite3").close()
    csv_path = write_csv(tmp_path / "big.csv", 20_000, seed=4)
    proc = harvest(home, "import", str(csv_path), preexec_fn=_small_disk)
    _out, err = proc.communicate(timeout=120)
    assert proc.returncode == 1
    assert err.startswith("harvest: ")
    assert "nothing written" in err
    assert "Traceback" not in err
    assert consistent(home)[0] == 0
