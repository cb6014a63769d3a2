"""The lot match in two halves (engine.ledger.lots_split, the child's half in a forked child:
engine.store.forked_fetch.fork_work) gives exactly the sequential match's result — every field
of it, in order — on generated ledgers with transfers between pools, migrations, decisions and
identifications, under every method and scope; a child that fails in any way leaves the result
the same; and no process forks that was not allowed to."""

from __future__ import annotations

import marshal
import os
import signal
import subprocess
import sys
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.core import work_fork
from engine.core.units import EpochMicros
from engine.ledger import lots_merge, lots_split
from engine.ledger.decided import Effects
from engine.ledger.legs import ACQUIRE, DISPOSE, MIGRATE_IN, MIGRATE_OUT, MOVE_IN, MOVE_OUT
from engine.ledger.lots import match_lots
from engine.ledger.records import Ledger, LegExtra, LegRow, LotResult
from engine.store import forked_fetch
from tests.engine.ledger.test_lots_oracle import METHODS, bench_ledger, ledgers
from tests.support import ROOT

HOUR = 3_600_000_000
START = 1_700_000_000_000_000


@pytest.fixture
def forking(monkeypatch: pytest.MonkeyPatch) -> None:
    """This process may fork the match (as the `harvest` command), any ledger splits."""
    monkeypatch.setattr(lots_split, "MIN_LEGS", 0)
    monkeypatch.setattr(lots_split, "MIN_SHARE", 0.0)
    monkeypatch.setattr(forked_fetch, "_allowed", True)
    monkeypatch.setattr(forked_fetch, "_single_threaded", lambda: True)
    monkeypatch.setattr(forked_fetch, "_free_core", lambda: True)  # a busy or pinned runner tests it too
    monkeypatch.setattr(work_fork, "_fork", forked_fetch.fork_work)
    monkeypatch.setattr(work_fork, "_ready", lambda: True)


def fields(result: LotResult) -> tuple[Any, ...]:
    """Every field of a result; the open lots as the pools hold them, each lot without its seq
    (counted by each half apart: shown nowhere, see engine.ledger.lots_split) and as rows."""
    pools = [(asset, [lot[:4] + lot[5:] for lot in lots]) for asset, lots in result.open_lots.pools]  # type: ignore[attr-defined]
    return (
        result.realized.columns(),  # type: ignore[attr-defined]
        list(result.realized.runs),  # type: ignore[attr-defined]
        result.excluded,
        [repr(shortfall) for shortfall in result.shortfalls],
        result.warnings,
        result.unresolved,
        repr(result.pairing),
        pools,
        list(result.open_lots),
    )


def sequential(*args: Any, **kwargs: Any) -> LotResult:
    fork, ready = work_fork._fork, work_fork._ready
    work_fork.install(None)
    try:
        return match_lots(*args, **kwargs)
    finally:
        work_fork.install(fork, ready)


def assert_split_same(ledger: Ledger, method: str, universal: bool, effects: Effects | None) -> None:
    try:
        expected = sequential(ledger, method, universal, effects=effects)
    except Exception:  # a malformed generated leg: the split fails too
        with pytest.raises(Exception):  # noqa: B017, PT011
            match_lots(ledger, method, universal, effects=effects)
        return
    got = match_lots(ledger, method, universal, effects=effects)
    assert fields(got) == fields(expected)


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(ledgers(), st.sampled_from(METHODS), st.booleans(), st.booleans())
def test_the_halves_give_the_sequential_result(forking, drawn, method, universal, with_effects):
    ledger, effects = drawn
    assert_split_same(ledger, method, universal, effects if with_effects else None)


def linked_ledger() -> Ledger:
    """Buys and sales in four pools; a paired transfer links a/BTC and b/BTC (the transfer-in
    recorded before its transfer-out: handled right after it), a migration links a/ETH and a/POL;
    b/ETH stands alone. Sales short of lots, lots of unknown basis, a named lot."""
    pools = {1: ("a", "BTC"), 2: ("b", "BTC"), 3: ("a", "ETH"), 4: ("b", "ETH"), 5: ("a", "POL")}
    legs: list[LegRow] = []
    ts = START
    for step in range(60):
        ts += HOUR
        pool = 1 + step % 4
        ref = f"R{step}"
        if step % 3 == 2:
            usd = None if step % 17 == 0 else 900 + step
            legs.append((pool, DISPOSE, EpochMicros(ts), 3 + step % 5, usd, ref, None))
        else:
            usd = None if step % 13 == 0 else 100 * (step % 7 + 1)
            legs.append((pool, ACQUIRE, EpochMicros(ts), 2 + step % 4, usd, ref, None))
        if step == 20:
            legs.append((2, MOVE_IN, EpochMicros(ts + 1), 4, None, "IN", LegExtra(None, None, "tx9", None)))
            legs.append((1, MOVE_OUT, EpochMicros(ts + 2), 5, None, "OUT", LegExtra(None, None, "tx9", None)))
        if step == 40:
            legs.append((3, MIGRATE_OUT, EpochMicros(ts + 1), 3, None, "MIG", None))
            legs.append((5, MIGRATE_IN, EpochMicros(ts + 1), 3000, None, "MIG", None))
        if step == 45:
            legs.append((4, DISPOSE, EpochMicros(ts + 3), 2, 50, "ID", LegExtra("R3:1", None, None, None)))
    return Ledger(pools, legs)


def test_the_halves_are_whole_components():
    ledger = linked_ledger()
    result = sequential(ledger)
    assert result.pairing.pairs  # the transfer is paired
    from engine.ledger.lot_matcher import Matcher

    matcher = Matcher(ledger, "fifo", False, lambda micros: micros // (24 * HOUR))  # type: ignore[arg-type,return-value]
    matcher.pairs = result.pairing.pairs
    split = lots_split.halves(matcher, ledger.legs, [leg[1] for leg in ledger.legs])
    assert split is not None
    for half in split:
        assert {1, 2} <= half or not {1, 2} & half
        assert {3, 5} <= half or not {3, 5} & half


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("universal", [False, True])
def test_a_linked_ledger_splits_and_merges(forking, method, universal):
    ledger = linked_ledger()
    got = match_lots(ledger, method, universal)
    assert lots_split.last == "split"
    assert fields(got) == fields(sequential(ledger, method, universal))


@pytest.mark.parametrize("realistic", [False, True], ids=["synth", "realistic"])
def test_the_bench_trades_split_as_they_match(forking, realistic):
    ledger = bench_ledger(3_000, realistic)
    for method in ("fifo", "hifo"):
        got = match_lots(ledger, method)
        assert lots_split.last == "split"
        assert fields(got) == fields(sequential(ledger, method))


def child_only(monkeypatch: pytest.MonkeyPatch, name: str, replacement: Any) -> None:
    """`lots_merge.<name>` replaced in the forked child only."""
    parent, original = os.getpid(), getattr(lots_merge, name)
    monkeypatch.setattr(
        lots_merge, name, lambda *a: original(*a) if os.getpid() == parent else replacement(*a)
    )


def killed(_half: Any) -> bytes:
    os.kill(os.getpid(), signal.SIGKILL)
    return b""


def raising(_half: Any) -> bytes:
    raise RuntimeError("the child's half failed")


def wrong_shape(_half: Any) -> bytes:
    return marshal.dumps((lots_merge.MAGIC, 1, 2, 3, 4, 5, 6, 7, 8))


def wrong_counts(half: Any) -> bytes:
    columns = half[1]
    return marshal.dumps((*half[:1], (columns[0][:-1], *columns[1:]), *half[2:]))


@pytest.mark.parametrize(
    "replacement",
    [killed, raising, wrong_shape, wrong_counts, lambda _half: b"\x00garbage", lambda _half: b""],
    ids=["killed", "raises", "wrong shape", "columns short", "garbage", "empty"],
)
def test_a_failed_child_leaves_the_result_the_same(forking, monkeypatch, replacement):
    ledger = linked_ledger()
    expected = fields(sequential(ledger, "hifo"))
    child_only(monkeypatch, "encoded", replacement)
    assert fields(match_lots(ledger, "hifo")) == expected
    assert lots_split.last == "split, the child's half matched here"


def test_a_short_record_is_refused(forking, monkeypatch):
    ledger = linked_ledger()
    expected = fields(sequential(ledger))
    monkeypatch.setattr(forked_fetch, "_framed", lambda data: len(data).to_bytes(8, "little") + data[:-3])
    assert fields(match_lots(ledger)) == expected
    assert lots_split.last == "split, the child's half matched here"


def test_a_refused_fork_matches_in_one_process(forking, monkeypatch):
    def refused() -> int:
        raise OSError("no fork")

    monkeypatch.setattr(forked_fetch.os, "fork", refused)
    ledger = linked_ledger()
    assert fields(match_lots(ledger)) == fields(sequential(ledger))
    assert lots_split.last == "one process (no fork)"


def test_the_parents_failure_kills_the_child(forking, monkeypatch):
    waits: list[bool] = []
    fork = forked_fetch.fork_work

    def spied(work: Any) -> Any:
        wait = fork(work)

        def spy(kill: bool = False) -> bytes | None:
            waits.append(kill)
            return wait(kill)  # type: ignore[misc]

        return spy

    monkeypatch.setattr(work_fork, "_fork", spied)
    parent, matched = os.getpid(), lots_split.matched_half

    def failing(*args: Any) -> Any:
        if os.getpid() == parent:
            raise KeyboardInterrupt
        return matched(*args)

    monkeypatch.setattr(lots_split, "matched_half", failing)
    with pytest.raises(KeyboardInterrupt):
        match_lots(linked_ledger())
    assert waits == [True]


def test_no_fork_unless_allowed(monkeypatch):
    def forbidden() -> int:
        raise AssertionError("forked")

    monkeypatch.setattr(lots_split, "MIN_LEGS", 0)
    monkeypatch.setattr(lots_split, "MIN_SHARE", 0.0)
    monkeypatch.setattr(forked_fetch.os, "fork", forbidden)
    monkeypatch.setattr(work_fork, "_fork", None)  # as every process starts
    match_lots(linked_ledger())
    monkeypatch.setattr(work_fork, "_fork", forked_fetch.fork_work)
    monkeypatch.setattr(work_fork, "_ready", forked_fetch._may_fork_now)
    monkeypatch.setattr(forked_fetch, "_allowed", False)  # installed, not allowed: no split prepared
    halves = lots_split.halves
    monkeypatch.setattr(lots_split, "halves", lambda *a: pytest.fail("a split prepared"))
    match_lots(linked_ledger())
    monkeypatch.setattr(lots_split, "halves", halves)
    monkeypatch.setattr(work_fork, "_ready", lambda: True)  # (fork_work asks again)
    match_lots(linked_ledger())
    monkeypatch.setattr(forked_fetch, "_allowed", True)
    monkeypatch.setattr(forked_fetch, "_free_core", lambda: True)
    monkeypatch.setattr(forked_fetch, "_single_threaded", lambda: False)  # another thread: no fork
    match_lots(linked_ledger())
    assert lots_split.last == "one process (no fork)"


def test_only_the_allowed_processes_install_the_fork():
    """A process starts without it (the app, scripts, the tests' engine); forked_fetch.allow
    (the `harvest` command's quick_exit.arm, bench_core) installs it."""
    code = (
        "from engine.core import work_fork\n"
        "import engine.api, engine.ledger.lots\n"
        "assert work_fork.installed() is None\n"
        "from engine.store import forked_fetch\n"
        "forked_fetch.allow()\n"
        "assert work_fork._fork is forked_fetch.fork_work\n"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)
