"""Several processes on one store: creating it at once, and a writer that holds the lock."""

from __future__ import annotations

import sqlite3
import subprocess
import sys

import pytest

from engine.store.migrations import SCHEMA_VERSION
from tests.support import ROOT

OPEN = (
    "import sys; from engine.store.store import Store; Store(__import__('pathlib').Path(sys.argv[1])).close()"
)


@pytest.mark.slow
def test_processes_creating_a_new_store_at_once_all_succeed(tmp_path):
    for attempt in range(3):
        path = tmp_path / f"s{attempt}.sqlite3"
        procs = [
            subprocess.Popen(
                [sys.executable, "-c", OPEN, str(path)], cwd=ROOT, stderr=subprocess.PIPE, text=True
            )
            for _ in range(6)
        ]
        errors = [proc.communicate(timeout=60)[1] for proc in procs]
        assert [proc.returncode for proc in procs] == [0] * 6, errors
        with sqlite3.connect(path) as conn:
            assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
            assert conn.execute("SELECT value FROM meta WHERE key = 'app'").fetchall() == [("harvest",)]


def test_a_writer_that_keeps_the_lock_is_one_line_for_the_cli(tmp_path, monkeypatch, capsys):
    from tui.cli.main import main

    monkeypatch.setenv("HARVEST_HOME", str(tmp_path))
    monkeypatch.setattr("engine.store.connection.BUSY_TIMEOUT_MS", 50)
    monkeypatch.setattr("engine.store.connection.BUSY_TRIES", 2)
    ledger = tmp_path / "l.csv"
    ledger.write_text(
        "timestamp,account,asset,side,quantity,price,fee\n2026-01-01T00:00:00Z,k,BTC,buy,1,100,0\n"
    )
    assert main(["import", str(ledger)]) == 0
    holder = sqlite3.connect(tmp_path / "harvest.sqlite3", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # a large import in another process, say
    try:
        ledger.write_text(
            "timestamp,account,asset,side,quantity,price,fee\n2026-01-02T00:00:00Z,k,BTC,buy,1,100,0\n"
        )
        capsys.readouterr()
        assert main(["import", str(ledger)]) == 1
        err = capsys.readouterr().err
        assert err == (
            "harvest: the store is busy: another harvest process (an import or a sync) is writing to it; "
            "try again when it has finished\n"
        )
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert main(["import", str(ledger)]) == 0


@pytest.mark.parametrize("new", [True, False], ids=["new store", "existing store"])
def test_opening_a_store_another_process_has_locked_says_busy_not_unusable(tmp_path, monkeypatch, new):
    """A writer holding SQLite's exclusive lock (a large import under the rollback journal once its
    cache spills, or the first switch to WAL) past our wait: opening says the store is busy, as a
    write does — not that the file is not a usable harvest store."""
    from engine.core.errors import StoreError
    from engine.store.store import Store

    monkeypatch.setattr("engine.store.connection.BUSY_TIMEOUT_MS", 50)
    monkeypatch.setattr("engine.store.connection.BUSY_TRIES", 2)
    path = tmp_path / "harvest.sqlite3"
    if not new:
        Store(path).close()
        with sqlite3.connect(path) as conn:  # as bulk_write leaves it during a batch
            conn.execute("PRAGMA journal_mode = DELETE")
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(StoreError) as raised:
            Store(path)
        assert str(raised.value) == (
            "the store is busy: another harvest process (an import or a sync) is writing to it; "
            "try again when it has finished"
        )
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    Store(path).close()  # and once it has finished, it opens


def test_an_instant_busy_answer_is_waited_out_not_counted_as_a_try():
    """SQLite answers "busy" at once where its wait could deadlock (six processes making one new
    store met it in CI): those answers pause and try again, not four tries in a millisecond and a
    StoreBusy for a store that is free a moment later."""
    from engine.store.connection import waiting_out_writers

    answers = iter([sqlite3.OperationalError("database is locked")] * 6 + [None])

    def opening() -> str:
        answer = next(answers)
        if answer is not None:
            raise answer
        return "opened"

    assert waiting_out_writers(opening) == "opened"


def test_instant_busy_answers_still_end_in_one_line_within_the_wait(monkeypatch):
    from engine.store.connection import StoreBusy, waiting_out_writers

    monkeypatch.setattr("engine.store.connection.BUSY_TIMEOUT_MS", 50)
    monkeypatch.setattr("engine.store.connection.BUSY_TRIES", 2)

    def always_locked() -> None:
        raise sqlite3.OperationalError("database is locked")

    with pytest.raises(StoreBusy):
        waiting_out_writers(always_locked)
