"""bench/bench_report.py's wait for the legs cache a cold run leaves to its exit."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.bench_report import wait_for_cache
from engine.store import legs_cache
from engine.store.connection import STORE_NAME
from engine.store.store import Store


def test_a_ledger_too_small_for_a_legs_cache_is_not_waited_for(tmp_path: Path):
    # run_all --quick's sizes (20,000 trades) stay under legs_cache.MIN_LEGS: no file ever comes
    Store(tmp_path / STORE_NAME).close()
    assert wait_for_cache(tmp_path, timeout=0.2) is None  # before: "not written within 0 s" (SystemExit)


def test_a_large_ledger_whose_legs_cache_never_comes_ends_the_bench(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(legs_cache, "MIN_LEGS", 0)  # every ledger is large enough to be waited for
    Store(tmp_path / STORE_NAME).close()
    with pytest.raises(SystemExit, match="not written within 0 s"):
        wait_for_cache(tmp_path, timeout=0)
