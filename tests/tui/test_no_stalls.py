"""No UI stall at 100,000 open lots (issue 18): the app runs headless with a heartbeat on its
event loop (tui.heartbeat, every 10 ms) through what bench/bench_tui.py times — the first load,
20 price ticks, expanding a holding, a reload after another process's import, the detail
screen and the problems screen — and the gaps between beats are the stalls.

Two measures: the wall gap (what a person sees, which on this shared 2-core machine also
holds the time other processes had the CPU) and the UI thread's own CPU time within one beat
(the app's own work on the loop, load-independent). The issue's 50 ms line is not met yet:
Textual's own rendering and screen set-up take 60–330 ms of UI CPU in one turn here (a new
screen's layout, a table's measurement), so that test is an expected failure, strict, so it
says when it starts passing. What is guarded: no UI-thread turn over 0.5 s (before this
work the detail screen took 0.9 s of UI CPU and froze the loop 2–6 s; a reload with a
holding expanded 1.5 s) and no freeze over 3 s of any cause."""

from __future__ import annotations

import asyncio
from unittest import mock

import pytest

from bench import bench_scan
from bench.bench_tui import PHASES, Run, drive

LOTS = 100_000
ONE_TURN_CPU = 0.5  # seconds of UI-thread CPU in one beat
FREEZE = 3.0  # seconds of wall time between two beats, whatever the cause
TARGET = 0.050  # the line


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    out = tmp_path_factory.mktemp("stalls")
    with mock.patch.object(bench_scan, "OUT", out):
        path = bench_scan.prepared_store(LOTS)  # one bulk import of 100,000 buys
    return asyncio.run(drive(path, ticks=20, reload_tag=1))


def worst_by_phase(values: dict[str, list[float]]) -> dict[str, float]:
    return {phase: max(values.get(phase, [0.0])) for phase in PHASES}


@pytest.mark.slow
def test_every_phase_ran_with_the_heartbeat(run: Run):
    assert set(PHASES) <= set(run.heartbeat.gaps)
    assert all(len(run.heartbeat.gaps[phase]) >= 2 for phase in PHASES)
    assert len(run.ticks) == 20


@pytest.mark.slow
def test_no_ui_thread_turn_is_long_and_nothing_freezes(run: Run):
    busy = worst_by_phase(run.heartbeat.busy)
    gaps = worst_by_phase(run.heartbeat.gaps)
    assert max(busy.values()) <= ONE_TURN_CPU, busy
    assert max(gaps.values()) <= FREEZE, gaps


@pytest.mark.slow
@pytest.mark.xfail(
    strict=True, reason="issue 18's 50 ms line: Textual's layout and table measurement take longer"
)
def test_no_stall_over_50_ms(run: Run):
    gaps = worst_by_phase(run.heartbeat.gaps)
    assert max(gaps.values()) <= TARGET, gaps
